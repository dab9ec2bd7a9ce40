-- Webhooks for institutions (service::webhooks): an administration's endpoints, and each event
-- to deliver to one of them, with the mailbox's sequence number. Delivered at least once
-- through the job queue.
CREATE TABLE delivery_webhooks (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL,
    url TEXT NOT NULL,
    -- The HMAC secret, sealed under the delivery master key of `master_version`.
    secret_sealed TEXT NOT NULL,
    master_version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX delivery_webhooks_administration ON delivery_webhooks (administration_id, deleted_at);

CREATE TABLE delivery_webhook_events (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES delivery_webhooks (id),
    mailbox_id TEXT NOT NULL REFERENCES delivery_mailboxes (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    delivered_at BIGINT,
    last_error TEXT,
    UNIQUE (webhook_id, mailbox_id, seq)
);

-- Each mailbox's last event sequence number.
ALTER TABLE delivery_mailboxes ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;

-- A mailbox's listing (newest first, ties by message id) read straight from one index, without
-- a sort; it replaces the index on (mailbox_id, delivered_at), its prefix.
CREATE INDEX delivery_recipients_listing ON delivery_recipients (mailbox_id, delivered_at, message_id);
DROP INDEX delivery_recipients_mailbox;
