//! The registry exchange: the mediator answers only granted fields; every refusal (no grant, an
//! expired grant, no legal basis, an unknown operation or version, a bad identifier) is refused
//! and logged; the person sees exactly the queries about them, deferred ones from their date on;
//! an owner's HTTP service over real HTTP that is slow, answers nonsense or fails is refused
//! clearly and logged; the access matrix; the register of registers.

use crate::cases::{seeded, staff, verified_citizen, OPERATOR};
use crate::support::TestApp;
use axum::routing::post;
use portico_core::{Actor, ApiClient, Assurance, Clock, Person, Role, RoleGrant};
use portico_identity::service::administrations;
use portico_registries::model::{
    AccessDecision, AccessRequest, Adapter, NewOperation, NewRegister, QueryContext, QueryRequest,
    SubjectKind,
};
use portico_registries::service::{access, catalogue, demo, Registries};
use portico_registries::RegistryError;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BURGAS_EIK: &str = "000056814";
const BASIS: &str = "Закон за гражданската регистрация, чл. 99";

fn ctx(app: &TestApp) -> Registries {
    Registries::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        portico_audit::SigningKey::generate(),
        portico_core::Pseudonymiser::new(b"registries-test-key".to_vec()),
    )
}

async fn administration(app: &TestApp, eik: &str) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let id = administrations::find_by_eik_in(&mut tx, eik)
        .await
        .unwrap()
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    id
}

fn client_of(administration_id: &str, scopes: &[&str]) -> Actor {
    Actor::ApiClient(ApiClient {
        client_id: "burgas-system".into(),
        administration_id: administration_id.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
    })
}

fn person_query(subject: &str, basis: Option<&str>) -> QueryRequest {
    QueryRequest {
        register: "population".into(),
        operation: "person".into(),
        version: None,
        context: QueryContext {
            legal_basis: basis.map(str::to_owned),
            service: Some("address-registration-burgas".into()),
            employee: Some("emp-17".into()),
            employee_role: Some("operator".into()),
            subject: subject.into(),
            ..Default::default()
        },
        parameters: json!({}),
        signed: false,
    }
}

/// The demo citizen Ivan Petrov, who is in the demo population register.
fn ivan() -> String {
    portico_core::personal_id::synthetic_egn(
        chrono::NaiveDate::from_ymd_opt(1985, 7, 14).unwrap(),
        123,
    )
}

fn now_ms(app: &TestApp) -> i64 {
    portico_core::clock::to_millis(app.clock.now())
}

async fn logged(app: &TestApp, outcome: &str, code: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM registries_query_log WHERE outcome = $1 AND error_code = $2",
    )
    .bind(outcome)
    .bind(code)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn a_grant_for_two_fields_returns_those_two_and_no_other_and_signs_on_request() {
    let app = seeded().await;
    let ctx = ctx(&app);
    let burgas = administration(&app, BURGAS_EIK).await;
    demo::grant(
        &ctx,
        &burgas,
        "population",
        "person",
        &["given_name", "birth_date"],
        BASIS,
        "проверка на самоличност",
        now_ms(&app) + 86_400_000,
    )
    .await
    .unwrap();
    let mut request = person_query(&ivan(), Some(BASIS));
    request.signed = true;
    let answer =
        portico_registries::service::query(&ctx, &client_of(&burgas, &["registries"]), &request)
            .await
            .unwrap();
    assert_eq!(
        answer.data,
        json!({ "given_name": "Иван", "birth_date": "1985-07-14" })
    );
    assert_eq!(answer.fields, ["birth_date", "given_name"]);
    let verified = ctx
        .key
        .verify_jws(answer.jws.as_deref().unwrap(), app.clock.now())
        .unwrap();
    let payload = verified.payload;
    assert_eq!(payload["data"], answer.data);
    assert_eq!(payload["query_id"], answer.query_id.as_str());

    // The log holds the fields returned, and the subject only as a keyed hash.
    let (fields, subject): (String, String) =
        sqlx::query_as("SELECT fields, subject_hash FROM registries_query_log WHERE id = $1")
            .bind(&answer.query_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(fields, r#"["birth_date","given_name"]"#);
    assert!(!subject.contains(&ivan()));
    assert_eq!(subject, ctx.subject_hash(&ivan()));

    // Over HTTP, Sofia's operator reads what Sofia was granted for the address registration.
    let operator = staff(&app, OPERATOR).await;
    let page = operator
        .post_json(
            "/api/v1/registries/population/person",
            &json!({ "context": { "legal_basis": BASIS, "subject": ivan(), "service": "address-registration-sofia" } }),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = page.json();
    let mut keys: Vec<&str> = body["data"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "birth_date",
            "children",
            "current_address",
            "family_name",
            "father_egn",
            "given_name",
            "mother_egn",
            "permanent_address"
        ]
    );
    assert_eq!(body["data"]["children"].as_array().unwrap().len(), 2);
    assert_eq!(body["data"]["current_address"], "sof-0002");
}

#[tokio::test]
async fn queries_without_a_grant_an_expired_grant_a_legal_basis_a_known_operation_or_a_valid_identifier_are_refused_and_logged(
) {
    let app = seeded().await;
    let ctx = ctx(&app);
    let burgas = administration(&app, BURGAS_EIK).await;
    let client = client_of(&burgas, &["registries"]);
    let query = |r: QueryRequest| {
        let (ctx, client) = (ctx.clone(), client.clone());
        async move { portico_registries::service::query(&ctx, &client, &r).await }
    };

    // No grant.
    let refused = query(person_query(&ivan(), Some(BASIS))).await.unwrap_err();
    assert!(matches!(refused, RegistryError::NoGrant), "{refused:?}");
    assert_eq!(logged(&app, "refused", "no_grant").await, 1);

    // A grant that ends in an hour, then an hour and a minute later.
    demo::grant(
        &ctx,
        &burgas,
        "population",
        "person",
        &["given_name"],
        BASIS,
        "проверка",
        now_ms(&app) + 3_600_000,
    )
    .await
    .unwrap();
    assert!(query(person_query(&ivan(), Some(BASIS))).await.is_ok());
    app.advance(3_660);
    let refused = query(person_query(&ivan(), Some(BASIS))).await.unwrap_err();
    assert!(
        matches!(refused, RegistryError::GrantExpired),
        "{refused:?}"
    );
    assert_eq!(logged(&app, "refused", "grant_expired").await, 1);

    // No legal basis (missing, or blank).
    for basis in [None, Some("  ")] {
        let refused = query(person_query(&ivan(), basis)).await.unwrap_err();
        assert!(
            matches!(refused, RegistryError::LegalBasisRequired),
            "{refused:?}"
        );
    }
    assert_eq!(logged(&app, "refused", "legal_basis_required").await, 2);

    // An unknown operation, and an unknown version of a known one.
    let mut unknown = person_query(&ivan(), Some(BASIS));
    unknown.operation = "tax_debts".into();
    assert!(matches!(
        query(unknown).await.unwrap_err(),
        RegistryError::UnknownOperation
    ));
    let mut old = person_query(&ivan(), Some(BASIS));
    old.version = Some("7".into());
    assert!(matches!(
        query(old).await.unwrap_err(),
        RegistryError::UnknownOperation
    ));
    assert_eq!(logged(&app, "refused", "unknown_operation").await, 2);

    // An EGN whose check digit is wrong.
    let mut bad = ivan();
    let last = bad.pop().unwrap().to_digit(10).unwrap();
    bad.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let refused = query(person_query(&bad, Some(BASIS))).await.unwrap_err();
    assert!(
        matches!(
            refused,
            RegistryError::InvalidSubject("personal_id.bad_checksum")
        ),
        "{refused:?}"
    );
    assert_eq!(logged(&app, "refused", "invalid_subject").await, 1);

    // A client without the scope is not a registry client; that is logged too.
    let refused = portico_registries::service::query(
        &ctx,
        &client_of(&burgas, &["cases"]),
        &person_query(&ivan(), Some(BASIS)),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, RegistryError::NotAClient));
    assert_eq!(logged(&app, "refused", "not_a_registry_client").await, 1);

    // Over HTTP: the stable code and a message, and nothing of the register's data.
    let operator = staff(&app, OPERATOR).await;
    let page = operator
        .post_json(
            "/api/v1/registries/commercial/company",
            &json!({ "context": { "legal_basis": BASIS, "subject": "000696327" } }),
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert_eq!(page.json()["error"]["code"], "no_grant");
    let page = operator
        .post_json(
            "/api/v1/registries/population/person",
            &json!({ "context": { "subject": ivan() } }),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.json()["error"]["code"], "legal_basis_required");
    // Nobody signed in: not a query at all.
    let anonymous = app.client();
    let page = anonymous
        .post_json(
            "/api/v1/registries/population/person",
            &json!({ "context": { "subject": ivan() } }),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_person_sees_exactly_the_queries_about_them_and_a_deferred_one_from_its_date() {
    let app = seeded().await;
    let ctx = ctx(&app);
    let (citizen, egn, secret) = verified_citizen(&app, "subject@example.bg").await;
    let someone_else = crate::support::fresh_egn();
    for (e, name) in [(&egn, "Анна"), (&someone_else, "Борис")] {
        demo::insert_people(
            &ctx,
            &[demo::PersonRecord {
                egn: e.clone(),
                given_name: name.into(),
                middle_name: "Иванова".into(),
                family_name: "Колева".into(),
                birth_date: portico_core::PersonalId::parse_egn(e)
                    .unwrap()
                    .birth_date()
                    .unwrap(),
                sex: "female",
                permanent_address: "sof-0001".into(),
                current_address: "sof-0001".into(),
                mother_egn: None,
                father_egn: None,
            }],
        )
        .await
        .unwrap();
    }
    let empty = citizen.get("/my-data").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.texts("#query-log tr.query-row").is_empty());
    assert!(empty.texts("#population dd").iter().any(|t| t == "Анна"));

    let operator = staff(&app, OPERATOR).await;
    let today = portico_core::calendar::sofia_local(app.clock.now()).date();
    let later = today + chrono::Duration::days(10);
    for context in [
        json!({ "legal_basis": BASIS, "subject": egn, "service": "address-registration-sofia" }),
        json!({ "legal_basis": "Закон за МВР, чл. 159", "subject": egn,
                "defer_until": later.to_string(), "deferral_reason": "Проверка по досъдебно производство" }),
        json!({ "legal_basis": BASIS, "subject": someone_else }),
    ] {
        let page = operator
            .post_json(
                "/api/v1/registries/population/person",
                &json!({ "context": context }),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }

    let page = citizen.get("/my-data").await;
    let rows = page.texts("#query-log tr.query-row");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Столична община"), "{}", rows[0]);
    // The querying employee's role by its name in the person's language, not its stored code.
    assert!(rows[0].contains("(Служител)"), "{}", rows[0]);
    assert!(!rows[0].contains("operator"), "{}", rows[0]);
    assert!(rows[0].contains(BASIS));
    assert!(rows[0].contains("given_name"));
    assert!(!page.body.contains("досъдебно"));
    let download = citizen.get("/my-data.json").await;
    assert_eq!(download.json()["queries"].as_array().unwrap().len(), 1);

    // On the date the deferred query shows, with its reason.
    app.advance(11 * 86_400);
    crate::assurance::sign_in_again(&app, &citizen, "subject@example.bg", &secret).await;
    let page = citizen.get("/my-data").await;
    let rows = page.texts("#query-log tr.query-row");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        page.texts(".deferral-reason"),
        ["Проверка по досъдебно производство"]
    );
    let download = citizen.get("/my-data.json").await;
    let queries = download.json()["queries"].as_array().unwrap().clone();
    assert_eq!(queries.len(), 2);
    assert!(!download.body.contains(&someone_else));
    // The page to print (or save as PDF) holds the same, and no form.
    assert_eq!(page.texts("a#my-data-print").len(), 1);
    let print = citizen.get("/my-data/print").await;
    assert_eq!(print.status, StatusCode::OK);
    assert_eq!(print.texts("#query-log tr.query-row").len(), 2);
    assert!(print.body.contains("(Служител)") && !print.body.contains("(operator)"));
    citizen.get("/lang?to=en&back=/").await;
    let english = citizen.get("/my-data").await;
    let rows = english.texts("#query-log tr.query-row");
    assert!(rows.iter().all(|r| r.contains("(Operator)")), "{rows:?}");
    citizen.get("/lang?to=bg&back=/").await;
    assert_eq!(
        print.texts(".deferral-reason"),
        ["Проверка по досъдебно производство"]
    );
    assert!(!print
        .body
        .contains("<form method=\"post\" action=\"/my-data"));

    // The same as a PDF file made by the server, linked from the page: who looked, when, on
    // what legal basis, for which fields; the deferred query with its reason; nobody else's.
    assert_eq!(
        page.attr("a#my-data-pdf", "href").as_deref(),
        Some("/my-data.pdf")
    );
    let (status, headers, pdf) = citizen.get_bytes("/my-data.pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = crate::documents::pdftotext(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Моите данни"), "{flat}");
    assert!(flat.contains("Анна"), "the population record: {flat}");
    assert!(flat.matches("Столична община").count() >= 2, "{flat}");
    assert!(flat.contains(BASIS), "{flat}");
    assert!(flat.contains("Закон за МВР, чл. 159"), "{flat}");
    assert!(
        flat.contains("Проверка по досъдебно производство"),
        "{flat}"
    );
    assert!(flat.contains("address-registration-sofia"), "{flat}");
    assert!(flat.contains("given_name"), "{flat}");
    assert!(
        !flat.contains("Борис") && !flat.contains(&someone_else),
        "{flat}"
    );
    let (status, _, _) = crate::support::Client::new(&app.base)
        .get_bytes("/my-data.pdf")
        .await;
    assert_ne!(status, StatusCode::OK, "not without signing in");
}

#[tokio::test]
async fn my_data_needs_substantial_assurance_and_takes_a_correction_request() {
    let app = seeded().await;
    let (claimed, _, _) = crate::cases::citizen(&app, "claimed@example.bg").await;
    let page = claimed.get("/my-data").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        claimed.get("/my-data/print").await.status,
        StatusCode::FORBIDDEN
    );

    let (citizen, _, _) = verified_citizen(&app, "fixme@example.bg").await;
    let page = citizen.get("/my-data").await;
    assert!(page
        .texts("nav a")
        .iter()
        .any(|t| t.contains("Моите данни")));
    let refused = citizen
        .post_form(
            "/my-data/corrections",
            &[
                ("register", "population"),
                ("field", ""),
                ("proposed_value", "x"),
                ("reason", "y"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registries_corrections")
            .await,
        0
    );
    citizen.get("/my-data").await;
    let sent = citizen
        .post_form(
            "/my-data/corrections",
            &[
                ("register", "population"),
                ("field", "Настоящ адрес"),
                ("proposed_value", "ул. Шипка 6"),
                ("reason", "Преместих се през март."),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = citizen.get("/my-data?sent=1").await;
    assert!(page.body.contains("ул. Шипка 6"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'registries.correction_requested'"
        )
        .await,
        1
    );
}

/// The owner's service, on loopback: `/ok` answers by the schema (after checking the request is
/// a JWS by the platform), `/slow` takes three seconds, `/nonsense` answers off-schema, `/broken`
/// fails.
async fn owner_service(
    key: portico_audit::SigningKey,
    clock: portico_core::FixedClock,
) -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_by_ok = seen.clone();
    let router = axum::Router::new()
        .route(
            "/ok",
            post(move |body: String| {
                let (key, clock, seen) = (key.clone(), clock.clone(), seen_by_ok.clone());
                async move {
                    let verified = key.verify_jws(&body, clock.now()).expect("a JWS by the platform");
                    let request = verified.payload;
                    seen.lock().unwrap().push(request.clone());
                    axum::Json(json!({ "plate": "CA 1234 AB", "owner": request["subject"], "insured": true }))
                }
            }),
        )
        .route(
            "/slow",
            post(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                axum::Json(json!({ "plate": "CA 1234 AB", "owner": "x", "insured": true }))
            }),
        )
        .route("/nonsense", post(|| async { axum::Json(json!({ "plate": 42 })) }))
        .route(
            "/broken",
            post(|| async { (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}"), seen)
}

#[tokio::test]
async fn an_owners_http_service_is_called_signed_and_a_slow_malformed_or_failing_one_is_refused_and_logged(
) {
    let app = seeded().await;
    let ctx = ctx(&app);
    let (base, seen) = owner_service(ctx.key.clone(), app.clock.clone()).await;
    let burgas = administration(&app, BURGAS_EIK).await;
    catalogue::define_register(
        &ctx,
        &Actor::System("test"),
        &NewRegister {
            code: "vehicles".into(),
            owner_administration_id: burgas.clone(),
            name_bg: "Регистър на МПС".into(),
            name_en: "Vehicle register".into(),
            legal_basis: "Закон за движението по пътищата, чл. 140".into(),
        },
    )
    .await
    .unwrap();
    for path in ["ok", "slow", "nonsense", "broken"] {
        catalogue::define_operation(
            &ctx,
            &Actor::System("test"),
            &NewOperation {
                register_code: "vehicles".into(),
                code: path.into(),
                version: "1".into(),
                name_bg: "МПС на лице".into(),
                name_en: "A person's vehicles".into(),
                subject_kind: SubjectKind::Person,
                request_schema: json!({ "type": "object" }),
                response_schema: json!({
                    "type": "object",
                    "required": ["plate", "owner"],
                    "properties": { "plate": {"type": "string"}, "owner": {"type": "string"}, "insured": {"type": "boolean"} }
                }),
                personal_fields: vec!["owner".into()],
                adapter: Adapter::Http { url: format!("{base}/{path}") },
                timeout_ms: 500,
            },
        )
        .await
        .unwrap();
        demo::grant(
            &ctx,
            &burgas,
            "vehicles",
            path,
            &["plate", "insured"],
            BASIS,
            "проверка",
            now_ms(&app) + 86_400_000,
        )
        .await
        .unwrap();
    }
    let client = client_of(&burgas, &["registries"]);
    let ask = |op: &str| {
        let mut r = person_query(&ivan(), Some(BASIS));
        r.register = "vehicles".into();
        r.operation = op.into();
        r
    };

    let answer = portico_registries::service::query(&ctx, &client, &ask("ok"))
        .await
        .unwrap();
    assert_eq!(
        answer.data,
        json!({ "plate": "CA 1234 AB", "insured": true })
    );
    let request = seen.lock().unwrap()[0].clone();
    assert_eq!(request["subject"], ivan());
    assert_eq!(request["legal_basis"], BASIS);
    assert_eq!(request["query_id"], answer.query_id.as_str());

    let started = Instant::now();
    let slow = portico_registries::service::query(&ctx, &client, &ask("slow"))
        .await
        .unwrap_err();
    assert!(matches!(slow, RegistryError::AdapterTimeout), "{slow:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(logged(&app, "failed", "adapter_timeout").await, 1);

    let nonsense = portico_registries::service::query(&ctx, &client, &ask("nonsense"))
        .await
        .unwrap_err();
    assert!(
        matches!(nonsense, RegistryError::AdapterBadResponse(_)),
        "{nonsense:?}"
    );
    assert_eq!(logged(&app, "failed", "adapter_bad_response").await, 1);

    let broken = portico_registries::service::query(&ctx, &client, &ask("broken"))
        .await
        .unwrap_err();
    assert!(
        matches!(broken, RegistryError::AdapterFailed(_)),
        "{broken:?}"
    );
    assert_eq!(logged(&app, "failed", "adapter_failed").await, 1);
    // Nothing of the owner's answer is logged; the subject is not in the log in the clear.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM registries_query_log WHERE subject_hash = '{}'",
            ivan()
        ))
        .await,
        0
    );
}

#[tokio::test]
async fn an_owner_approves_named_fields_for_a_period_or_refuses_and_both_are_audited() {
    let app = seeded().await;
    let ctx = ctx(&app);
    let burgas = administration(&app, BURGAS_EIK).await;
    let client = client_of(&burgas, &["registries"]);
    let ask = |fields: &[&str]| AccessRequest {
        register: "commercial".into(),
        operation: "company".into(),
        version: "1".into(),
        administration_id: None,
        legal_basis: "Закон за обществените поръчки, чл. 58".into(),
        purpose: "Проверка на участници в поръчки".into(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
    };
    let pending = access::request(
        &ctx,
        &client,
        &ask(&["name", "legal_form", "representatives"]),
    )
    .await
    .unwrap();
    assert_eq!(pending.status, "pending");
    assert!(matches!(
        access::request(&ctx, &client, &ask(&["bank_account"]))
            .await
            .unwrap_err(),
        RegistryError::Invalid("unknown_field")
    ));

    let (owner, _) = catalogue::find_operation(&app.db, "commercial", "company", None)
        .await
        .unwrap()
        .unwrap();
    let keeper = Actor::Person(Person {
        account_id: "keeper".into(),
        assurance: Assurance::Substantial,
        roles: vec![RoleGrant {
            administration_id: owner.clone(),
            unit_id: None,
            role: Role::RegisterOwner,
        }],
        on_behalf_of: None,
    });
    let stranger = Actor::Person(Person {
        account_id: "stranger".into(),
        assurance: Assurance::Substantial,
        roles: vec![RoleGrant {
            administration_id: burgas.clone(),
            unit_id: None,
            role: Role::RegisterOwner,
        }],
        on_behalf_of: None,
    });
    let until = now_ms(&app) + 30 * 86_400_000;
    let approve = AccessDecision::Approve {
        fields: vec!["name".into(), "legal_form".into()],
        valid_until: until,
    };
    assert!(matches!(
        access::decide(&ctx, &stranger, &pending.id, &approve)
            .await
            .unwrap_err(),
        RegistryError::NotFound
    ));
    let approved = access::decide(&ctx, &keeper, &pending.id, &approve)
        .await
        .unwrap();
    assert_eq!(approved.status, "approved");
    assert_eq!(approved.granted_fields, ["name", "legal_form"]);
    // Answers list fields in the schema's (alphabetical) order.

    let company: (String,) = sqlx::query_as("SELECT eik FROM registries_companies ORDER BY eik")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let mut request = person_query(&company.0, Some(BASIS));
    request.register = "commercial".into();
    request.operation = "company".into();
    let answer = portico_registries::service::query(&ctx, &client, &request)
        .await
        .unwrap();
    assert_eq!(answer.fields, ["legal_form", "name"]);

    let second = access::request(&ctx, &client, &ask(&["seat"]))
        .await
        .unwrap();
    let refused = access::decide(
        &ctx,
        &keeper,
        &second.id,
        &AccessDecision::Refuse {
            reason: "Няма основание".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(refused.status, "refused");
    for action in [
        "registries.access_requested",
        "registries.access_approved",
        "registries.access_refused",
    ] {
        assert!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await
                >= 1,
            "{action}"
        );
    }

    // The register of registers shows who may query what, as JSON and as a page.
    let list = app.client().get("/api/v1/registries").await;
    assert_eq!(list.status, StatusCode::OK);
    let registers = list.json()["items"].as_array().unwrap().clone();
    let commercial = registers
        .iter()
        .find(|r| r["code"] == "commercial")
        .unwrap();
    assert_eq!(commercial["owner_name_en"], "Registry Agency");
    let grants = commercial["operations"][0]["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0]["fields"], json!(["name", "legal_form"]));
    assert_eq!(grants[0]["administration_name_en"], "Burgas Municipality");
    let page = app.client().get("/registries").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Търговски регистър"));
    assert!(page.body.contains("Община Бургас"));
}

/// Waits (up to ten seconds) for the node's job worker to open the correction's case; returns
/// "my data" with the link to it.
async fn with_case(citizen: &crate::support::Client) -> crate::support::Page {
    for _ in 0..200 {
        let page = citizen.get("/my-data").await;
        if !page.texts("a.correction-case").is_empty() {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the correction request did not become a case");
}

#[tokio::test]
async fn a_correction_request_becomes_a_case_in_the_owners_queue_and_the_person_follows_it() {
    let app = seeded().await;
    let (citizen, _, _) = verified_citizen(&app, "moved@example.bg").await;
    citizen.get("/my-data").await;
    let sent = citizen
        .post_form(
            "/my-data/corrections",
            &[
                ("register", "addresses"),
                ("field", "Собственици на sof-0007"),
                ("proposed_value", "Не съм собственик от 2024 г."),
                ("reason", "Продадох жилището, нотариален акт № 12/2024."),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    // The outbox job opens the case at the address register's owner, Sofia Municipality;
    // "my data" links to it by its tracking number.
    let page = with_case(&citizen).await;
    let number = page.texts("a.correction-case").remove(0);
    assert!(!number.is_empty());
    let link = page.attr("a.correction-case", "href").unwrap();
    let id = link.trim_start_matches("/applications/").to_owned();

    // In the owner's queue, with what to correct and why.
    let admin = staff(&app, "admin@sofia.portico.demo").await;
    let queue = admin.get("/office").await;
    assert!(queue.body.contains(&number), "{}", queue.body);
    let case = admin.get(&format!("/office/cases/{id}")).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    assert!(case.body.contains("Поправка на данни в основен регистър"));
    assert!(case.body.contains("Не съм собственик от 2024 г."));
    assert!(case.body.contains("нотариален акт № 12/2024"));

    // The person sees it submitted, then in review once the owner takes it.
    let mine = citizen.get(&link).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert!(mine.body.contains(&number));
    assert!(mine.body.contains("Подадено"), "{}", mine.body);
    let version = case.attr("input[name=version]", "value").unwrap();
    let claimed = admin
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.body);
    let started = crate::cases::transition(&app, &admin, &id, "start_review", &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let mine = citizen.get(&link).await;
    assert!(
        mine.body.contains("В процес на разглеждане"),
        "{}",
        mine.body
    );

    // The job said twice opens one case.
    let mut tx = app.db.begin().await.unwrap();
    let (correction,): (String,) = sqlx::query_as("SELECT id FROM registries_corrections")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let again = portico_store::jobs::enqueue(
        &mut tx,
        portico_store::jobs::NewJob::now(
            portico_registries::service::corrections::CORRECTION_JOB,
            json!({ "correction_id": correction }),
            app.clock.now(),
        ),
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for _ in 0..200 {
        let status = portico_store::jobs::status(&app.db, &again).await.unwrap();
        if status.is_some_and(|s| s.status == "done") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        portico_store::jobs::status(&app.db, &again)
            .await
            .unwrap()
            .unwrap()
            .status,
        "done"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE applicant_id = (SELECT account_id FROM registries_corrections WHERE id = '{correction}')"
        ))
        .await,
        1
    );
}
