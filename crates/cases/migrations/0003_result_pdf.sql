-- Result documents are PDFs with a verification code printed on them, which anyone can look up
-- at /documents/{code}. Results issued before (plain text) keep a NULL media type and code: they
-- are still served as text/plain and still verify by their SHA-256.
ALTER TABLE result_evidence ADD COLUMN media_type TEXT;
ALTER TABLE result_evidence ADD COLUMN verification_code TEXT;
CREATE UNIQUE INDEX result_evidence_verification_code ON result_evidence (verification_code);
CREATE INDEX result_evidence_document_sha256 ON result_evidence (document_sha256);
