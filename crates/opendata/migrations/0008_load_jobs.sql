-- The job that does a load's next step (service::loads), set in the transaction that queues
-- it: a load whose job was buried after its last attempt (or is gone) reads as failed, and its
-- publisher can start it again.
ALTER TABLE opendata_loads ADD COLUMN job_id TEXT;
