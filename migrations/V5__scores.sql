-- Scores move to their own narrow table: a re-score of every application
-- then rewrites small rows with two indexes, not whole applications with
-- every index (trigram ones included).

CREATE TABLE application_scores (
    application_id uuid PRIMARY KEY,
    user_id        uuid NOT NULL,
    score          smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
    reasons        text[] NOT NULL DEFAULT '{}',
    FOREIGN KEY (user_id, application_id) REFERENCES job_applications (user_id, id) ON DELETE CASCADE
);
CREATE INDEX application_scores_rank ON application_scores (user_id, score, application_id);

INSERT INTO application_scores (application_id, user_id, score, reasons)
SELECT id, user_id, priority_score, priority_reasons FROM job_applications;

DROP INDEX job_applications_by_priority;
ALTER TABLE job_applications DROP COLUMN priority_score, DROP COLUMN priority_reasons;
