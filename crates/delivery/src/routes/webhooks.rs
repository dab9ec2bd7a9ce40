//! The webhooks console: an administration admin sees the administration's endpoints (which
//! its systems register over the API), how their deliveries went (delivered, still being
//! tried, failing with the last error, given up), the newest events, and removes an endpoint.

use super::pages::TABLES;
use super::{actor, DeliveryState};
use crate::service::webhooks::{self, EventStatus, WebhookStatus};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use portico_core::{Id, Lang};
use portico_http::{render, AppError, CsrfForm, PageContext, SignedIn, ValidPath};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct ConsoleQuery {
    administration: Option<Id>,
    #[serde(default)]
    removed: Option<String>,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct ConsolePage {
    page: PageContext,
    administration_id: String,
    administration_name: String,
    hooks: Vec<WebhookStatus>,
    removed: bool,
}

impl ConsolePage {
    fn when(&self, at: &DateTime<Utc>) -> String {
        portico_core::calendar::sofia_local(*at)
            .format("%d.%m.%Y %H:%M")
            .to_string()
    }
    /// The event's state: its translation key's ending and the tag's colour.
    fn state(e: &EventStatus) -> (&'static str, &'static str) {
        if e.delivered_at.is_some() {
            ("delivered", "decided")
        } else if e.given_up {
            ("given_up", "refused")
        } else if e.attempts > 0 {
            ("failing", "waiting")
        } else {
            ("queued", "draft")
        }
    }
    fn state_label(&self, e: &EventStatus) -> &'static str {
        self.page.t(&format!("webhook_state_{}", Self::state(e).0))
    }
    fn state_colour(&self, e: &EventStatus) -> &'static str {
        Self::state(e).1
    }
}

pub async fn console(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(query): Query<ConsoleQuery>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let d = &state.delivery;
    let (administration_id, hooks) =
        webhooks::overview(d, &actor(&user), query.administration.as_deref()).await?;
    let administration_name =
        match portico_identity::service::administrations::get(&d.db, &administration_id)
            .await
            .map_err(crate::DeliveryError::from)?
        {
            Some(a) if page.lang == Lang::En => a.name_en,
            Some(a) => a.name_bg,
            None => administration_id.clone(),
        };
    Ok(render(&ConsolePage {
        page,
        administration_id,
        administration_name,
        hooks,
        removed: query.removed.is_some(),
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    administration: String,
}

pub async fn remove(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<RemoveForm>,
) -> Result<Response, AppError> {
    webhooks::delete(&state.delivery, &actor(&user), &id).await?;
    let back = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("administration", &form.administration)
        .append_pair("removed", "1")
        .finish();
    Ok(Redirect::to(&format!("/mailbox/webhooks?{back}")).into_response())
}
