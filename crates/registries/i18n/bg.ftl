### Думите на блока за регистри на български. Идентификаторите са ключовете от кода и шаблоните,
### с точки и долни черти, записани като тирета (вж. docs/i18n.md).

## Регистър на регистрите
registries-title = Регистър на регистрите
registries-intro = Всички първични регистри, които администрациите проверяват през Portico: кой ги поддържа, на какво правно основание, какви операции предлагат с версиите и схемите им и коя администрация кои полета може да чете.
registries-none = Все още няма регистри.
registries-code = Код
registries-owner = Поддържа се от
registries-legal-basis = Правно основание
registries-version = версия
registries-personal-fields = Лични данни
registries-schemas = Схеми на заявката и отговора
registries-request-schema = Заявка (JSON Schema)
registries-response-schema = Отговор (JSON Schema)
registries-no-grants = Все още никоя администрация няма достъп до тази операция.
registries-who-may-query = Кой има достъп
registries-col-administration = Администрация
registries-col-fields = Полета
registries-col-legal-basis = Правно основание
registries-col-until = До
registries-as-json = Същото като JSON

## Моите данни и кой ги е проверявал
my-data-title = Моите данни и кой ги е проверявал
my-data-intro = Какво пазят първичните регистри за вас и всеки път, когато администрация ги е проверявала: кой, кога, защо и какво е прочел.
my-data-correction-sent-title = Искането е изпратено
my-data-correction-sent = Администрацията, която поддържа регистъра, трябва да отговори до 14 дни. Отговорът ще се появи тук.
my-data-download = Изтеглете всичко (JSON)
my-data-records = Какво пазят регистрите за вас
my-data-population = Регистър на населението
my-data-nothing = Нищо.
my-data-addresses = Адреси, които притежавате (адресен регистър на София)
my-data-companies = Дружества, които представлявате (търговски регистър)
my-data-queries = Кой е проверявал данните ви
my-data-no-queries = Никоя администрация не е проверявала данните ви.
my-data-col-when = Кога
my-data-col-who = Кой
my-data-col-why = Защо
my-data-col-fields = Какво е прочетено
my-data-col-outcome = Резултат
my-data-deferred = Показва се по-късно, защото
my-data-corrections = Корекции
my-data-col-register = Регистър
my-data-col-field = Стойност
my-data-col-proposed = Вярна стойност
my-data-col-deadline = Поискано – срок за отговор
my-data-col-answer = Отговор
my-data-awaiting = Очаква отговор
my-data-col-case = Преписка (ход)
my-data-case-opening = Образува се
my-data-correction-title = Поискайте корекция
my-data-correction-register = Регистър
my-data-correction-reason = Защо стойността е грешна?
my-data-correction-send = Изпратете искането
field-label = Коя стойност е грешна
field-hint = Назовете я, както е на тази страница, например: Настоящ адрес. Имената и адресите в регистъра на населението се поправят веднага щом администрацията, която го поддържа, одобри.
proposed-value-label = Вярната стойност
proposed-value-hint = За адрес – кодът му (например sof-0001) или улицата и номерът (например ул. Шипка 6).
correction-register = Изберете регистър
correction-field = Посочете коя стойност е грешна
correction-value = Посочете вярната стойност (най-много 500 знака)
correction-reason = Посочете защо стойността е грешна (най-много 2000 знака)
correction-name = Името съдържа само букви, интервали и тирета (най-много 60)
correction-address = Посочете адрес от адресния регистър на София: кода му (например sof-0001) или улицата и номера, както са в регистъра (например ул. Шипка 6)
my-data-answer-approved-register = Одобрено: поправено в регистъра
my-data-answer-approved-owner = Одобрено: администрацията, която поддържа регистъра, ще го поправи в своя регистър
my-data-answer-refused = Отказано
my-data-answer-withdrawn = Оттеглихте искането
my-data-answered-on = на

## Полета на регистъра на населението
registries-field-egn = ЕГН
registries-field-given-name = Собствено име
registries-field-middle-name = Бащино име
registries-field-family-name = Фамилно име
registries-field-birth-date = Дата на раждане
registries-field-sex = Пол
registries-field-permanent-address = Постоянен адрес
registries-field-current-address = Настоящ адрес
registries-field-mother-egn = Майка
registries-field-father-egn = Баща
registries-field-children = Деца

## Резултат от проверка
registries-outcome-answered = Отговорено
registries-outcome-refused = Отказано
registries-outcome-failed = Неуспешно

## Грешки на API за регистрите
registries-error-not-found = Не е намерено.
registries-error-forbidden = Нямате право да направите това.
registries-error-not-a-registry-client = Само системата на администрация или нейни служители могат да проверяват регистри (API клиентът трябва да има обхват „registries“).
registries-error-legal-basis-required = Посочете правното основание за проверката (context.legal_basis).
registries-error-unknown-operation = Регистърът няма такава операция или версия.
registries-error-invalid-subject = Идентификаторът на лицето не е валиден (проверете цифрите).
registries-error-invalid-request = Параметрите не отговарят на схемата на заявката.
registries-error-no-grant = Вашата администрация няма достъп до тази операция. Поискайте го от администрацията, която поддържа регистъра.
registries-error-grant-expired = Достъпът на вашата администрация до тази операция е изтекъл. Поискайте подновяването му.
registries-error-no-record = Регистърът няма данни за това лице.
registries-error-adapter-timeout = Услугата на регистъра не отговори навреме. Опитайте отново по-късно.
registries-error-adapter-bad-response = Услугата на регистъра върна отговор, който не отговаря на схемата му; той не е предаден.
registries-error-adapter-failed = Услугата на регистъра не работи. Опитайте отново по-късно.
registries-error-log-unavailable = Дневникът на проверките не може да бъде записан в момента, затова проверката не е направена. Опитайте отново по-късно.
registries-error-assurance-too-low = За това е нужна потвърдена самоличност.
registries-error-purpose-required = Посочете целта на достъпа.
registries-error-unknown-field = Посочете полета от отговора на операцията.
registries-error-already-decided = По това искане вече е решено.
registries-error-period-in-past = Достъпът трябва да изтича в бъдещето.
registries-error-reason-required = Посочете причината за отказа.
registries-error-deferral-invalid = Отлагането изисква и дата (ГГГГ-ММ-ДД), и причина.
registries-error-schema-invalid = Схемата не е валидна JSON Schema.
registries-error-register-incomplete = Регистърът трябва да има код и правно основание.

## Действия в одитния дневник, показвани на лицето (audit-<action>, вж. docs/i18n.md)
audit-registries-register-defined = Определен регистър
audit-registries-operation-defined = Определена операция на регистър
audit-registries-access-requested = Поискан достъп до регистър
audit-registries-access-approved = Одобрен достъп до регистър
audit-registries-access-refused = Отказан достъп до регистър
audit-registries-correction-requested = Поискана корекция на данни в регистър
audit-registries-correction-answered = Отговорено искане за корекция на данни в регистър
audit-registries-record-corrected = Поправени данни в регистър

## Register owners: access requests
access-title = Искания за достъп до вашите регистри
access-lead = Администрации искат да правят справки във вашите регистри. Одобрете достъп само до нужните полета и за определен срок или откажете с причина.
access-none = Няма искания, които чакат решение.
access-operation = Операция
access-legal-basis = Правно основание
access-purpose = Цел
access-owner = Регистърът се поддържа от
access-fields = Полета, до които се дава достъп
access-fields-hint = Отбелязани са полетата, които администрацията иска. Махнете отметката от тези, които не ѝ трябват.
access-until = Достъпът е валиден до (включително)
access-approve = Одобрете достъпа
access-reason = Причина за отказа
access-refuse = Откажете
access-done-title = Решението е записано
access-done-approved = Достъпът е одобрен за избраните полета и срок.
access-done-refused = Искането е отказано.
access-error-fields = Изберете поне едно поле от отговора на операцията
access-error-period = Изберете дата в бъдещето, до която е валиден достъпът
access-error-reason = Посочете причината за отказа
access-error-decided = По това искане вече е взето решение

## My data: the page to print
my-data-pdf = Изтеглете като PDF
my-data-pdf-title = Моите данни и кой ги е проверявал
my-data-pdf-service = Услуга
my-data-print = Версия за печат или PDF
my-data-print-title = Моите данни и кой ги е проверявал — за печат
my-data-print-made = Към
my-data-print-how = Отпечатайте страницата или я запазете като PDF с „Печат“ на браузъра.
my-data-print-back = Обратно към „Моите данни“
