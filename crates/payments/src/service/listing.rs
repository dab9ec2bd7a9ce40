//! An administration's payments as its staff and its systems look for them: filtered by state,
//! by the day they were asked for (a range of dates in Sofia), by what they are for (the
//! service's fee) and by payment code; and the same list as CSV.

use super::{acting, requests, Payments};
use crate::code;
use crate::error::PaymentError;
use crate::model::{Payment, PaymentState};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use portico_core::clock::to_millis;
use portico_core::Actor;

/// The most rows a page shows (the newest first); the CSV export has them all.
pub const PAGE_ROWS: i64 = 200;

/// The most rows one CSV export writes.
pub const EXPORT_ROWS: i64 = 100_000;

/// What to look for. Every part is optional; the parts that are given must all hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<PaymentState>,
    /// Asked for on or after this day (Sofia's date).
    pub from: Option<NaiveDate>,
    /// Asked for on or before this day (Sofia's date).
    pub to: Option<NaiveDate>,
    /// What the payment is for, exactly as its reason reads (a service's fee names the service).
    pub reason: Option<String>,
    /// A payment code as a person writes it (any case, spaces, O for 0).
    pub code: Option<String>,
}

/// The first instant of a day in Sofia, in UTC (EET or EEST, whichever holds that day).
pub fn sofia_midnight(date: NaiveDate) -> DateTime<Utc> {
    let utc_midnight = date.and_time(NaiveTime::MIN).and_utc();
    for hours in [2, 3] {
        let at = utc_midnight - TimeDelta::hours(hours);
        if portico_core::calendar::sofia_local(at) == date.and_time(NaiveTime::MIN) {
            return at;
        }
    }
    utc_midnight - TimeDelta::hours(2)
}

enum Bind {
    Text(String),
    Int(i64),
}

/// The administration's payments that match, newest first, at most `limit`. Its own staff,
/// its system and the platform only; to anyone else they do not exist. A code that cannot be
/// a payment code finds nothing.
pub async fn list(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<Payment>, PaymentError> {
    if !acting::works_for(actor, administration_id) {
        acting::staff_of(actor, administration_id)?;
        return Err(PaymentError::NotFound);
    }
    let mut sql = format!(
        "SELECT {} FROM payments_requests WHERE administration_id = $1",
        requests::COLUMNS
    );
    let mut binds = vec![Bind::Text(administration_id.to_owned())];
    let clause = |sql: &mut String, binds: &mut Vec<Bind>, column: &str, bind: Bind| {
        binds.push(bind);
        sql.push_str(&format!(" AND {column} ${}", binds.len()));
    };
    if let Some(state) = filter.state {
        clause(
            &mut sql,
            &mut binds,
            "state =",
            Bind::Text(state.as_str().into()),
        );
    }
    if let Some(from) = filter.from {
        let at = to_millis(sofia_midnight(from));
        clause(&mut sql, &mut binds, "created_at >=", Bind::Int(at));
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        let at = to_millis(sofia_midnight(to));
        clause(&mut sql, &mut binds, "created_at <", Bind::Int(at));
    }
    if let Some(reason) = &filter.reason {
        clause(&mut sql, &mut binds, "reason =", Bind::Text(reason.clone()));
    }
    if let Some(written) = &filter.code {
        let Some(normal) = code::normalise(written) else {
            return Ok(Vec::new());
        };
        clause(&mut sql, &mut binds, "code =", Bind::Text(normal));
    }
    sql.push_str(&format!(
        " ORDER BY created_at DESC, id DESC LIMIT {}",
        limit.clamp(1, EXPORT_ROWS)
    ));
    let mut query = sqlx::query_as::<_, requests::Row>(&sql);
    for bind in binds {
        query = match bind {
            Bind::Text(t) => query.bind(t),
            Bind::Int(i) => query.bind(i),
        };
    }
    let rows = query.fetch_all(ctx.db.pool()).await?;
    rows.into_iter().map(requests::payment_from).collect()
}

/// What the administration's payments are for (their reasons), to choose from in the filter.
pub async fn reasons(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
) -> Result<Vec<String>, PaymentError> {
    if !acting::works_for(actor, administration_id) {
        return Err(PaymentError::NotFound);
    }
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT reason FROM payments_requests WHERE administration_id = $1 \
         ORDER BY reason LIMIT 200",
    )
    .bind(administration_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}

/// One CSV field: quoted when it must be (RFC 4180), and a text a spreadsheet would read as a
/// formula (`=`, `+`, `-`, `@`, tab, carriage return first) written with a leading `'`.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One CSV line of fields, ended by CRLF.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// An amount in minor units as a decimal number (`1050` EUR → `10.50`), for CSV and forms.
pub fn decimal(minor: i64, currency: &str) -> String {
    let exponent = crate::validate::currency(Some(currency)).map_or(2, |(_, e)| e);
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(u32::from(exponent));
    let sign = if minor < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        (minor / scale).abs(),
        (minor % scale).abs(),
        width = usize::from(exponent)
    )
}

/// A decimal amount as a person types it (`2.5`, `2,50`) in the currency's minor units; `None`
/// when it is not a positive amount with at most the currency's decimals.
pub fn parse_decimal(s: &str, currency: &str) -> Option<i64> {
    let exponent = u32::from(crate::validate::currency(Some(currency)).map_or(2, |(_, e)| e));
    let s = s.trim().replace(',', ".");
    let (whole, fraction) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > exponent as usize
        || whole.len() > 12
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<i64>().ok()? * 10i64.pow(exponent - fraction.len() as u32)
    };
    let minor = whole
        .checked_mul(10i64.pow(exponent))?
        .checked_add(fraction)?;
    (minor > 0).then_some(minor)
}

/// The administration's payments that match, as CSV (UTF-8, a header line, CRLF): id, code,
/// state, amount, currency, refunded, reason, obligor, application, created, expires, updated.
pub async fn csv(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
    filter: &Filter,
) -> Result<String, PaymentError> {
    let payments = list(ctx, actor, administration_id, filter, EXPORT_ROWS).await?;
    let mut out = csv_line(&[
        "id",
        "code",
        "state",
        "amount",
        "currency",
        "refunded",
        "reason",
        "obligor_id",
        "application_ref",
        "created_at",
        "expires_at",
        "updated_at",
    ]);
    for p in payments {
        out.push_str(&csv_line(&[
            p.id.as_str(),
            &p.code,
            p.state.as_str(),
            &decimal(p.amount_minor, &p.currency),
            &p.currency,
            &decimal(p.refunded_minor, &p.currency),
            &p.reason,
            &p.obligor_id,
            p.application_ref.as_deref().unwrap_or(""),
            &p.created_at.to_rfc3339(),
            &p.expires_at.to_rfc3339(),
            &p.updated_at.to_rfc3339(),
        ]));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-1,5"), "\"'-1,5\"");
        assert_eq!(csv_line(&["a", "b"]), "a,b\r\n");
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(parse_decimal("2.50", "EUR"), Some(250));
        assert_eq!(parse_decimal("2,5", "EUR"), Some(250));
        assert_eq!(parse_decimal("3", "EUR"), Some(300));
        assert_eq!(parse_decimal(".05", "EUR"), Some(5));
        assert_eq!(parse_decimal("1200", "JPY"), Some(1200));
        assert_eq!(parse_decimal("1.5", "JPY"), None);
        assert_eq!(parse_decimal("2.505", "EUR"), None);
        assert_eq!(parse_decimal("0", "EUR"), None);
        assert_eq!(parse_decimal("-1", "EUR"), None);
        assert_eq!(parse_decimal("", "EUR"), None);
        assert_eq!(parse_decimal("1e3", "EUR"), None);
        assert_eq!(parse_decimal("99999999999999999", "EUR"), None);
        assert_eq!(decimal(250, "EUR"), "2.50");
        assert_eq!(decimal(-5, "EUR"), "-0.05");
        assert_eq!(decimal(1200, "JPY"), "1200");
    }

    #[test]
    fn a_day_in_sofia_starts_two_or_three_hours_before_utc_midnight() {
        let winter = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(
            sofia_midnight(winter).to_rfc3339(),
            "2026-12-02T22:00:00+00:00"
        );
        let summer = NaiveDate::from_ymd_opt(2026, 7, 3).unwrap();
        assert_eq!(
            sofia_midnight(summer).to_rfc3339(),
            "2026-07-02T21:00:00+00:00"
        );
    }
}
