//! Citizen participation: an administration opens a process with phases, topics and rules;
//! people propose, support and comment; the administration reviews with a published reason and
//! every change is kept; only the administration opens and reviews; bad input changes nothing;
//! the proposals list pages through the API.

use crate::support::TestApp;
use portico_core::{Actor, Assurance, Clock, Person, Role, RoleGrant};
use portico_participation::model::{
    BallotRule, NewProcess, NewProposal, Phase, Phases, ProposalStatus, Proposers, Review, Rules,
    Topic,
};
use portico_participation::service::{processes, proposals, Participation};
use portico_participation::ParticipationError;
use reqwest::StatusCode;
use std::sync::Arc;

pub const SOFIA: &str = "sofia-municipality";
const DAY: i64 = 24 * 3600 * 1000;

pub fn ctx(app: &TestApp) -> Participation {
    Participation::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        portico_core::Pseudonymiser::new(b"participation-test-key".to_vec()),
    )
}

pub fn admin() -> Actor {
    Actor::Person(Person {
        account_id: "sofia-admin".into(),
        assurance: Assurance::High,
        roles: vec![RoleGrant {
            administration_id: SOFIA.into(),
            unit_id: None,
            role: Role::AdministrationAdmin,
        }],
        on_behalf_of: None,
    })
}

pub fn now_ms(app: &TestApp) -> i64 {
    portico_core::clock::to_millis(app.clock.now())
}

/// A process whose proposals phase is open now; the others follow a day apart.
pub fn green(app: &TestApp, slug: &str) -> NewProcess {
    let now = now_ms(app);
    NewProcess {
        administration_id: SOFIA.into(),
        slug: slug.into(),
        title_bg: "София избира ЗЕЛЕНО".into(),
        title_en: "Sofia Chooses GREEN".into(),
        theme: "green".into(),
        phases: Phases {
            proposals_from: now - DAY,
            proposals_until: now + DAY,
            review_until: now + 2 * DAY,
            voting_from: now + 2 * DAY,
            voting_until: now + 3 * DAY,
            results_from: now + 3 * DAY,
        },
        rules: Rules {
            proposers: Proposers::Anyone,
            voter_area: "municipality".into(),
            min_age: 16,
            budget_minor: 100_000_000,
            currency: "BGN".into(),
            ballot_rule: BallotRule::UpToN,
            max_choices: 3,
            allow_change: true,
            legal_basis: "Закон за местното самоуправление и местната администрация, чл. 17".into(),
            boundary: None,
            tally_live: false,
        },
        topics: vec![
            Topic {
                code: "trees".into(),
                name_bg: "Дървета и зелени покриви".into(),
                name_en: "Trees and green roofs".into(),
            },
            Topic {
                code: "mobility".into(),
                name_bg: "Мобилност".into(),
                name_en: "Mobility".into(),
            },
        ],
    }
}

pub fn idea(title: &str, budget_minor: i64) -> NewProposal {
    NewProposal {
        title: title.into(),
        description: "Засаждане на дървета по булеварда.".into(),
        budget_minor,
        district: Some("sredets".into()),
        latitude: Some(42.69),
        longitude: Some(23.32),
        topics: vec!["trees".into()],
    }
}

fn citizen(id: &str) -> Actor {
    Actor::person(id, Assurance::Substantial)
}

#[tokio::test]
async fn an_administration_opens_a_process_and_people_propose_support_and_comment() {
    let app = TestApp::start().await;
    let ctx = ctx(&app);
    let id = processes::open(&ctx, &admin(), &green(&app, "green"))
        .await
        .unwrap();
    let process = processes::get(&ctx, "green").await.unwrap();
    assert_eq!(process.id, id);
    assert_eq!(process.phase, Phase::Proposals);
    assert_eq!(process.topics.len(), 2);
    assert!(!process.locked);

    let first = proposals::submit(&ctx, &citizen("maria"), &id, &idea("Дървета", 5_000_000))
        .await
        .unwrap();
    let supported = proposals::support(&ctx, &citizen("petar"), &first)
        .await
        .unwrap();
    assert_eq!(supported.supports, 1);
    // Supporting again changes nothing.
    let again = proposals::support(&ctx, &citizen("petar"), &first)
        .await
        .unwrap();
    assert_eq!(again.supports, 1);
    proposals::comment(&ctx, &citizen("petar"), &first, "Чудесна идея")
        .await
        .unwrap();
    assert_eq!(
        proposals::comments(&ctx, &first).await.unwrap()[0].body,
        "Чудесна идея"
    );

    // Bad input is refused and changes nothing.
    for (bad, code) in [
        (idea("", 1), "proposal_title_invalid"),
        (idea("Твърде скъпо", 200_000_000), "proposal_budget_invalid"),
        (
            NewProposal {
                topics: vec!["space".into()],
                ..idea("Чужда тема", 1)
            },
            "proposal_topics_invalid",
        ),
    ] {
        let e = proposals::submit(&ctx, &citizen("maria"), &id, &bad)
            .await
            .unwrap_err();
        assert_eq!(e.code(), code);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM participation_proposals")
            .await,
        1
    );

    // After the proposals phase, no more proposals; a page anybody reads says so.
    app.advance(DAY / 1000 + 1);
    let e = proposals::submit(&ctx, &citizen("maria"), &id, &idea("Късно", 1))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_in_proposals");
    let refused = app
        .client()
        .get(&format!("/api/v1/participation/processes/{id}"))
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert_eq!(refused.json()["phase"], "review");
}

#[tokio::test]
async fn a_review_is_published_with_its_reason_and_every_change_is_kept() {
    let app = TestApp::start().await;
    let ctx = ctx(&app);
    let id = processes::open(&ctx, &admin(), &green(&app, "green"))
        .await
        .unwrap();
    let a = proposals::submit(&ctx, &citizen("maria"), &id, &idea("Парк", 1_000))
        .await
        .unwrap();
    let b = proposals::submit(&ctx, &citizen("ivan"), &id, &idea("Парк 2", 1_000))
        .await
        .unwrap();
    let c = proposals::submit(&ctx, &citizen("ivan"), &id, &idea("Ракета", 1_000))
        .await
        .unwrap();

    // Nobody but the administration reviews; a review needs a reason.
    let e = proposals::review(
        &ctx,
        &citizen("maria"),
        &a,
        &Review {
            status: ProposalStatus::Feasible,
            reason: "Да".into(),
            merged_into: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ParticipationError::Forbidden));
    let e = proposals::review(
        &ctx,
        &admin(),
        &a,
        &Review {
            status: ProposalStatus::Feasible,
            reason: "  ".into(),
            merged_into: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "review_reason_missing");

    let reviewed = proposals::review(
        &ctx,
        &admin(),
        &a,
        &Review {
            status: ProposalStatus::Feasible,
            reason: "Общината има терен.".into(),
            merged_into: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(reviewed.status, ProposalStatus::Feasible);
    let merged = proposals::review(
        &ctx,
        &admin(),
        &b,
        &Review {
            status: ProposalStatus::Merged,
            reason: "Същото място.".into(),
            merged_into: Some(a.clone()),
        },
    )
    .await
    .unwrap();
    assert_eq!(merged.merged_into.as_deref(), Some(a.as_str()));
    proposals::review(
        &ctx,
        &admin(),
        &c,
        &Review {
            status: ProposalStatus::NotFeasible,
            reason: "Извън правомощията на общината.".into(),
            merged_into: None,
        },
    )
    .await
    .unwrap();
    // A second review of the same proposal is kept beside the first.
    proposals::review(
        &ctx,
        &admin(),
        &a,
        &Review {
            status: ProposalStatus::NotFeasible,
            reason: "Теренът е частен.".into(),
            merged_into: None,
        },
    )
    .await
    .unwrap();

    let page = app
        .client()
        .get(&format!("/api/v1/participation/proposals/{a}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let view = page.json();
    assert_eq!(view["proposal"]["status"], "not_feasible");
    assert_eq!(view["proposal"]["review_reason"], "Теренът е частен.");
    let kinds: Vec<&str> = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["submitted", "reviewed", "reviewed"]);
    assert_eq!(view["history"][1]["detail"]["status"], "feasible");
    assert_eq!(
        view["history"][1]["detail"]["reason"],
        "Общината има терен."
    );
    // The author is not published.
    assert!(!page.body.contains("maria"));

    // Filtered by status, through the API.
    let list = app
        .client()
        .get(&format!(
            "/api/v1/participation/processes/{id}/proposals?status=not_feasible"
        ))
        .await
        .json();
    assert_eq!(list["total"], 2);
}

#[tokio::test]
async fn only_the_administration_opens_a_process_and_bad_processes_are_refused() {
    let app = TestApp::start().await;
    let ctx = ctx(&app);
    let e = processes::open(&ctx, &citizen("maria"), &green(&app, "green"))
        .await
        .unwrap_err();
    assert!(matches!(e, ParticipationError::Forbidden));
    let mut other_admin = green(&app, "green");
    other_admin.administration_id = "burgas".into();
    let e = processes::open(&ctx, &admin(), &other_admin)
        .await
        .unwrap_err();
    assert!(matches!(e, ParticipationError::Forbidden));

    let mut bad = green(&app, "green");
    bad.phases.voting_until = bad.phases.voting_from - 1;
    assert_eq!(
        processes::open(&ctx, &admin(), &bad)
            .await
            .unwrap_err()
            .code(),
        "phases_out_of_order"
    );
    let mut bad = green(&app, "green");
    bad.rules.boundary = Some(serde_json::json!({"type": "Point", "coordinates": [23.3, 42.7]}));
    assert_eq!(
        processes::open(&ctx, &admin(), &bad)
            .await
            .unwrap_err()
            .code(),
        "boundary_invalid"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM participation_processes")
            .await,
        0
    );
    processes::open(&ctx, &admin(), &green(&app, "green"))
        .await
        .unwrap();
    assert_eq!(
        processes::open(&ctx, &admin(), &green(&app, "green"))
            .await
            .unwrap_err()
            .code(),
        "slug_taken"
    );
    // The API refuses an anonymous caller.
    let anonymous = app
        .client()
        .post_json("/api/v1/participation/processes", &serde_json::json!({}))
        .await;
    assert!(anonymous.status.is_client_error(), "{}", anonymous.status);
}

#[tokio::test]
async fn the_proposals_list_pages_in_the_order_they_came() {
    let app = TestApp::start().await;
    let ctx = ctx(&app);
    let id = processes::open(&ctx, &admin(), &green(&app, "green"))
        .await
        .unwrap();
    for n in 0..25 {
        proposals::submit(
            &ctx,
            &citizen("maria"),
            &id,
            &idea(&format!("Идея {n}"), 100),
        )
        .await
        .unwrap();
    }
    let page = app
        .client()
        .get("/api/v1/participation/processes/green/proposals?limit=10&after=20")
        .await
        .json();
    assert_eq!(page["total"], 25);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(page["next_after"], serde_json::Value::Null);
    assert_eq!(page["previous_before"], 21);
    assert_eq!(items[0]["number"], 21);
    assert_eq!(items[0]["title"], "Идея 20");
}

mod attachments;
mod ballots;
mod consultations;
mod follow_up;
mod forms;
mod pages;
mod paging;
