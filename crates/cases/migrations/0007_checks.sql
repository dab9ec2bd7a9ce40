-- Checks in base registers that operators run from a case: what each run confirmed (the
-- register's answer itself is not kept), and its look-up in the registries block's query log.
CREATE TABLE application_checks (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    check_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error_code TEXT,
    query_id TEXT,
    actor_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX application_checks_by_application ON application_checks (application_id, at);
