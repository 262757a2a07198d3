-- Preferences (the ranking's inputs) and the profile (the AI drafts' material).

CREATE TABLE user_preferences (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    doc        jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_profiles (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    headline    text CHECK (char_length(headline) <= 200),
    summary     text CHECK (char_length(summary) <= 5000),
    resume_text text CHECK (char_length(resume_text) <= 50000),
    skills      text[] NOT NULL DEFAULT '{}' CHECK (cardinality(skills) <= 100),
    links       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(links) <= 20),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
