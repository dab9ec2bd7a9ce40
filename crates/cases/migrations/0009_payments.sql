-- The payment the platform asked for an application's fee (in the payments block): which
-- payment belongs to which application. When it is paid, the payments block's outbox job
-- names the payment, and only a payment recorded here moves its application on.
CREATE TABLE application_payments (
    payment_id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    created_at BIGINT NOT NULL
);

CREATE INDEX application_payments_by_application ON application_payments (application_id, created_at);
