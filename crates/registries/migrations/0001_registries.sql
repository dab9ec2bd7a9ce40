-- The registry exchange: registers, their operations, the access matrix, the query log, and the
-- demo's base registers (population, Sofia addresses, commercial), which Portico holds itself.

CREATE TABLE registries_registers (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    owner_administration_id TEXT NOT NULL,
    name_bg TEXT NOT NULL,
    name_en TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- An operation of a register. `adapter` is `builtin:<name>` (served from this block's tables) or
-- `http` (the owner's service at `endpoint_url`). Schemas and personal fields are JSON text.
CREATE TABLE registries_operations (
    id TEXT PRIMARY KEY,
    register_id TEXT NOT NULL REFERENCES registries_registers (id),
    code TEXT NOT NULL,
    version TEXT NOT NULL,
    name_bg TEXT NOT NULL,
    name_en TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    request_schema TEXT NOT NULL,
    response_schema TEXT NOT NULL,
    personal_fields TEXT NOT NULL,
    adapter TEXT NOT NULL,
    endpoint_url TEXT,
    timeout_ms BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (register_id, code, version)
);

-- The access matrix: an administration asks for an operation with a legal basis and purpose; the
-- register's owner approves (fields and a period) or refuses.
CREATE TABLE registries_access (
    id TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES registries_operations (id),
    administration_id TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    purpose TEXT NOT NULL,
    requested_fields TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    decided_by TEXT,
    approved_at BIGINT,
    refused_at BIGINT,
    refusal_reason TEXT,
    granted_fields TEXT,
    valid_from BIGINT,
    valid_until BIGINT,
    revoked_at BIGINT
);
CREATE INDEX registries_access_by_administration ON registries_access (administration_id, operation_id);

-- The query log. Rows are only ever inserted. The subject is a keyed hash of their identifier.
CREATE TABLE registries_query_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    register_code TEXT NOT NULL,
    operation_code TEXT NOT NULL,
    version TEXT,
    administration_id TEXT,
    actor TEXT NOT NULL,
    employee TEXT,
    employee_role TEXT,
    legal_basis TEXT,
    service TEXT,
    case_ref TEXT,
    subject_hash TEXT,
    fields TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error_code TEXT,
    duration_us BIGINT NOT NULL,
    visible_from BIGINT,
    deferral_reason TEXT
);
CREATE INDEX registries_query_log_by_subject ON registries_query_log (subject_hash, at);

-- A person's request to correct a value a register holds about them; the owner answers by a deadline.
CREATE TABLE registries_corrections (
    id TEXT PRIMARY KEY,
    register_id TEXT NOT NULL REFERENCES registries_registers (id),
    account_id TEXT NOT NULL,
    subject_hash TEXT NOT NULL,
    field TEXT NOT NULL,
    proposed_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deadline_at BIGINT NOT NULL,
    answered_at BIGINT,
    answer TEXT
);
CREATE INDEX registries_corrections_by_account ON registries_corrections (account_id);

-- Demo base registers. Coordinates are micro-degrees; dates ISO text.
CREATE TABLE registries_people (
    egn TEXT PRIMARY KEY,
    given_name TEXT NOT NULL,
    middle_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    permanent_address TEXT NOT NULL,
    current_address TEXT NOT NULL,
    mother_egn TEXT,
    father_egn TEXT
);
CREATE INDEX registries_people_by_mother ON registries_people (mother_egn);
CREATE INDEX registries_people_by_father ON registries_people (father_egn);

CREATE TABLE registries_addresses (
    code TEXT PRIMARY KEY,
    street TEXT NOT NULL,
    number TEXT NOT NULL,
    district TEXT NOT NULL,
    lat_e6 BIGINT NOT NULL,
    lon_e6 BIGINT NOT NULL
);

CREATE TABLE registries_address_owners (
    address_code TEXT NOT NULL,
    owner_egn TEXT NOT NULL,
    PRIMARY KEY (address_code, owner_egn)
);
CREATE INDEX registries_address_owners_by_owner ON registries_address_owners (owner_egn);

CREATE TABLE registries_companies (
    eik TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    legal_form TEXT NOT NULL,
    seat TEXT NOT NULL
);

CREATE TABLE registries_representatives (
    eik TEXT NOT NULL,
    egn TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (eik, egn)
);
CREATE INDEX registries_representatives_by_egn ON registries_representatives (egn);
