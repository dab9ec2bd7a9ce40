-- Access a mailbox's owner grants a third party (by personal identifier): to one message, a
-- thread, or the whole mailbox, until revoked. Every read through a grant is kept.
CREATE TABLE delivery_grants (
    id TEXT PRIMARY KEY,
    mailbox_id TEXT NOT NULL REFERENCES delivery_mailboxes (id),
    -- message, thread or mailbox; `target_id` is the message's or thread's id (NULL for mailbox).
    scope TEXT NOT NULL,
    target_id TEXT,
    grantee_personal_id TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by TEXT
);
CREATE INDEX delivery_grants_grantee ON delivery_grants (grantee_personal_id, revoked_at);
CREATE INDEX delivery_grants_mailbox ON delivery_grants (mailbox_id, created_at);

CREATE TABLE delivery_grant_reads (
    grant_id TEXT NOT NULL REFERENCES delivery_grants (id),
    message_id TEXT NOT NULL REFERENCES delivery_messages (id),
    read_by TEXT NOT NULL,
    read_at BIGINT NOT NULL
);
CREATE INDEX delivery_grant_reads_grant ON delivery_grant_reads (grant_id, read_at);
