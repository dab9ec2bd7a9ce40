-- The owner's answer to a correction request comes back from its case (see docs/registries.md,
-- "Corrections answered"). `field_key` is the population register's own field when the request
-- names one that Portico can correct itself, and `new_value` the value to write (an address as
-- its code); `outcome` is approved | refused | withdrawn; `applied` is `register` (the built-in
-- register was changed with the decision) or `owner` (the owner changes it in their own register).
ALTER TABLE registries_corrections ADD COLUMN field_key TEXT;
ALTER TABLE registries_corrections ADD COLUMN new_value TEXT;
ALTER TABLE registries_corrections ADD COLUMN outcome TEXT;
ALTER TABLE registries_corrections ADD COLUMN applied TEXT;
ALTER TABLE registries_corrections ADD COLUMN answered_by TEXT;
CREATE INDEX registries_corrections_by_application ON registries_corrections (application_id);

-- The population register's own history: every change of a person's value, with the old and the
-- new value and the correction that caused it. Rows are only inserted.
CREATE TABLE registries_people_history (
    id TEXT PRIMARY KEY,
    egn TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    correction_id TEXT,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX registries_people_history_by_person ON registries_people_history (egn, changed_at);
