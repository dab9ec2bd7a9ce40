//! The counters: one row per day (and one per month) for each service and channel, every count
//! added by a single upsert, so that writers never read-modify-write and a row's size does not
//! grow with the number of events. Decision times are kept as small histograms (one row per
//! number of working days) from which percentiles are read.

use crate::model::{Counts, COUNT_COLUMNS};
use crate::InsightsError;
use chrono::NaiveDate;
use portico_store::Tx;
use std::sync::OnceLock;

/// What one counter row is keyed by.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub day: NaiveDate,
    pub service_id: &'a str,
    pub channel: &'a str,
    pub administration_id: &'a str,
}

fn upsert_sql(table: &str, period: &str) -> String {
    let columns = COUNT_COLUMNS.join(", ");
    let params: Vec<String> = (5..5 + COUNT_COLUMNS.len())
        .map(|i| format!("${i}"))
        .collect();
    let updates: Vec<String> = COUNT_COLUMNS
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({period}, service_id, channel, administration_id, {columns}) \
         VALUES ($1, $2, $3, $4, {}) ON CONFLICT ({period}, service_id, channel) DO UPDATE SET {}",
        params.join(", "),
        updates.join(", ")
    )
}

fn daily_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| upsert_sql("insights_daily", "day"))
}

fn monthly_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| upsert_sql("insights_monthly", "month"))
}

pub fn month_of(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// Adds `counts` to the day's row and the month's row of this service and channel.
pub async fn add(tx: &mut Tx, key: Key<'_>, counts: &Counts) -> Result<(), InsightsError> {
    let day = key.day.format("%Y-%m-%d").to_string();
    let month = month_of(key.day);
    for (sql, period) in [(daily_sql(), &day), (monthly_sql(), &month)] {
        let mut q = sqlx::query(sql)
            .bind(period)
            .bind(key.service_id)
            .bind(key.channel)
            .bind(key.administration_id);
        for v in counts.values() {
            q = q.bind(v);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Adds `n` decisions that took `working_days` to the day's and the month's histogram.
pub async fn add_decision_days(
    tx: &mut Tx,
    key: Key<'_>,
    working_days: i64,
    n: i64,
) -> Result<(), InsightsError> {
    let day = key.day.format("%Y-%m-%d").to_string();
    let month = month_of(key.day);
    for (table, period, value) in [
        ("insights_decision_days", "day", &day),
        ("insights_decision_days_monthly", "month", &month),
    ] {
        sqlx::query(&format!(
            "INSERT INTO {table} ({period}, service_id, administration_id, working_days, n) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT ({period}, service_id, working_days) DO UPDATE SET n = {table}.n + excluded.n"
        ))
        .bind(value)
        .bind(key.service_id)
        .bind(key.administration_id)
        .bind(working_days)
        .bind(n)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The value below which `q` (0..1) of the histogram's decisions fall (nearest rank).
pub fn percentile(histogram: &[(i64, i64)], q: f64) -> Option<i64> {
    let total: i64 = histogram.iter().map(|(_, n)| n).sum();
    if total <= 0 {
        return None;
    }
    // Nearest rank: the smallest value whose cumulative count reaches ceil(q × total).
    let rank = ((q * total as f64).ceil() as i64).max(1);
    let mut seen = 0;
    for (days, n) in histogram {
        seen += n;
        if seen >= rank {
            return Some(*days);
        }
    }
    histogram.last().map(|(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_by_nearest_rank() {
        // 1, 2, 2, 3, 10
        let h = [(1, 1), (2, 2), (3, 1), (10, 1)];
        assert_eq!(percentile(&h, 0.5), Some(2));
        assert_eq!(percentile(&h, 0.9), Some(10));
        assert_eq!(percentile(&h, 0.2), Some(1));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn upsert_adds_every_column() {
        let sql = super::upsert_sql("insights_daily", "day");
        assert!(sql.contains("satisfied = insights_daily.satisfied + excluded.satisfied"));
        assert!(sql.contains("$20"));
        assert!(!sql.contains("$21"));
    }
}
