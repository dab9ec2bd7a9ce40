-- Synonyms that an administrator added for search, on top of the list that ships with the
-- platform (crates/catalog/search/synonyms.json). `term` is one word; `means` the words it also
-- means, space-separated (any of them may match); `both_ways` (1 or 0): each of those also means `term`.
CREATE TABLE search_synonyms (
    id TEXT PRIMARY KEY,
    term TEXT NOT NULL,
    means TEXT NOT NULL,
    both_ways BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
