### The cases block's words in English. Ids are the keys the code and
### templates use, with dots and underscores written as hyphens (see docs/i18n.md).

## Applicant
my-applications = My applications
no-applications = You have no applications yet.
find-service = Find a service
col-number = Number
col-service = Service
col-status = Status
col-updated = Last change
col-deadline = Deadline
col-applicant = Applicant
col-assigned = Worked by
draft-label = Draft
continue-draft = Continue filling in
application-title = Application
tracking-number = Tracking number
submitted-panel-title = Application submitted
submitted-panel-body = Your tracking number is
receipt-what-next = What happens next
receipt-next-body = We will tell you by e-mail and in your account at every change. The answer is due by
receipt-signed = Signed submission record (SHA-256)
timeline = Timeline
ev-submitted = Application submitted
ev-message = Message
ev-assigned = Taken by an officer
ev-note = Internal note
ev-check = Register check
respond-title = The administration has asked for more information
respond-label = Your answer
respond-submit = Send your answer
respond-missing = Enter your answer
withdraw-button = Withdraw the application
result-download = Download the result
consents-title = Requests for your consent
no-consents = No requests are waiting for your consent.
consent-role-owner = as the owner of the home
consent-role-parent = as a parent of the child
consent-body = applied and named you as
consent-give = I consent
consent-refuse = I do not consent
consent-done = Your decision has been recorded. The applicant has been told.
consent-address = Address
consent-service = Service
consent-role-label = As
office-take-first = Take the application to work on it.
notifications-title = Notifications

## Filling in and submitting
step-of = Step
step-of-sep = of
back = Back
save-continue = Save and continue
draft-saved-hint = Your answers are saved after every step. You can continue later from “My applications”.
review-title = Check your answers before submitting your application
review-change = Change
submit-heading = Submit
submit-body = By submitting you confirm that the information is correct. Submitting is signed with your second factor.
submit-button = Submit application
submit-needs-totp = To submit an application, set up an authenticator app.
code-wrong = The code is wrong, has expired or has already been used

## Back office
office-title = Work queue
office-payments-link = Payments and bank statements
office-inquiries-link = Inquiries and feedback
office-empty = The queue is empty.
office-overdue = Overdue
office-unit = Unit
office-claim = Take this application
office-claimed-by-you = You are working on this application.
office-claimed-by-other = Another officer is working on this application.
office-assign-label = Give to an officer
office-assign-submit = Assign
assign-not-an-operator = Choose an officer who works in the application's unit
office-notes = Internal notes
office-note-label = New note (only staff can see it)
office-note-submit = Add note
note-missing = Enter the note
office-actions = Actions
office-reason-label = Reasons (sent to the applicant)
office-message-label = What the applicant must send
office-answers = Answers in the application
office-attachments = Attached documents
office-consents = Consents
office-done = Finished
consent-status-pending = pending
consent-status-given = given
consent-status-refused = refused
transition-not-allowed = This action is not possible in the application's current state
transition-wrong-actor = You are not allowed to take this action
transition-missing-reason = Enter the reasons
transition-missing-message = Enter what the applicant must send
transition-missing-result-document = The result document is missing
transition-not-assigned = Take the application first
transition-unknown = There is no such action
transition-unknown-state = The application is in an unknown state

## Audit actions shown to the person (audit-<action>, see docs/i18n.md)
audit-cases-submitted = Application submitted
audit-cases-transition = Application status changed
audit-cases-assigned = Application taken by an officer
audit-cases-consent = Decision on a request for consent

## Merged from other work (ground, step-up, evidence)
result-jws-download = Download the signed statement (JWS)
result-in-mailbox = The result was sent to your mailbox: open the message
receipt-jws-download = Download the signed record (JWS)
consent-status-closed = no longer needed (the application has ended)
consent-self = You cannot name yourself — give the EGN of the other person whose consent is needed
review-consents-heading = Whose consent will be asked
application-consenters = Whose consent was asked
review-consents-body = We found them in the registers, so you do not need to name them. Each will get the request in their own account.
consent-heading = Your consent for
decision-banner-title = The decision on your application
confirm-warning = Warning
confirm-cancel = No, go back
confirm-decision-title = Are you sure:
confirm-decision-body = The decision cannot be undone. The applicant will be told at once.
confirm-withdraw-title = Withdraw your application?
confirm-withdraw-body = This cannot be undone: the application will not be considered, and you would have to apply again.
confirm-refuse-consent-title = Refuse your consent?
confirm-refuse-consent-body = This cannot be undone: the other person's application will be refused.
consent-decide-heading = Your decision
consent-decide-body = Confirm it with your second factor, as you would sign it: the code from your authenticator app, or a code we send you.

## Result documents and their public check (/documents)
documents-title = Check a document
documents-genuine-title = The document is genuine
documents-genuine-body = The file is exactly the document issued through the platform, and the platform's signed statement about it is valid.
documents-altered = This file is not the document issued with this code: it has been changed, or it is another document. Do not rely on it.
documents-not-issued = The platform has issued no document with exactly this content. A file changed by even one character is no longer the genuine document.
documents-unknown-code = No document has been issued with the verification code
documents-issued-title = Document issued
documents-administration = Issued by
documents-case-number = Application no.
documents-decision = Decision
documents-issued-at = Issued on
documents-code-label = Verification code
documents-code-hint = The 16 characters printed at the end of the document, for example 7KQM-3XPD-9WRT-HN2C.
documents-code-title = Only have the verification code?
documents-find-button = Find
documents-upload-title = Check the document's file
documents-compare-title = Compare your copy with the document issued
documents-file-label = The document's file
documents-file-hint = The PDF file as received from the platform. The file is not kept.
documents-file-missing = Choose the document's file
documents-check-button = Check
result-check-hint = Anyone you show the document to can check that it is genuine:
legal-deadline = Legal deadline for the decision
deadline-paused = The deadline stops running while the administration waits for your answer, and runs on once you answer.

# Once only: under a field filled in from a base register.
prefill-source = Filled in from the register: { $register }, { $date }

# The back office: checks in base registers from the case.
office-checks = Checks in the registers
office-checks-hint = Check in the base registers instead of asking the applicant for certificates. The applicant sees every check in "My data".
office-check-run = Check
office-check-not-run = Not checked
office-check-confirmed = Confirmed
office-check-not-confirmed = Not confirmed
office-check-failed = Could not be checked
office-check-failed-other = The register did not answer. Try again later.

## A link to the insights block's feedback page (anonymous)
application-feedback = Tell us what you think of this service (anonymous)
## The fee (ePayment)
fee-heading = Fee
fee-amount = Amount
fee-code = Payment code
fee-hint = You pay the fee after submitting, by card or by bank transfer. The application is worked once it is paid.
fee-pay-heading = Pay the fee
fee-paid-heading = Fee paid
fee-pay-body = The application waits for its fee. Pay it now by card, or by bank transfer quoting the payment code.
fee-pay-button = Pay by card
fee-bank-transfer = Bank details for a transfer
fee-no-account = This administration cannot take payments yet, so the application cannot be submitted. Contact the administration.
fee-no-personal-id = A fee can only be asked of a person with a personal identifier. Add your EGN or LNCh to your account.

## The applications of a service, for its console (issue 15, item 2)
service-deadlines-title = Deadlines of the process
service-deadlines-process = The service's process:
service-deadlines-lead = The working days the administration gives itself in each state, in place of the library's. Leave a state empty to keep the library's deadline. Applications started from now on are counted by these; those already started keep the deadlines they started with. Choosing another process puts the library's back.
service-deadlines-library = In the library, working days:
service-deadlines-library-none = The library gives this state no deadline.
service-deadlines-save = Save the deadlines
service-deadlines-saved = The deadlines are saved: applications started from now on are counted by them.
service-applications-title = Applications in progress
service-applications-back = Back to the service
service-applications-lead = Each application keeps the version of the form it was started with until it is decided, so a new version never breaks one in progress.
service-applications-current = The form's newest version:
service-applications-none = No applications are in progress.
service-applications-started = Started
service-applications-version = Form version
service-applications-older = earlier version
service-applications-draft = Draft, not submitted
