//! Sign-in with a qualified certificate (`/login/certificate`). The certificate comes from the
//! TLS handshake of the client-certificate listener ([`TlsPeerCertificate`], put on the request
//! by the binary's TLS server), or from a reverse proxy that terminated TLS and forwards it in a
//! header (`X-Client-Cert` by default, URL-encoded PEM as nginx's `$ssl_client_escaped_cert`):
//! the header is believed only from the configured trusted proxies. The rules are in
//! [`crate::service::certificates`].

use super::redirect_with_session;
use crate::service::certificates::{self, CertificateTrust, Refusal};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{ConnectInfo, FromRef, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use portico_http::redirect::{local_path, safe_local_path};
use portico_http::session::AnySession;
use portico_http::{render, AppError, AppState, CsrfForm, PageContext};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// The client certificate (DER) a TLS connection presented, as the TLS server found it.
#[derive(Debug, Clone)]
pub struct TlsPeerCertificate(pub Vec<u8>);

/// Certificate sign-in as configured: the trusted CAs (with their CRLs) and the header a
/// trusted proxy forwards the certificate in.
#[derive(Clone)]
pub struct CertificateLogin {
    pub trust: Arc<CertificateTrust>,
    /// Lower-case header name (`x-client-cert` by default).
    pub header: String,
    /// Where the sign-in page links to it: `/login/certificate` on this site, or on the
    /// client-certificate listener.
    pub url: String,
}

/// The link the sign-in page shows, when certificate sign-in is configured.
#[derive(Debug, Clone)]
pub struct CertificateLink(pub String);

#[derive(Clone)]
pub struct CertState {
    app: AppState,
    login: CertificateLogin,
}

impl FromRef<CertState> for AppState {
    fn from_ref(s: &CertState) -> AppState {
        s.app.clone()
    }
}

pub fn router(app: AppState, login: CertificateLogin) -> Router<AppState> {
    Router::new()
        .route("/login/certificate", get(form).post(submit))
        .with_state(CertState { app, login })
}

#[derive(Debug, Default, Deserialize)]
pub struct NextForm {
    #[serde(default, deserialize_with = "local_path")]
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "cert_login.html")]
struct CertLoginPage {
    page: PageContext,
    next: String,
}

#[derive(Template)]
#[template(path = "cert_refused.html")]
struct CertRefusedPage {
    page: PageContext,
    reason: &'static str,
    code: &'static str,
}

pub async fn form(page: PageContext, Query(q): Query<NextForm>) -> Result<Response, AppError> {
    Ok(render(&CertLoginPage {
        page: page.with_strings(TABLES),
        next: q.next.unwrap_or_default(),
    })?
    .into_response())
}

/// The certificate of this request, from the TLS handshake or a trusted proxy's header.
fn presented(
    state: &CertState,
    peer: SocketAddr,
    tls: Option<&TlsPeerCertificate>,
    headers: &HeaderMap,
) -> Result<Vec<u8>, Refusal> {
    if let Some(TlsPeerCertificate(der)) = tls {
        return Ok(der.clone());
    }
    let Some(value) = headers.get(state.login.header.as_str()) else {
        return Err(Refusal::NoCertificate);
    };
    let peer = peer.ip().to_canonical();
    if !state
        .app
        .config
        .trusted_proxies
        .iter()
        .any(|net| net.contains(&peer))
    {
        return Err(Refusal::UntrustedHeader);
    }
    decode_header(value.as_bytes()).ok_or(Refusal::Unparsable)
}

/// A forwarded certificate: URL-encoded PEM (nginx `$ssl_client_escaped_cert`), PEM, or bare
/// base64 DER. `None` for an empty header (a proxy with no certificate to forward).
pub fn decode_header(value: &[u8]) -> Option<Vec<u8>> {
    let decoded: Vec<u8> = percent_encoding::percent_decode(value).collect();
    let text = std::str::from_utf8(&decoded).ok()?.trim();
    if text.is_empty() {
        return None;
    }
    if text.starts_with("-----BEGIN") {
        return certificates::pem_certificates(text.as_bytes())
            .ok()?
            .into_iter()
            .next();
    }
    use base64::Engine;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

pub async fn submit(
    State(state): State<CertState>,
    page: PageContext,
    AnySession(existing): AnySession,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    tls: Option<Extension<TlsPeerCertificate>>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<NextForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let now = state.app.clock.now();
    let der = match presented(&state, peer, tls.as_ref().map(|e| &e.0), &headers) {
        Ok(der) => der,
        Err(refusal) => return refused(&state, page, refusal, None).await,
    };
    let fingerprint = certificates::fingerprint(&der);
    let person = match state.login.trust.check(&der, now).await {
        Ok(person) => person,
        Err(refusal) => return refused(&state, page, refusal, Some(&fingerprint)).await,
    };
    let current = existing
        .as_ref()
        .filter(|u| u.fully_authenticated)
        .map(|u| u.account_id.clone());
    let mut tx = state.app.db.begin().await?;
    if let Some(old) = &existing {
        crate::service::sessions::delete(&mut tx, &old.session_id).await?;
    }
    let signed_in = match certificates::sign_in(
        &mut tx,
        &person,
        current.as_deref(),
        &state.app.pseudonymiser,
        now,
    )
    .await?
    {
        Ok(signed_in) => signed_in,
        Err(refusal) => {
            drop(tx);
            return refused(&state, page, refusal, Some(&fingerprint)).await;
        }
    };
    tx.commit().await?;
    if let Some(claimant) = &signed_in.released_from {
        tracing::info!(
            account = %claimant,
            "a claimed personal number was taken off an account by its certificate holder"
        );
    }
    let target = form
        .next
        .as_deref()
        .and_then(safe_local_path)
        .unwrap_or_else(|| "/start".to_owned());
    Ok(redirect_with_session(
        &state.app,
        &target,
        &signed_in.session,
    ))
}

/// Nothing was linked: the refusal is recorded and the person told why.
async fn refused(
    state: &CertState,
    page: PageContext,
    refusal: Refusal,
    fingerprint: Option<&str>,
) -> Result<Response, AppError> {
    let now = state.app.clock.now();
    let mut tx = state.app.db.begin().await?;
    certificates::record_refusal(&mut tx, refusal, fingerprint, now).await?;
    tx.commit().await?;
    let html = render(&CertRefusedPage {
        reason: page.t(&format!("cert_refused_{}", refusal.code())),
        code: refusal.code(),
        page,
    })?;
    Ok((StatusCode::FORBIDDEN, html).into_response())
}
