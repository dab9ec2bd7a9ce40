-- The eDelivery message that carried a case's result to the applicant's mailbox (its evidence
-- is kept by the delivery block, with the message).
CREATE TABLE application_deliveries (
    application_id TEXT NOT NULL REFERENCES applications (id),
    message_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, message_id)
);
