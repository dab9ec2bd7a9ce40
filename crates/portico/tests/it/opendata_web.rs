//! The open data portal as people and GIS tools see it: the pages (search with facets, a dataset
//! with its preview table, chart and map, an organisation, the Atom feed), publishing from the
//! pages as a `data_publisher`, OGC API – Features read by GDAL's `ogrinfo` (Debian's
//! `gdal-bin`, which `scripts/test` installs), and DCAT-AP as RDF/XML and JSON-LD checked by
//! rdflib and pySHACL like the Turtle.

use crate::opendata::{action, client_token, two_administrations, BURGAS_EIK, SOFIA_EIK};
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;

/// Three of Sofia's districts as rough polygons, and a point outside them.
const DISTRICTS: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"Средец","population":31000},"geometry":{"type":"Polygon","coordinates":[[[23.315,42.690],[23.335,42.690],[23.335,42.700],[23.315,42.700],[23.315,42.690]]]}},
 {"type":"Feature","properties":{"name":"Оборище","population":33000},"geometry":{"type":"Polygon","coordinates":[[[23.335,42.690],[23.355,42.690],[23.355,42.705],[23.335,42.705],[23.335,42.690]]]}},
 {"type":"Feature","properties":{"name":"Лозенец","population":51000},"geometry":{"type":"Polygon","coordinates":[[[23.310,42.665],[23.340,42.665],[23.340,42.690],[23.310,42.690],[23.310,42.665]]]}},
 {"type":"Feature","properties":{"name":"Бургас, пристанище"},"geometry":{"type":"Point","coordinates":[27.47,42.49]}}]}"#;

const POPULATION: &str = "district,population,area_km2\n\
    Средец,31000,3.1\nОборище,33000,2.9\nЛозенец,51000,8.9\n<Триадица>,63000,7.8\n";

const STOPS: &str =
    "stop,lat,lon\nНДК,42.6853,23.3190\nСердика,42.6977,23.3219\nОрлов мост,42.6910,23.3357\n";

async fn upload(app: &TestApp, token: &str, package: &str, file: &str, body: &str) -> Value {
    let form = reqwest::multipart::Form::new()
        .text("package_id", package.to_owned())
        .part(
            "upload",
            reqwest::multipart::Part::bytes(body.as_bytes().to_vec()).file_name(file.to_owned()),
        );
    let r = reqwest::Client::new()
        .post(format!("{}/api/3/action/resource_create", app.base))
        .header("Authorization", token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn dataset(
    name: &str,
    org: &str,
    title: &str,
    title_en: &str,
    theme: &str,
    licence: &str,
) -> Value {
    json!({
        "name": name, "title": title, "title_en": title_en,
        "notes": format!("{title}: данни от общината."), "notes_en": format!("{title_en}: data from the municipality."),
        "owner_org": org, "license_id": licence, "tags": [{"name": "райони"}],
        "groups": [{"name": theme}], "frequency": "ANNUAL",
    })
}

/// Sofia publishes districts (GeoJSON and CSV) and stops (CSV with coordinates); Burgas publishes
/// a budget; Sofia keeps a draft. Returns the GeoJSON and the stops' resource ids.
async fn publish(app: &TestApp) -> (String, String) {
    let (sofia, burgas) = two_administrations(app).await;
    let token = client_token(app, &sofia, &["opendata"]).await;
    let burgas_token = client_token(app, &burgas, &["opendata"]).await;
    let (s, d) = action(
        app,
        Some(&token),
        "package_create",
        dataset(
            "sofia-districts",
            SOFIA_EIK,
            "Райони на София",
            "Districts of Sofia",
            "regi",
            "cc-by-4.0",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let id = d["result"]["id"].as_str().unwrap().to_owned();
    upload(app, &token, &id, "population.csv", POPULATION).await;
    let geo = upload(app, &token, &id, "districts.geojson", DISTRICTS).await;
    let (_, stops) = action(
        app,
        Some(&token),
        "package_create",
        dataset(
            "sofia-stops",
            SOFIA_EIK,
            "Спирки на метрото",
            "Metro stops",
            "tran",
            "cc-zero",
        ),
    )
    .await;
    let stops_id = stops["result"]["id"].as_str().unwrap().to_owned();
    let stops = upload(app, &token, &stops_id, "stops.csv", STOPS).await;
    let (s, b) = action(
        app,
        Some(&burgas_token),
        "package_create",
        dataset(
            "burgas-budget",
            BURGAS_EIK,
            "Бюджет на Бургас",
            "Budget of Burgas",
            "econ",
            "cc-by-4.0",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut draft = dataset(
        "sofia-draft",
        SOFIA_EIK,
        "Чернова",
        "Draft",
        "regi",
        "cc-by-4.0",
    );
    draft["state"] = "draft".into();
    action(app, Some(&token), "package_create", draft).await;
    (
        geo["result"]["id"].as_str().unwrap().to_owned(),
        stops["result"]["id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn the_pages_search_with_facets_and_show_a_dataset_with_preview_chart_and_map() {
    let app = TestApp::start().await;
    publish(&app).await;
    let c = app.client();

    let all = c.get("/data").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        all.texts("#od-count"),
        vec!["3"],
        "published only, not the draft"
    );
    assert!(!all.body.contains("sofia-draft"));
    // Facets count by organisation, theme, format and licence; a facet link filters.
    let orgs = all.texts("#od-facet-organization li");
    assert!(
        orgs.iter().any(|t| t.contains("Столична община (2)")),
        "{orgs:?}"
    );
    let formats = all.texts("#od-facet-format li");
    assert!(formats.iter().any(|t| t == "CSV (2)"), "{formats:?}");
    assert!(formats.iter().any(|t| t == "GeoJSON (1)"), "{formats:?}");
    let href = all
        .html()
        .select(&scraper::Selector::parse("#od-facet-licence a").unwrap())
        .find(|a| a.text().collect::<String>().contains("CCZero"))
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("a licence facet link");
    let cc0 = c.get(&href).await;
    assert_eq!(cc0.texts("#od-count"), vec!["1"]);
    assert!(cc0.body.contains("/data/sofia-stops") && !cc0.body.contains("/data/burgas-budget"));
    assert_eq!(
        cc0.texts("#od-chosen li a").len(),
        1,
        "the chosen filter can be removed"
    );

    // Words: an ending and a typo are forgiven, in either language.
    for q in ["районите", "districts", "бюджета"] {
        let found = c.get(&format!("/data?q={}", urlenc(q))).await;
        assert_ne!(found.texts("#od-count"), vec!["0"], "{q}");
    }
    let by_org = c.get(&format!("/data?organization={BURGAS_EIK}")).await;
    assert_eq!(by_org.texts("#od-count"), vec!["1"]);

    // The dataset page: metadata, resources, the preview table (escaped), the chart and the map.
    let page = c.get("/data/sofia-districts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("#od-title"), vec!["Райони на София"]);
    assert_eq!(page.texts("#od-resources li h3").len(), 2);
    let cells = page.texts("#od-preview tbody td");
    assert!(
        cells.contains(&"Лозенец".to_owned()) && cells.contains(&"51000".to_owned()),
        "{cells:?}"
    );
    assert!(cells.contains(&"<Триадица>".to_owned()));
    assert!(!page.body.contains("<Триадица>"), "cells are escaped");
    assert_eq!(
        page.texts("#od-preview thead th"),
        vec!["district", "population", "area_km2"]
    );
    assert_eq!(
        page.html()
            .select(&scraper::Selector::parse("#od-chart rect").unwrap())
            .count(),
        4
    );
    let map = scraper::Selector::parse("#od-map path").unwrap();
    assert_eq!(page.html().select(&map).count(), 3, "three polygons");
    assert_eq!(
        page.html()
            .select(&scraper::Selector::parse("#od-map circle").unwrap())
            .count(),
        1
    );
    assert!(page.body.contains("/dataset/sofia-districts.jsonld"));
    // CKAN's address of the page leads to it; a draft is not found by anyone but its publishers.
    let old = c.get("/dataset/sofia-districts").await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
    assert_eq!(old.location(), "/data/sofia-districts");
    assert_eq!(
        c.get("/data/sofia-draft").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(c.get("/data/no-such").await.status, StatusCode::NOT_FOUND);

    // In English.
    let en = app.client();
    en.get("/lang?to=en&back=/data").await;
    let en_page = en.get("/data/sofia-districts").await;
    assert!(en_page.body.contains("<html lang=\"en\">"));
    assert_eq!(en_page.texts("#od-title"), vec!["Districts of Sofia"]);
    assert!(en_page.body.contains("Data and resources"));

    // The organisation's page and the Atom feed.
    let org = c.get(&format!("/organization/{SOFIA_EIK}")).await;
    assert_eq!(org.status, StatusCode::OK);
    assert_eq!(org.texts("#od-count"), vec!["2"]);
    assert_eq!(
        c.get("/organization/999999999").await.status,
        StatusCode::NOT_FOUND
    );
    let feed = c.get("/feeds/dataset.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    assert_eq!(feed.body.matches("<entry>").count(), 3);
    assert!(feed.body.contains("<title>Райони на София</title>") && !feed.body.contains("Чернова"));

    // The footer links to the portal.
    assert!(c.get("/").await.body.contains("href=\"/data\""));
}

fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_data_publisher_creates_changes_and_uploads_on_the_pages() {
    let app = TestApp::start().await;
    let (_sofia, _) = two_administrations(&app).await;
    let publisher = crate::catalog::staff(
        &app,
        "data@sofia.example.bg",
        SOFIA_EIK,
        portico_identity::Role::DataPublisher,
    )
    .await;
    let data = publisher.get("/data").await;
    assert!(data.body.contains("href=\"/data/new\""));
    publisher.get("/data/new").await;
    // Everything wrong at once, nothing saved.
    let bad = publisher
        .post_form(
            "/data/new",
            &[
                ("name", "Bad Name"),
                ("title_bg", ""),
                ("title_en", "x"),
                ("licence", "cc-by-4.0"),
                ("frequency", "ANNUAL"),
                ("temporal_start", "2024-13-01"),
                ("state", "published"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = bad.texts(".error-summary li a");
    assert_eq!(summary.len(), 3, "{summary:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM opendata_datasets").await, 0);
    let ok = publisher
        .post_form(
            "/data/new",
            &[
                ("name", "sofia-trees"),
                ("title_bg", "Дървета в София"),
                ("title_en", "Trees of Sofia"),
                ("notes_bg", "Регистър на уличните дървета."),
                ("themes", "ENVI"),
                ("themes", "REGI"),
                ("keywords", "дървета, зеленина"),
                ("licence", "cc-by-4.0"),
                ("frequency", "ANNUAL"),
                ("state", "published"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/data/sofia-trees");
    let page = publisher.get("/data/sofia-trees").await;
    assert!(page.body.contains("/data/sofia-trees/edit"));
    // A broken CSV is refused naming its line; nothing is stored.
    publisher.get("/data/sofia-trees/resources/new").await;
    let broken = publisher
        .post_multipart(
            "/data/sofia-trees/resources/new",
            reqwest::multipart::Form::new().part(
                "upload",
                reqwest::multipart::Part::bytes(b"kind,count\nlime,3\noak,4,5\n".to_vec())
                    .file_name("trees.csv"),
            ),
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let msg = broken.texts(".error-summary li a").join(" ");
    assert!(msg.contains('3'), "{msg}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_resources").await,
        0
    );
    let good = publisher
        .post_multipart(
            "/data/sofia-trees/resources/new",
            reqwest::multipart::Form::new()
                .text("name", "Дървета")
                .part(
                    "upload",
                    reqwest::multipart::Part::bytes(
                        "kind,count\nлипа,3\nдъб,4\n".as_bytes().to_vec(),
                    )
                    .file_name("trees.csv"),
                ),
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let page = publisher.get("/data/sofia-trees").await;
    assert!(page
        .texts("#od-preview tbody td")
        .contains(&"липа".to_owned()));
    // Changing it saves a new version; without the CSRF token nothing changes.
    publisher.get("/data/sofia-trees/edit").await;
    let raw = publisher
        .post_raw(
            "/data/sofia-trees/edit",
            &[("name", "sofia-trees"), ("title_bg", "X")],
        )
        .await;
    assert_eq!(raw.status, StatusCode::FORBIDDEN);
    let saved = publisher
        .post_form(
            "/data/sofia-trees/edit",
            &[
                ("name", "sofia-trees"),
                ("title_bg", "Улични дървета в София"),
                ("title_en", "Street trees of Sofia"),
                ("licence", "cc-by-4.0"),
                ("frequency", "MONTHLY"),
                ("state", "published"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_dataset_versions")
            .await,
        2
    );
    let mine = publisher.get("/data/mine").await;
    assert!(mine.body.contains("Улични дървета в София"));
    // Someone without the role gets "Not found"; so does a publisher of another administration.
    let citizen = app.register("citizen@example.bg").await.0;
    assert_eq!(citizen.get("/data/new").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        citizen.get("/data/sofia-trees/edit").await.status,
        StatusCode::NOT_FOUND
    );
    let other = crate::catalog::staff(
        &app,
        "data@burgas.example.bg",
        BURGAS_EIK,
        portico_identity::Role::DataPublisher,
    )
    .await;
    assert_eq!(
        other.get("/data/sofia-trees/edit").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn ogc_api_features_serves_collections_that_ogrinfo_reads_and_counts() {
    let app = TestApp::start().await;
    let (geo, stops) = publish(&app).await;
    let c = app.client();
    let landing = c.get("/ogcapi").await.json();
    assert!(landing["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "data"));
    let conf = c.get("/ogcapi/conformance").await.json();
    assert!(conf["conformsTo"].to_string().contains("conf/geojson"));
    let list = c.get("/ogcapi/collections").await.json();
    let ids: Vec<&str> = list["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        2,
        "the GeoJSON and the CSV with coordinates: {ids:?}"
    );
    assert!(ids.contains(&geo.as_str()) && ids.contains(&stops.as_str()));
    // bbox, limit and paging.
    let sofia = c
        .get(&format!(
            "/ogcapi/collections/{geo}/items?bbox=23.0,42.5,23.6,42.9&limit=2"
        ))
        .await;
    assert!(sofia.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/geo+json"));
    let sofia = sofia.json();
    assert_eq!(sofia["numberMatched"], 3);
    assert_eq!(sofia["numberReturned"], 2);
    let next = sofia["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let rest = c.get(next.trim_start_matches(&app.base)).await.json();
    assert_eq!(rest["numberReturned"], 1);
    assert_eq!(rest["features"][0]["properties"]["name"], "Лозенец");
    assert_eq!(
        c.get(&format!("/ogcapi/collections/{geo}/items?bbox=1,2,3"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.get(&format!("/ogcapi/collections/{geo}/items?limit=0"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.get(&format!("/ogcapi/collections/{geo}/items/4"))
            .await
            .json()["geometry"]["type"],
        "Point"
    );
    assert_eq!(
        c.get("/ogcapi/collections/nope/items").await.status,
        StatusCode::NOT_FOUND
    );

    // GDAL's OGC API – Features driver, two features a page so it follows the next links.
    for (collection, expected) in [(geo.clone(), 4), (stops.clone(), 3)] {
        let url = format!("OAPIF:{}/ogcapi", app.base);
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("ogrinfo")
                .args(["-ro", "-al", "-oo", "PAGE_SIZE=2", &url, &collection])
                .output()
                .expect("ogrinfo (Debian's gdal-bin) must be installed: scripts/test installs it")
        })
        .await
        .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "ogrinfo: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(text.matches("OGRFeature(").count(), expected, "{text}");
        assert!(
            text.contains(&format!("Feature Count: {expected}")),
            "{text}"
        );
    }
}

#[tokio::test]
async fn dcat_ap_as_rdf_xml_and_json_ld_passes_the_shacl_shapes_with_the_same_triples() {
    let app = TestApp::start().await;
    publish(&app).await;
    let c = app.client();
    let rdf = c.get("/catalog.rdf").await;
    assert!(rdf.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/rdf+xml"));
    assert!(rdf.body.contains("sofia-districts") && !rdf.body.contains("sofia-draft"));
    let jsonld = c.get("/dataset/sofia-districts.jsonld").await;
    assert!(jsonld.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/ld+json"));
    assert_eq!(
        c.get("/dataset/sofia-draft.rdf").await.status,
        StatusCode::NOT_FOUND
    );
    // dct:spatial is a dct:Location: an authority's URI as given, or the publisher's words with
    // the box around the dataset's spatial resources (the districts' GeoJSON) and its centre.
    for (name, spatial) in [
        (
            "sofia-stops",
            "http://publications.europa.eu/resource/authority/place/BGR_SOF",
        ),
        ("sofia-districts", "София – централни райони"),
    ] {
        sqlx::query("UPDATE opendata_datasets SET spatial = $1 WHERE name = $2")
            .bind(spatial)
            .bind(name)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    let stops = c.get("/dataset/sofia-stops.ttl").await.body;
    assert!(
        stops.contains(
            "dct:spatial <http://publications.europa.eu/resource/authority/place/BGR_SOF>"
        ) && stops.contains(
            "<http://publications.europa.eu/resource/authority/place/BGR_SOF> a dct:Location"
        ),
        "{stops}"
    );
    assert!(
        stops.contains("\"POLYGON((23.319 42.6853, 23.3357 42.6853, 23.3357 42.6977, 23.319 42.6977, 23.319 42.6853))\"^^gsp:wktLiteral"),
        "the stops' box: {stops}"
    );
    let districts = c.get("/dataset/sofia-districts.ttl").await.body;
    assert!(
        districts.contains("skos:prefLabel \"София – централни райони\"@bg")
            && districts.contains("dcat:bbox \"POLYGON((23.31 42.49, 27.47 42.49, 27.47 42.705, 23.31 42.705, 23.31 42.49))\"^^gsp:wktLiteral")
            && districts.contains("dcat:centroid \"POINT("),
        "{districts}"
    );
    // The Atom feed in both languages, each linking to the other.
    let en = c.get("/feeds/dataset.atom?lang=en").await.body;
    assert!(
        en.contains("xml:lang=\"en\"") && en.contains("<title>Districts of Sofia</title>"),
        "{en}"
    );
    assert!(
        en.contains("hreflang=\"bg\"") && en.contains("label=\"Regions and cities\""),
        "{en}"
    );
    let asked = reqwest::Client::new()
        .get(format!("{}/feeds/dataset.atom", app.base))
        .header("Accept-Language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        asked.contains("<title>Open data – recent changes</title>"),
        "{asked}"
    );
    let bg = c.get("/feeds/dataset.atom").await.body;
    assert!(bg.contains("xml:lang=\"bg\"") && bg.contains("<title>Райони на София</title>"));
    assert!(bg.contains("dataset.atom?lang=en"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/dcat_check.py");
    let mut counts = Vec::new();
    for ext in ["ttl", "rdf", "jsonld"] {
        let urls = vec![
            format!("{}/catalog.{ext}", app.base),
            format!("{}/dataset/sofia-districts.{ext}", app.base),
            format!("{}/dataset/sofia-stops.{ext}", app.base),
        ];
        let script = script.clone();
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("python3")
                .arg(script)
                .args(urls)
                .output()
                .expect("python3 must be installed to run the interoperability test")
        })
        .await
        .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success() && text.starts_with("conforms"),
            "pySHACL on .{ext}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        counts.push(text.trim().to_owned());
    }
    assert_eq!(counts[0], counts[1], "Turtle and RDF/XML say the same");
    assert_eq!(counts[0], counts[2], "Turtle and JSON-LD say the same");
}

#[tokio::test]
async fn the_demo_seeds_hundreds_of_datasets_and_the_service_catalog_is_kept_current() {
    let app = TestApp::start().await;
    portico::demo::seed(&app.db, &app.clock).await.unwrap();
    let clock: std::sync::Arc<dyn portico_core::Clock> = std::sync::Arc::new(app.clock.clone());
    let created = portico::demo::seed_open_data(&app.config, &app.db, clock.clone())
        .await
        .unwrap();
    assert!(created >= 300, "{created}");
    let again = portico::demo::seed_open_data(&app.config, &app.db, clock.clone())
        .await
        .unwrap();
    assert_eq!(again, 0, "seeding twice adds nothing");
    let c = app.client();
    let all = c.get("/api/3/action/package_search?rows=0").await.json();
    assert_eq!(all["result"]["count"].as_i64().unwrap(), created as i64);
    // Sofia's districts: 24 polygons through OGC API – Features.
    let d = c
        .get("/api/3/action/package_show?id=sofia-districts")
        .await
        .json();
    let geo = d["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["format"] == "GeoJSON")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let items = c
        .get(&format!("/ogcapi/collections/{geo}/items?limit=100"))
        .await
        .json();
    assert_eq!(items["numberMatched"], 24);
    assert_eq!(items["features"][0]["geometry"]["type"], "Polygon");

    // The service catalog, published from the catalog's service functions, one row a service.
    let rows = |c: crate::support::Client| async move {
        let d = c
            .get("/api/3/action/package_show?id=portico-service-catalog")
            .await
            .json();
        let id = d["result"]["resources"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let found = c
            .get(&format!(
                "/api/3/action/datastore_search?resource_id={id}&limit=1000"
            ))
            .await
            .json();
        let slugs: Vec<String> = found["result"]["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["slug"].as_str().unwrap().to_owned())
            .collect();
        slugs
    };
    let before = rows(app.client()).await;
    let catalog = c
        .get("/api/3/action/package_show?id=portico-service-catalog")
        .await
        .json();
    assert_eq!(catalog["result"]["organization"]["name"], "portico");
    let published = app
        .count("SELECT COUNT(*) FROM services WHERE published_at IS NOT NULL")
        .await;
    assert_eq!(before.len() as i64, published);
    assert!(
        before.contains(&"address-registration-sofia".to_owned()),
        "{before:?}"
    );
    // A service withdrawn from the catalog (the test changes the catalog's tables directly; the
    // block only reads them through the catalog's functions): the next refresh drops its row.
    sqlx::query(
        "UPDATE services SET published_at = NULL WHERE slug = 'address-registration-sofia'",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    sqlx::query("UPDATE catalog_version SET version = version + 1 WHERE id = 1")
        .execute(app.db.pool())
        .await
        .unwrap();
    let ctx = portico_opendata::service::OpenData {
        db: app.db.clone(),
        blobs: portico_store::BlobStore::from_url_opts(
            &app.config.blob_url,
            app.config.blob_options.clone(),
        )
        .unwrap(),
        clock,
        index: Default::default(),
    };
    use portico_opendata::service::own_data;
    assert!(own_data::refresh_service_catalog(&ctx).await.unwrap());
    assert!(
        !own_data::refresh_service_catalog(&ctx).await.unwrap(),
        "nothing new"
    );
    let after = rows(app.client()).await;
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after.contains(&"address-registration-sofia".to_owned()));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'opendata.resource_replaced'")
            .await,
        1
    );
}

/// The platform publishes its own data as its own organisation, `portico`, which no
/// administration owns: Sofia's administration admin, data publisher and API client can neither
/// change its datasets nor take a name of the platform's.
#[tokio::test]
async fn the_platform_publishes_as_its_own_organisation_which_sofia_cannot_edit() {
    let app = TestApp::start().await;
    let (sofia, _) = two_administrations(&app).await;
    let ctx = portico_opendata::service::OpenData {
        db: app.db.clone(),
        blobs: portico_store::BlobStore::from_url_opts(
            &app.config.blob_url,
            app.config.blob_options.clone(),
        )
        .unwrap(),
        clock: std::sync::Arc::new(app.clock.clone()),
        index: Default::default(),
    };
    assert!(
        portico_opendata::service::own_data::refresh_service_catalog(&ctx)
            .await
            .unwrap()
    );
    let name = "portico-service-catalog";
    let c = app.client();
    let shown = c
        .get(&format!("/api/3/action/package_show?id={name}"))
        .await
        .json();
    assert_eq!(
        shown["result"]["organization"]["name"], "portico",
        "{shown}"
    );
    assert_eq!(shown["result"]["organization"]["title"], "Портико");
    let orgs = c.get("/api/3/action/organization_list").await.json();
    assert!(
        orgs["result"]
            .as_array()
            .unwrap()
            .contains(&json!("portico")),
        "{orgs}"
    );
    let org = c
        .get("/api/3/action/organization_show?id=portico&include_datasets=true")
        .await
        .json();
    assert_eq!(org["result"]["packages"][0]["name"], name, "{org}");
    let page = c.get("/organization/portico").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Организацията на самата платформа"));
    assert!(!page.body.contains("ЕИК"));
    let ttl = c.get(&format!("/dataset/{name}.ttl")).await;
    assert!(ttl.body.contains("/organization/portico>"), "{}", ttl.body);

    let rid = shown["result"]["resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let audit = "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'opendata.%'";
    let written = app.count(audit).await;
    for (email, role) in [
        (
            "admin@sofia.example.bg",
            portico_identity::Role::AdministrationAdmin,
        ),
        (
            "data@sofia.example.bg",
            portico_identity::Role::DataPublisher,
        ),
    ] {
        let person = crate::catalog::staff(&app, email, SOFIA_EIK, role).await;
        // The dataset page offers them nothing to change, and every publishing page is "Not found".
        let page = person.get(&format!("/data/{name}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains(&format!("/data/{name}/edit")),
            "{email}"
        );
        assert!(!page.body.contains("/fields"), "{email}");
        for path in [
            format!("/data/{name}/edit"),
            format!("/data/{name}/resources/new"),
            format!("/data/{name}/resources/{rid}/fields"),
        ] {
            assert_eq!(
                person.get(&path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        let edit = person
            .post_form(
                &format!("/data/{name}/edit"),
                &[("name", name), ("title_bg", "Наш"), ("title_en", "Ours")],
            )
            .await;
        assert_eq!(edit.status, StatusCode::NOT_FOUND);
        let retype = person
            .post_form(
                &format!("/data/{name}/resources/{rid}/fields"),
                &[("field", "fee"), ("type", "text")],
            )
            .await;
        assert_eq!(retype.status, StatusCode::NOT_FOUND);
        // Their own list does not hold it.
        let mine = person.get("/data/mine").await;
        assert!(!mine.body.contains(&format!("/data/{name}\"")), "{email}");
    }
    // Sofia's API client with the publishing scope: refused, and no name of the platform's.
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let (s, body) = action(
        &app,
        Some(&token),
        "package_patch",
        json!({ "id": name, "title": "Наш каталог" }),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = action(&app, Some(&token), "package_delete", json!({ "id": name })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let form = reqwest::multipart::Form::new()
        .text("package_id", name.to_owned())
        .part(
            "upload",
            reqwest::multipart::Part::bytes(b"a,b\n1,2\n".to_vec()).file_name("x.csv"),
        );
    let r = reqwest::Client::new()
        .post(format!("{}/api/3/action/resource_create", app.base))
        .header("Authorization", &token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (s, body) = action(
        &app,
        Some(&token),
        "package_create",
        dataset(
            "portico-service-figures",
            SOFIA_EIK,
            "Показатели",
            "Figures",
            "gove",
            "cc-by-4.0",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["name"].is_array(), "{body}");
    let (s, body) = action(
        &app,
        Some(&token),
        "package_create",
        dataset(
            "sofia-figures",
            "portico",
            "Показатели",
            "Figures",
            "gove",
            "cc-by-4.0",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    // Nothing changed.
    let after = c
        .get(&format!("/api/3/action/package_show?id={name}"))
        .await
        .json();
    assert_eq!(after["result"]["title"], shown["result"]["title"]);
    assert_eq!(after["result"]["state"], "active");
    assert_eq!(after["result"]["num_resources"], 1);
    assert_eq!(app.count(audit).await, written);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_datasets").await,
        1,
        "nothing created"
    );
}

fn link(page: &Value, rel: &str) -> Option<String> {
    page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == rel)
        .map(|l| l["href"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn ogc_api_features_pages_and_filters_in_the_database() {
    let app = TestApp::start().await;
    let (geo, stops) = publish(&app).await;
    let c = app.client();
    // The GeoJSON's features are kept one a row with their boxes, so a page is read alone.
    let stored = format!("SELECT COUNT(*) FROM opendata_features WHERE resource_id = '{geo}'");
    assert_eq!(app.count(&stored).await, 4);
    let third = c
        .get(&format!("/ogcapi/collections/{geo}/items?limit=1&offset=2"))
        .await
        .json();
    assert_eq!(third["numberMatched"], 4);
    assert_eq!(third["numberReturned"], 1);
    assert_eq!(third["features"][0]["id"], 3);
    assert_eq!(third["features"][0]["properties"]["name"], "Лозенец");
    assert!(link(&third, "prev").unwrap().contains("offset=1"));
    assert!(link(&third, "next").unwrap().contains("offset=3"));
    let past = c
        .get(&format!("/ogcapi/collections/{geo}/items?offset=10"))
        .await
        .json();
    assert_eq!(past["numberMatched"], 4);
    assert_eq!(past["numberReturned"], 0);
    assert!(link(&past, "next").is_none());
    // Burgas's port only: the box is compared with each feature's stored box.
    let burgas = c
        .get(&format!("/ogcapi/collections/{geo}/items?bbox=27,42,28,43"))
        .await
        .json();
    assert_eq!(burgas["numberMatched"], 1);
    assert_eq!(burgas["features"][0]["id"], 4);

    // A CSV with coordinates: the box is a range on its latitude and longitude columns.
    let two = c
        .get(&format!(
            "/ogcapi/collections/{stops}/items?bbox=23.318,42.68,23.323,42.70&limit=1"
        ))
        .await
        .json();
    assert_eq!(two["numberMatched"], 2);
    assert_eq!(two["features"][0]["properties"]["stop"], "НДК");
    let next = link(&two, "next").unwrap();
    let rest = c.get(next.trim_start_matches(&app.base)).await.json();
    assert_eq!(rest["numberReturned"], 1);
    assert_eq!(rest["features"][0]["properties"]["stop"], "Сердика");
    assert!(link(&rest, "next").is_none());
    let bridge = c
        .get(&format!("/ogcapi/collections/{stops}/items/3"))
        .await
        .json();
    assert_eq!(bridge["properties"]["stop"], "Орлов мост");
    assert_eq!(bridge["geometry"]["coordinates"], json!([23.3357, 42.691]));
    let extent = c.get(&format!("/ogcapi/collections/{stops}")).await.json();
    assert_eq!(
        extent["extent"]["spatial"]["bbox"][0],
        json!([23.319, 42.6853, 23.3357, 42.6977])
    );

    // A GeoJSON resource stored before the features were kept is indexed when first read.
    sqlx::query("DELETE FROM opendata_features")
        .execute(app.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE opendata_resources SET features = NULL")
        .execute(app.db.pool())
        .await
        .unwrap();
    let again = c
        .get(&format!(
            "/ogcapi/collections/{geo}/items?bbox=23.0,42.5,23.6,42.9"
        ))
        .await
        .json();
    assert_eq!(again["numberMatched"], 3);
    assert_eq!(app.count(&stored).await, 4);
}

const PLACES: &str = "name,code,opened,zip\n\
    Читалище,12,2024-01-05,1000\nБиблиотека,7,2023-11-30,1000\nМузей,x3,2022-06-01,9000\n";

const EVENTS: &str = "event,held\n\
    Концерт,05.01.2024\nИзложба,2023-11-30\nПиеса,1.2.2024\nКоледа,24.12.2024\n";

const BAD_EVENTS: &str = "event,held\nКонцерт,05.01.2024\nПиеса,31.02.2024\n";

#[tokio::test]
async fn a_publisher_corrects_a_column_type_and_values_that_do_not_fit_change_nothing() {
    let app = TestApp::start().await;
    let (sofia, _) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let (s, d) = action(
        &app,
        Some(&token),
        "package_create",
        dataset(
            "sofia-places",
            SOFIA_EIK,
            "Културни места",
            "Cultural places",
            "educ",
            "cc-by-4.0",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let id = d["result"]["id"].as_str().unwrap().to_owned();
    let r = upload(&app, &token, &id, "places.csv", PLACES).await;
    let rid = r["result"]["id"].as_str().unwrap().to_owned();
    let types = |found: &Value| -> Vec<(String, String)> {
        found["result"]["fields"]
            .as_array()
            .unwrap_or_else(|| panic!("no fields in {found}"))
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_owned(),
                    f["type"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let search = |body: Value| {
        let app = &app;
        async move { action(app, None, "datastore_search", body).await }
    };
    let (_, before) = search(json!({ "resource_id": rid })).await;
    assert!(types(&before).contains(&("code".into(), "text".into())));
    assert!(types(&before).contains(&("opened".into(), "text".into())));

    let publisher = crate::catalog::staff(
        &app,
        "data@sofia.example.bg",
        SOFIA_EIK,
        portico_identity::Role::DataPublisher,
    )
    .await;
    // Linked from the dataset page, for its publisher only.
    let page = publisher.get("/data/sofia-places").await;
    let href = format!("/data/sofia-places/resources/{rid}/fields");
    assert!(page.body.contains(&href), "{}", page.body);
    assert!(!app
        .client()
        .get("/data/sofia-places")
        .await
        .body
        .contains(&href));
    let form = publisher.get(&href).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.texts("#od-fields tbody td"),
        vec![
            "name",
            "Текст",
            "code",
            "Текст",
            "opened",
            "Текст",
            "zip",
            "Цяло число"
        ]
    );
    // "x3" is not a whole number: the row is named and nothing changes.
    let bad = publisher
        .post_form(&href, &[("field", "code"), ("type", "int")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = bad.texts(".error-summary li a");
    assert_eq!(summary.len(), 1, "{summary:?}");
    assert!(
        summary[0].contains("Ред 3") && summary[0].contains("x3"),
        "{summary:?}"
    );
    let (_, same) = search(json!({ "resource_id": rid, "filters": {"code": "x3"} })).await;
    assert_eq!(same["result"]["total"], 1);
    assert!(types(&same).contains(&("code".into(), "text".into())));
    // Over the API the same problem is a CKAN Validation Error; an unknown type is refused.
    let unknown = publisher
        .post_form(&href, &[("field", "code"), ("type", "money")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Dates written YYYY-MM-DD become a date column: sorted as dates, filtered by a date.
    let ok = publisher
        .post_form(&href, &[("field", "opened"), ("type", "date")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let saved = publisher.get(ok.location()).await;
    assert!(saved.body.contains("Типът на колоната е променен"));
    let (_, sorted) = search(json!({ "resource_id": rid, "sort": "opened desc" })).await;
    assert!(types(&sorted).contains(&("opened".into(), "date".into())));
    assert_eq!(sorted["result"]["records"][0]["name"], "Читалище");
    let (s, wrong) =
        search(json!({ "resource_id": rid, "filters": {"opened": "30.11.2023"} })).await;
    assert_eq!(s, StatusCode::CONFLICT, "{wrong}");
    // A number column made text and back: the values survive each change.
    for (to, expected) in [("text", "text"), ("int", "int")] {
        let ok = publisher
            .post_form(&href, &[("field", "zip"), ("type", to)])
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let (_, found) =
            search(json!({ "resource_id": rid, "filters": {"zip": "1000"}, "sort": "zip" })).await;
        assert!(types(&found).contains(&("zip".into(), expected.into())));
        assert_eq!(found["result"]["total"], 2);
    }
    let (_, numbers) = search(json!({ "resource_id": rid, "sort": "zip desc" })).await;
    assert_eq!(numbers["result"]["records"][0]["zip"], 9000);

    // Dates written the Bulgarian way, DD.MM.YYYY, become YYYY-MM-DD; a value that is neither
    // (here a 31st of February) is refused with its row, and nothing changes.
    for (file, body, ok) in [
        ("bad-events.csv", BAD_EVENTS, false),
        ("events.csv", EVENTS, true),
    ] {
        let r = upload(&app, &token, &id, file, body).await;
        let rid = r["result"]["id"].as_str().unwrap().to_owned();
        let href = format!("/data/sofia-places/resources/{rid}/fields");
        let answer = publisher
            .post_form(&href, &[("field", "held"), ("type", "date")])
            .await;
        let (_, found) = search(json!({ "resource_id": rid, "sort": "held" })).await;
        let held: Vec<&str> = found["result"]["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["held"].as_str().unwrap())
            .collect();
        if ok {
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
            assert!(types(&found).contains(&("held".into(), "date".into())));
            assert_eq!(
                held,
                ["2023-11-30", "2024-01-05", "2024-02-01", "2024-12-24"]
            );
            let (_, one) =
                search(json!({ "resource_id": rid, "filters": {"held": "2024-02-01"} })).await;
            assert_eq!(one["result"]["records"][0]["event"], "Пиеса", "{one}");
        } else {
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
            let summary = answer.texts(".error-summary li a");
            assert_eq!(summary.len(), 1, "{summary:?}");
            assert!(
                summary[0].contains("Ред 2")
                    && summary[0].contains("31.02.2024")
                    && summary[0].contains("ДД.ММ.ГГГГ"),
                "{summary:?}"
            );
            assert!(types(&found).contains(&("held".into(), "text".into())));
            assert_eq!(held, ["05.01.2024", "31.02.2024"], "unchanged");
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'opendata.field_retyped'")
            .await,
        4
    );
}

const LIBRARIES: &str = "name,district,address,visitors\n\
    Столична библиотека,Средец,\"пл. Славейков 4\",120000\n\
    Библиотека „Христо Ботев“,Люлин,ж.к. Люлин 3,15000\n\
    Читалище НАДЕЖДА,Надежда,ул. Христо Ботев-12,8000\n\
    Детска библиотека,Средец,ул. Шипка 2,30000\n";

/// `q` in `datastore_search` goes through the table's word index (FTS5 on SQLite, a tsvector with
/// a GIN index on PostgreSQL) and answers the same on both: every word of `q` must begin a word
/// of the row, whatever its case and the punctuation around it; a piece from inside a word finds
/// nothing; a filter and `q` combine.
#[tokio::test]
async fn datastore_q_finds_words_through_the_word_index_and_combines_with_filters() {
    let app = TestApp::start().await;
    let (sofia, _) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let (s, d) = action(
        &app,
        Some(&token),
        "package_create",
        dataset(
            "sofia-libraries",
            SOFIA_EIK,
            "Библиотеки",
            "Libraries",
            "educ",
            "cc-by-4.0",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let id = d["result"]["id"].as_str().unwrap().to_owned();
    let r = upload(&app, &token, &id, "libraries.csv", LIBRARIES).await;
    let rid = r["result"]["id"].as_str().unwrap().to_owned();
    let table = format!("opendata_ds_{}", rid.replace('-', ""));
    let index = if std::env::var("PORTICO_TEST_DATABASE").as_deref() == Ok("postgres") {
        format!("SELECT COUNT(*) FROM pg_indexes WHERE indexname = '{table}_tsv'")
    } else {
        format!("SELECT COUNT(*) FROM sqlite_master WHERE name = '{table}_fts'")
    };
    assert_eq!(app.count(&index).await, 1, "the table has its word index");
    let found = |q: &'static str, filters: Value| {
        let (app, rid) = (&app, &rid);
        async move {
            let (s, body) = action(
                app,
                None,
                "datastore_search",
                json!({ "resource_id": rid, "q": q, "filters": filters }),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{q}: {body}");
            let ids: Vec<i64> = body["result"]["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["_id"].as_i64().unwrap())
                .collect();
            assert_eq!(body["result"]["total"], ids.len(), "{q}");
            ids
        }
    };
    let none = json!({});
    // Words in any case, beside any punctuation; the start of a word; every word must be there.
    assert_eq!(found("библиотека", none.clone()).await, [1, 2, 4]);
    assert_eq!(found("БИБЛИОТЕКА", none.clone()).await, [1, 2, 4]);
    assert_eq!(found("библ", none.clone()).await, [1, 2, 4]);
    assert_eq!(found("ботев", none.clone()).await, [2, 3]);
    assert_eq!(found("Ботев, Христо!", none.clone()).await, [2, 3]);
    assert_eq!(found("надежда", none.clone()).await, [3]);
    assert_eq!(found("шипка 2", none.clone()).await, [4]);
    assert_eq!(found("120000", none.clone()).await, [1]);
    // Not words of the table: a piece from inside a word, a word that is nowhere, two words of
    // which one is missing.
    assert!(found("иблиотека", none.clone()).await.is_empty());
    assert!(found("читалищета", none.clone()).await.is_empty());
    assert!(found("библиотека варна", none.clone()).await.is_empty());
    // A filter and q together.
    assert_eq!(
        found("библиотека", json!({ "district": "Средец" })).await,
        [1, 4]
    );
    assert_eq!(found("ботев", json!({ "district": "Люлин" })).await, [2]);
    assert!(found("библиотека", json!({ "district": "Надежда" }))
        .await
        .is_empty());
}
