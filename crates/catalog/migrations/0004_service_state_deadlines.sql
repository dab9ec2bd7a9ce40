-- The administration's own deadlines, in working days, for states of its service's process
-- (a JSON object from state id to days, e.g. {"submitted": 2, "in_review": 15}); a state not
-- named keeps the library's deadline. NULL: all the library's. The cases block copies them onto
-- an application when it is started, so a change never moves the deadlines of one in progress.
ALTER TABLE services ADD COLUMN state_deadlines TEXT;
