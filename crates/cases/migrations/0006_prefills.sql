-- Once only: which fields of an application were filled from a base register, and by which
-- look-up (its id in the registries block's query log), so the form says where each came from.
CREATE TABLE application_prefills (
    application_id TEXT NOT NULL,
    field TEXT NOT NULL,
    register_code TEXT NOT NULL,
    operation_code TEXT NOT NULL,
    query_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (application_id, field)
);
