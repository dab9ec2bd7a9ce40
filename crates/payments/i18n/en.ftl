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
