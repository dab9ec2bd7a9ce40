-- A begun eID sign-in no longer keeps its nonce and PKCE verifier in clear: both are sealed
-- (ChaCha20-Poly1305) under a key derived from the browser's binding cookie, which the database
-- holds only as SHA-256, so a reader of the database cannot finish someone's sign-in with them.
-- Attempts live ten minutes: the old table, with values in clear, is dropped, not converted.
DROP TABLE eid_attempts;
CREATE TABLE eid_attempts (
    state_hash TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    browser_hash TEXT NOT NULL,
    sealed TEXT NOT NULL,
    next_path TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX eid_attempts_expiry ON eid_attempts (expires_at);
