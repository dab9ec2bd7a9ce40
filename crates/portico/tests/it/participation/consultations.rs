//! Public consultations: Sofia publishes a draft in sections for comment until a deadline;
//! signed-in people comment on the whole or on a section (each sees only their own before
//! publication); after the deadline the administration answers every comment with a reason and
//! publishes them with a summary report, without the authors' names; on the pages and through
//! the API; refusals say why and change nothing; only Sofia's administration answers.

use super::ballots::{admin_of, fixture, Fixture};
use super::*;
use portico_participation::model::{NewConsultation, Section};
use portico_participation::service::consultations;

fn draft(fx: &Fixture, slug: &str) -> NewConsultation {
    let now = now_ms(&fx.app);
    NewConsultation {
        administration_id: fx.sofia.clone(),
        slug: slug.into(),
        title_bg: "Проект на Наредба за велоалеите".into(),
        title_en: "Draft ordinance on cycle lanes".into(),
        summary: "Общината пита за правилата на велоалеите.".into(),
        opens_at: now - DAY,
        closes_at: now + DAY,
        sections: vec![
            Section {
                number: 0,
                heading: "Обхват".into(),
                body: "Наредбата се прилага за всички велоалеи.".into(),
            },
            Section {
                number: 0,
                heading: "Паркиране".into(),
                body: "Тротинетки се паркират извън велоалеите.".into(),
            },
        ],
    }
}

async fn comments_in_db(fx: &Fixture) -> i64 {
    fx.app
        .count("SELECT COUNT(*) FROM participation_consultation_comments")
        .await
}

#[tokio::test]
async fn people_comment_on_a_draft_and_see_the_published_answers_on_the_pages() {
    let fx = fixture().await;
    consultations::open(&fx.ctx, &admin_of(&fx.sofia), &draft(&fx, "lanes"))
        .await
        .unwrap();

    // Anybody finds it from the participation page and reads its sections; signing in comes first.
    let visitor = fx.app.client();
    let list = visitor.get("/participation").await;
    assert_eq!(
        list.attr("#consultations a", "href").as_deref(),
        Some("/participation/consultations/lanes")
    );
    let page = visitor.get("/participation/consultations/lanes").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts("#consultation-title"),
        vec!["Проект на Наредба за велоалеите"]
    );
    assert_eq!(page.texts(".draft-section h3").len(), 2);
    assert!(page.body.contains("sign-in-to-comment"));
    assert!(!page.body.contains("consultation-comment-form"));

    let (citizen, egn) = fx.app.register("commenter@example.bg").await;
    citizen.get("/participation/consultations/lanes").await;
    // Bad input: the reason, and nothing saved.
    let empty = citizen
        .post_form(
            "/participation/consultations/lanes/comments",
            &[("section", "whole"), ("body", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("Напишете коментар до 5000 знака."));
    let no_section = citizen
        .post_form(
            "/participation/consultations/lanes/comments",
            &[("section", "9"), ("body", "Нещо")],
        )
        .await;
    assert!(no_section
        .body
        .contains("Изберете целия проект или един от разделите му."));
    let forged = citizen
        .post_raw(
            "/participation/consultations/lanes/comments",
            &[("section", "2"), ("body", "Без токен")],
        )
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    assert_eq!(comments_in_db(&fx).await, 0);

    let sent = citizen
        .post_form(
            "/participation/consultations/lanes/comments",
            &[
                ("section", "2"),
                ("body", "Повече места за <b>тротинетки</b>"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let mine = citizen.get(sent.location()).await;
    assert_eq!(
        mine.texts("#own-comment-list p"),
        vec!["Повече места за <b>тротинетки</b>"]
    );
    assert!(!mine.body.contains("<b>тротинетки"), "escaped");
    assert!(mine.texts("#own-comment-list .caption")[0].starts_with("2. Паркиране"));
    citizen
        .post_form(
            "/participation/consultations/lanes/comments",
            &[
                ("section", "whole"),
                ("body", "Кой ще следи за спазването?"),
            ],
        )
        .await;
    // Before publication nobody else sees the comments.
    let other = visitor.get("/participation/consultations/lanes").await;
    assert!(!other.body.contains("тротинетки"));
    assert!(other.texts("#answers li").is_empty());

    // Only Sofia's administration has the answering page; before the deadline it cannot answer.
    assert_eq!(
        citizen
            .get("/participation/consultations/lanes/admin")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let platform = crate::cases::staff(&fx.app, "platform@portico.demo").await;
    assert_eq!(
        platform
            .get("/participation/consultations/lanes/admin")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    let list = admin.get("/participation/admin").await;
    assert_eq!(
        list.attr("#admin-consultations a", "href").as_deref(),
        Some("/participation/consultations/lanes/admin")
    );
    let answering = admin.get("/participation/consultations/lanes/admin").await;
    assert_eq!(answering.status, StatusCode::OK, "{}", answering.body);
    assert_eq!(answering.texts(".answer .comment-body").len(), 2);
    assert!(answering.body.contains("answer-later"));
    assert!(!answering.body.contains("answer-form"));
    let first_id = consultations::comments(&fx.ctx, Some(&admin_of(&fx.sofia)), "lanes")
        .await
        .unwrap()[0]
        .id
        .clone();
    let early = admin
        .post_form(
            &format!("/participation/consultations/comments/{first_id}/answer"),
            &[
                ("consultation", "lanes"),
                ("answer", "accepted"),
                ("reason", "Рано"),
            ],
        )
        .await;
    assert!(early
        .body
        .contains("На коментарите се отговаря само след срока и преди публикуването."));

    // After the deadline (a day later, so everybody signs in again): no more comments; the
    // administration answers and publishes.
    fx.app.advance(DAY / 1000 + 1);
    let (citizen, _) = fx.app.register("late@example.bg").await;
    citizen.get("/participation/consultations/lanes").await;
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    let late = citizen
        .post_form(
            "/participation/consultations/lanes/comments",
            &[("section", "whole"), ("body", "Късно")],
        )
        .await;
    assert!(late.body.contains("Тази консултация не приема коментари."));
    assert_eq!(comments_in_db(&fx).await, 2);
    let answering = admin.get("/participation/consultations/lanes/admin").await;
    assert_eq!(answering.texts(".answer-form").len(), 2);
    let unanswered = admin
        .post_form(
            "/participation/consultations/lanes/publish",
            &[("report", "Справка")],
        )
        .await;
    assert!(unanswered
        .body
        .contains("Отговорете на всеки коментар преди публикуването."));
    let all = consultations::comments(&fx.ctx, Some(&admin_of(&fx.sofia)), "lanes")
        .await
        .unwrap();
    let no_reason = admin
        .post_form(
            &format!("/participation/consultations/comments/{}/answer", all[0].id),
            &[
                ("consultation", "lanes"),
                ("answer", "accepted"),
                ("reason", ""),
            ],
        )
        .await;
    assert!(no_reason
        .body
        .contains("Отговорът трябва да има мотиви, които се публикуват."));
    for (c, answer, reason) in [
        (&all[0], "partly_accepted", "Ще добавим места край метрото."),
        (
            &all[1],
            "not_accepted",
            "Контролът е уреден в друга наредба.",
        ),
    ] {
        let done = admin
            .post_form(
                &format!("/participation/consultations/comments/{}/answer", c.id),
                &[
                    ("consultation", "lanes"),
                    ("answer", answer),
                    ("reason", reason),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    let published = admin
        .post_form(
            "/participation/consultations/lanes/publish",
            &[(
                "report",
                "Получени са два коментара; единият е отразен частично.",
            )],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );

    // Everybody sees every comment with its answer and the report, and no author.
    let public = visitor.get("/participation/consultations/lanes").await;
    assert_eq!(
        public.texts("#report p"),
        vec!["Получени са два коментара; единият е отразен частично."]
    );
    assert_eq!(
        public.texts("#answers .comment-body"),
        vec![
            "Повече места за <b>тротинетки</b>",
            "Кой ще следи за спазването?"
        ]
    );
    assert_eq!(
        public.texts("#answers .tag"),
        vec!["Приема се частично", "Не се приема"]
    );
    assert_eq!(
        public.texts("#answers .answer-reason"),
        vec![
            "Ще добавим места край метрото.",
            "Контролът е уреден в друга наредба."
        ]
    );
    assert!(!public.body.contains("commenter@example.bg"));
    assert!(!public.body.contains(&egn));
    // Published is final: no more answers.
    let again = admin
        .post_form(
            &format!("/participation/consultations/comments/{}/answer", all[0].id),
            &[
                ("consultation", "lanes"),
                ("answer", "accepted"),
                ("reason", "Промяна"),
            ],
        )
        .await;
    assert!(again.body.contains("error-summary"));
    let public = visitor.get("/participation/consultations/lanes").await;
    assert_eq!(public.texts("#answers .tag")[0], "Приема се частично");
    // In English too.
    visitor
        .get("/lang?to=en&back=/participation/consultations/lanes")
        .await;
    let english = visitor.get("/participation/consultations/lanes").await;
    assert!(english.body.contains("Partly accepted"));
    assert!(english.body.contains("Draft ordinance on cycle lanes"));
}

#[tokio::test]
async fn the_api_opens_takes_comments_answers_and_publishes_a_consultation() {
    let fx = fixture().await;
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    let mut body = serde_json::to_value(serde_json::json!({
        "administration_id": fx.sofia,
        "slug": "lanes",
        "title_bg": "Проект на Наредба за велоалеите",
        "title_en": "Draft ordinance on cycle lanes",
        "summary": "Общината пита.",
        "opens_at": now_ms(&fx.app) - DAY,
        "closes_at": now_ms(&fx.app) - 2 * DAY,
        "sections": [{ "heading": "Обхват", "body": "Всички велоалеи." }],
    }))
    .unwrap();
    // Bad input is refused with its code and changes nothing.
    let bad = admin
        .post_json("/api/v1/participation/consultations", &body)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["code"], "consultation_dates_invalid");
    body["closes_at"] = serde_json::json!(now_ms(&fx.app) + DAY);
    body["sections"] = serde_json::json!([]);
    let bad = admin
        .post_json("/api/v1/participation/consultations", &body)
        .await;
    assert_eq!(bad.json()["error"]["code"], "consultation_sections_invalid");
    assert_eq!(
        fx.app
            .count("SELECT COUNT(*) FROM participation_consultations")
            .await,
        0
    );
    body["sections"] = serde_json::json!([
        { "heading": "Обхват", "body": "Всички велоалеи." },
        { "heading": "Паркиране", "body": "Извън велоалеите." }
    ]);
    // A citizen may not open one.
    let (citizen, _) = fx.app.register("api-commenter@example.bg").await;
    let refused = citizen
        .post_json("/api/v1/participation/consultations", &body)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let made = admin
        .post_json("/api/v1/participation/consultations", &body)
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let taken = admin
        .post_json("/api/v1/participation/consultations", &body)
        .await;
    assert_eq!(taken.json()["error"]["code"], "slug_taken");

    let got = fx
        .app
        .client()
        .get("/api/v1/participation/consultations/lanes")
        .await
        .json();
    assert_eq!(got["consultation"]["phase"], "open");
    assert_eq!(got["consultation"]["sections"][1]["number"], 2);

    // Comments: on a section, on the whole; a section that is not there is refused.
    let url = format!("/api/v1/participation/consultations/{id}/comments");
    let wrong = citizen
        .post_json(&url, &serde_json::json!({ "section": 7, "body": "Х" }))
        .await;
    assert_eq!(wrong.json()["error"]["code"], "section_invalid");
    for (section, text) in [(Some(2), "Повече места"), (None, "Добър проект")]
    {
        let c = citizen
            .post_json(
                &url,
                &serde_json::json!({ "section": section, "body": text }),
            )
            .await;
        assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    }
    let anonymous = fx
        .app
        .client()
        .post_json(&url, &serde_json::json!({ "body": "Анонимно" }))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    // Before publication: nothing public, the citizen cannot list them, the administration can.
    let got = fx
        .app
        .client()
        .get(&format!("/api/v1/participation/consultations/{id}"))
        .await
        .json();
    assert_eq!(got["comments"].as_array().unwrap().len(), 0);
    assert_eq!(got["consultation"]["comments"], 2);
    assert_eq!(citizen.get(&url).await.status, StatusCode::CONFLICT);
    let listed = admin.get(&url).await.json();
    let items = listed["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["section"], 2);
    assert!(items[1]["section"].is_null());

    fx.app.advance(DAY / 1000 + 1);
    let (citizen, _) = fx.app.register("api-late@example.bg").await;
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    let late = citizen
        .post_json(&url, &serde_json::json!({ "body": "Късно" }))
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.json()["error"]["code"], "consultation_closed");
    let answer = |n: usize| {
        format!(
            "/api/v1/participation/consultations/comments/{}/answer",
            items[n]["id"].as_str().unwrap()
        )
    };
    let not_theirs = citizen
        .post_json(
            &answer(0),
            &serde_json::json!({ "answer": "accepted", "reason": "Да" }),
        )
        .await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);
    let ok = admin
        .post_json(
            &answer(0),
            &serde_json::json!({ "answer": "accepted", "reason": "Добавяме места." }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["answer"], "accepted");
    let report = format!("/api/v1/participation/consultations/{id}/report");
    let early = admin
        .post_json(&report, &serde_json::json!({ "report": "Справка" }))
        .await;
    assert_eq!(early.json()["error"]["code"], "comments_unanswered");
    admin
        .post_json(
            &answer(1),
            &serde_json::json!({ "answer": "not_accepted", "reason": "Общо мнение." }),
        )
        .await;
    let done = admin
        .post_json(
            &report,
            &serde_json::json!({ "report": "Справка за коментарите." }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["phase"], "published");

    let public = fx
        .app
        .client()
        .get(&format!("/api/v1/participation/consultations/{id}"))
        .await;
    let v = public.json();
    assert_eq!(v["consultation"]["report"], "Справка за коментарите.");
    let answers: Vec<&str> = v["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["answer"].as_str().unwrap())
        .collect();
    assert_eq!(answers, vec!["accepted", "not_accepted"]);
    assert!(!public.body.contains("api-commenter"));
    assert!(!public.body.contains("author"));
    assert_eq!(citizen.get(&url).await.status, StatusCode::OK);
    // The three actions are in the audit log.
    assert_eq!(
        fx.app
            .count(
                "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'participation.consultation_%'"
            )
            .await,
        4
    );
}
