-- Levels of assurance (eIDAS: low, substantial, high).
-- How well the account's personal identifier is proven. A self-registered identifier is only
-- claimed ('low') until it is verified, e.g. at a counter ('substantial'). Staff accounts are
-- created by their administration, which vouches for the person: 'substantial'.
ALTER TABLE accounts ADD COLUMN identity_assurance TEXT NOT NULL DEFAULT 'low';
UPDATE accounts SET identity_assurance = 'substantial' WHERE kind = 'staff';

-- How the person signed in to this session: a password alone is 'low', a password and a second
-- factor 'substantial'. The session's level is the lower of this and the account's.
ALTER TABLE sessions ADD COLUMN sign_in_assurance TEXT NOT NULL DEFAULT 'low';
UPDATE sessions SET sign_in_assurance = 'substantial' WHERE stage = 'complete';

-- Identity checks done in person at a counter: who checked (the verifier's account and their
-- administration), which kind of document, and the document's number only as a keyed hash.
CREATE TABLE identity_verifications (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    verifier_id TEXT NOT NULL REFERENCES accounts (id),
    administration_id TEXT NOT NULL REFERENCES administrations (id),
    document_kind TEXT NOT NULL,
    document_hash TEXT NOT NULL,
    level TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX identity_verifications_account ON identity_verifications (account_id);
