-- E-mail addresses and phone numbers are verified by a code sent to them: when each was last
-- proven to reach the person (NULL: never, e.g. given at registration and not yet checked).
ALTER TABLE accounts ADD COLUMN email_verified_at BIGINT;
ALTER TABLE accounts ADD COLUMN phone_verified_at BIGINT;

-- A change (or a first check) of the e-mail address or phone number, waiting for the code sent
-- to the new destination. The code only as a hash; one live change per account and kind.
CREATE TABLE contact_changes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    -- 'email' or 'phone'
    kind TEXT NOT NULL,
    new_value TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX contact_changes_account ON contact_changes (account_id, kind);
