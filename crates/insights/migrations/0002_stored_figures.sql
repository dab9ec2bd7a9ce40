-- The dashboard's figures, computed when the counters change rather than per request: each change
-- marks its administration and service dirty in its own transaction, and one job recomputes the
-- dirty scopes (and from them the platform) a few seconds later. The pages read the stored rows.

-- Scopes changed since the last recompute: one row per administration and service ('' when an
-- inquiry names no service), written with ON CONFLICT DO NOTHING so that a busy service costs
-- one conflict check per event.
CREATE TABLE insights_dirty (
    administration_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    PRIMARY KEY (administration_id, service_id)
);

-- One row while a recompute is queued: the change that inserts it queues the job, the following
-- ones find it there and queue nothing. The recompute deletes it first.
CREATE TABLE insights_refresh_due (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL
);

-- What the stored figures are: the Sofia day they were computed for (the twelve months shown end
-- with its month, and an unanswered inquiry is late from its deadline), and a generation that
-- grows with every recompute.
CREATE TABLE insights_refresh_state (
    id BIGINT PRIMARY KEY,
    as_of TEXT NOT NULL,
    window_from TEXT NOT NULL,
    window_to TEXT NOT NULL,
    generation BIGINT NOT NULL,
    refreshed_at BIGINT NOT NULL
);

-- The figures of each scope ('platform' with scope_id '', 'administration', 'service'): one row
-- per month with anything counted (period 'YYYY-MM') and one for the twelve months (period
-- 'total'), each the JSON of what the KPIs are computed from (counts, the decision-time
-- histogram, counter, post, cost, inquiries).
CREATE TABLE insights_stored (
    scope TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    period TEXT NOT NULL,
    parts TEXT NOT NULL,
    PRIMARY KEY (scope, scope_id, period)
);

-- The recompute reads a few services' monthly rows at a time.
CREATE INDEX insights_monthly_service ON insights_monthly (service_id, month);
CREATE INDEX insights_decision_days_monthly_service ON insights_decision_days_monthly (service_id, month);
CREATE INDEX insights_figures_service ON insights_figures (service_id, month);
CREATE INDEX insights_inquiries_service ON insights_inquiries (service_id, asked_on);
