-- Sign-in and registration attempts, counted before any password is hashed.
-- An attempt is written as failed and cleared when its password proves right,
-- so parallel guesses count at once; advisory locks per account and per
-- address (taken in that order) make check-then-record atomic.
DROP TABLE auth_failures;
CREATE TABLE auth_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('sign_in', 'register')),
    -- lower-cased email for sign-ins; empty for registrations
    account      text NOT NULL,
    address      text NOT NULL,
    failed       boolean NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_attempts_by_account ON auth_attempts (kind, account, attempted_at);
CREATE INDEX auth_attempts_by_address ON auth_attempts (kind, address, attempted_at);

-- Drafts started per user per (UTC) day: deleting a draft gives nothing back.
CREATE TABLE ai_usage (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     date NOT NULL,
    started integer NOT NULL,
    PRIMARY KEY (user_id, day)
);
INSERT INTO ai_usage (user_id, day, started)
SELECT user_id, (created_at AT TIME ZONE 'UTC')::date, count(*)
FROM ai_generations GROUP BY 1, 2;
