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

## The back office: the administration's payments
payments-office-title = Плащания
payments-office-intro = Плащанията, поискани от вашата администрация: филтрирайте ги, отворете някое, за да видите историята му или да го възстановите, изтеглете ги като CSV.
payments-office-reconciliation = Съгласуване на банкови извлечения
payments-office-upload = Качване на банково извлечение
payments-office-filter = Филтриране на плащанията
payments-office-administration = Администрация
payments-office-state = Състояние
payments-office-any = Всички
payments-office-from = Поискани от (дата)
payments-office-to = Поискани до (дата)
payments-office-service = Услуга или основание
payments-office-apply = Покажи
payments-office-export = Изтегляне на тези плащания като CSV
payments-office-none = Няма плащане, което да отговаря.
payments-office-newest = Показани са само най-новите 200; в CSV файла са всички.
payments-office-reason = Основание
payments-office-created = Поискано на
payments-office-obligor = Задължено лице
payments-office-refunded-sum = Възстановено
payments-office-date-invalid = Въведете дата, например 2026-12-03.
payments-office-range-invalid = Крайната дата не може да е преди началната.
payments-office-refund = Възстановяване
payments-office-refund-amount = Сума за възстановяване
payments-office-refund-hint = До
payments-office-note = Бележка (по желание)
payments-office-refund-continue = Продължи
payments-office-refund-amount-invalid = Въведете сума над нула и не повече от остатъка за възстановяване, например 2.50.
payments-office-refund-confirm-title = Проверете възстановяването, преди да го направите
payments-office-refund-back = Обратно към плащането
payments-office-refund-kind = Възстановяване на
payments-office-refund-whole = цялата оставаща сума
payments-office-refund-part = част от сумата
payments-office-refund-warning = Възстановяването не може да бъде отменено. Платецът го вижда в историята на плащането си.
payments-office-refund-do = Възстанови сега
payments-office-refunded-title = Сумата е възстановена
payments-office-refunded = Възстановяването е записано в историята на плащането.
payments-office-reconciliation-intro = Редове от внесени банкови извлечения, които не са платили просто едно плащане. Съпоставете всеки с плащане (редът тогава го плаща) или го отбележете като решен с бележка какво сте направили.
payments-office-open-lines = Редове за решаване
payments-office-no-lines = Няма ред, който чака решение.
payments-office-statement = Извлечение
payments-office-booked = Осчетоводено на
payments-office-remittance = Референция и основание за плащане
payments-office-match-code = Код на плащането, което редът плаща
payments-office-match = Съпостави с това плащане
payments-office-resolve-note = Какво е направено
payments-office-resolve = Отбележи като решен
payments-office-line-done-title = Редът е решен
payments-office-line-done = Редът вече не чака.
payments-office-resolved-lines = Решени наскоро
payments-office-entry = Запис
payments-office-outcome = Установено
payments-office-resolution = Решение
payments-office-matched-to = Платено плащане
payments-office-statements = Внесени извлечения
payments-office-no-statements = Още няма внесено извлечение.
payments-office-imported = Внесено на
payments-office-lines = Редове
payments-office-open = чакащи
payments-office-export-lines = Редовете като CSV
payments-office-export-all-lines = Изтегляне на редовете на всички извлечения като CSV
payments-office-upload-intro = Качете извлечението на банката във формат ISO 20022 camt.053 за сметката на администрацията. Кредитните редове с код на плащане в референцията плащат неговото плащане; останалите се показват за съгласуване. Повторното качване на същото извлечение не променя нищо.
payments-office-statement-file = Файл на извлечението (camt.053 XML)
payments-office-statement-hint = XML файл до 64 MiB.
payments-office-statement-missing = Изберете файла на извлечението.
payments-office-import = Внеси извлечението
payments-office-imported-title = Извлечението е внесено:
payments-error-line-resolved = Този ред вече е решен.
payments-error-payment-code-invalid = Няма плащане на вашата администрация с този код.
payments-error-line-not-payment = Сторно или дебитен ред не може да плати плащане.
payments-error-line-currency-mismatch = Редът е в различна валута от плащането.
payments-error-line-amount-short = Редът е донесъл по-малко, отколкото плащането изисква.
payments-error-line-not-payable = Това плащане вече не може да бъде платено (платено е, изтекло или отменено).
audit-payments-line-resolved = Решен ред от банково извлечение

## What an import found on a line
payments-line-matched = Платено плащане
payments-line-excess = Повече от поисканото
payments-line-partial = По-малко от поисканото
payments-line-duplicate = Вече платено
payments-line-reversed = Сторно
payments-line-not-payable = Плащането не може да се плати
payments-line-currency-mismatch = Друга валута
payments-line-unknown = Не е намерено плащане
payments-line-already-imported = Внесено преди

## Callbacks to administrations' systems
payments-error-endpoint-url-invalid = Адресът трябва да започва с https:// (http:// само към този компютър, за разработка), без потребителско име и парола.
audit-payments-endpoint-set = Зададен адрес за известия за плащания
audit-payments-endpoint-removed = Премахнат адрес за известия за плащания

## Card callbacks held for a person (the reconciliation screen)
payments-held-title = Картови плащания за решаване
payments-held-intro = Пари, които доставчикът на картови плащания е взел или блокирал, но които не са платили просто едно плащане: друга сума или валута, след изтичането или отменянето на плащането, или за сесия, която никой тук не е отворил. Върнете ги по картата, приемете ги като плащане на неговото плащане (когато то още може да бъде платено и сумата го покрива) или ги отхвърлете с причина.
payments-held-none = Няма картово плащане, което чака решение.
payments-held-received = Получено
payments-held-session = Сесия при доставчика
payments-held-payment = Плащането изисква
payments-held-note = Бележка (причината, задължителна при отхвърляне)
payments-held-refund = Връщане по картата
payments-held-accept = Приемане като платено
payments-held-dismiss = Отхвърляне
payments-held-resolved = Наскоро решени картови плащания
payments-held-by = Решено от
payments-held-done-title = Картовото плащане е решено
payments-held-done = То вече не чака.
payments-held-amount-mismatch = Друга сума или валута
payments-held-paid-after-expiry = Платено след изтичането
payments-held-paid-when-closed = Платено след отменяне
payments-held-unknown-session = Непозната сесия
payments-held-status-authorised = блокирана сума
payments-held-status-captured = взети пари
payments-held-status-declined = отказана
payments-held-resolution-refunded = Върнато по картата
payments-held-resolution-accepted = Прието като платено
payments-held-resolution-dismissed = Отхвърлено
payments-error-callback-resolved = Това картово плащане вече е решено.
payments-error-callback-not-captured = По тази карта не са взети пари, така че няма какво да се върне или приеме.
payments-error-callback-not-payable = Плащането му вече не може да бъде платено (платено е, изтекло или отменено, или сесията е непозната).
payments-error-callback-currency-mismatch = Картовото плащане е в различна валута от плащането.
payments-error-callback-amount-short = Картовото плащане е донесло по-малко, отколкото плащането изисква.
payments-error-reason-required = Посочете защо се отхвърля.
audit-payments-callback-resolved = Решено задържано известие от доставчика на картови плащания

## Refunds through the card provider
payments-error-refund-refused = Доставчикът на картови плащания отказа връщането (парите не са взети по тази карта или там е останало по-малко). Нищо не е върнато.
payments-office-refund-unavailable = Доставчикът на картови плащания не отговаря. Нищо не е върнато; опитайте отново след няколко минути.
payments-office-refund-by-card = Платено е с карта: парите се връщат по картата на платеца чрез доставчика на картови плащания.
payments-office-refund-by-transfer = Платено е с банков превод: връщането се записва тук, а служител на администрацията превежда парите обратно от нейната сметка.
