-- Administrations and their units: who provides services on Portico.
CREATE TABLE administrations (
    id TEXT PRIMARY KEY,
    name_bg TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL,
    eik TEXT NOT NULL UNIQUE,
    parent_id TEXT REFERENCES administrations (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX administrations_parent ON administrations (parent_id);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL REFERENCES administrations (id),
    code TEXT NOT NULL,
    name_bg TEXT NOT NULL,
    name_en TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (administration_id, code)
);

-- People (citizens, foreigners with an LNCh) and staff. E-mail is stored lower-cased.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    personal_id_kind TEXT,
    personal_id TEXT UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    phone TEXT,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);

CREATE TABLE role_assignments (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    administration_id TEXT NOT NULL REFERENCES administrations (id),
    unit_id TEXT REFERENCES units (id),
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX role_assignments_account ON role_assignments (account_id);

CREATE TABLE totp_factors (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    secret TEXT NOT NULL,
    confirmed_at BIGINT,
    -- The last 30-second step a code was accepted for: a code is never accepted twice.
    last_step BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

-- One-time second factors sent out of band: a link by e-mail, a code by SMS. Only hashes are kept.
CREATE TABLE one_time_codes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    session_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    attempts BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX one_time_codes_session ON one_time_codes (session_id);

-- Sessions: the cookie holds a random token; only its SHA-256 is stored.
-- stage: 'password' (second factor still owed) or 'complete'.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    stage TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Failed attempts per key (an identifier's pseudonym, an account's codes), for growing delays.
CREATE TABLE throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
