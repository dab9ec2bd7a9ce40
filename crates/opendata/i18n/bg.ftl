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
format-unknown = Може да качвате файлове CSV, JSON или GeoJSON.
url-invalid = Връзката трябва да е адрес с http или https.
upload-missing = Качете файл или дайте връзка.
upload-too-large = Файлът е по-голям от 20 MB.
upload-empty = Файлът е празен.
upload-encoding = файлът не е в UTF-8; запазете го като UTF-8 и го качете отново.
upload-csv-fields = този ред няма толкова полета, колкото заглавният.
upload-csv-broken = CSV файлът не може да се прочете тук (проверете кавичките).
upload-csv-header = всяка колона трябва да има име, и то различно от другите.
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
search-fq-invalid = Филтърът (fq) трябва да е двойки поле:стойност.
search-fq-unknown-field = Филтърът (fq) може да е по organization, groups, tags, res_format, license_id или name.
search-sort-invalid = Подреждайте по metadata_modified, metadata_created, name или title_string, asc или desc.
search-facet-unknown = Фасетите може да са organization, groups, tags, res_format или license_id.

## Действия в одита (audit-<действие>, вижте docs/i18n.md)
audit-opendata-dataset-created = Създаден набор от отворени данни
audit-opendata-dataset-updated = Променен набор от отворени данни
audit-opendata-resource-added = Добавен ресурс към набор от отворени данни
