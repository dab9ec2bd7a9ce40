//! What each dashboard is about and what its table lists, from the identity and catalog blocks'
//! service functions (never their tables), for the pages and the JSON API alike; and the figures
//! a dashboard shows, read from what the recompute stored ([`super::stored`]).

use super::kpis::{self, By};
use super::{stored, Insights};
use crate::model::{Kpis, Scope};
use crate::InsightsError;
use portico_catalog::Service;
use portico_identity::model::Administration;
use serde::Serialize;
use std::collections::BTreeMap;

/// The platform's table: every administration.
pub async fn platform(ctx: &Insights) -> Result<Vec<Administration>, InsightsError> {
    Ok(portico_identity::service::administrations::list(&ctx.db).await?)
}

/// An administration and its table: its published services. `None`: no such administration.
pub async fn administration(
    ctx: &Insights,
    id: &str,
) -> Result<Option<(Administration, Vec<Service>)>, InsightsError> {
    let Some(a) = portico_identity::service::administrations::get(&ctx.db, id).await? else {
        return Ok(None);
    };
    let services = portico_catalog::service::list_for_administration(&ctx.db, id)
        .await?
        .into_iter()
        .filter(|s| s.published_at.is_some())
        .collect();
    Ok(Some((a, services)))
}

/// A published service and its table: every published service of the same catalog template
/// (itself among them), with each administration by id. `None`: no such published service.
pub async fn service(
    ctx: &Insights,
    id: &str,
) -> Result<Option<(Service, Vec<Service>, BTreeMap<String, Administration>)>, InsightsError> {
    let Some(s) = portico_catalog::service::get(&ctx.db, id)
        .await?
        .filter(|s| s.published_at.is_some())
    else {
        return Ok(None);
    };
    let administrations = portico_identity::service::administrations::list(&ctx.db)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let siblings = match &s.template_id {
        Some(template) => portico_catalog::service::list_published(&ctx.db)
            .await?
            .into_iter()
            .filter(|o| o.template_id.as_deref() == Some(template))
            .collect(),
        None => Vec::new(),
    };
    Ok(Some((s, siblings, administrations)))
}

/// What a dashboard shows: its scope's KPIs month by month and over the months, and those of
/// each group of its table that has any.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// `platform`, the administration's id, or the service's slug.
    pub scope: String,
    /// The twelve months, oldest first.
    pub months: Vec<Kpis>,
    /// Over the twelve months.
    pub total: Kpis,
    /// Each administration (on the platform) or service (elsewhere) by id, over the twelve months.
    pub groups: BTreeMap<String, Kpis>,
}

/// The stored figures of `scope` and of the groups `group_ids` (administrations or services, as
/// `by` says). When they are of another day, a recompute is queued (once a day on this node) and
/// they are shown meanwhile.
pub async fn dashboard(
    ctx: &Insights,
    name: &str,
    scope: &Scope,
    by: By,
    group_ids: &[String],
) -> Result<Dashboard, InsightsError> {
    let today = ctx.today();
    let state = stored::state(&ctx.db).await?;
    if state.as_ref().is_none_or(|s| s.as_of != today) {
        ask_for_today(ctx, today).await;
    }
    let state = state.unwrap_or_else(|| stored::State {
        as_of: today,
        months: kpis::last_year(today),
        generation: 0,
    });
    let (months, total) = stored::series(&ctx.db, &state, scope).await?;
    let groups = stored::totals(&ctx.db, &state, by, group_ids).await?;
    Ok(Dashboard {
        scope: name.to_owned(),
        months,
        total,
        groups,
    })
}

/// Queues a recompute once a day on this node: changes queue their own, this is for a day that
/// begins with none.
async fn ask_for_today(ctx: &Insights, today: chrono::NaiveDate) {
    let first = match ctx.refresh_requested_on.lock() {
        Ok(mut asked) if *asked != Some(today) => {
            *asked = Some(today);
            true
        }
        _ => false,
    };
    if first {
        if let Err(e) = stored::request(ctx).await {
            tracing::warn!(error = %e, "cannot queue the insights recompute");
        }
    }
}
