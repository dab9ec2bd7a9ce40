//! An adopted template's address list is the adopter's own: Chelopech's address registration
//! (the same template as Sofia's) offers Chelopech's streets, takes only them, and its case goes
//! to Chelopech's unit; Sofia's still offers Sofia's.

use crate::cases::{citizen, seeded, submit};
use reqwest::StatusCode;

#[tokio::test]
async fn chelopechs_address_registration_offers_chelopechs_streets() {
    let app = seeded().await;
    let (client, _, secret) = citizen(&app, "chelopech@example.bg").await;
    let start = client
        .get("/services/address-registration-chelopech/apply")
        .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let id = start.location().split('/').nth(2).unwrap().to_owned();
    client.get(&format!("/applications/{id}/step/0")).await;
    client
        .post_form(
            &format!("/applications/{id}/step/0"),
            &[("include_children", "no")],
        )
        .await;
    let step = client.get(&format!("/applications/{id}/step/1")).await;
    let offered = step.texts("select#address option");
    assert!(
        offered.iter().any(|o| o == "ул. Първи май 1, Челопеч"),
        "{offered:?}"
    );
    assert!(
        !offered.iter().any(|o| o.contains("София")),
        "Sofia's streets are offered in Chelopech: {offered:?}"
    );

    // A Sofia address is not one of Chelopech's: refused, nothing stored.
    let refused = client
        .post_form(
            &format!("/applications/{id}/step/1"),
            &[
                ("address_kind", "permanent"),
                ("address", "sof-0001"),
                ("owns_home", "yes"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    // One of Chelopech's is taken, and the case reaches Chelopech's unit.
    let taken = client
        .post_form(
            &format!("/applications/{id}/step/1"),
            &[
                ("address_kind", "permanent"),
                ("address", "chp-0002"),
                ("owns_home", "yes"),
            ],
        )
        .await;
    assert_eq!(
        taken.location(),
        format!("/applications/{id}/step/2"),
        "{}",
        taken.body
    );
    client.get(&format!("/applications/{id}/step/2")).await;
    client
        .post_form(&format!("/applications/{id}/step/2"), &[])
        .await;
    let review = client.get(&format!("/applications/{id}/review")).await;
    assert!(
        review.body.contains("ул. Васил Левски 12, Челопеч"),
        "{}",
        review.body
    );
    let done = submit(&app, &client, &id, &secret).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (unit,): (String,) = sqlx::query_as(
        "SELECT u.code FROM applications a JOIN units u ON u.id = a.unit_id WHERE a.id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(unit, "cao");

    // Sofia's adoption of the same template keeps Sofia's list.
    let (sofia, _, _) = citizen(&app, "sofia-list@example.bg").await;
    let start = sofia
        .get("/services/address-registration-sofia/apply")
        .await;
    let sid = start.location().split('/').nth(2).unwrap().to_owned();
    sofia.get(&format!("/applications/{sid}/step/0")).await;
    sofia
        .post_form(
            &format!("/applications/{sid}/step/0"),
            &[("include_children", "no")],
        )
        .await;
    let offered = sofia
        .get(&format!("/applications/{sid}/step/1"))
        .await
        .texts("select#address option");
    assert!(
        offered.iter().any(|o| o == "ул. Шипка 6, София"),
        "{offered:?}"
    );
    assert!(
        !offered.iter().any(|o| o.contains("Челопеч")),
        "{offered:?}"
    );
}

/// The services a results page lists, by their addresses, in order.
fn listed(page: &crate::support::Page) -> Vec<String> {
    let html = page.html();
    let sel = scraper::Selector::parse("main a[href^='/services/']").unwrap();
    html.select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| !h.contains('?'))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn equally_good_matches_prefer_the_larger_municipality_not_the_slug() {
    let app = seeded().await;
    // Anyone: Sofia's address registration (1.27 million people) before Chelopech's (1,500),
    // although "chelopech" sorts before "sofia".
    let anyone = app.client();
    let found = listed(&anyone.get("/services?q=адресна+регистрация").await);
    let sofia = found
        .iter()
        .position(|h| h == "/services/address-registration-sofia");
    let chelopech = found
        .iter()
        .position(|h| h == "/services/address-registration-chelopech");
    assert!(
        sofia.is_some() && chelopech.is_some() && sofia < chelopech,
        "{found:?}"
    );
    // (That a person's own administrations come first among ties is tested beside the index,
    // `search::index::tests`: no demo account works for Chelopech.)
}
