-- The deadlines, in working days, that the service's administration gave states of its process
-- when the application was started (a JSON object from state id to days; NULL: the library's
-- for every state). A state's deadline is counted from these, so tuning the process later never
-- moves the deadlines of an application in progress.
ALTER TABLE applications ADD COLUMN state_deadlines TEXT;
