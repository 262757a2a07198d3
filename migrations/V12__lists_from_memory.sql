-- Issue #18: application lists are served from each user's working set in
-- memory (filters, sorts and cursors; a search asks job_applications_search
-- for the matching ids). The indexes that ordered or filtered one user's
-- rows for a list now serve only the SQL list (the CSV export, and a list
-- asked while a working set cannot load), which reads the user's rows
-- through job_applications_by_updated and sorts a few thousand at most in
-- memory; every write paid for each of them. Measured with bench/pg-ceiling
-- (PostgreSQL's CPU per create) before and after: see bench/RESULTS.md.
DROP INDEX job_applications_by_created;
DROP INDEX job_applications_by_company;
DROP INDEX job_applications_by_applied;
DROP INDEX job_applications_by_applied_desc;
DROP INDEX job_applications_by_deadline;
DROP INDEX job_applications_by_deadline_desc;
DROP INDEX job_applications_by_status;
DROP INDEX job_applications_tags;
DROP INDEX application_scores_rank;

-- The CSV import's duplicate check (company, title, applied_on) reads
-- job_applications_by_name (user, company, title) and tests applied_on on
-- the few rows with that name.
DROP INDEX job_applications_by_name_applied;
