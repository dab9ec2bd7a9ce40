-- A consent names a person by the kind and the value of their identifier: an LNCh never answers
-- a consent addressed to the same ten digits as an EGN. Consents made before this were all asked
-- for through EGN fields.
ALTER TABLE consents ADD COLUMN personal_id_kind TEXT NOT NULL DEFAULT 'egn';
