//! The follow-up of funded projects: once voting has closed Sofia's administration publishes
//! updates of each funded project (status, spent, a note) on its page and through the API; the
//! latest shows on the results page and every one on the project's page; a project the count
//! did not fund, an update before the close and one without a note are refused; nobody else
//! can publish one.

use super::ballots::fixture;
use super::*;

#[tokio::test]
async fn the_administration_follows_up_the_funded_projects_and_everybody_sees_it() {
    let fx = fixture().await;
    // Three feasible projects of 400 000, 300 000 and 500 000 within 1 000 000; two ballots
    // (written as the ballots table holds them) give the first two votes, the third none:
    // the first two are funded, the third is not.
    let (id, p) = fx.voting(|_| {}).await;
    for (hash, choices) in [("a1", vec![&p[0], &p[1]]), ("b2", vec![&p[1]])] {
        sqlx::query(
            "INSERT INTO participation_ballots (receipt_hash, process_id, choices) VALUES ($1, $2, $3)",
        )
        .bind(hash)
        .bind(&id)
        .bind(serde_json::to_string(&choices).unwrap())
        .execute(fx.app.db.pool())
        .await
        .unwrap();
    }
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    let url = |n: usize| format!("/api/v1/participation/proposals/{}/updates", p[n]);
    let update =
        serde_json::json!({ "status": "in_progress", "spent_minor": 0, "note": "Проектиране." });
    let early = admin.post_json(&url(0), &update).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.json()["error"]["code"], "follow_up_not_yet");
    let page = admin.get("/participation/green/admin").await;
    assert!(!page.body.contains("implementation-form"));

    // A day later everybody signs in again.
    fx.app.advance(DAY / 1000 + 1);
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    let not_funded = admin.post_json(&url(2), &update).await;
    assert_eq!(not_funded.json()["error"]["code"], "not_funded");
    let no_note = admin
        .post_json(
            &url(0),
            &serde_json::json!({ "status": "in_progress", "spent_minor": 0, "note": " " }),
        )
        .await;
    assert_eq!(no_note.json()["error"]["code"], "update_note_missing");
    let (citizen, _) = fx.app.register("follower@example.bg").await;
    assert_eq!(
        citizen.post_json(&url(0), &update).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fx.app
            .count("SELECT COUNT(*) FROM participation_project_updates")
            .await,
        0
    );
    let made = admin.post_json(&url(0), &update).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);

    // On the administration's page: only the funded two have a form; a bad amount is refused.
    let page = admin.get("/participation/green/admin").await;
    assert_eq!(page.texts(".implementation-form").len(), 2);
    let bad = admin
        .post_form(
            &format!("/participation/proposals/{}/implementation", p[1]),
            &[
                ("status", "completed"),
                ("spent", "много"),
                ("note", "Готово."),
            ],
        )
        .await;
    assert!(bad
        .body
        .contains("Изразходваната сума трябва да е цяло число, нула или повече."));
    let done = admin
        .post_form(
            &format!("/participation/proposals/{}/implementation", p[1]),
            &[
                ("status", "completed"),
                ("spent", "290 000"),
                ("note", "Засадени са 120 дървета."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(admin
        .get(done.location())
        .await
        .body
        .contains("Отчетът е публикуван."));
    let later = admin
        .post_form(
            &format!("/participation/proposals/{}/implementation", p[0]),
            &[
                ("status", "in_progress"),
                ("spent", "100000"),
                ("note", "Започна строителството."),
            ],
        )
        .await;
    assert_eq!(later.status, StatusCode::SEE_OTHER, "{}", later.body);

    // Everybody sees the latest on the results page, every update on the project's page.
    let visitor = fx.app.client();
    let results = visitor.get("/participation/green/results").await;
    assert_eq!(results.texts("#follow-up .funded-project").len(), 2);
    let mut rows: Vec<String> = results.texts("#follow-up .update-note");
    rows.sort();
    assert_eq!(
        rows,
        vec!["Започна строителството.", "Засадени са 120 дървета."]
    );
    let mut states = results.texts("#follow-up .implementation");
    states.sort();
    assert_eq!(states, vec!["В изпълнение", "Завършен"]);
    assert!(results
        .body
        .contains("290\u{a0}000\u{a0}BGN / 300\u{a0}000\u{a0}BGN"));
    let project = visitor
        .get(&format!("/participation/proposals/{}", p[0]))
        .await;
    assert_eq!(
        project.texts("#implementation .update-note"),
        vec!["Проектиране.", "Започна строителството."]
    );
    let listed = visitor.get(&url(0)).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert_eq!(listed["items"][1]["spent_minor"], 10_000_000);
}
