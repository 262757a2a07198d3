-- The inbox: a user's mailbox (its password encrypted), the messages read
-- from it (each once per user, by Message-ID or a hash of its headers), the
-- suggestions they give, the leased jobs that read them, and the per-user
-- setting to apply sure suggestions by themselves.

CREATE TABLE mailboxes (
    user_id          uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    host             text NOT NULL CHECK (char_length(host) BETWEEN 1 AND 253),
    port             integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security         text NOT NULL CHECK (security IN ('tls', 'starttls')),
    username         text NOT NULL CHECK (char_length(username) BETWEEN 1 AND 320),
    -- XChaCha20-Poly1305 with the server's secret key; the nonce is stored beside it
    password_sealed  bytea NOT NULL,
    folder           text NOT NULL DEFAULT 'INBOX' CHECK (char_length(folder) BETWEEN 1 AND 200),
    since            timestamptz NOT NULL,
    uid_validity     bigint,
    last_uid         bigint,
    last_sync_at     timestamptz,
    last_error       text CHECK (char_length(last_error) <= 500),
    messages_seen    integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Every message read, once per user: a second sync, a restart or another
-- replica finds the key taken and reads nothing twice.
CREATE TABLE mail_messages (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_key  text NOT NULL CHECK (char_length(message_key) BETWEEN 1 AND 1000),
    source       text NOT NULL CHECK (source IN ('imap', 'upload')),
    from_address text CHECK (char_length(from_address) <= 320),
    from_name    text CHECK (char_length(from_name) <= 200),
    subject      text CHECK (char_length(subject) <= 1000),
    sent_at      timestamptz,
    snippet      text CHECK (char_length(snippet) <= 500),
    kind         text NOT NULL CHECK (kind IN ('applied', 'rejection', 'interview_invitation', 'offer',
                                                'recruiter_outreach', 'other')),
    note         text CHECK (char_length(note) <= 500),
    received_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mail_messages_once UNIQUE (user_id, message_key)
);
CREATE INDEX mail_messages_by_user ON mail_messages (user_id, received_at);

CREATE TABLE mail_suggestions (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id     uuid NOT NULL REFERENCES mail_messages (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('applied', 'rejection', 'interview_invitation', 'offer',
                                                  'recruiter_outreach')),
    confidence     real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    -- always one of the user's own applications (matched among them)
    application_id uuid REFERENCES job_applications (id) ON DELETE SET NULL,
    proposed       jsonb NOT NULL,
    state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'dismissed')),
    decided_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mail_suggestions_one_per_message UNIQUE (message_id)
);
CREATE INDEX mail_suggestions_page ON mail_suggestions (user_id, created_at DESC, id DESC);
CREATE INDEX mail_suggestions_pending ON mail_suggestions (user_id) WHERE state = 'pending';
CREATE INDEX mail_suggestions_by_application ON mail_suggestions (user_id, application_id) WHERE application_id IS NOT NULL;

-- Sync and message jobs, leased like AI drafts: a replica that dies leaves
-- its job to another once the lease runs out.
CREATE TABLE mail_jobs (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('sync', 'message')),
    -- a message job's raw bytes, dropped when it is done
    raw              bytea,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    lease_token      uuid,
    lease_expires_at timestamptz,
    not_before       timestamptz NOT NULL DEFAULT now(),
    error            text CHECK (char_length(error) <= 500),
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX mail_jobs_claimable ON mail_jobs (not_before, created_at) WHERE status IN ('queued', 'running');
-- at most one sync waiting per user
CREATE UNIQUE INDEX mail_jobs_one_sync ON mail_jobs (user_id) WHERE kind = 'sync' AND status IN ('queued', 'running');

CREATE TABLE inbox_settings (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    auto_apply boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);
