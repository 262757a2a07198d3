-- Calendar feeds, analytics snapshots, and the scheduler's claims.

-- A user's secret calendar feed. The token is a read-only capability that the
-- API shows again (GET /api/v1/calendar-feed), so it is kept as is.
CREATE TABLE calendar_feeds (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token      text NOT NULL CHECK (char_length(token) >= 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_feeds_token_key UNIQUE (token)
);

-- Daily and weekly snapshots of a user's dashboard figures.
CREATE TABLE analytics_snapshots (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period       text NOT NULL CHECK (period IN ('day', 'week')),
    period_start date NOT NULL,
    metrics      jsonb NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, period, period_start)
);

-- One row per scheduled job and slot: whoever inserts it runs it (exactly once).
CREATE TABLE scheduler_runs (
    job        text NOT NULL,
    slot       text NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    claimed_by text NOT NULL,
    finished_at timestamptz,
    outcome    text,
    PRIMARY KEY (job, slot)
);

-- A reminder raised once per application, kind and due time.
CREATE TABLE reminders (
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id uuid NOT NULL,
    kind           text NOT NULL,
    due_at         timestamptz NOT NULL,
    raised_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, application_id, kind, due_at)
);
