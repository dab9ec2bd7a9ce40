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
    #[serde(default)]
    back: String,
}

// LOCAL STOPGAP: a minimal local-path check until portico_http's safe-redirect helper lands;
// swap `local_back` for that helper. Accepts only a path on this site: one leading `/`, no
// second `/` or `\` after it, no backslashes, whitespace or control characters anywhere
// (browsers drop tabs and newlines, which would turn `/\t/evil` into `//evil`).
fn local_back(back: &str) -> Option<&str> {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && back.len() <= 2048
        && !back
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    ok.then_some(back)
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
    let back = local_back(&form.back).unwrap_or("/account");
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
    fn only_local_paths_are_taken_back_to() {
        assert_eq!(
            local_back("/applications/1/review"),
            Some("/applications/1/review")
        );
        for bad in [
            "",
            "review",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example",
            "/a b",
        ] {
            assert_eq!(local_back(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_flag_goes_into_the_query() {
        assert_eq!(with_sent_flag("/a", Channel::Email), "/a?code_sent=email");
        assert_eq!(
            with_sent_flag("/a?x=1#f", Channel::Sms),
            "/a?x=1&code_sent=sms#f"
        );
    }
}
