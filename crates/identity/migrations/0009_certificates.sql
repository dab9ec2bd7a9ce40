-- Certificates people signed in with (qualified certificates, eID cards): which account each
-- was linked to, named by the SHA-256 of its DER. The identifier it carries is the account's own
-- (accounts.personal_id), or for an identity document's number, the counter check's hash.
CREATE TABLE certificate_logins (
    fingerprint TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    -- 'pno' (a personal number), 'idc' (an identity card), 'pas' (a passport)
    identifier_kind TEXT NOT NULL,
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    not_after BIGINT NOT NULL,
    first_used_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX certificate_logins_account ON certificate_logins (account_id);
