-- eDelivery: mailboxes, messages, per-recipient state, evidence and notifications.
-- Instants are epoch milliseconds; flags are nullable timestamps.

-- A mailbox for a person (by personal identifier), a company (by EIK), an administration
-- (by its id) or a unit (by its id). A person's mailbox exists as soon as something is sent to
-- their identifier, whether or not they have an account yet.
CREATE TABLE delivery_mailboxes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    identifier TEXT NOT NULL,
    administration_id TEXT,
    display_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, identifier)
);

CREATE TABLE delivery_messages (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    reply_to TEXT,
    sender_mailbox_id TEXT NOT NULL REFERENCES delivery_mailboxes (id),
    sent_by TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    service_id TEXT,
    application_id TEXT,
    -- SHA-256 of the message's canonical content (message.json), also its blob key.
    content_sha256 TEXT NOT NULL,
    -- The evidence chain's length and the SHA-256 of its last JWS; updating this row first
    -- serialises writers of the same message's evidence on both databases.
    evidence_count BIGINT NOT NULL,
    evidence_head TEXT,
    non_handover_days BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX delivery_messages_thread ON delivery_messages (thread_id, created_at);
CREATE INDEX delivery_messages_sender ON delivery_messages (sender_mailbox_id, created_at);

CREATE TABLE delivery_attachments (
    message_id TEXT NOT NULL REFERENCES delivery_messages (id),
    position BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (message_id, position)
);

-- Each recipient's own state: delivered to the mailbox, opened, or not opened within the
-- sender's policy period.
CREATE TABLE delivery_recipients (
    message_id TEXT NOT NULL REFERENCES delivery_messages (id),
    mailbox_id TEXT NOT NULL REFERENCES delivery_mailboxes (id),
    delivered_at BIGINT NOT NULL,
    opened_at BIGINT,
    opened_by TEXT,
    not_opened_at BIGINT,
    PRIMARY KEY (message_id, mailbox_id)
);
CREATE INDEX delivery_recipients_mailbox ON delivery_recipients (mailbox_id, delivered_at);

-- Signed evidence (JWS), chained per message by `seq` and the previous JWS's SHA-256.
CREATE TABLE delivery_evidence (
    message_id TEXT NOT NULL REFERENCES delivery_messages (id),
    seq BIGINT NOT NULL,
    event TEXT NOT NULL,
    mailbox_id TEXT,
    jws TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, seq)
);

-- Notifications of a new message (a link, never the content), with statuses like GOV.UK
-- Notify's: created, sending, delivered, temporary-failure, permanent-failure.
CREATE TABLE delivery_notifications (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES delivery_messages (id),
    mailbox_id TEXT NOT NULL REFERENCES delivery_mailboxes (id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX delivery_notifications_message ON delivery_notifications (message_id);
