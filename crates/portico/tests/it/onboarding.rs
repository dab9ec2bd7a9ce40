//! Onboarding an administration in the browser (issue 15, item 1): a platform admin adds it and
//! invites its first admin by e-mail; the invitation works once and expires; the new admin sets a
//! password and an authenticator app, adds units from a CSV file (every bad line named, nothing
//! added), invites an operator to a unit, and adopts a service. Nobody sees or changes another
//! administration's units, staff or invitations, and an operator cannot reach the console.

use crate::catalog::{administration_id, seeded, staff};
use crate::support::{Client, TestApp, PASSWORD};
use portico::demo::SOFIA_EIK;
use portico_identity::Role;
use reqwest::StatusCode;

/// A valid 9-digit EIK that no demo administration has: the first check digit that parses.
pub fn fresh_eik() -> String {
    loop {
        let body = format!("{:08}", rand::random::<u32>() % 100_000_000);
        for d in 0..10 {
            let candidate = format!("{body}{d}");
            if portico_core::Eik::parse(&candidate).is_ok() {
                return candidate;
            }
        }
    }
}

/// The invitation link's path (`/invitations/…`) in the e-mail sent to `to`.
pub async fn invitation_path(app: &TestApp, to: &str) -> String {
    let needle = format!("{}/invitations/", app.base);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        for raw in app.mail.raw() {
            if !raw.contains(to) {
                continue;
            }
            let parsed = mailparse::parse_mail(raw.as_bytes()).unwrap();
            let body = parsed.get_body().unwrap();
            if let Some(at) = body.find(&needle) {
                let token: String = body[at + needle.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                return format!("/invitations/{token}");
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no invitation to {to}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Opens an invitation in a fresh browser, chooses the password and sets up the authenticator
/// app; returns the signed-in client.
pub async fn accept_invitation(app: &TestApp, path: &str) -> Client {
    let c = app.client();
    let form = c.get(path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let accepted = c
        .post_form(
            path,
            &[
                ("given_name", "Мария"),
                ("family_name", "Иванова"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location(), "/account/totp");
    let setup = c.get("/account/totp").await;
    let secret = setup.texts("#totp-secret").pop().expect("the key is shown");
    let done = c
        .post_form("/account/totp", &[("code", &app.totp(&secret))])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    app.advance(30);
    c
}

/// Creates an administration on the console page as the platform admin; returns its id.
pub async fn create_administration(
    app: &TestApp,
    platform: &Client,
    name: &str,
    admin_email: &str,
) -> String {
    let eik = fresh_eik();
    let created = platform
        .post_form(
            "/admin/administrations",
            &[
                ("name_bg", &format!("Община {name}")),
                ("name_en", &format!("{name} Municipality")),
                ("kind", "municipality"),
                ("eik", &eik),
                ("parent_id", ""),
                ("contact_email", "info@example.bg"),
                ("contact_phone", "02 123 4567"),
                ("contact_address", "пл. Независимост 1"),
                ("admin_email", admin_email),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = administration_id(app, &eik).await;
    assert_eq!(
        created.location(),
        format!("/admin/administrations/{id}?done=created")
    );
    id
}

fn districts_csv() -> String {
    let mut csv = String::from("code,name_bg,name_en\n");
    for n in 1..=24 {
        csv.push_str(&format!("district-{n:02},Район {n},District {n}\n"));
    }
    csv
}

fn csv_form(text: &str) -> reqwest::multipart::Form {
    let part = reqwest::multipart::Part::bytes(text.as_bytes().to_vec())
        .file_name("units.csv")
        .mime_str("text/csv")
        .unwrap();
    reqwest::multipart::Form::new().part("units_file", part)
}

/// How long each step of an accession took over HTTP, printed at the end (issue 15, item 5: the
/// measured accession, on whatever machine runs the test).
struct Steps {
    started: std::time::Instant,
    lap: std::time::Instant,
    done: Vec<(&'static str, std::time::Duration)>,
}

impl Steps {
    fn new() -> Steps {
        let now = std::time::Instant::now();
        Steps {
            started: now,
            lap: now,
            done: Vec::new(),
        }
    }

    /// Starts timing the next step (what came between is the test's own checks).
    fn start(&mut self) {
        self.lap = std::time::Instant::now();
    }

    fn done(&mut self, step: &'static str) {
        let now = std::time::Instant::now();
        self.done.push((step, now - self.lap));
        self.lap = now;
    }

    // Printing the figures is the point: `cargo test -- --nocapture` shows them.
    #[allow(clippy::print_stdout)]
    fn print(&self) {
        let mut total = std::time::Duration::ZERO;
        for (step, took) in &self.done {
            total += *took;
            println!(
                "accession step: {step:<58} {:>8.1} ms",
                took.as_secs_f64() * 1000.0
            );
        }
        println!(
            "accession: {:.1} ms in its steps, {:.1} ms with the test's checks (over HTTP, this build, this machine)",
            total.as_secs_f64() * 1000.0,
            self.started.elapsed().as_secs_f64() * 1000.0
        );
    }
}

#[tokio::test]
async fn a_municipality_joins_in_the_browser_and_stays_in_its_own_lane() {
    let app = seeded().await;
    let platform = staff(&app, "platform@example.bg", SOFIA_EIK, Role::PlatformAdmin).await;
    let before = app.count("SELECT COUNT(*) FROM administrations").await;

    // A wrong EIK is refused with its reason; nothing is added.
    let list = platform.get("/admin/administrations").await;
    assert_eq!(list.status, StatusCode::OK);
    let wrong = platform
        .post_form(
            "/admin/administrations",
            &[
                ("name_bg", "Община Грешна"),
                ("name_en", ""),
                ("kind", "municipality"),
                ("eik", "123456788"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let links: Vec<String> = wrong
        .html()
        .select(&scraper::Selector::parse(".error-summary a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(links, vec!["#name_en", "#eik"]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM administrations").await,
        before
    );

    // The administration, with its first admin invited by e-mail.
    let mut steps = Steps::new();
    let id = create_administration(&app, &platform, "Тестово", "first.admin@example.bg").await;
    steps.done("platform admin adds the municipality, invites its admin");
    let page = platform.get(&format!("/admin/administrations/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("+35921234567"), "the contacts are kept");
    assert_eq!(page.texts("#invitation-list tbody tr").len(), 1);

    // The link works once.
    let path = invitation_path(&app, "first.admin@example.bg").await;
    let token = path.trim_start_matches("/invitations/");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM invitations WHERE token_hash = '{token}'"
        ))
        .await,
        0,
        "only the token's hash is stored"
    );
    let stranger = app.client();
    stranger.get(&path).await;
    let weak = stranger
        .post_form(
            &path,
            &[
                ("given_name", "Мария"),
                ("family_name", "Иванова"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    steps.start();
    let admin = accept_invitation(&app, &path).await;
    steps.done("admin opens the link, sets password and authenticator");
    let again = app.client().get(&path).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.texts("#invitation-invalid").len(), 1);
    let reuse = stranger
        .post_form(
            &path,
            &[
                ("given_name", "X"),
                ("family_name", "Y"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reuse.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE email = 'first.admin@example.bg'")
            .await,
        1
    );

    // The new admin reaches the console for their administration, not the platform's pages.
    let console = admin.get("/admin").await;
    assert_eq!(console.status, StatusCode::OK);
    assert!(console
        .body
        .contains(&format!("/admin/administrations/{id}")));
    assert_eq!(
        admin.get("/admin/administrations").await.status,
        StatusCode::FORBIDDEN
    );

    // Units from a file: a bad file names its lines and adds nothing; a good one adds all 24.
    let units_path = format!("/admin/administrations/{id}/units/file");
    let bad = admin
        .post_multipart(
            &units_path,
            csv_form("code,name_bg,name_en\nok,Район,District\nBad Code,Име,Name\nok,Пак,Again\n"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let lines = bad.texts("#units-file-lines li");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains(" 3:"), "{lines:?}");
    assert!(lines[1].contains(" 4:"), "{lines:?}");
    let units = format!("SELECT COUNT(*) FROM units WHERE administration_id = '{id}'");
    assert_eq!(app.count(&units).await, 0);
    steps.start();
    let good = admin
        .post_multipart(&units_path, csv_form(&districts_csv()))
        .await;
    steps.done("admin uploads the 24 districts from a CSV file");
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    assert_eq!(app.count(&units).await, 24);
    let again = admin
        .post_multipart(&units_path, csv_form("district-01,Пак,Again\n"))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count(&units).await, 24, "a taken code adds nothing");
    let one = admin
        .post_form(
            &format!("/admin/administrations/{id}/units"),
            &[
                ("unit_code", "center"),
                ("unit_name_bg", "Център за услуги"),
                ("unit_name_en", "Service centre"),
            ],
        )
        .await;
    assert_eq!(one.status, StatusCode::SEE_OTHER, "{}", one.body);
    assert_eq!(app.count(&units).await, 25);

    // An operator invited to one district.
    steps.start();
    let invited = admin
        .post_form(
            &format!("/admin/administrations/{id}/invitations"),
            &[
                ("invite_email", "operator@example.bg"),
                ("role", "operator"),
                ("unit", "district-03"),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let no_role = admin
        .post_form(
            &format!("/admin/administrations/{id}/invitations"),
            &[("invite_email", "x@example.bg"), ("role", "platform_admin")],
        )
        .await;
    assert_eq!(no_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    steps.done("admin invites an operator to a district");
    let operator =
        accept_invitation(&app, &invitation_path(&app, "operator@example.bg").await).await;
    steps.done("operator gets the e-mail, sets password and authenticator");
    let (unit_code,): (String,) = sqlx::query_as(
        "SELECT u.code FROM role_assignments r JOIN units u ON u.id = r.unit_id \
         JOIN accounts a ON a.id = r.account_id WHERE a.email = 'operator@example.bg' AND r.role = 'operator'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(unit_code, "district-03");
    assert_eq!(operator.get("/admin").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        operator
            .get(&format!("/admin/administrations/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        operator
            .post_form(
                &format!("/admin/administrations/{id}/invitations"),
                &[
                    ("invite_email", "y@example.bg"),
                    ("role", "administration_admin")
                ],
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let staff_page = admin.get(&format!("/admin/administrations/{id}")).await;
    assert_eq!(staff_page.texts("#staff-list tbody tr").len(), 2);

    // The admin adopts a service for the new municipality.
    steps.start();
    let adopted = admin
        .post_form(
            "/admin/catalog/adopt",
            &[
                ("administration_id", &id),
                ("template", "address-registration"),
                ("slug", "address-registration-testovo"),
                ("units", "district-03"),
            ],
        )
        .await;
    assert_eq!(adopted.status, StatusCode::SEE_OTHER, "{}", adopted.body);
    assert_eq!(adopted.location(), "/services/address-registration-testovo");
    steps.done("admin adopts address registration from the library");
    steps.print();

    // Sofia's pages and forms are not there for this admin.
    let sofia = administration_id(&app, SOFIA_EIK).await;
    let sofia_units = format!("SELECT COUNT(*) FROM units WHERE administration_id = '{sofia}'");
    let sofia_before = app.count(&sofia_units).await;
    assert_eq!(
        admin
            .get(&format!("/admin/administrations/{sofia}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let into_sofia = admin
        .post_form(
            &format!("/admin/administrations/{sofia}/units"),
            &[
                ("unit_code", "intruder"),
                ("unit_name_bg", "Чуждо"),
                ("unit_name_en", "Foreign"),
            ],
        )
        .await;
    assert_eq!(into_sofia.status, StatusCode::NOT_FOUND);
    let file_into_sofia = admin
        .post_multipart(
            &format!("/admin/administrations/{sofia}/units/file"),
            csv_form("intruder,Чуждо,Foreign\n"),
        )
        .await;
    assert_eq!(file_into_sofia.status, StatusCode::NOT_FOUND);
    let invite_into_sofia = admin
        .post_form(
            &format!("/admin/administrations/{sofia}/invitations"),
            &[
                ("invite_email", "mole@example.bg"),
                ("role", "administration_admin"),
            ],
        )
        .await;
    assert_eq!(invite_into_sofia.status, StatusCode::NOT_FOUND);
    let adopt_for_sofia = admin
        .post_form(
            "/admin/catalog/adopt",
            &[
                ("administration_id", &sofia),
                ("template", "address-registration"),
                ("slug", "address-registration-mole"),
            ],
        )
        .await;
    assert_eq!(adopt_for_sofia.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count(&sofia_units).await, sofia_before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE email = 'mole@example.bg'")
            .await,
        0
    );

    // Every step is in the audit log.
    for action in [
        "identity.administration_created",
        "identity.invitation_sent",
        "identity.invitation_accepted",
        "identity.unit_created",
        "identity.role_granted",
        "catalog.service_adopted",
    ] {
        let n = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND administration_id = '{id}'"
            ))
            .await;
        assert!(n >= 1, "{action} is audited");
    }
}

#[tokio::test]
async fn an_invitation_expires_and_names_nobody_else() {
    let app = seeded().await;
    let platform = staff(&app, "platform2@example.bg", SOFIA_EIK, Role::PlatformAdmin).await;
    let _id = create_administration(&app, &platform, "Изтичащо", "late@example.bg").await;
    // Without its CSRF token the form changes nothing.
    let before = app.count("SELECT COUNT(*) FROM administrations").await;
    let eik = fresh_eik();
    let raw = platform
        .post_raw(
            "/admin/administrations",
            &[
                ("name_bg", "А"),
                ("name_en", "B"),
                ("kind", "other"),
                ("eik", &eik),
            ],
        )
        .await;
    assert_eq!(raw.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM administrations").await,
        before
    );
    let path = invitation_path(&app, "late@example.bg").await;
    assert_eq!(app.client().get(&path).await.status, StatusCode::OK);
    app.advance(8 * 24 * 3600);
    let late = app.client().get(&path).await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);
    let late_browser = app.client();
    late_browser.get("/login").await;
    let accept = late_browser
        .post_form(
            &path,
            &[
                ("given_name", "Късна"),
                ("family_name", "Покана"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(accept.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE email = 'late@example.bg'")
            .await,
        0
    );
    // A made-up or mangled token finds nothing.
    for bad in ["/invitations/abc", "/invitations/%27%20OR%201=1--"] {
        assert_eq!(app.client().get(bad).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_platform_admin_extends_the_search_synonyms_on_a_console_page() {
    use crate::catalog::search;
    let app = seeded().await;
    let c = app.client();
    let before = search(&c, "ковчег").await;
    assert!(
        !before.contains(&"burial-plot-sofia".to_owned()),
        "{before:?}"
    );
    let admin = staff(
        &app,
        "sofia.admin@example.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    assert_eq!(
        admin.get("/admin/search/synonyms").await.status,
        StatusCode::FORBIDDEN
    );
    let platform = staff(&app, "platform3@example.bg", SOFIA_EIK, Role::PlatformAdmin).await;
    let page = platform.get("/admin/search/synonyms").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.texts("#synonyms-shipped li").len() >= 20);
    let two = platform
        .post_form(
            "/admin/search/synonyms",
            &[("term", "две думи"), ("means", "")],
        )
        .await;
    assert_eq!(two.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(two.texts(".error-summary a").len(), 2);
    let added = platform
        .post_form(
            "/admin/search/synonyms",
            &[("term", "ковчег"), ("means", "гробно място")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let after = search(&c, "ковчег").await;
    assert_eq!(
        after.first().map(String::as_str),
        Some("burial-plot-sofia"),
        "{after:?}"
    );
    let list = platform.get("/admin/search/synonyms").await;
    let action = list
        .attr("#synonyms-added form", "action")
        .expect("a remove button");
    let removed = platform.post_form(&action, &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('catalog.synonym_added', 'catalog.synonym_removed')")
            .await,
        2
    );
    assert!(!search(&c, "ковчег")
        .await
        .contains(&"burial-plot-sofia".to_owned()));
}

/// An admin invited by e-mail who chooses a password and sets up the authenticator app holds
/// both factors in that session: it is `substantial`, so their first save on a service's console
/// (which needs that level) works without signing in again. One who leaves the setup page stays
/// at `low`: the save is refused with the explanation, and nothing changes.
#[tokio::test]
async fn an_invited_admin_who_sets_up_the_authenticator_saves_on_the_console_at_once() {
    use crate::service_console::{stored_fee, valid, PAGE};
    let app = seeded().await;
    let platform = staff(&app, "platform4@example.bg", SOFIA_EIK, Role::PlatformAdmin).await;
    let sofia = administration_id(&app, SOFIA_EIK).await;
    for to in ["two.factors@sofia.bg", "password.only@sofia.bg"] {
        let invited = platform
            .post_form(
                &format!("/admin/administrations/{sofia}/invitations"),
                &[("invite_email", to), ("role", "administration_admin")],
            )
            .await;
        assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    }

    let admin = accept_invitation(&app, &invitation_path(&app, "two.factors@sofia.bg").await).await;
    let account = admin.get("/account").await;
    assert_eq!(
        account.texts("#session-assurance"),
        vec!["значително (проверена самоличност)"],
        "{}",
        account.body
    );
    let saved = admin.post_form(PAGE, &valid("7,50", "cao")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("{PAGE}?done=saved"));
    assert_eq!(stored_fee(&app).await, 750);

    // Password only: the session stays low until a sign-in with the second factor.
    let path = invitation_path(&app, "password.only@sofia.bg").await;
    let skipper = app.client();
    skipper.get(&path).await;
    let accepted = skipper
        .post_form(
            &path,
            &[
                ("given_name", "Петър"),
                ("family_name", "Петров"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    // They see the setup page and leave it.
    assert_eq!(skipper.get("/account/totp").await.status, StatusCode::OK);
    let refused = skipper.post_form(PAGE, &valid("9", "cao")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.texts("#assurance-current").len(), 1);
    // Told what a member of staff lacks: the second factor, not a check at a counter.
    let how = refused.texts("#assurance-how li");
    assert_eq!(how.len(), 1, "{how:?}");
    assert!(how[0].contains("приложението за удостоверяване"), "{how:?}");
    assert!(refused.texts("#assurance-why")[0].contains("само с парола"));
    assert_eq!(stored_fee(&app).await, 750, "nothing changed");
}
