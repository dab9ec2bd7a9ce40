//! Verification and ballots: residence and age from the population register (the look-ups in
//! the query log with the process's legal basis), an SMS code to a phone no other voter used, the
//! geofence; one ballot per person (two sessions at once end as one); a receipt that finds its
//! ballot; a changed ballot counted once in its last version; the tally with its recount by
//! `scripts/recount.py`; abuse signals; and nothing that links a ballot to its voter.

use super::*;
use crate::support::TestApp;
use portico_participation::service::ballots::{self, Cast};
use portico_participation::service::verification::{self, Verify};
use portico_participation::service::{signals, tally};
use portico_registries::service::{demo, Registries};
use std::sync::atomic::{AtomicU32, Ordering};

const BASIS: &str = "Закон за местното самоуправление и местната администрация, чл. 17";

pub struct Fixture {
    pub app: TestApp,
    pub ctx: Participation,
    pub registries: Registries,
    pub sofia: String,
}

pub fn registries(app: &TestApp) -> Registries {
    Registries::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        portico_audit::SigningKey::generate(),
        portico_core::Pseudonymiser::new(b"participation-registries-key".to_vec()),
    )
}

/// The demo (Sofia, its registers and grants) with a participation context that verifies.
pub async fn fixture() -> Fixture {
    let app = crate::cases::seeded().await;
    let registries = registries(&app);
    let ctx = ctx(&app).with_registries(registries.clone());
    let mut tx = app.db.begin().await.unwrap();
    let sofia = portico_identity::service::administrations::find_by_eik_in(&mut tx, "000696327")
        .await
        .unwrap()
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    Fixture {
        app,
        ctx,
        registries,
        sofia,
    }
}

pub fn admin_of(administration: &str) -> Actor {
    Actor::Person(Person {
        account_id: "sofia-admin".into(),
        assurance: Assurance::High,
        roles: vec![RoleGrant {
            administration_id: administration.into(),
            unit_id: None,
            role: Role::AdministrationAdmin,
        }],
        on_behalf_of: None,
    })
}

impl Fixture {
    /// A process of Sofia in its voting phase with three feasible proposals (ids returned).
    pub async fn voting(&self, change: impl FnOnce(&mut NewProcess)) -> (String, Vec<String>) {
        let mut new = green(&self.app, "green");
        new.administration_id = self.sofia.clone();
        change(&mut new);
        let admin = admin_of(&self.sofia);
        let id = processes::open(&self.ctx, &admin, &new).await.unwrap();
        let mut ids = Vec::new();
        for (n, budget) in [40_000_000, 30_000_000, 50_000_000].into_iter().enumerate() {
            let p = proposals::submit(
                &self.ctx,
                &Actor::person("author", Assurance::Substantial),
                &id,
                &idea(&format!("Проект {n}"), budget),
            )
            .await
            .unwrap();
            proposals::review(
                &self.ctx,
                &admin,
                &p,
                &Review {
                    status: ProposalStatus::Feasible,
                    reason: "Осъществимо.".into(),
                    merged_into: None,
                },
            )
            .await
            .unwrap();
            ids.push(p);
        }
        self.app.advance(2 * DAY / 1000 + 1);
        assert_eq!(
            processes::get(&self.ctx, &id).await.unwrap().phase,
            Phase::Voting
        );
        (id, ids)
    }

    /// A person of the population register living at `address`, `age` years old, with an
    /// account: their actor at substantial assurance, and their EGN.
    pub async fn person(&self, address: &str, age: i32) -> (Actor, String) {
        static SERIAL: AtomicU32 = AtomicU32::new(100);
        let today = self.app.clock.now().date_naive();
        let born = today
            .with_year(today.year() - age)
            .unwrap_or(today)
            .pred_opt()
            .unwrap();
        let egn = portico_core::personal_id::synthetic_egn(
            born,
            SERIAL.fetch_add(3, Ordering::Relaxed) % 997,
        );
        demo::insert_people(
            &self.registries,
            &[demo::PersonRecord {
                egn: egn.clone(),
                given_name: "Мила".into(),
                middle_name: "Петрова".into(),
                family_name: "Колева".into(),
                birth_date: born,
                sex: "female",
                permanent_address: address.into(),
                current_address: address.into(),
                mother_egn: None,
                father_egn: None,
            }],
        )
        .await
        .unwrap();
        (self.account(&egn).await, egn)
    }

    /// An account with this personal number (not necessarily in the register).
    pub async fn account(&self, egn: &str) -> Actor {
        let id = portico_core::new_id().to_string();
        sqlx::query(
            "INSERT INTO accounts (id, kind, personal_id_kind, personal_id, given_name, family_name, email, password_hash, created_at) \
             VALUES ($1, 'citizen', 'egn', $2, 'Мила', 'Колева', $3, 'x', 0)",
        )
        .bind(&id)
        .bind(egn)
        .bind(format!("{id}@example.bg"))
        .execute(self.app.db.pool())
        .await
        .unwrap();
        Actor::person(&id, Assurance::Substantial)
    }

    /// Asks to be verified and returns the code the SMS gateway received for `phone`.
    pub async fn verify(
        &self,
        actor: &Actor,
        process: &str,
        verify: &Verify,
    ) -> Result<String, ParticipationError> {
        let phone = verification::phone_digits(&verify.phone).unwrap();
        let sent_before = self.sent_to(&phone).len();
        verification::start(&self.ctx, actor, process, verify, None).await?;
        for _ in 0..100 {
            let sent = self.sent_to(&phone);
            if sent.len() > sent_before {
                let text = sent.last().unwrap().clone();
                let code: String = text
                    .split_whitespace()
                    .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
                    .unwrap()
                    .to_owned();
                return Ok(code);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no SMS to {phone}");
    }

    fn sent_to(&self, phone: &str) -> Vec<String> {
        self.app
            .sms
            .received
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, body)| body["to"] == phone)
            .map(|(_, body)| body["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Verifies with `phone` and casts `choices` with the code.
    pub async fn vote(
        &self,
        actor: &Actor,
        process: &str,
        phone: &str,
        choices: &[&String],
        network: Option<&str>,
    ) -> Result<ballots::Receipt, ParticipationError> {
        let code = self.verify(actor, process, &by_phone(phone)).await?;
        ballots::cast(&self.ctx, actor, process, &cast(choices, &code), network).await
    }
}

pub fn by_phone(phone: &str) -> Verify {
    Verify {
        phone: phone.into(),
        latitude: None,
        longitude: None,
    }
}

pub fn cast(choices: &[&String], code: &str) -> Cast {
    Cast {
        choices: choices.iter().map(|c| c.to_string()).collect(),
        code: code.into(),
    }
}

use chrono::Datelike;

#[tokio::test]
async fn two_ballots_from_one_person_at_once_end_as_one_and_a_used_phone_is_refused() {
    let fx = fixture().await;
    let (id, p) = fx.voting(|_| {}).await;
    let (maria, _) = fx.person("sof-0001", 30).await;
    let code = fx
        .verify(&maria, &id, &by_phone("0888 111 222"))
        .await
        .unwrap();
    let (first, second) = (cast(&[&p[0]], &code), cast(&[&p[1]], &code));
    let (a, b) = tokio::join!(
        ballots::cast(&fx.ctx, &maria, &id, &first, None),
        ballots::cast(&fx.ctx, &maria, &id, &second, None)
    );
    let refused = match (a, b) {
        (Ok(_), Err(e)) | (Err(e), Ok(_)) => e,
        other => panic!("expected one ballot, got {other:?}"),
    };
    assert_eq!(refused.code(), "already_voted");
    assert_eq!(ballots::turnout(&fx.ctx, &id).await.unwrap(), 1);
    // Verifying again after voting is refused too.
    let e = fx
        .verify(&maria, &id, &by_phone("0888 111 999"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "already_voted");

    // Another person with the phone number maria voted with, in another spelling.
    let (ivan, _) = fx.person("sof-0002", 40).await;
    let e = fx
        .verify(&ivan, &id, &by_phone("+359 888 111 222"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "phone_used");
    // Low assurance is refused; a ballot without a verification, with a wrong code, or with a
    // choice twice is refused, and a wrong code is counted.
    let e = verification::start(
        &fx.ctx,
        &Actor::person("low", Assurance::Low),
        &id,
        &by_phone("0888 000 001"),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "assurance_too_low");
    let e = ballots::cast(&fx.ctx, &ivan, &id, &cast(&[&p[0]], "123456"), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_verified");
    let code = fx
        .verify(&ivan, &id, &by_phone("0888 000 002"))
        .await
        .unwrap();
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let e = ballots::cast(&fx.ctx, &ivan, &id, &cast(&[&p[0]], wrong), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "code_wrong");
    let e = ballots::cast(&fx.ctx, &ivan, &id, &cast(&[&p[0], &p[0]], &code), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ballot_invalid");
    ballots::cast(&fx.ctx, &ivan, &id, &cast(&[&p[0]], &code), None)
        .await
        .unwrap();
    assert_eq!(ballots::turnout(&fx.ctx, &id).await.unwrap(), 2);
    // A code expires.
    let (petya, _) = fx.person("sof-0003", 50).await;
    let code = fx
        .verify(&petya, &id, &by_phone("0888 000 003"))
        .await
        .unwrap();
    fx.app.advance(verification::CODE_MINUTES * 60 + 1);
    let e = ballots::cast(&fx.ctx, &petya, &id, &cast(&[&p[0]], &code), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "code_expired");
}

#[tokio::test]
async fn a_non_resident_and_an_under_age_person_are_refused_and_the_look_ups_are_logged() {
    let fx = fixture().await;
    let (id, p) = fx
        .voting(|new| {
            new.rules.voter_area = "sredets".into();
            new.rules.min_age = 16;
        })
        .await;
    let lozenets = crate::cases::address_in(&fx.app, "lozenets").await;
    let (elsewhere, _) = fx.person(&lozenets, 30).await;
    let e = fx
        .verify(&elsewhere, &id, &by_phone("0888 500 001"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_resident");
    // Not in the population register at all.
    let unknown = fx
        .account(&portico_core::personal_id::synthetic_egn(
            chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
            5,
        ))
        .await;
    let e = fx
        .verify(&unknown, &id, &by_phone("0888 500 002"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_resident");
    let (young, _) = fx.person("sof-0001", 15).await;
    let e = fx
        .verify(&young, &id, &by_phone("0888 500 003"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "under_age");
    // Sixteen today is old enough; the voter's district and age band are counted.
    let (sixteen, egn) = fx.person("sof-0001", 16).await;
    fx.vote(&sixteen, &id, "0888 500 004", &[&p[0]], None)
        .await
        .unwrap();
    let (district, band): (String, String) =
        sqlx::query_as("SELECT district, age_band FROM participation_voters")
            .fetch_one(fx.app.db.pool())
            .await
            .unwrap();
    assert_eq!((district.as_str(), band.as_str()), ("sredets", "under_18"));
    // Nothing was sent to those refused, and the look-ups are in the query log with the
    // process's legal basis, under the voter's pseudonym.
    assert_eq!(
        fx.app.sms.received.lock().unwrap().len(),
        1,
        "one code, to the resident"
    );
    let subject = fx.registries.subject_hash(&egn);
    let mut logged = 0;
    for _ in 0..50 {
        logged = fx
            .app
            .count(&format!(
                "SELECT COUNT(*) FROM registries_query_log WHERE legal_basis = '{BASIS}' AND subject_hash = '{subject}'"
            ))
            .await;
        if logged >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(logged, 2, "the population and address look-ups");
}

#[tokio::test]
async fn a_location_outside_the_boundary_is_refused_and_one_inside_votes() {
    let fx = fixture().await;
    let (id, p) = fx
        .voting(|new| {
            new.rules.ballot_rule = BallotRule::Knapsack;
            // Roughly Sofia.
            new.rules.boundary = Some(serde_json::json!({"type": "Polygon", "coordinates": [[
                [23.2, 42.6], [23.5, 42.6], [23.5, 42.8], [23.2, 42.8], [23.2, 42.6]]]}));
        })
        .await;
    let (maria, _) = fx.person("sof-0001", 30).await;
    let mut at = by_phone("0888 222 000");
    at.latitude = Some(42.15);
    at.longitude = Some(24.75); // Plovdiv
    let e = fx.verify(&maria, &id, &at).await.unwrap_err();
    assert_eq!(e.code(), "outside_boundary");
    let e = fx
        .verify(&maria, &id, &by_phone("0888 222 000"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "location_required");
    at.latitude = Some(42.69);
    at.longitude = Some(23.32);
    let code = fx.verify(&maria, &id, &at).await.unwrap();
    // The three projects (1,200,000) exceed the 1,000,000 budget.
    let e = ballots::cast(
        &fx.ctx,
        &maria,
        &id,
        &cast(&[&p[0], &p[1], &p[2]], &code),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "over_budget");
    ballots::cast(&fx.ctx, &maria, &id, &cast(&[&p[0], &p[1]], &code), None)
        .await
        .unwrap();
    assert_eq!(
        fx.app
            .count("SELECT COUNT(*) FROM participation_voters")
            .await,
        1
    );
}

#[tokio::test]
async fn a_receipt_finds_its_ballot_and_a_changed_ballot_counts_once_in_its_last_version() {
    let fx = fixture().await;
    let (id, p) = fx.voting(|_| {}).await;
    let (maria, _) = fx.person("sof-0001", 30).await;
    let receipt = fx
        .vote(&maria, &id, "0888 333 000", &[&p[0]], None)
        .await
        .unwrap();
    let found = fx
        .app
        .client()
        .get(&format!(
            "/api/v1/participation/receipts/{}",
            receipt.receipt
        ))
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.json()["choices"], serde_json::json!([p[0]]));
    assert_eq!(found.json()["receipt_hash"], receipt.receipt_hash);

    // Somebody else cannot change it, even with the receipt; maria can.
    let (ivan, _) = fx.person("sof-0002", 30).await;
    let e = ballots::change(&fx.ctx, &ivan, &id, &receipt.receipt, &[p[1].clone()])
        .await
        .unwrap_err();
    assert_eq!(e.code(), "receipt_unknown");
    let changed = ballots::change(
        &fx.ctx,
        &maria,
        &id,
        &receipt.receipt,
        &[p[1].clone(), p[2].clone()],
    )
    .await
    .unwrap();
    assert_eq!(changed.receipt_hash, receipt.receipt_hash);
    assert_eq!(ballots::turnout(&fx.ctx, &id).await.unwrap(), 1);
    let found = ballots::find(&fx.ctx, &receipt.receipt_hash).await.unwrap();
    let mut want = vec![p[1].clone(), p[2].clone()];
    want.sort();
    assert_eq!(found.choices, want);

    // The rules are locked by the first ballot.
    let process = processes::get(&fx.ctx, &id).await.unwrap();
    assert!(process.locked);
    let e = processes::change_rules(
        &fx.ctx,
        &admin_of(&fx.sofia),
        &id,
        process.version,
        &process.rules,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "rules_locked");

    // After the close nobody changes or casts, and the count has the last version only.
    fx.app.advance(DAY / 1000 + 1);
    let e = ballots::change(&fx.ctx, &maria, &id, &receipt.receipt, &[p[0].clone()])
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_in_voting");
    let t = tally::count(&fx.ctx, &id).await.unwrap();
    let votes = |pid: &String| t.projects.iter().find(|x| &x.id == pid).unwrap().votes;
    assert_eq!((votes(&p[0]), votes(&p[1]), votes(&p[2])), (0, 1, 1));
}

/// Runs `scripts/recount.py` on the published ballot set.
fn recount(set: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ballots.json");
    std::fs::write(&path, set).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/recount.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn the_recount_from_the_published_ballot_set_equals_the_tally() {
    let fx = fixture().await;
    let (id, p) = fx.voting(|_| {}).await;
    let client = fx.app.client();
    // Not live: nothing is published while voting runs.
    let early = client
        .get(&format!("/api/v1/participation/processes/{id}/tally"))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.json()["error"]["code"], "tally_not_public");
    let lozenets = crate::cases::address_in(&fx.app, "lozenets").await;
    // Budgets 400,000, 300,000 and 500,000 of 1,000,000. Votes: p0 3, p1 3, p2 4: p2 first,
    // then the tie between p0 and p1 goes to the cheaper p1; p0 no longer fits.
    let ballots_cast: [&[&String]; 5] = [
        &[&p[0], &p[2]],
        &[&p[0], &p[1], &p[2]],
        &[&p[1], &p[2]],
        &[&p[0], &p[1]],
        &[&p[2]],
    ];
    let mut receipts = Vec::new();
    for (n, choices) in ballots_cast.iter().enumerate() {
        let address = if n % 2 == 0 { "sof-0001" } else { &lozenets };
        let (voter, _) = fx
            .person(address, 20 + 15 * i32::try_from(n).unwrap())
            .await;
        receipts.push(
            fx.vote(&voter, &id, &format!("0888 600 00{n}"), choices, None)
                .await
                .unwrap(),
        );
    }
    fx.app.advance(DAY / 1000 + 1);
    let t = client
        .get(&format!("/api/v1/participation/processes/{id}/tally"))
        .await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let t = t.json();
    assert_eq!(t["ballots"], 5);
    let ranked: Vec<&str> = t["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ranked, vec![p[2].as_str(), p[1].as_str(), p[0].as_str()]);
    let funded: Vec<&str> = t["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["funded"] == true)
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(funded, vec![p[2].as_str(), p[1].as_str()]);
    assert_eq!(t["funded_minor"], 80_000_000);
    assert_eq!(
        t["turnout_by_district"],
        serde_json::json!([{"key": "lozenets", "voters": 2}, {"key": "sredets", "voters": 3}])
    );
    let bands: i64 = t["turnout_by_age_band"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["voters"].as_i64().unwrap())
        .sum();
    assert_eq!(bands, 5);

    // The published set, recounted by the script, gives the same count.
    let set = client
        .get(&format!(
            "/api/v1/participation/processes/{id}/ballots.json"
        ))
        .await;
    assert_eq!(set.status, StatusCode::OK);
    let hashes: Vec<String> = set.json()["ballots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["receipt_hash"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = hashes.clone();
    sorted.sort();
    assert_eq!(hashes, sorted, "ordered by hash, not by arrival");
    for r in &receipts {
        assert!(hashes.contains(&r.receipt_hash));
    }
    let recounted = recount(&set.body);
    assert_eq!(recounted["ballots"], 5);
    for x in t["projects"].as_array().unwrap() {
        assert_eq!(recounted["votes"][x["id"].as_str().unwrap()], x["votes"]);
    }
    assert_eq!(recounted["funded"], serde_json::json!(funded));
    let csv = client
        .get(&format!("/api/v1/participation/processes/{id}/ballots.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().count(), 6);
    assert!(csv.body.starts_with("receipt_hash,choices\n"));
}

#[tokio::test]
async fn a_live_tally_shows_while_voting_and_abuse_signals_reach_only_the_administration() {
    let fx = fixture().await;
    let (id, p) = fx.voting(|new| new.rules.tally_live = true).await;
    for n in 0..3 {
        let (voter, _) = fx.person("sof-0004", 30 + n).await;
        fx.vote(
            &voter,
            &id,
            &format!("0888 700 00{n}"),
            &[&p[0]],
            Some("net-a"),
        )
        .await
        .unwrap();
    }
    let t = tally::count(&fx.ctx, &id).await.unwrap();
    assert!(!t.closed);
    assert_eq!(t.ballots, 3);
    let few = signals::Thresholds {
        network_per_hour: 3,
        voters_per_address: 3,
        burst_factor: 4,
        burst_minimum: 100,
    };
    let found = signals::report(&fx.ctx, &admin_of(&fx.sofia), &id, &few)
        .await
        .unwrap();
    let kinds: Vec<(&str, i64)> = found.iter().map(|s| (s.kind.as_str(), s.count)).collect();
    assert!(kinds.contains(&("network", 3)), "{kinds:?}");
    assert!(kinds.contains(&("address", 3)), "{kinds:?}");
    assert!(!kinds.iter().any(|k| k.0 == "burst"));
    // Nobody else sees them; nobody was blocked.
    let e = signals::report(
        &fx.ctx,
        &Actor::person("someone", Assurance::High),
        &id,
        &few,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "not_found");
    let page = fx
        .app
        .client()
        .get(&format!("/api/v1/participation/processes/{id}/signals"))
        .await;
    assert!(page.status.is_client_error());
}

#[tokio::test]
async fn nothing_links_a_ballot_to_its_voter() {
    let fx = fixture().await;
    let (id, p) = fx.voting(|new| new.rules.tally_live = true).await;
    let (voter, egn) = fx.person("sof-0001", 30).await;
    let account = voter.account_id().unwrap().to_owned();
    let receipt = fx
        .vote(&voter, &id, "0888 444 000", &[&p[0]], Some("net-b"))
        .await
        .unwrap();
    // The ballots table holds only the receipt's hash, the process and the choices.
    let (choices,): (String,) = sqlx::query_as("SELECT choices FROM participation_ballots")
        .fetch_one(fx.app.db.pool())
        .await
        .unwrap();
    assert!(!choices.contains(&account));
    let (person_key, phone_key): (String, String) =
        sqlx::query_as("SELECT person_key, phone_key FROM participation_voters")
            .fetch_one(fx.app.db.pool())
            .await
            .unwrap();
    for key in [&person_key, &phone_key] {
        assert_ne!(key, &receipt.receipt_hash);
        assert!(!choices.contains(key.as_str()));
    }
    // The verification is gone once the ballot is cast.
    assert_eq!(
        fx.app
            .count("SELECT COUNT(*) FROM participation_verifications")
            .await,
        0
    );
    // No audit entry was written for the ballot.
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE actor = $1")
        .bind(&account)
        .fetch_one(fx.app.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Every read an administrator has (API and exports) names no voter beside a ballot.
    let signals = signals::report(
        &fx.ctx,
        &admin_of(&fx.sofia),
        &id,
        &signals::Thresholds {
            network_per_hour: 1,
            voters_per_address: 1,
            burst_factor: 1,
            burst_minimum: 0,
        },
    )
    .await
    .unwrap();
    let signals = serde_json::to_string(&signals).unwrap();
    for path in [
        format!("/api/v1/participation/processes/{id}"),
        format!("/api/v1/participation/processes/{id}/proposals"),
        format!("/api/v1/participation/processes/{id}/tally"),
        format!("/api/v1/participation/processes/{id}/ballots.json"),
        format!("/api/v1/participation/processes/{id}/ballots.csv"),
        format!("/api/v1/participation/receipts/{}", receipt.receipt_hash),
    ] {
        let page = fx.app.client().get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for secret in [&account, &person_key, &phone_key, &egn] {
            assert!(!page.body.contains(secret.as_str()), "{path}");
            assert!(!signals.contains(secret.as_str()));
        }
    }
}

#[tokio::test]
async fn the_demo_seeds_sofia_chooses_green_with_thousands_of_ballots_that_recount_to_its_tally() {
    let fx = fixture().await;
    let started = std::time::Instant::now();
    let written = portico::demo::seed_participation(&fx.app.db, &fx.app.clock, 3_000)
        .await
        .unwrap();
    assert_eq!(written, 3_000);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    // Again: nothing more.
    let again = portico::demo::seed_participation(&fx.app.db, &fx.app.clock, 3_000)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let green = processes::get(&fx.ctx, "sofia-chooses-green")
        .await
        .unwrap();
    assert_eq!(green.phase, Phase::Voting);
    assert_eq!(green.topics.len(), 8);
    assert!(green.locked);
    let next = processes::get(&fx.ctx, "sofia-chooses-2027").await.unwrap();
    assert_eq!(next.phase, Phase::Proposals);
    let t = tally::count(&fx.ctx, &green.id).await.unwrap();
    assert_eq!(t.ballots, 3_000);
    assert!(t.turnout_by_district.len() > 10);
    assert!(t.projects.iter().any(|p| p.funded));
    let set = fx
        .app
        .client()
        .get(&format!(
            "/api/v1/participation/processes/{}/ballots.json",
            green.id
        ))
        .await;
    let recounted = recount(&set.body);
    let funded: Vec<&str> = t
        .projects
        .iter()
        .filter(|p| p.funded)
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(recounted["funded"], serde_json::json!(funded));
    // The public pages show it.
    let page = fx
        .app
        .client()
        .get("/participation/sofia-chooses-green/results")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("#tally .project").len(), t.projects.len());
}
