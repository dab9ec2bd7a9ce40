-- The audit log: append-only, each row chained to the one before by a SHA-256 hash over a
-- canonical, length-prefixed encoding of the row (see src/chain.rs).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    administration_id TEXT,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);

-- One row: the chain's head. Appending updates it first, which serialises writers to the chain
-- (a row lock on PostgreSQL, the write lock on SQLite) so that no two rows share a predecessor.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Checkpoints: the platform's signature over (seq, hash) of the chain at a moment. Someone who can
-- write to the database but does not hold the signing key cannot rebuild the chain past one.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
