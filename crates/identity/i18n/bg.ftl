### The identity block's words in Bulgarian. Ids are the keys the code and
### templates use, with dots and underscores written as hyphens (see docs/i18n.md).

## Registration
register-title = Създаване на профил
register-lead = С профил можете да подавате заявления и да следите напредъка им.
personal-id-kind-legend = Какъв документ за самоличност имате?
personal-id-kind-egn = ЕГН (български граждани)
personal-id-kind-lnch = ЛНЧ (чужденци)
personal-id-label = ЕГН или ЛНЧ
personal-id-hint = 10 цифри, например 7523169263
given-name-label = Собствено име
family-name-label = Фамилно име
email-label = Имейл адрес
email-hint = Ще го използваме, за да ви изпращаме известия и връзки за вход.
phone-label = Мобилен телефон (по желание)
phone-hint = За кодове за вход по SMS, например 0888 123 456
password-label = Парола
password-hint = Поне 12 знака. Дълга фраза е по-сигурна от кратка сложна дума.
password-confirm-label = Повторете паролата
register-submit = Създай профил
personal-id-missing = Въведете вашето ЕГН или ЛНЧ
personal-id-taken = Вече има профил с това ЕГН/ЛНЧ — влезте в него
given-name-missing = Въведете собственото си име
family-name-missing = Въведете фамилното си име
name-too-long = Името трябва да е до 100 знака
email-missing = Въведете имейл адрес
email-invalid = Въведете имейл адрес във вида name@example.bg
email-taken = Вече има профил с този имейл адрес — влезте в него
phone-invalid = Въведете телефонен номер, например 0888 123 456 или +359 888 123 456
password-too-short = Паролата трябва да е поне 12 знака
password-too-long = Паролата трябва да е до 256 знака
password-mismatch = Паролите не съвпадат

## Sign-in
login-title = Вход
identifier-label = Имейл адрес или ЕГН/ЛНЧ
login-submit = Продължи
login-no-account = Нямате профил?
login-wrong-credentials = Имейлът/ЕГН или паролата не са верни
login-wrong-credentials-delay = Твърде много неуспешни опити. Изчакайте и опитайте отново след (секунди):
second-factor-title = Потвърдете, че сте вие
second-factor-lead = Въведете втори фактор, за да завършите влизането.
code-label = Код от приложението за удостоверяване
code-hint = 6 цифри. Можете да въведете и резервен код.
code-submit = Влез
code-wrong = Кодът не е верен, изтекъл е или вече е използван
other-factors = Други начини
send-email-link = Изпрати ми връзка за вход по имейл
send-sms-code = Изпрати ми код по SMS
email-sent-title = Проверете имейла си
email-sent-body = Изпратихме ви връзка за вход. Отворете я в този браузър в следващите 15 минути.
email-link-subject = Вход в Портико / Sign in to Portico
email-link-invalid-title = Връзката не работи
email-link-invalid-body = Връзката е изтекла, вече е използвана или е отворена в друг браузър. Започнете влизането отново.
sms-sent-title = Въведете кода от SMS
sms-code-label = Код от SMS
sms-code-hint = 6 цифри. Кодът е валиден 5 минути.
no-phone = Нямате въведен телефон в профила.
restart-sign-in = Започнете влизането отначало

## Account
account-title = Моят профил
account-details = Данни
account-name = Име
account-personal-id = ЕГН/ЛНЧ
account-email = Имейл
account-phone = Телефон
account-security = Сигурност
totp-status-on = Приложение за удостоверяване: включено
totp-status-off = Приложение за удостоверяване: не е настроено
totp-set-up = Настрой приложение за удостоверяване
totp-remove = Премахни приложението за удостоверяване
totp-remove-confirm = За да премахнете приложението, въведете код от него или код за възстановяване.
sessions-active = Активни сесии
sign-out-everywhere = Излез от всички устройства
activity-title = Последни действия с профила
activity-when = Кога
activity-what = Какво
roles-title = Роли
staff-hint = Служебен профил

## TOTP enrolment
totp-title = Настройте приложение за удостоверяване
totp-step1 = Отворете приложение за удостоверяване на телефона си (например FreeOTP, Aegis или Google Authenticator) и сканирайте кода.
totp-qr-alt = QR код за приложението за удостоверяване
totp-manual = Ако не можете да сканирате, въведете този ключ:
totp-step2 = Въведете 6-цифрения код, който приложението показва.
totp-submit = Потвърди
totp-already-enrolled = Вече имате настроено приложение за удостоверяване
totp-skip = Пропусни засега — ще влизам с връзка по имейл
recovery-title = Запазете резервните си кодове
recovery-body = Ако загубите телефона си, можете да влезете с един от тези кодове. Всеки работи веднъж. Запишете ги и ги пазете на сигурно място — няма да ги покажем отново.
recovery-done = Записах ги, продължи
totp-enrolled-banner = Приложението за удостоверяване е настроено.
totp-removed-banner = Приложението за удостоверяване е премахнато.
signed-out-everywhere-banner = Излязохте от всички устройства.

## Administrations joining the platform
name-bg-missing = Въведете наименованието на български
name-en-missing = Въведете наименованието на английски
eik-taken = Вече има администрация с този ЕИК/БУЛСТАТ

## Audit actions shown to the person (audit-<action>, see docs/i18n.md)
audit-identity-registered = Създаден профил
audit-identity-sign-in = Вход
audit-identity-sign-in-failed = Неуспешен опит за вход
audit-identity-second-factor-failed = Грешен втори фактор
audit-identity-totp-enrolled = Настроено приложение за удостоверяване
audit-identity-totp-removed = Премахнато приложение за удостоверяване
audit-identity-recovery-codes-generated = Създадени резервни кодове
audit-identity-recovery-code-used = Използван резервен код
audit-identity-signed-out-everywhere = Изход от всички устройства
audit-identity-role-granted = Дадена роля
audit-identity-role-revoked = Отнета роля
audit-identity-staff-created = Създаден служебен профил
audit-identity-second-factor-sent = Изпратен код за вход
audit-identity-administration-created = Присъединена администрация
audit-identity-unit-created = Създадено звено

## Merged from other work (ground, step-up, evidence)
role-operator = Служител
role-administration-admin = Администратор на администрацията
role-register-owner = Собственик на регистър
role-identity-verifier = Служител за проверка на самоличност
role-platform-admin = Администратор на платформата
audit-identity-step-up = Потвърждение с втори фактор
audit-identity-step-up-code-sent = Изпратен код за потвърждение
step-up-no-phone = Нямате телефонен номер в профила си — изберете код по имейл
step-up-unknown-purpose = Не можем да изпратим код за това действие
assurance-title = Ниво на осигуреност
assurance-identity = Самоличност (личен номер)
assurance-session = Този вход
verified-at-counter = Проверена на гише
verified-by-role = от служител за проверка на самоличност
document-kind-identity-card = лична карта
document-kind-passport = паспорт
document-kind-residence-permit = разрешение за пребиваване
audit-identity-verified-at-counter = Самоличността е проверена на гише
verify-title = Проверка на самоличност на гише
verify-lead = Намерете профила на лицето по личния му номер, проверете документа му за самоличност лично и отбележете номера като проверен.
verify-find = Намери профила
verify-not-found = Няма профил с този личен номер.
verify-check-title = Проверете документа за самоличност
verify-check-lead = Проверете, че лицето пред вас е това от документа и че номерът в документа съвпада с личния номер на профила. Номерът на документа се пази само като защитен отпечатък.
verify-document-kind = Вид документ
verify-document-number = Номер на документа
verify-checked-in-person = Проверих документа и лицето лично
verify-submit = Отбележи като проверена
verify-done-banner = Самоличността е отбелязана като проверена.
verify-release-title = Профилът не е на това лице
verify-release-lead = Ако документът показва, че номерът е на лицето пред вас, но профилът е създаден от някой друг, махнете номера от профила. Лицето може след това да се регистрира със своя номер и да го потвърди тук.
verify-release-submit = Махни заявения номер от профила
verify-released-banner = Заявеният номер е махнат от профила.
audit-identity-claim-released = Заявеният личен номер е махнат от профила на гише
document-number-invalid = Въведете номера на документа (до 40 знака)

## Вход с квалифициран сертификат (cert-…)
cert-login-title = Вход със сертификат
cert-login-lead = Използвайте електронната си лична карта или сертификат за квалифициран електронен подпис (КЕП). Така самоличността ви е доказана на най-високото ниво (високо).
cert-login-how = Поставете картата в четеца (или инсталирайте сертификата в браузъра си) и натиснете бутона; браузърът ще ви помоли да изберете сертификата и може да поиска ПИН.
cert-login-submit = Вход с моя сертификат
cert-login-password-instead = Вход с парола
cert-login-link = Вход със сертификат (електронна лична карта, КЕП)
cert-refused-title = Сертификатът ви не беше приет
cert-refused-nothing-done = Не сте влезли и нищо не е променено.
cert-refused-try-again = Опитайте с друг сертификат
cert-refused-no-certificate = Браузърът не представи сертификат. Проверете дали картата е в четеца или сертификатът е инсталиран в браузъра и го изберете, когато бъдете попитани.
cert-refused-untrusted-header = Сертификатът не стигна до нас през нашата защитена връзка, затова не може да му се вярва.
cert-refused-unparsable = Сертификатът не може да бъде прочетен.
cert-refused-unknown-ca = Сертификатът не е издаден от удостоверител, на когото имаме доверие.
cert-refused-not-yet-valid = Сертификатът все още не е валиден.
cert-refused-expired = Сертификатът е изтекъл. Подновете го при издателя му.
cert-refused-revoked = Сертификатът е прекратен (отменен) от издателя му.
cert-refused-revocation-unknown = В момента не можем да проверим дали сертификатът е прекратен. Опитайте отново по-късно.
cert-refused-no-identifier = Сертификатът не съдържа български ЕГН или ЛНЧ, лична карта или паспорт.
cert-refused-bad-identifier = Личният номер в сертификата не е валиден.
cert-refused-unknown-document = Сертификатът съдържа документ за самоличност, който още не познаваме. Първо проверете самоличността си на гише с този документ или използвайте сертификат с личния си номер.
cert-refused-account-disabled = Профилът с този личен номер е спрян.
audit-identity-certificate-refused = Сертификатът не е приет
audit-identity-claim-released-by-certificate = Заявеният личен номер е махнат от профила: притежателят му влезе със сертификат
