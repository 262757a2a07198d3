-- Job Copilot: the foundation schema.
-- Every table holding user data carries user_id; children reference their
-- application through (user_id, application_id) so a row can never point at
-- another user's application.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    display_name  text CHECK (char_length(display_name) <= 200),
    timezone      text NOT NULL DEFAULT 'UTC' CHECK (char_length(timezone) BETWEEN 1 AND 64),
    password_hash text,
    oidc_issuer   text,
    oidc_subject  text,
    -- bumped by every write of the user, in the write's transaction: caches on
    -- other replicas compare it to know when they are stale
    change_seq    bigint NOT NULL DEFAULT 0,
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_oidc_identity UNIQUE (oidc_issuer, oidc_subject),
    CONSTRAINT users_oidc_pair CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    token_hash   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz,
    CONSTRAINT api_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user_page ON api_tokens (user_id, created_at, id);
CREATE INDEX api_tokens_expires ON api_tokens (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE job_applications (
    id                    uuid PRIMARY KEY,
    user_id               uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company               text NOT NULL CHECK (char_length(company) BETWEEN 1 AND 200),
    title                 text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    url                   text CHECK (char_length(url) <= 2000),
    url_key               text,
    location              text CHECK (char_length(location) <= 200),
    work_mode             text CHECK (work_mode IN ('onsite', 'hybrid', 'remote')),
    salary_min            bigint CHECK (salary_min >= 0),
    salary_max            bigint CHECK (salary_max >= 0),
    salary_currency       text NOT NULL DEFAULT 'USD' CHECK (salary_currency ~ '^[A-Z]{3}$'),
    status                text NOT NULL DEFAULT 'wishlist' CHECK (status IN (
                              'wishlist', 'applied', 'screening', 'interviewing', 'offer',
                              'accepted', 'declined', 'rejected', 'withdrawn', 'ghosted')),
    source                text CHECK (char_length(source) <= 200),
    applied_on            date,
    deadline              date,
    job_description       text CHECK (char_length(job_description) <= 100000),
    tags                  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
    contact_name          text CHECK (char_length(contact_name) <= 200),
    contact_email         text CHECK (char_length(contact_email) <= 254),
    next_action           text CHECK (char_length(next_action) <= 500),
    next_action_at        timestamptz,
    priority_score        smallint NOT NULL DEFAULT 0 CHECK (priority_score BETWEEN 0 AND 100),
    priority_reasons      text[] NOT NULL DEFAULT '{}',
    possible_duplicate_of uuid REFERENCES job_applications (id) ON DELETE SET NULL,
    status_changed_at     timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT job_applications_salary_range
        CHECK (salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max),
    CONSTRAINT job_applications_user_id_key UNIQUE (user_id, id)
);
-- keyset pages: one index per sort, both NULL placements for nullable dates
CREATE INDEX job_applications_by_updated  ON job_applications (user_id, updated_at, id);
CREATE INDEX job_applications_by_created  ON job_applications (user_id, created_at, id);
CREATE INDEX job_applications_by_company  ON job_applications (user_id, lower(company), id);
CREATE INDEX job_applications_by_priority ON job_applications (user_id, priority_score, id);
CREATE INDEX job_applications_by_applied  ON job_applications (user_id, applied_on ASC NULLS LAST, id);
CREATE INDEX job_applications_by_applied_desc  ON job_applications (user_id, applied_on DESC NULLS LAST, id DESC);
CREATE INDEX job_applications_by_deadline ON job_applications (user_id, deadline ASC NULLS LAST, id);
CREATE INDEX job_applications_by_deadline_desc ON job_applications (user_id, deadline DESC NULLS LAST, id DESC);
-- filters
CREATE INDEX job_applications_by_status   ON job_applications (user_id, status);
CREATE INDEX job_applications_by_mode     ON job_applications (user_id, work_mode);
CREATE INDEX job_applications_tags        ON job_applications USING gin (tags);
-- q: case-insensitive substring search
CREATE INDEX job_applications_company_trgm  ON job_applications USING gin (company gin_trgm_ops);
CREATE INDEX job_applications_title_trgm    ON job_applications USING gin (title gin_trgm_ops);
CREATE INDEX job_applications_location_trgm ON job_applications USING gin (location gin_trgm_ops);
CREATE INDEX job_applications_jd_trgm       ON job_applications USING gin (job_description gin_trgm_ops);
-- duplicate detection at create
CREATE INDEX job_applications_by_url_key ON job_applications (user_id, url_key, created_at) WHERE url_key IS NOT NULL;
CREATE INDEX job_applications_by_name    ON job_applications (user_id, lower(company), lower(title), created_at);
CREATE INDEX job_applications_duplicate_of ON job_applications (possible_duplicate_of) WHERE possible_duplicate_of IS NOT NULL;

CREATE TABLE status_history (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL,
    application_id uuid NOT NULL,
    from_status    text CHECK (from_status IN (
                       'wishlist', 'applied', 'screening', 'interviewing', 'offer',
                       'accepted', 'declined', 'rejected', 'withdrawn', 'ghosted')),
    to_status      text NOT NULL CHECK (to_status IN (
                       'wishlist', 'applied', 'screening', 'interviewing', 'offer',
                       'accepted', 'declined', 'rejected', 'withdrawn', 'ghosted')),
    changed_at     timestamptz NOT NULL DEFAULT now(),
    note           text CHECK (char_length(note) <= 20000),
    undone         boolean NOT NULL DEFAULT false,
    is_undo        boolean NOT NULL DEFAULT false,
    FOREIGN KEY (user_id, application_id) REFERENCES job_applications (user_id, id) ON DELETE CASCADE
);
CREATE INDEX status_history_by_application ON status_history (application_id, changed_at, id);
CREATE INDEX status_history_by_user ON status_history (user_id, changed_at);

CREATE TABLE notes (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL,
    application_id uuid NOT NULL,
    body           text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 20000),
    version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (user_id, application_id) REFERENCES job_applications (user_id, id) ON DELETE CASCADE
);
CREATE INDEX notes_by_application ON notes (application_id, created_at, id);
CREATE INDEX notes_by_user ON notes (user_id, id);
CREATE INDEX notes_body_trgm ON notes USING gin (body gin_trgm_ops);

CREATE TABLE interviews (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL,
    application_id   uuid NOT NULL,
    kind             text NOT NULL DEFAULT 'other' CHECK (kind IN (
                         'phone_screen', 'technical', 'behavioral', 'take_home', 'onsite', 'final', 'other')),
    scheduled_at     timestamptz NOT NULL,
    duration_minutes integer NOT NULL DEFAULT 60 CHECK (duration_minutes BETWEEN 1 AND 1440),
    location         text CHECK (char_length(location) <= 200),
    meeting_url      text CHECK (char_length(meeting_url) <= 2000),
    interviewers     text[] NOT NULL DEFAULT '{}' CHECK (cardinality(interviewers) <= 20),
    notes            text CHECK (char_length(notes) <= 20000),
    outcome          text NOT NULL DEFAULT 'scheduled' CHECK (outcome IN (
                         'scheduled', 'completed', 'passed', 'failed', 'cancelled', 'no_show')),
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (user_id, application_id) REFERENCES job_applications (user_id, id) ON DELETE CASCADE
);
CREATE INDEX interviews_by_time ON interviews (user_id, scheduled_at, id);
CREATE INDEX interviews_by_application ON interviews (application_id, scheduled_at, id);
CREATE INDEX interviews_by_outcome ON interviews (user_id, outcome, scheduled_at);

-- failed sign-ins, for throttling shared by every replica
CREATE TABLE auth_failures (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope     text NOT NULL CHECK (scope IN ('account', 'address')),
    key       text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_failures_lookup ON auth_failures (scope, key, failed_at);
