-- Invitations to join an administration's staff: a link sent by e-mail that works once and
-- expires. Only the SHA-256 of the link's token is kept.
CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    administration_id TEXT NOT NULL REFERENCES administrations (id),
    unit_id TEXT REFERENCES units (id),
    role TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    account_id TEXT REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX invitations_administration ON invitations (administration_id);

-- How people reach an administration, given when it joins.
ALTER TABLE administrations ADD COLUMN contact_email TEXT;
ALTER TABLE administrations ADD COLUMN contact_phone TEXT;
ALTER TABLE administrations ADD COLUMN contact_address TEXT;
