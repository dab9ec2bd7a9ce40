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
ev-check = Проверка в регистър
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
submit-button = Подай заявлението
submit-needs-totp = За да подадете заявление, настройте приложение за удостоверяване.
code-wrong = Кодът не е верен, изтекъл е или вече е използван

## Back office
office-title = Работна опашка
office-payments-link = Плащания и банкови извлечения
office-inquiries-link = Запитвания и отзиви
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
consent-status-closed = не е нужно вече (заявлението е приключено)
consent-self = Не можете да посочите себе си — посочете ЕГН на другия човек, чието съгласие е нужно
review-consents-heading = Чие съгласие ще бъде поискано
application-consenters = Чие съгласие е поискано
review-consents-body = Намерихме ги в регистрите — не е нужно да ги посочвате. Всеки ще получи искането в своя профил.
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
consent-decide-heading = Вашето решение
consent-decide-body = Потвърдете го с втория си фактор, както бихте го подписали: кода от приложението за удостоверяване или код, който ще ви изпратим.

## Result documents and their public check (/documents)
documents-title = Проверка на документ
documents-genuine-title = Документът е истински
documents-genuine-body = Файлът е точно документът, издаден чрез платформата, и подписаното удостоверение на платформата за него е валидно.
documents-altered = Този файл не е документът, издаден с този код: той е променен или е друг документ. Не му се доверявайте.
documents-not-issued = Платформата не е издавала документ с точно това съдържание. Ако файлът е променен дори с един знак, той вече не е истинският документ.
documents-unknown-code = Няма издаден документ с код за проверка
documents-issued-title = Издаден документ
documents-administration = Издаден от
documents-case-number = Заявление №
documents-decision = Решение
documents-issued-at = Издаден на
documents-code-label = Код за проверка
documents-code-hint = 16 знака, напечатани в края на документа, например 7KQM-3XPD-9WRT-HN2C.
documents-code-title = Имате само кода за проверка?
documents-find-button = Намиране
documents-upload-title = Проверете файла на документа
documents-compare-title = Сравнете вашето копие с издадения документ
documents-file-label = Файлът на документа
documents-file-hint = PDF файлът, както е получен от платформата. Файлът не се съхранява.
documents-file-missing = Изберете файла на документа
documents-check-button = Проверка
result-check-hint = Всеки, на когото покажете документа, може да провери дали е истински:
legal-deadline = Срок за решение по закон
deadline-paused = Срокът спира да тече, докато администрацията чака вашия отговор, и продължава, когато отговорите.

# Once only: under a field filled in from a base register.
prefill-source = Попълнено от регистъра: { $register }, { $date }

# The back office: checks in base registers from the case.
office-checks = Проверки в регистрите
office-checks-hint = Проверете в базовите регистри вместо да искате удостоверения от заявителя. Всяка проверка се вижда от заявителя в „Моите данни“.
office-check-run = Провери
office-check-not-run = Не е проверено
office-check-confirmed = Потвърдено
office-check-not-confirmed = Не се потвърждава
office-check-failed = Не може да се провери
office-check-failed-other = Регистърът не отговори. Опитайте отново по-късно.

## A link to the insights block's feedback page (anonymous)
application-feedback = Кажете ни какво мислите за тази услуга (анонимно)
## Таксата (електронно плащане)
fee-heading = Такса
fee-amount = Сума
fee-code = Код на плащането
fee-hint = Таксата се плаща след подаването, с карта или по банков път. Заявлението се разглежда, след като е платена.
fee-pay-heading = Платете таксата
fee-paid-heading = Таксата е платена
fee-pay-body = Заявлението очаква таксата си. Платете я сега с карта или по банков път, като посочите кода на плащането.
fee-pay-button = Плащане с карта
fee-bank-transfer = Данни за банков превод
fee-no-account = Администрацията още не може да приема плащания, затова заявлението не може да бъде подадено. Свържете се с администрацията.
fee-no-personal-id = Такса може да бъде поискана само от лице с личен идентификатор. Добавете ЕГН или ЛНЧ в профила си.

## Заявленията за една услуга, за конзолата ѝ (задача 15, т. 2)
service-deadlines-title = Срокове в процедурата
service-deadlines-process = Процедура на услугата:
service-deadlines-lead = Работните дни, които администрацията си дава във всяко състояние, вместо тези от библиотеката. Оставете празно, за да важи срокът от библиотеката. Заявленията, започнати отсега, се броят по тях; вече започнатите запазват сроковете, с които са започнали. Изборът на друга процедура връща сроковете от библиотеката.
service-deadlines-library = В библиотеката, работни дни:
service-deadlines-library-none = Библиотеката не дава срок за това състояние.
service-deadlines-save = Запазване на сроковете
service-deadlines-saved = Сроковете са запазени: заявленията, започнати отсега, се броят по тях.
service-applications-title = Заявления в ход
service-applications-back = Обратно към услугата
service-applications-lead = Всяко заявление запазва версията на формуляра, с която е започнато, докато бъде решено, така че нова версия никога не разваля започнато заявление.
service-applications-current = Най-новата версия на формуляра:
service-applications-none = Няма заявления в ход.
service-applications-started = Започнато
service-applications-version = Версия на формуляра
service-applications-older = по-ранна версия
service-applications-draft = Чернова, неподадена
