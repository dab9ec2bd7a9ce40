-- Recovery codes hashed with a random salt of their account (the same in each of its rows), so
-- that one precomputed table does not reverse every account's codes. Rows made before this have
-- no salt and keep their bare SHA-256 until the codes are next replaced.
ALTER TABLE recovery_codes ADD COLUMN salt TEXT;
