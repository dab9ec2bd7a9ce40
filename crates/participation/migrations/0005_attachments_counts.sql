-- Photos (JPEG, PNG) and documents (PDF) that a proposal's author attaches. The bytes are in the
-- blob store under `blob_key` (the SHA-256 of the content); the type is the one the content was
-- found to be, not the one the browser declared. Images carry the alt text their author gave.
CREATE TABLE participation_attachments (
    id TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES participation_proposals (id),
    -- `image` or `document`.
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    alt TEXT NOT NULL,
    size BIGINT NOT NULL,
    blob_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX participation_attachments_by_proposal ON participation_attachments (proposal_id, created_at);

-- How many proposals a process has in each status, kept in the same transaction as every write
-- that adds, reviews or withdraws one, so that a page of the list does not count the rows.
CREATE TABLE participation_proposal_counts (
    process_id TEXT NOT NULL REFERENCES participation_processes (id),
    status TEXT NOT NULL,
    proposals BIGINT NOT NULL,
    PRIMARY KEY (process_id, status)
);

INSERT INTO participation_proposal_counts (process_id, status, proposals)
SELECT process_id, status, COUNT(*) FROM participation_proposals GROUP BY process_id, status;
