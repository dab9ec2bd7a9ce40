-- The platform publishes its own data as its own organisation, `portico`, owned by no
-- administration (before, the demo published it as Sofia). The two datasets the platform keeps
-- current move to it; their names begin `portico-`, which is reserved for the platform from now.
UPDATE opendata_datasets SET administration_id = 'portico'
    WHERE name IN ('portico-service-catalog', 'portico-service-performance');
UPDATE opendata_search_generation SET generation = generation + 1;
