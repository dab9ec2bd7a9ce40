-- The follow-up of funded projects: each update the administration publishes, with the
-- implementation status (`planned`, `in_progress`, `completed`, `cancelled`), the amount spent
-- so far (minor units) and a note. The latest update is the project's status.
CREATE TABLE participation_project_updates (
    id TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES participation_proposals (id),
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    spent_minor BIGINT NOT NULL,
    note TEXT NOT NULL
);

CREATE INDEX participation_project_updates_by_proposal ON participation_project_updates (proposal_id, at);
