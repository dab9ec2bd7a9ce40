-- Sign-in through external eID providers (OpenID Connect, Portico as the relying party).

-- A sign-in begun and waiting for the provider's answer: its state and the browser's binding
-- cookie only as SHA-256, the nonce and PKCE verifier to check the answer with. Used once.
CREATE TABLE eid_attempts (
    state_hash TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    browser_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    next_path TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX eid_attempts_expiry ON eid_attempts (expires_at);

-- Which account a provider's subject (`sub`) signs in to.
CREATE TABLE eid_links (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    first_used_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX eid_links_account ON eid_links (account_id);
