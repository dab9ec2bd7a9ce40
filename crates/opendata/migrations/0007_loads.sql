-- Loads of large CSV files into the datastore, done by a job in steps (service::loads): the
-- file was checked as it was uploaded, and its columns and types are in `fields` (JSON). Each
-- step inserts the next rows into the resource's table in one transaction with `rows` and
-- `offset_bytes` (where in the file the next row begins), so a step cut off leaves the last
-- step's state and the job goes on from there. The table is described in
-- opendata_datastore_fields (and so queryable) only by the last step. `state`: queued,
-- loading, done or failed (with `problem`, a message code).
CREATE TABLE opendata_loads (
    resource_id TEXT PRIMARY KEY REFERENCES opendata_resources (id),
    state TEXT NOT NULL,
    rows BIGINT NOT NULL,
    total_rows BIGINT NOT NULL,
    offset_bytes BIGINT NOT NULL,
    fields TEXT NOT NULL,
    problem TEXT,
    updated_at BIGINT NOT NULL
);
