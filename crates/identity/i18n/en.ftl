### The identity block's words in English. Ids are the keys the code and
### templates use, with dots and underscores written as hyphens (see docs/i18n.md).

## Registration
register-title = Create an account
register-lead = With an account you can apply for services and follow your applications.
personal-id-kind-legend = Which personal number do you have?
personal-id-kind-egn = EGN (Bulgarian citizens)
personal-id-kind-lnch = LNCh (foreign residents)
personal-id-label = Personal number (EGN or LNCh)
personal-id-hint = 10 digits, for example 7523169263
given-name-label = First name
family-name-label = Last name
email-label = Email address
email-hint = We will use this to send you notifications and sign-in links.
phone-label = Mobile phone (optional)
phone-hint = For sign-in codes by SMS, for example 0888 123 456
password-label = Password
password-hint = At least 12 characters. A long phrase is safer than a short complex word.
password-confirm-label = Confirm your password
register-submit = Create account
personal-id-missing = Enter your personal number
personal-id-taken = An account with this personal number already exists — sign in instead
given-name-missing = Enter your first name
family-name-missing = Enter your last name
name-too-long = The name must be 100 characters or fewer
email-missing = Enter your email address
email-invalid = Enter an email address in the correct format, like name@example.com
email-taken = An account with this email address already exists — sign in instead
phone-invalid = Enter a phone number, like 0888 123 456 or +359 888 123 456
password-too-short = The password must be at least 12 characters
password-too-long = The password must be 256 characters or fewer
password-mismatch = The passwords do not match

## Sign-in
login-title = Sign in
identifier-label = Email address or personal number
login-submit = Continue
login-no-account = No account yet?
login-wrong-credentials = The email address, personal number or password is not correct
login-wrong-credentials-delay = Too many failed attempts. Wait and try again in (seconds):
second-factor-title = Confirm it is you
second-factor-lead = Give a second factor to finish signing in.
code-label = Code from your authenticator app
code-hint = 6 digits. You can also enter a recovery code.
code-submit = Sign in
code-wrong = The code is wrong, has expired or has already been used
other-factors = Other ways
send-email-link = Email me a sign-in link
send-sms-code = Text me a code
email-sent-title = Check your email
email-sent-body = We have sent you a sign-in link. Open it in this browser within 15 minutes.
email-link-subject = Вход в Портико / Sign in to Portico
email-link-invalid-title = This link does not work
email-link-invalid-body = The link has expired, has been used, or was opened in another browser. Start signing in again.
sms-sent-title = Enter the code from the text message
sms-code-label = Code from the text message
sms-code-hint = 6 digits. The code works for 5 minutes.
no-phone = Your account has no phone number.
restart-sign-in = Start signing in again

## Account
account-title = My account
account-details = Your details
account-name = Name
account-personal-id = Personal number
account-email = Email
account-phone = Phone
account-security = Security
totp-status-on = Authenticator app: on
totp-status-off = Authenticator app: not set up
totp-set-up = Set up an authenticator app
totp-remove = Remove the authenticator app
totp-remove-confirm = To remove the app, enter a code from it or a recovery code.
sessions-active = Active sessions
sign-out-everywhere = Sign out everywhere
activity-title = Recent activity on your account
activity-when = When
activity-what = What
roles-title = Roles
staff-hint = Staff account

## TOTP enrolment
totp-title = Set up an authenticator app
totp-step1 = Open an authenticator app on your phone (for example FreeOTP, Aegis or Google Authenticator) and scan the code.
totp-qr-alt = QR code for your authenticator app
totp-manual = If you cannot scan it, enter this key:
totp-step2 = Enter the 6-digit code the app shows.
totp-submit = Confirm
totp-already-enrolled = You already have an authenticator app set up
totp-skip = Skip for now — I will sign in with an email link
recovery-title = Save your recovery codes
recovery-body = If you lose your phone you can sign in with one of these codes. Each works once. Write them down and keep them safe — we will not show them again.
recovery-done = I have saved them, continue
totp-enrolled-banner = Your authenticator app is set up.
totp-removed-banner = Your authenticator app has been removed.
signed-out-everywhere-banner = You have been signed out everywhere.

## Administrations joining the platform
name-bg-missing = Enter the name in Bulgarian
name-en-missing = Enter the name in English
eik-taken = An administration with this EIK/BULSTAT has already joined

## Audit actions shown to the person (audit-<action>, see docs/i18n.md)
audit-identity-registered = Account created
audit-identity-sign-in = Signed in
audit-identity-sign-in-failed = Failed sign-in attempt
audit-identity-second-factor-failed = Wrong second factor
audit-identity-totp-enrolled = Authenticator app set up
audit-identity-totp-removed = Authenticator app removed
audit-identity-recovery-codes-generated = Recovery codes created
audit-identity-recovery-code-used = Recovery code used
audit-identity-signed-out-everywhere = Signed out everywhere
audit-identity-role-granted = Role granted
audit-identity-role-revoked = Role removed
audit-identity-staff-created = Staff account created
audit-identity-second-factor-sent = Sign-in code sent
audit-identity-administration-created = Administration joined
audit-identity-unit-created = Unit created

## Merged from other work (ground, step-up, evidence)
role-operator = Operator
role-administration-admin = Administration admin
role-register-owner = Register owner
role-identity-verifier = Identity verifier
role-platform-admin = Platform admin
audit-identity-step-up = Confirmed with the second factor
audit-identity-step-up-code-sent = Confirmation code sent
step-up-no-phone = Your account has no phone number — choose a code by email
step-up-unknown-purpose = We cannot send a code for this action
assurance-title = Level of assurance
assurance-identity = Identity (personal number)
assurance-session = This sign-in
verified-at-counter = Verified at a counter
verified-by-role = by an identity verifier
document-kind-identity-card = identity card
document-kind-passport = passport
document-kind-residence-permit = residence permit
audit-identity-verified-at-counter = Identity verified at a counter
verify-title = Identity check at a counter
verify-lead = Find the person's account by their personal number, check their identity document in person, and mark the number as verified.
verify-find = Find the account
verify-not-found = There is no account with this personal number.
verify-check-title = Check the identity document
verify-check-lead = Check that the person in front of you is the one in the document and that the document's number matches the account's personal number. The document number is kept only as a protected fingerprint.
verify-document-kind = Kind of document
verify-document-number = Document number
verify-checked-in-person = I checked the document and the person in person
verify-submit = Mark as verified
verify-done-banner = The identity is marked as verified.
verify-release-title = The account is not this person's
verify-release-lead = If the document shows the number is the person's in front of you but someone else made this account, take the number off the account. The person can then register with their number and have it verified here.
verify-release-submit = Take the claimed number off the account
verify-released-banner = The claimed number was taken off the account.
audit-identity-claim-released = The claimed personal number was taken off the account at a counter
document-number-invalid = Enter the document's number (up to 40 characters)

## Sign-in with a qualified certificate (cert-…)
cert-login-title = Sign in with a certificate
cert-login-lead = Use your electronic identity card or a qualified electronic signature (QES) certificate. Your identity is then proven at the highest level (high).
cert-login-how = Put the card in its reader (or have the certificate installed in your browser) and press the button; your browser asks you to choose the certificate and may ask for its PIN.
cert-login-submit = Sign in with my certificate
cert-login-password-instead = Sign in with a password instead
cert-login-link = Sign in with a certificate (eID card, QES)
cert-refused-title = Your certificate was not accepted
cert-refused-nothing-done = You have not been signed in and nothing was changed.
cert-refused-try-again = Try another certificate
cert-refused-no-certificate = Your browser did not present a certificate. Check that the card is in its reader, or that the certificate is installed in your browser, and choose it when asked.
cert-refused-untrusted-header = The certificate did not reach us through our own secure connection, so it cannot be believed.
cert-refused-unparsable = The certificate could not be read.
cert-refused-unknown-ca = The certificate was not issued by a certification authority we trust.
cert-refused-not-yet-valid = The certificate is not valid yet.
cert-refused-expired = The certificate has expired. Renew it with its issuer.
cert-refused-revoked = The certificate has been revoked by its issuer.
cert-refused-revocation-unknown = We cannot check right now whether the certificate has been revoked. Try again later.
cert-refused-no-identifier = The certificate does not name a Bulgarian personal number (EGN or LNCh), identity card or passport.
cert-refused-bad-identifier = The personal number in the certificate is not valid.
cert-refused-unknown-document = The certificate names an identity document that we do not know yet. Have your identity checked at a counter with that document first, or use a certificate with your personal number.
cert-refused-account-disabled = The account for this personal number is disabled.
audit-identity-certificate-refused = Certificate not accepted
audit-identity-claim-released-by-certificate = The claimed personal number was taken off the account: its owner signed in with a certificate
