-- The generation of the published datasets: every write that changes what search finds adds one
-- in its own transaction, and a node whose in-memory index was built at another generation
-- builds it again (service::index).
CREATE TABLE opendata_search_generation (
    id BIGINT PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO opendata_search_generation (id, generation) VALUES (1, 0);
