### The participation block's words in English. Ids are the keys the code uses, with dots and
### underscores written as hyphens (see docs/i18n.md).

## Errors and refusals
participation-error-not-found = There is no such process or proposal.
participation-error-forbidden = You may not do this.
participation-error-assurance-too-low = This needs a sign-in of at least substantial assurance.
participation-error-slug-invalid = The short name may have only small Latin letters, digits and hyphens.
participation-error-slug-taken = Another process already has this short name.
participation-error-title-missing = Give the process a title in Bulgarian and in English.
participation-error-phases-out-of-order = The phases' dates must follow each other: proposals, review, voting, results.
participation-error-voter-area-missing = Say who may vote: the municipality or a district.
participation-error-min-age-invalid = The minimum age must be between 0 and 120.
participation-error-budget-invalid = The budget must be a positive amount with a three-letter currency code.
participation-error-max-choices-invalid = A ballot must be able to choose at least one project.
participation-error-legal-basis-missing = Give the legal basis for checking voters in the population register.
participation-error-boundary-invalid = The boundary must be a GeoJSON Polygon or MultiPolygon.
participation-error-topics-missing = Give the process at least one topic.
participation-error-topic-duplicate = Two topics have the same code.
participation-error-stale-version = The process changed since you opened it. Look at it again.
participation-error-rules-locked = The rules cannot change: ballots have been cast.
participation-error-not-in-proposals = Proposals are not being accepted now.
participation-error-try-again = Please try again.
participation-error-proposal-title-invalid = Give the proposal a title of at most 200 characters.
participation-error-proposal-description-invalid = Describe the proposal (at most 10,000 characters).
participation-error-proposal-budget-invalid = The proposal's budget must be positive and within the process's budget.
participation-error-proposal-topics-invalid = Choose at least one of the process's topics.
participation-error-location-invalid = The location is not a valid latitude and longitude.
participation-error-support-closed = Proposals can be supported only before voting begins.
participation-error-comment-invalid = Write a comment of at most 2,000 characters.
participation-error-comments-closed = Comments are closed.
participation-error-review-reason-missing = A review needs a reason, which is published.
participation-error-review-closed = Proposals can be reviewed only before voting begins.
participation-error-review-status-invalid = A review decides: feasible, not feasible or merged.
participation-error-merge-target-invalid = A proposal can be merged only into another proposal of the same process.

## Audit actions
audit-participation-process-opened = Participatory process opened
audit-participation-rules-changed = Rules of a participatory process changed
audit-participation-proposal-submitted = Proposal submitted
audit-participation-proposal-reviewed = Proposal reviewed

## Ballots
participation-error-not-in-voting = Voting is not open now.
participation-error-already-voted = You have already voted in this process.
participation-error-phone-used = This phone number was already used by another voter of this process.
participation-error-phone-invalid = Give a Bulgarian mobile phone number.
participation-error-location-required = This process needs your location to check that you are inside its area.
participation-error-outside-boundary = Your location is outside the area of this process.
participation-error-ballot-invalid = Choose distinct projects that were found feasible in this process.
participation-error-too-many-choices = You chose more projects than this process allows.
participation-error-over-budget = The projects you chose cost more than the budget.
participation-error-change-not-allowed = This process does not allow changing a ballot.
participation-error-receipt-unknown = No ballot of yours has this receipt.

## Verification and tally
participation-error-not-resident = The population register does not show you living in the area of this process.
participation-error-under-age = You are younger than the minimum age to vote in this process.
participation-error-no-personal-id = Your account has no personal number to check in the population register.
participation-error-register-unavailable = The population register cannot be asked now. Please try again later.
participation-error-too-many-codes = Too many codes were sent. Wait a few minutes and try again.
participation-error-not-verified = Confirm first that you may vote: we send a code to your phone.
participation-error-code-wrong = The code is not right. Check the SMS and try again.
participation-error-code-expired = The code has expired or was tried too often. Ask for a new one.
participation-error-tally-not-public = The count is published when voting closes.
