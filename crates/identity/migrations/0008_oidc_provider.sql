-- The OpenID Connect provider for institutions' portals (single sign-on). An administration admin
-- registers a relying party with its exact redirect URIs (one a line) and gets a secret, kept as
-- its SHA-256. Authorization codes live a minute and work once (PKCE S256 is required); a grant
-- is what a person consented to, with a refresh token (its hash, replaced at every use).
CREATE TABLE oidc_clients (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL REFERENCES administrations (id),
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX oidc_clients_administration ON oidc_clients (administration_id);

CREATE TABLE oidc_grants (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oidc_clients (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    scope TEXT NOT NULL,
    acr TEXT NOT NULL,
    refresh_hash TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX oidc_grants_refresh ON oidc_grants (refresh_hash);

CREATE TABLE oidc_codes (
    code_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES oidc_grants (id),
    redirect_uri TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
