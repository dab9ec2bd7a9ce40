-- A correction request becomes a case (an application of the owner's correction service, in the
-- cases block): the case's id and tracking number are recorded here once it is opened, through
-- the outbox job `registries_correction` (see docs/registries.md, "Corrections as cases").
ALTER TABLE registries_corrections ADD COLUMN application_id TEXT;
ALTER TABLE registries_corrections ADD COLUMN tracking_number TEXT;
