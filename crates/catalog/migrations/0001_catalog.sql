-- Shared service templates: the Unified Model facts, the form and the process of a service that
-- any administration can adopt. `facts` is JSON (see `ServiceFacts`).
CREATE TABLE service_templates (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    facts TEXT NOT NULL,
    form_key TEXT,
    process_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Services as one administration provides them. `administration_id` is an identity
-- administration's id (no foreign key across blocks). Lists are JSON text; money is minor units.
-- A service is public once `published_at` is set.
CREATE TABLE services (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    administration_id TEXT NOT NULL,
    template_id TEXT REFERENCES service_templates (id),
    title_bg TEXT NOT NULL,
    title_en TEXT NOT NULL,
    description_bg TEXT NOT NULL,
    description_en TEXT NOT NULL,
    legal_basis_bg TEXT NOT NULL,
    legal_basis_en TEXT NOT NULL,
    deadline_working_days BIGINT NOT NULL,
    fee_minor BIGINT NOT NULL,
    fee_currency TEXT NOT NULL,
    fee_note_bg TEXT NOT NULL,
    fee_note_en TEXT NOT NULL,
    payment_options TEXT NOT NULL,
    delivery_channels TEXT NOT NULL,
    required_documents TEXT NOT NULL,
    who_may_apply TEXT NOT NULL,
    topic TEXT NOT NULL,
    life_event TEXT,
    units TEXT NOT NULL,
    contact TEXT NOT NULL,
    form_key TEXT,
    process_key TEXT NOT NULL,
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- An administration adopts a template once.
    UNIQUE (administration_id, template_id)
);
CREATE INDEX services_administration ON services (administration_id);

-- Bumped in the same transaction as every change to services, so that each node's search index
-- knows when to rebuild itself.
CREATE TABLE catalog_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

-- E-forms: JSON Schema (2020-12) plus a layout in steps. A version is never changed once
-- published: a change is a new row, and applications keep the id of the version they were filled with.
CREATE TABLE forms (
    id TEXT PRIMARY KEY,
    form_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    schema_json TEXT NOT NULL,
    layout_json TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    UNIQUE (form_key, version)
);

-- Lists that form fields choose from, such as the addresses of Sofia (`sofia_addresses`).
-- `attributes` is a JSON object, for example {"district": "sredets"}.
CREATE TABLE nomenclature_entries (
    nomenclature TEXT NOT NULL,
    code TEXT NOT NULL,
    label_bg TEXT NOT NULL,
    label_en TEXT NOT NULL,
    attributes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (nomenclature, code)
);
