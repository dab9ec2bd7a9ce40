//! Demo data for the catalog: the shared "Address registration" template with its form, adopted
//! by Sofia Municipality (worked in its 24 districts) and by Chelopech; Sofia's addresses; and a
//! few other real-life services in Sofia, Burgas, Veliko Tarnovo and Chelopech. Idempotent: each
//! thing is looked up by its natural key (slug, template key, form key, address code) first.

use crate::forms;
use crate::model::{Contact, NewService, NomenclatureEntry, Overrides, ServiceFacts, Text};
use crate::service::{self, nomenclatures, templates};
use crate::CatalogError;
use portico_core::money::Currency;
use portico_core::{Clock, Eik, Money};
use portico_identity::service::administrations;
use portico_store::Db;
use serde_json::{json, Value};

const SYSTEM: &str = "system:demo";
pub const ADDRESS_REGISTRATION: &str = "address-registration";
pub const GENERAL_APPLICATION: &str = "general-application";
pub const SOFIA_EIK: &str = "000696327";
const BURGAS_EIK: &str = "000056814";
const VELIKO_TARNOVO_EIK: &str = "000133634";

fn t(bg: &str, en: &str) -> Text {
    Text::new(bg, en)
}

/// Sofia's addresses: (code, Bulgarian, English, district).
const SOFIA_ADDRESSES: &[(&str, &str, &str, &str)] = &[
    ("sof-0001", "ул. Шипка 6", "6 Shipka St", "sredets"),
    ("sof-0002", "бул. Витоша 10", "10 Vitosha Blvd", "sredets"),
    (
        "sof-0003",
        "ул. Граф Игнатиев 15",
        "15 Graf Ignatiev St",
        "sredets",
    ),
    (
        "sof-0004",
        "ул. Цар Шишман 22",
        "22 Tsar Shishman St",
        "sredets",
    ),
    ("sof-0005", "ул. Раковски 108", "108 Rakovski St", "sredets"),
    ("sof-0006", "бул. Мадрид 18", "18 Madrid Blvd", "oborishte"),
    ("sof-0007", "ул. Оборище 45", "45 Oborishte St", "oborishte"),
    (
        "sof-0008",
        "ж.к. Младост 1, бл. 12",
        "Mladost 1, block 12",
        "mladost",
    ),
    (
        "sof-0009",
        "ж.к. Младост 2, бл. 225",
        "Mladost 2, block 225",
        "mladost",
    ),
    (
        "sof-0010",
        "ж.к. Младост 4, бл. 460",
        "Mladost 4, block 460",
        "mladost",
    ),
    (
        "sof-0011",
        "бул. Александър Малинов 51",
        "51 Aleksandar Malinov Blvd",
        "mladost",
    ),
    (
        "sof-0012",
        "ул. Червена стена 36",
        "36 Chervena Stena St",
        "lozenets",
    ),
    (
        "sof-0013",
        "бул. Черни връх 47",
        "47 Cherni Vrah Blvd",
        "lozenets",
    ),
    ("sof-0014", "ул. Кричим 12", "12 Krichim St", "lozenets"),
    (
        "sof-0015",
        "ул. Костенски водопад 24",
        "24 Kostenski Vodopad St",
        "triaditsa",
    ),
    (
        "sof-0016",
        "бул. България 88",
        "88 Bulgaria Blvd",
        "triaditsa",
    ),
    (
        "sof-0017",
        "ж.к. Хиподрума, бл. 115",
        "Hipodruma, block 115",
        "krasno-selo",
    ),
    (
        "sof-0018",
        "бул. Цар Борис III 24",
        "24 Tsar Boris III Blvd",
        "krasno-selo",
    ),
    (
        "sof-0019",
        "ж.к. Люлин 5, бл. 514",
        "Lyulin 5, block 514",
        "lyulin",
    ),
    (
        "sof-0020",
        "ж.к. Люлин 7, бл. 703",
        "Lyulin 7, block 703",
        "lyulin",
    ),
    (
        "sof-0021",
        "бул. Панчо Владигеров 21",
        "21 Pancho Vladigerov Blvd",
        "lyulin",
    ),
    (
        "sof-0022",
        "ж.к. Надежда 2, бл. 213",
        "Nadezhda 2, block 213",
        "nadezhda",
    ),
    (
        "sof-0023",
        "ул. Фредерик Жолио-Кюри 20",
        "20 Frederic Joliot-Curie St",
        "izgrev",
    ),
    (
        "sof-0024",
        "Студентски град, бл. 8",
        "Studentski Grad, block 8",
        "studentski",
    ),
    (
        "sof-0025",
        "ул. Пиротска 40",
        "40 Pirotska St",
        "vazrazhdane",
    ),
    (
        "sof-0026",
        "бул. Христо Ботев 58",
        "58 Hristo Botev Blvd",
        "vazrazhdane",
    ),
    (
        "sof-0027",
        "кв. Бояна, ул. Беловодски път 15",
        "Boyana, 15 Belovodski Pat St",
        "vitosha",
    ),
    (
        "sof-0028",
        "кв. Драгалевци, ул. Папратта 3",
        "Dragalevtsi, 3 Paprat St",
        "vitosha",
    ),
    (
        "sof-0029",
        "ж.к. Дружба 1, бл. 23",
        "Druzhba 1, block 23",
        "iskar",
    ),
    (
        "sof-0030",
        "ж.к. Сухата река, бл. 9",
        "Suhata Reka, block 9",
        "poduyane",
    ),
    (
        "sof-0031",
        "ж.к. Овча купел 1, бл. 410",
        "Ovcha Kupel 1, block 410",
        "ovcha-kupel",
    ),
    (
        "sof-0032",
        "ж.к. Гео Милев, ул. Шипченски проход 18",
        "Geo Milev, 18 Shipchenski Prohod St",
        "slatina",
    ),
];

/// The codes of Sofia's districts, as Sofia Municipality's units are named.
const SOFIA_DISTRICT_CODES: [&str; 24] = [
    "sredets",
    "krasno-selo",
    "vazrazhdane",
    "oborishte",
    "serdika",
    "poduyane",
    "slatina",
    "izgrev",
    "lozenets",
    "triaditsa",
    "krasna-polyana",
    "ilinden",
    "nadezhda",
    "iskar",
    "mladost",
    "studentski",
    "vitosha",
    "ovcha-kupel",
    "lyulin",
    "vrabnitsa",
    "novi-iskar",
    "kremikovtsi",
    "pancharevo",
    "bankya",
];

fn yes_no(bg_yes: &str, en_yes: &str) -> Value {
    json!([
        { "value": "yes", "label": { "bg": bg_yes, "en": en_yes } },
        { "value": "no", "label": { "bg": "Не", "en": "No" } }
    ])
}

/// The address registration form: who applies (and for which children), the new address, and
/// an optional proof of the right to live there.
pub fn address_registration_form() -> (Value, Value) {
    let egn = json!({ "type": "string", "pattern": "^[0-9]{10}$" });
    let schema = json!({
        "$schema": forms::DRAFT_2020_12,
        "title": "Адресна регистрация / Address registration",
        "type": "object",
        "properties": {
            "applicant_egn": egn,
            "include_children": { "type": "string", "enum": ["yes", "no"] },
            "children_egns": { "type": "array", "items": egn, "minItems": 1, "maxItems": 10 },
            "other_parent_egn": egn,
            "address_kind": { "type": "string", "enum": ["permanent", "current"] },
            "address": { "type": "string", "minLength": 1, "maxLength": 40 },
            "owns_home": { "type": "string", "enum": ["yes", "no"] },
            "owner_egn": egn,
            "ownership_document": { "type": "array", "items": { "type": "string" }, "maxItems": 1 }
        },
        "required": ["applicant_egn", "include_children", "address_kind", "address", "owns_home"],
        "allOf": [
            { "if": { "properties": { "include_children": { "const": "yes" } }, "required": ["include_children"] },
              "then": { "required": ["children_egns", "other_parent_egn"] } },
            { "if": { "properties": { "owns_home": { "const": "no" } }, "required": ["owns_home"] },
              "then": { "required": ["owner_egn"] } }
        ]
    });
    let layout = json!({
        "steps": [
        { "id": "applicant",
          "title": { "bg": "Кой подава заявлението", "en": "Who is applying" },
          "fields": [
            { "name": "applicant_egn", "widget": "egn", "readonly": true, "prefill": "applicant.personal_id",
              "label": { "bg": "Вашето ЕГН", "en": "Your EGN" } },
            { "name": "include_children", "widget": "radios",
              "label": { "bg": "Ще регистрирате ли на същия адрес и деца под 18 години?", "en": "Are you also registering children under 18 at this address?" },
              "options": yes_no("Да", "Yes"),
              "messages": { "form.choose": { "bg": "Изберете дали ще регистрирате и деца", "en": "Select whether you are also registering children" } } },
            { "name": "children_egns", "widget": "egn_list", "required": true, "max_age_years": 18,
              "when": { "field": "include_children", "equals": "yes" },
              "label": { "bg": "ЕГН на децата", "en": "Children's EGNs" },
              "hint": { "bg": "По едно ЕГН на ред. Попълнете само ако сте отговорили „Да“.", "en": "One EGN a line. Only if you answered ‘Yes’." },
              "messages": { "form.required": { "bg": "Въведете ЕГН на децата", "en": "Enter the children's EGNs" } } },
            { "name": "other_parent_egn", "widget": "egn", "required": true,
              "when": { "field": "include_children", "equals": "yes" },
              "label": { "bg": "ЕГН на другия родител", "en": "The other parent's EGN" },
              "hint": { "bg": "Другият родител ще потвърди съгласието си в своя профил.", "en": "The other parent will confirm their consent in their own account." },
              "messages": { "form.required": { "bg": "Въведете ЕГН на другия родител", "en": "Enter the other parent's EGN" } } }
          ] },
        { "id": "address",
          "title": { "bg": "Новият адрес", "en": "Your new address" },
          "fields": [
            { "name": "address_kind", "widget": "radios",
              "label": { "bg": "Какъв адрес регистрирате?", "en": "Which address are you registering?" },
              "options": [
                { "value": "permanent", "label": { "bg": "Постоянен адрес", "en": "Permanent address" },
                  "hint": { "bg": "Адресът в документите ви за самоличност", "en": "The address on your identity documents" } },
                { "value": "current", "label": { "bg": "Настоящ адрес", "en": "Current address" },
                  "hint": { "bg": "Където живеете в момента", "en": "Where you live now" } }
              ],
              "messages": { "form.choose": { "bg": "Изберете постоянен или настоящ адрес", "en": "Select permanent or current address" } } },
            { "name": "address", "widget": "address", "nomenclature": nomenclatures::SOFIA_ADDRESSES,
              "label": { "bg": "Адрес", "en": "Address" },
              "hint": { "bg": "Изберете адреса от списъка на Столична община", "en": "Choose the address from Sofia Municipality's list" },
              "messages": { "form.choose": { "bg": "Изберете адреса от списъка", "en": "Select the address from the list" } } },
            { "name": "owns_home", "widget": "radios",
              "label": { "bg": "Собственик ли сте на жилището?", "en": "Do you own the home?" },
              "options": yes_no("Да", "Yes"),
              "messages": { "form.choose": { "bg": "Изберете дали сте собственик на жилището", "en": "Select whether you own the home" } } },
            { "name": "owner_egn", "widget": "egn", "required": true,
              "when": { "field": "owns_home", "equals": "no" },
              "label": { "bg": "ЕГН на собственика", "en": "Owner's EGN" },
              "hint": { "bg": "Само ако не сте собственик. Собственикът ще потвърди съгласието си в своя профил.", "en": "Only if you do not own the home. The owner will confirm their consent in their own account." },
              "messages": { "form.required": { "bg": "Въведете ЕГН на собственика", "en": "Enter the owner's EGN" } } }
          ] },
        { "id": "documents",
          "title": { "bg": "Документи", "en": "Documents" },
          "fields": [
            { "name": "ownership_document", "widget": "file",
              "accept": ["application/pdf", "image/jpeg", "image/png"], "max_bytes": 5 * 1024 * 1024,
              "label": { "bg": "Документ за собственост или договор за наем (по желание)", "en": "Title deed or rental contract (optional)" } }
          ] }
        ],
        "consents": [
            { "role": "owner", "person": "owner_egn", "when": { "field": "owns_home", "equals": "no" },
              "label": { "bg": "собственик на жилището", "en": "owner of the home" },
              "shows": ["address"] },
            { "role": "parent", "person": "other_parent_egn", "when": { "field": "include_children", "equals": "yes" },
              "label": { "bg": "другият родител", "en": "the other parent" },
              "shows": ["address"] }
        ],
        "routing": { "field": "address", "attribute": "district" }
    });
    (schema, layout)
}

/// A plain application for services without a form of their own: what is asked, a phone, files.
pub fn general_application_form() -> (Value, Value) {
    let schema = json!({
        "$schema": forms::DRAFT_2020_12,
        "type": "object",
        "properties": {
            "request": { "type": "string", "minLength": 3, "maxLength": 2000 },
            "phone": { "type": "string", "pattern": "^\\+?[0-9 ]{6,20}$" },
            "attachments": { "type": "array", "items": { "type": "string" }, "maxItems": 3 }
        },
        "required": ["request"]
    });
    let layout = json!({ "steps": [
        { "id": "request",
          "title": { "bg": "Вашето искане", "en": "Your request" },
          "fields": [
            { "name": "request", "widget": "textarea",
              "label": { "bg": "Какво искате от администрацията?", "en": "What are you asking the administration for?" },
              "hint": { "bg": "Например за кого е удостоверението и за какво ще го ползвате.", "en": "For example who the certificate is for and what you need it for." },
              "messages": { "form.required": { "bg": "Опишете искането си", "en": "Describe your request" } } },
            { "name": "phone", "widget": "text", "autocomplete": "tel",
              "label": { "bg": "Телефон за връзка (по желание)", "en": "Phone number (optional)" },
              "messages": { "form.pattern": { "bg": "Въведете телефонен номер, например 0888 123 456", "en": "Enter a phone number, like 0888 123 456" } } }
          ] },
        { "id": "documents",
          "title": { "bg": "Документи", "en": "Documents" },
          "fields": [
            { "name": "attachments", "widget": "file", "max_files": 3,
              "accept": ["application/pdf", "image/jpeg", "image/png"], "max_bytes": 5 * 1024 * 1024,
              "label": { "bg": "Приложения (по желание)", "en": "Attachments (optional)" } }
          ] }
    ] });
    (schema, layout)
}

fn address_registration_facts() -> ServiceFacts {
    ServiceFacts {
        title: t("Адресна регистрация", "Address registration"),
        description: t(
            "Заявете постоянен или настоящ адрес — за себе си и за децата си под 18 години. Ако не сте собственик на жилището, собственикът дава съгласието си онлайн, в своя профил.",
            "Register your permanent or current address — for yourself and your children under 18. If you do not own the home, the owner gives consent online, in their own account.",
        ),
        legal_basis: t(
            "Закон за гражданската регистрация, чл. 89–99а; Наредба за издаване на удостоверения въз основа на регистъра на населението",
            "Civil Registration Act, Art. 89–99a; Ordinance on certificates issued from the population register",
        ),
        deadline_working_days: 3,
        fee: Money::new(0, Currency::Eur),
        fee_note: t(
            "Адресната регистрация е безплатна.",
            "Address registration is free of charge.",
        ),
        payment_options: vec![],
        delivery_channels: vec!["edelivery".into(), "counter".into()],
        required_documents: vec![
            t(
                "Документ за собственост или договор за наем — само ако собственикът не потвърди съгласието си онлайн",
                "A title deed or rental contract — only if the owner does not confirm consent online",
            ),
            t(
                "Нищо друго: данните от личната ви карта и регистъра на населението се проверяват автоматично",
                "Nothing else: your identity card and population register data are checked automatically",
            ),
        ],
        who_may_apply: vec![
            t(
                "Български граждани и чужденци с право на пребиваване, навършили 18 години",
                "Bulgarian citizens and foreigners with a right of residence, aged 18 or over",
            ),
            t(
                "Родител или настойник — за деца под 18 години",
                "A parent or guardian — for children under 18",
            ),
        ],
        topic: "address".into(),
        life_event: Some("moving-home".into()),
        units: vec![],
        contact: Contact::default(),
    }
}

/// A service made directly (not from the template), with the general application form.
struct Plain {
    slug: &'static str,
    eik: String,
    title: (&'static str, &'static str),
    description: (&'static str, &'static str),
    legal_basis: (&'static str, &'static str),
    deadline: u32,
    fee_cents: i64,
    fee_note: (&'static str, &'static str),
    documents: Vec<(&'static str, &'static str)>,
    who: Vec<(&'static str, &'static str)>,
    topic: &'static str,
    life_event: Option<&'static str>,
}

fn plain_services(sredets_eik: &str, chelopech_eik: &str) -> Vec<Plain> {
    let citizens = (
        "Всеки гражданин за себе си или упълномощено лице",
        "Anyone for themselves, or a person they authorise",
    );
    vec![
        Plain {
            slug: "permanent-address-certificate-sofia",
            eik: SOFIA_EIK.into(),
            title: ("Удостоверение за постоянен адрес", "Certificate of permanent address"),
            description: ("Удостоверява постоянния ви адрес, вписан при адресна регистрация. Нужно е например за банка или работодател.", "Certifies the permanent address recorded at your address registration. Needed for example by a bank or an employer."),
            legal_basis: ("Закон за гражданската регистрация, чл. 106", "Civil Registration Act, Art. 106"),
            deadline: 1,
            fee_cents: 250,
            fee_note: ("Бърза услуга (до 1 час): 5,00 €", "Express (within an hour): €5.00"),
            documents: vec![],
            who: vec![citizens],
            topic: "address",
            life_event: Some("moving-home"),
        },
        Plain {
            slug: "heirs-certificate-sredets",
            eik: sredets_eik.into(),
            title: ("Удостоверение за наследници", "Certificate of heirs"),
            description: ("Посочва наследниците по закон на починал човек. Нужно е за наследяване на имот, сметки и пенсии.", "Lists the legal heirs of a person who has died. Needed to inherit property, accounts and pensions."),
            legal_basis: ("Закон за гражданската регистрация, чл. 24; Закон за наследството", "Civil Registration Act, Art. 24; Inheritance Act"),
            deadline: 7,
            fee_cents: 250,
            fee_note: ("Бърза услуга (до 3 работни дни): 5,00 €", "Express (within 3 working days): €5.00"),
            documents: vec![("Смъртен акт, ако смъртта е настъпила в чужбина", "The death certificate, if the death occurred abroad")],
            who: vec![("Всеки от наследниците или упълномощено лице", "Any heir, or a person they authorise")],
            topic: "civil-status",
            life_event: Some("death"),
        },
        Plain {
            slug: "marital-status-certificate-sofia",
            eik: SOFIA_EIK.into(),
            title: ("Удостоверение за семейно положение", "Certificate of marital status"),
            description: ("Удостоверява дали сте в брак. Нужно е например за сключване на брак в чужбина.", "Certifies whether you are married. Needed for example to marry abroad."),
            legal_basis: ("Закон за гражданската регистрация, чл. 106", "Civil Registration Act, Art. 106"),
            deadline: 1,
            fee_cents: 250,
            fee_note: ("", ""),
            documents: vec![],
            who: vec![citizens],
            topic: "civil-status",
            life_event: Some("marriage"),
        },
        Plain {
            slug: "building-permit-sofia",
            eik: SOFIA_EIK.into(),
            title: ("Разрешение за строеж", "Building permit"),
            description: ("Разрешение за строителство на нова сграда, пристройка или надстройка по одобрен инвестиционен проект.", "Permission to build a new building, an extension or an added storey under an approved design."),
            legal_basis: ("Закон за устройство на територията, чл. 148", "Spatial Planning Act, Art. 148"),
            deadline: 7,
            fee_cents: 5000,
            fee_note: ("Според разгънатата застроена площ; 50 € е таксата до 100 кв. м", "Set by the built-up area; €50 is the fee up to 100 square metres"),
            documents: vec![
                ("Одобрен инвестиционен проект", "The approved investment design"),
                ("Документ за собственост или право на строеж", "Title deed or building right"),
            ],
            who: vec![("Собственикът на терена или носителят на право на строеж", "The owner of the land or the holder of a building right")],
            topic: "construction",
            life_event: Some("building-a-home"),
        },
        Plain {
            slug: "local-tax-declaration-burgas",
            eik: BURGAS_EIK.into(),
            title: ("Декларация за местни данъци", "Local tax declaration"),
            description: ("Декларирайте придобит недвижим имот или превозно средство за данък сгради и данък върху превозните средства.", "Declare property or a vehicle you have acquired, for building tax and vehicle tax."),
            legal_basis: ("Закон за местните данъци и такси, чл. 14 и чл. 54", "Local Taxes and Fees Act, Art. 14 and Art. 54"),
            deadline: 0,
            fee_cents: 0,
            fee_note: ("", ""),
            documents: vec![("Документ за собственост", "Title deed or vehicle registration")],
            who: vec![("Собственикът или ползвателят на имота или превозното средство", "The owner or user of the property or vehicle")],
            topic: "local-taxes",
            life_event: Some("owning-property"),
        },
        Plain {
            slug: "heirs-certificate-burgas",
            eik: BURGAS_EIK.into(),
            title: ("Удостоверение за наследници", "Certificate of heirs"),
            description: ("Посочва наследниците по закон на починал човек, с последен адрес в община Бургас.", "Lists the legal heirs of a person who has died whose last address was in Burgas."),
            legal_basis: ("Закон за гражданската регистрация, чл. 24", "Civil Registration Act, Art. 24"),
            deadline: 7,
            fee_cents: 300,
            fee_note: ("", ""),
            documents: vec![],
            who: vec![("Всеки от наследниците или упълномощено лице", "Any heir, or a person they authorise")],
            topic: "civil-status",
            life_event: Some("death"),
        },
        Plain {
            slug: "marital-status-certificate-veliko-tarnovo",
            eik: VELIKO_TARNOVO_EIK.into(),
            title: ("Удостоверение за семейно положение", "Certificate of marital status"),
            description: ("Удостоверява дали сте в брак, по данни от регистъра на населението.", "Certifies whether you are married, from the population register."),
            legal_basis: ("Закон за гражданската регистрация, чл. 106", "Civil Registration Act, Art. 106"),
            deadline: 1,
            fee_cents: 200,
            fee_note: ("", ""),
            documents: vec![],
            who: vec![citizens],
            topic: "civil-status",
            life_event: Some("marriage"),
        },
        Plain {
            slug: "taxi-permit-veliko-tarnovo",
            eik: VELIKO_TARNOVO_EIK.into(),
            title: ("Разрешение за таксиметров превоз", "Taxi service permit"),
            description: ("Разрешение за извършване на таксиметров превоз на пътници на територията на общината.", "A permit to carry passengers by taxi within the municipality."),
            legal_basis: ("Закон за автомобилните превози, чл. 24а", "Road Transport Act, Art. 24a"),
            deadline: 14,
            fee_cents: 10000,
            fee_note: ("За един автомобил за една година", "For one car for one year"),
            documents: vec![("Удостоверение за регистрация на превозвача", "The carrier's registration certificate")],
            who: vec![("Регистрирани превозвачи", "Registered carriers")],
            topic: "business",
            life_event: Some("starting-a-business"),
        },
        Plain {
            slug: "tax-assessment-certificate-chelopech",
            eik: chelopech_eik.into(),
            title: ("Удостоверение за данъчна оценка", "Certificate of tax assessment"),
            description: ("Данъчната оценка на недвижим имот — нужна при продажба, дарение или наследяване.", "The tax value of a property — needed to sell, give or inherit it."),
            legal_basis: ("Закон за местните данъци и такси, чл. 264", "Local Taxes and Fees Act, Art. 264"),
            deadline: 5,
            fee_cents: 500,
            fee_note: ("", ""),
            documents: vec![],
            who: vec![("Собственикът на имота или упълномощено лице", "The owner of the property, or a person they authorise")],
            topic: "local-taxes",
            life_event: Some("owning-property"),
        },
    ]
}

async fn find_administration(db: &Db, eik: &str) -> Result<Option<String>, CatalogError> {
    let mut tx = db.begin().await?;
    let found = administrations::find_by_eik_in(&mut tx, eik).await?;
    tx.rollback().await?;
    Ok(found.map(|a| a.id))
}

async fn ensure_form(
    db: &Db,
    clock: &dyn Clock,
    key: &str,
    definition: (Value, Value),
) -> Result<(), CatalogError> {
    if forms::current(db, key).await?.is_some() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    forms::publish(
        &mut tx,
        key,
        &definition.0,
        &definition.1,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_adopted(
    db: &Db,
    clock: &dyn Clock,
    administration_id: &str,
    overrides: Overrides,
) -> Result<(), CatalogError> {
    if let Some(slug) = &overrides.slug {
        if service::by_slug(db, slug).await?.is_some() {
            return Ok(());
        }
    }
    let mut tx = db.begin().await?;
    service::adopt(
        &mut tx,
        ADDRESS_REGISTRATION,
        administration_id,
        &overrides,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the demo has in the catalog afterwards.
#[derive(Debug, Default)]
pub struct SeededCatalog {
    pub services: usize,
    pub addresses: usize,
}

/// Seeds the catalog. Needs identity's demo administrations (Sofia and its districts, Burgas,
/// Veliko Tarnovo, Chelopech); those it cannot find are skipped.
pub async fn seed(db: &Db, clock: &dyn Clock) -> Result<SeededCatalog, CatalogError> {
    let entries: Vec<NomenclatureEntry> = SOFIA_ADDRESSES
        .iter()
        .map(|(code, bg, en, district)| {
            NomenclatureEntry::new(
                code,
                &format!("{bg}, София"),
                &format!("{en}, Sofia"),
                json!({ "district": district, "city": "sofia" }),
            )
        })
        .collect();
    let mut tx = db.begin().await?;
    nomenclatures::add_missing(
        &mut tx,
        nomenclatures::SOFIA_ADDRESSES,
        &entries,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;

    ensure_form(db, clock, ADDRESS_REGISTRATION, address_registration_form()).await?;
    ensure_form(db, clock, GENERAL_APPLICATION, general_application_form()).await?;

    if templates::get_by_key(db, ADDRESS_REGISTRATION)
        .await?
        .is_none()
    {
        let mut tx = db.begin().await?;
        templates::create(
            &mut tx,
            ADDRESS_REGISTRATION,
            &address_registration_facts(),
            Some(ADDRESS_REGISTRATION),
            ADDRESS_REGISTRATION,
            SYSTEM,
            clock.now(),
        )
        .await?;
        tx.commit().await?;
    }

    if let Some(sofia) = find_administration(db, SOFIA_EIK).await? {
        let overrides = Overrides {
            slug: Some("address-registration-sofia".into()),
            units: Some(SOFIA_DISTRICT_CODES.iter().map(|c| (*c).to_owned()).collect()),
            contact: Some(Contact {
                phone: "+359 2 9377 591".into(),
                email: "cao@sofia.bg".into(),
                address: t(
                    "ул. Московска 33, 1000 София, и центровете за административно обслужване в районите",
                    "33 Moskovska St, 1000 Sofia, and the service centres of the districts",
                ),
                hours: t("Понеделник–петък, 8:30–17:30", "Monday to Friday, 8:30 to 17:30"),
            }),
            ..Overrides::default()
        };
        ensure_adopted(db, clock, &sofia, overrides).await?;
    }
    let chelopech_eik = Eik::complete("00077615")
        .map(|e| e.to_string())
        .unwrap_or_default();
    if let Some(chelopech) = find_administration(db, &chelopech_eik).await? {
        let overrides = Overrides {
            slug: Some("address-registration-chelopech".into()),
            units: Some(vec!["cao".into()]),
            deadline_working_days: Some(1),
            contact: Some(Contact {
                phone: "+359 7185 2550".into(),
                email: "obshtina@chelopech.bg".into(),
                address: t(
                    "ул. Първи май 1, 2087 Челопеч",
                    "1 Parvi May St, 2087 Chelopech",
                ),
                hours: Text::default(),
            }),
            ..Overrides::default()
        };
        ensure_adopted(db, clock, &chelopech, overrides).await?;
    }

    let sredets_eik = Eik::complete(&format!("{SOFIA_EIK}001"))
        .map(|e| e.to_string())
        .unwrap_or_default();
    for plain in plain_services(&sredets_eik, &chelopech_eik) {
        if service::by_slug(db, plain.slug).await?.is_some() {
            continue;
        }
        let Some(administration_id) = find_administration(db, &plain.eik).await? else {
            continue;
        };
        let pair = |(bg, en): (&str, &str)| t(bg, en);
        let new = NewService {
            slug: plain.slug.into(),
            administration_id,
            facts: ServiceFacts {
                title: pair(plain.title),
                description: pair(plain.description),
                legal_basis: pair(plain.legal_basis),
                deadline_working_days: plain.deadline,
                fee: Money::new(plain.fee_cents, Currency::Eur),
                fee_note: pair(plain.fee_note),
                payment_options: if plain.fee_cents > 0 {
                    vec!["card".into(), "epay".into(), "bank_transfer".into()]
                } else {
                    vec![]
                },
                delivery_channels: vec!["edelivery".into(), "email".into(), "counter".into()],
                required_documents: plain.documents.into_iter().map(pair).collect(),
                who_may_apply: plain.who.into_iter().map(pair).collect(),
                topic: plain.topic.into(),
                life_event: plain.life_event.map(str::to_owned),
                units: vec!["cao".into()],
                contact: Contact::default(),
            },
            form_key: Some(GENERAL_APPLICATION.into()),
            process_key: "standard".into(),
        };
        let mut tx = db.begin().await?;
        service::create(&mut tx, &new, SYSTEM, clock.now()).await?;
        tx.commit().await?;
    }
    Ok(SeededCatalog {
        services: service::list_published(db).await?.len(),
        addresses: entries.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_forms_can_be_published() {
        for (schema, layout) in [address_registration_form(), general_application_form()] {
            forms::check_definition(&schema, &layout).unwrap();
        }
    }
}
