//! Sign-in with a qualified certificate: through a trusted proxy's `X-Client-Cert` header and
//! directly on the TLS listener. Certificates, CAs and CRLs are made here with rcgen; each bad
//! certificate is refused with its reason and links nothing; a number someone else only claimed
//! is taken off their account, and its owner, signed in with the certificate, consents.

use crate::cases::{citizen, fill_address_registration, state_of, submit};
use crate::support::{Client, TestApp};
use portico_identity::service::certificates::CrlSource;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, Issuer,
    KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
};
use reqwest::StatusCode;
use std::path::PathBuf;
use time::{Duration, OffsetDateTime};

const HEADER: &str = "x-client-cert";

/// A certification authority made for the test.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.not_before = OffsetDateTime::now_utc() - Duration::days(30);
        params.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
        let pem = params.self_signed(&key).unwrap().pem();
        Ca { params, key, pem }
    }

    /// A citizen's certificate: `serial_number` is the subject's `serialNumber` (the ETSI
    /// semantics identifier), valid from `from` to `to` days from now.
    fn citizen(&self, serial: u8, serial_number: Option<&str>, from: i64, to: i64) -> Citizen {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "Мария Георгиева");
        params
            .distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 42]), "Мария");
        params
            .distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 4]), "Георгиева");
        if let Some(value) = serial_number {
            params
                .distinguished_name
                .push(DnType::CustomDnType(vec![2, 5, 4, 5]), value);
        }
        params.serial_number = Some(SerialNumber::from(vec![0x10, serial]));
        params.not_before = OffsetDateTime::now_utc() + Duration::days(from);
        params.not_after = OffsetDateTime::now_utc() + Duration::days(to);
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        Citizen {
            pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A CRL revoking the certificates with these serials.
    fn crl(&self, revoked: &[u8]) -> String {
        let now = OffsetDateTime::now_utc();
        let params = CertificateRevocationListParams {
            this_update: now - Duration::hours(1),
            next_update: now + Duration::days(7),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|s| RevokedCertParams {
                    serial_number: SerialNumber::from(vec![0x10, *s]),
                    revocation_time: now - Duration::minutes(30),
                    reason_code: None,
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        let issuer = Issuer::from_params(&self.params, &self.key);
        params.signed_by(&issuer).unwrap().pem().unwrap()
    }
}

struct Citizen {
    pem: String,
    key_pem: String,
}

impl Citizen {
    /// As nginx forwards it (`$ssl_client_escaped_cert`).
    fn escaped(&self) -> String {
        percent_encoding::utf8_percent_encode(&self.pem, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
    }
}

/// Files the configuration points at: the CA bundle and the CRL, kept for the test's length.
struct Pki {
    ca: Ca,
    dir: tempfile::TempDir,
}

impl Pki {
    fn new(revoked: &[u8]) -> Pki {
        let ca = Ca::new("Portico Test Qualified CA");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), &ca.pem).unwrap();
        std::fs::write(dir.path().join("crl.pem"), ca.crl(revoked)).unwrap();
        Pki { ca, dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn configure(&self, config: &mut portico::config::Config) {
        config.client_ca_file = Some(self.path("ca.pem"));
        config.client_crl = vec![CrlSource::File(self.path("crl.pem"))];
    }
}

/// The demo data on an app whose certificate sign-in trusts `pki`, behind a proxy at
/// 127.0.0.1 (the tests' own address) unless `trusted_proxies` says otherwise.
async fn app_with(pki: &Pki, trusted_proxies: &str) -> TestApp {
    let proxies = portico_http::client_addr::parse_trusted_proxies(trusted_proxies).unwrap();
    let app = TestApp::start_with(|c| {
        pki.configure(c);
        c.trusted_proxies = proxies;
    })
    .await;
    portico::demo::seed(&app.db, &app.clock).await.unwrap();
    app
}

/// Presents `cert` through the proxy's header; returns the response to the sign-in.
async fn sign_in_through_proxy(app: &TestApp, cert: &Citizen) -> (Client, crate::support::Page) {
    let client = Client::with_header(&app.base, HEADER, &cert.escaped());
    let form = client.get("/login/certificate").await;
    assert_eq!(form.status, StatusCode::OK);
    let done = client
        .post_form("/login/certificate", &[("next", "")])
        .await;
    (client, done)
}

async fn accounts_with(app: &TestApp, egn: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE personal_id = $1")
        .bind(egn)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn a_valid_certificate_signs_in_at_high_and_the_same_account_next_time() {
    let pki = Pki::new(&[]);
    let app = app_with(&pki, "127.0.0.1").await;
    let egn = crate::support::fresh_egn();
    let cert = pki.ca.citizen(1, Some(&format!("PNOBG-{egn}")), -1, 365);

    let login = app.client().get("/login").await;
    assert_eq!(
        login.attr("#cert-login-link", "href").as_deref(),
        Some("/login/certificate")
    );
    let (client, done) = sign_in_through_proxy(&app, &cert).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/start");
    let account = client.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert_eq!(account.texts("#identity-assurance"), vec!["високо"]);
    assert_eq!(account.texts("#session-assurance"), vec!["високо"]);
    assert!(account.body.contains("Мария Георгиева"), "{}", account.body);

    // The next time, the same account.
    let (_, again) = sign_in_through_proxy(&app, &cert).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(accounts_with(&app, &egn).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certificate_logins").await,
        1
    );
    let (details,): (String,) = sqlx::query_as(
        "SELECT details FROM audit_log WHERE action = 'identity.sign_in' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(details.contains("\"certificate\""), "{details}");
    assert!(
        !details.contains(&egn),
        "the number is not in the log: {details}"
    );
}

/// Each bad certificate is refused with the reason a person reads, and nothing is linked.
#[tokio::test]
async fn bad_certificates_are_refused_with_their_reason_and_link_nothing() {
    let pki = Pki::new(&[7]);
    let app = app_with(&pki, "127.0.0.1").await;
    let stranger = Ca::new("Portico Test Qualified CA");
    let egn = crate::support::fresh_egn();
    let id = format!("PNOBG-{egn}");
    let cases = [
        (
            pki.ca.citizen(2, Some(&id), -400, -1),
            "expired",
            "Сертификатът е изтекъл. Подновете го при издателя му.",
        ),
        (
            pki.ca.citizen(7, Some(&id), -1, 365),
            "revoked",
            "Сертификатът е прекратен (отменен) от издателя му.",
        ),
        (
            // Same name as the trusted CA, another key: a forgery of its name.
            stranger.citizen(3, Some(&id), -1, 365),
            "unknown_ca",
            "Сертификатът не е издаден от удостоверител, на когото имаме доверие.",
        ),
        (
            pki.ca.citizen(4, None, -1, 365),
            "no_identifier",
            "Сертификатът не съдържа български ЕГН или ЛНЧ, лична карта или паспорт.",
        ),
        (
            pki.ca.citizen(5, Some("PNOBG-7523169264"), -1, 365),
            "bad_identifier",
            "Личният номер в сертификата не е валиден.",
        ),
        (
            pki.ca.citizen(6, Some(&id), 2, 365),
            "not_yet_valid",
            "Сертификатът все още не е валиден.",
        ),
    ];
    let accounts_before = app.count("SELECT COUNT(*) FROM accounts").await;
    for (cert, reason, text) in &cases {
        let (client, refused) = sign_in_through_proxy(&app, cert).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{reason}");
        assert_eq!(
            refused
                .attr("#cert-refused-reason", "data-reason")
                .as_deref(),
            Some(*reason)
        );
        assert_eq!(
            refused.texts("#cert-refused-reason"),
            vec![text.to_string()]
        );
        assert_eq!(refused.texts("h1"), vec!["Сертификатът ви не беше приет"]);
        // Not signed in.
        assert_eq!(client.get("/account").await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(accounts_with(&app, &egn).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts").await,
        accounts_before
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certificate_logins").await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.certificate_refused'")
            .await,
        6
    );
    // In English too.
    let (client, _) = sign_in_through_proxy(&app, &cases[0].0).await;
    client.get("/lang?to=en&back=%2F").await;
    client.get("/login/certificate").await;
    let english = client.post_form("/login/certificate", &[]).await;
    assert_eq!(
        english.texts("#cert-refused-reason"),
        vec!["The certificate has expired. Renew it with its issuer."]
    );
}

#[tokio::test]
async fn a_certificate_header_from_an_untrusted_address_is_refused() {
    let pki = Pki::new(&[]);
    // The proxy is elsewhere: the tests' requests come straight from 127.0.0.1.
    let app = app_with(&pki, "10.0.0.0/8").await;
    let egn = crate::support::fresh_egn();
    let cert = pki.ca.citizen(1, Some(&format!("PNOBG-{egn}")), -1, 365);
    let (_, refused) = sign_in_through_proxy(&app, &cert).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused
            .attr("#cert-refused-reason", "data-reason")
            .as_deref(),
        Some("untrusted_header")
    );
    assert_eq!(accounts_with(&app, &egn).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certificate_logins").await,
        0
    );
    // And no header at all: no certificate.
    let client = app.client();
    client.get("/login/certificate").await;
    let none = client.post_form("/login/certificate", &[]).await;
    assert_eq!(
        none.attr("#cert-refused-reason", "data-reason").as_deref(),
        Some("no_certificate")
    );
}

/// The consent hole, closed by a certificate: someone registered with the owner's number; the
/// owner signs in with their certificate, the claim is taken off the other account, and the
/// owner (at level high) consents, while the claimant cannot.
#[tokio::test]
async fn the_owner_with_a_certificate_takes_their_number_back_and_consents() {
    let pki = Pki::new(&[]);
    let app = app_with(&pki, "127.0.0.1").await;
    let (impostor, egn, _) = citizen(&app, "impostor@example.bg").await;
    let (applicant, _, secret) = citizen(&app, "applicant@example.bg").await;
    let id = fill_address_registration(&app, &applicant, Some(&egn), "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    assert_eq!(state_of(&app, &id).await, "waiting_consent");
    let link = impostor
        .get("/consents")
        .await
        .attr("main a[href^='/consents/']", "href")
        .expect("the request is addressed to the number");
    let (impostor_id,): (String,) =
        sqlx::query_as("SELECT id FROM accounts WHERE email = 'impostor@example.bg'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();

    let cert = pki.ca.citizen(1, Some(&format!("PNOBG-{egn}")), -1, 365);
    let (owner, done) = sign_in_through_proxy(&app, &cert).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // The number left the claimant's account (its sessions ended), and a new account holds it.
    let (owner_id,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE personal_id = $1")
        .bind(&egn)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_ne!(owner_id, impostor_id);
    assert_eq!(impostor.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'identity.claim_released_by_certificate'"
        )
        .await,
        1
    );

    // The owner consents at level high, confirming with a second factor: a certificate account
    // has none at first, so they add an authenticator app (deciding is signing).
    let setup = owner.get("/account/totp").await;
    let owner_secret = setup.texts("#totp-secret").pop().unwrap().replace(' ', "");
    owner
        .post_form("/account/totp", &[("code", &app.totp(&owner_secret))])
        .await;
    app.advance(30);
    let request = owner.get(&link).await;
    assert_eq!(request.status, StatusCode::OK, "{}", request.body);
    assert!(request.attr("button[value=give]", "value").is_some());
    let given = crate::cases::decide_consent(&app, &owner, &link, &owner_secret, "give").await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
    assert_ne!(state_of(&app, &id).await, "waiting_consent");
    let (decided_by,): (String,) =
        sqlx::query_as("SELECT decided_by FROM consents WHERE decided_at IS NOT NULL")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(decided_by, owner_id);
}

/// A person signed in to the account they registered honestly links their certificate to it.
#[tokio::test]
async fn a_certificate_links_to_the_claimed_account_its_owner_is_signed_in_to() {
    let pki = Pki::new(&[]);
    let app = app_with(&pki, "127.0.0.1").await;
    let egn = crate::support::fresh_egn();
    let cert = pki.ca.citizen(1, Some(&format!("PNOBG-{egn}")), -1, 365);
    // One browser behind the proxy: it registers, sets up its app, signs in with both factors,
    // then signs in with its certificate.
    let client = Client::with_header(&app.base, HEADER, &cert.escaped());
    app.register_in(&client, "honest@example.bg", &egn).await;
    let setup = client.get("/account/totp").await;
    let secret = setup.texts("#totp-secret").pop().unwrap().replace(' ', "");
    client
        .post_form("/account/totp", &[("code", &app.totp(&secret))])
        .await;
    app.advance(30);
    crate::assurance::sign_in_again(&app, &client, "honest@example.bg", &secret).await;
    client.get("/login/certificate").await;
    let done = client.post_form("/login/certificate", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(accounts_with(&app, &egn).await, 1);
    let account = client.get("/account").await;
    assert!(
        account.body.contains("honest@example.bg"),
        "{}",
        account.body
    );
    assert_eq!(account.texts("#identity-assurance"), vec!["високо"]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.claim_released_by_certificate'")
            .await,
        0
    );
}

/// Directly on the TLS listener: the browser presents its certificate in the handshake.
#[tokio::test]
async fn the_tls_listener_signs_in_with_the_handshakes_certificate() {
    let pki = Pki::new(&[]);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".into()])
        .unwrap()
        .self_signed(&server_key)
        .unwrap();
    std::fs::write(pki.path("server.pem"), server.pem()).unwrap();
    std::fs::write(pki.path("server-key.pem"), server_key.serialize_pem()).unwrap();
    let app = TestApp::start_with(|c| {
        pki.configure(c);
        c.tls_client_cert_listen = Some("127.0.0.1:0".parse().unwrap());
        c.tls_cert_file = Some(pki.path("server.pem"));
        c.tls_key_file = Some(pki.path("server-key.pem"));
    })
    .await;
    let tls_base = app.tls_base.clone().expect("the TLS listener");
    let egn = crate::support::fresh_egn();
    let cert = pki.ca.citizen(1, Some(&format!("PNOBG-{egn}")), -1, 365);
    let identity =
        reqwest::Identity::from_pem(format!("{}{}", cert.pem, cert.key_pem).as_bytes()).unwrap();
    let browser = |identity: Option<reqwest::Identity>| {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(server.pem().as_bytes()).unwrap())
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(identity) = identity {
            builder = builder.identity(identity);
        }
        Client::from_http(&tls_base, builder.build().unwrap())
    };

    let client = browser(Some(identity));
    let form = client.get("/login/certificate").await;
    assert_eq!(form.status, StatusCode::OK);
    let done = client.post_form("/login/certificate", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let account = client.get("/account").await;
    assert_eq!(account.texts("#session-assurance"), vec!["високо"]);
    assert_eq!(accounts_with(&app, &egn).await, 1);

    // Without a certificate the page still answers, and says what is missing.
    let bare = browser(None);
    bare.get("/login/certificate").await;
    let refused = bare.post_form("/login/certificate", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused
            .attr("#cert-refused-reason", "data-reason")
            .as_deref(),
        Some("no_certificate")
    );
}
