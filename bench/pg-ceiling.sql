-- What PostgreSQL alone does for the create benchmark on this machine: one
-- transaction writes 16 creates the way the create batcher does (users
-- locked in id order, their preferences read, the duplicate check, then
-- applications, scores and first history entries in one statement), with
-- every index of the schema. Run by bench/pg-ceiling.
\set n random(1, 1000000000)
BEGIN;
UPDATE users u SET change_seq = u.change_seq + 1
  FROM (SELECT id FROM users ORDER BY id LIMIT 16 OFFSET (:client_id % 2) * 16 FOR UPDATE) l
 WHERE u.id = l.id;
SELECT user_id, doc FROM user_preferences
 WHERE user_id = ANY(ARRAY(SELECT id FROM users ORDER BY id LIMIT 16 OFFSET (:client_id % 2) * 16));
SELECT coalesce(
         (SELECT a.id FROM job_applications a WHERE a.user_id = i.user_id AND a.url_key = i.url_key
           ORDER BY a.created_at DESC, a.id DESC LIMIT 1),
         (SELECT a.id FROM job_applications a WHERE a.user_id = i.user_id AND lower(a.company) = i.company
             AND lower(a.title) = i.title AND a.created_at >= now() - interval '60 days'
           ORDER BY a.created_at DESC, a.id DESC LIMIT 1))
  FROM (SELECT id AS user_id, NULL::text AS url_key, 'bench ' || :n AS company, 'load tester' AS title
          FROM users ORDER BY id LIMIT 16 OFFSET (:client_id % 2) * 16) i;
WITH r AS (SELECT gen_random_uuid() AS id, id AS user_id, 'Bench ' || :n AS company, 'Load tester' AS title,
                  'applied' AS status, '{bench}'::text[] AS tags, current_date AS applied_on
             FROM (SELECT id FROM users ORDER BY id LIMIT 16 OFFSET (:client_id % 2) * 16) u),
     a AS (INSERT INTO job_applications (id, user_id, company, title, status, tags, applied_on)
           SELECT id, user_id, company, title, status, tags, applied_on FROM r RETURNING id),
     s AS (INSERT INTO application_scores (application_id, user_id, score, reasons)
           SELECT id, user_id, 50, '{}' FROM r),
     h AS (INSERT INTO status_history (id, user_id, application_id, to_status)
           SELECT gen_random_uuid(), user_id, id, status FROM r)
SELECT count(*) FROM a;
COMMIT;
