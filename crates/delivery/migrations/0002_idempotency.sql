-- Idempotency keys of sends over the API (`Idempotency-Key`), per client (the actor's audit
-- id): the same key with the same request answers with the message it made; with another
-- request it is refused. Kept until `expires_at`, then the key may be used again.
CREATE TABLE delivery_idempotency (
    client_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    -- SHA-256 of the request (its JSON in a canonical form).
    request_sha256 TEXT NOT NULL,
    message_id TEXT NOT NULL REFERENCES delivery_messages (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, idem_key)
);
