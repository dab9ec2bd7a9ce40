-- The datastore tables that have their word index for `q` (service::datastore: on SQLite an FTS5
-- table `opendata_ds_<id>_fts`, on PostgreSQL a generated tsvector column `_tsv` with a GIN
-- index), made when the table is loaded. A table loaded before this has none, and `q` reads it
-- with LIKE.
CREATE TABLE opendata_datastore_words (
    resource_id TEXT PRIMARY KEY
);
