### Думите на блока за електронно връчване на български. Идентификаторите са ключовете от кода
### и шаблоните, с тирета вместо точки и долни черти (вижте docs/i18n.md).

## Пощенска кутия
mailbox-title = Моята пощенска кутия
mailbox-of = Пощенска кутия на
mailbox-others = Други кутии, които четете
mailbox-empty = В тази кутия още няма съобщения.
col-subject = Относно
col-from = От
col-received = Получено
col-state = Състояние
col-sent = Изпратено
col-application = Заявление
col-recipient = Получател
col-when = Кога
state-new = Ново
state-opened = Отворено
page-previous = По-нови съобщения
page-next = По-стари съобщения
page-label = Страници със съобщения

## Съобщение
open-application = Отворете заявлението
content-hash = Съдържание (SHA-256)
content-download = Изтеглете съобщението, както е подписано (message.json)
attachments-title = Приложения
recipients-title = Получатели
recipient-delivered = Доставено в кутията
recipient-opened = Отворено
recipient-not-opened = Неотворено в срок
evidence-title = Доказателства
evidence-hint = Всяко събитие е подписано от платформата (JWS с веригата ѝ от сертификати). Проверете го без връзка с която и да е библиотека за JOSE или с „portico evidence verify“.
evidence-download-one = Изтегляне
evidence-download-all = Изтеглете всички доказателства
evidence-SubmissionAcceptance = Изпращането е прието
evidence-SubmissionRejection = Изпращането е отказано
evidence-ContentConsignment = Доставено в кутията
evidence-ContentHandover = Отворено от получателя
evidence-ContentNonHandover = Неотворено в срока
notifications-title = Известия
notification-email = Е-поща
notification-created = на опашка
notification-sending = изпраща се
notification-delivered = доставено
notification-temporary-failure = още не е доставено, ще бъде опитано пак
notification-permanent-failure = не може да бъде доставено
reply-title = Отговор
reply-label = Вашият отговор
reply-submit = Изпратете отговора

## Грешки
delivery-subject-missing = Въведете относно
delivery-subject-too-long = Полето „Относно“ трябва да е до 200 знака
delivery-body-missing = Въведете текста на съобщението
delivery-body-too-long = Съобщението трябва да е до 20 000 знака
delivery-recipient-missing = Посочете поне един получател
delivery-recipient-too-many = Едно съобщение може да има най-много 100 получатели
delivery-recipient-bad-personal-id = Личният номер на получател не е валиден ЕГН или ЛНЧ
delivery-recipient-bad-eik = ЕИК на получател не е валиден
delivery-recipient-unknown = Адресът на получател е непълен
delivery-attachment-too-many = Едно съобщение може да носи най-много 10 приложения
delivery-attachment-bad-name = Приложение няма използваемо име на файл
delivery-attachment-empty = Приложение е празно
delivery-attachment-too-large = Приложение е по-голямо от разрешеното (10 MB в JSON, 100 MB при поточно изпращане)
delivery-attachment-type-not-accepted = Приложение е от вид, който не може да се изпрати (може PDF, PNG, JPEG и обикновен текст)
delivery-attachment-mislabelled = Съдържанието на приложение не е от вида, който е посочен
delivery-attachment-not-base64 = Съдържанието на приложение не е валиден base64
delivery-upload-too-large = Заявката е по-голяма от разрешеното (всички приложения заедно до 200 MB)
delivery-upload-message-first = Първата част на заявката трябва да е съобщението (message), а след нея файловете

## Действия в журнала, показвани на човека (audit-<action>, вижте docs/i18n.md)
audit-delivery-sent = Изпратено съобщение
audit-delivery-rejected = Отказано съобщение (на подателя е дадено доказателство за отказа)
audit-delivery-opened = Отворено съобщение
audit-delivery-not-opened = Съобщението не е отворено в срока

## Idempotency-Key при изпращане през API
delivery-idempotency-bad-key = Заглавката Idempotency-Key трябва да е от 1 до 255 видими ASCII знака
delivery-idempotency-key-reused = Този Idempotency-Key вече е използван за друга заявка; изпратете същата заявка отново или използвайте нов ключ

## Достъп за трети лица
delivery-grant-bad-personal-id = Въведете личния идентификатор (ЕГН или ЛНЧ) на лицето, на което давате достъп
delivery-grant-self = Това е вашата собствена пощенска кутия: вие вече я четете
delivery-grant-no-message = Посочете за кое съобщение е достъпът
audit-delivery-granted = Даден достъп до пощенска кутия
audit-delivery-grant-revoked = Оттеглен достъп до пощенска кутия
audit-delivery-read-by-grant = Съобщение, прочетено чрез даден достъп
delivery-grant-no-scope = Изберете за какво е достъпът
grant-title = Дайте достъп на друго лице
grant-hint = Например на адвокат или счетоводител. Те четат с потвърдена самоличност; вие виждате всяко прочитане и можете да оттеглите достъпа по всяко време.
grant-grantee-label = Неговият личен идентификатор (ЕГН или ЛНЧ)
grant-scope-legend = Достъп до
grant-scope-message = това съобщение
grant-scope-thread = цялата кореспонденция (нишката)
grant-scope-mailbox = цялата ми пощенска кутия
grant-submit = Дайте достъп
grants-title = Достъп, който сте дали
col-grantee = Лице
col-grant-scope = Достъп до
col-reads = Прочитания
grant-last-read = последно
grant-revoked = Оттеглен
grant-revoke = Оттеглете
shared-title = Споделени с вас
delivery-grant-bad-end = Въведете последния ден на достъпа като дата, например 2027-03-31
delivery-grant-ends-in-past = Последният ден на достъпа не може да е в миналото
grant-ends-label = Последен ден на достъпа (по желание)
grant-ends-hint = Оставете празно за достъп, докато не го оттеглите. Достъпът изтича в полунощ след този ден.
grant-until = до
grant-ended = Изтекъл
audit-delivery-key-rewrapped = Ключът за данни на пощенска кутия е опакован отново с нов главен ключ
export-mailbox = Изтеглете пощенската кутия (ZIP)
export-thread = Изтеглете тази кореспонденция с доказателствата (ZIP)
export-hint = Всички съобщения, приложения и доказателства, с подписан списък към тях; всеки може да го провери с `portico evidence verify`.
audit-delivery-exported = Изтеглена пощенска кутия или кореспонденция
delivery-webhook-bad-url = Посочете адреса като https://
delivery-webhook-too-many = Администрацията има най-много позволените адреси; първо премахнете един
audit-delivery-webhook-registered = Регистриран адрес за уведомления (webhook)
audit-delivery-webhook-deleted = Премахнат адрес за уведомления (webhook)
notification-sms = SMS
webhooks-title = Адреси за уведомления (webhooks)
webhooks-back = Обратно към администрирането
webhooks-lead = Вашите системи регистрират тези адреси през API (POST /api/v1/mailbox/webhooks); платформата изпраща до всеки от тях всяко ново съобщение до пощенските кутии на администрацията и всяко доказателство за изпратените от нея съобщения, подписани, и опитва отново, докато адресът отговори.
webhooks-none = За тази администрация няма регистрирани адреси.
webhooks-registered = Регистриран
webhooks-delivered = Доставени събития
webhooks-last = последно
webhooks-pending = Още недоставени събития
webhooks-failing = с неуспешни опити
webhooks-given-up = Изоставени събития
webhooks-recent = Последни събития
webhooks-col-seq = №
webhooks-col-type = Събитие
webhooks-col-attempts = Опити
webhook-state-delivered = Доставено
webhook-state-queued = В опашката
webhook-state-failing = Неуспешно, ще бъде опитано отново
webhook-state-given-up = Изоставено
webhooks-remove = Премахване на адреса
webhooks-removed = Адресът е премахнат; към него вече не се изпращат събития.
webhooks-how = Приемат се само адреси https:// в интернет; адрес във вътрешна или частна мрежа се отказва, и когато името му по-късно сочи към такъв.
mailbox-webhooks = Адреси за уведомления (webhooks) на администрацията
delivery-webhook-private-address = Адресът трябва да е в интернет, не частен, локален или вътрешен адрес
delivery-webhook-unresolved = Името на сървъра в адреса не е намерено; проверете адреса

## Страницата за изпращане от администрацията
send-title = Изпращане на съобщение с файлове
send-lead = Съобщението отива в официалната пощенска кутия на получателя с доказателства за изпращане и за доставяне, подписани от платформата. Получателят научава по електронна поща и SMS, че има ново съобщение, но не и какво пише в него.
send-sender-label = От пощенската кутия на
send-recipient-legend = До
send-recipient-hint = Лица с личния им номер (ЕГН или ЛНЧ) или фирми с ЕИК/БУЛСТАТ, по един на ред, до 100 получатели.
send-recipient-person = Лице
send-recipient-company = Фирма
send-recipient-label = Лични номера или ЕИК, по един на ред
send-subject-label = Относно
send-body-label = Съобщение
send-files-label = Файлове (по желание)
send-files-hint = До 10 файла: PDF, PNG, JPEG или обикновен текст, всеки до 100 MB. Всеки файл се проверява по съдържанието му.
send-files-again = Нищо не е изпратено или запазено: изберете файловете отново.
send-submit = Изпращане на съобщението
delivery-send-no-sender = Изберете пощенската кутия, от която се изпраща съобщението
delivery-send-recipient-lines = Някои редове с получатели не са верни: вижте всеки ред под полето. Нищо не е изпратено
send-line = Ред
sent-title = Съобщението е изпратено
sent-id = Номер на съобщението
sent-open-message = Отваряне на съобщението и състоянието при получателите
send-another = Изпращане на друго съобщение

## Експорт над ограничението
delivery-export-too-large = Експортът би бил по-голям от позволеното; експортирайте разговорите един по един
export-too-large-title = Този експорт е твърде голям
export-too-large-body = Съобщенията и файловете в него надхвърлят това, което може да съдържа един експорт:
export-too-large-nothing = Нищо не е експортирано.
export-too-large-how = Експортирайте нужните разговори един по един от страницата на всяко съобщение („Изтеглете тази кореспонденция с доказателствата“) или поискайте по-голямо ограничение от оператора на платформата.
export-too-large-back = Назад

## Who acted for a company (shown to those who read its mailbox)
opened-by = Отворено от
answered-by = Отговорено от
sent-by = Изпратено от
on-behalf-for = за
answer-open = отговорът
