-- The tally is shown while voting (`tally_live` = 1) or only once voting has closed (0).
ALTER TABLE participation_processes ADD COLUMN tally_live BIGINT NOT NULL DEFAULT 0;

-- A verification remembers the keyed hash of the voter's registered address, so that the abuse
-- signals can count voters per address (never shown with a person).
ALTER TABLE participation_verifications ADD COLUMN address_key TEXT NOT NULL DEFAULT '';

-- Abuse signals for the administration, as counters only: ballots per client network and hour
-- (`network`), ballots per hour (`hour`, key `all`), voters per registered address (`address`,
-- hour 0). No ballot, no person: a counter says how many, never who or what.
CREATE TABLE participation_signals (
    process_id TEXT NOT NULL REFERENCES participation_processes (id),
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    hour BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (process_id, kind, key, hour)
);
