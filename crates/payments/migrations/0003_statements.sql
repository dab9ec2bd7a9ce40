-- ePayment: imported bank statements (ISO 20022 camt.053) and each of their lines, matched to a
-- payment or listed for a person to resolve. A line is known by its key (the account, the
-- bank's reference of the entry and the transaction's place in it): importing the same
-- statement again finds every line known and changes nothing.

CREATE TABLE payments_statements (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    account_iban TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);

CREATE INDEX payments_statements_by_administration ON payments_statements (administration_id, imported_at);

-- `outcome`: matched (paid by it), excess (paid, more than asked: refund the rest), partial,
-- duplicate (the payment was paid already), reversed, not_payable (expired, cancelled …),
-- currency_mismatch, unknown (no payment code found).
CREATE TABLE payments_statement_lines (
    line_key TEXT PRIMARY KEY,
    statement_id TEXT NOT NULL REFERENCES payments_statements (id),
    administration_id TEXT NOT NULL,
    payment_id TEXT,
    entry_ref TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    remittance TEXT NOT NULL,
    outcome TEXT NOT NULL,
    booked TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX payments_statement_lines_by_outcome ON payments_statement_lines (administration_id, outcome, created_at);
CREATE INDEX payments_statement_lines_by_payment ON payments_statement_lines (payment_id);
