### Думите на блока за отворени данни на български. Ключовете са тези от кода, с тирета вместо
### точки и долни черти (вижте docs/i18n.md).

## Грешки на CKAN Action API
opendata-error-not-found = Няма такъв набор от данни, ресурс или организация, или не е публикуван.
opendata-error-forbidden = Само публикуващите на организацията могат да правят това, с валиден API ключ.
opendata-error-internal = Нещо се обърка при нас. Нищо не е променено.

## Проблеми с въведеното от публикуващия (opendata-problem-<код>)
opendata-problem-at-line = Ред { $line }: { $problem }
name-missing = Дайте име на набора (адреса му).
name-invalid = Името може да има само малки латински букви, цифри, - и _, от 2 до 100 знака.
name-taken = Този адрес вече се използва.
title-bg-missing = Напишете заглавието на български.
title-en-missing = Напишете заглавието на английски.
themes-unknown = Изберете теми от темите за данни на ЕС.
licence-unknown = Изберете лиценз от списъка.
frequency-unknown = Изберете от списъка колко често се обновява наборът.
contact-email-invalid = Адресът на електронна поща за контакт не е валиден.
date-invalid = Напишете датата като ГГГГ-ММ-ДД.
keywords-invalid = Ключовата дума не може да е празна или по-дълга от 100 знака.
owner-org-missing = Посочете коя организация публикува набора (owner_org).
owner-org-unknown = Няма такава организация.
state-unknown = Състоянието трябва да е draft, active или deleted.
format-unknown = Качените файлове може да са CSV, JSON, GeoJSON или XLSX.
url-invalid = Връзката трябва да е адрес с http или https.
upload-missing = Качете файл или дайте връзка.
upload-too-large = Файлът е по-голям от 20 MB: по-голям може да е само CSV, JSON или GeoJSON, до 1 GB.
upload-too-large-streamed = Файлът е по-голям от 1 GB или качването му е прекъснато. Нищо не е запазено.
load-broken = Запазеният файл вече не се чете както при проверката; качете го отново.
load-file-missing = Запазеният файл липсва в хранилището на файлове: когато същият файл бъде върнат там (качен отново), започнете зареждането отново.
load-stopped = Зареждането спря: последната му стъпка беше опитана многократно без успех (базата данни отказа редовете или сървърът, който ги зареждаше, спря).
load-not-failed = Зареждането на този файл не е неуспешно: няма какво да се започне отново.
upload-empty = Файлът е празен.
upload-encoding = файлът не е в UTF-8; запазете го като UTF-8 и го качете отново.
upload-csv-fields = този ред няма толкова полета, колкото заглавният.
upload-csv-broken = CSV файлът не може да се прочете тук (проверете кавичките).
upload-csv-header = всяка колона трябва да има име, и то различно от другите.
upload-xlsx-broken = Работната книга не може да се прочете: запишете я като XLSX (Excel 2007 или по-нов) и я качете отново.
upload-json-broken = JSON не може да се прочете тук.
upload-geojson-invalid = Файлът не е GeoJSON: FeatureCollection от Feature с геометрии.
param-missing = Този параметър е задължителен.
param-not-integer = Този параметър трябва да е цяло число.
param-negative = Този параметър не може да е отрицателен.
param-not-json = Този параметър трябва да е JSON.
param-not-list = Този параметър трябва да е списък.
datastore-unknown-field = В таблицата на ресурса няма такова поле.
datastore-bad-filter = Стойността на филтъра не отговаря на типа на полето.
datastore-limit = Ограничението трябва да е между 0 и 32000.
datastore-bad-value = Ред { $row }: „{ $value }“ не е { $type ->
    [int] цяло число
    [float] десетично число
    [date] дата във вида ГГГГ-ММ-ДД или ДД.ММ.ГГГГ
   *[other] текст
  }. Нищо не е променено.
datastore-more-bad-values = { $count ->
    [one] Още една стойност също не пасва.
   *[other] Още { $count } стойности също не пасват.
  }
datastore-type-unknown = Типът може да е text, int, float или date.
search-fq-invalid = Филтърът (fq) трябва да е двойки поле:стойност.
search-fq-unknown-field = Филтърът (fq) може да е по organization, groups, tags, res_format, license_id или name.
search-sort-invalid = Подреждайте по metadata_modified, metadata_created, name или title_string, asc или desc.
search-facet-unknown = Фасетите може да са organization, groups, tags, res_format или license_id.

## Действия в одита (audit-<действие>, вижте docs/i18n.md)
audit-opendata-dataset-created = Създаден набор от отворени данни
audit-opendata-dataset-updated = Променен набор от отворени данни
audit-opendata-resource-added = Добавен ресурс към набор от отворени данни
audit-opendata-resource-replaced = Ресурс на отворен набор от данни е заменен
audit-opendata-field-retyped = Коригиран тип на колона в таблица на отворен набор от данни
audit-opendata-load-restarted = Зареждането на ресурс от отворен набор от данни е започнато отново

## Страници: търсене, набор от данни, организация (od_…)
od-search-title = Отворени данни
od-search-lead = Набори от данни, които администрациите публикуват за свободно ползване: изтеглете ги, търсете в тях през API или ги отворете в своята ГИС.
od-search-label = Търсене на набори от данни
od-search-hint = Думи на български или английски; окончанията и дребните грешки се прощават.
od-search-submit = Търсене
od-search-count = Намерени набори:
od-search-none = Няма такъв набор. Опитайте с по-малко думи или махнете филтър.
od-results-label = Набори от данни
od-modified = обновен
od-filter-title = Филтри
od-filters-chosen = Избрани филтри
od-filter-remove = Махни
od-facet-organization = Организация
od-facet-theme = Тема
od-facet-format = Формат
od-facet-licence = Лиценз
od-machines-title = За програми
od-feed-link = Atom емисия на последно променените набори
od-feed-title = Отворени данни – последни промени
od-feed-subtitle = Наборите от данни, публикувани или променени последно
od-ckan-link = CKAN Action API
od-ogc-link = Пространствени данни като OGC API – Features
od-back-to-search = Всички набори
od-edit = Промяна на набора
od-add-resource = Добавяне на ресурс
od-resources-title = Данни и ресурси
od-resources-none = Наборът още няма ресурси.
od-rows =
    { $count ->
        [one] { $count } ред
       *[other] { $count } реда
    }
od-preview-title = Преглед
od-preview-showing =
    { $count ->
        [one] Първият ред от
       *[other] Първите { $count } реда от
    }
od-preview-api = Търсене през API
od-chart-title = Графика
od-chart-of = Графика на
od-map-title = Карта
od-map-of = Карта на
od-map-ogc = Обектите като OGC API – Features
od-meta-themes = Теми
od-meta-keywords = Ключови думи
od-meta-licence = Лиценз
od-meta-frequency = Обновява се
od-meta-temporal = Обхванат период
od-meta-spatial = Обхваната територия
od-meta-contact = За контакт
od-meta-modified = Последна промяна
od-meta-version = Версия
od-frequency-DAILY = Всеки ден
od-frequency-WEEKLY = Всяка седмица
od-frequency-MONTHLY = Всеки месец
od-frequency-QUARTERLY = Всяко тримесечие
od-frequency-ANNUAL = Всяка година
od-frequency-IRREG = Нередовно
od-frequency-NEVER = Никога
od-frequency-UNKNOWN = Не е известно
od-state-draft = Чернова
od-state-published = Публикуван
od-state-withdrawn = Оттеглен
od-organisation-caption = Организация, ЕИК
od-organisation-platform = Организацията на самата платформа
od-organisation-count = Публикувани набори:
od-organisation-search = търсене в тях
od-organisation-none = Организацията още няма публикувани набори.

## Страници на публикуващите
od-mine-title = Наборите на вашата организация
od-mine-none = Вашата организация още няма набори.
od-mine-dataset = Набор
od-mine-state = Състояние
od-new-title = Публикуване на набор от данни
od-edit-title = Промяна на набора
od-save = Запазване
od-upload = Добавяне на ресурса
od-administration-missing = Изберете организацията, която публикува набора.
od-field-administration = Организация
od-field-name = Адрес (име)
od-field-name-hint = Малки латински букви, цифри, - и _; наборът ще е на /data/ и това име.
od-field-title-bg = Заглавие на български
od-field-title-en = Заглавие на английски
od-field-notes-bg = Описание на български
od-field-notes-en = Описание на английски
od-field-keywords = Ключови думи
od-field-keywords-hint = Разделени със запетаи.
od-field-contact-name = Лице за контакт
od-field-contact-email = Електронна поща за контакт
od-field-temporal-start = Обхванат период: от
od-field-temporal-start-hint = ГГГГ-ММ-ДД, например 2024-01-01.
od-field-temporal-end = Обхванат период: до
od-field-temporal-end-hint = ГГГГ-ММ-ДД, например 2024-12-31.
od-field-spatial = Обхваната територия
od-field-themes = Теми (темите на ЕС за данни)
od-field-licence = Лиценз
od-field-frequency = Колко често се обновява
od-field-state = Състояние
od-field-resource-name = Име на ресурса
od-field-resource-description = Описание
od-field-upload = Файл
od-field-upload-hint = CSV, JSON или GeoJSON в UTF-8, до 1 GB, или XLSX, до 20 MB. Таблица в CSV или XLSX се зарежда в хранилището за данни (голям CSV — във фонов режим: страницата му показва докъде е стигнало).
od-field-url = Или връзка
od-field-url-hint = Адрес с http или https, ако данните са другаде.

## Column types of a datastore resource (od_fields_…)
od-fields-title = Типове на колоните
od-fields-lead = Хранилището на данни е определило типа на всяка колона по стойностите ѝ. Поправете колона с грешен тип: всяка стойност трябва да пасва на новия тип, иначе нищо не се променя и се показват редовете, които не пасват.
od-fields-column = Колона
od-fields-type = Тип
od-fields-change = Поправяне на типа на колона
od-fields-new-type = Нов тип
od-fields-new-type-hint = Датата се пише ГГГГ-ММ-ДД или ДД.ММ.ГГГГ (пази се като ГГГГ-ММ-ДД). Празни стойности са допустими при всеки тип.
od-fields-submit = Промяна на типа
od-fields-saved-title = Запазено
od-fields-saved = Типът на колоната е променен.
od-fields-link = Типове на колоните
od-type-text = Текст
od-type-int = Цяло число
od-type-float = Десетично число
od-type-date = Дата

## Страницата на ресурс и зареждането на голям CSV (od_resource_…, od_load_…)
od-resource-page = За този файл
od-resource-format = Формат
od-resource-size = Размер
od-resource-download = Изтегляне на файла
od-load-title = Зареждане в хранилището за данни
od-load-state-queued = Изчаква
od-load-state-loading = Зарежда се
od-load-state-done = Зареден
od-load-state-failed = Неуспешно
od-load-queued = Файлът е проверен и чака да бъде зареден: { $total } реда.
od-load-loading = Заредени са { $rows } от { $total } реда досега.
od-load-done = Всички { $rows } реда са заредени и могат да се търсят.
od-load-failed = Файлът не можа да бъде зареден и нищо от него не е заредено.
od-load-not-updating = Тази страница не се обновява сама.
od-load-refresh = Обновете страницата
od-load-watch = Обновявайте я на всеки 5 секунди
od-load-watching = Тази страница се обновява на всеки 5 секунди, докато файлът се зареди.
od-load-stop = Спрете обновяването
od-load-stopped-rows = Бяха заредени { $rows } от { $total } реда; те не могат да се търсят, докато не се заредят всички.
od-load-restart = Започнете зареждането отново
od-load-restart-hint = То продължава от последните заредени редове или започва отначало, ако не са налице всички.
