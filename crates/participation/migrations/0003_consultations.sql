-- Public consultations: an administration publishes a draft act or strategy in sections for
-- comment until a deadline; signed-in people comment on the whole or on a section; after the
-- deadline the administration answers every comment (accepted, partly accepted, not accepted,
-- why) and publishes them with a summary report. Times are epoch milliseconds.

CREATE TABLE participation_consultations (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    title_bg TEXT NOT NULL,
    title_en TEXT NOT NULL,
    summary TEXT NOT NULL,
    opens_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    -- The summary report, and when the comments with their answers were published.
    report TEXT,
    published_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE participation_consultation_sections (
    consultation_id TEXT NOT NULL REFERENCES participation_consultations (id),
    number BIGINT NOT NULL,
    heading TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (consultation_id, number)
);

-- A comment on the whole draft (`section` NULL) or on one section, with the administration's
-- answer (`accepted`, `partly_accepted`, `not_accepted`) and its reason once given. The author
-- is kept for their own view only; published comments do not name them.
CREATE TABLE participation_consultation_comments (
    id TEXT PRIMARY KEY,
    consultation_id TEXT NOT NULL REFERENCES participation_consultations (id),
    section BIGINT,
    author_account_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    answer TEXT,
    answer_reason TEXT,
    answered_at BIGINT
);

CREATE INDEX participation_consultation_comments_by_consultation
    ON participation_consultation_comments (consultation_id, created_at);
