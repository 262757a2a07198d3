-- Issue #18: one lower-cased search document per application, indexed per
-- user, instead of four trigram indexes over every user's rows.
--
-- `q` is a case-insensitive substring of company, title, location, job
-- description or a note. Before, each row was lower-cased four times per
-- search (ILIKE) and the trigram indexes were global, so a word's posting
-- list held every user's rows. Now the document is lower-cased once, when
-- the row is written, and the index's first column is the user: a search
-- reads only the searching user's entries (btree_gin lets a GIN index lead
-- with a plain column).
CREATE EXTENSION IF NOT EXISTS btree_gin;

ALTER TABLE job_applications ADD COLUMN search text GENERATED ALWAYS AS (
    lower(company || E'\n' || title || E'\n' || coalesce(location, '') || E'\n' || coalesce(job_description, ''))
) STORED;

CREATE INDEX job_applications_search ON job_applications USING gin (user_id, search gin_trgm_ops);

DROP INDEX job_applications_company_trgm;
DROP INDEX job_applications_title_trgm;
DROP INDEX job_applications_location_trgm;
DROP INDEX job_applications_jd_trgm;

-- Tags: the user's own rows only, as for the search.
DROP INDEX job_applications_tags;
CREATE INDEX job_applications_tags ON job_applications USING gin (user_id, tags);

-- A note is searched among its user's notes (notes_by_user): a trigram index
-- over every user's notes cost each note write and bought nothing.
DROP INDEX notes_body_trgm;

-- The work-mode filter reads the user's rows (a few thousand at most) in the
-- sort's own order; an index of its own cost every write.
DROP INDEX job_applications_by_mode;

-- The priority sort reads applications through their score rows (an inner
-- join that walks application_scores_rank): every application has one,
-- written in the same statement as the application; this makes sure of
-- rows written before that was so.
INSERT INTO application_scores (application_id, user_id, score)
SELECT a.id, a.user_id, 0 FROM job_applications a
WHERE NOT EXISTS (SELECT 1 FROM application_scores s WHERE s.application_id = a.id);
