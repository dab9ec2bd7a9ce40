-- The platform's own data published as datasets (service::own_data): for each, the version of
-- its source last published (the catalog's change counter) and the resource that holds it.
CREATE TABLE opendata_own_data (
    key TEXT PRIMARY KEY,
    source_version BIGINT NOT NULL,
    resource_id TEXT NOT NULL REFERENCES opendata_resources (id)
);
