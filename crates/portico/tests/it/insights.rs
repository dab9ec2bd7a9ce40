//! Insights: each KPI from a known sequence of events equals its hand-computed value (working
//! days on Bulgaria's calendar, with its public holidays), a replayed event is counted once,
//! feedback cannot be linked to the person who gave it, and one administration's operators never
//! see another's inquiries. Events go through the real outbox and job worker.

use crate::support::TestApp;
use chrono::{DateTime, NaiveDate, Utc};
use portico_core::{Actor, Assurance, Clock, Person, Role, RoleGrant};
use portico_insights::model::{Event, EventKind, Figures, Scope, Stage};
use portico_insights::service::feedback::{self, NewFeedback};
use portico_insights::service::{events, figures, inquiries, kpis, stored, Insights};
use portico_insights::InsightsError;
use reqwest::StatusCode;
use std::sync::Arc;

const SOFIA_EIK: &str = "000696327";
const BURGAS_EIK: &str = "000056814";

fn ctx(app: &TestApp) -> Insights {
    Insights::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        Arc::new(tokio::sync::Notify::new()),
    )
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn admin_of(administration_id: &str) -> Actor {
    Actor::Person(Person {
        account_id: format!("admin-of-{administration_id}"),
        assurance: Assurance::High,
        roles: vec![RoleGrant {
            administration_id: administration_id.into(),
            unit_id: None,
            role: Role::AdministrationAdmin,
        }],
        on_behalf_of: None,
    })
}

/// Emits the events through the outbox, each in a transaction of its own as blocks do.
async fn emit_all(app: &TestApp, list: &[Event]) {
    for e in list {
        let mut tx = app.db.begin().await.unwrap();
        events::emit(&mut tx, e, app.clock.now()).await.unwrap();
        tx.commit().await.unwrap();
    }
}

/// Waits until the job worker has counted `n` distinct events and no event job is left.
async fn counted(app: &TestApp, n: i64) {
    for _ in 0..600 {
        let seen = app.count("SELECT COUNT(*) FROM insights_seen").await;
        let pending = app
            .count("SELECT COUNT(*) FROM jobs WHERE kind = 'insights.event' AND status = 'pending'")
            .await;
        if seen >= n && pending == 0 {
            assert_eq!(seen, n, "more events were counted than were emitted");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the job worker did not count {n} events");
}

/// Lets the recompute of the dashboard's stored figures run (it is queued
/// `REFRESH_AFTER_SECONDS` after the first change) and waits until it has.
async fn refreshed(app: &TestApp) {
    app.advance(stored::REFRESH_AFTER_SECONDS);
    for _ in 0..600 {
        let queued = app
            .count(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'insights.refresh' AND status = 'pending'",
            )
            .await;
        let dirty = app.count("SELECT COUNT(*) FROM insights_dirty").await;
        if queued == 0 && dirty == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the dashboard's figures were not recomputed");
}

fn ev(id: &str, kind: EventKind, when: &str) -> Event {
    Event::of(id, kind, "svc-kpi", "adm-kpi", at(when))
}

#[tokio::test]
async fn each_kpi_from_a_known_sequence_of_events_equals_its_hand_computed_value() {
    let app = TestApp::start().await;
    let ctx = ctx(&app);
    // Four drafts started on Monday 2 March 2026; three submitted that day. 3 March is a public
    // holiday (Liberation Day).
    let submitted_at = "2026-03-02T10:00:00Z";
    let mut list = Vec::new();
    for a in ["a1", "a2", "a3", "a4"] {
        list.push(
            ev(
                &format!("started:{a}"),
                EventKind::Started,
                "2026-03-02T08:00:00Z",
            )
            .about(a),
        );
    }
    for a in ["a1", "a2", "a3"] {
        list.push(
            ev(
                &format!("submitted:{a}"),
                EventKind::Submitted,
                submitted_at,
            )
            .about(a),
        );
    }
    // a1 approved on Friday 6 March: 4, 5, 6 March = 3 working days; its deadline was 5 March
    // (4 and 5 March: 2 working days), so it is late.
    list.push(
        ev("ended:a1", EventKind::Decided, "2026-03-06T12:00:00Z").decision(
            "approved",
            at(submitted_at),
            Some(date("2026-03-05")),
        ),
    );
    // a2 refused on Thursday 12 March: 4, 5, 6, 9, 10, 11, 12 = 7 working days, within its
    // deadline of 20 March (13 working days).
    list.push(
        ev("ended:a2", EventKind::Decided, "2026-03-12T12:00:00Z").decision(
            "refused",
            at(submitted_at),
            Some(date("2026-03-20")),
        ),
    );
    list.push(ev("ended:a3", EventKind::Withdrawn, "2026-03-04T09:00:00Z"));
    list.push(ev(
        "delivered:m1",
        EventKind::Delivered,
        "2026-03-06T12:00:00Z",
    ));
    list.push(ev("paid:p1", EventKind::Paid, "2026-03-02T11:00:00Z"));
    emit_all(&app, &list).await;
    // Replayed: the same submission emitted again, and a decision counted again by hand.
    emit_all(&app, &list[4..5]).await;
    counted(&app, 12).await;
    // a4 was never submitted: 30 days on, its abandonment check runs and counts it, as a
    // thirteenth event; the submitted drafts are not counted as abandoned.
    app.clock.advance(chrono::Duration::days(31));
    counted(&app, 13).await;
    for _ in 0..200 {
        let open = app
            .count(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'insights.abandon' AND status = 'pending'",
            )
            .await;
        if open == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM insights_drafts WHERE state = 'abandoned'")
            .await,
        1
    );
    assert!(!events::ingest(&app.db, &list[7], app.clock.now())
        .await
        .unwrap());

    let today = ctx.today();
    let months = kpis::months_between(date("2026-03-01"), today);
    let (series, total) = kpis::series(&app.db, &Scope::Service("svc-kpi".into()), &months, today)
        .await
        .unwrap();
    let march = series.iter().find(|k| k.month == "2026-03").unwrap();
    assert_eq!(march.counts.started, 4);
    assert_eq!(
        march.counts.submitted, 3,
        "a replayed submission counts once"
    );
    assert_eq!(march.counts.decided, 2, "a replayed decision counts once");
    assert_eq!((march.counts.approved, march.counts.refused), (1, 1));
    assert_eq!(march.counts.withdrawn, 1);
    assert_eq!(march.counts.paid, 1);
    assert_eq!(march.completion, Some(75.0));
    assert_eq!(march.median_days, Some(3));
    assert_eq!(march.p90_days, Some(7));
    assert_eq!(march.counts.decision_days, 10);
    assert_eq!(march.deadline_days, Some(7.5), "(2 + 13) / 2 working days");
    assert_eq!(march.overdue_share, Some(50.0));
    assert_eq!(march.no_paper, Some(50.0));
    assert_eq!(
        march.take_up,
        Some(100.0),
        "no counter or post figures entered"
    );
    assert_eq!(march.cost_per_transaction, None, "no costs entered");
    // The abandonment is counted on the day of its check, today.
    assert_eq!(march.counts.abandoned, 0);
    assert_eq!(total.counts.abandoned, 1);
    let this_month = series.last().unwrap();
    assert_eq!(this_month.counts.abandoned, 1);
    // The same figures for the administration and the platform.
    let (_, admin_total) = kpis::series(
        &app.db,
        &Scope::Administration("adm-kpi".into()),
        &months,
        today,
    )
    .await
    .unwrap();
    assert_eq!(admin_total.counts, total.counts);
    let (_, other) = kpis::series(
        &app.db,
        &Scope::Administration("another".into()),
        &months,
        today,
    )
    .await
    .unwrap();
    assert_eq!(other.counts.submitted, 0);
}

async fn sofia_service(app: &TestApp) -> portico_catalog::Service {
    portico_catalog::service::by_slug(&app.db, "address-registration-sofia")
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn take_up_cost_and_satisfaction_from_entered_figures_and_ratings() {
    let app = crate::catalog::seeded().await;
    let ctx = ctx(&app);
    let service = sofia_service(&app).await;
    let today = ctx.today();
    let last_month = today
        .checked_sub_months(chrono::Months::new(1))
        .unwrap()
        .format("%Y-%m")
        .to_string();
    let mid_last_month = format!("{last_month}-15T10:00:00Z");
    let list: Vec<Event> = (0..6)
        .map(|i| {
            Event::of(
                &format!("submitted:take-up-{i}"),
                EventKind::Submitted,
                &service.id,
                &service.administration_id,
                at(&mid_last_month),
            )
        })
        .collect();
    emit_all(&app, &list).await;
    counted(&app, 6).await;
    // Last month: 3 at the counter, 1 by post, 120.00 € in all: take-up 6 / 10, 12.00 € each.
    let admin = admin_of(&service.administration_id);
    let entered = Figures {
        administration_id: service.administration_id.clone(),
        service_id: service.id.clone(),
        month: last_month.clone(),
        counter_count: 3,
        post_count: 1,
        cost_minor: 12_000,
        currency: "EUR".into(),
    };
    figures::enter(&ctx, &admin, &entered).await.unwrap();
    // Another administration's administrator cannot enter figures for Sofia's service, and bad
    // figures change nothing.
    let burgas = crate::catalog::administration_id(&app, BURGAS_EIK).await;
    let foreign = Figures {
        administration_id: burgas.clone(),
        ..entered.clone()
    };
    assert!(matches!(
        figures::enter(&ctx, &admin_of(&burgas), &foreign).await,
        Err(InsightsError::Invalid(_))
    ));
    assert!(matches!(
        figures::enter(&ctx, &admin_of(&burgas), &entered).await,
        Err(InsightsError::NotFound)
    ));
    let negative = Figures {
        counter_count: -1,
        ..entered.clone()
    };
    assert!(matches!(
        figures::enter(&ctx, &admin, &negative).await,
        Err(InsightsError::Invalid(_))
    ));
    let future = Figures {
        month: "2999-01".into(),
        ..entered.clone()
    };
    assert!(figures::enter(&ctx, &admin, &future).await.is_err());
    assert_eq!(app.count("SELECT COUNT(*) FROM insights_figures").await, 1);

    let rate = |rating: i64| {
        let ctx = ctx.clone();
        let service_id = service.id.clone();
        async move {
            feedback::give(
                &ctx,
                &NewFeedback {
                    service_id: &service_id,
                    stage: Stage::Submitted,
                    rating: Some(rating),
                    comment: "",
                },
            )
            .await
            .unwrap();
        }
    };
    // Ratings 5, 4, 2, 1: fewer than the minimum group of 5, so no satisfaction is shown (one
    // more answer would tell the next person's rating).
    for rating in [5, 4, 2, 1] {
        rate(rating).await;
    }
    let months = kpis::last_year(today);
    let (_, few) = kpis::series(&app.db, &Scope::Service(service.id.clone()), &months, today)
        .await
        .unwrap();
    assert_eq!(few.counts.ratings, 4);
    assert_eq!(few.satisfaction, None, "4 ratings are too few to show");
    refreshed(&app).await;
    let page = app
        .client()
        .get(&format!("/performance/services/{}", service.id))
        .await;
    assert_eq!(
        page.texts("#kpi-satisfaction .kpi-value"),
        vec!["—".to_owned()]
    );
    // Then 5 and 1: six ratings, three satisfied or very satisfied: half.
    for rating in [5, 1] {
        rate(rating).await;
    }
    for bad in [Some(0), Some(6), None] {
        let refused = feedback::give(
            &ctx,
            &NewFeedback {
                service_id: &service.id,
                stage: Stage::Result,
                rating: bad,
                comment: "",
            },
        )
        .await;
        assert!(matches!(refused, Err(InsightsError::Invalid(_))));
    }
    let (series, total) =
        kpis::series(&app.db, &Scope::Service(service.id.clone()), &months, today)
            .await
            .unwrap();
    let month = series.iter().find(|k| k.month == last_month).unwrap();
    assert_eq!(month.take_up, Some(60.0));
    assert_eq!(month.cost_per_transaction, Some(1_200));
    assert_eq!(total.satisfaction, Some(50.0));
    assert_eq!(total.counts.ratings, 6);
    assert_eq!(total.counts.rating_sum, 18);

    // The public pages show the same figures, and the CSV and JSON downloads hold them.
    refreshed(&app).await;
    let c = app.client();
    let page = c
        .get(&format!("/performance/services/{}", service.id))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let take_up = page.texts("#kpi-take_up .kpi-value");
    assert_eq!(take_up, vec!["60,0 %".to_owned()], "{:?}", take_up);
    assert_eq!(
        page.texts("#kpi-cost .kpi-value"),
        vec!["12,00 €".to_owned()]
    );
    assert_eq!(
        page.texts("#kpi-satisfaction .kpi-value"),
        vec!["50,0 %".to_owned()]
    );
    assert!(page.body.contains("<svg"), "charts are drawn on the server");
    assert!(
        page.body.contains("chart-take-up-table"),
        "each chart has a table"
    );
    let csv = c
        .get(&format!("/performance/services/{}?format=csv", service.id))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let line = csv
        .body
        .lines()
        .find(|l| l.starts_with(&last_month))
        .unwrap()
        .to_owned();
    assert!(
        line.starts_with(&format!("{last_month},0,6,3,1,")),
        "{line}"
    );
    let json = c.get("/performance?format=json").await.json();
    assert_eq!(json["total"]["counts"]["submitted"], 6);
    assert_eq!(json["total"]["take_up"], 60.0);
    let sofia = crate::catalog::administration_id(&app, SOFIA_EIK).await;
    let admin_page = c
        .get(&format!("/performance/administrations/{sofia}"))
        .await;
    assert_eq!(admin_page.status, StatusCode::OK);
    assert!(admin_page
        .body
        .contains(&format!("/performance/services/{}", service.id)));
    assert_eq!(
        c.get("/performance/administrations/nobody").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/performance/services/<script>").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/performance?format=xml").await.status,
        StatusCode::NOT_FOUND
    );
    // The English page writes numbers the English way.
    let en = crate::support::Client::with_header(&app.base, "cookie", "lang=en");
    let page = en
        .get(&format!("/performance/services/{}", service.id))
        .await;
    assert_eq!(
        page.texts("#kpi-take_up .kpi-value"),
        vec!["60.0%".to_owned()]
    );
}

#[tokio::test]
async fn feedback_is_anonymous_and_the_administration_answers_and_hides_it() {
    let app = crate::catalog::seeded().await;
    let service = sofia_service(&app).await;
    let (citizen, _egn, _secret) = crate::cases::citizen(&app, "anon@example.bg").await;
    let account: (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind("anon@example.bg")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let form = citizen
        .get(&format!("/feedback/{}?stage=result", service.id))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    // No rating: a clear error and nothing kept.
    let refused = citizen
        .post_form(
            &format!("/feedback/{}", service.id),
            &[("stage", "result"), ("comment", "Бавно")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("error-summary"));
    // Without the CSRF token: refused before anything is read.
    let forged = citizen
        .post_raw(&format!("/feedback/{}", service.id), &[("rating", "1")])
        .await;
    assert_ne!(forged.status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM insights_feedback").await, 0);
    let comment = "Много бързо <b>и</b> лесно, благодаря!";
    let given = citizen
        .post_form(
            &format!("/feedback/{}", service.id),
            &[("stage", "result"), ("rating", "5"), ("comment", comment)],
        )
        .await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
    assert!(given.body.contains("feedback-thanks"));

    // Nothing stored can lead back to the person: no account, no time finer than the day, a
    // random (not time-ordered) id, and no audit entry naming them.
    let row: (String, String, String, String) =
        sqlx::query_as("SELECT id, day, stage, comment FROM insights_feedback")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(row.1.len(), 10, "a day, not a time: {}", row.1);
    assert_eq!(
        row.0.chars().nth(14),
        Some('4'),
        "a random UUID (v4): {}",
        row.0
    );
    assert_eq!(row.2, "result");
    let everything: Vec<String> = sqlx::query_as::<_, (String, String, String, String, String)>(
        "SELECT id, service_id, administration_id, stage, day FROM insights_feedback",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .into_iter()
    .flat_map(|r| [r.0, r.1, r.2, r.3, r.4])
    .collect();
    assert!(!everything.iter().any(|v| v.contains(&account.0)));
    let audited_since = app.count("SELECT COUNT(*) FROM audit_log").await - audit_before;
    let mentions: i64 = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'insights.%' OR details LIKE '%{}%'",
            row.0
        ))
        .await;
    assert_eq!(
        mentions, 0,
        "giving feedback writes no audit entry ({audited_since} since)"
    );

    // The only feedback on the service this month: held back from staff and from the public
    // (on a quiet day they could tell who gave it), and it cannot be answered or hidden.
    let operator = crate::cases::staff(&app, crate::cases::OPERATOR).await;
    let id = &row.0;
    let office = operator.get("/office/feedback").await;
    assert_eq!(office.status, StatusCode::OK);
    assert!(!office.body.contains("Много бързо"), "{}", office.body);
    assert!(office.body.contains("id=\"no-feedback\""));
    let public = app
        .client()
        .get(&format!("/performance/services/{}", service.id))
        .await;
    assert!(!public.body.contains("Много бързо"));
    let early = operator
        .post_form(
            &format!("/office/feedback/{id}/answer"),
            &[("text", "Благодарим ви!")],
        )
        .await;
    assert_eq!(early.status, StatusCode::NOT_FOUND);
    // Four more people rate the service this month: five in all, and the comment is shown.
    let ctx = ctx(&app);
    for rating in [4, 3, 5, 2] {
        feedback::give(
            &ctx,
            &NewFeedback {
                service_id: &service.id,
                stage: Stage::Submitted,
                rating: Some(rating),
                comment: "",
            },
        )
        .await
        .unwrap();
    }

    // Sofia's operator reads it (escaped, with the month, not the day), answers it, and hides it
    // with a reason.
    let office = operator.get("/office/feedback").await;
    assert_eq!(office.status, StatusCode::OK);
    // Shown as the words typed, never as markup.
    assert!(!office.body.contains("<b>и</b>"));
    assert!(
        office
            .texts(".feedback-item p")
            .iter()
            .any(|t| t == comment),
        "{}",
        office.body
    );
    assert!(!office.body.contains("anon@example.bg"));
    assert!(!office.body.contains(&row.1), "the day is never shown");
    assert!(office.body.contains(&row.1[..7]), "the month is");
    let short = operator
        .post_form(&format!("/office/feedback/{id}/hide"), &[("text", "x")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answered = operator
        .post_form(
            &format!("/office/feedback/{id}/answer"),
            &[("text", "Благодарим ви!")],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let public = app
        .client()
        .get(&format!("/performance/services/{}", service.id))
        .await;
    assert!(public.body.contains("Благодарим ви!"));
    assert!(!public.body.contains("<b>и</b>"));
    assert!(public.texts(".comment p").iter().any(|t| t == comment));
    let hidden = operator
        .post_form(
            &format!("/office/feedback/{id}/hide"),
            &[("text", "Обидно съдържание")],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER);
    let public = app
        .client()
        .get(&format!("/performance/services/{}", service.id))
        .await;
    assert!(
        !public.body.contains("Много бързо"),
        "a hidden comment is not shown"
    );
    // Another administration's staff cannot see, answer or hide it.
    let burgas =
        crate::catalog::staff(&app, "op@burgas.example.bg", BURGAS_EIK, Role::Operator).await;
    let theirs = burgas.get("/office/feedback").await;
    assert!(!theirs.body.contains("Много бързо"));
    let tried = burgas
        .post_form(
            &format!("/office/feedback/{id}/answer"),
            &[("text", "Здравейте")],
        )
        .await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND);
    // A citizen has no back office.
    assert_eq!(
        citizen.get("/office/feedback").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn inquiries_get_a_reference_and_a_deadline_and_stay_within_their_administration() {
    let app = crate::catalog::seeded().await;
    let ctx = ctx(&app);
    let service = sofia_service(&app).await;
    let sofia = service.administration_id.clone();
    let c = app.client();
    let form = c
        .get(&format!(
            "/inquiries/new?administration={sofia}&service={}",
            service.id
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    // Signed out without an e-mail address, or with a question too short: refused, nothing kept.
    let refused = c
        .post_form(
            "/inquiries/new",
            &[("administration", &sofia), ("question", "Кога?")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("href=\"#email\""));
    assert!(refused.body.contains("href=\"#question\""));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM insights_inquiries").await,
        0
    );
    let question = "Какви документи са нужни за адресна регистрация на дете?";
    let sent = c
        .post_form(
            "/inquiries/new",
            &[
                ("administration", &sofia),
                ("service", &service.id),
                ("email", "maria@example.bg"),
                ("question", question),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let reference = sent.texts("#inquiry-reference").pop().unwrap();
    assert!(reference.starts_with("Q-"), "{reference}");
    // The deadline: 14 working days on Bulgaria's calendar from today.
    let expected = portico_core::calendar::WorkingCalendar::bulgaria()
        .deadline(app.clock.now(), 14)
        .format("%d.%m.%Y")
        .to_string();
    assert_eq!(sent.texts("#inquiry-deadline"), vec![expected]);

    // Sofia's operator sees it; Burgas's operator does not, and cannot open or answer it.
    let operator = crate::cases::staff(&app, crate::cases::OPERATOR).await;
    let queue = operator.get("/office/inquiries").await;
    assert!(queue.body.contains(&reference), "{}", queue.body);
    let link = queue.attr("#inquiries-table a", "href").unwrap();
    let burgas =
        crate::catalog::staff(&app, "op2@burgas.example.bg", BURGAS_EIK, Role::Operator).await;
    let theirs = burgas.get("/office/inquiries").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains(&reference));
    assert_eq!(burgas.get(&link).await.status, StatusCode::NOT_FOUND);
    let tried = burgas.post_form(&link, &[("answer", "Не знам")]).await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND);
    let burgas_actor = Actor::Person(Person {
        account_id: "burgas-operator".into(),
        assurance: Assurance::Substantial,
        roles: vec![RoleGrant {
            administration_id: crate::catalog::administration_id(&app, BURGAS_EIK).await,
            unit_id: None,
            role: Role::Operator,
        }],
        on_behalf_of: None,
    });
    assert!(inquiries::queue(&ctx, &burgas_actor)
        .await
        .unwrap()
        .0
        .is_empty());

    // Fifteen working days later it is overdue: shown and counted in the queue and the KPIs.
    app.clock.advance(chrono::Duration::days(30));
    let operator = crate::cases::staff(&app, crate::cases::OPERATOR).await;
    let queue = operator.get("/office/inquiries").await;
    assert!(queue.body.contains("row--overdue"));
    assert!(queue.texts("#overdue-count")[0].starts_with('1'));
    let today = ctx.today();
    let (_, total) = kpis::series(
        &app.db,
        &Scope::Administration(sofia.clone()),
        &kpis::last_year(today),
        today,
    )
    .await
    .unwrap();
    assert_eq!((total.inquiries, total.inquiries_overdue), (1, 1));

    // The operator answers; the person gets the answer by e-mail; it leaves the queue.
    let answered = operator
        .post_form(&link, &[("answer", "Акт за раждане и лична карта.")])
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let mail = app.mail.wait_for("Акт за раждане и лична карта.").await;
    assert!(mail.contains(question));
    assert!(app
        .mail
        .raw()
        .iter()
        .any(|m| m.contains("maria@example.bg")));
    let queue = operator.get("/office/inquiries").await;
    assert!(!queue.body.contains(&reference));
    let again = operator.post_form(&link, &[("answer", "Още веднъж")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Answered late, it still counts as overdue.
    let (_, total) = kpis::series(
        &app.db,
        &Scope::Administration(sofia),
        &kpis::last_year(ctx.today()),
        ctx.today(),
    )
    .await
    .unwrap();
    assert_eq!(total.inquiries_overdue, 1);
}

/// The dashboard's figures of a JSON download: the total's submissions and inquiries.
async fn shown(app: &TestApp, path: &str) -> (i64, i64, i64) {
    let json = app
        .client()
        .get(&format!("{path}?format=json"))
        .await
        .json();
    let total = &json["total"];
    let n = |v: &serde_json::Value| v.as_i64().unwrap_or(-1);
    (
        n(&total["counts"]["submitted"]),
        n(&total["inquiries"]),
        n(&total["inquiries_overdue"]),
    )
}

#[tokio::test]
async fn the_dashboard_shows_an_event_once_its_figures_are_recomputed_and_a_new_day_by_itself_also_over_the_api(
) {
    let app = crate::catalog::seeded().await;
    let ctx = ctx(&app);
    let service = sofia_service(&app).await;
    let sofia = service.administration_id.clone();
    let service_page = format!("/performance/services/{}", service.id);
    let administration_page = format!("/performance/administrations/{sofia}");
    let submitted = |i: usize| {
        Event::of(
            &format!("submitted:stored-{i}"),
            EventKind::Submitted,
            &service.id,
            &sofia,
            app.clock.now(),
        )
    };
    emit_all(&app, &[submitted(0)]).await;
    counted(&app, 1).await;
    refreshed(&app).await;
    for path in ["/performance", &administration_page, &service_page] {
        assert_eq!(shown(&app, path).await.0, 1, "{path}");
    }
    let platform = app.client().get("/performance?format=json").await.json();
    assert_eq!(platform["groups"][&sofia]["counts"]["submitted"], 1);

    // A second event is counted at once, and shown once the recompute queued by it has run: the
    // pages read what was stored, not the counters.
    emit_all(&app, &[submitted(1)]).await;
    counted(&app, 2).await;
    for path in ["/performance", &administration_page, &service_page] {
        assert_eq!(shown(&app, path).await.0, 1, "{path} before the recompute");
    }
    refreshed(&app).await;
    for path in ["/performance", &administration_page, &service_page] {
        assert_eq!(shown(&app, path).await.0, 2, "{path} after the recompute");
    }
    let page = app.client().get(&service_page).await;
    assert_eq!(
        page.texts("#kpi-transactions .kpi-value"),
        vec!["2".to_owned()]
    );
    // The recompute takes only what changed: one service, its administration, the platform.
    emit_all(&app, &[submitted(2)]).await;
    counted(&app, 3).await;
    let done = stored::refresh(&ctx).await.unwrap();
    assert_eq!(
        done,
        stored::Refreshed {
            full: false,
            services: 1,
            administrations: 1
        }
    );
    assert_eq!(shown(&app, &service_page).await.0, 3);
    assert_eq!(shown(&app, "/performance").await.0, 3);

    // An inquiry is counted on the administration's page; 30 days on, with nothing else
    // changing, the first page of the new day queues a recompute and it shows as late.
    inquiries::ask(
        &ctx,
        None,
        &inquiries::NewInquiry {
            administration_id: sofia.clone(),
            email: Some("stored@example.bg".into()),
            question: "Кога е готово удостоверението?".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    refreshed(&app).await;
    assert_eq!(shown(&app, &administration_page).await, (3, 1, 0));
    app.clock.advance(chrono::Duration::days(30));
    assert_eq!(
        shown(&app, &administration_page).await,
        (3, 1, 0),
        "the day before's figures, until the recompute"
    );
    refreshed(&app).await;
    assert_eq!(shown(&app, &administration_page).await, (3, 1, 1));
    assert_eq!(shown(&app, "/performance").await, (3, 1, 1));

    // The same figures over the public JSON API, in the OpenAPI document.
    let c = app.client();
    for path in ["/performance", &administration_page, &service_page] {
        let api = c.get(&format!("/api/v1{path}")).await;
        assert_eq!(api.status, StatusCode::OK, "{path}");
        let page = c.get(&format!("{path}?format=json")).await.json();
        assert_eq!(api.json(), page, "{path}");
    }
    let api = c.get("/api/v1/performance").await.json();
    assert_eq!(api["months"].as_array().map(Vec::len), Some(12));
    assert_eq!(api["total"]["counts"]["submitted"], 3);
    assert_eq!(api["groups"][&sofia]["inquiries_overdue"], 1);
    let missing = c.get("/api/v1/performance/administrations/nobody").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"]["code"], "not_found");
    assert_eq!(
        c.get("/api/v1/performance/services/<script>").await.status,
        StatusCode::NOT_FOUND
    );
    let doc = c.get("/api/v1/openapi.json").await.json();
    for path in [
        "/api/v1/performance",
        "/api/v1/performance/administrations/{id}",
        "/api/v1/performance/services/{id}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} not documented");
    }
    assert!(doc["components"]["schemas"].get("Dashboard").is_some());
}

#[tokio::test]
async fn a_real_case_is_counted_as_it_moves_started_submitted_decided_delivered() {
    use portico::demo::DEMO_TOTP_SECRET;
    use portico_cases::model::TransitionInput;
    use portico_cases::service::{consents, decisions, submission};
    use portico_identity::service::step_up;
    let app = crate::service_layer::seeded().await;
    let cases = crate::service_layer::cases_context(&app);
    let service = sofia_service(&app).await;
    let (applicant_id, applicant_egn) =
        crate::service_layer::person(&app, "counted-applicant@example.bg").await;
    let (owner_id, owner_egn) =
        crate::service_layer::person(&app, "counted-owner@example.bg").await;
    let id = crate::service_layer::draft(&app, &applicant_id, &applicant_egn, &owner_egn).await;
    let applicant = Actor::person(&applicant_id, Assurance::Substantial);
    let proof = step_up::confirm(
        &app.db,
        &applicant_id,
        &app.totp(DEMO_TOTP_SECRET),
        submission::STEP_UP_PURPOSE,
        app.clock.now(),
    )
    .await
    .unwrap();
    submission::submit(&cases, &applicant, &id, &proof)
        .await
        .unwrap();
    app.advance(30);
    let owner = Actor::person(&owner_id, Assurance::Substantial);
    let pending = consents::pending_for(
        &app.db,
        &portico_core::PersonalId::parse_egn(&owner_egn).unwrap(),
    )
    .await
    .unwrap();
    let proof = step_up::confirm(
        &app.db,
        &owner_id,
        &app.totp(DEMO_TOTP_SECRET),
        consents::STEP_UP_PURPOSE,
        app.clock.now(),
    )
    .await
    .unwrap();
    consents::give_or_refuse(&cases, &owner, &pending[0].id, true, &proof)
        .await
        .unwrap();
    let system = Actor::ApiClient(portico_core::ApiClient {
        client_id: "sofia-records-system".into(),
        administration_id: service.administration_id.clone(),
        scopes: vec!["cases".into()],
    });
    let case = portico_cases::service::applications::get(&app.db, &id)
        .await
        .unwrap()
        .unwrap();
    let claimed = decisions::claim(&cases, &system, &id, case.version)
        .await
        .unwrap();
    let none = TransitionInput::default();
    let reviewing = decisions::take(&cases, &system, &id, "start_review", claimed.version, &none)
        .await
        .unwrap();
    decisions::take(&cases, &system, &id, "approve", reviewing.version, &none)
        .await
        .unwrap();
    // Started, submitted, decided, and the result delivered to the applicant's mailbox.
    counted(&app, 4).await;
    let today = ctx(&app).today();
    let (_, total) = kpis::series(
        &app.db,
        &Scope::Service(service.id.clone()),
        &kpis::last_year(today),
        today,
    )
    .await
    .unwrap();
    let c = total.counts;
    assert_eq!(
        (c.started, c.submitted, c.decided, c.approved),
        (1, 1, 1, 1)
    );
    assert_eq!(c.delivered, 1);
    assert_eq!(
        total.median_days,
        Some(0),
        "decided on the day it was submitted"
    );
    assert_eq!(total.overdue_share, Some(0.0));
    assert_eq!(total.no_paper, Some(100.0));
    // The platform dashboard shows it, without any account.
    refreshed(&app).await;
    let page = app.client().get("/performance").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts("#kpi-completion .kpi-value"),
        vec!["100,0 %".to_owned()]
    );
}

fn open_data(app: &TestApp) -> portico_opendata::service::OpenData {
    portico_opendata::service::OpenData {
        db: app.db.clone(),
        blobs: portico_store::BlobStore::from_url_opts(
            &app.config.blob_url,
            app.config.blob_options.clone(),
        )
        .unwrap(),
        clock: Arc::new(app.clock.clone()),
        index: Default::default(),
    }
}

/// The path of a CKAN resource's download address.
fn download_path(resource: &serde_json::Value) -> String {
    let url = resource["url"].as_str().unwrap();
    url[url.find("/dataset/").unwrap()..].to_owned()
}

#[tokio::test]
async fn the_figures_are_published_as_an_open_dataset_found_in_data_and_kept_current() {
    use portico_insights::service::open_data;
    let app = crate::catalog::seeded().await;
    let ctx = ctx(&app);
    let open = open_data(&app);
    let service = sofia_service(&app).await;
    let now = app.clock.now();
    let event = |id: &str, kind| {
        Event::of(id, kind, &service.id, &service.administration_id, now).about(id)
    };
    // This month: three drafts started, two submitted, and two ratings (too few to show).
    let mut list = Vec::new();
    for i in 0..3 {
        list.push(event(&format!("pub-{i}"), EventKind::Started));
    }
    for i in 0..2 {
        list.push(event(&format!("pub-{i}"), EventKind::Submitted));
    }
    // Event ids name their occurrence: give each kind its own.
    for e in &mut list {
        e.id = format!("{}:{}", e.kind.as_str(), e.id);
    }
    emit_all(&app, &list).await;
    counted(&app, 5).await;
    for rating in [5, 4] {
        feedback::give(
            &ctx,
            &NewFeedback {
                service_id: &service.id,
                stage: Stage::Submitted,
                rating: Some(rating),
                comment: "",
            },
        )
        .await
        .unwrap();
    }
    assert!(open_data::publish(&ctx, &open).await.unwrap());

    // Found in the portal's search, in Bulgarian and in English.
    let c = app.client();
    for q in ["показатели услуги", "performance"] {
        let found = c.get(&format!("/data?q={q}")).await;
        assert_eq!(found.status, StatusCode::OK);
        assert!(
            found.body.contains("/data/portico-service-performance"),
            "{q}: {}",
            found.body
        );
    }
    assert_eq!(
        c.get("/data/portico-service-performance").await.status,
        StatusCode::OK
    );
    // Two distributions, CSV and JSON, through the CKAN API.
    let shown = c
        .get("/api/3/action/package_show?id=portico-service-performance")
        .await
        .json();
    let resources = shown["result"]["resources"].as_array().unwrap().clone();
    let formats: Vec<&str> = resources
        .iter()
        .map(|r| r["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["CSV", "JSON"]);
    // Published by the platform's own organisation, not by an administration.
    assert_eq!(shown["result"]["organization"]["name"], "portico");
    let month = kpis::month(ctx.today());
    let csv = c.get(&download_path(&resources[0])).await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut lines = csv.body.lines();
    assert_eq!(lines.next(), Some(open_data::COLUMNS.join(",").as_str()));
    let row: Vec<String> = lines
        .find(|l| l.starts_with(&month) && l.contains(&service.slug))
        .unwrap_or_else(|| panic!("no row for {month}: {}", csv.body))
        .split(',')
        .map(str::to_owned)
        .collect();
    let col = |name: &str| {
        let i = open_data::COLUMNS.iter().position(|c| *c == name).unwrap();
        row[i].clone()
    };
    assert_eq!(col("started"), "3");
    assert_eq!(col("submitted_online"), "2");
    assert_eq!(col("completion_rate"), "66.7");
    assert_eq!(col("ratings"), "2");
    assert_eq!(
        col("satisfaction"),
        "",
        "two ratings are too few to publish"
    );
    assert_eq!(col("administration_eik"), SOFIA_EIK);
    let json = c.get(&download_path(&resources[1])).await.json();
    let rows = json["rows"].as_array().unwrap();
    let this = rows
        .iter()
        .find(|r| r["month"] == month.as_str() && r["service"] == service.slug.as_str())
        .unwrap();
    assert_eq!(this["submitted_online"], 2);
    assert_eq!(this["completion_rate"], 66.7);
    assert!(this["satisfaction"].is_null());
    assert_eq!(json["minimum_group_size"], 5);
    // The CSV is in the datastore, and the DCAT-AP record lists both distributions.
    let searched = c
        .get(&format!(
            "/api/3/action/datastore_search?resource_id={}&filters={{\"service\":\"{}\"}}",
            resources[0]["id"].as_str().unwrap(),
            service.slug
        ))
        .await
        .json();
    assert_eq!(searched["result"]["total"], 1, "{searched}");
    let ttl = c.get("/dataset/portico-service-performance.ttl").await;
    assert_eq!(ttl.status, StatusCode::OK);
    assert_eq!(
        ttl.body.matches("dcat:distribution ").count(),
        2,
        "{}",
        ttl.body
    );
    assert!(ttl.body.contains("service-performance.csv"));

    // Nothing new: nothing replaced. A new submission: both files replaced.
    assert!(!open_data::publish(&ctx, &open).await.unwrap());
    emit_all(&app, &[event("submitted:pub-2", EventKind::Submitted)]).await;
    counted(&app, 6).await;
    assert!(open_data::publish(&ctx, &open).await.unwrap());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'opendata.resource_replaced'")
            .await,
        2
    );
    let csv = c.get(&download_path(&resources[0])).await;
    let line = csv
        .body
        .lines()
        .find(|l| l.starts_with(&month) && l.contains(&service.slug))
        .unwrap()
        .to_owned();
    assert!(line.contains(",3,3,"), "started 3, submitted 3: {line}");
}

#[tokio::test]
async fn raw_events_drafts_and_feedback_past_their_retention_are_purged_and_the_counters_kept() {
    use portico_insights::service::purge::RETENTION_DAYS;
    let app = crate::catalog::seeded().await;
    let ctx = ctx(&app);
    let service = sofia_service(&app).await;
    let now = app.clock.now();
    let old = now - chrono::Duration::days(RETENTION_DAYS + 10);
    let event =
        |id: &str, kind, when| Event::of(id, kind, &service.id, &service.administration_id, when);
    emit_all(
        &app,
        &[
            event("started:old", EventKind::Started, old).about("old"),
            event("submitted:old", EventKind::Submitted, old).about("old"),
            event("started:new", EventKind::Started, now).about("new"),
        ],
    )
    .await;
    counted(&app, 3).await;
    feedback::give(
        &ctx,
        &NewFeedback {
            service_id: &service.id,
            stage: Stage::Result,
            rating: Some(4),
            comment: "Добре",
        },
    )
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO insights_feedback (id, service_id, administration_id, stage, rating, comment, day) \
         VALUES ('old-feedback', $1, $2, 'result', 2, 'Бавно', $3)",
    )
    .bind(&service.id)
    .bind(&service.administration_id)
    .bind(old.format("%Y-%m-%d").to_string())
    .execute(app.db.pool())
    .await
    .unwrap();

    let purged = portico::purge::run(&app.db, now).await.unwrap();
    assert_eq!(purged.insights.seen, 2);
    assert_eq!(purged.insights.drafts, 1);
    assert_eq!(purged.insights.feedback, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM insights_seen").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM insights_drafts WHERE subject_id = 'new'")
            .await,
        1,
        "an open draft is kept"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM insights_feedback WHERE id = 'old-feedback'")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM insights_feedback").await, 1);
    // The counters stay: both starts and the old submission, and the rating.
    assert_eq!(
        app.count("SELECT CAST(SUM(started) AS BIGINT) FROM insights_monthly")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT CAST(SUM(submitted) AS BIGINT) FROM insights_monthly")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT CAST(SUM(ratings) AS BIGINT) FROM insights_monthly")
            .await,
        1
    );
    // A recent event replayed within the retention is still counted once; purging again
    // deletes nothing more.
    emit_all(
        &app,
        &[event("started:new", EventKind::Started, now).about("new")],
    )
    .await;
    counted(&app, 1).await;
    assert_eq!(
        app.count("SELECT CAST(SUM(started) AS BIGINT) FROM insights_monthly")
            .await,
        2
    );
    let again = portico::purge::run(&app.db, now).await.unwrap();
    assert_eq!(again.insights, Default::default());
}
