### The delivery block's words in English. Ids are the keys the code and templates use, with
### dots and underscores written as hyphens (see docs/i18n.md).

## Mailbox
mailbox-title = My mailbox
mailbox-of = Mailbox of
mailbox-others = Other mailboxes you read
mailbox-empty = There are no messages in this mailbox yet.
col-subject = Subject
col-from = From
col-received = Received
col-state = State
col-sent = Sent
col-application = Application
col-recipient = Recipient
col-when = When
state-new = New
state-opened = Opened
page-previous = Newer messages
page-next = Older messages
page-label = Pages of messages

## Message
open-application = Open the application
content-hash = Content (SHA-256)
content-download = Download the message as signed (message.json)
attachments-title = Attachments
recipients-title = Recipients
recipient-delivered = Delivered to the mailbox
recipient-opened = Opened
recipient-not-opened = Not opened in time
evidence-title = Evidence
evidence-hint = Each event is signed by the platform (JWS with its certificate chain). Check it offline with any JOSE library or with "portico evidence verify".
evidence-download-one = Download
evidence-download-all = Download all the evidence
evidence-SubmissionAcceptance = Sending accepted
evidence-SubmissionRejection = Sending refused
evidence-ContentConsignment = Delivered to the mailbox
evidence-ContentHandover = Opened by the recipient
evidence-ContentNonHandover = Not opened within the period
notifications-title = Notifications
notification-email = E-mail
notification-created = queued
notification-sending = sending
notification-delivered = delivered
notification-temporary-failure = not delivered yet, will be retried
notification-permanent-failure = could not be delivered
reply-title = Reply
reply-label = Your answer
reply-submit = Send the reply

## Errors
delivery-subject-missing = Enter a subject
delivery-subject-too-long = The subject must be 200 characters or fewer
delivery-body-missing = Enter the text of the message
delivery-body-too-long = The message must be 20,000 characters or fewer
delivery-recipient-missing = Name at least one recipient
delivery-recipient-too-many = A message may have at most 100 recipients
delivery-recipient-bad-personal-id = A recipient's personal number is not a valid EGN or LNCh
delivery-recipient-bad-eik = A recipient's EIK is not valid
delivery-recipient-unknown = A recipient's address is incomplete
delivery-attachment-too-many = A message may carry at most 10 attachments
delivery-attachment-bad-name = An attachment has no usable file name
delivery-attachment-empty = An attachment is empty
delivery-attachment-too-large = An attachment is larger than allowed (10 MB in JSON, 100 MB streamed)
delivery-attachment-type-not-accepted = An attachment is of a type that cannot be sent (PDF, PNG, JPEG and plain text can)
delivery-attachment-mislabelled = An attachment's content is not of the type it says it is
delivery-attachment-not-base64 = An attachment's content is not valid base64
delivery-upload-too-large = The request is larger than allowed (all attachments together up to 200 MB)
delivery-upload-message-first = The first part of the request must be the message (message), then the files

## Audit actions shown to the person (audit-<action>, see docs/i18n.md)
audit-delivery-sent = Message sent
audit-delivery-rejected = Message refused (evidence of the refusal given to the sender)
audit-delivery-opened = Message opened
audit-delivery-not-opened = Message not opened within the period

## Idempotency-Key on sends over the API
delivery-idempotency-bad-key = The Idempotency-Key header must be 1 to 255 printable ASCII characters
delivery-idempotency-key-reused = This Idempotency-Key was already used for a different request; send the same request again, or use a new key

## Grants
delivery-grant-bad-personal-id = Enter the personal identifier (EGN or LNCh) of the person you grant access
delivery-grant-self = This is your own mailbox: you already read it
delivery-grant-no-message = Say which message the access is for
audit-delivery-granted = Access to a mailbox granted
audit-delivery-grant-revoked = Access to a mailbox revoked
audit-delivery-read-by-grant = Message read through a granted access
delivery-grant-no-scope = Choose what the access covers
grant-title = Grant access to someone else
grant-hint = A lawyer or an accountant, for example. They read with a verified identity; you see every reading and may revoke the access at any time.
grant-grantee-label = Their personal identifier (EGN or LNCh)
grant-scope-legend = Access to
grant-scope-message = this message
grant-scope-thread = this whole conversation (thread)
grant-scope-mailbox = my whole mailbox
grant-submit = Grant access
grants-title = Access you granted
col-grantee = Person
col-grant-scope = Access to
col-reads = Readings
grant-last-read = last
grant-revoked = Revoked
grant-revoke = Revoke
shared-title = Shared with you
delivery-grant-bad-end = Enter the last day of the access as a date, for example 2027-03-31
delivery-grant-ends-in-past = The last day of the access cannot be in the past
grant-ends-label = Last day of the access (optional)
grant-ends-hint = Leave it empty for access until you revoke it. The access ends at midnight after this day.
grant-until = until
grant-ended = Ended
audit-delivery-key-rewrapped = A mailbox's data key re-wrapped under a new master key
export-mailbox = Export the mailbox (ZIP)
export-thread = Export this conversation with its evidence (ZIP)
export-hint = Every message, attachment and piece of evidence, with a signed list of them; anyone can check it with `portico evidence verify`.
audit-delivery-exported = Mailbox or conversation exported
delivery-webhook-bad-url = Give the endpoint as an https:// address
delivery-webhook-too-many = This administration has as many endpoints as it may; remove one first
audit-delivery-webhook-registered = Webhook endpoint registered
audit-delivery-webhook-deleted = Webhook endpoint removed
notification-sms = SMS
webhooks-title = Webhook endpoints
webhooks-back = Back to the administration's console
webhooks-lead = Your systems register these addresses over the API (POST /api/v1/mailbox/webhooks); the platform sends each of them every new message to the administration's mailboxes and every piece of evidence of the messages it sent, signed, and tries again until the endpoint answers.
webhooks-none = No endpoints are registered for this administration.
webhooks-registered = Registered
webhooks-delivered = Events delivered
webhooks-last = last
webhooks-pending = Events not delivered yet
webhooks-failing = failing
webhooks-given-up = Events given up on
webhooks-recent = Newest events
webhooks-col-seq = No.
webhooks-col-type = Event
webhooks-col-attempts = Attempts
webhook-state-delivered = Delivered
webhook-state-queued = Queued
webhook-state-failing = Failing, will be retried
webhook-state-given-up = Given up
webhooks-remove = Remove the endpoint
webhooks-removed = The endpoint was removed; it gets no more events.
webhooks-how = Only https:// addresses on the public internet are accepted; an address in a private or internal network is refused, also when its name later resolves to one.
mailbox-webhooks = Webhook endpoints of this administration
delivery-webhook-private-address = The endpoint must be on the public internet, not a private, loopback or internal address
delivery-webhook-unresolved = The endpoint's host name could not be found; check the address

## The office's send page
send-title = Send a message with files
send-lead = The message goes to the recipient's official mailbox with evidence of sending and of delivery, signed by the platform. The recipient is told by e-mail and SMS that something arrived, never what.
send-sender-label = From the mailbox of
send-recipient-legend = To
send-recipient-hint = People by their personal number (EGN or LNCh), or companies by their EIK/BULSTAT, one on each line, up to 100 recipients.
send-recipient-person = A person
send-recipient-company = A company
send-recipient-label = Personal numbers or EIKs, one on each line
send-subject-label = Subject
send-body-label = Message
send-files-label = Files (optional)
send-files-hint = Up to 10 files: PDF, PNG, JPEG or plain text, each up to 100 MB. Each file is checked on its content.
send-files-again = Nothing was sent or kept: choose the files again.
send-submit = Send the message
delivery-send-no-sender = Choose the mailbox the message is sent from
delivery-send-recipient-lines = Some recipients' lines are not right: see each line below the field. Nothing was sent
send-line = Line
sent-title = Message sent
sent-id = The message's number
sent-open-message = Open the message and its recipients' states
send-another = Send another message

## An export over its limit
delivery-export-too-large = The export would be larger than allowed; export one conversation at a time instead
export-too-large-title = This export is too large
export-too-large-body = Its messages and files add up to more than one export may hold:
export-too-large-nothing = Nothing was exported.
export-too-large-how = Export the conversations you need one at a time, from each message's page ("Export this conversation with its evidence"), or ask the platform's operator for a larger limit.
export-too-large-back = Back

## Who acted for a company (shown to those who read its mailbox)
opened-by = Opened by
answered-by = Answered by
sent-by = Sent by
on-behalf-for = for
answer-open = the answer
