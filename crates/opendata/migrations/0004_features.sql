-- The features of GeoJSON resources, one row each with its bounding box, so that OGC API –
-- Features pages are read with LIMIT/OFFSET and a bbox prefilter in SQL instead of parsing the
-- whole file on every request. `n` is the feature's position in the file, from 1 (its id in
-- the collection). A feature without a geometry has no box. `features` on the resource is the
-- number of rows written (NULL: not indexed yet; service::geo indexes such a resource on first
-- use, for GeoJSON resources added before this table existed).
CREATE TABLE opendata_features (
    resource_id TEXT NOT NULL REFERENCES opendata_resources (id),
    n BIGINT NOT NULL,
    min_x DOUBLE PRECISION,
    min_y DOUBLE PRECISION,
    max_x DOUBLE PRECISION,
    max_y DOUBLE PRECISION,
    geometry TEXT NOT NULL,
    properties TEXT NOT NULL,
    PRIMARY KEY (resource_id, n)
);
CREATE INDEX opendata_features_by_box ON opendata_features (resource_id, min_x, max_x, min_y, max_y);
ALTER TABLE opendata_resources ADD COLUMN features BIGINT;
