-- How an attachment's blob is sealed (service::segments): 'stream-v1' for the STREAM
-- construction over AES-256-GCM, 64 KiB segments, opened as it is read. NULL for attachments
-- stored before: one AES-256-GCM message (when blob_sha256 is set) or the plaintext (when not).
ALTER TABLE delivery_attachments ADD COLUMN sealing TEXT;
