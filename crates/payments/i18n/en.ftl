### The payments block's words in English. Ids are the keys the code and templates use, with
### dots and underscores written as hyphens (see docs/i18n.md).

## The payer's page
payments-title = My payments
payments-intro = Every fee an administration asked you to pay: how much, the payment code to quote at a bank or in a transfer's reference, and each step of the payment.
payments-none = You have no payments.
payments-amount = Amount
payments-code = Payment code
payments-beneficiary = Paid to
payments-iban = IBAN
payments-bic = BIC
payments-application = Application
payments-expires = Pay by
payments-history = What happened

## States
payments-state-created = Waiting for payment
payments-state-started = Payment started
payments-state-authorised = Authorised by the card provider
payments-state-ordered = Bank transfer ordered
payments-state-paid = Paid
payments-state-expired = Expired unpaid
payments-state-cancelled = Cancelled
payments-state-failed = Failed
payments-state-refunded-part = Partly refunded
payments-state-refunded = Refunded

## Errors
payments-error-not-found = There is no such payment.
payments-error-not-a-payment-client = Only an administration's system with the "payments" scope may ask for payments, and only for its own administration.
payments-error-idempotency-key-reused = This Idempotency-Key was already used for a different request.
payments-error-idempotency-key-invalid = The Idempotency-Key must be 1 to 255 visible ASCII characters.
payments-error-transition-not-allowed = The payment cannot change to that state from the state it is in.
payments-error-conflict = The payment was changed meanwhile. Read it again and retry.
payments-error-assurance-too-low = Confirm who you are with a stronger sign-in to see your payments.
payments-error-administration-required = Name the administration to be paid.
payments-error-amount-invalid = The amount must be a positive whole number of minor units.
payments-error-currency-invalid = The currency must be an ISO 4217 code, such as EUR.
payments-error-reason-invalid = Say what the payment is for, in at most 140 characters.
payments-error-beneficiary-invalid = Name who is paid, in at most 70 characters.
payments-error-iban-invalid = The IBAN is not valid: check its country, length and check digits.
payments-error-bic-invalid = The BIC must be 8 or 11 letters and digits, such as BNBGBGSD.
payments-error-obligor-invalid = Who pays must be a valid EGN, LNCh or EIK.
payments-error-application-ref-invalid = The application's reference must be at most 100 characters.
payments-error-expiry-invalid = The expiry must be in the future and within a year.
payments-error-note-invalid = A note must be at most 500 characters.
payments-error-refund-amount-invalid = A refund must be positive and no more than what is left of the paid amount.

## Audit log
audit-payments-created = Payment requested
audit-payments-state-changed = Payment state changed

## Paying by card
payments-pay-card = Pay by card
payments-pay-failed-title = Paying could not start
payments-error-provider-unavailable = The card provider is not answering. Nothing was charged; try again in a few minutes.
payments-error-not-payable = This payment can no longer be paid.
payments-error-signature-invalid = The signature is missing, wrong or too old.
payments-error-callback-invalid = The callback is not one the provider sends.
payments-back-paid-title = Payment received
payments-back-paid = Thank you: the payment was received. Your receipt is in your eDelivery mailbox.
payments-back-declined-title = The card was declined
payments-back-declined = Nothing was charged. You can try again with another card.
payments-back-waiting-title = Waiting for the card provider
payments-back-waiting = The card provider has not confirmed the payment yet. This page will show it once they do.
audit-payments-account-set = Bank account for payments set
audit-payments-callback-held = Card provider's callback held for resolution
payments-to-provider-title = Pay on the card provider's page
payments-to-provider-body = You will enter your card's details on the card provider's own page, not on Portico. When you have paid, it sends you back here.
payments-to-provider-button = Continue to the card provider
payments-error-statement-invalid = The file is not a readable camt.053 bank statement.
payments-error-statement-hostile = The file declares a DTD or an entity: it is refused.
payments-error-statement-too-large = The statement is larger than 64 MiB.
audit-payments-statement-imported = Bank statement imported

## The back office: the administration's payments
payments-office-title = Payments
payments-office-intro = The payments your administration asked for: filter them, open one to see its history or refund it, export them as CSV.
payments-office-reconciliation = Reconcile bank statements
payments-office-upload = Upload a bank statement
payments-office-filter = Filter payments
payments-office-administration = Administration
payments-office-state = State
payments-office-any = Any
payments-office-from = Asked for from (date)
payments-office-to = Asked for until (date)
payments-office-service = Service or reason
payments-office-apply = Show
payments-office-export = Download these payments as CSV
payments-office-none = No payment matches.
payments-office-newest = Only the newest 200 are shown; the CSV has them all.
payments-office-reason = What for
payments-office-created = Asked for
payments-office-obligor = Who pays
payments-office-refunded-sum = Refunded
payments-office-date-invalid = Enter a date such as 2026-12-03.
payments-office-range-invalid = The end date must not be before the start date.
payments-office-refund = Refund
payments-office-refund-amount = Amount to refund
payments-office-refund-hint = Up to
payments-office-note = Note (optional)
payments-office-refund-continue = Continue
payments-office-refund-amount-invalid = Enter an amount more than zero and no more than what is left to refund, such as 2.50.
payments-office-refund-confirm-title = Check the refund before you make it
payments-office-refund-back = Back to the payment
payments-office-refund-kind = Refund of
payments-office-refund-whole = the whole amount left
payments-office-refund-part = part of the amount
payments-office-refund-warning = A refund cannot be undone. The payer sees it in their payment's history.
payments-office-refund-do = Refund now
payments-office-refunded-title = Refund made
payments-office-refunded = The refund is recorded in the payment's history.
payments-office-reconciliation-intro = Lines of imported bank statements that did not simply pay a payment. Match each to a payment (the line then pays it) or mark it resolved with a note saying what you did.
payments-office-open-lines = Lines to resolve
payments-office-no-lines = No line is waiting to be resolved.
payments-office-statement = Statement
payments-office-booked = Booked on
payments-office-remittance = Reference and remittance information
payments-office-match-code = Payment code this line pays
payments-office-match = Match to this payment
payments-office-resolve-note = What was done about it
payments-office-resolve = Mark resolved
payments-office-line-done-title = Line resolved
payments-office-line-done = The line is no longer waiting.
payments-office-resolved-lines = Resolved lately
payments-office-entry = Entry
payments-office-outcome = Found
payments-office-resolution = Resolution
payments-office-matched-to = Paid payment
payments-office-statements = Imported statements
payments-office-no-statements = No statement was imported yet.
payments-office-imported = Imported
payments-office-lines = Lines
payments-office-open = waiting
payments-office-export-lines = Lines as CSV
payments-office-export-all-lines = Download every statement's lines as CSV
payments-office-upload-intro = Upload the bank's ISO 20022 camt.053 statement of your administration's account. Credit lines with a payment code in their reference pay its payment; the rest are listed for reconciliation. Uploading the same statement again changes nothing.
payments-office-statement-file = Statement file (camt.053 XML)
payments-office-statement-hint = An XML file of at most 64 MiB.
payments-office-statement-missing = Choose the statement's file.
payments-office-import = Import the statement
payments-office-imported-title = Statement imported:
payments-error-line-resolved = This line was resolved already.
payments-error-payment-code-invalid = There is no payment of your administration with this code.
payments-error-line-not-payment = A reversal or a debit cannot pay a payment.
payments-error-line-currency-mismatch = The line is in another currency than the payment.
payments-error-line-amount-short = The line brought less than the payment asks for.
payments-error-line-not-payable = That payment cannot be paid any more (it is paid, expired or cancelled).
audit-payments-line-resolved = Bank statement line resolved

## What an import found on a line
payments-line-matched = Paid a payment
payments-line-excess = More than asked
payments-line-partial = Less than asked
payments-line-duplicate = Already paid
payments-line-reversed = Reversal
payments-line-not-payable = Payment not payable
payments-line-currency-mismatch = Other currency
payments-line-unknown = No payment found
payments-line-already-imported = Imported before

## Callbacks to administrations' systems
payments-error-endpoint-url-invalid = The endpoint must be an https:// address (http:// only to this computer, for development), without a user name or password.
audit-payments-endpoint-set = Payments callback endpoint named
audit-payments-endpoint-removed = Payments callback endpoint removed

## Card callbacks held for a person (the reconciliation screen)
payments-held-title = Card payments to resolve
payments-held-intro = Money the card provider took or authorised that could not simply pay a payment: another amount or currency, after the payment expired or was cancelled, or for a session nobody here opened. Refund it to the card, accept it as paying its payment (when the payment can still be paid and the money covers it), or dismiss it with a reason.
payments-held-none = No card payment is waiting to be resolved.
payments-held-received = Received
payments-held-session = Card provider's session
payments-held-payment = The payment asks for
payments-held-note = Note (the reason, needed to dismiss)
payments-held-refund = Refund to the card
payments-held-accept = Accept as paid
payments-held-dismiss = Dismiss
payments-held-resolved = Card payments resolved lately
payments-held-by = Resolved by
payments-held-done-title = Card payment resolved
payments-held-done = It is no longer waiting.
payments-held-amount-mismatch = Another amount or currency
payments-held-paid-after-expiry = Paid after the expiry
payments-held-paid-when-closed = Paid when cancelled
payments-held-unknown-session = Unknown session
payments-held-status-authorised = authorised
payments-held-status-captured = money taken
payments-held-status-declined = declined
payments-held-resolution-refunded = Refunded to the card
payments-held-resolution-accepted = Accepted as paid
payments-held-resolution-dismissed = Dismissed
payments-error-callback-resolved = This card payment was resolved already.
payments-error-callback-not-captured = No money was taken on this card, so there is nothing to refund or accept.
payments-error-callback-not-payable = Its payment cannot be paid any more (it is paid, expired or cancelled, or the session is unknown).
payments-error-callback-currency-mismatch = The card payment is in another currency than the payment.
payments-error-callback-amount-short = The card payment brought less than the payment asks for.
payments-error-reason-required = Say why it is dismissed.
audit-payments-callback-resolved = Card provider's held callback resolved

## Refunds through the card provider
payments-error-refund-refused = The card provider refused the refund (the money was not taken on that card, or less is left there). Nothing was refunded.
payments-office-refund-unavailable = The card provider is not answering. Nothing was refunded; try again in a few minutes.
payments-office-refund-by-card = It was paid by card: the money goes back to the payer's card through the card provider.
payments-office-refund-by-transfer = It was paid by bank transfer: the refund is recorded here, and someone in your administration pays the money back from its account.
