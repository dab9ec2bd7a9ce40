-- Queues: each queue has its own worker loop on every node, so a backlog on one (notifications
-- to a slow SMTP relay) never delays another (the sign-in code a person is waiting for).
ALTER TABLE jobs ADD COLUMN queue TEXT NOT NULL DEFAULT 'default';
CREATE INDEX jobs_queue_due ON jobs (queue, status, run_at);
-- The purge finds finished jobs by when they finished.
CREATE INDEX jobs_finished ON jobs (finished_at);
