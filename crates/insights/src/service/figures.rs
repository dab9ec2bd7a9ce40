//! What an administration enters each month for each of its services: the applications taken
//! at the counter and by post (for digital take-up), and what delivering the service cost (for
//! the cost per transaction). Entering a month again replaces its figures; each entry is audited.

use super::Insights;
use crate::model::Figures;
use crate::InsightsError;
use chrono::NaiveDate;
use portico_core::clock::to_millis;
use portico_core::{Actor, FieldError, Role};

/// The currency costs are entered in.
pub const CURRENCY: &str = "EUR";
/// The largest count or cost (minor units) accepted for one month: far above any real figure,
/// low enough that sums over years of a whole country cannot overflow.
pub const MAX_VALUE: i64 = 1_000_000_000_000;

/// A month as `YYYY-MM`, not after today's.
pub fn parse_month(s: &str, today: NaiveDate) -> Option<String> {
    let day = NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").ok()?;
    let this_month =
        NaiveDate::parse_from_str(&today.format("%Y-%m-01").to_string(), "%Y-%m-%d").ok()?;
    (day <= this_month && s.trim().len() == 7).then(|| day.format("%Y-%m").to_string())
}

/// What a person typed for a count or a cost, checked.
pub fn parse_amount(s: &str) -> Option<i64> {
    let v: i64 = s.trim().parse().ok()?;
    (0..=MAX_VALUE).contains(&v).then_some(v)
}

/// Enters (or replaces) one service's figures for one month. Only the administration's
/// administrators may; the service must be the administration's own.
pub async fn enter(ctx: &Insights, actor: &Actor, f: &Figures) -> Result<(), InsightsError> {
    if !actor.has_role(&f.administration_id, Role::AdministrationAdmin) {
        return Err(InsightsError::NotFound);
    }
    let service = portico_catalog::service::get(&ctx.db, &f.service_id).await?;
    let mut errors = Vec::new();
    if service.is_none_or(|s| s.administration_id != f.administration_id) {
        errors.push(FieldError::new("service", "insights_error_service"));
    }
    if parse_month(&f.month, ctx.today()).as_deref() != Some(f.month.as_str()) {
        errors.push(FieldError::new("month", "insights_error_month"));
    }
    for (field, v) in [
        ("counter", f.counter_count),
        ("post", f.post_count),
        ("cost", f.cost_minor),
    ] {
        if !(0..=MAX_VALUE).contains(&v) {
            errors.push(FieldError::new(field, "insights_error_amount"));
        }
    }
    if f.currency != CURRENCY {
        errors.push(FieldError::new("cost", "insights_error_amount"));
    }
    if !errors.is_empty() {
        return Err(InsightsError::Invalid(errors));
    }
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "INSERT INTO insights_figures (administration_id, service_id, month, counter_count, post_count, cost_minor, currency, entered_by, entered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (administration_id, service_id, month) DO UPDATE SET \
         counter_count = excluded.counter_count, post_count = excluded.post_count, cost_minor = excluded.cost_minor, \
         currency = excluded.currency, entered_by = excluded.entered_by, entered_at = excluded.entered_at",
    )
    .bind(&f.administration_id)
    .bind(&f.service_id)
    .bind(&f.month)
    .bind(f.counter_count)
    .bind(f.post_count)
    .bind(f.cost_minor)
    .bind(&f.currency)
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    super::stored::mark(&mut tx, &f.administration_id, &f.service_id, now).await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "insights.figures_entered", &f.service_id)
            .in_administration(&f.administration_id)
            .with(serde_json::json!({
                "month": f.month, "counter": f.counter_count, "post": f.post_count,
                "cost_minor": f.cost_minor, "currency": f.currency,
            })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The figures an administration entered, newest month first (its administrators only).
pub async fn list(
    ctx: &Insights,
    actor: &Actor,
    administration_id: &str,
) -> Result<Vec<Figures>, InsightsError> {
    if !actor.has_role(administration_id, Role::AdministrationAdmin) {
        return Err(InsightsError::NotFound);
    }
    let rows: Vec<(String, String, String, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT administration_id, service_id, month, counter_count, post_count, cost_minor, currency \
         FROM insights_figures WHERE administration_id = $1 ORDER BY month DESC, service_id LIMIT 500",
    )
    .bind(administration_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                administration_id,
                service_id,
                month,
                counter_count,
                post_count,
                cost_minor,
                currency,
            )| {
                Figures {
                    administration_id,
                    service_id,
                    month,
                    counter_count,
                    post_count,
                    cost_minor,
                    currency,
                }
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap_or_default();
        assert_eq!(parse_month("2026-03", today).as_deref(), Some("2026-03"));
        assert_eq!(parse_month("2025-12", today).as_deref(), Some("2025-12"));
        assert_eq!(parse_month("2026-04", today), None);
        assert_eq!(parse_month("2026-13", today), None);
        assert_eq!(parse_month("2026-3", today), None);
        assert_eq!(parse_month("март", today), None);
    }

    #[test]
    fn amounts_are_whole_and_not_negative() {
        assert_eq!(parse_amount("12"), Some(12));
        assert_eq!(parse_amount("-1"), None);
        assert_eq!(parse_amount("1.5"), None);
        assert_eq!(parse_amount("99999999999999999999"), None);
    }
}
