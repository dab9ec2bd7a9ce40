-- ePayment: callbacks to an administration's own system. The administration's API client names
-- one endpoint (`url`); each change of one of its payments' state is a notification, written in
-- the change's own transaction and POSTed, signed, through the job queue until the endpoint
-- answers 2xx (at least once). The secret is not stored: it is derived from the platform's key,
-- the administration and the endpoint's random `nonce` (naming the endpoint again rotates it).
CREATE TABLE payments_endpoints (
    administration_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    nonce TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A receiver keeps the `id`s it has seen (a notification may come twice) and orders one
-- payment's notifications by the payment's `version` in the body (they may arrive out of order
-- while one is being retried).
CREATE TABLE payments_notifications (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL,
    payment_id TEXT NOT NULL REFERENCES payments_requests (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT
);

CREATE INDEX payments_notifications_by_payment ON payments_notifications (payment_id, created_at);
