//! Search that understands people (issue 15, item 4), measured: every query of the relevance set
//! (`crates/catalog/search/relevance.json`: colloquial words, other word forms, typos, Bulgarian
//! typed in Latin letters, English) asked through the JSON API of a server with the demo
//! catalog; the share that finds its service among the first three is printed, by kind, and
//! must stay at or above the threshold (set just under the measured value).

use crate::catalog::seeded;
use reqwest::StatusCode;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Measured 99.6% (262 of 263) on both databases when the set was made; a change that loses
/// more than two queries fails.
const THRESHOLD: f64 = 0.985;

#[derive(Deserialize)]
struct Set {
    queries: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    query: String,
    expect: Vec<String>,
    kind: String,
}

// The issue asks for the hit rate printed in the suite's output.
#[allow(clippy::print_stdout)]
#[tokio::test]
async fn the_relevance_set_finds_its_services_in_the_top_three() {
    let set: Set =
        serde_json::from_str(include_str!("../../../catalog/search/relevance.json")).unwrap();
    assert!(set.queries.len() >= 150, "at least 150 queries");
    let app = seeded().await;
    let c = app.client();
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for case in &set.queries {
        let q: String = url::form_urlencoded::byte_serialize(case.query.as_bytes()).collect();
        let answer = c.get(&format!("/api/v1/services?q={q}&limit=3")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", case.query);
        let body = answer.json();
        let top: Vec<String> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["slug"].as_str().map(str::to_owned))
            .collect();
        let hit = top.iter().any(|s| case.expect.contains(s));
        let entry = by_kind.entry(case.kind.as_str()).or_default();
        entry.1 += 1;
        if hit {
            entry.0 += 1;
        } else {
            misses.push(format!(
                "{:?} → {top:?} (want {:?})",
                case.query, case.expect
            ));
        }
    }
    let found: usize = by_kind.values().map(|(f, _)| f).sum();
    let share = found as f64 / set.queries.len() as f64;
    println!(
        "search relevance: {found} of {} queries find their service in the top 3 ({:.1}%)",
        set.queries.len(),
        share * 100.0
    );
    for (kind, (f, n)) in &by_kind {
        println!("  {kind}: {f}/{n}");
    }
    for miss in &misses {
        println!("  miss: {miss}");
    }
    assert!(
        share >= THRESHOLD,
        "{:.1}% is under the threshold of {:.1}%",
        share * 100.0,
        THRESHOLD * 100.0
    );
}
