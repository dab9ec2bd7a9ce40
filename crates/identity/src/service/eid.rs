//! Sign-in through an external eID provider with OpenID Connect, Portico as the relying party
//! (OpenID Connect Core 1.0, the authorization code flow with PKCE S256, `state` and `nonce`).
//!
//! Any number of providers are configured ([`ProviderConfig::from_env`]). A sign-in is:
//!
//! 1. [`ExternalProviders::begin`]: the provider's discovery document is read (cached), a
//!    random `state`, `nonce` and PKCE verifier are made, and [`record_attempt`] keeps them for
//!    ten minutes: the state and the browser's binding cookie only as hashes, the nonce and the
//!    verifier sealed under a key derived from the binding cookie (which only the browser holds),
//!    so a reader of the database can neither finish nor forge the sign-in. The browser goes to
//!    the provider's authorization endpoint.
//! 2. The provider sends the browser back with `code` and `state`. [`take_attempt`] accepts the
//!    state once, only from the browser that started it ([`Refusal::BadState`],
//!    [`Refusal::Replayed`]), and commits that before anything else.
//! 3. [`ExternalProviders::redeem`] exchanges the code (with the PKCE verifier and the client's
//!    secret) at the token endpoint, checks the ID token's signature by the provider's JWKS and
//!    its claims ([`super::id_token`]), and reads userinfo. No transaction is open meanwhile.
//! 4. [`sign_in`] maps the person to an account (see there) in one transaction with its audit
//!    entries.
//!
//! Every refusal names its reason ([`Refusal`]), is audited as `identity.eid_refused`, and
//! changes nothing else.

use super::certificates::{parse_identifier, CertIdentifier};
use super::id_token::{self, Expected, Jwks, SignatureProblem};
use super::{random_token, sessions, sha256_hex};
use crate::IdentityError;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{new_id, Assurance, PersonalId};
use portico_store::Tx;
use rand::RngCore;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio::sync::Mutex;

/// Why an eID sign-in was refused: the audit log's `reason` and the message key
/// `eid_refused_<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no such eID provider is configured")]
    UnknownProvider,
    #[error("the provider could not be reached or answered nonsense")]
    ProviderUnavailable,
    #[error("the provider did not sign the person in")]
    ProviderError,
    #[error("the answer does not belong to a sign-in this browser started")]
    BadState,
    #[error("this answer was used already")]
    Replayed,
    #[error("the provider refused to redeem the code")]
    TokenRefused,
    #[error("the ID token is malformed")]
    BadToken,
    #[error("the ID token's signature is not the provider's")]
    BadSignature,
    #[error("the ID token was issued by someone else")]
    WrongIssuer,
    #[error("the ID token was issued for another client")]
    WrongAudience,
    #[error("the ID token has expired")]
    Expired,
    #[error("the ID token belongs to another sign-in")]
    WrongNonce,
    #[error("the provider gave no personal identifier")]
    NoIdentifier,
    #[error("the provider's personal identifier is not valid")]
    BadIdentifier,
    #[error("the provider names another person than before")]
    IdentifierMismatch,
    #[error("the personal number belongs to an account that this level cannot take")]
    IdentifierHeld,
    #[error("the account is disabled")]
    AccountDisabled,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::UnknownProvider => "unknown_provider",
            Refusal::ProviderUnavailable => "provider_unavailable",
            Refusal::ProviderError => "provider_error",
            Refusal::BadState => "bad_state",
            Refusal::Replayed => "replayed",
            Refusal::TokenRefused => "token_refused",
            Refusal::BadToken => "bad_token",
            Refusal::BadSignature => "bad_signature",
            Refusal::WrongIssuer => "wrong_issuer",
            Refusal::WrongAudience => "wrong_audience",
            Refusal::Expired => "expired",
            Refusal::WrongNonce => "wrong_nonce",
            Refusal::NoIdentifier => "no_identifier",
            Refusal::BadIdentifier => "bad_identifier",
            Refusal::IdentifierMismatch => "identifier_mismatch",
            Refusal::IdentifierHeld => "identifier_held",
            Refusal::AccountDisabled => "account_disabled",
        }
    }

    pub const ALL: [Refusal; 17] = [
        Refusal::UnknownProvider,
        Refusal::ProviderUnavailable,
        Refusal::ProviderError,
        Refusal::BadState,
        Refusal::Replayed,
        Refusal::TokenRefused,
        Refusal::BadToken,
        Refusal::BadSignature,
        Refusal::WrongIssuer,
        Refusal::WrongAudience,
        Refusal::Expired,
        Refusal::WrongNonce,
        Refusal::NoIdentifier,
        Refusal::BadIdentifier,
        Refusal::IdentifierMismatch,
        Refusal::IdentifierHeld,
        Refusal::AccountDisabled,
    ];
}

/// The eIDAS levels' URIs, the default mapping of `acr` values.
pub const EIDAS_LEVELS: [(&str, Assurance); 3] = [
    ("http://eidas.europa.eu/LoA/low", Assurance::Low),
    (
        "http://eidas.europa.eu/LoA/substantial",
        Assurance::Substantial,
    ),
    ("http://eidas.europa.eu/LoA/high", Assurance::High),
];

/// One configured provider (`PORTICO_OIDC_<NAME>_…`).
#[derive(Clone)]
pub struct ProviderConfig {
    /// Lower-case name in the addresses: `/login/eid/<name>`.
    pub name: String,
    pub label_bg: String,
    pub label_en: String,
    /// Its issuer identifier; discovery is at `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// `client_secret_basic` when set; a public client (PKCE alone) when not.
    pub client_secret: Option<String>,
    pub scopes: String,
    /// The claim that carries the personal number (`PNOBG-<EGN>` or the bare number).
    pub identifier_claim: String,
    /// Sent as `acr_values` when set.
    pub acr_values: Option<String>,
    /// `acr` value → level; an `acr` not listed (or none) is `Low`.
    pub levels: Vec<(String, Assurance)>,
}

impl std::fmt::Debug for ProviderConfig {
    /// The client secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The settings of one provider, for `--help`: `<NAME>` is the provider's name upper-cased.
pub const SETTINGS: &[(&str, &str)] = &[
    ("PORTICO_OIDC_PROVIDERS", "comma-separated names of external eID providers (OpenID Connect) people may sign in with (default none); each NAME has the settings below"),
    ("PORTICO_OIDC_<NAME>_ISSUER", "the provider's issuer URL (discovery at <issuer>/.well-known/openid-configuration); required"),
    ("PORTICO_OIDC_<NAME>_CLIENT_ID", "Portico's client id at the provider; required"),
    ("PORTICO_OIDC_<NAME>_CLIENT_SECRET", "its client secret (client_secret_basic); unset: a public client with PKCE only"),
    ("PORTICO_OIDC_<NAME>_LABEL_BG", "the sign-in button's words in Bulgarian (default the name)"),
    ("PORTICO_OIDC_<NAME>_LABEL_EN", "the sign-in button's words in English (default the name)"),
    ("PORTICO_OIDC_<NAME>_SCOPES", "scopes asked for (default \"openid profile email\")"),
    ("PORTICO_OIDC_<NAME>_IDENTIFIER_CLAIM", "claim with the personal number, PNOBG-<EGN> or bare (default person_identifier)"),
    ("PORTICO_OIDC_<NAME>_ACR_VALUES", "acr_values sent in the authorization request (default none)"),
    ("PORTICO_OIDC_<NAME>_LEVELS", "acr=level pairs, comma-separated, level low|substantial|high (default the eIDAS LoA URIs); any other acr is low"),
];

/// Whether `name` is one of the variables [`SETTINGS`] describes (for the unknown-variable
/// warning).
pub fn is_setting(name: &str) -> bool {
    name == "PORTICO_OIDC_PROVIDERS" || name.starts_with("PORTICO_OIDC_")
}

impl ProviderConfig {
    /// Reads the providers named by `PORTICO_OIDC_PROVIDERS` through `get` (the environment).
    /// A malformed value is an error naming the variable.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Vec<ProviderConfig>, String> {
        let Some(names) = get("PORTICO_OIDC_PROVIDERS") else {
            return Ok(Vec::new());
        };
        let mut out: Vec<ProviderConfig> = Vec::new();
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let name = name.to_ascii_lowercase();
            if name.len() > 32
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(format!(
                    "PORTICO_OIDC_PROVIDERS: {name:?} must be letters, digits and '-' (at most 32)"
                ));
            }
            if out.iter().any(|p| p.name == name) {
                return Err(format!("PORTICO_OIDC_PROVIDERS names {name:?} twice"));
            }
            let var = |key: &str| {
                format!(
                    "PORTICO_OIDC_{}_{key}",
                    name.to_ascii_uppercase().replace('-', "_")
                )
            };
            let required =
                |key: &str| get(&var(key)).ok_or_else(|| format!("{} is not set", var(key)));
            let issuer = required("ISSUER")?.trim().trim_end_matches('/').to_owned();
            match url::Url::parse(&issuer) {
                Ok(u) if u.scheme() == "https" || u.host_str().is_some_and(is_loopback) => {}
                _ => {
                    return Err(format!(
                        "{} must be an https URL (http only on loopback)",
                        var("ISSUER")
                    ))
                }
            }
            let levels = match get(&var("LEVELS")) {
                None => EIDAS_LEVELS
                    .iter()
                    .map(|(acr, level)| (acr.to_string(), *level))
                    .collect(),
                Some(v) => {
                    let mut levels = Vec::new();
                    for pair in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        let Some((acr, level)) = pair.rsplit_once('=') else {
                            return Err(format!("{}: {pair:?} is not acr=level", var("LEVELS")));
                        };
                        let level = Assurance::ALL
                            .into_iter()
                            .find(|a| a.as_str() == level.trim())
                            .ok_or_else(|| {
                                format!(
                                    "{}: {level:?} is not low, substantial or high",
                                    var("LEVELS")
                                )
                            })?;
                        levels.push((acr.trim().to_owned(), level));
                    }
                    levels
                }
            };
            let scopes = get(&var("SCOPES")).unwrap_or_else(|| "openid profile email".into());
            if !scopes.split_whitespace().any(|s| s == "openid") {
                return Err(format!("{} must include openid", var("SCOPES")));
            }
            out.push(ProviderConfig {
                label_bg: get(&var("LABEL_BG")).unwrap_or_else(|| name.clone()),
                label_en: get(&var("LABEL_EN")).unwrap_or_else(|| name.clone()),
                client_id: required("CLIENT_ID")?,
                client_secret: get(&var("CLIENT_SECRET")),
                identifier_claim: get(&var("IDENTIFIER_CLAIM"))
                    .unwrap_or_else(|| "person_identifier".into()),
                acr_values: get(&var("ACR_VALUES")),
                scopes,
                issuer,
                levels,
                name,
            });
        }
        Ok(out)
    }

    /// The level an `acr` value stands for.
    pub fn level(&self, acr: Option<&str>) -> Assurance {
        acr.and_then(|acr| self.levels.iter().find(|(a, _)| a == acr))
            .map_or(Assurance::Low, |(_, level)| *level)
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What discovery says (OpenID Connect Discovery 1.0), the members used.
#[derive(Debug, Clone, Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
    #[serde(default)]
    id_token_signing_alg_values_supported: Vec<String>,
}

#[derive(Default)]
struct Cache {
    metadata: Option<(Metadata, i64)>,
    jwks: Option<(Jwks, i64)>,
}

struct Provider {
    config: ProviderConfig,
    cache: Mutex<Cache>,
}

/// How long discovery and the JWKS are believed before they are read again.
const CACHE_MS: i64 = 3_600_000;
/// A token with an unknown `kid` makes the keys be read again, at most this often.
const JWKS_RETRY_MS: i64 = 10_000;
/// How long a started sign-in waits for the provider's answer.
const ATTEMPT_MINUTES: i64 = 10;

/// The configured providers, with what has been read from them.
pub struct ExternalProviders {
    providers: Vec<Provider>,
    http: reqwest::Client,
}

/// A sign-in about to go to the provider.
pub struct Begun {
    /// Where the browser goes: the authorization endpoint with the request.
    pub location: String,
    /// The browser's binding to this attempt, for a cookie.
    pub browser: String,
    pub attempt: NewAttempt,
}

/// What [`record_attempt`] keeps.
pub struct NewAttempt {
    pub provider: String,
    state: String,
    browser: String,
    nonce: String,
    verifier: String,
}

/// A taken attempt: what the callback needs to redeem the code.
#[derive(Debug)]
pub struct Attempt {
    pub provider: String,
    nonce: String,
    verifier: String,
    pub next: Option<String>,
}

/// What a good provider answer says about the person.
#[derive(Debug, Clone)]
pub struct Asserted {
    pub provider: String,
    pub subject: String,
    pub identifier: Option<Result<PersonalId, Refusal>>,
    pub level: Assurance,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl ExternalProviders {
    pub fn new(configs: Vec<ProviderConfig>) -> Result<ExternalProviders, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(ExternalProviders {
            providers: configs
                .into_iter()
                .map(|config| Provider {
                    config,
                    cache: Mutex::new(Cache::default()),
                })
                .collect(),
            http,
        })
    }

    /// The configured providers, in order (for the sign-in page's buttons).
    pub fn configs(&self) -> impl Iterator<Item = &ProviderConfig> {
        self.providers.iter().map(|p| &p.config)
    }

    fn provider(&self, name: &str) -> Result<&Provider, Refusal> {
        self.providers
            .iter()
            .find(|p| p.config.name == name)
            .ok_or(Refusal::UnknownProvider)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, Refusal> {
        let response = self.http.get(url).send().await.map_err(|error| {
            tracing::warn!(%url, %error, "an eID provider could not be reached");
            Refusal::ProviderUnavailable
        })?;
        if !response.status().is_success() {
            tracing::warn!(%url, status = %response.status(), "an eID provider answered an error");
            return Err(Refusal::ProviderUnavailable);
        }
        response.json().await.map_err(|error| {
            tracing::warn!(%url, %error, "an eID provider's answer is not the JSON expected");
            Refusal::ProviderUnavailable
        })
    }

    async fn metadata(&self, p: &Provider, now: i64) -> Result<Metadata, Refusal> {
        if let Some((m, at)) = &p.cache.lock().await.metadata {
            if now - at < CACHE_MS {
                return Ok(m.clone());
            }
        }
        let url = format!("{}/.well-known/openid-configuration", p.config.issuer);
        let m: Metadata = self.get_json(&url).await?;
        if m.issuer != p.config.issuer {
            // OpenID Connect Discovery 4.3: another issuer's document is not this provider's.
            tracing::warn!(provider = %p.config.name, found = %m.issuer, "discovery names another issuer");
            return Err(Refusal::ProviderUnavailable);
        }
        p.cache.lock().await.metadata = Some((m.clone(), now));
        Ok(m)
    }

    async fn jwks(
        &self,
        p: &Provider,
        m: &Metadata,
        now: i64,
        fresh: bool,
    ) -> Result<Jwks, Refusal> {
        if let Some((keys, at)) = &p.cache.lock().await.jwks {
            let age = now - at;
            if (!fresh && age < CACHE_MS) || (fresh && age < JWKS_RETRY_MS) {
                return Ok(keys.clone());
            }
        }
        let keys: Jwks = self.get_json(&m.jwks_uri).await?;
        p.cache.lock().await.jwks = Some((keys.clone(), now));
        Ok(keys)
    }

    /// Starts a sign-in with provider `name`: reads its discovery document (network, before any
    /// transaction) and makes the request. `redirect_uri` is this site's callback for it.
    pub async fn begin(
        &self,
        name: &str,
        redirect_uri: &str,
        now: DateTime<Utc>,
    ) -> Result<Begun, Refusal> {
        let p = self.provider(name)?;
        let m = self.metadata(p, to_millis(now)).await?;
        let state = random_token(32);
        let nonce = random_token(32);
        let verifier = random_token(32);
        let browser = random_token(32);
        let mut url =
            url::Url::parse(&m.authorization_endpoint).map_err(|_| Refusal::ProviderUnavailable)?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &p.config.client_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("scope", &p.config.scopes)
                .append_pair("state", &state)
                .append_pair("nonce", &nonce)
                .append_pair("code_challenge", &s256(&verifier))
                .append_pair("code_challenge_method", "S256");
            if let Some(acr) = &p.config.acr_values {
                q.append_pair("acr_values", acr);
            }
        }
        Ok(Begun {
            location: url.to_string(),
            browser: browser.clone(),
            attempt: NewAttempt {
                provider: p.config.name.clone(),
                state,
                browser,
                nonce,
                verifier,
            },
        })
    }

    /// Redeems the code of a taken attempt and checks what comes back (network, no transaction
    /// open): the token response, the ID token's signature and claims, userinfo.
    pub async fn redeem(
        &self,
        attempt: &Attempt,
        code: &str,
        redirect_uri: &str,
        now: DateTime<Utc>,
    ) -> Result<Asserted, Refusal> {
        let p = self.provider(&attempt.provider)?;
        let m = self.metadata(p, to_millis(now)).await?;
        let mut request = self.http.post(&m.token_endpoint).form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", attempt.verifier.as_str()),
            ("client_id", p.config.client_id.as_str()),
        ]);
        if let Some(secret) = &p.config.client_secret {
            // RFC 6749 2.3.1: both parts form-urlencoded before Basic.
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            request = request.basic_auth(enc(&p.config.client_id), Some(enc(secret)));
        }
        let response = request.send().await.map_err(|error| {
            tracing::warn!(provider = %p.config.name, %error, "the token endpoint could not be reached");
            Refusal::ProviderUnavailable
        })?;
        if !response.status().is_success() {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            tracing::info!(provider = %p.config.name, %status, body = %body.chars().take(300).collect::<String>(), "the provider refused the code");
            return Err(Refusal::TokenRefused);
        }
        let tokens: TokenResponse = response.json().await.map_err(|_| Refusal::BadToken)?;
        let Some(raw) = tokens.id_token else {
            return Err(Refusal::BadToken);
        };
        let allowed: Vec<String> = if m.id_token_signing_alg_values_supported.is_empty() {
            vec!["RS256".into()]
        } else {
            m.id_token_signing_alg_values_supported.clone()
        };
        let now_ms = to_millis(now);
        let keys = self.jwks(p, &m, now_ms, false).await?;
        let claims = match id_token::verify_signature(&raw, &keys, &allowed) {
            Ok(c) => c,
            Err(SignatureProblem::NoKey) => {
                let keys = self.jwks(p, &m, now_ms, true).await?;
                match id_token::verify_signature(&raw, &keys, &allowed) {
                    Ok(c) => c,
                    Err(SignatureProblem::NoKey) => return Err(Refusal::BadSignature),
                    Err(SignatureProblem::Refused(r)) => return Err(r),
                }
            }
            Err(SignatureProblem::Refused(r)) => return Err(r),
        };
        let subject = id_token::check_claims(
            &claims,
            &Expected {
                issuer: &p.config.issuer,
                client_id: &p.config.client_id,
                nonce: &attempt.nonce,
                now,
            },
        )?;
        let mut all = claims.clone();
        if let (Some(endpoint), Some(token)) = (&m.userinfo_endpoint, &tokens.access_token) {
            let info = self.userinfo(endpoint, token).await?;
            // OpenID Connect Core 5.3.2: userinfo of another subject must not be used.
            if info.get("sub").and_then(Value::as_str) != Some(subject.as_str()) {
                return Err(Refusal::BadToken);
            }
            for (k, v) in info {
                // What the ID token says about the sign-in itself is the ID token's.
                if !matches!(
                    k.as_str(),
                    "iss" | "aud" | "acr" | "nonce" | "exp" | "iat" | "azp"
                ) {
                    all.insert(k, v);
                }
            }
        }
        Ok(asserted(&p.config, subject, &claims, &all))
    }

    async fn userinfo(&self, endpoint: &str, token: &str) -> Result<Map<String, Value>, Refusal> {
        let response = self
            .http
            .get(endpoint)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|_| Refusal::ProviderUnavailable)?;
        if !response.status().is_success() {
            return Err(Refusal::ProviderUnavailable);
        }
        match response.json::<Value>().await {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(Refusal::ProviderUnavailable),
        }
    }

    /// The provider's issuer, to compare with an `iss` parameter of the answer (RFC 9207).
    pub fn issuer(&self, name: &str) -> Option<&str> {
        self.provider(name).ok().map(|p| p.config.issuer.as_str())
    }
}

/// Reads the person from the checked claims: the identifier from the configured claim, the
/// level from the ID token's `acr`, names and e-mail.
fn asserted(
    config: &ProviderConfig,
    subject: String,
    id_token: &Map<String, Value>,
    all: &Map<String, Value>,
) -> Asserted {
    let text = |k: &str| {
        all.get(k)
            .and_then(Value::as_str)
            .map(|s| s.trim().chars().take(100).collect::<String>())
            .filter(|s| !s.is_empty())
    };
    let identifier = text(&config.identifier_claim).map(|raw| parse_personal(&raw));
    let (given, family) = match (text("given_name"), text("family_name")) {
        (Some(g), Some(f)) => (g, f),
        (g, f) => {
            let name = text("name").unwrap_or_default();
            let (first, rest) = name.split_once(' ').unwrap_or((name.as_str(), ""));
            (
                g.unwrap_or_else(|| first.to_owned()),
                f.unwrap_or_else(|| rest.trim().to_owned()),
            )
        }
    };
    // Only an address the provider says it verified: an unverified one would let anyone's eID
    // take an address (and the sign-in links sent to it) from its owner.
    let email_verified = all.get("email_verified").and_then(Value::as_bool) == Some(true);
    Asserted {
        provider: config.name.clone(),
        subject,
        identifier,
        level: config.level(id_token.get("acr").and_then(Value::as_str)),
        given_name: given,
        family_name: family,
        email: text("email").filter(|_| email_verified),
    }
}

/// `PNOBG-<EGN or LNCh>` (ETSI EN 319 412-1), or the bare number.
fn parse_personal(raw: &str) -> Result<PersonalId, Refusal> {
    match parse_identifier(raw) {
        Some(Ok(CertIdentifier::Personal(pid))) => Ok(pid),
        Some(_) => Err(Refusal::BadIdentifier),
        None => PersonalId::parse_egn(raw.trim())
            .or_else(|_| PersonalId::parse_lnch(raw.trim()))
            .map_err(|_| Refusal::BadIdentifier),
    }
}

/// The key that seals an attempt's nonce and verifier: derived from the browser's binding
/// cookie, of which the database keeps only the SHA-256.
fn attempt_cipher(browser: &str) -> ChaCha20Poly1305 {
    let hkdf = hkdf::Hkdf::<Sha256>::new(Some(b"portico"), browser.as_bytes());
    let mut key = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit of 255 × 32: this cannot fail.
    let _ = hkdf.expand(b"identity.eid_attempt.v1", &mut key);
    ChaCha20Poly1305::new(Key::from_slice(&key))
}

#[derive(serde::Serialize, Deserialize)]
struct SealedParts {
    nonce: String,
    verifier: String,
}

/// Seals the nonce and verifier for the browser `browser`, bound to the attempt's state hash (a
/// sealed value copied onto another attempt's row does not open).
fn seal_attempt(attempt: &NewAttempt, state_hash: &str) -> Result<String, IdentityError> {
    let plain = serde_json::to_vec(&SealedParts {
        nonce: attempt.nonce.clone(),
        verifier: attempt.verifier.clone(),
    })
    .map_err(|e| IdentityError::Internal(e.to_string()))?;
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = attempt_cipher(&attempt.browser)
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: state_hash.as_bytes(),
            },
        )
        .map_err(|_| IdentityError::Internal("could not seal an eID attempt".into()))?;
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The nonce and verifier of a sealed attempt, when `browser` is the cookie it was sealed for.
fn open_attempt(browser: &str, state_hash: &str, sealed: &str) -> Option<SealedParts> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sealed)
        .ok()?;
    if bytes.len() <= 12 {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(12);
    let plain = attempt_cipher(browser)
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: state_hash.as_bytes(),
            },
        )
        .ok()?;
    serde_json::from_slice(&plain).ok()
}

/// Keeps a begun attempt, with the local path to go on to afterwards: the state and the
/// browser binding only as hashes, the nonce and PKCE verifier sealed under a key only the
/// browser's binding cookie gives.
pub async fn record_attempt(
    tx: &mut Tx,
    attempt: &NewAttempt,
    next: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    let state_hash = sha256_hex(&attempt.state);
    let sealed = seal_attempt(attempt, &state_hash)?;
    sqlx::query(
        "INSERT INTO eid_attempts (state_hash, provider, browser_hash, sealed, next_path, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&state_hash)
    .bind(&attempt.provider)
    .bind(sha256_hex(&attempt.browser))
    .bind(&sealed)
    .bind(next)
    .bind(to_millis(now))
    .bind(to_millis(now + chrono::Duration::minutes(ATTEMPT_MINUTES)))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An attempt's row: provider, browser hash, sealed nonce and verifier, next, expiry, use.
type AttemptRow = (String, String, String, Option<String>, i64, Option<i64>);

/// Accepts the provider's answer's `state` once, for the provider it was begun with, from the
/// browser that begun it (`browser`: its binding cookie, which also opens the sealed nonce and
/// verifier), within ten minutes. Taking it wipes the sealed values. The caller commits at once,
/// so a second use of the same answer is [`Refusal::Replayed`] whatever happens next.
pub async fn take_attempt(
    tx: &mut Tx,
    provider: &str,
    state: &str,
    browser: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<Attempt, Refusal>, IdentityError> {
    let state_hash = sha256_hex(state);
    let row: Option<AttemptRow> = sqlx::query_as(
        "SELECT provider, browser_hash, sealed, next_path, expires_at, used_at
             FROM eid_attempts WHERE state_hash = $1",
    )
    .bind(&state_hash)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((found_provider, browser_hash, sealed, next, expires_at, used_at)) = row else {
        return Ok(Err(Refusal::BadState));
    };
    if found_provider != provider {
        return Ok(Err(Refusal::BadState));
    }
    if used_at.is_some() {
        return Ok(Err(Refusal::Replayed));
    }
    let Some(browser) = browser.filter(|b| sha256_hex(b) == browser_hash) else {
        return Ok(Err(Refusal::BadState));
    };
    if expires_at <= to_millis(now) {
        return Ok(Err(Refusal::BadState));
    }
    let Some(parts) = open_attempt(browser, &state_hash, &sealed) else {
        return Ok(Err(Refusal::BadState));
    };
    let taken = sqlx::query(
        "UPDATE eid_attempts SET used_at = $1, sealed = '' WHERE state_hash = $2 AND used_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(&state_hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if taken == 0 {
        return Ok(Err(Refusal::Replayed));
    }
    Ok(Ok(Attempt {
        provider: found_provider,
        nonce: parts.nonce,
        verifier: parts.verifier,
        next,
    }))
}

/// Records a refused eID sign-in (provider and reason, never an identifier).
pub async fn record_refusal(
    tx: &mut Tx,
    provider: &str,
    refusal: Refusal,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    let event = Event::new(
        "anonymous",
        "identity.eid_refused",
        &format!("eid:{provider}"),
    )
    .with(serde_json::json!({ "provider": provider, "reason": refusal.code() }));
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

/// How an eID sign-in ended up at its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EidSignIn {
    pub account_id: String,
    pub created: bool,
    pub linked: bool,
    pub released_from: Option<String>,
    pub session: String,
}

/// Signs the person the provider vouched for in, at the provider's level:
///
/// - the provider's subject already linked to an account: that account, as long as the
///   provider still names the account's personal number ([`Refusal::IdentifierMismatch`]);
/// - else by the personal number (none: [`Refusal::NoIdentifier`]):
///   - an account whose number is **proven** (`substantial` or above) is linked only when the
///     provider's level is at least `substantial` too; a `low` eID cannot take a proven
///     account ([`Refusal::IdentifierHeld`]);
///   - an account that only **claimed** the number is linked when the person is signed in to it
///     right now with both factors (`current`) and the level is at least `substantial`;
///     otherwise, at `substantial` or above, the claim is taken off that account
///     (`identity.claim_released_by_eid`, its sessions end) and a new account is made for the
///     provider's person. Nothing of the claimant's is merged into it. At `low` a claim is not
///     taken from anyone ([`Refusal::IdentifierHeld`]);
///   - no account: a new one, its identifier at the provider's level.
///
/// The account's identifier is raised to the provider's level (never lowered); the session's
/// sign-in level is the provider's. One transaction, with `identity.sign_in` (method `eid`).
pub async fn sign_in(
    tx: &mut Tx,
    person: &Asserted,
    current: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<EidSignIn, Refusal>, IdentityError> {
    let identifier = match &person.identifier {
        Some(Ok(pid)) => Some(pid),
        Some(Err(r)) => return Ok(Err(*r)),
        None => None,
    };
    let linked: Option<(String,)> =
        sqlx::query_as("SELECT account_id FROM eid_links WHERE provider = $1 AND subject = $2")
            .bind(&person.provider)
            .bind(&person.subject)
            .fetch_optional(&mut **tx)
            .await?;
    let mut created = false;
    let mut newly_linked = false;
    let mut released_from = None;
    let account_id = if let Some((account_id,)) = linked {
        let (personal_id, disabled): (Option<String>, Option<i64>) =
            sqlx::query_as("SELECT personal_id, disabled_at FROM accounts WHERE id = $1")
                .bind(&account_id)
                .fetch_one(&mut **tx)
                .await?;
        if disabled.is_some() {
            return Ok(Err(Refusal::AccountDisabled));
        }
        if let Some(pid) = identifier {
            if personal_id.as_deref() != Some(pid.value()) {
                return Ok(Err(Refusal::IdentifierMismatch));
            }
        }
        account_id
    } else {
        let Some(pid) = identifier else {
            return Ok(Err(Refusal::NoIdentifier));
        };
        let found: Option<(String, String, Option<i64>)> = sqlx::query_as(
            "SELECT id, identity_assurance, disabled_at FROM accounts WHERE personal_id = $1",
        )
        .bind(pid.value())
        .fetch_optional(&mut **tx)
        .await?;
        let proven = person.level >= Assurance::Substantial;
        let id = match found {
            Some((_, _, Some(_))) => return Ok(Err(Refusal::AccountDisabled)),
            Some((id, level, None)) if Assurance::from_stored(&level) >= Assurance::Substantial => {
                if !proven {
                    return Ok(Err(Refusal::IdentifierHeld));
                }
                id
            }
            Some((id, _, None)) if proven && current == Some(id.as_str()) => id,
            Some((claimant, _, None)) => {
                if !proven {
                    return Ok(Err(Refusal::IdentifierHeld));
                }
                release(tx, &claimant, &person.provider, now).await?;
                released_from = Some(claimant);
                created = true;
                create(tx, person, pid, now).await?
            }
            None => {
                created = true;
                create(tx, person, pid, now).await?
            }
        };
        sqlx::query(
            "INSERT INTO eid_links (provider, subject, account_id, first_used_at, last_used_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&person.provider)
        .bind(&person.subject)
        .bind(&id)
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
        newly_linked = true;
        id
    };
    sqlx::query("UPDATE eid_links SET last_used_at = $1 WHERE provider = $2 AND subject = $3")
        .bind(to_millis(now))
        .bind(&person.provider)
        .bind(&person.subject)
        .execute(&mut **tx)
        .await?;
    raise(tx, &account_id, person.level).await?;
    let session =
        sessions::create(tx, &account_id, sessions::STAGE_COMPLETE, person.level, now).await?;
    if newly_linked && !created {
        let event = Event::new(&account_id, "identity.eid_linked", &account_id).with(
            serde_json::json!({ "provider": person.provider, "level": person.level.as_str() }),
        );
        portico_audit::append(tx, event, now).await?;
    }
    let event = Event::new(&account_id, "identity.sign_in", &account_id).with(serde_json::json!({
        "method": "eid",
        "provider": person.provider,
        "level": person.level.as_str(),
    }));
    portico_audit::append(tx, event, now).await?;
    Ok(Ok(EidSignIn {
        account_id,
        created,
        linked: newly_linked,
        released_from,
        session: session.token,
    }))
}

/// Raises the account's identifier to `level`; never lowers it.
async fn raise(tx: &mut Tx, account_id: &str, level: Assurance) -> Result<(), IdentityError> {
    let lower: &[&str] = match level {
        Assurance::Low => &[],
        Assurance::Substantial => &["low"],
        Assurance::High => &["low", "substantial"],
    };
    for from in lower {
        sqlx::query(
            "UPDATE accounts SET identity_assurance = $1 WHERE id = $2 AND identity_assurance = $3",
        )
        .bind(level.as_str())
        .bind(account_id)
        .bind(*from)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Takes a merely claimed number off `account_id`; its sessions end.
async fn release(
    tx: &mut Tx,
    account_id: &str,
    provider: &str,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
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
    let event = Event::new("system:eid", "identity.claim_released_by_eid", account_id)
        .with(serde_json::json!({ "by": "eid", "provider": provider }));
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

/// A new citizen account for the provider's person: no password (it signs in through the
/// provider), the provider's e-mail when it is verified and no other account uses it, else a
/// placeholder under `.invalid` (RFC 2606) that never delivers.
async fn create(
    tx: &mut Tx,
    person: &Asserted,
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
    let email = email.unwrap_or_else(|| format!("eid-{id}@accounts.invalid"));
    sqlx::query(
        "INSERT INTO accounts (id, kind, personal_id_kind, personal_id, given_name, family_name, email, password_hash, created_at, identity_assurance)
         VALUES ($1, 'citizen', $2, $3, $4, $5, $6, '!', $7, $8)",
    )
    .bind(&id)
    .bind(pid.kind())
    .bind(pid.value())
    .bind(&person.given_name)
    .bind(&person.family_name)
    .bind(&email)
    .bind(to_millis(now))
    .bind(person.level.as_str())
    .execute(&mut **tx)
    .await?;
    let event = Event::new(&id, "identity.registered", &id)
        .with(serde_json::json!({ "method": "eid", "provider": person.provider }));
    portico_audit::append(tx, event, now).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn providers_are_read_from_the_environment() {
        let got = ProviderConfig::from_env(env(&[
            ("PORTICO_OIDC_PROVIDERS", "eauth, my-eid"),
            ("PORTICO_OIDC_EAUTH_ISSUER", "https://eauth.example/"),
            ("PORTICO_OIDC_EAUTH_CLIENT_ID", "portico"),
            ("PORTICO_OIDC_EAUTH_CLIENT_SECRET", "s"),
            (
                "PORTICO_OIDC_EAUTH_LEVELS",
                "urn:x:high=high, urn:x:sub=substantial",
            ),
            ("PORTICO_OIDC_MY_EID_ISSUER", "http://127.0.0.1:9000"),
            ("PORTICO_OIDC_MY_EID_CLIENT_ID", "c"),
        ]))
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].issuer, "https://eauth.example");
        assert_eq!(got[0].level(Some("urn:x:high")), Assurance::High);
        assert_eq!(got[0].level(Some("urn:x:other")), Assurance::Low);
        assert_eq!(got[0].level(None), Assurance::Low);
        assert_eq!(got[1].name, "my-eid");
        assert!(got[1].client_secret.is_none());
        assert_eq!(
            got[1].level(Some("http://eidas.europa.eu/LoA/substantial")),
            Assurance::Substantial
        );

        let error = |pairs: &[(&str, &str)]| ProviderConfig::from_env(env(pairs)).unwrap_err();
        assert_eq!(
            error(&[("PORTICO_OIDC_PROVIDERS", "a")]),
            "PORTICO_OIDC_A_ISSUER is not set"
        );
        assert!(error(&[
            ("PORTICO_OIDC_PROVIDERS", "a"),
            ("PORTICO_OIDC_A_ISSUER", "http://eid.example"),
            ("PORTICO_OIDC_A_CLIENT_ID", "c"),
        ])
        .contains("https"));
        assert!(error(&[("PORTICO_OIDC_PROVIDERS", "a b")]).contains("letters"));
        assert!(error(&[
            ("PORTICO_OIDC_PROVIDERS", "a"),
            ("PORTICO_OIDC_A_ISSUER", "https://eid.example"),
            ("PORTICO_OIDC_A_CLIENT_ID", "c"),
            ("PORTICO_OIDC_A_LEVELS", "x=top"),
        ])
        .contains("not low, substantial or high"));
    }

    #[test]
    fn personal_numbers_are_read_in_both_forms() {
        assert_eq!(
            parse_personal("PNOBG-7523169263").unwrap().value(),
            "7523169263"
        );
        assert_eq!(parse_personal("7523169263").unwrap().value(), "7523169263");
        assert_eq!(
            parse_personal("PNOBG-7523169264"),
            Err(Refusal::BadIdentifier)
        );
        assert_eq!(parse_personal("IDCBG-AB1234"), Err(Refusal::BadIdentifier));
        assert_eq!(parse_personal("someone"), Err(Refusal::BadIdentifier));
    }
}
