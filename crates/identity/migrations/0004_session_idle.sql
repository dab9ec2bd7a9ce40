-- When the session last served a request, for the idle timeout (NULL: not since it was made).
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
