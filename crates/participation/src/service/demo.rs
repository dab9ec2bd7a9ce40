//! The demo: "Sofia Chooses GREEN" (its eight topics, proposals across Sofia's districts, most
//! reviewed feasible, some not, one merged) open for voting with a live count and thousands of
//! ballots generated fast (batched inserts, as the voters and ballots of verified people would
//! be, with no link between them), and "Sofia Chooses 2027" taking proposals. Idempotent: a
//! process whose slug exists is left alone.

use super::{ballots, processes, proposals, Participation};
use crate::error::ParticipationError;
use crate::model::{
    BallotRule, NewProcess, NewProposal, Phases, ProposalStatus, Proposers, Review, Rules, Topic,
};
use portico_core::{Actor, Assurance};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DAY: i64 = 24 * 3600 * 1000;
const ACTOR: Actor = Actor::System("demo");

pub const GREEN: &str = "sofia-chooses-green";
pub const NEXT: &str = "sofia-chooses-2027";

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

const TOPICS: &[(&str, &str, &str)] = &[
    ("energy", "Алтернативна енергия", "Alternative energy"),
    ("climate", "Климат", "Climate"),
    (
        "air-noise",
        "Замърсяване на въздуха и шум",
        "Air and noise pollution",
    ),
    ("trees", "Дървета и зелени покриви", "Trees and green roofs"),
    ("biodiversity", "Биоразнообразие", "Biodiversity"),
    ("mobility", "Мобилност", "Mobility"),
    ("waste", "Отпадъци", "Waste"),
    ("green-tech", "Зелени технологии", "Green technology"),
];

/// What is proposed: a title and a description per kind of project, repeated across districts.
const IDEAS: &[(&str, &str, &str)] = &[
    (
        "trees",
        "Липова алея",
        "Засаждане на липи по главната улица на района.",
    ),
    (
        "trees",
        "Зелен покрив на училище",
        "Зелен покрив с градина на покрива на районно училище.",
    ),
    (
        "energy",
        "Соларни панели на детска градина",
        "Фотоволтаична инсталация, която покрива нуждите на детската градина.",
    ),
    (
        "mobility",
        "Велоалея до метрото",
        "Отделена велоалея от жилищния квартал до метростанцията.",
    ),
    (
        "air-noise",
        "Датчици за въздуха",
        "Мрежа от датчици за фини прахови частици с открити данни.",
    ),
    (
        "waste",
        "Компостиране в квартала",
        "Общински компостери и обучение за компостиране.",
    ),
    (
        "biodiversity",
        "Ливада за опрашители",
        "Неокосявана ливада с местни цветя за пчели и пеперуди.",
    ),
    (
        "climate",
        "Сенчести спирки",
        "Засенчени спирки на градския транспорт с дървета и пергола.",
    ),
    (
        "green-tech",
        "Умно улично осветление",
        "LED осветление с датчици за движение.",
    ),
    (
        "mobility",
        "Безопасен път до училище",
        "Повдигнати пешеходни пътеки и ограничение на скоростта около училищата.",
    ),
];

fn green_process(administration_id: &str, now: i64) -> NewProcess {
    NewProcess {
        administration_id: administration_id.into(),
        slug: GREEN.into(),
        title_bg: "София избира ЗЕЛЕНО".into(),
        title_en: "Sofia Chooses GREEN".into(),
        theme: "green".into(),
        phases: Phases {
            proposals_from: now - 60 * DAY,
            proposals_until: now - 30 * DAY,
            review_until: now - 10 * DAY,
            voting_from: now - DAY,
            voting_until: now + 13 * DAY,
            results_from: now + 14 * DAY,
        },
        rules: Rules {
            proposers: Proposers::Residents,
            voter_area: "municipality".into(),
            min_age: 16,
            budget_minor: 100_000_000,
            currency: "BGN".into(),
            ballot_rule: BallotRule::UpToN,
            max_choices: 3,
            allow_change: true,
            legal_basis: "Закон за местното самоуправление и местната администрация, чл. 17; Наредба за участие на гражданите в бюджета на Столична община".into(),
            // Roughly the territory of Sofia Municipality.
            boundary: Some(serde_json::json!({"type": "Polygon", "coordinates": [[
                [23.10, 42.55], [23.60, 42.55], [23.60, 42.85], [23.10, 42.85], [23.10, 42.55]]]})),
            tally_live: true,
        },
        topics: TOPICS
            .iter()
            .map(|(code, bg, en)| Topic {
                code: (*code).into(),
                name_bg: (*bg).into(),
                name_en: (*en).into(),
            })
            .collect(),
    }
}

/// Seeds the demo's processes for `administration_id` (Sofia) with `ballots` ballots in GREEN.
/// Returns how many ballots were written (0 when GREEN was already there).
pub async fn seed(
    ctx: &Participation,
    administration_id: &str,
    ballots: usize,
) -> Result<usize, ParticipationError> {
    let now = ctx.now();
    let mut rng = StdRng::seed_from_u64(2022);
    let mut written = 0;
    if processes::get(ctx, GREEN).await.is_err() {
        // Open it with its proposals phase running now, then move the dates: proposals and
        // reviews follow the phases' rules like anybody's.
        let mut new = green_process(administration_id, now);
        let real = new.phases.clone();
        new.phases = Phases {
            proposals_from: now - DAY,
            proposals_until: now + DAY,
            review_until: now + 2 * DAY,
            voting_from: now + 2 * DAY,
            voting_until: now + 3 * DAY,
            results_from: now + 3 * DAY,
        };
        let id = processes::open(ctx, &ACTOR, &new).await?;
        let mut feasible = Vec::new();
        for n in 0..38usize {
            let (topic, title, description) = IDEAS[n % IDEAS.len()];
            let district = DISTRICTS[(n * 7) % DISTRICTS.len()];
            let budget = rng.gen_range(5..=40) * 1_000_000;
            let author =
                Actor::person(&format!("demo-proposer-{}", n % 12), Assurance::Substantial);
            let pid = proposals::submit(
                ctx,
                &author,
                &id,
                &NewProposal {
                    title: format!("{title} – {district}"),
                    description: description.into(),
                    budget_minor: budget,
                    district: Some(district.into()),
                    latitude: Some(42.65 + rng.gen_range(0.0..0.1)),
                    longitude: Some(23.25 + rng.gen_range(0.0..0.15)),
                    topics: vec![topic.into()],
                },
            )
            .await?;
            let review = match n {
                5 | 17 | 29 => Review {
                    status: ProposalStatus::NotFeasible,
                    reason: "Теренът не е общинска собственост.".into(),
                    merged_into: None,
                },
                37 => Review {
                    status: ProposalStatus::Merged,
                    reason: "Същото място и цел като предложение 1.".into(),
                    merged_into: feasible.first().cloned(),
                },
                _ => Review {
                    status: ProposalStatus::Feasible,
                    reason: "Осъществимо в рамките на бюджета и сроковете.".into(),
                    merged_into: None,
                },
            };
            let status = review.status;
            proposals::review(ctx, &ACTOR, &pid, &review).await?;
            if status == ProposalStatus::Feasible {
                feasible.push(pid);
            }
        }
        sqlx::query(
            "UPDATE participation_processes SET proposals_from = $1, proposals_until = $2, \
             review_until = $3, voting_from = $4, voting_until = $5, results_from = $6 WHERE id = $7",
        )
        .bind(real.proposals_from)
        .bind(real.proposals_until)
        .bind(real.review_until)
        .bind(real.voting_from)
        .bind(real.voting_until)
        .bind(real.results_from)
        .bind(&id)
        .execute(ctx.db.pool())
        .await?;
        written = generate_ballots(ctx, &id, &feasible, ballots, &mut rng).await?;
    }
    if processes::get(ctx, NEXT).await.is_err() {
        let mut new = green_process(administration_id, now);
        new.slug = NEXT.into();
        new.title_bg = "София избира 2027".into();
        new.title_en = "Sofia Chooses 2027".into();
        new.rules.boundary = None;
        new.rules.tally_live = false;
        new.phases = Phases {
            proposals_from: now - 5 * DAY,
            proposals_until: now + 25 * DAY,
            review_until: now + 40 * DAY,
            voting_from: now + 45 * DAY,
            voting_until: now + 60 * DAY,
            results_from: now + 61 * DAY,
        };
        let id = processes::open(ctx, &ACTOR, &new).await?;
        for (n, (topic, title, description)) in IDEAS.iter().take(4).enumerate() {
            proposals::submit(
                ctx,
                &Actor::person(&format!("demo-proposer-{n}"), Assurance::Substantial),
                &id,
                &NewProposal {
                    title: (*title).into(),
                    description: (*description).into(),
                    budget_minor: 20_000_000,
                    district: Some(DISTRICTS[n].into()),
                    latitude: None,
                    longitude: None,
                    topics: vec![(*topic).into()],
                },
            )
            .await?;
        }
    }
    super::consultations_demo::seed(ctx, administration_id).await?;
    Ok(written)
}

/// Writes `count` voters and `count` ballots (up to three projects each, some projects more
/// liked than others), a few thousand rows per statement.
pub async fn generate_ballots(
    ctx: &Participation,
    process_id: &str,
    feasible: &[String],
    count: usize,
    rng: &mut StdRng,
) -> Result<usize, ParticipationError> {
    if feasible.is_empty() {
        return Ok(0);
    }
    const BATCH: usize = 400;
    const BANDS: &[&str] = &["under_18", "18_29", "30_44", "45_64", "65_plus"];
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut tx = ctx.db.begin().await?;
        let mut voters = String::from(
            "INSERT INTO participation_voters (process_id, person_key, phone_key, district, age_band, voted) VALUES ",
        );
        let mut rows = String::from(
            "INSERT INTO participation_ballots (receipt_hash, process_id, choices) VALUES ",
        );
        let mut vb: Vec<String> = Vec::with_capacity(n * 5);
        let mut bb: Vec<String> = Vec::with_capacity(n * 2);
        for i in 0..n {
            let k = done + i;
            let person = ctx.person_key(process_id, &format!("demo-voter-{k}"));
            let phone = ctx.phone_key(process_id, &format!("demo-phone-{k}"));
            let district = DISTRICTS[rng.gen_range(0..DISTRICTS.len())];
            let band = BANDS[rng.gen_range(0..BANDS.len())];
            let base = vb.len();
            voters.push_str(&format!(
                "{}($1, ${}, ${}, ${}, ${}, 1)",
                if i > 0 { ", " } else { "" },
                base + 2,
                base + 3,
                base + 4,
                base + 5
            ));
            vb.extend([person, phone, district.to_owned(), band.to_owned()]);
            let mut choices: Vec<String> = Vec::new();
            for _ in 0..rng.gen_range(1..=3) {
                // Earlier projects are liked more: a skewed pick.
                let a = rng.gen_range(0..feasible.len());
                let b = rng.gen_range(0..feasible.len());
                let pick = feasible[a.min(b)].clone();
                if !choices.contains(&pick) {
                    choices.push(pick);
                }
            }
            choices.sort_unstable();
            let receipt = ballots::receipt_hash(&format!("demo-receipt-{process_id}-{k}"));
            let base = bb.len();
            rows.push_str(&format!(
                "{}(${}, $1, ${})",
                if i > 0 { ", " } else { "" },
                base + 2,
                base + 3
            ));
            bb.extend([receipt, serde_json::to_string(&choices)?]);
        }
        let mut q = sqlx::query(&voters).bind(process_id);
        for v in &vb {
            q = q.bind(v);
        }
        q.execute(&mut *tx).await?;
        let mut q = sqlx::query(&rows).bind(process_id);
        for v in &bb {
            q = q.bind(v);
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        done += n;
    }
    Ok(done)
}

/// Writes `count` feasible proposals into a process (numbers after its last), a few hundred
/// rows per statement: for the benchmark's 10,000-proposal list.
pub async fn generate_proposals(
    ctx: &Participation,
    process_id: &str,
    count: usize,
) -> Result<usize, ParticipationError> {
    let process = processes::get(ctx, process_id).await?;
    let topic = process
        .topics
        .first()
        .map(|t| t.code.clone())
        .unwrap_or_default();
    let (last,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(number), 0) FROM participation_proposals WHERE process_id = $1",
    )
    .bind(&process.id)
    .fetch_one(ctx.db.pool())
    .await?;
    const BATCH: usize = 200;
    let now = ctx.now();
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut tx = ctx.db.begin().await?;
        let mut sql = String::from(
            "INSERT INTO participation_proposals (id, process_id, number, author_account_id, title, description, \
             budget_minor, district, status, review_reason, supports, created_at) VALUES ",
        );
        let mut topics = String::from(
            "INSERT INTO participation_proposal_topics (proposal_id, topic_code) VALUES ",
        );
        let mut ids = Vec::with_capacity(n);
        let mut texts: Vec<String> = Vec::with_capacity(n * 4);
        for i in 0..n {
            let k = done + i;
            let number = last + 1 + i64::try_from(k).unwrap_or(i64::MAX);
            let id = portico_core::new_id().to_string();
            let (_, title, description) = IDEAS[k % IDEAS.len()];
            let district = DISTRICTS[k % DISTRICTS.len()];
            let b = texts.len();
            sql.push_str(&format!(
                "{}(${}, $1, {number}, 'bench', ${}, ${}, {}, ${}, 'feasible', 'Осъществимо.', {}, {now})",
                if i > 0 { ", " } else { "" },
                b + 2,
                b + 3,
                b + 4,
                1_000_000 + (k % 50) * 100_000,
                b + 5,
                k % 97,
            ));
            texts.extend([
                id.clone(),
                format!("{title} {number}"),
                description.to_owned(),
                district.to_owned(),
            ]);
            topics.push_str(&format!(
                "{}(${}, $1)",
                if i > 0 { ", " } else { "" },
                i + 2
            ));
            ids.push(id);
        }
        let mut q = sqlx::query(&sql).bind(&process.id);
        for t in &texts {
            q = q.bind(t);
        }
        q.execute(&mut *tx).await?;
        let mut q = sqlx::query(&topics).bind(&topic);
        for id in &ids {
            q = q.bind(id);
        }
        q.execute(&mut *tx).await?;
        super::proposals::add_to_count(
            &mut tx,
            &process.id,
            "feasible",
            i64::try_from(n).unwrap_or(i64::MAX),
        )
        .await?;
        tx.commit().await?;
        done += n;
    }
    Ok(done)
}
