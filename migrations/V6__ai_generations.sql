-- AI drafts. A generation is a job: queued → running → succeeded, failed or
-- cancelled. A worker claims one with FOR UPDATE SKIP LOCKED and holds it by
-- a lease (a token and an expiry it renews); every write of the worker is
-- conditioned on its token, so a job whose lease expired (its process died)
-- is taken again, and only one worker's result is ever committed.

CREATE TABLE ai_generations (
    id                uuid PRIMARY KEY,
    user_id           uuid NOT NULL,
    application_id    uuid NOT NULL,
    interview_id      uuid,
    kind              text NOT NULL CHECK (kind IN ('cover_letter', 'interview_questions',
                          'follow_up_email', 'thank_you_note', 'resume_tailoring')),
    tone              text NOT NULL CHECK (tone IN ('professional', 'warm', 'enthusiastic', 'concise')),
    instructions      text CHECK (char_length(instructions) <= 2000),
    status            text NOT NULL DEFAULT 'queued'
                          CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    provider          text,
    model             text,
    prompt            text,
    output            text NOT NULL DEFAULT '',
    error             text,
    progress          integer NOT NULL DEFAULT 0,
    attempts          integer NOT NULL DEFAULT 0,
    prompt_tokens     integer,
    completion_tokens integer,
    lease_token       uuid,
    lease_expires_at  timestamptz,
    not_before        timestamptz NOT NULL DEFAULT now(),
    cancel_requested  boolean NOT NULL DEFAULT false,
    -- per attempt: when it started, how long it took, how it ended
    timings           jsonb NOT NULL DEFAULT '[]',
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    FOREIGN KEY (user_id, application_id) REFERENCES job_applications (user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (interview_id) REFERENCES interviews (id) ON DELETE SET NULL
);
-- the work queue: what a worker may claim
CREATE INDEX ai_generations_claimable ON ai_generations (not_before, created_at)
    WHERE status IN ('queued', 'running');
-- lists, newest first, and the per-user limits
CREATE INDEX ai_generations_by_user ON ai_generations (user_id, created_at DESC, id DESC);
CREATE INDEX ai_generations_by_application ON ai_generations (application_id, created_at DESC);
CREATE INDEX ai_generations_by_interview ON ai_generations (interview_id) WHERE interview_id IS NOT NULL;
