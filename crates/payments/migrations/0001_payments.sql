-- ePayment: payment requests, the history of their states, and the idempotency keys of the
-- administrations' systems that created them.

-- A payment request. `amount_minor` is in the currency's minor units (ISO 4217), `code` the
-- short payment code (with its check character) a person quotes at a bank. `state` is one of
-- created, started, authorised, ordered, paid, expired, cancelled, failed, refunded_part,
-- refunded; `version` grows with every change (optimistic locking).
CREATE TABLE payments_requests (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    beneficiary_name TEXT NOT NULL,
    iban TEXT NOT NULL,
    bic TEXT NOT NULL,
    obligor_id TEXT NOT NULL,
    application_ref TEXT,
    state TEXT NOT NULL,
    refunded_minor BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);

CREATE INDEX payments_requests_by_obligor ON payments_requests (obligor_id, created_at);
CREATE INDEX payments_requests_by_administration ON payments_requests (administration_id, created_at);
CREATE INDEX payments_requests_by_application ON payments_requests (application_ref);

-- Every change of a request's state, in order: what the payer sees as its history.
CREATE TABLE payments_events (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES payments_requests (id),
    from_state TEXT,
    to_state TEXT NOT NULL,
    amount_minor BIGINT,
    actor TEXT NOT NULL,
    note TEXT,
    at BIGINT NOT NULL
);

CREATE INDEX payments_events_by_request ON payments_events (request_id, at);

-- An `Idempotency-Key` an administration's system sent, with a fingerprint of the request it
-- came with: the same key with the same request answers the same payment; with another one it
-- is refused.
CREATE TABLE payments_idempotency (
    administration_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    request_id TEXT NOT NULL REFERENCES payments_requests (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (administration_id, idem_key)
);
