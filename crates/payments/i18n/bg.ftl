### Думите на блока за плащания на български. Ключовете са тези, които кодът и шаблоните
### ползват, с точки и долни черти, изписани като тирета (виж docs/i18n.md).

## Страницата на платеца
payments-title = Моите плащания
payments-intro = Всяка такса, която администрация ви е поискала: колко, кодът за плащане, който да посочите в банката или в основанието на превода, и всяка стъпка на плащането.
payments-none = Нямате плащания.
payments-amount = Сума
payments-code = Код за плащане
payments-beneficiary = Получател
payments-iban = IBAN
payments-bic = BIC
payments-application = Заявление
payments-expires = Платете до
payments-history = Какво се случи

## Състояния
payments-state-created = Очаква плащане
payments-state-started = Плащането е започнато
payments-state-authorised = Разрешено от доставчика на картови плащания
payments-state-ordered = Наредено с банков превод
payments-state-paid = Платено
payments-state-expired = Изтекло без плащане
payments-state-cancelled = Отменено
payments-state-failed = Неуспешно
payments-state-refunded-part = Частично възстановено
payments-state-refunded = Възстановено

## Грешки
payments-error-not-found = Няма такова плащане.
payments-error-not-a-payment-client = Само система на администрация с обхват „payments“ може да иска плащания, и то само за своята администрация.
payments-error-idempotency-key-reused = Този Idempotency-Key вече е използван за друга заявка.
payments-error-idempotency-key-invalid = Idempotency-Key трябва да е от 1 до 255 видими ASCII знака.
payments-error-transition-not-allowed = Плащането не може да премине в това състояние от състоянието, в което е.
payments-error-conflict = Плащането беше променено междувременно. Прочетете го отново и опитайте пак.
payments-error-assurance-too-low = Потвърдете самоличността си с по-сигурен вход, за да видите плащанията си.
payments-error-administration-required = Посочете администрацията, на която се плаща.
payments-error-amount-invalid = Сумата трябва да е положително цяло число в най-малки единици (центове).
payments-error-currency-invalid = Валутата трябва да е код по ISO 4217, например EUR.
payments-error-reason-invalid = Посочете за какво е плащането, в най-много 140 знака.
payments-error-beneficiary-invalid = Посочете получателя, в най-много 70 знака.
payments-error-iban-invalid = IBAN не е валиден: проверете държавата, дължината и контролните цифри.
payments-error-bic-invalid = BIC трябва да е от 8 или 11 букви и цифри, например BNBGBGSD.
payments-error-obligor-invalid = Задълженото лице трябва да е с валиден ЕГН, ЛНЧ или ЕИК.
payments-error-application-ref-invalid = Препратката към заявлението трябва да е най-много 100 знака.
payments-error-expiry-invalid = Срокът трябва да е в бъдещето и до една година.
payments-error-note-invalid = Бележката трябва да е най-много 500 знака.
payments-error-refund-amount-invalid = Възстановената сума трябва да е положителна и не повече от остатъка от платената.

## Одитен журнал
audit-payments-created = Поискано плащане
audit-payments-state-changed = Променено състояние на плащане

## Плащане с карта
payments-pay-card = Плащане с карта
payments-pay-failed-title = Плащането не можа да започне
payments-error-provider-unavailable = Доставчикът на картови плащания не отговаря. Нищо не е платено; опитайте отново след няколко минути.
payments-error-not-payable = Това плащане вече не може да бъде платено.
payments-error-signature-invalid = Подписът липсва, е грешен или е твърде стар.
payments-error-callback-invalid = Известието не е от вида, който доставчикът изпраща.
payments-back-paid-title = Плащането е получено
payments-back-paid = Благодарим ви: плащането е получено. Разписката е в пощенската ви кутия за електронно връчване.
payments-back-declined-title = Картата е отказана
payments-back-declined = Нищо не е платено. Можете да опитате отново с друга карта.
payments-back-waiting-title = Очаква се потвърждение от доставчика
payments-back-waiting = Доставчикът на картови плащания още не е потвърдил плащането. Тази страница ще го покаже, щом го потвърди.
audit-payments-account-set = Зададена банкова сметка за плащания
audit-payments-callback-held = Известие от доставчика на картови плащания, задържано за решаване
payments-to-provider-title = Плащане на страницата на доставчика
payments-to-provider-body = Данните на картата се въвеждат на страницата на доставчика на картови плащания, не в Портико. След плащането ще бъдете върнати тук.
payments-to-provider-button = Към доставчика на картови плащания
payments-error-statement-invalid = Файлът не е четимо банково извлечение camt.053.
payments-error-statement-hostile = Файлът обявява DTD или същност (entity) и е отказан.
payments-error-statement-too-large = Извлечението е по-голямо от 64 MiB.
audit-payments-statement-imported = Внесено банково извлечение
