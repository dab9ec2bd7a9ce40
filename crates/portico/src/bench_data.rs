//! Synthetic catalog data for benchmarks: many services with plausible, varied titles, so that
//! search is measured on a catalog of national size rather than on the demo's dozen services.

use anyhow::{anyhow, Result};
use portico_catalog::model::{NewService, Text};
use portico_core::Clock;
use portico_store::Db;

const KINDS: [(&str, &str); 8] = [
    ("Удостоверение за", "Certificate of"),
    ("Разрешение за", "Permit for"),
    ("Регистрация на", "Registration of"),
    ("Декларация за", "Declaration of"),
    ("Справка за", "Statement of"),
    ("Заявление за", "Application for"),
    ("Промяна на", "Change of"),
    ("Издаване на", "Issue of"),
];

const OBJECTS: [(&str, &str); 16] = [
    ("наследници", "heirs"),
    ("строеж", "construction"),
    ("домашен любимец", "a pet"),
    ("търговски обект", "a shop"),
    ("семейно положение", "marital status"),
    ("местни данъци", "local taxes"),
    ("поставяне на реклама", "advertising"),
    ("ползване на тротоар", "pavement use"),
    ("социална помощ", "social assistance"),
    ("детска градина", "kindergarten"),
    ("паркиране", "parking"),
    ("такса смет", "waste fee"),
    ("категоризация на заведение", "restaurant category"),
    ("вписване в регистър", "register entry"),
    ("сеч на дървета", "tree felling"),
    ("водоснабдяване", "water supply"),
];

const TOPICS: [&str; 6] = [
    "civil-status",
    "construction",
    "local-taxes",
    "property",
    "business",
    "social",
];

/// Adds services `bench-0` … `bench-{n-1}` across every administration, skipping those present.
/// Returns how many were added.
pub async fn seed_services(db: &Db, clock: &dyn Clock, n: usize) -> Result<usize> {
    let model = portico_catalog::service::by_slug(db, "address-registration-sofia")
        .await?
        .ok_or_else(|| {
            anyhow!("run `portico demo --seed-only` first: the benchmark data builds on the demo")
        })?;
    let administrations = portico_identity::service::administrations::list(db).await?;
    if administrations.is_empty() {
        return Err(anyhow!("no administrations"));
    }
    let mut added = 0;
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut tx = db.begin().await?;
        for &i in chunk {
            let slug = format!("bench-{i}");
            if portico_catalog::service::by_slug(db, &slug)
                .await?
                .is_some()
            {
                continue;
            }
            let (kind_bg, kind_en) = KINDS[i % KINDS.len()];
            let (object_bg, object_en) = OBJECTS[(i / KINDS.len()) % OBJECTS.len()];
            let administration = &administrations[i % administrations.len()];
            let mut facts = model.facts.clone();
            facts.title = Text::new(
                &format!("{kind_bg} {object_bg} №{i}"),
                &format!("{kind_en} {object_en} no. {i}"),
            );
            facts.description = Text::new(
                &format!("{kind_bg} {object_bg} от {}.", administration.name_bg),
                &format!("{kind_en} {object_en} by {}.", administration.name_en),
            );
            facts.units = Vec::new();
            // Topics other than the model's own: otherwise every synthetic service would match
            // "адресна регистрация" through its topic, and search would be measured on a
            // catalog no real one resembles.
            facts.topic = TOPICS[(i / KINDS.len()) % TOPICS.len()].to_owned();
            facts.life_event = None;
            let new = NewService {
                slug,
                administration_id: administration.id.clone(),
                facts,
                form_key: Some("general-application".into()),
                process_key: "standard".into(),
            };
            portico_catalog::service::create(&mut tx, &new, "system:bench", clock.now()).await?;
            added += 1;
        }
        tx.commit().await?;
    }
    Ok(added)
}

/// Citizens ready to submit: each has the demo authenticator key, a signed-in session, and a
/// completed draft of Sofia's address registration. Returns `(session token, application id)`
/// pairs, for a load generator to submit each draft once. Password hashing is done once and
/// shared, so preparing thousands takes seconds.
pub async fn prepare_submissions(
    db: &Db,
    clock: &dyn Clock,
    n: usize,
) -> Result<Vec<(String, String)>> {
    use portico_identity::model::Registration;
    use portico_identity::service::{accounts, password, sessions, totp};
    let service = portico_catalog::service::by_slug(db, "address-registration-sofia")
        .await?
        .ok_or_else(|| anyhow!("run `portico demo --seed-only` first"))?;
    let form_key = service
        .form_key
        .clone()
        .ok_or_else(|| anyhow!("the service has no form"))?;
    let form = portico_catalog::forms::current(db, &form_key)
        .await?
        .ok_or_else(|| anyhow!("no form"))?;
    let address = portico_catalog::service::nomenclatures::list(
        db,
        portico_catalog::service::nomenclatures::SOFIA_ADDRESSES,
    )
    .await?
    .into_iter()
    .next()
    .ok_or_else(|| anyhow!("no addresses"))?;
    let hash = password::hash(crate::demo::DEMO_PASSWORD.to_owned()).await?;
    let info = portico_cases::model::ServiceInfo {
        id: service.id.clone(),
        administration_id: service.administration_id.clone(),
        process_key: service.process_key.clone(),
        state_deadlines: Default::default(),
    };
    let run = portico_core::new_id();
    let mut out = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let mut tx = db.begin().await?;
        for &i in chunk {
            let egn = portico_core::personal_id::synthetic_egn(
                chrono::NaiveDate::from_ymd_opt(
                    1950 + (i % 50) as i32,
                    1 + (i % 12) as u32,
                    1 + (i % 28) as u32,
                )
                .ok_or_else(|| anyhow!("date"))?,
                (i / 600) as u32 % 1000,
            );
            let reg = Registration {
                personal_id_kind: "egn".into(),
                personal_id: egn.clone(),
                given_name: "Тест".into(),
                family_name: format!("Натоварване {i}"),
                email: format!("bench-{run}-{i}@portico.bench"),
                phone: String::new(),
                password: crate::demo::DEMO_PASSWORD.into(),
                password_confirm: crate::demo::DEMO_PASSWORD.into(),
            };
            let valid = accounts::validate(&reg).map_err(|e| anyhow!("{e}"))?;
            let account = match accounts::register(&mut tx, &valid, &hash, clock.now()).await {
                Ok(account) => account,
                // A synthetic EGN used by an earlier run: skip it, the list just gets shorter.
                Err(portico_identity::IdentityError::Invalid(_)) => continue,
                Err(e) => return Err(e.into()),
            };
            totp::enrol_with_secret(
                &mut tx,
                &account.id,
                crate::demo::DEMO_TOTP_SECRET,
                clock.now(),
            )
            .await?;
            let session = sessions::create(
                &mut tx,
                &account.id,
                sessions::STAGE_COMPLETE,
                portico_core::Assurance::Substantial,
                clock.now(),
            )
            .await?;
            let data = serde_json::json!({
                "applicant_egn": egn,
                "include_children": "no",
                "address_kind": "current",
                "address": address.code,
                "owns_home": "yes",
            });
            let app = portico_cases::service::applications::start_draft(
                &mut tx,
                &account.id,
                &info,
                &form.id,
                data,
                clock.now(),
            )
            .await?;
            out.push((session.token, app.id));
        }
        tx.commit().await?;
    }
    Ok(out)
}

/// What `bench-registries-direct` measured: the built-in population adapter called in-process,
/// with no HTTP, no grant check and no log.
pub struct DirectFigures {
    pub queries: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Writes up to 10,000 EGNs of the population register to `egn_file` (one a line, for the HTTP
/// load generator), then calls the built-in `population/person` adapter with `concurrency`
/// workers for `seconds` and reports queries per second and latency.
pub async fn registries_direct(
    db: &Db,
    clock: &dyn Clock,
    seconds: u64,
    concurrency: usize,
    egn_file: &std::path::Path,
) -> Result<DirectFigures> {
    let egns: Vec<(String,)> =
        sqlx::query_as("SELECT egn FROM registries_people ORDER BY egn LIMIT 10000")
            .fetch_all(db.pool())
            .await?;
    let egns: Vec<String> = egns.into_iter().map(|(e,)| e).collect();
    if egns.is_empty() {
        return Err(anyhow!(
            "the population register is empty: run `portico registries generate` first"
        ));
    }
    std::fs::write(egn_file, egns.join("\n") + "\n")?;
    let ctx = portico_registries::service::Registries::new(
        db.clone(),
        std::sync::Arc::new(portico_core::FixedClock::new(clock.now())),
        portico_audit::SigningKey::generate(),
        portico_core::Pseudonymiser::new(b"bench".to_vec()),
    );
    let egns = std::sync::Arc::new(egns);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let started = std::time::Instant::now();
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let (ctx, egns) = (ctx.clone(), egns.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = w;
            while std::time::Instant::now() < deadline {
                let t = std::time::Instant::now();
                portico_registries::service::adapters::person(&ctx, &egns[i % egns.len()]).await?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                i += concurrency;
            }
            Ok::<_, portico_registries::RegistryError>(latencies)
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await??);
    }
    let seconds = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        all.get(((all.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    Ok(DirectFigures {
        queries: all.len(),
        seconds,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
    })
}

/// Open data at scale, for bench/opendata.sh: `datasets` synthetic published datasets of the
/// first administration (through the block's service functions), then the CSV at `csv` loaded as
/// one resource. Prints the resource's id and the load's milliseconds.
pub async fn seed_open_data(
    config: &crate::config::Config,
    db: &Db,
    clock: std::sync::Arc<dyn Clock>,
    datasets: usize,
    csv: &std::path::Path,
) -> Result<(String, u128)> {
    use portico_opendata::model::{DatasetInput, DatasetState, ResourceInput};
    use portico_opendata::service::{datasets as ds, organisations, resources, OpenData};
    let ctx = OpenData {
        db: db.clone(),
        blobs: portico_store::BlobStore::from_url_opts(
            &config.blob_url,
            config.blob_options.clone(),
        )?,
        clock,
        index: Default::default(),
    };
    let orgs = organisations::list(db).await?;
    let admin = orgs
        .iter()
        .find(|o| !o.is_platform())
        .ok_or_else(|| anyhow!("no administration: run demo --seed-only first"))?;
    let system = portico_core::Actor::System("bench");
    let themes = [
        "ECON", "ENVI", "REGI", "SOCI", "TRAN", "EDUC", "GOVE", "HEAL",
    ];
    for n in 0..datasets {
        let (kind_bg, kind_en) = KINDS[n % KINDS.len()];
        let (object_bg, object_en) = OBJECTS[(n / KINDS.len()) % OBJECTS.len()];
        ds::create(
            &ctx,
            &system,
            &admin.id,
            DatasetInput {
                name: format!("bench-{n}"),
                title_bg: format!("{kind_bg} {object_bg} {}", 2000 + n % 26),
                title_en: format!("{kind_en} {object_en} {}", 2000 + n % 26),
                notes_bg: format!("Данни за {object_bg}, набор {n}."),
                notes_en: format!("Data on {object_en}, set {n}."),
                themes: vec![themes[n % themes.len()].into()],
                keywords: vec![object_bg.into()],
                licence: "cc-by-4.0".into(),
                frequency: "ANNUAL".into(),
                state: Some(DatasetState::Published),
                ..Default::default()
            },
        )
        .await?;
    }
    let bytes = axum::body::Bytes::from(std::fs::read(csv)?);
    let holder = ds::create(
        &ctx,
        &system,
        &admin.id,
        DatasetInput {
            name: "bench-datastore".into(),
            title_bg: "Голям набор".into(),
            title_en: "A large dataset".into(),
            licence: "cc-by-4.0".into(),
            frequency: "NEVER".into(),
            state: Some(DatasetState::Published),
            ..Default::default()
        },
    )
    .await?;
    let started = std::time::Instant::now();
    let r = resources::add_within(
        &ctx,
        &system,
        &holder.id,
        ResourceInput {
            name: "rows.csv".into(),
            upload: Some(("rows.csv".into(), bytes)),
            ..Default::default()
        },
        usize::MAX,
    )
    .await?;
    Ok((r.id, started.elapsed().as_millis()))
}

/// What `portico bench-participation` measured.
pub struct BallotFigures {
    pub ballots: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The process with `proposals` proposals, for the HTTP figure of its list.
    pub proposals_slug: String,
}

/// Prepares and measures, in-process on the demo's data: a process with `proposals` feasible
/// proposals (for bench/participation.sh's list figures), and a process in voting where `voters`
/// residents (in the population register, with accounts) are verified (the register look-ups
/// through the mediator, the SMS code queued), untimed; then times their ballots, cast with the
/// codes from the queued SMS, `concurrency` at once.
pub async fn participation(
    db: &Db,
    clock: &dyn Clock,
    voters: usize,
    concurrency: usize,
    proposals: usize,
    sms_log: Option<&std::path::Path>,
) -> Result<BallotFigures> {
    use portico_core::{Actor, Assurance};
    use portico_participation::model::{BallotRule, NewProcess, Phases, Proposers, Rules, Topic};
    use portico_participation::service::{ballots, demo, processes, verification};
    let clock = std::sync::Arc::new(portico_core::FixedClock::new(clock.now()));
    let registries = portico_registries::service::Registries::new(
        db.clone(),
        clock.clone(),
        portico_audit::SigningKey::generate(),
        portico_core::Pseudonymiser::new(b"bench".to_vec()),
    );
    let ctx = portico_participation::service::Participation::new(
        db.clone(),
        clock.clone(),
        portico_core::Pseudonymiser::new(b"bench".to_vec()),
    )
    .with_registries(registries.clone());
    let mut tx = db.begin().await?;
    let sofia = portico_identity::service::administrations::find_by_eik_in(&mut tx, "000696327")
        .await?
        .ok_or_else(|| anyhow!("run `portico demo --seed-only` first"))?;
    tx.commit().await?;
    let now = ctx.now();
    let hour = 3_600_000;
    let tag = portico_core::new_id().to_string()[..8].to_lowercase();
    let new = |slug: String| NewProcess {
        administration_id: sofia.id.clone(),
        slug,
        title_bg: "Бенчмарк".into(),
        title_en: "Benchmark".into(),
        theme: "bench".into(),
        phases: Phases {
            proposals_from: now - 4 * hour,
            proposals_until: now - 3 * hour,
            review_until: now - 2 * hour,
            voting_from: now - hour,
            voting_until: now + 24 * hour,
            results_from: now + 25 * hour,
        },
        rules: Rules {
            proposers: Proposers::Anyone,
            voter_area: "municipality".into(),
            min_age: 16,
            budget_minor: 1_000_000_000,
            currency: "BGN".into(),
            ballot_rule: BallotRule::UpToN,
            max_choices: 3,
            allow_change: true,
            legal_basis: "Бенчмарк".into(),
            boundary: None,
            tally_live: false,
        },
        topics: vec![Topic {
            code: "trees".into(),
            name_bg: "Дървета".into(),
            name_en: "Trees".into(),
        }],
    };
    let system = Actor::System("bench");
    let proposals_slug = format!("bench-proposals-{tag}");
    let listed = processes::open(&ctx, &system, &new(proposals_slug.clone())).await?;
    demo::generate_proposals(&ctx, &listed, proposals).await?;
    let voting = processes::open(&ctx, &system, &new(format!("bench-ballots-{tag}"))).await?;
    demo::generate_proposals(&ctx, &voting, 30).await?;
    let choices: Vec<String> = portico_participation::service::proposals::list(
        &ctx,
        &voting,
        None,
        portico_participation::service::proposals::Cursor::First,
        30,
    )
    .await?
    .items
    .into_iter()
    .map(|p| p.id)
    .collect();

    // The voters: people of the register with accounts, verified (untimed).
    let born = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or_default();
    let mut people = Vec::new();
    let mut actors = Vec::new();
    for i in 0..voters {
        let egn = portico_core::personal_id::synthetic_egn(
            born + chrono::Duration::days(i64::try_from(i / 1000).unwrap_or(0) * 3 + 7),
            u32::try_from(i % 1000).unwrap_or(0),
        );
        let account = format!("bench-{tag}-{i}");
        sqlx::query(
            "INSERT INTO accounts (id, kind, personal_id_kind, personal_id, given_name, family_name, email, password_hash, created_at) \
             VALUES ($1, 'citizen', 'egn', $2, 'Бенч', 'Гласоподавател', $3, 'x', 0)",
        )
        .bind(&account)
        .bind(&egn)
        .bind(format!("{account}@bench.invalid"))
        .execute(db.pool())
        .await?;
        people.push(portico_registries::service::demo::PersonRecord {
            egn,
            given_name: "Бенч".into(),
            middle_name: "Бенчев".into(),
            family_name: "Гласоподавател".into(),
            birth_date: born,
            sex: "male",
            permanent_address: "sof-0001".into(),
            current_address: "sof-0001".into(),
            mother_egn: None,
            father_egn: None,
        });
        actors.push(Actor::person(&account, Assurance::Substantial));
    }
    portico_registries::service::demo::insert_people(&registries, &people).await?;
    for (i, actor) in actors.iter().enumerate() {
        let phone = format!("089{:07}", i);
        verification::start(
            &ctx,
            actor,
            &voting,
            &verification::Verify {
                phone,
                latitude: None,
                longitude: None,
            },
            None,
        )
        .await?;
    }
    // The codes: from the queued SMS, or from the SMS log where a running server's job worker
    // has already sent them (and emptied the job's payload).
    let mut codes = std::collections::HashMap::new();
    let code_in = |text: &str| {
        text.split_whitespace()
            .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_owned)
    };
    for _ in 0..200 {
        let sent: Vec<(String,)> = sqlx::query_as(
            "SELECT payload FROM jobs WHERE kind = 'identity.sms' ORDER BY created_at",
        )
        .fetch_all(db.pool())
        .await?;
        for (payload,) in sent {
            let sms: serde_json::Value = serde_json::from_str(&payload)?;
            if let Some(code) = code_in(sms["text"].as_str().unwrap_or_default()) {
                codes.insert(sms["to"].as_str().unwrap_or_default().to_owned(), code);
            }
        }
        if let Some(log) = sms_log.and_then(|p| std::fs::read_to_string(p).ok()) {
            for line in log.lines() {
                if let Some((to, text)) = line.split_once('\t') {
                    if let Some(code) = code_in(text) {
                        codes.insert(to.to_owned(), code);
                    }
                }
            }
        }
        if codes.len() >= voters {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut work = Vec::new();
    for (i, actor) in actors.into_iter().enumerate() {
        let code = codes
            .get(&format!("089{:07}", i))
            .cloned()
            .ok_or_else(|| anyhow!("no code was queued for voter {i}"))?;
        let picks = vec![
            choices[i % choices.len()].clone(),
            choices[(i * 7 + 3) % choices.len()].clone(),
        ];
        let mut picks = picks;
        picks.dedup();
        work.push((
            actor,
            ballots::Cast {
                choices: picks,
                code,
            },
        ));
    }
    let work = std::sync::Arc::new(std::sync::Mutex::new(work));
    let started = std::time::Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (ctx, work, voting) = (ctx.clone(), work.clone(), voting.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let next = work.lock().ok().and_then(|mut w| w.pop());
                let Some((actor, cast)) = next else { break };
                let t = std::time::Instant::now();
                ballots::cast(&ctx, &actor, &voting, &cast, Some("bench")).await?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, portico_participation::ParticipationError>(latencies)
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await??);
    }
    let seconds = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        all.get(((all.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    Ok(BallotFigures {
        ballots: all.len(),
        seconds,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        proposals_slug,
    })
}
