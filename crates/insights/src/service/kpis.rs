//! The KPIs, read from the counters (never from events), each as defined in docs/insights.md.
//! Every query reads monthly rows: a year of the whole platform is twelve rows per service and
//! channel, whatever the number of events behind them.

use super::counters::percentile;
use crate::model::{Counts, Kpis, Scope, COUNT_COLUMNS};
use crate::InsightsError;
use chrono::NaiveDate;
use portico_store::Db;
use std::collections::BTreeMap;

/// What the figures of one month (or one group) are made of, before the ratios. Stored as JSON
/// by the recompute (`service::stored`), so that a page adds a few of them and computes the
/// ratios exactly as from the counters.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Parts {
    pub counts: Counts,
    /// Working days → decisions.
    pub histogram: BTreeMap<i64, i64>,
    pub counter: i64,
    pub post: i64,
    pub cost_minor: i64,
    pub inquiries: i64,
    pub inquiries_overdue: i64,
}

impl Parts {
    pub fn add(&mut self, other: &Parts) {
        self.counts.add(&other.counts);
        for (d, n) in &other.histogram {
            *self.histogram.entry(*d).or_default() += n;
        }
        self.counter += other.counter;
        self.post += other.post;
        self.cost_minor += other.cost_minor;
        self.inquiries += other.inquiries;
        self.inquiries_overdue += other.inquiries_overdue;
    }
}

/// The minimum group size: a figure made of people's answers (satisfaction) is shown only when
/// at least this many gave one, and a comment only when at least this many gave feedback on
/// the service in its month (see docs/insights.md, "Privacy").
pub const MIN_GROUP: i64 = 5;

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64) * 100.0 / (whole as f64))
}

/// The KPIs of `parts` (see docs/insights.md for each formula).
pub fn kpis(label: &str, p: &Parts) -> Kpis {
    let c = &p.counts;
    let online = c.submitted;
    let all = online + p.counter + p.post;
    let histogram: Vec<(i64, i64)> = p.histogram.iter().map(|(d, n)| (*d, *n)).collect();
    Kpis {
        month: label.to_owned(),
        counts: *c,
        counter: p.counter,
        post: p.post,
        cost_minor: p.cost_minor,
        take_up: share(online, all),
        completion: share(c.submitted, c.started),
        median_days: percentile(&histogram, 0.5),
        p90_days: percentile(&histogram, 0.9),
        deadline_days: (c.decided > 0).then(|| c.deadline_days as f64 / c.decided as f64),
        overdue_share: share(c.overdue, c.decided),
        cost_per_transaction: (all > 0 && p.cost_minor > 0).then(|| p.cost_minor / all),
        satisfaction: if c.ratings >= MIN_GROUP {
            share(c.satisfied, c.ratings)
        } else {
            None
        },
        no_paper: share(c.delivered.min(c.decided), c.decided),
        inquiries: p.inquiries,
        inquiries_overdue: p.inquiries_overdue,
    }
}

/// `YYYY-MM` of a date.
pub fn month(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// The filter of a scope on a table with `service_id` and `administration_id`, as SQL and its
/// one parameter (always bound as `$3`, so that every query numbers its parameters alike).
fn filter(scope: &Scope) -> (&'static str, &str) {
    match scope {
        Scope::Platform => (" AND CAST($3 AS TEXT) = ''", ""),
        Scope::Administration(id) => (" AND administration_id = $3", id),
        Scope::Service(id) => (" AND service_id = $3", id),
    }
}

/// What the grouped queries group by: a month, an administration or a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Month,
    Administration,
    Service,
}

impl By {
    fn column(self, table_period: &str) -> String {
        match self {
            By::Month => table_period.to_owned(),
            By::Administration => "administration_id".to_owned(),
            By::Service => "service_id".to_owned(),
        }
    }
}

/// Every month's (or administration's, or service's) parts within `from..=to` (months
/// `YYYY-MM`) in `scope`, keyed by what they are grouped by.
pub async fn parts(
    db: &Db,
    scope: &Scope,
    by: By,
    from: &str,
    to: &str,
    today: NaiveDate,
) -> Result<BTreeMap<String, Parts>, InsightsError> {
    let (where_scope, param) = filter(scope);
    let mut out: BTreeMap<String, Parts> = BTreeMap::new();

    let sums: Vec<String> = COUNT_COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .collect();
    let group = by.column("month");
    let sql = format!(
        "SELECT {group}, {} FROM insights_monthly WHERE month >= $1 AND month <= $2{where_scope} GROUP BY {group}",
        sums.join(", ")
    );
    let q = sqlx::query(&sql).bind(from).bind(to).bind(param);
    use sqlx::Row;
    for row in q.fetch_all(db.pool()).await? {
        let key: String = row.try_get(0)?;
        let mut v = [0i64; 16];
        for (i, slot) in v.iter_mut().enumerate() {
            *slot = row.try_get::<Option<i64>, _>(i + 1)?.unwrap_or(0);
        }
        out.entry(key).or_default().counts = Counts::from_values(v);
    }

    let sql = format!(
        "SELECT {group}, working_days, CAST(SUM(n) AS BIGINT) FROM insights_decision_days_monthly \
         WHERE month >= $1 AND month <= $2{where_scope} GROUP BY {group}, working_days"
    );
    let q = sqlx::query_as::<_, (String, i64, i64)>(&sql)
        .bind(from)
        .bind(to)
        .bind(param);
    for (key, days, n) in q.fetch_all(db.pool()).await? {
        *out.entry(key)
            .or_default()
            .histogram
            .entry(days)
            .or_default() += n;
    }

    let sql = format!(
        "SELECT {group}, CAST(SUM(counter_count) AS BIGINT), CAST(SUM(post_count) AS BIGINT), CAST(SUM(cost_minor) AS BIGINT) \
         FROM insights_figures WHERE month >= $1 AND month <= $2{where_scope} GROUP BY {group}"
    );
    let q = sqlx::query_as::<_, (String, i64, i64, i64)>(&sql)
        .bind(from)
        .bind(to)
        .bind(param);
    for (key, counter, post, cost) in q.fetch_all(db.pool()).await? {
        let e = out.entry(key).or_default();
        e.counter += counter;
        e.post += post;
        e.cost_minor += cost;
    }

    // Inquiries: asked in the month; overdue when answered after the deadline, or not answered
    // and past it today. A question about no service counts for its administration only.
    let group = match by {
        By::Month => "substr(asked_on, 1, 7)".to_owned(),
        other => by_inquiry(other),
    };
    let sql = format!(
        "SELECT {group}, COUNT(*), CAST(SUM(CASE WHEN (answered_on IS NOT NULL AND answered_on > deadline) \
         OR (answered_on IS NULL AND deadline < $4) THEN 1 ELSE 0 END) AS BIGINT) \
         FROM insights_inquiries WHERE asked_on >= $1 AND asked_on < $2{where_scope} \
         AND {group} IS NOT NULL GROUP BY {group}"
    );
    let rows = sqlx::query_as::<_, (String, i64, Option<i64>)>(&sql)
        .bind(format!("{from}-01"))
        .bind(format!("{to}-99"))
        .bind(param)
        .bind(today.format("%Y-%m-%d").to_string())
        .fetch_all(db.pool())
        .await?;
    for (key, n, overdue) in rows {
        let e = out.entry(key).or_default();
        e.inquiries += n;
        e.inquiries_overdue += overdue.unwrap_or(0);
    }
    Ok(out)
}

/// Each administration's (or service's) parts month by month within `from..=to`: for the ids
/// given, or for every one that has any when `ids` is `None`. Keyed by the id, then the month.
/// The same sums as [`parts`], so that the stored figures equal those computed per request.
pub async fn parts_by_month(
    db: &Db,
    by: By,
    ids: Option<&[String]>,
    from: &str,
    to: &str,
    today: NaiveDate,
) -> Result<BTreeMap<String, BTreeMap<String, Parts>>, InsightsError> {
    use sqlx::Row;
    let column = by.column("month");
    let mut out: BTreeMap<String, BTreeMap<String, Parts>> = BTreeMap::new();
    let chunks: Vec<Option<&[String]>> = match ids {
        // Few enough parameters per statement for either database.
        Some(ids) => ids.chunks(500).map(Some).collect(),
        None => vec![None],
    };
    for chunk in chunks {
        // Counts, $1 and $2 the months, the ids from $3.
        let within = in_list(&column, 3, chunk.map_or(0, <[String]>::len));
        let sums: Vec<String> = COUNT_COLUMNS
            .iter()
            .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
            .collect();
        let sql = format!(
            "SELECT {column}, month, {} FROM insights_monthly WHERE month >= $1 AND month <= $2{within} \
             GROUP BY {column}, month",
            sums.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(from).bind(to);
        for id in chunk.unwrap_or(&[]) {
            q = q.bind(id);
        }
        for row in q.fetch_all(db.pool()).await? {
            let key: String = row.try_get(0)?;
            let month: String = row.try_get(1)?;
            let mut v = [0i64; 16];
            for (i, slot) in v.iter_mut().enumerate() {
                *slot = row.try_get::<Option<i64>, _>(i + 2)?.unwrap_or(0);
            }
            slot(&mut out, key, month).counts = Counts::from_values(v);
        }

        let sql = format!(
            "SELECT {column}, month, working_days, CAST(SUM(n) AS BIGINT) FROM insights_decision_days_monthly \
             WHERE month >= $1 AND month <= $2{within} GROUP BY {column}, month, working_days"
        );
        let mut q = sqlx::query_as::<_, (String, String, i64, i64)>(&sql)
            .bind(from)
            .bind(to);
        for id in chunk.unwrap_or(&[]) {
            q = q.bind(id);
        }
        for (key, month, days, n) in q.fetch_all(db.pool()).await? {
            *slot(&mut out, key, month)
                .histogram
                .entry(days)
                .or_default() += n;
        }

        let sql = format!(
            "SELECT {column}, month, CAST(SUM(counter_count) AS BIGINT), CAST(SUM(post_count) AS BIGINT), \
             CAST(SUM(cost_minor) AS BIGINT) FROM insights_figures WHERE month >= $1 AND month <= $2{within} \
             GROUP BY {column}, month"
        );
        let mut q = sqlx::query_as::<_, (String, String, i64, i64, i64)>(&sql)
            .bind(from)
            .bind(to);
        for id in chunk.unwrap_or(&[]) {
            q = q.bind(id);
        }
        for (key, month, counter, post, cost) in q.fetch_all(db.pool()).await? {
            let e = slot(&mut out, key, month);
            e.counter += counter;
            e.post += post;
            e.cost_minor += cost;
        }

        // Inquiries as in `parts`: $3 is today, the ids from $4.
        let within = in_list(&column, 4, chunk.map_or(0, <[String]>::len));
        let sql = format!(
            "SELECT {column}, substr(asked_on, 1, 7), COUNT(*), CAST(SUM(CASE WHEN (answered_on IS NOT NULL \
             AND answered_on > deadline) OR (answered_on IS NULL AND deadline < $3) THEN 1 ELSE 0 END) AS BIGINT) \
             FROM insights_inquiries WHERE asked_on >= $1 AND asked_on < $2{within} AND {column} IS NOT NULL \
             GROUP BY {column}, substr(asked_on, 1, 7)"
        );
        let mut q = sqlx::query_as::<_, (String, String, i64, Option<i64>)>(&sql)
            .bind(format!("{from}-01"))
            .bind(format!("{to}-99"))
            .bind(today.format("%Y-%m-%d").to_string());
        for id in chunk.unwrap_or(&[]) {
            q = q.bind(id);
        }
        for (key, month, n, overdue) in q.fetch_all(db.pool()).await? {
            let e = slot(&mut out, key, month);
            e.inquiries += n;
            e.inquiries_overdue += overdue.unwrap_or(0);
        }
    }
    Ok(out)
}

fn slot(
    out: &mut BTreeMap<String, BTreeMap<String, Parts>>,
    key: String,
    month: String,
) -> &mut Parts {
    out.entry(key).or_default().entry(month).or_default()
}

/// ` AND column IN ($first, …)` for `n` ids, nothing for none (every id).
fn in_list(column: &str, first: usize, n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    let params: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    format!(" AND {column} IN ({})", params.join(", "))
}

fn by_inquiry(by: By) -> String {
    by.column("asked_on")
}

/// The months `from..=to` as `YYYY-MM`, oldest first.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        out.push(format!("{y:04}-{m:02}"));
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    out
}

/// The twelve months ending with `today`'s, oldest first.
pub fn last_year(today: NaiveDate) -> Vec<String> {
    use chrono::Datelike;
    let start = NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .unwrap_or(today);
    months_between(start, today)
}

/// One scope's KPIs month by month over `months` (each month present, empty ones too), and the
/// KPIs over the whole period.
pub async fn series(
    db: &Db,
    scope: &Scope,
    months: &[String],
    today: NaiveDate,
) -> Result<(Vec<Kpis>, Kpis), InsightsError> {
    let (Some(from), Some(to)) = (months.first(), months.last()) else {
        return Ok((Vec::new(), kpis("", &Parts::default())));
    };
    let by_month = parts(db, scope, By::Month, from, to, today).await?;
    let mut total = Parts::default();
    let mut out = Vec::with_capacity(months.len());
    for m in months {
        let p = by_month.get(m).cloned().unwrap_or_default();
        total.add(&p);
        out.push(kpis(m, &p));
    }
    Ok((out, kpis(&format!("{from}/{to}"), &total)))
}

/// The KPIs over `months` of each administration (or service) in `scope`.
pub async fn grouped(
    db: &Db,
    scope: &Scope,
    by: By,
    months: &[String],
    today: NaiveDate,
) -> Result<BTreeMap<String, Kpis>, InsightsError> {
    let (Some(from), Some(to)) = (months.first(), months.last()) else {
        return Ok(BTreeMap::new());
    };
    let groups = parts(db, scope, by, from, to, today).await?;
    Ok(groups
        .into_iter()
        .map(|(k, p)| {
            let label = format!("{from}/{to}");
            (k, kpis(&label, &p))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_of_months_ends_with_this_one() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap_or_default();
        let months = last_year(today);
        assert_eq!(months.len(), 12);
        assert_eq!(months.first().map(String::as_str), Some("2025-04"));
        assert_eq!(months.last().map(String::as_str), Some("2026-03"));
    }

    #[test]
    fn an_id_list_numbers_its_parameters_from_the_first_free_one() {
        assert_eq!(in_list("service_id", 3, 2), " AND service_id IN ($3, $4)");
        assert_eq!(in_list("service_id", 3, 0), "");
    }

    #[test]
    fn ratios_have_nothing_to_divide_by_when_empty() {
        let k = kpis("2026-01", &Parts::default());
        assert_eq!(k.take_up, None);
        assert_eq!(k.completion, None);
        assert_eq!(k.median_days, None);
        assert_eq!(k.cost_per_transaction, None);
    }
}
