//! The demo's base registers: a population register, Sofia's address register and a commercial
//! register, defined as built-in registers and filled with synthetic people, addresses and
//! companies (valid EGNs and EIKs). `generate` makes any number of people quickly (batched
//! inserts, a few thousand rows per transaction) and is idempotent: the same count makes the
//! same people, and running it again adds nothing.

use super::Registries;
use crate::error::RegistryError;
use crate::model::{
    AccessDecision, AccessRequest, Adapter, NewOperation, NewRegister, SubjectKind,
};
use chrono::{Datelike, NaiveDate};
use portico_core::personal_id::synthetic_egn;
use portico_core::{Actor, AdministrationKind, Eik};
use serde_json::json;
use std::collections::HashSet;

const ACTOR: Actor = Actor::System("demo");

/// The Sofia addresses the flagship's form offers (the catalog's `sofia_addresses` list).
const ADDRESSES: &str = include_str!("../../demo/addresses.json");

/// A person of the population register.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub egn: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub sex: &'static str,
    pub permanent_address: String,
    pub current_address: String,
    pub mother_egn: Option<String>,
    pub father_egn: Option<String>,
}

/// What `generate` made.
#[derive(Debug, Default, Clone, Copy)]
pub struct Generated {
    pub people: usize,
    pub addresses: usize,
    pub companies: usize,
}

/// The demo registers' owners: the ministry that keeps the population register (GRAO), Sofia
/// Municipality (addresses) and the Registry Agency (commercial register).
pub struct Owners {
    pub population: String,
    pub addresses: String,
    pub commercial: String,
}

async fn ensure_administration(
    ctx: &Registries,
    eik_prefix: &str,
    bg: &str,
    en: &str,
    kind: AdministrationKind,
) -> Result<String, RegistryError> {
    use portico_identity::service::administrations;
    let eik = Eik::complete(eik_prefix).ok_or(RegistryError::Internal("demo EIK".into()))?;
    let mut tx = ctx.db.begin().await?;
    if let Some(a) = administrations::find_by_eik_in(&mut tx, eik.as_str()).await? {
        return Ok(a.id);
    }
    let created = administrations::create(
        &mut tx,
        &portico_identity::model::NewAdministration {
            name_bg: bg.into(),
            name_en: en.into(),
            kind,
            eik,
            parent_id: None,
        },
        "system:demo",
        ctx.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(created.id)
}

fn object(properties: serde_json::Value, required: &[&str]) -> serde_json::Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn nullable_string() -> serde_json::Value {
    json!({ "type": ["string", "null"] })
}

/// Defines the three demo registers and their operations (idempotent).
pub async fn define(ctx: &Registries, sofia_id: &str) -> Result<Owners, RegistryError> {
    let owners = Owners {
        population: ensure_administration(
            ctx,
            "83166138",
            "Министерство на регионалното развитие и благоустройството (ГРАО)",
            "Ministry of Regional Development and Public Works (GRAO)",
            AdministrationKind::Ministry,
        )
        .await?,
        addresses: sofia_id.to_owned(),
        commercial: ensure_administration(
            ctx,
            "13040993",
            "Агенция по вписванията",
            "Registry Agency",
            AdministrationKind::Agency,
        )
        .await?,
    };
    let registers = [
        (
            "population",
            &owners.population,
            "Национален регистър на населението",
            "National population register",
            "Закон за гражданската регистрация, чл. 22",
        ),
        (
            "addresses",
            &owners.addresses,
            "Адресен регистър на София",
            "Sofia address register",
            "Закон за гражданската регистрация, чл. 92; Наредба за адресните регистри",
        ),
        (
            "commercial",
            &owners.commercial,
            "Търговски регистър",
            "Commercial register",
            "Закон за търговския регистър и регистъра на ЮЛНЦ, чл. 2",
        ),
    ];
    for (code, owner, bg, en, basis) in registers {
        super::catalogue::define_register(
            ctx,
            &ACTOR,
            &NewRegister {
                code: code.into(),
                owner_administration_id: owner.clone(),
                name_bg: bg.into(),
                name_en: en.into(),
                legal_basis: basis.into(),
            },
        )
        .await?;
    }
    let child = json!({
        "type": "object",
        "properties": {
            "egn": {"type": "string"}, "given_name": {"type": "string"},
            "family_name": {"type": "string"}, "birth_date": {"type": "string"}
        }
    });
    let operations = [
        NewOperation {
            register_code: "population".into(),
            code: "person".into(),
            version: "1".into(),
            name_bg: "Данни за лице".into(),
            name_en: "Person's data".into(),
            subject_kind: SubjectKind::Person,
            request_schema: object(json!({}), &[]),
            response_schema: object(
                json!({
                    "egn": {"type": "string"},
                    "given_name": {"type": "string"},
                    "middle_name": {"type": "string"},
                    "family_name": {"type": "string"},
                    "birth_date": {"type": "string"},
                    "sex": {"type": "string", "enum": ["male", "female"]},
                    "permanent_address": {"type": "string"},
                    "current_address": {"type": "string"},
                    "mother_egn": nullable_string(),
                    "father_egn": nullable_string(),
                    "children": {"type": "array", "items": child},
                }),
                &["egn"],
            ),
            personal_fields: [
                "egn",
                "given_name",
                "middle_name",
                "family_name",
                "birth_date",
                "sex",
                "permanent_address",
                "current_address",
                "mother_egn",
                "father_egn",
                "children",
            ]
            .map(String::from)
            .to_vec(),
            adapter: Adapter::Builtin {
                name: "population/person".into(),
            },
            timeout_ms: 2000,
        },
        NewOperation {
            register_code: "addresses".into(),
            code: "address".into(),
            version: "1".into(),
            name_bg: "Адрес и собственици".into(),
            name_en: "Address and owners".into(),
            subject_kind: SubjectKind::Person,
            request_schema: object(
                json!({ "address": {"type": "string", "pattern": "^sof-[0-9]{4,7}$"} }),
                &["address"],
            ),
            response_schema: object(
                json!({
                    "code": {"type": "string"},
                    "street": {"type": "string"},
                    "number": {"type": "string"},
                    "district": {"type": "string"},
                    "lat": {"type": "number"},
                    "lon": {"type": "number"},
                    "subject_is_owner": {"type": "boolean"},
                    "owners": {"type": "array", "items": {"type": "string"}},
                }),
                &["code"],
            ),
            personal_fields: vec!["subject_is_owner".into(), "owners".into()],
            adapter: Adapter::Builtin {
                name: "addresses/address".into(),
            },
            timeout_ms: 2000,
        },
        NewOperation {
            register_code: "commercial".into(),
            code: "company".into(),
            version: "1".into(),
            name_bg: "Данни за търговец".into(),
            name_en: "Company's data".into(),
            subject_kind: SubjectKind::Company,
            request_schema: object(json!({}), &[]),
            response_schema: object(
                json!({
                    "eik": {"type": "string"},
                    "name": {"type": "string"},
                    "legal_form": {"type": "string"},
                    "seat": {"type": "string"},
                    "representatives": {"type": "array", "items": {"type": "object"}},
                }),
                &["eik"],
            ),
            personal_fields: vec!["representatives".into()],
            adapter: Adapter::Builtin {
                name: "commercial/company".into(),
            },
            timeout_ms: 2000,
        },
    ];
    for op in &operations {
        super::catalogue::define_operation(ctx, &ACTOR, op).await?;
    }
    Ok(owners)
}

/// Grants an administration access (requested and approved by the platform), unless it already
/// has a grant in force for that operation.
#[allow(clippy::too_many_arguments)] // one call per grant in the demo and tests reads best flat
pub async fn grant(
    ctx: &Registries,
    administration_id: &str,
    register: &str,
    operation: &str,
    fields: &[&str],
    legal_basis: &str,
    purpose: &str,
    valid_until: i64,
) -> Result<(), RegistryError> {
    let (_, op) = super::catalogue::find_operation(&ctx.db, register, operation, Some("1"))
        .await?
        .ok_or(RegistryError::UnknownOperation)?;
    let now = portico_core::clock::to_millis(ctx.clock.now());
    if super::access::granted_fields(&ctx.db, administration_id, &op.id, now)
        .await
        .is_ok()
    {
        return Ok(());
    }
    let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    let access = super::access::request(
        ctx,
        &ACTOR,
        &AccessRequest {
            register: register.into(),
            operation: operation.into(),
            version: "1".into(),
            administration_id: Some(administration_id.into()),
            legal_basis: legal_basis.into(),
            purpose: purpose.into(),
            fields: fields.clone(),
        },
    )
    .await?;
    super::access::decide(
        ctx,
        &ACTOR,
        &access.id,
        &AccessDecision::Approve {
            fields,
            valid_until,
        },
    )
    .await?;
    Ok(())
}

/// The demo: the registers, Ivan Petrov's family (the demo citizen), the flagship's addresses,
/// `people` synthetic people, and Sofia's grants for the address registration.
pub async fn seed(
    ctx: &Registries,
    sofia_id: &str,
    ivan_egn: &str,
    people: usize,
) -> Result<Generated, RegistryError> {
    let owners = define(ctx, sofia_id).await?;
    let born = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let elena = synthetic_egn(born(1987, 3, 2), 456);
    let family = [
        (
            ivan_egn.to_owned(),
            "Иван",
            "Георгиев",
            "Петров",
            born(1985, 7, 14),
            "male",
            None,
            None,
        ),
        (
            elena.clone(),
            "Елена",
            "Стоянова",
            "Петрова",
            born(1987, 3, 2),
            "female",
            None,
            None,
        ),
        (
            synthetic_egn(born(2015, 5, 20), 11),
            "Петър",
            "Иванов",
            "Петров",
            born(2015, 5, 20),
            "male",
            Some(elena.clone()),
            Some(ivan_egn.to_owned()),
        ),
        (
            synthetic_egn(born(2018, 9, 9), 502),
            "Мария",
            "Иванова",
            "Петрова",
            born(2018, 9, 9),
            "female",
            Some(elena.clone()),
            Some(ivan_egn.to_owned()),
        ),
    ];
    let records: Vec<PersonRecord> = family
        .into_iter()
        .map(|(egn, g, m, f, b, sex, mother, father)| PersonRecord {
            egn,
            given_name: g.into(),
            middle_name: m.into(),
            family_name: f.into(),
            birth_date: b,
            sex,
            permanent_address: "sof-0002".into(),
            current_address: "sof-0002".into(),
            mother_egn: mother,
            father_egn: father,
        })
        .collect();
    insert_people(ctx, &records).await?;
    let listed: serde_json::Value = serde_json::from_str(ADDRESSES)?;
    let mut rng = Rng(7);
    let mut addresses = Vec::new();
    for a in listed["addresses"].as_array().into_iter().flatten() {
        let s = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
        addresses.push(AddressRecord {
            code: s("code"),
            street: s("street"),
            number: s("number"),
            district: s("district"),
            lat_e6: SOFIA_LAT + rng.spread(40_000),
            lon_e6: SOFIA_LON + rng.spread(60_000),
        });
    }
    insert_addresses(ctx, &addresses).await?;
    insert_owners(
        ctx,
        &[
            ("sof-0002".into(), ivan_egn.to_owned()),
            ("sof-0002".into(), elena),
        ],
    )
    .await?;
    let generated = generate(ctx, people).await?;
    let until = portico_core::clock::to_millis(ctx.clock.now() + chrono::Duration::days(5 * 365));
    grant(
        ctx,
        sofia_id,
        "population",
        "person",
        &[
            "given_name",
            "family_name",
            "birth_date",
            "permanent_address",
            "current_address",
            "mother_egn",
            "father_egn",
            "children",
        ],
        "Закон за гражданската регистрация, чл. 92–99",
        "Адресна регистрация: настоящ адрес и деца на заявителя, другият родител на детето",
        until,
    )
    .await?;
    grant(
        ctx,
        sofia_id,
        "addresses",
        "address",
        &["code", "district", "subject_is_owner", "owners"],
        "Закон за гражданската регистрация, чл. 92, ал. 3",
        "Адресна регистрация: собственици на адреса",
        until,
    )
    .await?;
    ask_owners(ctx, &owners.commercial).await?;
    Ok(generated)
}

/// Requests waiting for a decision on `/registries/access-requests`, each made once: the
/// Registry Agency asks Sofia (the address register's owner) to check companies' seats, and asks
/// the population register, whose owner has nobody on the platform yet, so a platform admin
/// decides it.
async fn ask_owners(ctx: &Registries, agency_id: &str) -> Result<(), RegistryError> {
    ask_once(
        ctx,
        agency_id,
        "addresses",
        "address",
        "Проверка на адреса на управление на търговци",
        &["code", "street", "number", "district"],
    )
    .await?;
    ask_once(
        ctx,
        agency_id,
        "population",
        "person",
        "Проверка на имената на представляващите търговци",
        &["given_name", "middle_name", "family_name"],
    )
    .await
}

async fn ask_once(
    ctx: &Registries,
    asker: &str,
    register: &str,
    operation: &str,
    purpose: &str,
    fields: &[&str],
) -> Result<(), RegistryError> {
    let (_, op) = super::catalogue::find_operation(&ctx.db, register, operation, Some("1"))
        .await?
        .ok_or(RegistryError::UnknownOperation)?;
    let (asked,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM registries_access WHERE administration_id = $1 AND operation_id = $2",
    )
    .bind(asker)
    .bind(&op.id)
    .fetch_one(ctx.db.pool())
    .await?;
    if asked > 0 {
        return Ok(());
    }
    super::access::request(
        ctx,
        &ACTOR,
        &AccessRequest {
            register: register.into(),
            operation: operation.into(),
            version: "1".into(),
            administration_id: Some(asker.into()),
            legal_basis: "Закон за търговския регистър и регистъра на ЮЛНЦ, чл. 21".into(),
            purpose: purpose.into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
        },
    )
    .await?;
    Ok(())
}

const SOFIA_LAT: i64 = 42_697_700;
const SOFIA_LON: i64 = 23_321_900;

/// SplitMix64: a small deterministic generator, so the same count makes the same people.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
    fn spread(&mut self, half: i64) -> i64 {
        (self.next() % (2 * half as u64 + 1)) as i64 - half
    }
}

const MALE: &[&str] = &[
    "Иван",
    "Георги",
    "Димитър",
    "Николай",
    "Петър",
    "Христо",
    "Стефан",
    "Тодор",
    "Александър",
    "Васил",
    "Мартин",
    "Борис",
    "Калоян",
    "Виктор",
    "Стоян",
    "Атанас",
    "Кирил",
    "Любомир",
];
const FEMALE: &[&str] = &[
    "Мария",
    "Елена",
    "Иванка",
    "Йорданка",
    "Десислава",
    "Гергана",
    "Надежда",
    "Виктория",
    "Цветелина",
    "Радостина",
    "Анна",
    "Теодора",
    "Симона",
    "Милена",
    "Божидара",
    "Силвия",
];
const FAMILY: &[&str] = &[
    "Петров",
    "Иванов",
    "Георгиев",
    "Димитров",
    "Николов",
    "Христов",
    "Стоянов",
    "Тодоров",
    "Илиев",
    "Василев",
    "Атанасов",
    "Костов",
    "Маринов",
    "Попов",
    "Колев",
    "Янков",
    "Кирилов",
];
const STREETS: &[&str] = &[
    "ул. Шипка",
    "бул. Витоша",
    "ул. Граф Игнатиев",
    "ул. Раковски",
    "бул. Христо Ботев",
    "ул. Пиротска",
    "бул. Цар Освободител",
    "ул. Оборище",
    "бул. Черни връх",
    "ул. Кричим",
    "бул. България",
    "бул. Александър Малинов",
    "ул. Червена стена",
    "бул. Мадрид",
    "ул. Солунска",
    "ул. Алабин",
    "бул. Васил Левски",
    "ул. Бачо Киро",
    "ул. Московска",
    "бул. Прага",
    "ул. Неофит Рилски",
    "бул. Тодор Александров",
    "ул. Опълченска",
];
const DISTRICTS: &[&str] = &[
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
const LEGAL_FORMS: &[&str] = &["ЕООД", "ООД", "АД", "ЕТ"];
const TRADES: &[&str] = &[
    "Витоша",
    "Балкан",
    "Родина",
    "Искър",
    "Средец",
    "Тракия",
    "Дунав",
    "Пирин",
    "Рила",
];

/// The middle name a child gets from their father's given name.
fn patronymic(father: &str, sex: &str) -> String {
    let stem = if father.ends_with('и') {
        format!("{father}ев")
    } else if father.ends_with('й') {
        format!("{}ев", father.trim_end_matches('й'))
    } else {
        format!("{father}ов")
    };
    if sex == "female" {
        format!("{stem}а")
    } else {
        stem
    }
}

fn feminine(family: &str) -> String {
    format!("{family}а")
}

#[derive(Debug, Clone)]
struct AddressRecord {
    code: String,
    street: String,
    number: String,
    district: String,
    lat_e6: i64,
    lon_e6: i64,
}

/// Makes `people` synthetic people in households of four (two parents, two children) at their own
/// address of Sofia which the parents own, and one company for every 50 people, represented by a
/// parent. Batched: one multi-row insert per few hundred rows, one transaction per batch.
pub async fn generate(ctx: &Registries, people: usize) -> Result<Generated, RegistryError> {
    let mut rng = Rng(20_260_101);
    let mut used: HashSet<String> = HashSet::with_capacity(people);
    let mut egn = |rng: &mut Rng, date: NaiveDate| loop {
        let candidate = synthetic_egn(date, rng.below(1000) as u32);
        if used.insert(candidate.clone()) {
            break candidate;
        }
    };
    let households = people.div_ceil(4);
    let start = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default();
    let mut out = Generated::default();
    let mut persons = Vec::with_capacity(4000);
    let mut addresses = Vec::with_capacity(1000);
    let mut owners = Vec::with_capacity(2000);
    let mut companies = Vec::new();
    let mut reps = Vec::new();
    for h in 0..households {
        let code = format!("sof-{:05}", 1000 + h);
        addresses.push(AddressRecord {
            code: code.clone(),
            street: rng.pick(STREETS).into(),
            number: (1 + rng.below(180)).to_string(),
            district: rng.pick(DISTRICTS).into(),
            lat_e6: SOFIA_LAT + rng.spread(60_000),
            lon_e6: SOFIA_LON + rng.spread(90_000),
        });
        let family = rng.pick(FAMILY);
        let father_born = start + chrono::Duration::days(rng.below(35 * 365) as i64);
        let mother_born = father_born + chrono::Duration::days(rng.below(6 * 365) as i64 - 3 * 365);
        let father_name = rng.pick(MALE);
        let father = PersonRecord {
            egn: egn(&mut rng, father_born),
            given_name: father_name.into(),
            middle_name: patronymic(rng.pick(MALE), "male"),
            family_name: family.into(),
            birth_date: father_born,
            sex: "male",
            permanent_address: code.clone(),
            current_address: code.clone(),
            mother_egn: None,
            father_egn: None,
        };
        let mother = PersonRecord {
            egn: egn(&mut rng, mother_born),
            given_name: rng.pick(FEMALE).into(),
            middle_name: patronymic(rng.pick(MALE), "female"),
            family_name: feminine(family),
            birth_date: mother_born,
            sex: "female",
            permanent_address: code.clone(),
            current_address: code.clone(),
            mother_egn: None,
            father_egn: None,
        };
        let in_household = (people - out.people).min(4);
        let mut members = vec![father.clone(), mother.clone()];
        for _ in 2..in_household {
            let born = mother_born + chrono::Duration::days(22 * 365 + rng.below(14 * 365) as i64);
            let sex = if rng.below(2) == 0 { "male" } else { "female" };
            members.push(PersonRecord {
                egn: egn(&mut rng, born),
                given_name: if sex == "male" {
                    rng.pick(MALE)
                } else {
                    rng.pick(FEMALE)
                }
                .into(),
                middle_name: patronymic(father_name, sex),
                family_name: if sex == "male" {
                    family.into()
                } else {
                    feminine(family)
                },
                birth_date: born,
                sex,
                permanent_address: code.clone(),
                current_address: code.clone(),
                mother_egn: Some(mother.egn.clone()),
                father_egn: Some(father.egn.clone()),
            });
        }
        members.truncate(in_household);
        for parent in members.iter().take(2) {
            owners.push((code.clone(), parent.egn.clone()));
        }
        out.people += members.len();
        persons.extend(members);
        if h % 12 == 0 {
            let eik = Eik::complete(&format!("2{:07}", 1_000_000 + h))
                .ok_or(RegistryError::Internal("demo EIK".into()))?;
            let form = rng.pick(LEGAL_FORMS);
            companies.push((
                eik.as_str().to_owned(),
                format!(
                    "{} {}-{} {form}",
                    rng.pick(TRADES),
                    family,
                    father.birth_date.year() % 100
                ),
                form.to_owned(),
                format!("София, {} {}", rng.pick(STREETS), 1 + rng.below(120)),
            ));
            reps.push((
                eik.as_str().to_owned(),
                father.egn.clone(),
                format!("{} {}", father.given_name, father.family_name),
                "управител".to_owned(),
            ));
        }
        if persons.len() >= 4000 {
            out.addresses += flush(
                ctx,
                &mut persons,
                &mut addresses,
                &mut owners,
                &mut companies,
                &mut reps,
                &mut out.companies,
            )
            .await?;
        }
    }
    out.addresses += flush(
        ctx,
        &mut persons,
        &mut addresses,
        &mut owners,
        &mut companies,
        &mut reps,
        &mut out.companies,
    )
    .await?;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn flush(
    ctx: &Registries,
    persons: &mut Vec<PersonRecord>,
    addresses: &mut Vec<AddressRecord>,
    owners: &mut Vec<(String, String)>,
    companies: &mut Vec<(String, String, String, String)>,
    reps: &mut Vec<(String, String, String, String)>,
    company_count: &mut usize,
) -> Result<usize, RegistryError> {
    insert_people(ctx, persons).await?;
    insert_addresses(ctx, addresses).await?;
    insert_owners(ctx, owners).await?;
    insert_rows(
        ctx,
        "registries_companies (eik, name, legal_form, seat)",
        "eik",
        companies
            .iter()
            .map(|(a, b, c, d)| {
                vec![
                    Cell::T(a.clone()),
                    Cell::T(b.clone()),
                    Cell::T(c.clone()),
                    Cell::T(d.clone()),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        ctx,
        "registries_representatives (eik, egn, name, role)",
        "eik, egn",
        reps.iter()
            .map(|(a, b, c, d)| {
                vec![
                    Cell::T(a.clone()),
                    Cell::T(b.clone()),
                    Cell::T(c.clone()),
                    Cell::T(d.clone()),
                ]
            })
            .collect(),
    )
    .await?;
    *company_count += companies.len();
    let n = addresses.len();
    persons.clear();
    addresses.clear();
    owners.clear();
    companies.clear();
    reps.clear();
    Ok(n)
}

/// One value of a batched insert.
enum Cell {
    T(String),
    O(Option<String>),
    I(i64),
}

/// Inserts rows in statements of a few hundred rows, all in one transaction; rows whose key
/// exists already are left as they are (`ON CONFLICT DO NOTHING`, on both databases).
async fn insert_rows(
    ctx: &Registries,
    table: &str,
    key: &str,
    rows: Vec<Vec<Cell>>,
) -> Result<(), RegistryError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = ctx.db.begin().await?;
    for chunk in rows.chunks(400) {
        let width = chunk[0].len();
        let mut sql = format!("INSERT INTO {table} VALUES ");
        for r in 0..chunk.len() {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${}", r * width + c + 1));
            }
            sql.push(')');
        }
        sql.push_str(&format!(" ON CONFLICT ({key}) DO NOTHING"));
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for cell in row {
                q = match cell {
                    Cell::T(s) => q.bind(s.clone()),
                    Cell::O(s) => q.bind(s.clone()),
                    Cell::I(i) => q.bind(*i),
                };
            }
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Adds people to the population register (existing EGNs are left as they are).
pub async fn insert_people(ctx: &Registries, people: &[PersonRecord]) -> Result<(), RegistryError> {
    insert_rows(
        ctx,
        "registries_people (egn, given_name, middle_name, family_name, birth_date, sex, permanent_address, current_address, mother_egn, father_egn)",
        "egn",
        people
            .iter()
            .map(|p| {
                vec![
                    Cell::T(p.egn.clone()),
                    Cell::T(p.given_name.clone()),
                    Cell::T(p.middle_name.clone()),
                    Cell::T(p.family_name.clone()),
                    Cell::T(p.birth_date.to_string()),
                    Cell::T(p.sex.to_owned()),
                    Cell::T(p.permanent_address.clone()),
                    Cell::T(p.current_address.clone()),
                    Cell::O(p.mother_egn.clone()),
                    Cell::O(p.father_egn.clone()),
                ]
            })
            .collect(),
    )
    .await
}

async fn insert_addresses(ctx: &Registries, rows: &[AddressRecord]) -> Result<(), RegistryError> {
    insert_rows(
        ctx,
        "registries_addresses (code, street, number, district, lat_e6, lon_e6)",
        "code",
        rows.iter()
            .map(|a| {
                vec![
                    Cell::T(a.code.clone()),
                    Cell::T(a.street.clone()),
                    Cell::T(a.number.clone()),
                    Cell::T(a.district.clone()),
                    Cell::I(a.lat_e6),
                    Cell::I(a.lon_e6),
                ]
            })
            .collect(),
    )
    .await
}

/// Records owners of addresses of Sofia's register.
pub async fn insert_owners(
    ctx: &Registries,
    rows: &[(String, String)],
) -> Result<(), RegistryError> {
    insert_rows(
        ctx,
        "registries_address_owners (address_code, owner_egn)",
        "address_code, owner_egn",
        rows.iter()
            .map(|(a, o)| vec![Cell::T(a.clone()), Cell::T(o.clone())])
            .collect(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patronymics_follow_the_fathers_name() {
        assert_eq!(patronymic("Иван", "male"), "Иванов");
        assert_eq!(patronymic("Георги", "female"), "Георгиева");
        assert_eq!(patronymic("Николай", "male"), "Николаев");
    }
}
