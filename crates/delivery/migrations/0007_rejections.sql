-- Submissions refused after their sender was identified (a well-formed, authenticated send from
-- a mailbox its caller may send from, refused on its content): the sender's signed
-- `SubmissionRejection` evidence. Nothing of the refused message is kept but what the evidence
-- names: the submission's SHA-256, the sender and the reasons.
CREATE TABLE delivery_rejections (
    id TEXT PRIMARY KEY,
    sender_kind TEXT NOT NULL,
    sender_identifier TEXT NOT NULL,
    sender_administration_id TEXT,
    -- Who submitted (the actor's audit id).
    submitted_by TEXT NOT NULL,
    -- SHA-256 of the request as submitted, in canonical form (keys sorted, no spaces).
    submission_sha256 TEXT NOT NULL,
    -- The reasons: a JSON array of {field, code}.
    reasons TEXT NOT NULL,
    jws TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX delivery_rejections_sender ON delivery_rejections (sender_kind, sender_identifier, created_at);
