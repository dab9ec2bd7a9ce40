### The registries block's words in English. Ids are the keys the code and templates use, with
### dots and underscores written as hyphens (see docs/i18n.md).

## The register of registers
registries-title = Register of registers
registries-intro = Every base register that administrations query through Portico: who keeps it, on what legal basis, which operations it offers with their versions and schemas, and which administration may read which fields.
registries-none = No registers yet.
registries-code = Code
registries-owner = Kept by
registries-legal-basis = Legal basis
registries-version = version
registries-personal-fields = Personal fields
registries-schemas = Request and response schemas
registries-request-schema = Request (JSON Schema)
registries-response-schema = Response (JSON Schema)
registries-no-grants = No administration may query this operation yet.
registries-who-may-query = Who may query it
registries-col-administration = Administration
registries-col-fields = Fields
registries-col-legal-basis = Legal basis
registries-col-until = Until
registries-as-json = The same as JSON

## My data and who looked at it
my-data-title = My data and who looked at it
my-data-intro = What the base registers hold about you, and every time an administration looked it up: who, when, why and what it read.
my-data-correction-sent-title = Request sent
my-data-correction-sent = The register's keeper has 14 days to answer. You will see the answer here.
my-data-download = Download all of it (JSON)
my-data-records = What the registers hold about you
my-data-population = Population register
my-data-nothing = Nothing.
my-data-addresses = Addresses you own (Sofia address register)
my-data-companies = Companies you represent (commercial register)
my-data-queries = Who looked at your data
my-data-no-queries = No administration has looked up your data.
my-data-col-when = When
my-data-col-who = Who
my-data-col-why = Why
my-data-col-fields = What was read
my-data-col-outcome = Outcome
my-data-deferred = Shown late because
my-data-corrections = Corrections
my-data-col-register = Register
my-data-col-field = Value
my-data-col-proposed = Correct value
my-data-col-deadline = Asked – answer due
my-data-col-answer = Answer
my-data-awaiting = Waiting for the answer
my-data-col-case = Case (progress)
my-data-case-opening = Being opened
my-data-correction-title = Ask for a correction
my-data-correction-register = Register
my-data-correction-reason = Why is it wrong?
my-data-correction-send = Send the request
field-label = Which value is wrong
field-hint = Name it as this page shows it, for example: Current address. Names and addresses in the population register are corrected as soon as the keeper approves.
proposed-value-label = The correct value
proposed-value-hint = For an address, its code (such as sof-0001) or its street and number (such as ул. Шипка 6).
correction-register = Choose a register
correction-field = Say which value is wrong
correction-value = Give the correct value (at most 500 characters)
correction-reason = Say why the value is wrong (at most 2000 characters)
correction-name = A name has only letters, spaces and hyphens (at most 60)
correction-address = Give an address of Sofia's address register: its code (such as sof-0001) or its street and number as the register writes them (such as ул. Шипка 6)
my-data-answer-approved-register = Approved: corrected in the register
my-data-answer-approved-owner = Approved: the register's keeper corrects it in their own register
my-data-answer-refused = Refused
my-data-answer-withdrawn = You withdrew the request
my-data-answered-on = on

## Fields of the population register
registries-field-egn = Personal number (EGN)
registries-field-given-name = Given name
registries-field-middle-name = Middle name
registries-field-family-name = Family name
registries-field-birth-date = Date of birth
registries-field-sex = Sex
registries-field-permanent-address = Permanent address
registries-field-current-address = Current address
registries-field-mother-egn = Mother
registries-field-father-egn = Father
registries-field-children = Children

## Outcomes of a query
registries-outcome-answered = Answered
registries-outcome-refused = Refused
registries-outcome-failed = Failed

## Errors of the registry API
registries-error-not-found = Not found.
registries-error-forbidden = You may not do this.
registries-error-not-a-registry-client = Only an administration's system or its staff may query registers (an API client needs the scope "registries").
registries-error-legal-basis-required = Give the legal basis for this query (context.legal_basis).
registries-error-unknown-operation = The register has no such operation or version.
registries-error-invalid-subject = The subject's identifier is not valid (check its digits).
registries-error-invalid-request = The parameters do not match the operation's request schema.
registries-error-no-grant = Your administration has no access to this operation. Ask the register's keeper for it.
registries-error-grant-expired = Your administration's access to this operation has expired. Ask the register's keeper to renew it.
registries-error-no-record = The register holds nothing for this subject.
registries-error-adapter-timeout = The register's service did not answer in time. Try again later.
registries-error-adapter-bad-response = The register's service gave an answer that does not match its schema; it was not passed on.
registries-error-adapter-failed = The register's service failed. Try again later.
registries-error-log-unavailable = The query log cannot be written just now, so the query was not made. Try again later.
registries-error-assurance-too-low = This needs your identity to be verified.
registries-error-purpose-required = Give the purpose of the access.
registries-error-unknown-field = Name fields of the operation's response.
registries-error-already-decided = This request was decided already.
registries-error-period-in-past = The access must end in the future.
registries-error-reason-required = Give the reason for the refusal.
registries-error-deferral-invalid = A deferral needs both a date (YYYY-MM-DD) and a reason.
registries-error-schema-invalid = The schema is not a valid JSON Schema.
registries-error-register-incomplete = A register needs a code and a legal basis.

## Audit actions shown to the person (audit-<action>, see docs/i18n.md)
audit-registries-register-defined = Register defined
audit-registries-operation-defined = Register operation defined
audit-registries-access-requested = Access to a register requested
audit-registries-access-approved = Access to a register approved
audit-registries-access-refused = Access to a register refused
audit-registries-correction-requested = Correction of register data requested
audit-registries-correction-answered = Correction of register data answered
audit-registries-record-corrected = Register data corrected

## Register owners: access requests
access-title = Requests for access to your registers
access-lead = Administrations ask to query your registers. Approve access only to the fields they need and for a set period, or refuse with a reason.
access-none = No requests are waiting for a decision.
access-operation = Operation
access-legal-basis = Legal basis
access-purpose = Purpose
access-owner = Register kept by
access-fields = Fields access is given to
access-fields-hint = The fields the administration asks for are ticked. Untick those it does not need.
access-until = Access is valid until (inclusive)
access-approve = Approve access
access-reason = Reason for refusing
access-refuse = Refuse
access-done-title = The decision is recorded
access-done-approved = Access is approved for the chosen fields and period.
access-done-refused = The request is refused.
access-error-fields = Choose at least one field of the operation's answer
access-error-period = Choose a date in the future until which access is valid
access-error-reason = Give the reason for refusing
access-error-decided = This request has already been decided

## My data: the page to print
my-data-pdf = Download as PDF
my-data-pdf-title = My data and who looked at it
my-data-pdf-service = Service
my-data-print = Print or PDF version
my-data-print-title = My data and who looked at it — to print
my-data-print-made = As of
my-data-print-how = Print the page, or save it as PDF with your browser's Print.
my-data-print-back = Back to My data
