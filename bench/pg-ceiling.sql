-- What PostgreSQL alone does for the create benchmark on this machine: one
-- transaction writes 16 creates the way the create batcher does (users
-- locked in id order, then applications, scores and first history entries
-- in one statement), with every index of the schema. Run by bench/pg-ceiling.
\set n random(1, 1000000000)
BEGIN;
UPDATE users u SET change_seq = u.change_seq + 1
  FROM (SELECT id FROM users ORDER BY id LIMIT 16 OFFSET (:client_id % 2) * 16 FOR UPDATE) l
 WHERE u.id = l.id;
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
