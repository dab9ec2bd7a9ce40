-- The signed statement (JWS by the platform key) issued with a result document: which
-- application, tracking number, administration, decision, when, and the document's SHA-256.
-- Submission records need no table: their JWS is kept in applications.submission_signature.
CREATE TABLE result_evidence (
    application_id TEXT PRIMARY KEY REFERENCES applications (id),
    document_sha256 TEXT NOT NULL,
    jws TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
