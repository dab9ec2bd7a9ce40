-- ePayment: a person of the administration resolves a statement line that was listed (partial,
-- excess, duplicate, reversed, not payable, currency mismatch, unknown): by matching it to a
-- payment (which that line then pays) or by marking it resolved with a note. NULL
-- `resolved_at`: still waiting for a person.
ALTER TABLE payments_statement_lines ADD COLUMN resolved_at BIGINT;
ALTER TABLE payments_statement_lines ADD COLUMN resolved_by TEXT;
-- `matched` (paid the payment named by `resolved_payment_id`) or `noted`.
ALTER TABLE payments_statement_lines ADD COLUMN resolution TEXT;
ALTER TABLE payments_statement_lines ADD COLUMN resolution_note TEXT;
ALTER TABLE payments_statement_lines ADD COLUMN resolved_payment_id TEXT;
