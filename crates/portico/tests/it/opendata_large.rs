//! Large CSV files for the datastore, over the real server: a file over the 20 MB request limit
//! posted to CKAN's `resource_create` and on the publisher's page is streamed to the blob
//! store, checked as it comes and loaded by a job in steps, while the resource's page shows how
//! far it has got; its rows are then queryable through `datastore_search`. A bad row deep in
//! such a file is refused with its line and nothing is kept. And `q` on a table loaded before
//! the word index existed makes the index instead of scanning.

use crate::opendata::{action, client_token, two_administrations, SOFIA_EIK};
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Rows of the large file: about 150 bytes each, so the file is over 20 MB.
const ROWS: usize = 150_000;

/// A CSV of `rows` rows (`n`, `district`, `value`, `note`), with row `bad` (a data row's
/// number, from 1) given one field too many.
fn big_csv(rows: usize, bad: Option<usize>) -> Vec<u8> {
    csv_of(rows, bad, &[])
}

/// As [`big_csv`], its first rows those of `tricky` (some of several lines).
fn csv_of(rows: usize, bad: Option<usize>, tricky: &[Tricky]) -> Vec<u8> {
    let mut out = String::from("n,district,value,note\n");
    for i in 1..=rows {
        if let Some(line) = tricky.iter().find(|t| t.0 == i).map(|t| t.1) {
            out.push_str(line);
            continue;
        }
        let extra = if Some(i) == bad {
            ",излишно"
        } else {
            ""
        };
        out.push_str(&format!(
            "{i},Район {},{}.5,Ред {i} от голям файл с данни за районите на София и техните жители{extra}\n",
            i % 24,
            i % 1000
        ));
    }
    assert!(out.len() > 20 * 1024 * 1024, "{} bytes", out.len());
    out.into_bytes()
}

type Tricky = (
    usize,
    &'static str,
    (&'static str, Option<f64>, &'static str),
);

/// The first rows of the large CSV of the first test: values that PostgreSQL's `COPY` would read otherwise unless
/// they are escaped (a tab, a backslash, a newline, a carriage return, `\N`, `\.`), quotes,
/// empty numbers (NULL) and empty texts (not NULL), each with what the datastore must answer
/// for `district`, `value` and `note`.
const TRICKY: &[Tricky] = &[
    (
        1,
        "1,\"Таб\tи\\\\наклонена\",1.5,\"Казва \"\"здравей\"\"\"\n",
        ("Таб\tи\\\\наклонена", Some(1.5), "Казва \"здравей\""),
    ),
    (2, "2,\"ред\nнов\",,\n", ("ред\nнов", None, "")),
    (3, "3,\\N,  -0.25 ,NULL\n", ("\\N", Some(-0.25), "NULL")),
    (4, "4,\\.,1e3,\"a\r\nb\"\n", ("\\.", Some(1000.0), "a\r\nb")),
    (5, "5,\"\\\\t, \\n\",,\"\t\"\n", ("\\\\t, \\n", None, "")),
];

async fn dataset(app: &TestApp, token: &str, name: &str) -> String {
    let (s, d) = action(
        app,
        Some(token),
        "package_create",
        json!({
            "name": name, "title": "Голям файл", "title_en": "A large file",
            "owner_org": SOFIA_EIK, "license_id": "cc-by-4.0", "state": "active",
        }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["result"]["id"].as_str().unwrap().to_owned()
}

async fn post_upload(
    app: &TestApp,
    token: &str,
    package: &str,
    file: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("package_id", package.to_owned())
        .text("name", "Жители по райони")
        .part(
            "upload",
            reqwest::multipart::Part::bytes(bytes).file_name(file.to_owned()),
        );
    let r = reqwest::Client::new()
        .post(format!("{}/api/3/action/resource_create", app.base))
        .header("Authorization", token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

/// Reads the resource's page until its load has ended; the states and texts it showed.
async fn watch_load(client: &crate::support::Client, path: &str) -> Vec<(String, String)> {
    let started = Instant::now();
    let mut seen: Vec<(String, String)> = Vec::new();
    loop {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let state = page.attr("#od-load", "data-state").expect("a load");
        let text = page.texts("#od-load-text").join(" ");
        if matches!(state.as_str(), "queued" | "loading") {
            // While it runs the page says it does not update by itself and offers both ways.
            assert!(page.attr("#od-load-refresh", "href").as_deref() == Some(path));
            assert!(page.attr("#od-load-progress", "max").is_some());
        }
        if seen.last().map(|(s, t)| (s.as_str(), t.as_str())) != Some((&state, &text)) {
            seen.push((state.clone(), text));
        }
        if matches!(state.as_str(), "done" | "failed") {
            return seen;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the load did not end: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn search(app: &TestApp, resource: &str, params: Value) -> Value {
    let mut body = params;
    body["resource_id"] = Value::String(resource.to_owned());
    let (s, d) = action(app, None, "datastore_search", body).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["result"].clone()
}

#[tokio::test]
async fn a_csv_over_20_mb_is_streamed_loaded_by_a_job_with_its_progress_shown_and_queryable() {
    let app = TestApp::start().await;
    let (sofia, _) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let package = dataset(&app, &token, "sofia-residents").await;
    let (s, created) = post_upload(
        &app,
        &token,
        &package,
        "residents.csv",
        csv_of(ROWS, None, TRICKY),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{created}");
    let r = &created["result"];
    let id = r["id"].as_str().unwrap().to_owned();
    assert_eq!(r["datastore_active"], false, "loaded by the job, not yet");
    assert!(r["size"].as_i64().unwrap() > 20 * 1024 * 1024);

    // The page (in Bulgarian, the default) shows the load from waiting to loaded, the rows
    // counted as they go in.
    let path = format!("/data/sofia-residents/resources/{id}");
    let seen = watch_load(&app.client(), &path).await;
    assert_eq!(seen[0].0, "queued", "{seen:?}");
    assert!(seen[0].1.contains(&ROWS.to_string()), "{seen:?}");
    assert!(
        seen.iter().any(|(s, t)| s == "loading"
            && t.contains(&format!(" от {ROWS} реда досега"))
            && !t.starts_with("Заредени са 0 ")),
        "the rows of the first step are shown: {seen:?}"
    );
    let (last, text) = seen.last().unwrap();
    assert_eq!(last, "done", "{seen:?}");
    assert!(text.contains(&ROWS.to_string()), "{text}");
    // Watching a finished load does not refresh.
    let done = app.client().get(&format!("{path}?watch=1")).await;
    assert!(done.headers.get("refresh").is_none());

    // Every row is there, with its columns' types, and filters and q find them.
    let all = search(&app, &id, json!({ "limit": 1 })).await;
    assert_eq!(all["total"], ROWS as i64);
    let types: Vec<(String, String)> = all["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().into(),
                f["type"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("_id", "int"),
            ("n", "int"),
            ("district", "text"),
            ("value", "float"),
            ("note", "text")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    // The datastore answers each value exactly as the file has it (on PostgreSQL the rows went
    // in by `COPY`, so this is its escaping).
    for (n, _, (district, value, note)) in TRICKY {
        let row = search(&app, &id, json!({ "filters": { "n": n } })).await;
        assert_eq!(row["total"], 1, "{row}");
        let r = &row["records"][0];
        assert_eq!(
            (&r["district"], &r["value"], &r["note"]),
            (&json!(district), &json!(value), &json!(note)),
            "row {n}"
        );
    }
    let one = search(&app, &id, json!({ "filters": { "n": 123_457 } })).await;
    assert_eq!(one["total"], 1);
    assert_eq!(one["records"][0]["district"], "Район 1");
    assert_eq!(one["records"][0]["value"], 457.5);
    let district = search(
        &app,
        &id,
        json!({ "filters": { "district": "Район 7" }, "limit": 0 }),
    )
    .await;
    assert_eq!(
        district["total"],
        (1..=ROWS).filter(|i| i % 24 == 7).count() as i64
    );
    let words = search(&app, &id, json!({ "q": "ред 149999", "fields": ["n"] })).await;
    assert_eq!(words["total"], 1);
    assert_eq!(words["records"][0]["n"], 149_999);
    let (_, shown) = action(&app, None, "resource_show", json!({ "id": id })).await;
    assert_eq!(shown["result"]["datastore_active"], true);
}

#[tokio::test]
async fn a_bad_row_deep_in_a_large_csv_is_refused_with_its_line_and_nothing_is_kept() {
    let app = TestApp::start().await;
    let (sofia, _) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let package = dataset(&app, &token, "sofia-broken").await;
    let (s, refused) = post_upload(
        &app,
        &token,
        &package,
        "residents.csv",
        big_csv(ROWS, Some(140_000)),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["__type"], "Validation Error");
    let message = refused["error"]["upload"][0].as_str().unwrap();
    // The header is line 1: data row 140,000 is line 140,001.
    assert_eq!(
        message,
        "Line 140001: this row does not have as many fields as the header."
    );
    // Not valid UTF-8 far into the file: the line too, in Bulgarian when asked.
    let mut latin1 = big_csv(ROWS, None);
    let at = latin1.len() - 100;
    latin1[at] = 0xE9;
    let form = reqwest::multipart::Form::new()
        .text("package_id", package.clone())
        .part(
            "upload",
            reqwest::multipart::Part::bytes(latin1).file_name("latin1.csv"),
        );
    let r = reqwest::Client::new()
        .post(format!("{}/api/3/action/resource_create", app.base))
        .header("Authorization", &token)
        .header("Accept-Language", "bg")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    let message = body["error"]["upload"][0].as_str().unwrap();
    assert!(
        message.starts_with(&format!("Ред {}:", ROWS + 1)),
        "{message}"
    );
    // Only a CSV, JSON or GeoJSON file may be over 20 MB.
    let mut xlsx_file = b"PK".to_vec();
    xlsx_file.extend(std::iter::repeat_n(b' ', 21 * 1024 * 1024));
    let (s, too_big) = post_upload(&app, &token, &package, "big.xlsx", xlsx_file).await;
    assert_eq!(s, StatusCode::CONFLICT, "{too_big}");
    assert!(too_big["error"]["upload"][0]
        .as_str()
        .unwrap()
        .contains("20 MB"));
    // Nothing was kept: no resource, no load, no table, no stored file.
    for sql in [
        "SELECT COUNT(*) FROM opendata_resources",
        "SELECT COUNT(*) FROM opendata_loads",
        "SELECT COUNT(*) FROM opendata_datastore_fields",
    ] {
        assert_eq!(app.count(sql).await, 0, "{sql}");
    }
    assert_eq!(
        files_in(std::path::Path::new(&app.config.blob_url)),
        0,
        "no file left in the blob store"
    );
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        files_in(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn a_publisher_uploads_a_large_csv_on_the_page_and_watches_it_load() {
    let app = TestApp::start().await;
    let (sofia, _) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    dataset(&app, &token, "sofia-big").await;
    let publisher = crate::catalog::staff(
        &app,
        "data@sofia.example.bg",
        SOFIA_EIK,
        portico_identity::Role::DataPublisher,
    )
    .await;
    publisher.get("/data/sofia-big/resources/new").await;
    let posted = publisher
        .post_file_with(
            "/data/sofia-big/resources/new",
            &[("name", "Голям файл")],
            "upload",
            "big.csv",
            "text/csv",
            big_csv(ROWS, None),
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let path = posted.location().to_owned();
    assert!(path.starts_with("/data/sofia-big/resources/"), "{path}");
    let first = publisher.get(&path).await;
    assert_eq!(first.texts("h1"), ["Голям файл"]);
    if first.attr("#od-load", "data-state").as_deref() != Some("done") {
        // Asked to, the page refreshes itself while the file loads, and says how to stop.
        let watched = publisher.get(&format!("{path}?watch=1")).await;
        let state = watched.attr("#od-load", "data-state").unwrap();
        if state != "done" {
            assert_eq!(watched.headers.get("refresh").unwrap(), "5");
            assert_eq!(
                watched.attr("#od-load-stop", "href").as_deref(),
                Some(path.as_str())
            );
        }
    }
    let seen = watch_load(&publisher, &path).await;
    assert_eq!(seen.last().unwrap().0, "done", "{seen:?}");
    // The dataset page links to it; a bad large file on the page names its line.
    let dataset = publisher.get("/data/sofia-big").await;
    assert_eq!(
        dataset.attr(".od-resource-link", "href").as_deref(),
        Some(path.as_str())
    );
    let broken = publisher
        .post_file_with(
            "/data/sofia-big/resources/new",
            &[("name", "Счупен")],
            "upload",
            "broken.csv",
            "text/csv",
            big_csv(ROWS, Some(100_000)),
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = broken.texts(".error-summary li a").join(" ");
    assert!(summary.contains("100001"), "{summary}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_resources").await,
        1
    );
}

#[tokio::test]
async fn q_on_a_table_loaded_before_the_word_index_makes_the_index_and_uses_it() {
    let app = TestApp::start().await;
    let (sofia, _) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let package = dataset(&app, &token, "sofia-old").await;
    let csv = "district,population\nСредец,31000\nТриадица,63000\nЛозенец,51000\n";
    let (s, created) = post_upload(&app, &token, &package, "old.csv", csv.into()).await;
    assert_eq!(s, StatusCode::OK, "{created}");
    let id = created["result"]["id"].as_str().unwrap().to_owned();
    let table = format!(
        "opendata_ds_{}",
        id.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    );
    // As a table loaded before the index: no index, and `_full` the row's text lower-cased.
    let undo = match app.db.backend() {
        portico_store::Backend::Sqlite => vec![format!("DROP TABLE {table}_fts")],
        portico_store::Backend::Postgres => vec![
            format!("DROP INDEX {table}_tsv"),
            format!("ALTER TABLE {table} DROP COLUMN _tsv"),
        ],
    };
    for sql in undo.into_iter().chain([
        format!("DELETE FROM opendata_datastore_words WHERE resource_id = '{id}'"),
        format!("UPDATE {table} SET _full = c0 || ' ' || CAST(c1 AS TEXT)"),
    ]) {
        sqlx::query(&sql).execute(app.db.pool()).await.unwrap();
    }
    // The first `q` makes the index; the words begin words, as on a table loaded now (LIKE
    // would have found "иадица" inside "Триадица").
    let found = search(&app, &id, json!({ "q": "триад" })).await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["records"][0]["district"], "Триадица");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM opendata_datastore_words WHERE resource_id = '{id}'"
        ))
        .await,
        1
    );
    let inside = search(&app, &id, json!({ "q": "иадица" })).await;
    assert_eq!(inside["total"], 0);
    let both = search(&app, &id, json!({ "q": "лозенец 51000" })).await;
    assert_eq!(both["total"], 1);
}

/// A CSV of `rows` rows of about 380 bytes (`n`, `district`, `note`): 60,000 of them are over
/// 20 MB and more than one step's 50,000 rows.
fn wide_csv(rows: usize) -> Vec<u8> {
    let note = "Бележка към реда дълга колкото да направи файла голям при малко редове. ".repeat(4);
    let mut out = String::from("n,district,note\n");
    for i in 1..=rows {
        out.push_str(&format!("{i},Район {},{note}{i}\n", i % 24));
    }
    assert!(out.len() > 20 * 1024 * 1024, "{} bytes", out.len());
    out.into_bytes()
}

/// The load-status API's answer for resource `id` (with a token, in a language).
async fn load_status(
    app: &TestApp,
    token: Option<&str>,
    lang: &str,
    id: &str,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .get(format!("{}/api/v1/opendata/resources/{id}/load", app.base))
        .header("Accept-Language", lang);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Waits until the load of `id` has failed, each time its job waits out the backoff after a
/// failed try moving the test clock to the next try (never while an attempt holds the job).
async fn until_failed(app: &TestApp, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (s, status) = load_status(app, None, "en", id).await;
        assert_eq!(s, StatusCode::OK, "{status}");
        assert_ne!(status["state"], "loaded", "{status}");
        if status["state"] == "failed" {
            return status;
        }
        let job: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT run_at, locked_until FROM jobs \
             WHERE kind = 'opendata.load_csv' AND status = 'pending'",
        )
        .fetch_optional(app.db.pool())
        .await
        .unwrap();
        if let Some((run_at, None)) = job {
            let now = portico_core::clock::to_millis(portico_core::Clock::now(&app.clock));
            if run_at > now {
                app.clock
                    .advance(chrono::Duration::milliseconds(run_at - now));
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the load did not fail: {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Makes every update of a load that has rows fail, as a database refusing the step would:
/// the first step commits, every later one fails.
const LATER_STEPS: &str = "OLD.rows > 0";
/// Makes every index step fail from the third index on (the first two, of the columns `n` and
/// `district`, are built and kept).
const LATER_INDEXES: &str = "OLD.state = 'indexing' AND OLD.indexes >= 2";

/// Refuses every update of a load for which `when` (a condition on `OLD`) holds, or (none)
/// stops refusing.
async fn refuse_loads(app: &TestApp, when: Option<&str>) {
    let sql: Vec<String> = match (app.db.backend(), when) {
        (portico_store::Backend::Sqlite, Some(when)) => vec![format!(
            "CREATE TRIGGER od_refuse BEFORE UPDATE ON \
             opendata_loads WHEN {when} BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )],
        (portico_store::Backend::Sqlite, None) => vec!["DROP TRIGGER od_refuse".into()],
        (portico_store::Backend::Postgres, Some(when)) => vec![
            "CREATE FUNCTION od_refuse() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
                .into(),
            format!(
                "CREATE TRIGGER od_refuse BEFORE UPDATE ON opendata_loads FOR EACH ROW \
                 WHEN ({when}) EXECUTE FUNCTION od_refuse()"
            ),
        ],
        (portico_store::Backend::Postgres, None) => vec![
            "DROP TRIGGER od_refuse ON opendata_loads".into(),
            "DROP FUNCTION od_refuse()".into(),
        ],
    };
    for statement in sql {
        sqlx::query(&statement)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
}

/// The stored file of resource `id`, in the test's blob folder.
async fn stored_file(app: &TestApp, id: &str) -> std::path::PathBuf {
    let (key,): (String,) = sqlx::query_as("SELECT blob_key FROM opendata_resources WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    std::path::Path::new(&app.config.blob_url)
        .join(&key[..2])
        .join(&key)
}

#[tokio::test]
async fn a_load_whose_steps_keep_failing_says_so_and_its_publisher_resumes_it_without_duplicates() {
    const WIDE_ROWS: usize = 60_000;
    let app = TestApp::start().await;
    let (sofia, burgas) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let package = dataset(&app, &token, "sofia-stopped").await;
    refuse_loads(&app, Some(LATER_STEPS)).await;
    let (s, created) = post_upload(&app, &token, &package, "wide.csv", wide_csv(WIDE_ROWS)).await;
    assert_eq!(s, StatusCode::OK, "{created}");
    let id = created["result"]["id"].as_str().unwrap().to_owned();
    let size = created["result"]["size"].as_i64().unwrap();

    // Its job's eight tries used up, the load is failed, with the reason in plain words and
    // how far the first step got (a step ends by its row bound or its time, before the end).
    let failed = until_failed(&app, &id).await;
    let first = failed["rows_done"].as_i64().unwrap();
    assert!(first > 0 && first <= 50_000, "{failed}");
    assert_eq!(failed["rows_total"], WIDE_ROWS as i64);
    assert_eq!(failed["bytes_total"], size);
    let bytes = failed["bytes_done"].as_i64().unwrap();
    assert!(bytes > 0 && bytes < size, "{failed}");
    assert_eq!(failed["error"]["code"], "load.stopped");
    assert!(
        failed["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Loading stopped:"),
        "{failed}"
    );
    let (_, bg) = load_status(&app, None, "bg", &id).await;
    assert!(
        bg["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Зареждането спря:"),
        "{bg}"
    );
    // Nothing of it can be queried yet.
    let (s, _) = action(
        &app,
        None,
        "datastore_search",
        json!({ "resource_id": id, "limit": 1 }),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The page says so in both languages; only the publisher is offered to start it again.
    let path = format!("/data/sofia-stopped/resources/{id}");
    let anonymous = app.client().get(&path).await;
    assert_eq!(
        anonymous.attr("#od-load", "data-state").as_deref(),
        Some("failed")
    );
    assert!(anonymous.attr("#od-load-restart", "id").is_none());
    let text = anonymous.texts("#od-load-text").join(" ");
    assert!(text.starts_with("Зареждането спря:"), "{text}");
    assert!(
        text.contains(&format!("Бяха заредени {first} от {WIDE_ROWS} реда")),
        "{text}"
    );
    let publisher = crate::catalog::staff(
        &app,
        "data@sofia.example.bg",
        SOFIA_EIK,
        portico_identity::Role::DataPublisher,
    )
    .await;
    publisher.get(&format!("/lang?to=en&back={path}")).await;
    let page = publisher.get(&path).await;
    let text = page.texts("#od-load-text").join(" ");
    assert!(text.starts_with("Loading stopped:"), "{text}");
    assert!(
        text.contains(&format!("{first} of {WIDE_ROWS} rows had been loaded")),
        "{text}"
    );
    let restart = page.attr("#load", "action").expect("the restart form");
    assert_eq!(restart, format!("{path}/load"));
    // Without the CSRF token nothing happens.
    let forged = publisher.post_raw(&restart, &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        load_status(&app, None, "en", &id).await.1["state"],
        "failed"
    );

    // Started again while its stored file is missing, it fails at once and says why.
    refuse_loads(&app, None).await;
    let file = stored_file(&app, &id).await;
    let aside = file.with_extension("aside");
    std::fs::rename(&file, &aside).unwrap();
    let restarted = publisher.post_form(&restart, &[]).await;
    assert_eq!(
        restarted.status,
        StatusCode::SEE_OTHER,
        "{}",
        restarted.body
    );
    assert_eq!(restarted.location(), path);
    let seen = watch_load(&publisher, &path).await;
    assert_eq!(seen.last().unwrap().0, "failed", "{seen:?}");
    let (_, missing) = load_status(&app, None, "en", &id).await;
    assert_eq!(missing["error"]["code"], "load.file_missing", "{missing}");
    assert_eq!(missing["rows_done"], first, "{missing}");
    let text = publisher.get(&path).await.texts("#od-load-text").join(" ");
    assert!(
        text.starts_with("The stored file is missing from the file store")
            && text.contains(&format!("{first} of {WIDE_ROWS} rows had been loaded")),
        "{text}"
    );

    // The file back, started again, it goes on from the first step's end until every row is
    // in; then its index steps fail from the third index on: failed again, with every row in,
    // nothing queryable.
    std::fs::rename(&aside, &file).unwrap();
    refuse_loads(&app, Some(LATER_INDEXES)).await;
    let page = publisher.get(&path).await;
    let restart = page.attr("#load", "action").expect("the restart form");
    let restarted = publisher.post_form(&restart, &[]).await;
    assert_eq!(restarted.status, StatusCode::SEE_OTHER);
    let failed = until_failed(&app, &id).await;
    assert_eq!(
        (&failed["rows_done"], &failed["error"]["code"]),
        (&json!(WIDE_ROWS), &json!("load.stopped")),
        "{failed}"
    );
    let (s, _) = action(
        &app,
        None,
        "datastore_search",
        json!({ "resource_id": id, "limit": 1 }),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "not described before every index is built"
    );

    // Started again, it goes on with the indexes (the two built are found there) and ends
    // loaded: queryable, searchable by its words, every row once.
    refuse_loads(&app, None).await;
    let page = publisher.get(&path).await;
    let restart = page.attr("#load", "action").expect("the restart form");
    let restarted = publisher.post_form(&restart, &[]).await;
    assert_eq!(restarted.status, StatusCode::SEE_OTHER);
    let seen = watch_load(&publisher, &path).await;
    assert_eq!(seen.last().unwrap().0, "done", "{seen:?}");
    let froms: Vec<(String,)> = sqlx::query_as(
        "SELECT details FROM audit_log WHERE action = 'opendata.load_restarted' AND subject = $1 \
         ORDER BY seq",
    )
    .bind(&id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let froms: Vec<Value> = froms
        .iter()
        .map(|(d,)| serde_json::from_str::<Value>(d).unwrap()["from_rows"].clone())
        .collect();
    assert_eq!(
        froms,
        [json!(first), json!(first), json!(WIDE_ROWS)],
        "resumed each time, never started over"
    );
    let words = search(&app, &id, json!({ "q": "бележка 59999", "fields": ["n"] })).await;
    assert_eq!(words["records"][0]["n"], 59_999, "{words}");
    assert_eq!(words["total"], 1, "{words}");
    let all = search(&app, &id, json!({ "limit": 0 })).await;
    assert_eq!(all["total"], WIDE_ROWS as i64);
    let table = format!(
        "opendata_ds_{}",
        id.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(DISTINCT c0) FROM {table}"))
            .await,
        WIDE_ROWS as i64,
        "no row twice"
    );
    let last = search(&app, &id, json!({ "filters": { "n": WIDE_ROWS } })).await;
    assert_eq!(last["records"][0]["district"], "Район 0");
    let (_, loaded) = load_status(&app, None, "en", &id).await;
    assert_eq!(
        (
            &loaded["state"],
            &loaded["rows_done"],
            &loaded["bytes_done"],
            &loaded["error"]
        ),
        (
            &json!("loaded"),
            &json!(WIDE_ROWS),
            &json!(size),
            &Value::Null
        )
    );

    // A load that has not failed is not started again: the page says so, nothing changes.
    let again = publisher.post_form(&restart, &[]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again.texts(".error-summary li a"),
        ["This file's load has not failed: there is nothing to start again."]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'opendata.load_restarted'")
            .await,
        3
    );

    // Withdrawn, its load is the publishers' only, as its page is (a new token: the clock
    // moved through three rounds of backoff since the first was issued).
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let (s, _) = action(
        &app,
        Some(&token),
        "package_delete",
        json!({ "id": package }),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        load_status(&app, None, "en", &id).await.0,
        StatusCode::NOT_FOUND
    );
    let other = client_token(&app, &burgas, &["opendata"]).await;
    assert_eq!(
        load_status(&app, Some(&other), "en", &id).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        load_status(&app, Some(&token), "en", &id).await.0,
        StatusCode::OK
    );
    assert_eq!(
        load_status(&app, Some("not-a-token"), "en", &id).await.0,
        StatusCode::UNAUTHORIZED
    );
}

/// A JSON list of `rows` objects, one a line, over 20 MB; with `bad` (a line's number) broken.
fn big_json(rows: usize, bad: Option<usize>) -> Vec<u8> {
    let mut out = String::from("[\n");
    for i in 1..=rows {
        let comma = if i < rows { "," } else { "" };
        let value = if Some(i + 1) == bad { "{x}" } else { "1" };
        out.push_str(&format!(
            "{{\"n\": {i}, \"value\": {value}, \"note\": \"Ред {i} от голям JSON файл с данни за районите на София\"}}{comma}\n"
        ));
    }
    out.push_str("]\n");
    assert!(out.len() > 20 * 1024 * 1024, "{} bytes", out.len());
    out.into_bytes()
}

/// A GeoJSON FeatureCollection of `n` points over 20 MB, the `i`th at longitude 20 + i / n
/// and latitude 42.
fn big_geojson(n: usize) -> Vec<u8> {
    let mut out = String::from("{\"type\": \"FeatureCollection\", \"features\": [\n");
    for i in 0..n {
        let comma = if i + 1 < n { "," } else { "" };
        out.push_str(&format!(
            "{{\"type\": \"Feature\", \"geometry\": {{\"type\": \"Point\", \"coordinates\": [{}, 42.0]}}, \"properties\": {{\"n\": {i}, \"name\": \"Детска площадка номер {i} в голям файл\"}}}}{comma}\n",
            20.0 + i as f64 / n as f64
        ));
    }
    out.push_str("]}\n");
    assert!(out.len() > 20 * 1024 * 1024, "{} bytes", out.len());
    out.into_bytes()
}

#[tokio::test]
async fn json_and_geojson_over_20_mb_are_streamed_checked_and_the_features_indexed_by_a_job() {
    const JSON_ROWS: usize = 220_000;
    const POINTS: usize = 120_000;
    let app = TestApp::start().await;
    let (sofia, _) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let package = dataset(&app, &token, "sofia-json").await;

    // A JSON file broken deep inside is refused with its line; nothing is kept.
    let (s, refused) = post_upload(
        &app,
        &token,
        &package,
        "big.json",
        big_json(JSON_ROWS, Some(200_001)),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{refused}");
    assert_eq!(
        refused["error"]["upload"][0],
        "Line 200001: the JSON cannot be read here."
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_resources").await,
        0
    );

    // A good one is stored as it came.
    let json_file = big_json(JSON_ROWS, None);
    let (s, created) = post_upload(&app, &token, &package, "big.json", json_file.clone()).await;
    assert_eq!(s, StatusCode::OK, "{created}");
    assert_eq!(created["result"]["format"], "JSON");
    assert_eq!(created["result"]["size"], json_file.len() as i64);
    let url = created["result"]["url"].as_str().unwrap();
    let path = url.trim_start_matches(&app.base);
    let (s, _, bytes) = app.client().get_bytes(path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(bytes == json_file, "the file as uploaded");

    // A GeoJSON's features are indexed by a job, then served by the OGC API, filtered by box.
    let (s, created) = post_upload(
        &app,
        &token,
        &package,
        "points.geojson",
        big_geojson(POINTS),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{created}");
    assert_eq!(created["result"]["format"], "GeoJSON");
    let id = created["result"]["id"].as_str().unwrap().to_owned();
    let items = format!("/ogcapi/collections/{id}/items?limit=1");
    let started = Instant::now();
    let all = loop {
        let page = app.client().get(&items).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let body = page.json();
        if body["numberMatched"] == POINTS as i64 {
            break body;
        }
        // Nothing, or everything: never a part.
        assert_eq!(body["numberMatched"], 0, "{body}");
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the features were not indexed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(all["features"][0]["properties"]["n"], 0);
    // The first tenth of the points lie west of 20.1.
    let west = app
        .client()
        .get(&format!(
            "/ogcapi/collections/{id}/items?bbox=19.9,41.9,20.099999999,42.1&limit=1"
        ))
        .await
        .json();
    assert_eq!(west["numberMatched"], (POINTS / 10) as i64, "{west}");

    // A GeoJSON whose features are not features is refused, in Bulgarian when asked.
    let mut not_features = big_geojson(POINTS);
    let at = not_features.len() / 2;
    let cut = not_features[at..]
        .windows(9)
        .position(|w| w == b"\"Feature\"")
        .unwrap();
    not_features[at + cut + 1] = b'X';
    let form = reqwest::multipart::Form::new()
        .text("package_id", package.clone())
        .part(
            "upload",
            reqwest::multipart::Part::bytes(not_features).file_name("bad.geojson"),
        );
    let r = reqwest::Client::new()
        .post(format!("{}/api/3/action/resource_create", app.base))
        .header("Authorization", &token)
        .header("Accept-Language", "bg")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]["upload"][0]
            .as_str()
            .unwrap()
            .starts_with("Файлът не е GeoJSON"),
        "{body}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_resources").await,
        2
    );
}
