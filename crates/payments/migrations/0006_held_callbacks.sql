-- ePayment: card callbacks held for a person (amount_mismatch, paid_after_expiry,
-- paid_when_closed, unknown_session) are listed on the administration's reconciliation screen
-- and resolved there: the money refunded, the payment accepted as paid (where its state allows
-- it), or dismissed with a reason. `administration_id` says whose screen lists it: the
-- payment's administration, or for an unknown session the administration of the payment code
-- the provider echoed (NULL when there is none). NULL `resolved_at`: still waiting.
ALTER TABLE payments_provider_events ADD COLUMN administration_id TEXT;
ALTER TABLE payments_provider_events ADD COLUMN resolved_at BIGINT;
ALTER TABLE payments_provider_events ADD COLUMN resolved_by TEXT;
-- `refunded`, `accepted` or `dismissed`.
ALTER TABLE payments_provider_events ADD COLUMN resolution TEXT;
ALTER TABLE payments_provider_events ADD COLUMN resolution_note TEXT;

UPDATE payments_provider_events SET administration_id =
    (SELECT r.administration_id FROM payments_requests r WHERE r.id = payments_provider_events.payment_id);

CREATE INDEX payments_provider_events_by_administration
    ON payments_provider_events (administration_id, resolved_at, received_at);
