-- How many of a load's index steps are done (service::loads): once every row is in, the load
-- is 'indexing' and each step builds one index (a column's, then the word index) in its own
-- transaction, before the last one describes the table.
ALTER TABLE opendata_loads ADD COLUMN indexes BIGINT NOT NULL DEFAULT 0;
