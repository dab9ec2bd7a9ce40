-- The console API's writes taken with an `Idempotency-Key`: per caller (the actor's audit id,
-- `client:{id}`) and key, the request's SHA-256 (method, path and the JSON body in a canonical
-- form) and the answer given, so a retry gets the same answer and changes nothing more. Kept
-- until `expires_at`; a key used again with another request is refused.
CREATE TABLE catalog_idempotency (
    client_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status BIGINT NOT NULL,
    response_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, idem_key)
);
