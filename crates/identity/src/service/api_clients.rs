//! API clients: an administration's own systems calling the JSON API (OAuth 2.0 client
//! credentials, RFC 6749 §4.4). An administration admin creates them with scopes; a client
//! authenticates with a secret (shown once, kept as its SHA-256) or with `private_key_jwt`
//! (RFC 7523: a JWT signed by its own Ed25519 key), and gets an access token for five minutes.
//!
//! Access tokens are JWTs signed by the platform key (RFC 9068 `at+jwt`), not opaque strings in
//! a table: issuing one writes nothing, so issuance scales with CPU rather than with database
//! writes, and there is no token table to grow and sweep. Checking one is a signature check and
//! one primary-key read of the client's row, so revoking a client or rotating its credential
//! ends its tokens at once, on every node (see docs/identity.md#api-clients).

use crate::service::sha256_hex;
use crate::IdentityError;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Utc};
use portico_audit::{Event, SigningKey};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, ApiClient, Role};
use portico_store::{Db, Tx};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// How long an access token lives.
pub const TOKEN_LIFETIME_SECS: i64 = 300;

/// The longest a client assertion may be valid for (its `exp` past now).
pub const MAX_ASSERTION_SECS: i64 = 600;

/// `typ` of Portico's access tokens (RFC 9068), so that no other JWT the platform signs (an ID
/// token, evidence) is taken for one.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// `aud` of Portico's access tokens.
pub const ACCESS_TOKEN_AUDIENCE: &str = "portico-api";

/// RFC 7523 §2.2.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The scopes a client can be given (each described by `apiclient-scope-<name>`): `cases` works
/// the administration's cases (reads them, moves them along their process); `delivery` sends
/// and receives the official messages of the administration's and its units' mailboxes;
/// `payments` asks for and works the administration's payments; `opendata` publishes the
/// administration's open datasets.
pub const SCOPES: &[&str] = &["cases", "delivery", "payments", "opendata", "catalog"];

/// How a client proves who it is at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A secret, sent as HTTP Basic (`client_secret_basic`) or in the form (`client_secret_post`).
    ClientSecret,
    /// A JWT signed by the client's own key (RFC 7523).
    PrivateKeyJwt,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecret => "client_secret",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
        }
    }

    pub fn parse(s: &str) -> Option<AuthMethod> {
        match s {
            "client_secret" => Some(AuthMethod::ClientSecret),
            "private_key_jwt" => Some(AuthMethod::PrivateKeyJwt),
            _ => None,
        }
    }
}

/// An API client as its administration's admins see it (never its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiClientView {
    /// The `client_id` for the token endpoint.
    pub id: String,
    pub administration_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub auth_method: AuthMethod,
    /// The registered Ed25519 public key as a JWK, for `private_key_jwt` clients.
    #[schema(value_type = Option<Object>)]
    pub public_key: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiClientView {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// What an admin asks for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewApiClient {
    pub name: String,
    pub scopes: Vec<String>,
    pub auth_method: AuthMethod,
    /// For `private_key_jwt`: the client's Ed25519 public key, as a JWK (`{"kty":"OKP",
    /// "crv":"Ed25519","x":…}`) or as PEM (`-----BEGIN PUBLIC KEY-----`).
    pub public_key: Option<String>,
}

/// A client just made or rotated: the secret is in here once, and nowhere else ever again.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Credentials {
    pub client: ApiClientView,
    /// Only for `client_secret` clients; store it now, it is not shown again.
    pub client_secret: Option<String>,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
);

const COLUMNS: &str = "id, administration_id, name, scopes, auth_method, public_key, created_at, rotated_at, revoked_at";

fn view(r: Row) -> ApiClientView {
    ApiClientView {
        id: r.0,
        administration_id: r.1,
        name: r.2,
        scopes: split_scopes(&r.3),
        auth_method: AuthMethod::parse(&r.4).unwrap_or(AuthMethod::ClientSecret),
        public_key: r.5.map(|x| jwk(&x)),
        created_at: from_millis(r.6),
        rotated_at: r.7.map(from_millis),
        revoked_at: r.8.map(from_millis),
    }
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn jwk(x: &str) -> serde_json::Value {
    serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": x })
}

/// Only the administration's own admins (or a platform admin) manage its clients.
pub fn may_manage(actor: &Actor, administration_id: &str) -> bool {
    actor.has_role(administration_id, Role::AdministrationAdmin) || actor.is_platform_admin()
}

fn new_secret() -> String {
    format!("pcs_{}", crate::service::random_token(32))
}

/// The key's `x` (base64url of its 32 bytes) from a JWK or a PEM public key; Ed25519 only.
pub fn parse_public_key(text: &str) -> Result<String, IdentityError> {
    let bad = || IdentityError::field("public_key", "apiclient.public_key_invalid");
    let text = text.trim();
    let bytes: [u8; 32] = if text.starts_with("-----BEGIN") {
        use ed25519_dalek::pkcs8::DecodePublicKey;
        ed25519_dalek::VerifyingKey::from_public_key_pem(text)
            .map_err(|_| bad())?
            .to_bytes()
    } else {
        let jwk: serde_json::Value = serde_json::from_str(text).map_err(|_| bad())?;
        if jwk["kty"] != "OKP" || jwk["crv"] != "Ed25519" {
            return Err(bad());
        }
        let x = jwk["x"].as_str().ok_or_else(bad)?;
        let raw = URL_SAFE_NO_PAD.decode(x).map_err(|_| bad())?;
        let raw: [u8; 32] = raw.try_into().map_err(|_| bad())?;
        ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(|_| bad())?;
        raw
    };
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn check_new(new: &NewApiClient) -> Result<(String, String, Option<String>), IdentityError> {
    let mut errors = Vec::new();
    let name = new.name.trim().to_owned();
    if name.is_empty() {
        errors.push(portico_core::FieldError::new(
            "name",
            "apiclient.name_missing",
        ));
    } else if name.chars().count() > 100 {
        errors.push(portico_core::FieldError::new(
            "name",
            "apiclient.name_too_long",
        ));
    }
    let mut scopes: Vec<&str> = new.scopes.iter().map(|s| s.trim()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    if scopes.is_empty() {
        errors.push(portico_core::FieldError::new(
            "scopes",
            "apiclient.scopes_missing",
        ));
    } else if scopes.iter().any(|s| !SCOPES.contains(s)) {
        errors.push(portico_core::FieldError::new(
            "scopes",
            "apiclient.scope_unknown",
        ));
    }
    let key = match (new.auth_method, new.public_key.as_deref().map(str::trim)) {
        (AuthMethod::PrivateKeyJwt, Some(k)) if !k.is_empty() => match parse_public_key(k) {
            Ok(x) => Some(x),
            Err(IdentityError::Invalid(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(e) => return Err(e),
        },
        (AuthMethod::PrivateKeyJwt, _) => {
            errors.push(portico_core::FieldError::new(
                "public_key",
                "apiclient.public_key_missing",
            ));
            None
        }
        (AuthMethod::ClientSecret, _) => None,
    };
    if !errors.is_empty() {
        return Err(IdentityError::Invalid(errors));
    }
    Ok((name, scopes.join(" "), key))
}

/// Makes a client for `administration_id`. Audited as `identity.api_client_created`.
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    administration_id: &str,
    new: &NewApiClient,
    now: DateTime<Utc>,
) -> Result<Credentials, IdentityError> {
    if !may_manage(actor, administration_id) {
        return Err(IdentityError::NotFound);
    }
    let (name, scopes, public_key) = check_new(new)?;
    let id = new_id();
    let secret = (new.auth_method == AuthMethod::ClientSecret).then(new_secret);
    sqlx::query(
        "INSERT INTO api_clients (id, administration_id, name, scopes, auth_method, secret_hash, public_key, credential_version, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9)",
    )
    .bind(&id)
    .bind(administration_id)
    .bind(&name)
    .bind(&scopes)
    .bind(new.auth_method.as_str())
    .bind(secret.as_deref().map(sha256_hex))
    .bind(public_key.as_deref())
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let mut event = Event::new(&actor.audit_id(), "identity.api_client_created", &id)
        .in_administration(administration_id);
    event.details = serde_json::json!({
        "name": name, "scopes": scopes, "auth_method": new.auth_method.as_str(),
    });
    portico_audit::append(tx, event, now).await?;
    let client = load(&mut **tx, &id).await?.ok_or(IdentityError::NotFound)?;
    Ok(Credentials {
        client,
        client_secret: secret,
    })
}

async fn load<'e, E>(executor: E, id: &str) -> Result<Option<ApiClientView>, IdentityError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if !portico_core::ids::is_valid_id(id) {
        return Ok(None);
    }
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM api_clients WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?;
    Ok(row.map(view))
}

/// The administration's clients, newest first (revoked ones too, marked).
pub async fn list(
    db: &Db,
    actor: &Actor,
    administration_id: &str,
) -> Result<Vec<ApiClientView>, IdentityError> {
    if !may_manage(actor, administration_id) {
        return Err(IdentityError::NotFound);
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_clients WHERE administration_id = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(administration_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(view).collect())
}

/// One client, for an admin of its administration; to anyone else it does not exist.
pub async fn get(db: &Db, actor: &Actor, id: &str) -> Result<ApiClientView, IdentityError> {
    match load(db.pool(), id).await? {
        Some(c) if may_manage(actor, &c.administration_id) => Ok(c),
        _ => Err(IdentityError::NotFound),
    }
}

/// Replaces the client's credential: a new secret (returned, once) or, for a `private_key_jwt`
/// client, the new public key given. Tokens issued before stop working at once. Audited as
/// `identity.api_client_rotated`.
pub async fn rotate(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    new_public_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Credentials, IdentityError> {
    let client = match load(&mut **tx, id).await? {
        Some(c) if may_manage(actor, &c.administration_id) => c,
        _ => return Err(IdentityError::NotFound),
    };
    if client.is_revoked() {
        return Err(IdentityError::NotFound);
    }
    let (secret, key) = match client.auth_method {
        AuthMethod::ClientSecret => (Some(new_secret()), None),
        AuthMethod::PrivateKeyJwt => {
            let text = new_public_key
                .filter(|k| !k.trim().is_empty())
                .ok_or_else(|| {
                    IdentityError::field("public_key", "apiclient.public_key_missing")
                })?;
            (None, Some(parse_public_key(text)?))
        }
    };
    sqlx::query(
        "UPDATE api_clients SET secret_hash = $1, public_key = COALESCE($2, public_key),
           credential_version = credential_version + 1, rotated_at = $3
         WHERE id = $4 AND revoked_at IS NULL",
    )
    .bind(secret.as_deref().map(sha256_hex))
    .bind(key.as_deref())
    .bind(to_millis(now))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let event = Event::new(&actor.audit_id(), "identity.api_client_rotated", id)
        .in_administration(&client.administration_id);
    portico_audit::append(tx, event, now).await?;
    let client = load(&mut **tx, id).await?.ok_or(IdentityError::NotFound)?;
    Ok(Credentials {
        client,
        client_secret: secret,
    })
}

/// Ends the client for good: no new tokens, and the ones it holds stop working at once.
/// Audited as `identity.api_client_revoked`.
pub async fn revoke(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    let client = match load(&mut **tx, id).await? {
        Some(c) if may_manage(actor, &c.administration_id) => c,
        _ => return Err(IdentityError::NotFound),
    };
    if client.is_revoked() {
        return Ok(());
    }
    sqlx::query("UPDATE api_clients SET revoked_at = $1, secret_hash = NULL WHERE id = $2")
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let event = Event::new(&actor.audit_id(), "identity.api_client_revoked", id)
        .in_administration(&client.administration_id);
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

// ---- the token endpoint -------------------------------------------------------------------

/// How a client authenticated at `POST /oauth/token`.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    Secret { client_id: String, secret: String },
    Assertion { assertion: String },
}

/// Why a token request was refused, as RFC 6749 §5.2 names it.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_scope")]
    InvalidScope,
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("too many failed attempts; retry after {0} s")]
    RateLimited(i64),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for TokenError {
    fn from(e: sqlx::Error) -> Self {
        TokenError::Internal(e.to_string())
    }
}

impl From<IdentityError> for TokenError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::RateLimited(s) => TokenError::RateLimited(s),
            e => TokenError::Internal(e.to_string()),
        }
    }
}

/// What the token endpoint needs from the platform.
#[derive(Clone)]
pub struct TokenIssuer {
    pub key: SigningKey,
    /// The platform's public address: `iss` of its tokens; a client assertion's `aud` is this or
    /// the token endpoint's address.
    pub issuer: String,
}

impl TokenIssuer {
    pub fn token_endpoint(&self) -> String {
        format!("{}/oauth/token", self.issuer.trim_end_matches('/'))
    }
}

/// A token as the endpoint returns it (RFC 6749 §5.1).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
}

/// Failed token requests per client id (known or not) and per client address: five free, then
/// 5 s doubling up to 15 minutes. Only failures are counted, so a busy client pays one read per
/// token, never a write.
pub const TOKEN_FAILURES: crate::service::throttle::Policy = crate::service::throttle::Policy {
    free: 5,
    first_delay_secs: 5,
    max_delay_secs: 15 * 60,
    forget_after_secs: 60 * 60,
};

/// The same per client address, with room for many systems behind one address.
pub const TOKEN_FAILURES_ADDRESS: crate::service::throttle::Policy =
    crate::service::throttle::Policy {
        free: 50,
        first_delay_secs: 5,
        max_delay_secs: 15 * 60,
        forget_after_secs: 60 * 60,
    };

async fn locked_for(db: &Db, key: &str, now: DateTime<Utc>) -> Result<Option<i64>, TokenError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT locked_until FROM throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?;
    let wait_ms = row.map(|r| r.0).unwrap_or(0) - to_millis(now);
    Ok((wait_ms > 0).then_some((wait_ms + 999) / 1000))
}

async fn count_failure(db: &Db, keys: [&str; 2], now: DateTime<Utc>) -> Result<(), TokenError> {
    let mut tx = db
        .begin()
        .await
        .map_err(|e| TokenError::Internal(e.to_string()))?;
    for (key, policy) in keys
        .into_iter()
        .zip([TOKEN_FAILURES, TOKEN_FAILURES_ADDRESS])
    {
        match crate::service::throttle::claim(&mut tx, key, &policy, now).await {
            Ok(_) | Err(IdentityError::RateLimited(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit()
        .await
        .map_err(|e| TokenError::Internal(e.to_string()))?;
    Ok(())
}

#[derive(Debug, Deserialize)]
struct AssertionClaims {
    iss: String,
    exp: i64,
    jti: Option<String>,
}

/// The client an assertion says it comes from (`iss`), unchecked: only to find its key.
fn assertion_client_id(assertion: &str) -> Option<String> {
    let payload = assertion.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    Some(v["iss"].as_str()?.to_owned())
}

struct ClientSecrets {
    administration_id: String,
    scopes: String,
    auth_method: String,
    secret_hash: Option<String>,
    public_key: Option<String>,
    version: i64,
}

async fn load_secrets(db: &Db, id: &str) -> Result<Option<ClientSecrets>, TokenError> {
    if !portico_core::ids::is_valid_id(id) {
        return Ok(None);
    }
    type SecretsRow = (String, String, String, Option<String>, Option<String>, i64);
    let row: Option<SecretsRow> = sqlx::query_as(
        "SELECT administration_id, scopes, auth_method, secret_hash, public_key, credential_version
             FROM api_clients WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| ClientSecrets {
        administration_id: r.0,
        scopes: r.1,
        auth_method: r.2,
        secret_hash: r.3,
        public_key: r.4,
        version: r.5,
    }))
}

/// Checks the client's credential; `Ok(false)` when it is wrong.
async fn authenticate(
    db: &Db,
    issuer: &TokenIssuer,
    client_id: &str,
    client: &ClientSecrets,
    auth: &ClientAuth,
    now: DateTime<Utc>,
) -> Result<bool, TokenError> {
    match auth {
        ClientAuth::Secret { secret, .. } => {
            let Some(stored) = &client.secret_hash else {
                return Ok(false);
            };
            if client.auth_method != AuthMethod::ClientSecret.as_str() {
                return Ok(false);
            }
            Ok(bool::from(
                sha256_hex(secret).as_bytes().ct_eq(stored.as_bytes()),
            ))
        }
        ClientAuth::Assertion { assertion } => {
            let Some(x) = &client.public_key else {
                return Ok(false);
            };
            let Ok(raw) = URL_SAFE_NO_PAD.decode(x) else {
                return Ok(false);
            };
            portico_audit::jws::install_jose_crypto();
            let key = jsonwebtoken::DecodingKey::from_ed_der(&raw);
            let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
            // Time is checked below against the platform's clock, not the system's.
            validation.validate_exp = false;
            validation.validate_nbf = false;
            validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
            validation.set_audience(&[issuer.token_endpoint(), issuer.issuer.clone()]);
            validation.set_issuer(&[client_id]);
            validation.sub = Some(client_id.to_owned());
            let Ok(data) = jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation)
            else {
                return Ok(false);
            };
            let now_s = now.timestamp();
            let claims = data.claims;
            if claims.iss != client_id
                || claims.exp <= now_s
                || claims.exp > now_s + MAX_ASSERTION_SECS
            {
                return Ok(false);
            }
            let Some(jti) = claims.jti.filter(|j| !j.is_empty() && j.len() <= 200) else {
                return Ok(false);
            };
            // An assertion works once: its jti is kept until it expires.
            let mut tx = db
                .begin()
                .await
                .map_err(|e| TokenError::Internal(e.to_string()))?;
            sqlx::query(
                "DELETE FROM api_client_assertions WHERE client_id = $1 AND expires_at < $2",
            )
            .bind(client_id)
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?;
            let inserted = sqlx::query(
                "INSERT INTO api_client_assertions (jti, client_id, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (jti) DO NOTHING",
            )
            .bind(format!("{client_id}:{jti}"))
            .bind(client_id)
            .bind(claims.exp * 1000)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit()
                .await
                .map_err(|e| TokenError::Internal(e.to_string()))?;
            Ok(inserted == 1)
        }
    }
}

/// The client credentials grant: checks the client, then signs a token for the scopes asked
/// (all of the client's when none are). `address` is the pseudonym of the caller's address.
pub async fn issue(
    db: &Db,
    issuer: &TokenIssuer,
    auth: &ClientAuth,
    scope: Option<&str>,
    address: &str,
    now: DateTime<Utc>,
) -> Result<IssuedToken, TokenError> {
    let client_id = match auth {
        ClientAuth::Secret { client_id, .. } => client_id.clone(),
        ClientAuth::Assertion { assertion } => {
            assertion_client_id(assertion).ok_or(TokenError::InvalidClient)?
        }
    };
    if client_id.is_empty() || client_id.len() > 100 {
        return Err(TokenError::InvalidClient);
    }
    let client_key = format!("token:client:{}", sha256_hex(&client_id));
    let address_key = format!("token:addr:{address}");
    for key in [&client_key, &address_key] {
        if let Some(secs) = locked_for(db, key, now).await? {
            return Err(TokenError::RateLimited(secs));
        }
    }
    let client = match load_secrets(db, &client_id).await? {
        Some(c) if authenticate(db, issuer, &client_id, &c, auth, now).await? => c,
        _ => {
            count_failure(db, [&client_key, &address_key], now).await?;
            return Err(TokenError::InvalidClient);
        }
    };
    let held = split_scopes(&client.scopes);
    let granted: Vec<String> = match scope.map(str::trim).filter(|s| !s.is_empty()) {
        None => held,
        Some(asked) => {
            let asked = split_scopes(asked);
            if asked.iter().any(|s| !held.contains(s)) {
                return Err(TokenError::InvalidScope);
            }
            asked
        }
    };
    let scope = granted.join(" ");
    let claims = serde_json::json!({
        "iss": issuer.issuer,
        "sub": client_id,
        "aud": ACCESS_TOKEN_AUDIENCE,
        "client_id": client_id,
        "adm": client.administration_id,
        "scope": scope,
        "ver": client.version,
        "iat": now.timestamp(),
        "exp": now.timestamp() + TOKEN_LIFETIME_SECS,
        "jti": new_id(),
    });
    Ok(IssuedToken {
        access_token: sign(&issuer.key, &claims),
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME_SECS,
        scope,
    })
}

fn header(key: &SigningKey) -> String {
    let header = serde_json::json!({
        "alg": "EdDSA",
        "typ": ACCESS_TOKEN_TYP,
        "kid": portico_audit::jws::thumbprint(&key.public_key_bytes()),
    });
    URL_SAFE_NO_PAD.encode(header.to_string())
}

fn sign(key: &SigningKey, claims: &serde_json::Value) -> String {
    let input = format!(
        "{}.{}",
        header(key),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(input.as_bytes());
    format!("{input}.{signature}")
}

#[derive(Debug, Deserialize)]
struct AccessClaims {
    iss: String,
    aud: String,
    client_id: String,
    adm: String,
    scope: String,
    ver: i64,
    exp: i64,
}

/// The API client behind an access token, or `None` when the token is not valid now: not the
/// platform's signature, not an access token, expired, or its client revoked or rotated since.
pub async fn resolve(
    db: &Db,
    issuer: &TokenIssuer,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Actor>, IdentityError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let Ok(header) = URL_SAFE_NO_PAD.decode(h) else {
        return Ok(None);
    };
    let Ok(header) = serde_json::from_slice::<serde_json::Value>(&header) else {
        return Ok(None);
    };
    if header["alg"] != "EdDSA" || header["typ"] != ACCESS_TOKEN_TYP {
        return Ok(None);
    }
    if !issuer.key.verify(format!("{h}.{p}").as_bytes(), s) {
        return Ok(None);
    }
    let Some(claims) = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice::<AccessClaims>(&b).ok())
    else {
        return Ok(None);
    };
    if claims.iss != issuer.issuer
        || claims.aud != ACCESS_TOKEN_AUDIENCE
        || claims.exp <= now.timestamp()
    {
        return Ok(None);
    }
    if !portico_core::ids::is_valid_id(&claims.client_id) {
        return Ok(None);
    }
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT administration_id, scopes, credential_version FROM api_clients
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(&claims.client_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((administration_id, held, version)) = row else {
        return Ok(None);
    };
    if version != claims.ver || administration_id != claims.adm {
        return Ok(None);
    }
    let held = split_scopes(&held);
    Ok(Some(Actor::ApiClient(ApiClient {
        client_id: claims.client_id,
        administration_id,
        scopes: split_scopes(&claims.scope)
            .into_iter()
            .filter(|s| held.contains(s))
            .collect(),
    })))
}

/// `Authorization: Basic` of RFC 6749 §2.3.1: client id and secret, each form-urlencoded.
pub fn parse_basic(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| -> String {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn public_keys_are_read_from_jwk_and_pem_and_only_ed25519() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let x = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
        let jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#);
        assert_eq!(parse_public_key(&jwk).unwrap(), x);
        use ed25519_dalek::pkcs8::EncodePublicKey;
        let pem = key
            .verifying_key()
            .to_public_key_pem(Default::default())
            .unwrap();
        assert_eq!(parse_public_key(&pem).unwrap(), x);
        for bad in [
            r#"{"kty":"RSA","n":"abc","e":"AQAB"}"#,
            r#"{"kty":"OKP","crv":"X25519","x":"abc"}"#,
            "not a key",
        ] {
            assert!(parse_public_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn basic_credentials_are_unescaped() {
        let v = format!("Basic {}", STANDARD.encode("my%20id:s%3Acret+x"));
        assert_eq!(
            parse_basic(&v),
            Some(("my id".to_owned(), "s:cret x".to_owned()))
        );
        assert_eq!(parse_basic("Bearer x"), None);
    }

    #[test]
    fn a_platform_token_round_trips_through_its_signature() {
        let key = SigningKey::generate();
        let claims = serde_json::json!({"a": 1});
        let token = sign(&key, &claims);
        let parts: Vec<&str> = token.split('.').collect();
        assert!(key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), parts[2]));
        let other = SigningKey::generate();
        assert!(!other.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), parts[2]));
    }
}
