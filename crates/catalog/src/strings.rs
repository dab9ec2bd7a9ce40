//! The catalog block's words, in Bulgarian and English. Form messages may hold `{label}` (the
//! field's label inside a sentence), `{Label}`, `{min}`, `{max}`, `{age}`, `{types}` and `{size}`.

use portico_http::i18n::Entry;

pub const TABLES: &[&[Entry]] = &[STRINGS];

pub const STRINGS: &[Entry] = &[
    // Home and search
    ("search_label", "Търсене на услуга", "Search for a service"),
    ("search_hint", "Например „адресна регистрация“ или „удостоверение за наследници“", "For example ‘address registration’ or ‘certificate of heirs’"),
    ("search_submit", "Търсене", "Search"),
    ("search_title", "Услуги", "Services"),
    ("search_results_for", "Резултати за", "Results for"),
    ("search_count", "Намерени услуги:", "Services found:"),
    ("search_none", "Няма намерени услуги. Проверете изписването или опитайте с по-общи думи.", "No services found. Check the spelling or try more general words."),
    ("administration_label", "Администрация", "Administration"),
    ("administration_any", "Всички администрации", "All administrations"),
    ("topic_label", "Тема", "Topic"),
    ("topic_any", "Всички теми", "All topics"),
    ("filter_submit", "Покажи", "Apply filters"),
    ("home_topics", "Услуги по теми", "Services by topic"),
    ("home_life_events", "Услуги по житейски събития", "Services by life event"),
    ("page_previous", "Предишна страница", "Previous page"),
    ("page_next", "Следваща страница", "Next page"),
    ("provided_by", "Предоставя се от", "Provided by"),
    // The service page
    ("service_description", "Описание", "Description"),
    ("service_who", "Кой може да подаде заявление", "Who can apply"),
    ("service_documents", "Необходими документи", "Documents you need"),
    ("service_facts", "Накратко", "At a glance"),
    ("service_administration", "Администрация", "Administration"),
    ("service_legal_basis", "Правно основание", "Legal basis"),
    ("service_deadline", "Срок за изпълнение", "Time to decide"),
    ("service_deadline_days", "работни дни", "working days"),
    ("service_fee", "Такса", "Fee"),
    ("service_free", "Безплатна", "Free of charge"),
    ("service_payment", "Начини на плащане", "How to pay"),
    ("service_delivery", "Как ще получите резултата", "How you get the result"),
    ("service_topic", "Тема", "Topic"),
    ("service_life_event", "Житейско събитие", "Life event"),
    ("service_contact", "Контакти", "Contact"),
    ("service_contact_phone", "Телефон", "Phone"),
    ("service_contact_email", "Имейл", "Email"),
    ("service_contact_address", "Адрес", "Address"),
    ("service_contact_hours", "Работно време", "Opening hours"),
    ("service_start", "Започнете", "Start now"),
    ("service_start_hint", "Ще трябва да влезете в профила си. Можете да запазите заявлението и да продължите по-късно.", "You will need to sign in. You can save your application and come back to it later."),
    ("service_no_online", "Тази услуга още не може да се заяви онлайн.", "This service cannot be applied for online yet."),
    // Adoption
    ("adopt_title", "Добавяне на услуга от каталога", "Add a service from the catalog"),
    ("adopt_lead", "Изберете обща услуга и променете само това, което е различно при вас. Останалото (формуляр, процес, правно основание) идва от каталога.", "Choose a shared service and change only what is different for you. The rest (form, process, legal basis) comes from the catalog."),
    ("adopt_choose_administration", "За коя администрация добавяте услуга?", "Which administration are you adding a service for?"),
    ("template_label", "Услуга от каталога", "Service from the catalog"),
    ("slug_label", "Адрес на страницата на услугата", "Web address of the service page"),
    ("slug_hint", "Малки латински букви, цифри и тирета. Ще бъде /services/…", "Lower-case Latin letters, digits and hyphens. It will be /services/…"),
    ("fee_label", "Такса (в евро)", "Fee (in euro)"),
    ("fee_hint", "Например 5,00. Оставете празно, за да ползвате таксата от каталога:", "For example 5.00. Leave empty to use the catalog's fee:"),
    ("fee_note_bg_label", "Как се определя таксата (на български)", "How the fee is set (in Bulgarian)"),
    ("fee_note_en_label", "Как се определя таксата (на английски)", "How the fee is set (in English)"),
    ("deadline_label", "Срок в работни дни", "Time to decide, in working days"),
    ("deadline_hint", "Оставете празно, за да ползвате срока от каталога:", "Leave empty to use the catalog's time:"),
    ("units_legend", "Кои звена обработват заявленията?", "Which units work the applications?"),
    ("units_hint", "Изберете всички, които се отнасят.", "Select all that apply."),
    ("contact_phone_label", "Телефон за контакт", "Contact phone"),
    ("contact_email_label", "Имейл за контакт", "Contact email"),
    ("contact_address_bg_label", "Адрес за контакт (на български)", "Contact address (in Bulgarian)"),
    ("contact_address_en_label", "Адрес за контакт (на английски)", "Contact address (in English)"),
    ("adopt_submit", "Публикувай услугата", "Publish the service"),
    ("adopted_banner", "Услугата е публикувана.", "The service is published."),
    ("catalog.title.missing", "Въведете наименование на български и английски", "Enter a title in Bulgarian and English"),
    ("catalog.fee.invalid", "Въведете такса като сума, например 5,00", "Enter the fee as an amount, like 5.00"),
    ("catalog.deadline.invalid", "Срокът трябва да е цяло число работни дни между 0 и 365", "The time must be a whole number of working days between 0 and 365"),
    ("catalog.topic.unknown", "Изберете тема от списъка", "Select a topic from the list"),
    ("catalog.life_event.unknown", "Изберете житейско събитие от списъка", "Select a life event from the list"),
    ("catalog.code.unknown", "Изберете от списъка", "Select from the list"),
    ("catalog.slug.invalid", "Адресът може да съдържа само малки латински букви, цифри и тирета", "The address can only contain lower-case Latin letters, digits and hyphens"),
    ("catalog.slug.taken", "Вече има услуга с този адрес — изберете друг", "There is already a service at this address — choose another"),
    ("catalog.template.already_adopted", "Администрацията вече предоставя тази услуга", "The administration already provides this service"),
    ("catalog.template.key_taken", "Вече има шаблон с този ключ", "There is already a template with this key"),
    ("catalog.template.missing", "Изберете услуга от каталога", "Select a service from the catalog"),
    ("catalog.unit.unknown", "Изберете звена от списъка", "Select units from the list"),
    ("catalog.email.invalid", "Въведете имейл адрес във вида name@example.bg", "Enter an email address in the correct format, like name@example.com"),
    // Form pages
    ("form_choose_placeholder", "Изберете", "Select"),
    ("date_day", "Ден", "Day"),
    ("date_month", "Месец", "Month"),
    ("date_year", "Година", "Year"),
    ("form_check", "Провери", "Check"),
    ("form_preview_title", "Преглед на формуляр", "Form preview"),
    ("form_preview_lead", "Така изглежда тази стъпка за заявителя. Проверката не запазва нищо.", "This is how the step looks to an applicant. Checking saves nothing."),
    ("form_preview_ok", "Стъпката е попълнена правилно. Нищо не е запазено.", "The step is filled in correctly. Nothing was saved."),
    ("form_version", "Версия", "Version"),
    ("form_steps", "Стъпки", "Steps"),
    // Form messages by code
    ("form.required", "Въведете {label}", "Enter {label}"),
    ("form.choose", "Изберете отговор на „{Label}“", "Select an answer to ‘{Label}’"),
    ("form.confirm", "Отбележете „{Label}“, за да продължите", "Select ‘{Label}’ to continue"),
    ("form.invalid", "Полето „{Label}“ не е попълнено правилно", "‘{Label}’ is not valid"),
    ("form.too_long", "„{Label}“ трябва да е до {max} знака", "‘{Label}’ must be {max} characters or fewer"),
    ("form.too_short", "„{Label}“ трябва да е поне {min} знака", "‘{Label}’ must be {min} characters or more"),
    ("form.pattern", "Въведете {label} в правилния формат", "Enter {label} in the correct format"),
    ("form.too_small", "„{Label}“ трябва да е {min} или повече", "‘{Label}’ must be {min} or more"),
    ("form.too_large", "„{Label}“ трябва да е {max} или по-малко", "‘{Label}’ must be {max} or less"),
    ("form.too_many", "„{Label}“: най-много {max}", "‘{Label}’: {max} at most"),
    ("form.number.invalid", "„{Label}“ трябва да е число", "‘{Label}’ must be a number"),
    ("form.option.unknown", "Изберете един от възможните отговори на „{Label}“", "Select one of the answers to ‘{Label}’"),
    ("form.address.unknown", "Изберете адрес от списъка", "Select an address from the list"),
    ("form.date.invalid", "„{Label}“ трябва да е истинска дата, например 27 3 2007", "‘{Label}’ must be a real date, like 27 3 2007"),
    ("form.date.past", "„{Label}“ трябва да е в миналото", "‘{Label}’ must be in the past"),
    ("form.date.future", "„{Label}“ трябва да е в бъдещето", "‘{Label}’ must be in the future"),
    ("form.egn.too_old", "„{Label}“: ЕГН трябва да е на човек под {age} години", "‘{Label}’: the EGN must belong to someone under {age}"),
    ("form.file.required", "Изберете файл за „{Label}“", "Select a file for ‘{Label}’"),
    ("form.file.type", "Файлът трябва да е {types}", "The selected file must be a {types}"),
    ("form.file.too_big", "Файлът трябва да е по-малък от {size}", "The selected file must be smaller than {size}"),
    ("form.file.empty", "Избраният файл е празен", "The selected file is empty"),
    // Audit actions shown to people
    ("catalog.service_created", "Публикувана услуга", "Service published"),
    ("catalog.service_adopted", "Добавена услуга от каталога", "Service adopted from the catalog"),
    ("catalog.template_created", "Създаден шаблон на услуга", "Service template created"),
    ("catalog.form_published", "Публикувана версия на формуляр", "Form version published"),
    ("catalog.nomenclature_updated", "Обновена номенклатура", "Nomenclature updated"),
    // components (issue 7)
    ("console_title", "Администриране", "Console"),
    ("console_lead", "Услугите на администрациите, които управлявате, и какво можете да направите с тях.", "The services of the administrations you manage, and what you can do with them."),
    ("console_services", "Публикувани услуги", "Published services"),
    ("console_no_services", "Все още няма публикувани услуги.", "No services published yet."),
    ("console_adopt", "Добавяне на услуга от общия каталог", "Add a service from the shared catalog"),
    ("console_queue", "Работна опашка на администрацията", "The administration's work queue"),
    ("console_tasks", "Задачи", "Tasks"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_translated_and_not_in_common() {
        let mut keys: Vec<_> = STRINGS.iter().map(|e| e.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate key");
        for (key, bg, en) in STRINGS {
            assert!(!bg.is_empty() && !en.is_empty(), "{key}");
            assert!(
                !portico_http::i18n::COMMON.iter().any(|e| e.0 == *key),
                "{key} shadows a common string"
            );
        }
    }
}
