//! The OpenID Connect provider for institutions' portals: another administration's portal signs
//! people in through Portico (authorization code flow with PKCE S256) and receives, with the
//! person's consent, the attributes Bulgaria's eAuthentication gives — the personal identifier,
//! names in Cyrillic and in Latin, e-mail, phone, date of birth — and the level of assurance as
//! `acr`. ID tokens and access tokens are JWTs signed by the platform key (EdDSA), published at
//! the JWKS address; refresh tokens are random, stored as their hash, and replaced at each use.

use crate::service::{random_token, sha256_hex};
use crate::IdentityError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use portico_audit::{Event, SigningKey};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, Assurance, Role};
use portico_store::{Db, Tx};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const CODE_SECS: i64 = 60;
pub const ACCESS_SECS: i64 = 300;
pub const ID_TOKEN_SECS: i64 = 300;
pub const REFRESH_DAYS: i64 = 30;

/// The scopes a portal may ask for; `openid` is required.
pub const SCOPES: &[&str] = &["openid", "profile", "email", "phone"];

/// `acr` values: the eIDAS levels of assurance.
pub fn acr(level: Assurance) -> &'static str {
    match level {
        Assurance::Low => "http://eidas.europa.eu/LoA/low",
        Assurance::Substantial => "http://eidas.europa.eu/LoA/substantial",
        Assurance::High => "http://eidas.europa.eu/LoA/high",
    }
}

/// Bulgarian Cyrillic in Latin letters, by the Transliteration Act (ДВ бр. 19/2009, art. 3):
/// "щ" is "sht", "ъ" is "a", "ю" "yu", "я" "ya", and "ия" at the end of a word is "ia".
pub fn transliterate(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let upper = c.is_uppercase();
        let word_end = |j: usize| chars.get(j).is_none_or(|n| !n.is_alphabetic());
        let latin: &str = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "sht",
            'ъ' => "a",
            'ь' => "y",
            'ю' => "yu",
            'я' if i > 0 && chars[i - 1].to_lowercase().next() == Some('и') && word_end(i + 1) => {
                "a"
            }
            'я' => "ya",
            _ => {
                out.push(c);
                continue;
            }
        };
        if upper {
            // A capital is capitalised in its first letter only ("Щ" → "Sht"), except in a word
            // written all in capitals ("ЩИТ" → "SHTIT").
            let all_caps = chars.get(i + 1).is_some_and(|n| n.is_uppercase())
                || (i > 0 && chars[i - 1].is_uppercase() && word_end(i + 1));
            if all_caps {
                out.push_str(&latin.to_uppercase());
            } else {
                let mut l = latin.chars();
                if let Some(first) = l.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(l.as_str());
                }
            }
        } else {
            out.push_str(latin);
        }
    }
    out
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OidcClientView {
    /// The `client_id`.
    pub id: String,
    pub administration_id: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewOidcClient {
    pub name: String,
    /// Exact redirect URIs (https, or http on loopback for development); matched character for
    /// character.
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegisteredClient {
    pub client: OidcClientView,
    /// Shown once; Portico keeps only its hash.
    pub client_secret: String,
}

type ClientRow = (String, String, String, String, i64, Option<i64>);

fn client_view(r: ClientRow) -> OidcClientView {
    OidcClientView {
        id: r.0,
        administration_id: r.1,
        name: r.2,
        redirect_uris: r.3.lines().map(str::to_owned).collect(),
        created_at: from_millis(r.4),
        revoked_at: r.5.map(from_millis),
    }
}

fn may_manage(actor: &Actor, administration_id: &str) -> bool {
    actor.has_role(administration_id, Role::AdministrationAdmin) || actor.is_platform_admin()
}

fn valid_redirect(uri: &str) -> bool {
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    u.fragment().is_none()
        && u.username().is_empty()
        && (u.scheme() == "https" || (u.scheme() == "http" && loopback))
        && uri.len() <= 500
}

/// Registers a relying party for `administration_id`. Audited as `identity.oidc_client_registered`.
pub async fn register(
    tx: &mut Tx,
    actor: &Actor,
    administration_id: &str,
    new: &NewOidcClient,
    now: DateTime<Utc>,
) -> Result<RegisteredClient, IdentityError> {
    if !may_manage(actor, administration_id) {
        return Err(IdentityError::NotFound);
    }
    let mut errors = Vec::new();
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(portico_core::FieldError::new("name", "oidc.name_invalid"));
    }
    let uris: Vec<&str> = new.redirect_uris.iter().map(|u| u.trim()).collect();
    if uris.is_empty() || uris.len() > 10 || uris.iter().any(|u| !valid_redirect(u)) {
        errors.push(portico_core::FieldError::new(
            "redirect_uris",
            "oidc.redirect_uris_invalid",
        ));
    }
    if !errors.is_empty() {
        return Err(IdentityError::Invalid(errors));
    }
    let id = new_id();
    let secret = format!("pos_{}", random_token(32));
    sqlx::query(
        "INSERT INTO oidc_clients (id, administration_id, name, redirect_uris, secret_hash, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(administration_id)
    .bind(name)
    .bind(uris.join("\n"))
    .bind(sha256_hex(&secret))
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let mut event = Event::new(&actor.audit_id(), "identity.oidc_client_registered", &id)
        .in_administration(administration_id);
    event.details = serde_json::json!({ "name": name, "redirect_uris": uris });
    portico_audit::append(tx, event, now).await?;
    Ok(RegisteredClient {
        client: OidcClientView {
            id,
            administration_id: administration_id.to_owned(),
            name: name.to_owned(),
            redirect_uris: uris.into_iter().map(str::to_owned).collect(),
            created_at: now,
            revoked_at: None,
        },
        client_secret: secret,
    })
}

pub async fn list(
    db: &Db,
    actor: &Actor,
    administration_id: &str,
) -> Result<Vec<OidcClientView>, IdentityError> {
    if !may_manage(actor, administration_id) {
        return Err(IdentityError::NotFound);
    }
    let rows: Vec<ClientRow> = sqlx::query_as(
        "SELECT id, administration_id, name, redirect_uris, created_at, revoked_at FROM oidc_clients
         WHERE administration_id = $1 ORDER BY created_at DESC",
    )
    .bind(administration_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(client_view).collect())
}

/// A live client, by id.
pub async fn client(db: &Db, id: &str) -> Result<Option<OidcClientView>, IdentityError> {
    if !portico_core::ids::is_valid_id(id) {
        return Ok(None);
    }
    let row: Option<ClientRow> = sqlx::query_as(
        "SELECT id, administration_id, name, redirect_uris, created_at, revoked_at FROM oidc_clients
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(client_view))
}

/// What a portal asked for at the authorization endpoint, once the client and the redirect URI
/// checked out.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
}

/// The scopes asked for that Portico knows, `openid` first; `None` without `openid`.
pub fn granted_scopes(asked: &str) -> Option<Vec<&'static str>> {
    let asked: Vec<&str> = asked.split_whitespace().collect();
    if !asked.contains(&"openid") {
        return None;
    }
    Some(
        SCOPES
            .iter()
            .copied()
            .filter(|s| asked.contains(s))
            .collect(),
    )
}

/// The person consented: makes the grant and a one-minute, single-use code. Audited as
/// `identity.oidc_consent` with the client and the scopes.
pub async fn consent(
    tx: &mut Tx,
    account_id: &str,
    assurance: Assurance,
    req: &AuthorizeRequest,
    now: DateTime<Utc>,
) -> Result<String, IdentityError> {
    let scopes = granted_scopes(&req.scope).ok_or(IdentityError::Forbidden)?;
    let grant = new_id();
    sqlx::query(
        "INSERT INTO oidc_grants (id, client_id, account_id, scope, acr, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&grant)
    .bind(&req.client_id)
    .bind(account_id)
    .bind(scopes.join(" "))
    .bind(assurance.as_str())
    .bind(to_millis(now))
    .bind(to_millis(now + chrono::Duration::days(REFRESH_DAYS)))
    .execute(&mut **tx)
    .await?;
    let code = random_token(32);
    sqlx::query(
        "INSERT INTO oidc_codes (code_hash, grant_id, redirect_uri, nonce, code_challenge, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(sha256_hex(&code))
    .bind(&grant)
    .bind(&req.redirect_uri)
    .bind(req.nonce.as_deref())
    .bind(&req.code_challenge)
    .bind(to_millis(now))
    .bind(to_millis(now) + CODE_SECS * 1000)
    .execute(&mut **tx)
    .await?;
    let mut event = Event::new(account_id, "identity.oidc_consent", account_id);
    event.details = serde_json::json!({ "client": req.client_id, "scopes": scopes });
    portico_audit::append(tx, event, now).await?;
    Ok(code)
}

/// Token-endpoint refusals, named as RFC 6749 §5.2 names them.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for OidcError {
    fn from(e: sqlx::Error) -> Self {
        OidcError::Internal(e.to_string())
    }
}

impl From<IdentityError> for OidcError {
    fn from(e: IdentityError) -> Self {
        OidcError::Internal(e.to_string())
    }
}

impl From<portico_store::StoreError> for OidcError {
    fn from(e: portico_store::StoreError) -> Self {
        OidcError::Internal(e.to_string())
    }
}

/// Checks a relying party's secret.
pub async fn authenticate_client(db: &Db, id: &str, secret: &str) -> Result<(), OidcError> {
    if !portico_core::ids::is_valid_id(id) {
        return Err(OidcError::InvalidClient);
    }
    let row: Option<(String,)> =
        sqlx::query_as("SELECT secret_hash FROM oidc_clients WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    match row {
        Some((hash,)) if bool::from(sha256_hex(secret).as_bytes().ct_eq(hash.as_bytes())) => Ok(()),
        _ => Err(OidcError::InvalidClient),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenSet {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub id_token: String,
    pub refresh_token: String,
    pub scope: String,
}

fn jwt(key: &SigningKey, typ: &str, claims: &serde_json::Value) -> String {
    let header = serde_json::json!({
        "alg": "EdDSA", "typ": typ,
        "kid": portico_audit::jws::thumbprint(&key.public_key_bytes()),
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key.sign(input.as_bytes());
    format!("{input}.{sig}")
}

pub fn userinfo_url(issuer: &str) -> String {
    format!("{}/oidc/userinfo", issuer.trim_end_matches('/'))
}

struct Grant {
    id: String,
    client_id: String,
    account_id: String,
    scope: String,
    acr: String,
}

async fn tokens(
    tx: &mut Tx,
    key: &SigningKey,
    issuer: &str,
    grant: &Grant,
    nonce: Option<String>,
    now: DateTime<Utc>,
) -> Result<TokenSet, OidcError> {
    let refresh = random_token(32);
    sqlx::query("UPDATE oidc_grants SET refresh_hash = $1 WHERE id = $2")
        .bind(sha256_hex(&refresh))
        .bind(&grant.id)
        .execute(&mut **tx)
        .await?;
    let t = now.timestamp();
    let mut id_claims = serde_json::json!({
        "iss": issuer, "sub": grant.account_id, "aud": grant.client_id, "azp": grant.client_id,
        "iat": t, "exp": t + ID_TOKEN_SECS, "auth_time": t,
        "acr": acr(Assurance::from_stored(&grant.acr)),
    });
    if let Some(nonce) = nonce {
        id_claims["nonce"] = serde_json::Value::String(nonce);
    }
    let access = serde_json::json!({
        "iss": issuer, "sub": grant.account_id, "aud": userinfo_url(issuer),
        "client_id": grant.client_id, "gid": grant.id, "scope": grant.scope,
        "iat": t, "exp": t + ACCESS_SECS, "jti": new_id(),
    });
    Ok(TokenSet {
        access_token: jwt(key, "at+jwt", &access),
        token_type: "Bearer",
        expires_in: ACCESS_SECS,
        id_token: jwt(key, "JWT", &id_claims),
        refresh_token: refresh,
        scope: grant.scope.clone(),
    })
}

/// PKCE S256 (RFC 7636 §4.6).
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let ok_len = (43..=128).contains(&verifier.len());
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    ok_len && bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
}

/// The authorization code grant. A code works once: a second use is refused and also ends the
/// grant (and its refresh token) the first use made (RFC 6749 §4.1.2).
#[allow(clippy::too_many_arguments)]
pub async fn exchange_code(
    db: &Db,
    key: &SigningKey,
    issuer: &str,
    client_id: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
    now: DateTime<Utc>,
) -> Result<TokenSet, OidcError> {
    let mut tx = db.begin().await?;
    type CodeRow = (String, String, Option<String>, String, i64, Option<i64>);
    let row: Option<CodeRow> = sqlx::query_as(
        "SELECT grant_id, redirect_uri, nonce, code_challenge, expires_at, used_at FROM oidc_codes WHERE code_hash = $1",
    )
    .bind(sha256_hex(code))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((grant_id, bound_uri, nonce, challenge, expires_at, used_at)) = row else {
        return Err(OidcError::InvalidGrant("unknown code"));
    };
    if used_at.is_some() {
        sqlx::query("UPDATE oidc_grants SET revoked_at = $1, refresh_hash = NULL WHERE id = $2 AND revoked_at IS NULL")
            .bind(to_millis(now))
            .bind(&grant_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(OidcError::InvalidGrant("the code was used already"));
    }
    sqlx::query("UPDATE oidc_codes SET used_at = $1 WHERE code_hash = $2")
        .bind(to_millis(now))
        .bind(sha256_hex(code))
        .execute(&mut *tx)
        .await?;
    let grant = load_grant(&mut tx, &grant_id, now).await?;
    let refusal = if expires_at <= to_millis(now) {
        Some("the code has expired")
    } else if grant.as_ref().is_none_or(|g| g.client_id != client_id) {
        Some("the code was not issued to this client")
    } else if bound_uri != redirect_uri {
        Some("redirect_uri differs from the authorization request's")
    } else if !pkce_matches(verifier, &challenge) {
        Some("the PKCE code_verifier does not match")
    } else {
        None
    };
    let (Some(grant), None) = (grant, refusal) else {
        // The code is spent either way.
        tx.commit().await?;
        return Err(OidcError::InvalidGrant(refusal.unwrap_or("unknown code")));
    };
    let set = tokens(&mut tx, key, issuer, &grant, nonce, now).await?;
    tx.commit().await?;
    Ok(set)
}

async fn load_grant(tx: &mut Tx, id: &str, now: DateTime<Utc>) -> Result<Option<Grant>, OidcError> {
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, client_id, account_id, scope, acr FROM oidc_grants
         WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(to_millis(now))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| Grant {
        id: r.0,
        client_id: r.1,
        account_id: r.2,
        scope: r.3,
        acr: r.4,
    }))
}

/// The refresh token grant: new tokens, and a new refresh token in place of the one used.
pub async fn refresh(
    db: &Db,
    key: &SigningKey,
    issuer: &str,
    client_id: &str,
    refresh_token: &str,
    now: DateTime<Utc>,
) -> Result<TokenSet, OidcError> {
    let mut tx = db.begin().await?;
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM oidc_grants WHERE refresh_hash = $1 AND client_id = $2")
            .bind(sha256_hex(refresh_token))
            .bind(client_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((id,)) = row else {
        return Err(OidcError::InvalidGrant("unknown refresh token"));
    };
    let grant = load_grant(&mut tx, &id, now)
        .await?
        .ok_or(OidcError::InvalidGrant("the grant has ended"))?;
    let set = tokens(&mut tx, key, issuer, &grant, None, now).await?;
    tx.commit().await?;
    Ok(set)
}

/// RFC 7009: a refresh token (or an access token) of this client ends its grant. Unknown tokens
/// change nothing and are not an error.
pub async fn revoke(
    db: &Db,
    key: &SigningKey,
    client_id: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), OidcError> {
    let grant_id = match access_claims(key, token) {
        Some(c) if c["client_id"] == client_id => c["gid"].as_str().map(str::to_owned),
        _ => None,
    };
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE oidc_grants SET revoked_at = $1, refresh_hash = NULL
         WHERE client_id = $2 AND revoked_at IS NULL AND (refresh_hash = $3 OR id = $4)",
    )
    .bind(to_millis(now))
    .bind(client_id)
    .bind(sha256_hex(token))
    .bind(grant_id.unwrap_or_default())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The claims of a platform-signed access token (signature and `typ` checked, nothing else).
fn access_claims(key: &SigningKey, token: &str) -> Option<serde_json::Value> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    if header["typ"] != "at+jwt" || !key.verify(format!("{h}.{p}").as_bytes(), s) {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()
}

/// The attributes for a userinfo access token, by the scopes consented to; `None` when the token
/// is not valid now (expired, not for userinfo, its grant revoked).
pub async fn userinfo(
    db: &Db,
    key: &SigningKey,
    issuer: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<serde_json::Value>, IdentityError> {
    let Some(claims) = access_claims(key, token) else {
        return Ok(None);
    };
    if claims["iss"] != issuer
        || claims["aud"] != userinfo_url(issuer).as_str()
        || claims["exp"].as_i64().is_none_or(|e| e <= now.timestamp())
    {
        return Ok(None);
    }
    let Some(gid) = claims["gid"].as_str() else {
        return Ok(None);
    };
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT account_id, scope, acr FROM oidc_grants WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(gid)
    .fetch_optional(db.pool())
    .await?;
    let Some((account_id, scope, level)) = row else {
        return Ok(None);
    };
    let Some(account) = crate::service::accounts::get(db, &account_id).await? else {
        return Ok(None);
    };
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let mut out = serde_json::json!({
        "sub": account.id,
        "acr": acr(Assurance::from_stored(&level)),
    });
    if let Some(pid) = &account.personal_id {
        // ETSI EN 319 412-1 semantics identifier, as on a qualified certificate.
        let prefix = if pid.kind() == "egn" {
            "PNOBG"
        } else {
            "PIDBG"
        };
        out["personal_identifier"] = format!("{prefix}-{}", pid.value()).into();
    }
    if scopes.contains(&"profile") {
        out["given_name"] = account.given_name.clone().into();
        out["family_name"] = account.family_name.clone().into();
        out["name"] = account.display_name().into();
        out["given_name#bg-Latn"] = transliterate(&account.given_name).into();
        out["family_name#bg-Latn"] = transliterate(&account.family_name).into();
        out["name#bg-Latn"] = transliterate(&account.display_name()).into();
        if let Some(born) = account.personal_id.as_ref().and_then(|p| p.birth_date()) {
            out["birthdate"] = born.format("%Y-%m-%d").to_string().into();
        }
    }
    if scopes.contains(&"email") {
        out["email"] = account.email.clone().into();
    }
    if scopes.contains(&"phone") {
        if let Some(phone) = &account.phone {
            out["phone_number"] = phone.clone().into();
        }
    }
    Ok(Some(out))
}

/// The discovery document (OpenID Connect Discovery 1.0 §3).
pub fn discovery(issuer: &str) -> serde_json::Value {
    let base = issuer.trim_end_matches('/');
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/oidc/authorize"),
        "token_endpoint": format!("{base}/oidc/token"),
        "userinfo_endpoint": userinfo_url(issuer),
        "jwks_uri": format!("{base}/oidc/jwks"),
        "revocation_endpoint": format!("{base}/oidc/revoke"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": SCOPES,
        "acr_values_supported": [acr(Assurance::Low), acr(Assurance::Substantial), acr(Assurance::High)],
        "claims_supported": ["sub", "acr", "personal_identifier", "given_name", "family_name", "name",
            "given_name#bg-Latn", "family_name#bg-Latn", "name#bg-Latn", "birthdate", "email", "phone_number"],
    })
}

/// The platform key as a JWK Set (RFC 8037 OKP).
pub fn jwks(key: &SigningKey) -> serde_json::Value {
    let raw = key.public_key_bytes();
    serde_json::json!({ "keys": [{
        "kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA",
        "kid": portico_audit::jws::thumbprint(&raw),
        "x": URL_SAFE_NO_PAD.encode(raw),
    }]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_by_the_bulgarian_law() {
        // Examples from the Transliteration Act's own table and art. 4.
        assert_eq!(transliterate("София"), "Sofia");
        assert_eq!(transliterate("Щастлива"), "Shtastliva");
        assert_eq!(transliterate("Юрий Жечев"), "Yuriy Zhechev");
        assert_eq!(
            transliterate("Цветелина Ярославова"),
            "Tsvetelina Yaroslavova"
        );
        assert_eq!(transliterate("Иван Петров"), "Ivan Petrov");
        assert_eq!(transliterate("Мария"), "Maria");
        assert_eq!(transliterate("Ъглен"), "Aglen");
        assert_eq!(transliterate("ЩИТ"), "SHTIT");
        assert_eq!(transliterate("Anna-Мария"), "Anna-Maria");
    }

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        assert!(pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn only_exact_safe_redirect_uris_are_registered() {
        assert!(valid_redirect("https://portal.burgas.bg/callback"));
        assert!(valid_redirect("http://127.0.0.1:9000/cb"));
        assert!(!valid_redirect("http://portal.burgas.bg/callback"));
        assert!(!valid_redirect("https://portal.burgas.bg/cb#x"));
        assert!(!valid_redirect("/relative"));
    }
}
