### The catalog block's words in English. Ids are the keys the code and
### templates use, with dots and underscores written as hyphens (see docs/i18n.md).

## Home and search
search-label = Search for a service
search-hint = For example ‘address registration’ or ‘certificate of heirs’
search-submit = Search
search-title = Services
search-results-for = Results for
search-count = Services found:
search-none = No services found. Check the spelling or try more general words.
administration-label = Administration
administration-any = All administrations
topic-label = Topic
topic-any = All topics
filter-submit = Apply filters
home-topics = Services by topic
home-life-events = Services by life event
page-previous = Previous page
page-next = Next page
provided-by = Provided by

## The service page
service-description = Description
service-who = Who can apply
service-documents = Documents you need
service-facts = At a glance
service-administration = Administration
service-legal-basis = Legal basis
service-deadline = Time to decide
service-deadline-days =
    { $count ->
        [one] { $count } working day
       *[other] { $count } working days
    }
service-fee = Fee
service-free = Free of charge
service-payment = How to pay
service-delivery = How you get the result
service-topic = Topic
service-life-event = Life event
service-contact = Contact
service-contact-phone = Phone
service-contact-email = Email
service-contact-address = Address
service-contact-hours = Opening hours
service-start = Start now
service-start-hint = You will need to sign in. You can save your application and come back to it later.
service-no-online = This service cannot be applied for online yet.

## Adoption
adopt-title = Add a service from the catalog
adopt-lead = Choose a shared service and change only what is different for you. The rest (form, process, legal basis) comes from the catalog.
adopt-choose-administration = Which administration are you adding a service for?
template-label = Service from the catalog
slug-label = Web address of the service page
slug-hint = Lower-case Latin letters, digits and hyphens. It will be /services/…
fee-label = Fee (in euro)
fee-hint = For example 5.00. Leave empty to use the catalog's fee:
fee-note-bg-label = How the fee is set (in Bulgarian)
fee-note-en-label = How the fee is set (in English)
deadline-label = Time to decide, in working days
deadline-hint = Leave empty to use the catalog's time:
units-legend = Which units work the applications?
units-hint = Select all that apply.
contact-phone-label = Contact phone
contact-email-label = Contact email
contact-address-bg-label = Contact address (in Bulgarian)
contact-address-en-label = Contact address (in English)
adopt-submit = Publish the service
adopted-banner = The service is published.
catalog-title-missing = Enter a title in Bulgarian and English
catalog-fee-invalid = Enter the fee as an amount, like 5.00
catalog-deadline-invalid = The time must be a whole number of working days between 0 and 365
catalog-topic-unknown = Select a topic from the list
catalog-life-event-unknown = Select a life event from the list
catalog-code-unknown = Select from the list
catalog-slug-invalid = The address can only contain lower-case Latin letters, digits and hyphens
catalog-slug-taken = There is already a service at this address — choose another
catalog-template-already-adopted = The administration already provides this service
catalog-template-key-taken = There is already a template with this key
catalog-template-missing = Select a service from the catalog
catalog-unit-unknown = Select units from the list
catalog-email-invalid = Enter an email address in the correct format, like name@example.com

## Form pages
form-choose-placeholder = Select
date-day = Day
date-month = Month
date-year = Year
form-check = Check
form-preview-title = Form preview
form-preview-lead = This is how the step looks to an applicant. Checking saves nothing.
form-preview-ok = The step is filled in correctly. Nothing was saved.
form-version = Version
form-step-progress = Step { $number } of { $count }
form-file-limits = { $types }, up to { $size }
form-steps = Steps

## Form messages by code
form-required = Enter { $label-lower }
form-consent-not-found = The register cannot say who must consent — enter { $label-lower }
form-choose = Select an answer to ‘{ $label }’
form-confirm = Select ‘{ $label }’ to continue
form-invalid = ‘{ $label }’ is not valid
form-too-long = ‘{ $label }’ must be { $max } characters or fewer
form-too-short = ‘{ $label }’ must be { $min } characters or more
form-pattern = Enter { $label-lower } in the correct format
form-too-small = ‘{ $label }’ must be { $min } or more
form-too-large = ‘{ $label }’ must be { $max } or less
form-too-many = ‘{ $label }’: { $max } at most
form-number-invalid = ‘{ $label }’ must be a number
form-option-unknown = Select one of the answers to ‘{ $label }’
form-address-unknown = Select an address from the list
form-date-invalid = ‘{ $label }’ must be a real date, like 27 3 2007
form-date-past = ‘{ $label }’ must be in the past
form-date-future = ‘{ $label }’ must be in the future
form-egn-too-old = ‘{ $label }’: the EGN must belong to someone under { $age }
form-file-required = Select a file for ‘{ $label }’
form-file-type = The selected file must be a { $types }
form-file-too-big = The selected file must be smaller than { $size }
form-file-empty = The selected file is empty
form-file-mislabelled = The selected file's content is not a { $types } — choose a real file of that kind
form-file-quota = One application can hold at most 20 files and 50 MB in all — replace or remove one of the files

## Audit actions shown to people (audit-<action>, see docs/i18n.md)
audit-catalog-synonym-added = Search synonym added
audit-catalog-synonym-removed = Search synonym removed
audit-catalog-service-created = Service published
audit-catalog-service-adopted = Service adopted from the catalog
audit-catalog-template-created = Service template created
audit-catalog-form-published = Form version published
audit-catalog-nomenclature-updated = Nomenclature updated

## The fixed vocabularies of crates/catalog/src/topics.rs: <list>-<code>
topic-civil-status = Civil registration
topic-address = Address registration
topic-construction = Construction and planning
topic-local-taxes = Local taxes and fees
topic-property = Municipal property
topic-business = Business and trade
topic-social = Social services
life-event-moving-home = Moving home
life-event-birth = Having a child
life-event-marriage = Getting married
life-event-death = Death of a relative
life-event-building-a-home = Building a home
life-event-owning-property = Owning property or a vehicle
life-event-starting-a-business = Starting a business
payment-card = By card online
payment-epay = Through ePay or a payment point
payment-bank-transfer = By bank transfer
payment-cash = In cash at the counter
delivery-edelivery = To your Portico eDelivery mailbox
delivery-email = By email
delivery-post = By registered post
delivery-counter = At the service centre counter

## Components (issue 7)
console-title = Console
console-lead = The services of the administrations you manage, and what you can do with them.
console-services = Services
console-no-services = No services published yet.
console-adopt = Add a service from the shared catalog
console-queue = The administration's work queue
console-figures = Counter, post and cost figures
console-api-clients = API clients for your systems
console-webhooks = Webhook endpoints of your systems (eDelivery)
console-participation = Participatory budgets and public consultations
console-access-requests = Requests for access to your registers
console-all-access-requests = Requests for access to every register
console-administrations = Add an administration, or see every one on the platform
console-people = Units, staff and invitations
console-tasks = Tasks
service-before-start = Before you start
service-need-sign-in = You will sign in with a password and a second factor. If you have no account, you can create one in a few minutes with your EGN or, if you are a foreign national, your LNCh (personal number of a foreigner).
service-need-confirm = You confirm the application with a code: from an authenticator app, or one we send you by email or text message.
service-need-egn-of = The EGN of
service-need-egn-when = — if their consent is needed, they give it in their own account.
search-did-you-mean = Did you mean:
search-none-try = Try this
search-none-spelling = Check the spelling, or type the word in Cyrillic.
search-none-fewer = Use fewer or more general words, like "certificate" or "tax".
search-none-browse = Browse services by topic:
catalog-synonym-term-one-word = The word must be one word
catalog-synonym-means-words = Give one to ten words it also means
catalog-nomenclature-unknown = The list must exist and replace a list the service's form chooses from

## Search synonyms (/admin/search/synonyms)
synonyms-title = Search synonyms
synonyms-back = Back to the console
synonyms-lead = Words people type that should also find other words: "паркинг" also finds "паркиране". Yours are used beside the list that ships with Portico, on every node within seconds.
synonyms-add-heading = Add a synonym
term-label = The word people type
term-hint = One word, for example паркинг
means-label = What it also means
means-hint = One to ten words, separated by spaces, for example паркиране паркомясто
synonyms-both-ways = Each of those words also means the first one
synonyms-add = Add the synonym
synonyms-added-heading = Synonyms added here
synonyms-none = None added yet.
synonyms-means = Also means
synonyms-actions = Action
synonyms-remove = Remove
synonyms-shipped-heading = The list that ships with Portico
synonym-added-banner = The synonym has been added.
synonym-removed-banner = The synonym has been removed.
console-synonyms = Search synonyms

## The service console (issue 15, item 2)
service-console-title = Service console
service-console-back = Back to the console
service-console-publication = Publication
service-console-status-published = Published
service-console-status-unpublished = Not published
service-console-public-page = See the service page
service-console-unpublish-hint = If you withdraw the service, people can no longer find it or start an application. Applications already started can still be finished and worked.
service-console-unpublish = Withdraw the service
service-console-publish-hint = The service is not in the catalog. Publish it when its details are right.
service-console-publish = Publish the service
service-console-applications = Open applications and the form version each uses
service-console-local = What is your own
service-console-local-lead = The form, the process and the legal basis come from the shared catalog. Change here what is different for your administration. Applications already started keep the form they were started with.
service-console-fee-label = Fee (in euro)
service-console-fee-hint = For example 5.00. Enter 0 if the service is free of charge.
service-console-main-unit-label = Unit that receives the applications
service-console-main-unit-hint = Every new application goes to this unit's queue.
service-console-main-unit-hint-routed = The form sends each application to the unit of the address it names; applications it cannot place go to this unit.
service-console-main-unit-none = Not chosen
service-console-payment-options-legend = How people can pay
service-console-delivery-channels-legend = How people receive the result
service-console-documents-legend = Documents people must attach or bring
service-console-documents-hint = One document a line, the same lines in both languages.
service-console-documents-bg-label = In Bulgarian
service-console-documents-en-label = In English
service-console-contact = Contact and opening hours
contact-hours-bg-label = Opening hours (in Bulgarian)
contact-hours-en-label = Opening hours (in English)
service-console-save = Save the changes
service-console-saved = The changes are saved and shown on the service page.
service-console-published = The service is published.
service-console-unpublished = The service is withdrawn: it takes no new applications.
catalog-payment-missing = Select at least one way to pay, or set the fee to 0
catalog-delivery-missing = Select at least one way to receive the result
catalog-documents-unpaired = Give each document in both languages, one a line, the same number of lines
audit-catalog-service-changed = Service details changed
audit-catalog-service-published = Service published
audit-catalog-service-unpublished = Service withdrawn

## The form and process of a service (service console)
service-console-form-process = Form and process
service-console-form-version = New applications are filled in on version
service-console-edit-form = Change the form
service-console-process-legend = Process of the applications
service-console-process-hint = New applications follow the process chosen; those already started finish on theirs. The deadline for a decision in working days is under "Deadline" below.
service-console-process-save = Save the process
service-console-process-saved = The process is saved: new applications follow it.
catalog-process-unknown = Choose a process from the list
catalog-process-form-needs-consents = The form asks people it names for consent: choose a process with consents, or take the consents out of the form first
service-form-title = The service's form
service-form-back = Back to the service
service-form-current-version = New applications are filled in on version
service-form-lead = A form is a JSON Schema (what data is collected) and a layout (steps, fields, labels in Bulgarian and English). "Preview" shows the form as an applicant sees it without saving it; "Publish" makes a new version. Applications already started finish on the version they started with.
service-form-shared = This form is shared with other services. The first publish gives this service its own copy; the other services do not change.
service-form-schema-label = Schema (JSON Schema 2020-12)
service-form-schema-hint = An object with a property for each field and a required list.
service-form-layout-label = Layout (JSON)
service-form-layout-hint = Steps (steps) with fields (fields): name, widget, label with bg and en.
service-form-preview = Preview
service-form-publish = Publish
service-form-published = The new version of the form is published: new applications are filled in on it.
service-form-preview-heading = As the applicant sees it
service-form-preview-lead = The fields here are for preview only.
catalog-form-schema-json = The schema is not valid JSON
catalog-form-layout-json = The layout is not valid JSON
catalog-form-refused = The form cannot be published: the schema and the layout do not fit each other, or the schema is not valid (the reason is under the field)
catalog-form-unknown-nomenclature = A field chooses from a nomenclature that has no entries
catalog-form-consents-need-process = The form asks for consents, but the service's process does not wait for them: choose a process with consents first
audit-catalog-service-form-changed = New version of a service's form
audit-catalog-service-process-changed = Process of a service changed
