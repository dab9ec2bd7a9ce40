//! Demo data: Sofia Municipality with its 24 districts, Burgas, Veliko Tarnovo and Chelopech, and
//! a few accounts to try every role. Seeding is idempotent: each thing is looked up by its natural
//! key (EIK, unit code, e-mail) and created only if missing, so running the demo twice gives the
//! same data, not twice the data.

use anyhow::{anyhow, Result};
use portico_core::{AdministrationKind, Clock, Eik};
use portico_identity::model::{NewAdministration, NewStaff, Registration, Role};
use portico_identity::service::{accounts, administrations, password, roles};
use portico_store::Db;

pub const DEMO_PASSWORD: &str = "portico-demo-password";
/// Everyone in the demo shares this authenticator key, so a tester can add it to an app once.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
pub const SOFIA_EIK: &str = "000696327";
const SYSTEM: &str = "system:demo";

/// Sofia's 24 districts (райони), in the order of the municipality's own list.
pub const SOFIA_DISTRICTS: [(&str, &str, &str); 24] = [
    ("sredets", "Район Средец", "Sredets District"),
    ("krasno-selo", "Район Красно село", "Krasno Selo District"),
    ("vazrazhdane", "Район Възраждане", "Vazrazhdane District"),
    ("oborishte", "Район Оборище", "Oborishte District"),
    ("serdika", "Район Сердика", "Serdika District"),
    ("poduyane", "Район Подуяне", "Poduyane District"),
    ("slatina", "Район Слатина", "Slatina District"),
    ("izgrev", "Район Изгрев", "Izgrev District"),
    ("lozenets", "Район Лозенец", "Lozenets District"),
    ("triaditsa", "Район Триадица", "Triaditsa District"),
    (
        "krasna-polyana",
        "Район Красна поляна",
        "Krasna Polyana District",
    ),
    ("ilinden", "Район Илинден", "Ilinden District"),
    ("nadezhda", "Район Надежда", "Nadezhda District"),
    ("iskar", "Район Искър", "Iskar District"),
    ("mladost", "Район Младост", "Mladost District"),
    ("studentski", "Район Студентски", "Studentski District"),
    ("vitosha", "Район Витоша", "Vitosha District"),
    ("ovcha-kupel", "Район Овча купел", "Ovcha Kupel District"),
    ("lyulin", "Район Люлин", "Lyulin District"),
    ("vrabnitsa", "Район Връбница", "Vrabnitsa District"),
    ("novi-iskar", "Район Нови Искър", "Novi Iskar District"),
    ("kremikovtsi", "Район Кремиковци", "Kremikovtsi District"),
    ("pancharevo", "Район Панчарево", "Pancharevo District"),
    ("bankya", "Район Банкя", "Bankya District"),
];

/// What the demo created (or found), for the start-up message.
#[derive(Debug, Default)]
pub struct Seeded {
    pub administrations: usize,
    pub accounts: Vec<(String, &'static str)>,
}

async fn ensure_administration(
    db: &Db,
    clock: &dyn Clock,
    new: NewAdministration,
) -> Result<String> {
    let mut tx = db.begin().await?;
    if let Some(existing) = administrations::find_by_eik_in(&mut tx, new.eik.as_str()).await? {
        return Ok(existing.id);
    }
    let created = administrations::create(&mut tx, &new, SYSTEM, clock.now()).await?;
    tx.commit().await?;
    Ok(created.id)
}

async fn ensure_unit(
    db: &Db,
    clock: &dyn Clock,
    administration_id: &str,
    code: &str,
    bg: &str,
    en: &str,
) -> Result<String> {
    if let Some(unit) = administrations::list_units(db, administration_id)
        .await?
        .into_iter()
        .find(|u| u.code == code)
    {
        return Ok(unit.id);
    }
    let mut tx = db.begin().await?;
    let unit = administrations::create_unit(
        &mut tx,
        administration_id,
        code,
        bg,
        en,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(unit.id)
}

fn eik(digits: &str) -> Result<Eik> {
    Eik::parse(digits).map_err(|e| anyhow!("demo EIK {digits}: {e}"))
}

/// A 13-digit EIK for a subdivision: the parent's nine digits, a 3-digit number, a check digit.
fn branch_eik(parent: &str, n: usize) -> Result<Eik> {
    Eik::complete(&format!("{parent}{n:03}"))
        .ok_or_else(|| anyhow!("cannot make a branch EIK for {parent}/{n}"))
}

async fn ensure_staff(
    db: &Db,
    clock: &dyn Clock,
    email: &str,
    given: &str,
    family: &str,
) -> Result<String> {
    if let Some(account) = accounts::find_by_email(db, email).await? {
        return Ok(account.id);
    }
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let staff = NewStaff {
        given_name: given.into(),
        family_name: family.into(),
        email: email.into(),
        password: String::new(),
    };
    let mut tx = db.begin().await?;
    let id = accounts::create_staff(&mut tx, &staff, &hash, SYSTEM, clock.now()).await?;
    tx.commit().await?;
    Ok(id)
}

async fn ensure_role(
    db: &Db,
    clock: &dyn Clock,
    account: &str,
    administration: &str,
    unit: Option<&str>,
    role: Role,
) -> Result<()> {
    let mut tx = db.begin().await?;
    roles::grant(
        &mut tx,
        account,
        administration,
        unit,
        role,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_citizen(
    db: &Db,
    clock: &dyn Clock,
    egn: &str,
    given: &str,
    family: &str,
    email: &str,
) -> Result<String> {
    if let Some(account) = accounts::find_by_email(db, email).await? {
        return Ok(account.id);
    }
    let reg = Registration {
        personal_id_kind: "egn".into(),
        personal_id: egn.into(),
        given_name: given.into(),
        family_name: family.into(),
        email: email.into(),
        phone: "+359888000001".into(),
        password: DEMO_PASSWORD.into(),
        password_confirm: DEMO_PASSWORD.into(),
    };
    let valid = accounts::validate(&reg).map_err(|e| anyhow!("demo citizen: {e}"))?;
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut tx = db.begin().await?;
    let account = accounts::register(&mut tx, &valid, &hash, clock.now()).await?;
    tx.commit().await?;
    Ok(account.id)
}

/// Gives a demo account the shared authenticator key, if it has none yet.
async fn ensure_demo_totp(db: &Db, clock: &dyn Clock, account_id: &str) -> Result<()> {
    use portico_identity::service::totp;
    if totp::is_enrolled(db, account_id).await? {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    totp::enrol_with_secret(&mut tx, account_id, DEMO_TOTP_SECRET, clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn seed(db: &Db, clock: &dyn Clock) -> Result<Seeded> {
    let mut seeded = Seeded::default();
    let sofia = ensure_administration(
        db,
        clock,
        NewAdministration {
            name_bg: "Столична община".into(),
            name_en: "Sofia Municipality".into(),
            kind: AdministrationKind::Municipality,
            eik: eik(SOFIA_EIK)?,
            parent_id: None,
        },
    )
    .await?;
    seeded.administrations += 1;
    for (n, (code, bg, en)) in SOFIA_DISTRICTS.iter().enumerate() {
        let district = ensure_administration(
            db,
            clock,
            NewAdministration {
                name_bg: (*bg).into(),
                name_en: (*en).into(),
                kind: AdministrationKind::District,
                eik: branch_eik(SOFIA_EIK, n + 1)?,
                parent_id: Some(sofia.clone()),
            },
        )
        .await?;
        seeded.administrations += 1;
        ensure_unit(
            db,
            clock,
            &district,
            "cao",
            "Център за административно обслужване",
            "Administrative service centre",
        )
        .await?;
        // Sofia works address registrations in its districts: one unit of the municipality each.
        ensure_unit(db, clock, &sofia, code, bg, en).await?;
    }
    ensure_unit(
        db,
        clock,
        &sofia,
        "cao",
        "Център за административно обслужване",
        "Administrative service centre",
    )
    .await?;
    // Burgas and Veliko Tarnovo carry their published BULSTAT; Chelopech's is a checksum-valid stand-in.
    for (bg, en, digits) in [
        (
            "Община Бургас",
            "Burgas Municipality",
            "000056814".to_owned(),
        ),
        (
            "Община Велико Търново",
            "Veliko Tarnovo Municipality",
            "000133634".to_owned(),
        ),
        (
            "Община Челопеч",
            "Chelopech Municipality",
            Eik::complete("00077615")
                .map(|e| e.to_string())
                .unwrap_or_default(),
        ),
    ] {
        let id = ensure_administration(
            db,
            clock,
            NewAdministration {
                name_bg: bg.into(),
                name_en: en.into(),
                kind: AdministrationKind::Municipality,
                eik: eik(&digits)?,
                parent_id: None,
            },
        )
        .await?;
        ensure_unit(
            db,
            clock,
            &id,
            "cao",
            "Център за административно обслужване",
            "Administrative service centre",
        )
        .await?;
        seeded.administrations += 1;
    }

    let platform_admin = ensure_staff(
        db,
        clock,
        "platform@portico.demo",
        "Платформен",
        "Администратор",
    )
    .await?;
    ensure_role(
        db,
        clock,
        &platform_admin,
        &sofia,
        None,
        Role::PlatformAdmin,
    )
    .await?;
    let sofia_admin =
        ensure_staff(db, clock, "admin@sofia.portico.demo", "Мария", "Иванова").await?;
    ensure_role(
        db,
        clock,
        &sofia_admin,
        &sofia,
        None,
        Role::AdministrationAdmin,
    )
    .await?;
    let sredets_unit = administrations::list_units(db, &sofia)
        .await?
        .into_iter()
        .find(|u| u.code == "sredets")
        .map(|u| u.id);
    let operator = ensure_staff(
        db,
        clock,
        "operator.sredets@sofia.portico.demo",
        "Георги",
        "Димитров",
    )
    .await?;
    ensure_role(
        db,
        clock,
        &operator,
        &sofia,
        sredets_unit.as_deref(),
        Role::Operator,
    )
    .await?;
    let citizen_egn = portico_core::personal_id::synthetic_egn(
        chrono::NaiveDate::from_ymd_opt(1985, 7, 14).ok_or_else(|| anyhow!("date"))?,
        123,
    );
    let citizen = ensure_citizen(
        db,
        clock,
        &citizen_egn,
        "Иван",
        "Петров",
        "ivan.petrov@portico.demo",
    )
    .await?;
    for id in [&platform_admin, &sofia_admin, &operator, &citizen] {
        ensure_demo_totp(db, clock, id).await?;
    }
    portico_catalog::demo::seed(db, clock).await?;
    seeded.accounts = vec![
        ("ivan.petrov@portico.demo".into(), "citizen"),
        (
            "operator.sredets@sofia.portico.demo".into(),
            "operator, Sredets (Sofia)",
        ),
        (
            "admin@sofia.portico.demo".into(),
            "administration admin, Sofia",
        ),
        ("platform@portico.demo".into(), "platform admin"),
    ];
    Ok(seeded)
}
