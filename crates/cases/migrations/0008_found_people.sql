-- Once only for consents: the consent rules of an application whose people the platform finds in
-- base registers (the owners of the address, the other parent of each child) instead of the
-- applicant naming them; `inputs` holds the answers they were last looked up with (canonical
-- JSON), NULL before the first look-up.
CREATE TABLE application_finders (
    application_id TEXT NOT NULL,
    role TEXT NOT NULL,
    inputs TEXT,
    PRIMARY KEY (application_id, role)
);
-- The people found, with their names as the population register holds them and the look-up
-- that named them (its id in the registries block's query log).
CREATE TABLE application_found_people (
    application_id TEXT NOT NULL,
    role TEXT NOT NULL,
    personal_id_kind TEXT NOT NULL,
    personal_id TEXT NOT NULL,
    name TEXT NOT NULL,
    query_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (application_id, role, personal_id_kind, personal_id)
);
