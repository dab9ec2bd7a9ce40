-- Codes sent by e-mail or SMS to confirm one action (submitting, paying, voting …) for people
-- without an authenticator app. Bound to the account and the purpose; only the hash is kept.
CREATE TABLE step_up_codes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    purpose TEXT NOT NULL,
    channel TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX step_up_codes_account ON step_up_codes (account_id, purpose);
