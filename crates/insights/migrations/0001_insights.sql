-- Insights: counters of what happened (never the events themselves), the events already
-- counted (so that a replayed event changes nothing), open drafts (to count the abandoned ones),
-- figures an administration enters, anonymous feedback and inquiries.

-- Events already counted, by their id: a job run twice, or an event emitted twice, counts once.
CREATE TABLE insights_seen (
    event_id TEXT PRIMARY KEY,
    day TEXT NOT NULL
);

-- One row per day, service and channel; every count is added by one upsert.
CREATE TABLE insights_daily (
    day TEXT NOT NULL,
    service_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    administration_id TEXT NOT NULL,
    started BIGINT NOT NULL DEFAULT 0,
    submitted BIGINT NOT NULL DEFAULT 0,
    decided BIGINT NOT NULL DEFAULT 0,
    approved BIGINT NOT NULL DEFAULT 0,
    refused BIGINT NOT NULL DEFAULT 0,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    abandoned BIGINT NOT NULL DEFAULT 0,
    overdue BIGINT NOT NULL DEFAULT 0,
    decision_days BIGINT NOT NULL DEFAULT 0,
    deadline_days BIGINT NOT NULL DEFAULT 0,
    paid BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    opened BIGINT NOT NULL DEFAULT 0,
    ratings BIGINT NOT NULL DEFAULT 0,
    rating_sum BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, service_id, channel)
);
CREATE INDEX insights_daily_administration ON insights_daily (administration_id, day);

-- The same counts per month: what the dashboards read (twelve rows a year per service and channel).
CREATE TABLE insights_monthly (
    month TEXT NOT NULL,
    service_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    administration_id TEXT NOT NULL,
    started BIGINT NOT NULL DEFAULT 0,
    submitted BIGINT NOT NULL DEFAULT 0,
    decided BIGINT NOT NULL DEFAULT 0,
    approved BIGINT NOT NULL DEFAULT 0,
    refused BIGINT NOT NULL DEFAULT 0,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    abandoned BIGINT NOT NULL DEFAULT 0,
    overdue BIGINT NOT NULL DEFAULT 0,
    decision_days BIGINT NOT NULL DEFAULT 0,
    deadline_days BIGINT NOT NULL DEFAULT 0,
    paid BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    opened BIGINT NOT NULL DEFAULT 0,
    ratings BIGINT NOT NULL DEFAULT 0,
    rating_sum BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, service_id, channel)
);
CREATE INDEX insights_monthly_administration ON insights_monthly (administration_id, month);

-- How many decisions took each number of working days, per day and per month: percentiles
-- (median, 90th) are read from these small histograms, never from the events.
CREATE TABLE insights_decision_days (
    day TEXT NOT NULL,
    service_id TEXT NOT NULL,
    administration_id TEXT NOT NULL,
    working_days BIGINT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, service_id, working_days)
);
CREATE TABLE insights_decision_days_monthly (
    month TEXT NOT NULL,
    service_id TEXT NOT NULL,
    administration_id TEXT NOT NULL,
    working_days BIGINT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, service_id, working_days)
);
CREATE INDEX insights_decision_days_monthly_administration ON insights_decision_days_monthly (administration_id, month);

-- Drafts started and not yet submitted or abandoned: the abandonment job's own data.
CREATE TABLE insights_drafts (
    subject_id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL,
    administration_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    started_on TEXT NOT NULL
);

-- What an administration enters per month and service: applications taken at the counter and
-- by post, and what delivering the service cost (minor units).
CREATE TABLE insights_figures (
    administration_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    month TEXT NOT NULL,
    counter_count BIGINT NOT NULL,
    post_count BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    PRIMARY KEY (administration_id, service_id, month)
);

-- Anonymous feedback: no account, no time finer than the day, a random id (not time-ordered).
CREATE TABLE insights_feedback (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL,
    administration_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    rating BIGINT NOT NULL,
    comment TEXT,
    day TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at BIGINT,
    hidden_reason TEXT,
    hidden_by TEXT,
    hidden_at BIGINT
);
CREATE INDEX insights_feedback_administration ON insights_feedback (administration_id, day);

-- Questions to an administration, each with a reference and a deadline in working days.
CREATE TABLE insights_inquiries (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    administration_id TEXT NOT NULL,
    service_id TEXT,
    application_ref TEXT,
    account_id TEXT,
    email TEXT,
    question TEXT NOT NULL,
    asked_at BIGINT NOT NULL,
    asked_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at BIGINT,
    answered_on TEXT
);
CREATE INDEX insights_inquiries_queue ON insights_inquiries (administration_id, answered_on, deadline);
CREATE INDEX insights_inquiries_asked ON insights_inquiries (asked_on);
CREATE INDEX insights_inquiries_account ON insights_inquiries (account_id);
