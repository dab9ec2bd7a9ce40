-- The lists an adopted service's address fields choose from, when they are the administration's
-- own rather than the ones its template's form names: a JSON object from the form's
-- nomenclature key to the service's (e.g. {"sofia_addresses": "chelopech_addresses"}).
-- NULL: the form's own lists.
ALTER TABLE services ADD COLUMN nomenclatures TEXT;

-- How many people the service's administration serves (its population), when known: search
-- breaks ties between equally good matches in its favour (Sofia's address registration before
-- Chelopech's), after the person's own municipality.
ALTER TABLE services ADD COLUMN population BIGINT;
