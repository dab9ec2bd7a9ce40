-- Mandates: a principal authorises an agent to act for them, for every service or for named
-- ones ('*' or service slugs, comma-separated), until a moment; revocable at once. The principal
-- is a person (principal_account_id), or a company (company_eik, company_name) whose
-- representative an administration admin recorded (until the commercial register is connected).
CREATE TABLE mandates (
    id TEXT PRIMARY KEY,
    principal_account_id TEXT REFERENCES accounts (id),
    company_eik TEXT,
    company_name TEXT,
    agent_account_id TEXT NOT NULL REFERENCES accounts (id),
    services TEXT NOT NULL,
    valid_until BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by TEXT
);
CREATE INDEX mandates_agent ON mandates (agent_account_id);
CREATE INDEX mandates_principal ON mandates (principal_account_id);

-- The mandate a session acts under ("acting as"), if any; checked afresh on every request.
ALTER TABLE sessions ADD COLUMN acting_for TEXT;
