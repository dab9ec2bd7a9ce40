//! `POST /step-up/code`: sends a confirmation code by e-mail or SMS to a signed-in person who has
//! no authenticator app, then takes them back to the page that asked (which has the code field).

use super::login::address_key;
use crate::service::step_up::{self, Channel};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use portico_http::{AppError, AppState, ClientAddr, CsrfForm, SignedIn};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct SendCodeForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    purpose: String,
    /// The page that asked; only a path on this site is kept (else the account page).
    #[serde(default, deserialize_with = "portico_http::redirect::local_path")]
    back: Option<String>,
}

/// `back` with `code_sent=<channel>` added to its query, before any fragment.
fn with_sent_flag(back: &str, channel: Channel) -> String {
    let (path, fragment) = match back.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (back, None),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut target = format!("{path}{sep}code_sent={}", channel.as_str());
    if let Some(f) = fragment {
        target.push('#');
        target.push_str(f);
    }
    target
}

pub async fn send_code(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    client: ClientAddr,
    CsrfForm(form): CsrfForm<SendCodeForm>,
) -> Result<Response, AppError> {
    let channel = Channel::parse(&form.channel).ok_or(AppError::BadRequest("channel"))?;
    let back = form.back.as_deref().unwrap_or("/account");
    step_up::send_code(
        &state.db,
        &user.account_id,
        channel,
        &form.purpose,
        Some(&address_key(&state, &client)),
        state.clock.now(),
    )
    .await?;
    state.jobs_waker.notify_one();
    Ok(Redirect::to(&with_sent_flag(back, channel)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_goes_into_the_query() {
        assert_eq!(with_sent_flag("/a", Channel::Email), "/a?code_sent=email");
        assert_eq!(
            with_sent_flag("/a?x=1#f", Channel::Sms),
            "/a?x=1&code_sent=sms#f"
        );
    }
}
