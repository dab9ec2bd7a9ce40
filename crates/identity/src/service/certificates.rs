//! Sign-in with a qualified certificate (an eID card, a QES): an X.509 client certificate whose
//! subject carries the person's identifier as an ETSI EN 319 412-1 semantics identifier
//! (`serialNumber` = `PNOBG-<EGN or LNCh>`, `IDCBG-<identity card>`, `PASBG-<passport>`), issued
//! by one of the configured trusted CAs, within its validity and not revoked, signs the person in
//! at level `High`.
//!
//! [`CertificateTrust::check`] decides whether a certificate is good, with the reason when it is
//! not ([`Refusal`]); [`sign_in`] links it to (or creates) the account for its identifier. Both
//! paths a certificate arrives by (the TLS handshake on the second listener, or a header from a
//! trusted reverse proxy) go through the same two functions.

use crate::service::{sessions, verification};
use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{new_id, Assurance, PersonalId, Pseudonymiser};
use portico_store::Tx;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio::sync::Mutex;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::time::ASN1Time;

/// Why a certificate was not accepted. Each has its own message for the person
/// (`cert-refused-<code>` in the block's Fluent files) and is what the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no certificate was presented")]
    NoCertificate,
    #[error("the certificate header came from an address that is not a trusted proxy")]
    UntrustedHeader,
    #[error("the certificate could not be read")]
    Unparsable,
    #[error("the certificate was not issued by a trusted authority")]
    UnknownCa,
    #[error("the certificate is not valid yet")]
    NotYetValid,
    #[error("the certificate has expired")]
    Expired,
    #[error("the certificate has been revoked")]
    Revoked,
    #[error("whether the certificate is revoked cannot be told now")]
    RevocationUnknown,
    #[error("the certificate names no personal identifier")]
    NoIdentifier,
    #[error("the certificate's personal identifier is not valid")]
    BadIdentifier,
    #[error("no account is known for the certificate's identity document")]
    UnknownDocument,
    #[error("the account for this identifier is disabled")]
    AccountDisabled,
}

impl Refusal {
    /// The stable code: the audit log's `reason`, and the message key `cert_refused_<code>`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NoCertificate => "no_certificate",
            Refusal::UntrustedHeader => "untrusted_header",
            Refusal::Unparsable => "unparsable",
            Refusal::UnknownCa => "unknown_ca",
            Refusal::NotYetValid => "not_yet_valid",
            Refusal::Expired => "expired",
            Refusal::Revoked => "revoked",
            Refusal::RevocationUnknown => "revocation_unknown",
            Refusal::NoIdentifier => "no_identifier",
            Refusal::BadIdentifier => "bad_identifier",
            Refusal::UnknownDocument => "unknown_document",
            Refusal::AccountDisabled => "account_disabled",
        }
    }

    pub const ALL: [Refusal; 12] = [
        Refusal::NoCertificate,
        Refusal::UntrustedHeader,
        Refusal::Unparsable,
        Refusal::UnknownCa,
        Refusal::NotYetValid,
        Refusal::Expired,
        Refusal::Revoked,
        Refusal::RevocationUnknown,
        Refusal::NoIdentifier,
        Refusal::BadIdentifier,
        Refusal::UnknownDocument,
        Refusal::AccountDisabled,
    ];
}

/// The identifier a certificate carries (ETSI EN 319 412-1, 5.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertIdentifier {
    /// `PNOBG-`: a Bulgarian personal number (EGN, or LNCh for a foreign resident).
    Personal(PersonalId),
    /// `IDCBG-`: a Bulgarian identity card's number.
    IdentityCard(String),
    /// `PASBG-`: a Bulgarian passport's number.
    Passport(String),
}

impl CertIdentifier {
    pub fn kind(&self) -> &'static str {
        match self {
            CertIdentifier::Personal(_) => "pno",
            CertIdentifier::IdentityCard(_) => "idc",
            CertIdentifier::Passport(_) => "pas",
        }
    }
}

/// What a good certificate says about its holder.
#[derive(Debug, Clone)]
pub struct CertifiedPerson {
    pub identifier: CertIdentifier,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    /// SHA-256 of the certificate's DER, hex.
    pub fingerprint: String,
    pub issuer: String,
    pub serial: String,
    pub not_after: DateTime<Utc>,
}

/// SHA-256 of a certificate's DER, hex: how the audit log names a certificate (never by the
/// identifier it carries).
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// Reads `serialNumber` values of the ETSI semantics identifier form. `None`: no such value.
pub fn parse_identifier(value: &str) -> Option<Result<CertIdentifier, Refusal>> {
    let value = value.trim();
    let (prefix, rest) = (value.get(..6)?, value.get(6..)?);
    let rest = rest.trim();
    let document = |s: &str| {
        let ok = !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_alphanumeric());
        if ok {
            Ok(s.to_ascii_uppercase())
        } else {
            Err(Refusal::BadIdentifier)
        }
    };
    Some(match prefix.to_ascii_uppercase().as_str() {
        "PNOBG-" => PersonalId::parse_egn(rest)
            .or_else(|_| PersonalId::parse_lnch(rest))
            .map(CertIdentifier::Personal)
            .map_err(|_| Refusal::BadIdentifier),
        "IDCBG-" => document(rest).map(CertIdentifier::IdentityCard),
        "PASBG-" => document(rest).map(CertIdentifier::Passport),
        _ => return None,
    })
}

/// Where revocation lists come from: a file, or an `http(s)` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrlSource {
    File(std::path::PathBuf),
    Url(String),
}

impl CrlSource {
    /// `PORTICO_CLIENT_CRL`: comma-separated paths and URLs.
    pub fn parse_list(value: &str) -> Vec<CrlSource> {
        value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.starts_with("http://") || s.starts_with("https://") {
                    CrlSource::Url(s.to_owned())
                } else {
                    CrlSource::File(s.into())
                }
            })
            .collect()
    }
}

/// The revoked serials of one issuer, from its latest good CRL.
#[derive(Debug, Clone, Default)]
struct IssuerCrl {
    next_update: Option<i64>,
    revoked: HashSet<Vec<u8>>,
}

#[derive(Debug, Default)]
struct Crls {
    /// When the sources were last read (epoch ms); `None` before the first time.
    loaded_at: Option<i64>,
    /// Raw issuer name → its CRL.
    by_issuer: HashMap<Vec<u8>, IssuerCrl>,
}

/// The trusted CAs and their revocation lists, as configured (`PORTICO_CLIENT_CA_FILE`,
/// `PORTICO_CLIENT_CRL`). CRLs are read on first use and again when `refresh` has passed (so
/// every node refreshes on its own, and nothing needs a timer); a CRL is believed only when its
/// signature is by the CA it names as issuer.
pub struct CertificateTrust {
    /// Each trusted CA's DER.
    cas: Vec<Vec<u8>>,
    sources: Vec<CrlSource>,
    refresh: Duration,
    crls: Mutex<Crls>,
    http: reqwest::Client,
}

impl std::fmt::Debug for CertificateTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateTrust")
            .field("cas", &self.cas.len())
            .field("sources", &self.sources)
            .finish_non_exhaustive()
    }
}

/// Every certificate in a PEM bundle, as DER.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(pem) {
        let block = block.map_err(|e| format!("not PEM: {e}"))?;
        if block.label == "CERTIFICATE" {
            out.push(block.contents);
        }
    }
    Ok(out)
}

impl CertificateTrust {
    /// Trusts the CA certificates of a PEM bundle; refuses a bundle with none, or with a
    /// certificate that is not a CA.
    pub fn new(
        ca_pem: &[u8],
        sources: Vec<CrlSource>,
        refresh: Duration,
    ) -> Result<CertificateTrust, String> {
        let cas = pem_certificates(ca_pem)?;
        if cas.is_empty() {
            return Err("holds no CERTIFICATE".into());
        }
        for der in &cas {
            let (_, ca) =
                X509Certificate::from_der(der).map_err(|e| format!("a certificate: {e}"))?;
            if !ca.is_ca() {
                return Err(format!("{} is not a CA certificate", ca.subject()));
            }
        }
        Ok(CertificateTrust {
            cas,
            sources,
            refresh,
            crls: Mutex::new(Crls::default()),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| e.to_string())?,
        })
    }

    /// The trusted CAs' subject names (DER), which a TLS server sends so the browser offers only
    /// certificates they issued.
    pub fn ca_subjects(&self) -> Vec<Vec<u8>> {
        self.cas
            .iter()
            .filter_map(|der| X509Certificate::from_der(der).ok())
            .map(|(_, ca)| ca.subject().as_raw().to_vec())
            .collect()
    }

    pub fn checks_revocation(&self) -> bool {
        !self.sources.is_empty()
    }

    /// Decides whether the certificate (DER) is good at `now`, and what it says.
    pub async fn check(&self, der: &[u8], now: DateTime<Utc>) -> Result<CertifiedPerson, Refusal> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|_| Refusal::Unparsable)?;
        self.issuer_of(&cert, now).ok_or(Refusal::UnknownCa)?;
        let at = ASN1Time::from_timestamp(now.timestamp()).map_err(|_| Refusal::Unparsable)?;
        if at < cert.validity().not_before {
            return Err(Refusal::NotYetValid);
        }
        if at > cert.validity().not_after {
            return Err(Refusal::Expired);
        }
        if self.checks_revocation() {
            self.refresh_crls(now).await;
            let crls = self.crls.lock().await;
            let crl = crls
                .by_issuer
                .get(cert.issuer().as_raw())
                .filter(|c| c.next_update.is_none_or(|n| n > to_millis(now)))
                .ok_or(Refusal::RevocationUnknown)?;
            if crl.revoked.contains(cert.raw_serial()) {
                return Err(Refusal::Revoked);
            }
        }
        let mut identifier = None;
        for attr in cert
            .subject()
            .iter_by_oid(&x509_parser::oid_registry::OID_X509_SERIALNUMBER)
        {
            if let Some(parsed) = attr.as_str().ok().and_then(parse_identifier) {
                identifier = Some(parsed?);
                break;
            }
        }
        let identifier = identifier.ok_or(Refusal::NoIdentifier)?;
        fn attr(
            name: &x509_parser::x509::X509Name<'_>,
            oid: &x509_parser::der_parser::Oid<'_>,
        ) -> Option<String> {
            name.iter_by_oid(oid)
                .find_map(|a| a.as_str().ok())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        }
        let first = |oid: &x509_parser::der_parser::Oid<'static>| attr(cert.subject(), oid);
        use x509_parser::oid_registry::{
            OID_PKCS9_EMAIL_ADDRESS, OID_X509_COMMON_NAME, OID_X509_GIVEN_NAME, OID_X509_SURNAME,
        };
        let common = first(&OID_X509_COMMON_NAME).unwrap_or_default();
        let (given_name, family_name) =
            match (first(&OID_X509_GIVEN_NAME), first(&OID_X509_SURNAME)) {
                (Some(g), Some(s)) => (g, s),
                _ => match common.split_once(' ') {
                    Some((g, s)) => (g.to_owned(), s.rsplit(' ').next().unwrap_or(s).to_owned()),
                    None => (common.clone(), String::new()),
                },
            };
        let san_email = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .and_then(|san| {
                san.value.general_names.iter().find_map(|n| match n {
                    x509_parser::extensions::GeneralName::RFC822Name(e) => Some((*e).to_owned()),
                    _ => None,
                })
            });
        Ok(CertifiedPerson {
            identifier,
            given_name: given_name.chars().take(100).collect(),
            family_name: family_name.chars().take(100).collect(),
            email: san_email.or_else(|| first(&OID_PKCS9_EMAIL_ADDRESS)),
            fingerprint: fingerprint(der),
            issuer: cert.issuer().to_string(),
            serial: cert.raw_serial_as_string(),
            not_after: DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)
                .unwrap_or(now),
        })
    }

    /// The trusted CA that signed `cert` (its subject is the certificate's issuer, its key
    /// verifies the signature, and it is itself valid at `now`).
    fn issuer_of(&self, cert: &X509Certificate<'_>, now: DateTime<Utc>) -> Option<usize> {
        let at = ASN1Time::from_timestamp(now.timestamp()).ok()?;
        self.cas.iter().position(|der| {
            X509Certificate::from_der(der).is_ok_and(|(_, ca)| {
                ca.subject().as_raw() == cert.issuer().as_raw()
                    && ca.validity().is_valid_at(at)
                    && cert.verify_signature(Some(ca.public_key())).is_ok()
            })
        })
    }

    /// Reads the CRL sources again when they were never read or `refresh` has passed. A source
    /// that cannot be read, or a CRL whose signature is not its issuer's, keeps what was known
    /// before for that issuer (and is logged); a CRL past its `nextUpdate` no longer counts.
    async fn refresh_crls(&self, now: DateTime<Utc>) {
        let mut crls = self.crls.lock().await;
        let stale = crls.loaded_at.is_none_or(|at| {
            to_millis(now) - at >= i64::try_from(self.refresh.as_millis()).unwrap_or(i64::MAX)
        });
        if !stale {
            return;
        }
        for source in &self.sources {
            let bytes = match source {
                CrlSource::File(path) => tokio::fs::read(path).await.map_err(|e| e.to_string()),
                CrlSource::Url(url) => match self.http.get(url).send().await {
                    Ok(r) if r.status().is_success() => r
                        .bytes()
                        .await
                        .map(|b| b.to_vec())
                        .map_err(|e| e.to_string()),
                    Ok(r) => Err(format!("HTTP {}", r.status())),
                    Err(e) => Err(e.to_string()),
                },
            };
            match bytes.and_then(|b| self.read_crls(&b)) {
                Ok(found) => crls.by_issuer.extend(found),
                Err(error) => tracing::warn!(?source, %error, "could not read a revocation list"),
            }
        }
        crls.loaded_at = Some(to_millis(now));
    }

    /// The CRLs in `bytes` (DER, or PEM with one or more `X509 CRL` blocks), each checked
    /// against the trusted CA that issued it.
    fn read_crls(&self, bytes: &[u8]) -> Result<Vec<(Vec<u8>, IssuerCrl)>, String> {
        let ders: Vec<Vec<u8>> = if bytes.starts_with(b"-----") {
            x509_parser::pem::Pem::iter_from_buffer(bytes)
                .filter_map(Result::ok)
                .filter(|p| p.label == "X509 CRL")
                .map(|p| p.contents)
                .collect()
        } else {
            vec![bytes.to_vec()]
        };
        let mut out = Vec::new();
        for der in ders {
            let (_, crl) = x509_parser::revocation_list::CertificateRevocationList::from_der(&der)
                .map_err(|e| format!("not a CRL: {e}"))?;
            let signed = self.cas.iter().any(|ca| {
                X509Certificate::from_der(ca).is_ok_and(|(_, ca)| {
                    ca.subject().as_raw() == crl.issuer().as_raw()
                        && crl.verify_signature(ca.public_key()).is_ok()
                })
            });
            if !signed {
                return Err(format!(
                    "the CRL of {} is not signed by a trusted CA",
                    crl.issuer()
                ));
            }
            out.push((
                crl.issuer().as_raw().to_vec(),
                IssuerCrl {
                    next_update: crl.next_update().map(|t| t.timestamp() * 1000),
                    revoked: crl
                        .iter_revoked_certificates()
                        .map(|r| r.raw_serial().to_vec())
                        .collect(),
                },
            ));
        }
        Ok(out)
    }
}

/// How a certificate sign-in ended up at its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSignIn {
    pub account_id: String,
    /// A new account was made for the certificate's identifier.
    pub created: bool,
    /// The identifier was only claimed by another account, and was taken off it.
    pub released_from: Option<String>,
    pub session: String,
}

/// Records a refused certificate (by its fingerprint only) in the audit log.
pub async fn record_refusal(
    tx: &mut Tx,
    refusal: Refusal,
    fingerprint: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    let subject =
        fingerprint.map_or_else(|| "certificate".to_owned(), |f| format!("certificate:{f}"));
    let event = Event::new("anonymous", "identity.certificate_refused", &subject)
        .with(serde_json::json!({ "reason": refusal.code(), "fingerprint": fingerprint }));
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

/// Signs the holder of a good certificate in at `High`, linking it to their account:
///
/// - an account whose identifier is **proven** (checked at a counter, or by a certificate
///   before) is theirs: it is signed in and its identifier becomes `High`;
/// - an account that only **claimed** the number at registration is theirs only when the
///   person is signed in to it right now (`current`) — they hold its password and second factor
///   and the certificate proves the number, so both are one person;
/// - otherwise a claim is not evidence of anything: the number is taken off that account
///   (`identity.claim_released_by_certificate`, its sessions end, nothing else of it changes) and a new account
///   is made for the certificate's holder, who owns the number. Whatever was addressed to the
///   number (consents) reaches the owner from then on, never the claimant;
/// - `IDCBG-` / `PASBG-` identifiers name a document, not a person's number: they sign in the
///   account whose identity was checked at a counter with that document, and are refused
///   otherwise ([`Refusal::UnknownDocument`]).
///
/// Runs in the caller's transaction; audited as `identity.sign_in` (method `certificate`, with
/// the fingerprint). Returns the new session's token.
pub async fn sign_in(
    tx: &mut Tx,
    person: &CertifiedPerson,
    current: Option<&str>,
    pseudonymiser: &Pseudonymiser,
    now: DateTime<Utc>,
) -> Result<Result<CertificateSignIn, Refusal>, IdentityError> {
    let mut created = false;
    let mut released_from = None;
    let account_id = match &person.identifier {
        CertIdentifier::Personal(pid) => {
            let found: Option<(String, String, Option<i64>)> = sqlx::query_as(
                "SELECT id, identity_assurance, disabled_at FROM accounts WHERE personal_id = $1",
            )
            .bind(pid.value())
            .fetch_optional(&mut **tx)
            .await?;
            match found {
                Some((_, _, Some(_))) => return Ok(Err(Refusal::AccountDisabled)),
                Some((id, level, None))
                    if Assurance::from_stored(&level) >= Assurance::Substantial
                        || current == Some(id.as_str()) =>
                {
                    id
                }
                Some((claimant, _, None)) => {
                    release(tx, &claimant, now).await?;
                    released_from = Some(claimant);
                    created = true;
                    create(tx, person, pid, now).await?
                }
                None => {
                    created = true;
                    create(tx, person, pid, now).await?
                }
            }
        }
        CertIdentifier::IdentityCard(number) | CertIdentifier::Passport(number) => {
            let kind = if matches!(person.identifier, CertIdentifier::Passport(_)) {
                verification::DocumentKind::Passport
            } else {
                verification::DocumentKind::IdentityCard
            };
            let hash = verification::document_hash(pseudonymiser, kind, number);
            let found: Option<(String,)> = sqlx::query_as(
                "SELECT v.account_id FROM identity_verifications v JOIN accounts a ON a.id = v.account_id
                 WHERE v.document_hash = $1 AND a.disabled_at IS NULL AND a.personal_id IS NOT NULL
                 ORDER BY v.created_at DESC LIMIT 1",
            )
            .bind(&hash)
            .fetch_optional(&mut **tx)
            .await?;
            match found {
                Some((id,)) => id,
                None => return Ok(Err(Refusal::UnknownDocument)),
            }
        }
    };
    sqlx::query("UPDATE accounts SET identity_assurance = 'high' WHERE id = $1")
        .bind(&account_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO certificate_logins (fingerprint, account_id, identifier_kind, issuer, serial, not_after, first_used_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (fingerprint) DO UPDATE SET last_used_at = excluded.last_used_at, account_id = excluded.account_id",
    )
    .bind(&person.fingerprint)
    .bind(&account_id)
    .bind(person.identifier.kind())
    .bind(&person.issuer)
    .bind(&person.serial)
    .bind(to_millis(person.not_after))
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let session = sessions::create(
        tx,
        &account_id,
        sessions::STAGE_COMPLETE,
        Assurance::High,
        now,
    )
    .await?;
    let event = Event::new(&account_id, "identity.sign_in", &account_id).with(serde_json::json!({
        "method": "certificate",
        "fingerprint": person.fingerprint,
        "identifier_kind": person.identifier.kind(),
    }));
    portico_audit::append(tx, event, now).await?;
    Ok(Ok(CertificateSignIn {
        account_id,
        created,
        released_from,
        session: session.token,
    }))
}

/// Takes a merely claimed number off `account_id`; its sessions end.
async fn release(tx: &mut Tx, account_id: &str, now: DateTime<Utc>) -> Result<(), IdentityError> {
    sqlx::query(
        "UPDATE accounts SET personal_id = NULL, personal_id_kind = NULL WHERE id = $1 AND identity_assurance = 'low'",
    )
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    let event = Event::new(
        "system:certificate",
        "identity.claim_released_by_certificate",
        account_id,
    )
    .with(serde_json::json!({ "by": "certificate" }));
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

/// A new citizen account for the certificate's holder, its identifier proven (`High`). It has
/// no password (it signs in with the certificate) and, unless the certificate names an e-mail
/// address no other account uses, a placeholder address under `.invalid` (RFC 2606), which never
/// delivers, until the person gives theirs.
async fn create(
    tx: &mut Tx,
    person: &CertifiedPerson,
    pid: &PersonalId,
    now: DateTime<Utc>,
) -> Result<String, IdentityError> {
    let id = new_id();
    let mut email = person
        .email
        .as_deref()
        .map(crate::service::accounts::normalise_email)
        .filter(|e| e.contains('@') && e.len() <= 254);
    if let Some(e) = &email {
        let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
            .bind(e)
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_some() {
            email = None;
        }
    }
    let email = email.unwrap_or_else(|| format!("certificate-{id}@accounts.invalid"));
    sqlx::query(
        "INSERT INTO accounts (id, kind, personal_id_kind, personal_id, given_name, family_name, email, password_hash, created_at, identity_assurance)
         VALUES ($1, 'citizen', $2, $3, $4, $5, $6, '!', $7, 'high')",
    )
    .bind(&id)
    .bind(pid.kind())
    .bind(pid.value())
    .bind(&person.given_name)
    .bind(&person.family_name)
    .bind(&email)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let event = Event::new(&id, "identity.registered", &id)
        .with(serde_json::json!({ "method": "certificate" }));
    portico_audit::append(tx, event, now).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn semantics_identifiers_are_read() {
        assert_eq!(
            parse_identifier("PNOBG-7523169263"),
            Some(Ok(CertIdentifier::Personal(
                PersonalId::parse_egn("7523169263").unwrap()
            )))
        );
        assert_eq!(
            parse_identifier("PNOBG-7523169264"),
            Some(Err(Refusal::BadIdentifier))
        );
        assert_eq!(
            parse_identifier("idcbg-ab123456"),
            Some(Ok(CertIdentifier::IdentityCard("AB123456".into())))
        );
        assert_eq!(
            parse_identifier("PASBG-382001234"),
            Some(Ok(CertIdentifier::Passport("382001234".into())))
        );
        assert_eq!(parse_identifier("PNODE-123"), None);
        assert_eq!(parse_identifier("1234567"), None);
    }
}
