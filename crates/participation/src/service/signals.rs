//! Abuse signals for the administration, without blocking anybody: many ballots from one client
//! network in an hour, hours with a burst of ballots, many voters registered at one address.
//! Only counters are kept (`participation_signals`): how many, never who or what. A network and
//! an address are keyed hashes, shown shortened.

use super::{administers, processes, Participation};
use crate::error::ParticipationError;
use portico_core::Actor;
use portico_store::Tx;
use serde::Serialize;
use utoipa::ToSchema;

const HOUR_MS: i64 = 3_600_000;

/// Counts a ballot: in its hour, its client network's hour, and its voter's address.
pub async fn count_ballot(
    tx: &mut Tx,
    process_id: &str,
    at: i64,
    network: Option<&str>,
    address_key: &str,
) -> Result<(), ParticipationError> {
    let hour = at.div_euclid(HOUR_MS);
    let mut counters = vec![("hour", "all", hour)];
    if let Some(network) = network {
        counters.push(("network", network, hour));
    }
    if !address_key.is_empty() {
        counters.push(("address", address_key, 0));
    }
    for (kind, key, hour) in counters {
        sqlx::query(
            "INSERT INTO participation_signals (process_id, kind, key, hour, count) VALUES ($1, $2, $3, $4, 1) \
             ON CONFLICT (process_id, kind, key, hour) DO UPDATE SET count = participation_signals.count + 1",
        )
        .bind(process_id)
        .bind(kind)
        .bind(key)
        .bind(hour)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// When a counter is worth a look.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Ballots from one network in one hour.
    pub network_per_hour: i64,
    /// Voters registered at one address.
    pub voters_per_address: i64,
    /// An hour with more than this many times the median hour's ballots (and at least
    /// `burst_minimum`).
    pub burst_factor: i64,
    pub burst_minimum: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            network_per_hour: 30,
            voters_per_address: 6,
            burst_factor: 4,
            burst_minimum: 50,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Signal {
    /// `network`, `burst` or `address`.
    pub kind: String,
    /// A shortened keyed hash of the network or address (`all` for a burst).
    pub key: String,
    /// The hour's start (epoch milliseconds); 0 for an address.
    pub hour_start: i64,
    pub count: i64,
}

/// The signals of a process, largest first. For the process's administration only.
pub async fn report(
    ctx: &Participation,
    actor: &Actor,
    process_id: &str,
    thresholds: &Thresholds,
) -> Result<Vec<Signal>, ParticipationError> {
    let process = processes::get(ctx, process_id).await?;
    if !administers(actor, &process.administration_id) {
        return Err(ParticipationError::NotFound);
    }
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT kind, key, hour, count FROM participation_signals WHERE process_id = $1",
    )
    .bind(&process.id)
    .fetch_all(ctx.db.pool())
    .await?;
    let mut hours: Vec<i64> = rows.iter().filter(|r| r.0 == "hour").map(|r| r.3).collect();
    hours.sort_unstable();
    let median = hours.get(hours.len() / 2).copied().unwrap_or(0);
    let burst = (median * thresholds.burst_factor).max(thresholds.burst_minimum);
    let mut out: Vec<Signal> = rows
        .into_iter()
        .filter(|(kind, _, _, count)| match kind.as_str() {
            "network" => *count >= thresholds.network_per_hour,
            "address" => *count >= thresholds.voters_per_address,
            "hour" => *count > burst,
            _ => false,
        })
        .map(|(kind, key, hour, count)| Signal {
            kind: if kind == "hour" { "burst".into() } else { kind },
            key: key.chars().take(12).collect(),
            hour_start: hour * HOUR_MS,
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    Ok(out)
}

/// The network a client address belongs to, for counting: its /24 (IPv4) or /48 (IPv6) prefix.
pub fn network_of(addr: std::net::IpAddr) -> String {
    match addr {
        std::net::IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => network_of(std::net::IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
        },
    }
}
