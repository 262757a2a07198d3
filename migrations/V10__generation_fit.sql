-- The fit a draft was written from: the posting's requirements beside the
-- user's own evidence, as given to the model (or the built-in drafter),
-- kept with the draft for the audit. NULL for drafts made before it existed.
ALTER TABLE ai_generations ADD COLUMN fit jsonb;
