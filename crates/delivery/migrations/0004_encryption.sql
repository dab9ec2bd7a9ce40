-- Encryption at rest (service::keys): a data key per mailbox, wrapped by a versioned master key
-- from configuration; a key per message, wrapped by the data key of each of its mailboxes
-- (sender and recipients). Rotation re-wraps the data keys only.
CREATE TABLE delivery_keys (
    mailbox_id TEXT PRIMARY KEY REFERENCES delivery_mailboxes (id),
    master_version BIGINT NOT NULL,
    -- base64(nonce ‖ AES-256-GCM(data key)), bound to the mailbox id.
    wrapped_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    rewrapped_at BIGINT NOT NULL
);
CREATE INDEX delivery_keys_version ON delivery_keys (master_version);

CREATE TABLE delivery_message_keys (
    message_id TEXT NOT NULL REFERENCES delivery_messages (id),
    mailbox_id TEXT NOT NULL REFERENCES delivery_mailboxes (id),
    wrapped_key TEXT NOT NULL,
    PRIMARY KEY (message_id, mailbox_id)
);

-- The sealed message.json's blob key (SHA-256 of the sealed bytes; `content_sha256` stays the
-- plaintext's, which the evidence names). NULL for messages stored before encryption.
ALTER TABLE delivery_messages ADD COLUMN content_blob TEXT;
-- The same for each attachment.
ALTER TABLE delivery_attachments ADD COLUMN blob_sha256 TEXT;

-- A grant may end on its own (epoch milliseconds, exclusive); NULL: until revoked.
ALTER TABLE delivery_grants ADD COLUMN ends_at BIGINT;
