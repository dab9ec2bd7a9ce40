-- Applications: a draft until submitted; then a case with a tracking number that follows its
-- service's process. `version` increases with every change, so two operators acting on the same
-- case at once cannot both win.
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    tracking_number TEXT UNIQUE,
    service_id TEXT NOT NULL,
    administration_id TEXT NOT NULL,
    unit_id TEXT,
    applicant_id TEXT NOT NULL,
    form_version_id TEXT NOT NULL,
    process_key TEXT NOT NULL,
    state TEXT NOT NULL,
    -- The kind of the state in its process (draft, open, waiting_applicant, waiting_consent,
    -- final), kept beside it so queues need no knowledge of each process's state names.
    stage TEXT NOT NULL,
    data TEXT NOT NULL,
    current_step BIGINT NOT NULL,
    assigned_to TEXT,
    state_deadline TEXT,
    final_deadline TEXT,
    submitted_at BIGINT,
    submission_hash TEXT,
    submission_signature TEXT,
    result_blob TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX applications_applicant ON applications (applicant_id, updated_at);
CREATE INDEX applications_queue ON applications (administration_id, unit_id, stage, state_deadline);

-- The timeline: every state change, note, message and consent. Internal notes are never shown to
-- the applicant.
CREATE TABLE application_events (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    transition TEXT,
    body TEXT,
    visibility TEXT NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, at);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    field TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX attachments_application ON attachments (application_id);

-- Consents another person must give in their own account (home owner, second parent).
CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    personal_id TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX consents_person ON consents (personal_id, status);
CREATE INDEX consents_application ON consents (application_id);

-- What a person is told in their account (also sent by e-mail).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    application_id TEXT,
    text_bg TEXT NOT NULL,
    text_en TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_account ON notifications (account_id, created_at);
