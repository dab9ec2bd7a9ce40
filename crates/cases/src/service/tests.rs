//! The rules of applications, on a real database (SQLite, or PostgreSQL with
//! `PORTICO_TEST_DATABASE=postgres`).

use crate::model::{ConsentRequest, ServiceInfo, TransitionInput};
use crate::process::ProcessRole;
use crate::service::applications::{self, ActingAs, Routing};
use crate::service::consents::{self, Outcome};
use crate::CasesError;
use chrono::Utc;
use portico_audit::SigningKey;
use portico_core::PersonalId;
use portico_store::testdb;

async fn db() -> testdb::TestDb {
    testdb::fresh(&[
        portico_store::MIGRATIONS,
        portico_audit::MIGRATIONS,
        // A case that ends tells the registries block (a correction request's answer).
        portico_registries::MIGRATIONS,
        crate::MIGRATIONS,
    ])
    .await
    .unwrap()
}

fn service() -> ServiceInfo {
    ServiceInfo {
        id: "svc-1".into(),
        administration_id: "adm-1".into(),
        process_key: "address_registration".into(),
        state_deadlines: Default::default(),
    }
}

async fn submitted(t: &testdb::TestDb, consents: &[ConsentRequest]) -> String {
    let now = Utc::now();
    let mut tx = t.db.begin().await.unwrap();
    let app = applications::start_draft(
        &mut tx,
        "alice",
        &service(),
        "form-v1",
        serde_json::json!({"a": 1}),
        now,
    )
    .await
    .unwrap();
    let routing = Routing {
        unit_id: Some("unit-1"),
        deadline_working_days: 7,
        consents,
    };
    applications::submit(
        &mut tx,
        &app,
        "alice",
        &routing,
        &SigningKey::generate(),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.id
}

#[tokio::test]
async fn submitting_twice_creates_one_application() {
    let t = db().await;
    let now = Utc::now();
    let mut tx = t.db.begin().await.unwrap();
    let app = applications::start_draft(
        &mut tx,
        "alice",
        &service(),
        "form-v1",
        serde_json::json!({}),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let key = SigningKey::generate();
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let mut tx = t.db.begin().await.unwrap();
        let routing = Routing {
            unit_id: None,
            deadline_working_days: 7,
            consents: &[],
        };
        let result = applications::submit(&mut tx, &app, "alice", &routing, &key, now).await;
        if result.is_ok() {
            tx.commit().await.unwrap();
        }
        outcomes.push(result.map(|s| s.tracking_number));
    }
    assert!(outcomes[0].is_ok());
    assert!(matches!(outcomes[1], Err(CasesError::AlreadySubmitted)));
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM applications WHERE tracking_number IS NOT NULL")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
    assert_eq!(n, 1);
}

/// A submission is of the answers that were checked: a step saved after the check (another tab)
/// makes it a conflict, and nothing is submitted.
#[tokio::test]
async fn a_draft_changed_after_its_check_is_not_submitted() {
    let t = db().await;
    let now = Utc::now();
    let key = SigningKey::generate();
    let mut tx = t.db.begin().await.unwrap();
    let checked = applications::start_draft(
        &mut tx,
        "alice",
        &service(),
        "form-v1",
        serde_json::json!({"x": "checked"}),
        now,
    )
    .await
    .unwrap();
    applications::save_draft(
        &mut tx,
        &checked.id,
        "alice",
        &serde_json::json!({"x": "changed"}),
        1,
        now,
    )
    .await
    .unwrap();
    let routing = Routing {
        unit_id: None,
        deadline_working_days: 7,
        consents: &[],
    };
    let outcome = applications::submit(&mut tx, &checked, "alice", &routing, &key, now).await;
    assert!(matches!(outcome, Err(CasesError::Conflict)), "{outcome:?}");
    // Someone else's applicant id for the same draft is not theirs to submit.
    let other = applications::submit(&mut tx, &checked, "mallory", &routing, &key, now).await;
    assert!(matches!(other, Err(CasesError::NotFound)), "{other:?}");
    tx.commit().await.unwrap();
    let stored = applications::get(&t.db, &checked.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.is_draft() && stored.tracking_number.is_none());
    assert_eq!(stored.data["x"], "changed");
}

#[tokio::test]
async fn the_submission_record_is_signed_by_the_platform() {
    let t = db().await;
    let now = Utc::now();
    let key = SigningKey::generate();
    let mut tx = t.db.begin().await.unwrap();
    let app = applications::start_draft(
        &mut tx,
        "alice",
        &service(),
        "form-v1",
        serde_json::json!({"x": "y"}),
        now,
    )
    .await
    .unwrap();
    let routing = Routing {
        unit_id: None,
        deadline_working_days: 7,
        consents: &[],
    };
    let s = applications::submit(&mut tx, &app, "alice", &routing, &key, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = applications::get(&t.db, &app.id).await.unwrap().unwrap();
    assert_eq!(stored.submission_hash.as_deref(), Some(s.hash.as_str()));
    assert!(crate::service::tracking::is_valid(&s.tracking_number));
    assert_eq!(stored.state, "submitted");
    assert!(stored.final_deadline.is_some() && stored.state_deadline.is_some());
}

#[tokio::test]
async fn transitions_are_checked_against_the_process() {
    let t = db().await;
    let id = submitted(&t, &[]).await;
    let now = Utc::now();
    let app = applications::get(&t.db, &id).await.unwrap().unwrap();
    let op = ActingAs {
        account_id: "op-1",
        actor: ProcessRole::Operator,
    };
    let mut tx = t.db.begin().await.unwrap();
    // Approving straight from "submitted" is not in the process.
    let refused = applications::transition(
        &mut tx,
        &id,
        app.version,
        op.clone(),
        "approve",
        &TransitionInput::default(),
        now,
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(CasesError::Transition("transition.not_allowed"))
        ),
        "{refused:?}"
    );
    // Starting the review needs the case to be assigned to the operator.
    let unassigned = applications::transition(
        &mut tx,
        &id,
        app.version,
        op.clone(),
        "start_review",
        &TransitionInput::default(),
        now,
    )
    .await;
    assert!(
        matches!(unassigned, Err(CasesError::Transition(_))),
        "{unassigned:?}"
    );
    let app = applications::assign(&mut tx, &id, app.version, "op-1", "op-1", now)
        .await
        .unwrap();
    let app = applications::transition(
        &mut tx,
        &id,
        app.version,
        op.clone(),
        "start_review",
        &TransitionInput::default(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(app.state, "in_review");
    let no_reason = applications::transition(
        &mut tx,
        &id,
        app.version,
        op.clone(),
        "refuse",
        &TransitionInput::default(),
        now,
    )
    .await;
    assert!(
        matches!(
            no_reason,
            Err(CasesError::Transition("transition.missing_reason"))
        ),
        "{no_reason:?}"
    );
    // An applicant cannot approve their own application.
    let applicant = ActingAs {
        account_id: "alice",
        actor: ProcessRole::Applicant,
    };
    let wrong_actor = applications::transition(
        &mut tx,
        &id,
        app.version,
        applicant,
        "approve",
        &TransitionInput::default(),
        now,
    )
    .await;
    assert!(
        matches!(
            wrong_actor,
            Err(CasesError::Transition("transition.wrong_actor"))
        ),
        "{wrong_actor:?}"
    );
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn of_two_operators_acting_at_once_one_wins() {
    let t = db().await;
    let id = submitted(&t, &[]).await;
    let seen = applications::get(&t.db, &id)
        .await
        .unwrap()
        .unwrap()
        .version;
    let now = Utc::now();
    let mut tx = t.db.begin().await.unwrap();
    applications::assign(&mut tx, &id, seen, "op-1", "op-1", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    let second = applications::assign(&mut tx, &id, seen, "op-2", "op-2", now).await;
    assert!(matches!(second, Err(CasesError::Conflict)));
    drop(tx);
    assert_eq!(
        applications::get(&t.db, &id)
            .await
            .unwrap()
            .unwrap()
            .assigned_to
            .as_deref(),
        Some("op-1")
    );
}

#[tokio::test]
async fn a_case_waits_for_consent_and_continues_when_all_are_given() {
    let t = db().await;
    let consents_needed = [
        ConsentRequest {
            personal_id_kind: "egn".into(),
            personal_id: "7523169263".into(),
            role: "owner".into(),
        },
        ConsentRequest {
            personal_id_kind: "egn".into(),
            personal_id: "8001010005".into(),
            role: "parent".into(),
        },
    ];
    let id = submitted(&t, &consents_needed).await;
    assert_eq!(
        applications::get(&t.db, &id).await.unwrap().unwrap().state,
        "waiting_consent"
    );
    let owner = PersonalId::Egn("7523169263".into());
    let parent_egn = PersonalId::Egn("8001010005".into());
    let pending = consents::pending_for(&t.db, &owner).await.unwrap();
    assert_eq!(pending.len(), 1);
    let now = Utc::now();
    let mut tx = t.db.begin().await.unwrap();
    // The same digits as an LNCh are another person: they neither see nor decide it.
    let same_digits = PersonalId::Lnch("7523169263".into());
    assert!(consents::pending_for(&t.db, &same_digits)
        .await
        .unwrap()
        .is_empty());
    let not_theirs =
        consents::decide(&mut tx, &pending[0].id, "lnch", &same_digits, true, now).await;
    assert!(matches!(not_theirs, Err(CasesError::NotFound)));
    // Someone else cannot decide the owner's consent.
    let not_theirs =
        consents::decide(&mut tx, &pending[0].id, "mallory", &parent_egn, true, now).await;
    assert!(matches!(not_theirs, Err(CasesError::NotFound)));
    let (_, outcome) = consents::decide(&mut tx, &pending[0].id, "owner", &owner, true, now)
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Waiting);
    let parent = consents::pending_for(&t.db, &parent_egn).await.unwrap();
    let (_, outcome) = consents::decide(&mut tx, &parent[0].id, "parent", &parent_egn, true, now)
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::AllGiven);
    tx.commit().await.unwrap();
}
