### The cases block's words in Bulgarian. Ids are the keys the code and
### templates use, with dots and underscores written as hyphens (see docs/i18n.md).

## Applicant
my-applications = Моите заявления
no-applications = Все още нямате заявления.
find-service = Намерете услуга
col-number = Номер
col-service = Услуга
col-status = Състояние
col-updated = Последна промяна
col-deadline = Срок
col-applicant = Заявител
col-assigned = Поето от
draft-label = Чернова
continue-draft = Продължете попълването
application-title = Заявление
tracking-number = Номер за проследяване
submitted-panel-title = Заявлението е подадено
submitted-panel-body = Вашият номер за проследяване е
receipt-what-next = Какво следва
receipt-next-body = Ще ви уведомяваме по имейл и в профила ви при всяка промяна. Срокът за отговор е до
receipt-signed = Подписан запис за подаването (SHA-256)
timeline = История
ev-submitted = Заявлението е подадено
ev-message = Съобщение
ev-assigned = Поето от служител
ev-note = Вътрешна бележка
respond-title = Администрацията иска допълнителна информация
respond-label = Вашият отговор
respond-submit = Изпрати отговора
respond-missing = Напишете отговора си
withdraw-button = Оттегли заявлението
result-download = Изтеглете резултата
consents-title = Искания за съгласие
no-consents = Няма искания, които чакат вашето съгласие.
consent-role-owner = като собственик на жилището
consent-role-parent = като родител на детето
consent-body = подаде заявление и ви посочи като
consent-give = Давам съгласие
consent-refuse = Не давам съгласие
consent-done = Решението ви е записано. Заявителят е уведомен.
consent-address = Адрес
consent-service = Услуга
consent-role-label = Качество
office-take-first = Поемете заявлението, за да работите по него.
notifications-title = Известия

## Filling in and submitting
step-of = Стъпка
step-of-sep = от
back = Назад
save-continue = Запази и продължи
draft-saved-hint = Отговорите се запазват след всяка стъпка. Можете да продължите по-късно от „Моите заявления“.
review-title = Проверете отговорите си, преди да подадете заявлението
review-change = Промяна
submit-heading = Подаване
submit-body = С подаването потвърждавате, че данните са верни. Подаването се подписва с вашия втори фактор.
submit-code-label = Код от приложението за удостоверяване
submit-button = Подай заявлението
submit-needs-totp = За да подадете заявление, настройте приложение за удостоверяване.
totp-set-up-link = Настройте го сега
code-wrong = Кодът не е верен, изтекъл е или вече е използван

## Back office
office-title = Работна опашка
office-empty = Няма заявления в опашката.
office-overdue = Просрочено
office-unit = Звено
office-claim = Поеми заявлението
office-claimed-by-you = Вие работите по заявлението.
office-claimed-by-other = По заявлението работи друг служител.
office-assign-label = Възложи на служител
office-assign-submit = Възложи
assign-not-an-operator = Изберете служител, който работи в звеното на заявлението
office-notes = Вътрешни бележки
office-note-label = Нова бележка (вижда се само от служители)
office-note-submit = Добави бележка
note-missing = Напишете бележката
office-actions = Действия
office-reason-label = Мотиви (ще бъдат изпратени на заявителя)
office-message-label = Какво трябва да изпрати заявителят
office-answers = Данни от заявлението
office-attachments = Приложени документи
office-consents = Съгласия
office-done = Приключени
consent-status-pending = очаква се
consent-status-given = дадено
consent-status-refused = отказано
transition-not-allowed = Това действие не е възможно в текущото състояние на заявлението
transition-wrong-actor = Нямате право да извършите това действие
transition-missing-reason = Напишете мотивите
transition-missing-message = Напишете какво трябва да изпрати заявителят
transition-missing-result-document = Липсва документът с резултата
transition-not-assigned = Първо поемете заявлението
transition-unknown = Няма такова действие
transition-unknown-state = Заявлението е в непознато състояние

## Audit actions shown to the person (audit-<action>, see docs/i18n.md)
audit-cases-submitted = Подадено заявление
audit-cases-transition = Променено състояние на заявление
audit-cases-assigned = Заявление, поето от служител
audit-cases-consent = Решение по искане за съгласие

## Merged from other work (ground, step-up, evidence)
result-jws-download = Изтеглете подписаното удостоверение (JWS)
result-in-mailbox = Резултатът е изпратен в пощенската Ви кутия: отворете съобщението
receipt-jws-download = Изтеглете подписания запис (JWS)
submit-code-hint = 6 цифри. Можете да въведете и резервен код или код, който ви изпратим по имейл или SMS.
submit-sent-code-label = Код за потвърждение
submit-sent-code-hint = 6 цифри от имейла или SMS-а, който ви изпратим. Кодът е валиден 5 минути и се използва веднъж.
step-up-without-app = Нямате приложение за удостоверяване? Натиснете „Изпратете ми код по имейл“ (или по SMS), въведете получения код и подайте заявлението. Или настройте приложение за следващия път.
step-up-send-email = Изпратете ми код по имейл
step-up-send-sms = Изпратете ми код по SMS
step-up-sent-email = Изпратихме ви код по имейл. Въведете го по-долу до 5 минути.
step-up-sent-sms = Изпратихме ви код по SMS. Въведете го по-долу до 5 минути.
consent-status-closed = не е нужно вече (заявлението е приключено)
consent-self = Не можете да посочите себе си — посочете ЕГН на другия човек, чието съгласие е нужно
consent-heading = Съгласие за
decision-banner-title = Решение по заявлението
confirm-warning = Внимание
confirm-cancel = Отказ, върнете се
confirm-decision-title = Сигурни ли сте:
confirm-decision-body = Решението не може да бъде отменено. Заявителят ще бъде уведомен веднага.
confirm-withdraw-title = Да оттеглите ли заявлението?
confirm-withdraw-body = Оттеглянето не може да бъде отменено: заявлението няма да бъде разгледано и ще трябва да подадете ново.
confirm-refuse-consent-title = Да откажете ли съгласието си?
confirm-refuse-consent-body = Отказът не може да бъде отменен: заявлението на другия човек ще бъде отказано.
