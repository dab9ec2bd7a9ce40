-- Citizen participation: participatory processes with their phases, topics and rules; proposals
-- with their topics, supports, comments and history; and, kept apart, the voters of a process
-- (who was verified and voted) and the ballots (what was chosen), which share no id and no time.

CREATE TABLE participation_processes (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    title_bg TEXT NOT NULL,
    title_en TEXT NOT NULL,
    theme TEXT NOT NULL,
    -- Phases, as epoch milliseconds: proposals from..until, review until, voting from..until,
    -- results from.
    proposals_from BIGINT NOT NULL,
    proposals_until BIGINT NOT NULL,
    review_until BIGINT NOT NULL,
    voting_from BIGINT NOT NULL,
    voting_until BIGINT NOT NULL,
    results_from BIGINT NOT NULL,
    -- Rules: who may propose (`anyone` signed in, `residents`), who may vote (`municipality` or a
    -- district's code), from what age; the budget in minor units; the ballot rule (`up_to_n` with
    -- `max_choices`, or `knapsack` up to the budget); whether a ballot may be changed; the legal
    -- basis of the register checks; the boundary a voter's location must be inside (GeoJSON).
    proposers TEXT NOT NULL,
    voter_area TEXT NOT NULL,
    min_age BIGINT NOT NULL,
    budget_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    ballot_rule TEXT NOT NULL,
    max_choices BIGINT NOT NULL,
    allow_change BIGINT NOT NULL,
    legal_basis TEXT NOT NULL,
    boundary TEXT,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE participation_topics (
    process_id TEXT NOT NULL REFERENCES participation_processes (id),
    code TEXT NOT NULL,
    name_bg TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (process_id, code)
);

CREATE TABLE participation_proposals (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES participation_processes (id),
    -- A sequence number inside the process: the proposals list pages by it.
    number BIGINT NOT NULL,
    author_account_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    budget_minor BIGINT NOT NULL,
    district TEXT,
    latitude TEXT,
    longitude TEXT,
    -- `submitted`, `feasible`, `not_feasible`, `merged`.
    status TEXT NOT NULL,
    review_reason TEXT,
    merged_into TEXT,
    supports BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (process_id, number)
);

CREATE INDEX participation_proposals_by_status ON participation_proposals (process_id, status, number);

CREATE TABLE participation_proposal_topics (
    proposal_id TEXT NOT NULL REFERENCES participation_proposals (id),
    topic_code TEXT NOT NULL,
    PRIMARY KEY (proposal_id, topic_code)
);

CREATE TABLE participation_supports (
    proposal_id TEXT NOT NULL REFERENCES participation_proposals (id),
    account_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, account_id)
);

CREATE TABLE participation_comments (
    id TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES participation_proposals (id),
    author_account_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX participation_comments_by_proposal ON participation_comments (proposal_id, created_at);

-- Every change of a proposal (submitted, edited, reviewed, merged), shown on its page.
CREATE TABLE participation_proposal_history (
    id TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES participation_proposals (id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX participation_history_by_proposal ON participation_proposal_history (proposal_id, at);

-- Who was verified to vote in a process: one row per person (UNIQUE), one phone per voter
-- (UNIQUE, as a keyed hash). No ballot id and no time of voting: `voted` only says that a
-- ballot was cast.
CREATE TABLE participation_voters (
    process_id TEXT NOT NULL REFERENCES participation_processes (id),
    person_key TEXT NOT NULL,
    phone_key TEXT NOT NULL,
    district TEXT NOT NULL,
    age_band TEXT NOT NULL,
    voted BIGINT NOT NULL,
    PRIMARY KEY (process_id, person_key),
    UNIQUE (process_id, phone_key)
);

-- A verification under way: the person's checks passed and an SMS code was sent; the vote
-- needs the code. Deleted when the voter row is written.
CREATE TABLE participation_verifications (
    process_id TEXT NOT NULL REFERENCES participation_processes (id),
    person_key TEXT NOT NULL,
    phone_key TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    district TEXT NOT NULL,
    age_band TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (process_id, person_key)
);

-- The ballots: what was chosen, and the hash of the receipt that finds it. No person, no time.
-- A changed ballot replaces its row (same receipt hash), so the set holds each voter's last
-- version only.
CREATE TABLE participation_ballots (
    receipt_hash TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES participation_processes (id),
    choices TEXT NOT NULL
);

CREATE INDEX participation_ballots_by_process ON participation_ballots (process_id, receipt_hash);
