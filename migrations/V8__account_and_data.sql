-- Your account and your data: sessions a user can see and end, accounts an
-- operator can disable, and imports that never create anything twice.

-- What a session list shows: the browser and where it signed in from.
ALTER TABLE sessions
    ADD COLUMN user_agent text CHECK (char_length(user_agent) <= 500),
    ADD COLUMN address    text CHECK (char_length(address) <= 100);
CREATE INDEX sessions_by_user_page ON sessions (user_id, created_at, id);
DROP INDEX sessions_by_user;

-- A disabled account cannot sign in; its sessions and tokens stop working.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- An imported export keeps the exported ids, so a second import of the same
-- file finds what the first one created.
ALTER TABLE job_applications ADD COLUMN imported_from uuid;
CREATE UNIQUE INDEX job_applications_imported_from
    ON job_applications (user_id, imported_from) WHERE imported_from IS NOT NULL;
ALTER TABLE notes ADD COLUMN imported_from uuid;
CREATE UNIQUE INDEX notes_imported_from
    ON notes (user_id, imported_from) WHERE imported_from IS NOT NULL;
ALTER TABLE interviews ADD COLUMN imported_from uuid;
CREATE UNIQUE INDEX interviews_imported_from
    ON interviews (user_id, imported_from) WHERE imported_from IS NOT NULL;
ALTER TABLE ai_generations ADD COLUMN imported_from uuid;
CREATE UNIQUE INDEX ai_generations_imported_from
    ON ai_generations (user_id, imported_from) WHERE imported_from IS NOT NULL;

-- The CSV import's duplicate check when a row has no URL: company + title +
-- applied_on (an empty applied_on matching an empty one).
CREATE INDEX job_applications_by_name_applied
    ON job_applications (user_id, lower(company), lower(title), applied_on);

-- Per-user hourly limits (imports now; captures and mailbox syncs later),
-- counted in PostgreSQL so they hold across replicas.
CREATE TABLE user_actions (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    text NOT NULL CHECK (kind IN ('import', 'capture', 'mail_sync')),
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_actions_window ON user_actions (user_id, kind, at);
