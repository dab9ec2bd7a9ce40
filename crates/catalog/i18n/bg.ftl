### The catalog block's words in Bulgarian. Ids are the keys the code and
### templates use, with dots and underscores written as hyphens (see docs/i18n.md).

## Home and search
search-label = Търсене на услуга
search-hint = Например „адресна регистрация“ или „удостоверение за наследници“
search-submit = Търсене
search-title = Услуги
search-results-for = Резултати за
search-count = Намерени услуги:
search-none = Няма намерени услуги. Проверете изписването или опитайте с по-общи думи.
administration-label = Администрация
administration-any = Всички администрации
topic-label = Тема
topic-any = Всички теми
filter-submit = Покажи
home-topics = Услуги по теми
home-life-events = Услуги по житейски събития
page-previous = Предишна страница
page-next = Следваща страница
provided-by = Предоставя се от

## The service page
service-description = Описание
service-who = Кой може да подаде заявление
service-documents = Необходими документи
service-facts = Накратко
service-administration = Администрация
service-legal-basis = Правно основание
service-deadline = Срок за изпълнение
service-deadline-days =
    { $count ->
        [one] { $count } работен ден
       *[other] { $count } работни дни
    }
service-fee = Такса
service-free = Безплатна
service-payment = Начини на плащане
service-delivery = Как ще получите резултата
service-topic = Тема
service-life-event = Житейско събитие
service-contact = Контакти
service-contact-phone = Телефон
service-contact-email = Имейл
service-contact-address = Адрес
service-contact-hours = Работно време
service-start = Започнете
service-start-hint = Ще трябва да влезете в профила си. Можете да запазите заявлението и да продължите по-късно.
service-no-online = Тази услуга още не може да се заяви онлайн.

## Adoption
adopt-title = Добавяне на услуга от каталога
adopt-lead = Изберете обща услуга и променете само това, което е различно при вас. Останалото (формуляр, процес, правно основание) идва от каталога.
adopt-choose-administration = За коя администрация добавяте услуга?
template-label = Услуга от каталога
slug-label = Адрес на страницата на услугата
slug-hint = Малки латински букви, цифри и тирета. Ще бъде /services/…
fee-label = Такса (в евро)
fee-hint = Например 5,00. Оставете празно, за да ползвате таксата от каталога:
fee-note-bg-label = Как се определя таксата (на български)
fee-note-en-label = Как се определя таксата (на английски)
deadline-label = Срок в работни дни
deadline-hint = Оставете празно, за да ползвате срока от каталога:
units-legend = Кои звена обработват заявленията?
units-hint = Изберете всички, които се отнасят.
contact-phone-label = Телефон за контакт
contact-email-label = Имейл за контакт
contact-address-bg-label = Адрес за контакт (на български)
contact-address-en-label = Адрес за контакт (на английски)
adopt-submit = Публикувай услугата
adopted-banner = Услугата е публикувана.
catalog-title-missing = Въведете наименование на български и английски
catalog-fee-invalid = Въведете такса като сума, например 5,00
catalog-deadline-invalid = Срокът трябва да е цяло число работни дни между 0 и 365
catalog-topic-unknown = Изберете тема от списъка
catalog-life-event-unknown = Изберете житейско събитие от списъка
catalog-code-unknown = Изберете от списъка
catalog-slug-invalid = Адресът може да съдържа само малки латински букви, цифри и тирета
catalog-slug-taken = Вече има услуга с този адрес — изберете друг
catalog-template-already-adopted = Администрацията вече предоставя тази услуга
catalog-template-key-taken = Вече има шаблон с този ключ
catalog-template-missing = Изберете услуга от каталога
catalog-unit-unknown = Изберете звена от списъка
catalog-email-invalid = Въведете имейл адрес във вида name@example.bg

## Form pages
form-choose-placeholder = Изберете
date-day = Ден
date-month = Месец
date-year = Година
form-check = Провери
form-preview-title = Преглед на формуляр
form-preview-lead = Така изглежда тази стъпка за заявителя. Проверката не запазва нищо.
form-preview-ok = Стъпката е попълнена правилно. Нищо не е запазено.
form-version = Версия
form-step-progress = Стъпка { $number } от { $count }
form-file-limits = { $types } до { $size }
form-steps = Стъпки

## Form messages by code
form-required = Въведете { $label-lower }
form-consent-not-found = Регистърът не може да посочи кой трябва да даде съгласие — въведете { $label-lower }
form-choose = Изберете отговор на „{ $label }“
form-confirm = Отбележете „{ $label }“, за да продължите
form-invalid = Полето „{ $label }“ не е попълнено правилно
form-too-long = „{ $label }“ трябва да е до { $max } знака
form-too-short = „{ $label }“ трябва да е поне { $min } знака
form-pattern = Въведете { $label-lower } в правилния формат
form-too-small = „{ $label }“ трябва да е { $min } или повече
form-too-large = „{ $label }“ трябва да е { $max } или по-малко
form-too-many = „{ $label }“: най-много { $max }
form-number-invalid = „{ $label }“ трябва да е число
form-option-unknown = Изберете един от възможните отговори на „{ $label }“
form-address-unknown = Изберете адрес от списъка
form-date-invalid = „{ $label }“ трябва да е истинска дата, например 27 3 2007
form-date-past = „{ $label }“ трябва да е в миналото
form-date-future = „{ $label }“ трябва да е в бъдещето
form-egn-too-old = „{ $label }“: ЕГН трябва да е на човек под { $age } години
form-file-required = Изберете файл за „{ $label }“
form-file-type = Файлът трябва да е { $types }
form-file-too-big = Файлът трябва да е по-малък от { $size }
form-file-empty = Избраният файл е празен
form-file-mislabelled = Съдържанието на избрания файл не е { $types } — изберете истински файл от този вид
form-file-quota = Към едно заявление може да приложите най-много 20 файла и 50 MB общо — заменете или премахнете някой от файловете

## Audit actions shown to people (audit-<action>, see docs/i18n.md)
audit-catalog-synonym-added = Добавен синоним за търсене
audit-catalog-synonym-removed = Премахнат синоним за търсене
audit-catalog-service-created = Публикувана услуга
audit-catalog-service-adopted = Добавена услуга от каталога
audit-catalog-template-created = Създаден шаблон на услуга
audit-catalog-form-published = Публикувана версия на формуляр
audit-catalog-nomenclature-updated = Обновена номенклатура

## The fixed vocabularies of crates/catalog/src/topics.rs: <list>-<code>
topic-civil-status = Гражданска регистрация
topic-address = Адресна регистрация
topic-construction = Строителство и устройство на територията
topic-local-taxes = Местни данъци и такси
topic-property = Общинска собственост
topic-business = Бизнес и търговия
topic-social = Социални услуги
life-event-moving-home = Смяна на адрес
life-event-birth = Раждане на дете
life-event-marriage = Сключване на брак
life-event-death = Смърт на близък
life-event-building-a-home = Строеж на дом
life-event-owning-property = Притежаване на имот или превозно средство
life-event-starting-a-business = Започване на бизнес
payment-card = С банкова карта онлайн
payment-epay = Чрез ePay или Пей точка
payment-bank-transfer = С банков превод
payment-cash = В брой на гише
delivery-edelivery = В електронната ви пощенска кутия в Портико
delivery-email = По имейл
delivery-post = С препоръчано писмо по пощата
delivery-counter = На гише в центъра за административно обслужване

## Components (issue 7)
console-title = Администриране
console-lead = Услугите на администрациите, които управлявате, и какво можете да направите с тях.
console-services = Услуги
console-no-services = Все още няма публикувани услуги.
console-adopt = Добавяне на услуга от общия каталог
console-queue = Работна опашка на администрацията
console-figures = Данни за гише, поща и разходи
console-api-clients = API клиенти за вашите системи
console-webhooks = Адреси за уведомления (webhooks) на вашите системи (е-връчване)
console-participation = Партиципаторни бюджети и обществени консултации
console-access-requests = Искания за достъп до регистрите ви
console-all-access-requests = Искания за достъп до всички регистри
console-administrations = Добавяне на администрация и всички администрации в платформата
console-people = Звена, служители и покани
console-tasks = Задачи
service-before-start = Преди да започнете
service-need-sign-in = Ще влезете в профила си с парола и втори фактор. Ако нямате профил, ще го създадете за няколко минути с ЕГН или ЛНЧ (личен номер на чужденец).
service-need-confirm = Подаването се потвърждава с код: от приложение за удостоверяване или код, който ви изпращаме по имейл или SMS.
service-need-egn-of = ЕГН на
service-need-egn-when = — ако е нужно неговото съгласие, той го дава в своя профил.
search-did-you-mean = Може би търсите:
search-none-try = Опитайте така
search-none-spelling = Проверете как е изписана думата, или я напишете на кирилица.
search-none-fewer = Използвайте по-малко или по-общи думи, например „удостоверение“ или „данък“.
search-none-browse = Разгледайте услугите по тема:
catalog-synonym-term-one-word = Думата трябва да е една
catalog-synonym-means-words = Напишете от една до десет думи, които тя също означава
catalog-nomenclature-unknown = Списъкът трябва да съществува и да заменя списък, от който избира формулярът на услугата

## Search synonyms (/admin/search/synonyms)
synonyms-title = Синоними при търсене
synonyms-back = Обратно към администрирането
synonyms-lead = Думи, които хората пишат и които трябва да намират и други думи: „паркинг“ намира и „паркиране“. Вашите се ползват заедно със списъка, който идва с Портико, на всеки възел до секунди.
synonyms-add-heading = Добавяне на синоним
term-label = Думата, която хората пишат
term-hint = Една дума, например паркинг
means-label = Какво още означава
means-hint = От една до десет думи, разделени с интервал, например паркиране паркомясто
synonyms-both-ways = Всяка от тези думи означава и първата
synonyms-add = Добавете синонима
synonyms-added-heading = Добавени тук синоними
synonyms-none = Все още няма добавени.
synonyms-means = Означава и
synonyms-actions = Действие
synonyms-remove = Премахнете
synonyms-shipped-heading = Списъкът, който идва с Портико
synonym-added-banner = Синонимът е добавен.
synonym-removed-banner = Синонимът е премахнат.
console-synonyms = Синоними при търсене

## Конзола на услугата (задача 15, т. 2)
service-console-title = Конзола на услугата
service-console-back = Обратно към конзолата
service-console-publication = Публикуване
service-console-status-published = Публикувана
service-console-status-unpublished = Не е публикувана
service-console-public-page = Вижте страницата на услугата
service-console-unpublish-hint = Ако спрете услугата, хората вече няма да я намират и няма да могат да подават заявления. Започнатите заявления могат да бъдат довършени и обработени.
service-console-unpublish = Спрете услугата
service-console-publish-hint = Услугата не е в каталога. Публикувайте я, когато данните ѝ са верни.
service-console-publish = Публикувайте услугата
service-console-applications = Отворените заявления и версията на формуляра на всяко
service-console-local = Какво е ваше
service-console-local-lead = Формулярът, процесът и правното основание идват от общия каталог. Тук променете това, което при вашата администрация е различно. Започнатите заявления запазват формуляра, с който са започнати.
service-console-fee-label = Такса (в евро)
service-console-fee-hint = Например 5,00. Въведете 0, ако услугата е безплатна.
service-console-main-unit-label = Звено, което получава заявленията
service-console-main-unit-hint = Всяко ново заявление отива в опашката на това звено.
service-console-main-unit-hint-routed = Формулярът изпраща всяко заявление към звеното на посочения адрес; заявленията, които не може да насочи, отиват в това звено.
service-console-main-unit-none = Не е избрано
service-console-payment-options-legend = Как хората могат да платят
service-console-delivery-channels-legend = Как хората получават резултата
service-console-documents-legend = Документи, които хората прилагат или носят
service-console-documents-hint = По един документ на ред, със същите редове на двата езика.
service-console-documents-bg-label = На български
service-console-documents-en-label = На английски
service-console-contact = Контакти и работно време
contact-hours-bg-label = Работно време (на български)
contact-hours-en-label = Работно време (на английски)
service-console-save = Запазете промените
service-console-saved = Промените са запазени и се виждат на страницата на услугата.
service-console-published = Услугата е публикувана.
service-console-unpublished = Услугата е спряна: не приема нови заявления.
catalog-payment-missing = Изберете поне един начин на плащане или въведете такса 0
catalog-delivery-missing = Изберете поне един начин за получаване на резултата
catalog-documents-unpaired = Въведете всеки документ на двата езика, по един на ред, със същия брой редове
audit-catalog-service-changed = Променени данни на услуга
audit-catalog-service-published = Публикувана услуга
audit-catalog-service-unpublished = Спряна услуга

## The form and process of a service (service console)
service-console-form-process = Формуляр и процедура
service-console-form-version = Новите заявления се попълват по версия
service-console-edit-form = Промяна на формуляра
service-console-process-legend = Процедура на заявленията
service-console-process-hint = Новите заявления следват избраната процедура; започнатите завършват по своята. Срокът за решение в работни дни е в „Срок“ по-долу.
service-console-process-save = Запазване на процедурата
service-console-process-saved = Процедурата е запазена: новите заявления я следват.
catalog-process-unknown = Изберете процедура от списъка
catalog-process-form-needs-consents = Формулярът иска съгласие от посочени в него лица: изберете процедура със съгласие или първо махнете съгласията от формуляра
service-form-title = Формуляр на услугата
service-form-back = Към услугата
service-form-current-version = Новите заявления се попълват по версия
service-form-lead = Формулярът е JSON Schema (какви данни се събират) и оформление (стъпки, полета, етикети на български и английски). „Преглед“ показва формуляра, както го вижда заявителят, без да го запазва; „Публикуване“ прави нова версия. Започнатите заявления завършват по версията, с която са започнали.
service-form-shared = Формулярът е общ с други услуги. При първото публикуване услугата получава свое копие; другите услуги не се променят.
service-form-schema-label = Схема (JSON Schema 2020-12)
service-form-schema-hint = Обект с property за всяко поле и списък required.
service-form-layout-label = Оформление (JSON)
service-form-layout-hint = Стъпки (steps) с полета (fields): name, widget, label с bg и en.
service-form-preview = Преглед
service-form-publish = Публикуване
service-form-published = Новата версия на формуляра е публикувана: новите заявления се попълват по нея.
service-form-preview-heading = Както го вижда заявителят
service-form-preview-lead = Полетата тук са само за преглед.
catalog-form-schema-json = Схемата не е валиден JSON
catalog-form-layout-json = Оформлението не е валиден JSON
catalog-form-refused = Формулярът не може да се публикува: схемата и оформлението не си съответстват или схемата е невалидна (причината е под полето)
catalog-form-unknown-nomenclature = Поле избира от номенклатура, която няма записи
catalog-form-consents-need-process = Формулярът иска съгласия, а процедурата на услугата не ги чака: първо изберете процедура със съгласие
audit-catalog-service-form-changed = Нова версия на формуляра на услуга
audit-catalog-service-process-changed = Сменена процедура на услуга
