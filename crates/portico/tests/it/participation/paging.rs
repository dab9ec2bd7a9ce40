//! Keyset paging of the proposals: following the "next" links (plain links, no script) from the
//! first page, or the "previous" links back from the last, shows every proposal exactly once and
//! in order, with a status filter too, on the public list, the administration's review list and
//! the API; a cursor that is not a proposal number shows the first page (pages) or is refused
//! with `cursor_invalid` (API), never a server error.

use super::ballots::{admin_of, fixture, Fixture};
use super::*;
use crate::support::Client;

/// A process of Sofia taking proposals, with `n` of them; every third is found not feasible.
async fn many(fx: &Fixture, n: i64) -> (String, Vec<i64>) {
    let mut new = green(&fx.app, "green");
    new.administration_id = fx.sofia.clone();
    let admin = admin_of(&fx.sofia);
    let id = processes::open(&fx.ctx, &admin, &new).await.unwrap();
    let mut not_feasible = Vec::new();
    for k in 1..=n {
        let p = proposals::submit(
            &fx.ctx,
            &citizen("author"),
            &id,
            &idea(&format!("Идея {k}"), 100),
        )
        .await
        .unwrap();
        if k % 3 == 0 {
            proposals::review(
                &fx.ctx,
                &admin,
                &p,
                &Review {
                    status: ProposalStatus::NotFeasible,
                    reason: "Извън правомощията на общината.".into(),
                    merged_into: None,
                },
            )
            .await
            .unwrap();
            not_feasible.push(k);
        }
    }
    (id, not_feasible)
}

/// The numbers on a page of the public list or of the review list.
fn numbers(page: &crate::support::Page) -> Vec<i64> {
    let cells = page.texts("#proposals tbody tr td:first-child");
    let cells = if cells.is_empty() {
        page.texts(".review h2")
            .iter()
            .map(|h| h.split('.').next().unwrap_or_default().to_owned())
            .collect()
    } else {
        cells
    };
    cells.iter().map(|c| c.trim().parse().unwrap()).collect()
}

/// Follows the `rel` links ("next" or "prev") from `start`, gathering every page's numbers in
/// the order read; the pages are put back in list order when going back.
async fn follow(client: &Client, start: &str, rel: &str) -> Vec<i64> {
    let mut pages = Vec::new();
    let mut at = start.to_owned();
    for _ in 0..100 {
        let page = client.get(&at).await;
        assert_eq!(page.status, StatusCode::OK, "{at}: {}", page.body);
        pages.push(numbers(&page));
        match page.attr(&format!("a[rel={rel}]"), "href") {
            Some(href) => at = href.replace("&amp;", "&"),
            None => break,
        }
    }
    if rel == "prev" {
        pages.reverse();
    }
    pages.into_iter().flatten().collect()
}

/// The link of the last page, reached by following "next".
async fn last_page(client: &Client, start: &str) -> String {
    let mut at = start.to_owned();
    while let Some(href) = client.get(&at).await.attr("a[rel=next]", "href") {
        at = href;
    }
    at
}

#[tokio::test]
async fn following_the_links_shows_every_proposal_once_and_in_order() {
    let fx = fixture().await;
    let (_, not_feasible) = many(&fx, 47).await;
    let everyone: Vec<i64> = (1..=47).collect();
    let anybody = fx.app.client();
    let start = "/participation/green/proposals";
    let first = anybody.get(start).await;
    assert_eq!(numbers(&first), (1..=20).collect::<Vec<_>>());
    assert_eq!(first.attr("a[rel=prev]", "href"), None);
    assert_eq!(
        first.texts("#proposal-count"),
        vec!["Показани 20 / 47 (№ 1–20)"]
    );
    assert_eq!(follow(&anybody, start, "next").await, everyone);
    let last = last_page(&anybody, start).await;
    assert_eq!(
        numbers(&anybody.get(&last).await),
        (41..=47).collect::<Vec<_>>()
    );
    assert_eq!(follow(&anybody, &last, "prev").await, everyone);

    // The status filter stays in the links.
    let filtered = "/participation/green/proposals?status=not_feasible";
    assert_eq!(follow(&anybody, filtered, "next").await, not_feasible);
    let submitted: Vec<i64> = everyone
        .iter()
        .copied()
        .filter(|k| !not_feasible.contains(k))
        .collect();
    assert!(submitted.len() > 20);
    assert_eq!(
        follow(
            &anybody,
            "/participation/green/proposals?status=submitted",
            "next"
        )
        .await,
        submitted
    );

    // The administration's review list pages the proposals awaiting review the same way.
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    assert_eq!(
        follow(&admin, "/participation/green/admin", "next").await,
        submitted
    );
    let last = last_page(&admin, "/participation/green/admin").await;
    assert_eq!(follow(&admin, &last, "prev").await, submitted);
}

#[tokio::test]
async fn the_api_pages_with_cursors_both_ways() {
    let fx = fixture().await;
    let (id, _) = many(&fx, 25).await;
    let anybody = fx.app.client();
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/participation/processes/{id}/proposals?limit=10");
    let mut last_cursor = None;
    for _ in 0..10 {
        let page = anybody.get(&path).await.json();
        assert_eq!(page["total"], 25);
        for p in page["items"].as_array().unwrap() {
            seen.push(p["number"].as_i64().unwrap());
        }
        match page["next_after"].as_i64() {
            Some(after) => {
                path = format!(
                    "/api/v1/participation/processes/{id}/proposals?limit=10&after={after}"
                );
                last_cursor = Some(after);
            }
            None => break,
        }
    }
    assert_eq!(seen, (1..=25).collect::<Vec<_>>());
    assert_eq!(last_cursor, Some(20));
    let last = anybody
        .get(&format!(
            "/api/v1/participation/processes/{id}/proposals?limit=10&after=20"
        ))
        .await
        .json();
    assert_eq!(last["items"][0]["title"], "Идея 21");
    assert_eq!(last["next_after"], serde_json::Value::Null);
    assert_eq!(last["previous_before"], 21);
    // Back from 21: 11–20, then the first page (full, not a short one).
    let back = anybody
        .get(&format!(
            "/api/v1/participation/processes/{id}/proposals?limit=10&before=21"
        ))
        .await
        .json();
    let numbers: Vec<i64> = back["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, (11..=20).collect::<Vec<_>>());
    assert_eq!(back["previous_before"], 11);
    assert_eq!(back["next_after"], 20);
    let start = anybody
        .get(&format!(
            "/api/v1/participation/processes/{id}/proposals?limit=10&before=5"
        ))
        .await
        .json();
    assert_eq!(start["items"].as_array().unwrap().len(), 10);
    assert_eq!(start["items"][0]["number"], 1);
    assert_eq!(start["previous_before"], serde_json::Value::Null);
}

#[tokio::test]
async fn bad_cursors_show_the_first_page_or_a_clear_error_never_a_server_error() {
    let fx = fixture().await;
    let (id, _) = many(&fx, 25).await;
    let anybody = fx.app.client();
    let first: Vec<i64> = (1..=20).collect();
    for query in [
        "after=abc",
        "before=xyz",
        "after=-3",
        "after=1&before=5",
        "after=99999999999999999999999",
        "after=",
        "offset=20",
    ] {
        let page = anybody
            .get(&format!("/participation/green/proposals?{query}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(numbers(&page), first, "{query}");
        let admin_page = crate::cases::staff(&fx.app, "admin@sofia.portico.demo")
            .await
            .get(&format!("/participation/green/admin?{query}"))
            .await;
        assert_eq!(admin_page.status, StatusCode::OK, "{query}");
    }
    // Past the end: nothing to show, and the way back to the last page.
    let past = anybody
        .get("/participation/green/proposals?after=1000")
        .await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(numbers(&past).is_empty());
    let back = past.attr("a[rel=prev]", "href").unwrap();
    assert_eq!(
        numbers(&anybody.get(&back).await),
        (6..=25).collect::<Vec<_>>()
    );

    for query in ["after=abc", "before=-1", "after=1&before=5", "offset=20"] {
        let answer = anybody
            .get(&format!(
                "/api/v1/participation/processes/{id}/proposals?{query}"
            ))
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(answer.json()["error"]["code"], "cursor_invalid", "{query}");
    }
    // The API's message (in English) says what is wrong with the link.
    let answer = anybody
        .get(&format!(
            "/api/v1/participation/processes/{id}/proposals?after=abc"
        ))
        .await;
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid"),
        "{}",
        answer.body
    );
}
