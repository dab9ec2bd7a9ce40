-- The open data portal: datasets of administrations (organisations), their versions, keywords and
-- EU data themes, their resources (a file in the blob store or a link), and the datastore's
-- description of the tables that tabular resources are loaded into (`opendata_ds_<resource>`,
-- made by the loader with the detected column types).

CREATE TABLE opendata_datasets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    administration_id TEXT NOT NULL,
    -- draft, published or withdrawn
    state TEXT NOT NULL,
    title_bg TEXT NOT NULL,
    title_en TEXT NOT NULL,
    notes_bg TEXT NOT NULL,
    notes_en TEXT NOT NULL,
    licence TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    temporal_start TEXT,
    temporal_end TEXT,
    spatial TEXT,
    frequency TEXT NOT NULL,
    version BIGINT NOT NULL,
    -- Title, description and keywords in both languages, lower-cased, for the search.
    search_text TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    published_at BIGINT
);
CREATE INDEX opendata_datasets_by_state ON opendata_datasets (state, modified_at);
CREATE INDEX opendata_datasets_by_administration ON opendata_datasets (administration_id, state);

CREATE TABLE opendata_keywords (
    dataset_id TEXT NOT NULL REFERENCES opendata_datasets (id),
    keyword TEXT NOT NULL,
    PRIMARY KEY (dataset_id, keyword)
);
CREATE INDEX opendata_keywords_by_keyword ON opendata_keywords (keyword);

-- EU data themes (http://publications.europa.eu/resource/authority/data-theme), by code.
CREATE TABLE opendata_themes (
    dataset_id TEXT NOT NULL REFERENCES opendata_datasets (id),
    theme TEXT NOT NULL,
    PRIMARY KEY (dataset_id, theme)
);
CREATE INDEX opendata_themes_by_theme ON opendata_themes (theme);

-- Every version of a dataset's metadata as it was saved (JSON), never changed.
CREATE TABLE opendata_dataset_versions (
    dataset_id TEXT NOT NULL REFERENCES opendata_datasets (id),
    version BIGINT NOT NULL,
    snapshot TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    PRIMARY KEY (dataset_id, version)
);

-- A resource: an uploaded file (blob_key, the SHA-256 of its bytes) or a link (url).
CREATE TABLE opendata_resources (
    id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL REFERENCES opendata_datasets (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    format TEXT NOT NULL,
    url TEXT,
    blob_key TEXT,
    file_name TEXT,
    size BIGINT,
    mimetype TEXT,
    -- Rows loaded into the datastore (NULL: not loaded).
    datastore_rows BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX opendata_resources_by_dataset ON opendata_resources (dataset_id, position);

-- The columns of a resource's datastore table `opendata_ds_<resource id without dashes>`, whose
-- column i is `c<i>`. Types: text, int, float.
CREATE TABLE opendata_datastore_fields (
    resource_id TEXT NOT NULL REFERENCES opendata_resources (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (resource_id, position)
);
