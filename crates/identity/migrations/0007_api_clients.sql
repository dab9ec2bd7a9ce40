-- API clients: an administration's own systems, calling the JSON API with OAuth 2.0 client
-- credentials (RFC 6749 §4.4). A client authenticates with a secret (kept only as its SHA-256:
-- secrets are 256 random bits, so a slow password hash would add nothing but cost) or with a
-- JWT signed by its own key (`private_key_jwt`, RFC 7523; the Ed25519 public key is kept as the
-- `x` of its JWK). `credential_version` grows on every rotation; access tokens carry it, so a
-- rotation ends the tokens issued before it. Revoked clients keep their row (`revoked_at`).
CREATE TABLE api_clients (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL REFERENCES administrations (id),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    auth_method TEXT NOT NULL,
    secret_hash TEXT,
    public_key TEXT,
    credential_version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    rotated_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_clients_administration ON api_clients (administration_id);

-- The `jti` of every client assertion accepted, until it expires: an assertion works once.
CREATE TABLE api_client_assertions (
    jti TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES api_clients (id),
    expires_at BIGINT NOT NULL
);
CREATE INDEX api_client_assertions_expiry ON api_client_assertions (client_id, expires_at);
