-- ePayment: the bank account each administration is paid into, the card provider's sessions
-- for a payment, and every callback a provider sent (what makes a callback delivered twice
-- change nothing, and what a person resolves when a callback could not be applied).

-- Where an administration is paid: its beneficiary name, IBAN and BIC. A payment the platform
-- asks for an application (a service's fee) is made out to this account.
CREATE TABLE payments_accounts (
    administration_id TEXT PRIMARY KEY,
    beneficiary_name TEXT NOT NULL,
    iban TEXT NOT NULL,
    bic TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A card provider's session (its hosted payment page) for a payment. `provider_ref` is the
-- provider's own id for it; a payment may have several sessions (a declined card, a retry),
-- numbered by `attempt` from 1.
CREATE TABLE payments_card_sessions (
    provider TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    payment_id TEXT NOT NULL REFERENCES payments_requests (id),
    attempt BIGINT NOT NULL,
    redirect_url TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (provider, provider_ref)
);

CREATE UNIQUE INDEX payments_card_sessions_by_payment ON payments_card_sessions (payment_id, attempt);

-- Every verified callback of a provider, once: `event_id` is the provider's id of the event, so
-- the same callback delivered again is recognised and changes nothing. `outcome` says what it
-- did: applied, duplicate, stale (an earlier step arriving after a later one), or one that a
-- person must resolve: amount_mismatch, paid_after_expiry, unknown_session.
CREATE TABLE payments_provider_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    payment_id TEXT,
    status TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    outcome TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE INDEX payments_provider_events_by_payment ON payments_provider_events (payment_id, received_at);
CREATE INDEX payments_provider_events_by_outcome ON payments_provider_events (outcome, received_at);
