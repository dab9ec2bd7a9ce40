//! The tally: votes per feasible project, the projects funded by the published rule, turnout by
//! district and age band, and the published set of counted ballots (receipt hashes and choices,
//! in the order of their hashes) from which anybody can recount (`scripts/recount.py`).
//!
//! The funding rule, the same for both ballot rules: projects are ranked by votes (most first);
//! ties go to the cheaper project, then to the one proposed first (lower number); projects are
//! funded in rank order while the budget lasts, and a project that does not fit in what is left
//! is skipped for the next one that does.

use super::{processes, Participation};
use crate::error::ParticipationError;
use crate::model::{Phase, Process, ProposalStatus};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// The published tie rule, word for word as the results page and the recount script use it.
pub const TIE_RULE: &str = "votes_desc_then_budget_asc_then_number_asc_greedy";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectCount {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub budget_minor: i64,
    pub votes: i64,
    /// 1 for the first project in the ranking.
    pub rank: i64,
    pub funded: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub voters: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tally {
    pub process_id: String,
    /// False while voting still runs (a live tally).
    pub closed: bool,
    pub ballots: i64,
    pub budget_minor: i64,
    pub currency: String,
    pub funded_minor: i64,
    pub tie_rule: &'static str,
    /// In rank order.
    pub projects: Vec<ProjectCount>,
    pub turnout_by_district: Vec<Count>,
    pub turnout_by_age_band: Vec<Count>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedProject {
    pub id: String,
    pub number: i64,
    pub budget_minor: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedBallot {
    pub receipt_hash: String,
    pub choices: Vec<String>,
}

/// Everything a recount needs, and nothing about voters.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BallotSet {
    pub process_id: String,
    pub slug: String,
    pub budget_minor: i64,
    pub tie_rule: &'static str,
    pub projects: Vec<PublishedProject>,
    /// Ordered by receipt hash: nothing about the order ballots came in.
    pub ballots: Vec<PublishedBallot>,
}

/// Whether the process shows its count now: once voting has closed, or live if it says so.
pub fn public(process: &Process) -> bool {
    match process.phase {
        Phase::Counting | Phase::Results => true,
        Phase::Voting => process.rules.tally_live,
        _ => false,
    }
}

async fn feasible(
    ctx: &Participation,
    process_id: &str,
) -> Result<Vec<(String, i64, String, i64)>, ParticipationError> {
    Ok(sqlx::query_as(
        "SELECT id, number, title, budget_minor FROM participation_proposals \
         WHERE process_id = $1 AND status = $2 ORDER BY number",
    )
    .bind(process_id)
    .bind(ProposalStatus::Feasible.as_str())
    .fetch_all(ctx.db.pool())
    .await?)
}

async fn ballots(
    ctx: &Participation,
    process_id: &str,
) -> Result<Vec<PublishedBallot>, ParticipationError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT receipt_hash, choices FROM participation_ballots WHERE process_id = $1 ORDER BY receipt_hash",
    )
    .bind(process_id)
    .fetch_all(ctx.db.pool())
    .await?;
    rows.into_iter()
        .map(|(receipt_hash, choices)| {
            Ok(PublishedBallot {
                receipt_hash,
                choices: serde_json::from_str(&choices)?,
            })
        })
        .collect()
}

/// Ranks and funds: `(id, number, budget, votes)` in, `(id, rank, funded)` out.
pub fn fund(projects: &[(String, i64, i64, i64)], budget: i64) -> Vec<(String, i64, bool)> {
    let mut ranked: Vec<&(String, i64, i64, i64)> = projects.iter().collect();
    ranked.sort_by(|a, b| b.3.cmp(&a.3).then(a.2.cmp(&b.2)).then(a.1.cmp(&b.1)));
    let mut left = budget;
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, (id, _, cost, votes))| {
            let funded = *votes > 0 && *cost <= left;
            if funded {
                left -= cost;
            }
            (id.clone(), i64::try_from(i).unwrap_or(i64::MAX) + 1, funded)
        })
        .collect()
}

/// The count of a process, when it is public (`tally_not_public` before).
pub async fn count(ctx: &Participation, process_id: &str) -> Result<Tally, ParticipationError> {
    let process = processes::get(ctx, process_id).await?;
    if !public(&process) {
        return Err(ParticipationError::Refused("tally_not_public"));
    }
    let candidates = feasible(ctx, &process.id).await?;
    let cast = ballots(ctx, &process.id).await?;
    let mut votes: HashMap<&str, i64> = HashMap::new();
    for b in &cast {
        for c in &b.choices {
            *votes.entry(c.as_str()).or_default() += 1;
        }
    }
    let input: Vec<(String, i64, i64, i64)> = candidates
        .iter()
        .map(|(id, number, _, budget)| {
            (
                id.clone(),
                *number,
                *budget,
                votes.get(id.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    let by_id: HashMap<&str, &(String, i64, String, i64)> =
        candidates.iter().map(|c| (c.0.as_str(), c)).collect();
    let mut funded_minor = 0;
    let mut projects = Vec::new();
    for (id, rank, funded) in fund(&input, process.rules.budget_minor) {
        let Some((_, number, title, budget)) = by_id.get(id.as_str()).copied() else {
            continue;
        };
        if funded {
            funded_minor += budget;
        }
        projects.push(ProjectCount {
            votes: votes.get(id.as_str()).copied().unwrap_or(0),
            id,
            number: *number,
            title: title.clone(),
            budget_minor: *budget,
            rank,
            funded,
        });
    }
    Ok(Tally {
        process_id: process.id.clone(),
        closed: process.phase != Phase::Voting,
        ballots: i64::try_from(cast.len()).unwrap_or(i64::MAX),
        budget_minor: process.rules.budget_minor,
        currency: process.rules.currency.clone(),
        funded_minor,
        tie_rule: TIE_RULE,
        projects,
        turnout_by_district: turnout(ctx, &process.id, "district").await?,
        turnout_by_age_band: turnout(ctx, &process.id, "age_band").await?,
    })
}

async fn turnout(
    ctx: &Participation,
    process_id: &str,
    column: &'static str,
) -> Result<Vec<Count>, ParticipationError> {
    // `column` is one of two literals, never input.
    let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT {column}, COUNT(*) FROM participation_voters WHERE process_id = $1 AND voted = 1 GROUP BY {column}"
    ))
    .bind(process_id)
    .fetch_all(ctx.db.pool())
    .await?;
    let sorted: BTreeMap<String, i64> = rows.into_iter().collect();
    Ok(sorted
        .into_iter()
        .map(|(key, voters)| Count { key, voters })
        .collect())
}

/// The published set of counted ballots, when the tally is public.
pub async fn ballot_set(
    ctx: &Participation,
    process_id: &str,
) -> Result<BallotSet, ParticipationError> {
    let process = processes::get(ctx, process_id).await?;
    if !public(&process) {
        return Err(ParticipationError::Refused("tally_not_public"));
    }
    let projects = feasible(ctx, &process.id)
        .await?
        .into_iter()
        .map(|(id, number, _, budget_minor)| PublishedProject {
            id,
            number,
            budget_minor,
        })
        .collect();
    Ok(BallotSet {
        process_id: process.id.clone(),
        slug: process.slug.clone(),
        budget_minor: process.rules.budget_minor,
        tie_rule: TIE_RULE,
        projects,
        ballots: ballots(ctx, &process.id).await?,
    })
}

/// The ballot set as CSV: `receipt_hash,choices` with the choices separated by spaces.
pub fn ballots_csv(set: &BallotSet) -> String {
    let mut out = String::from("receipt_hash,choices\n");
    for b in &set.ballots {
        out.push_str(&b.receipt_hash);
        out.push(',');
        out.push_str(&b.choices.join(" "));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fund;

    #[test]
    fn ties_go_to_the_cheaper_then_the_earlier_and_what_does_not_fit_is_skipped() {
        let p = |id: &str, n, cost, votes| (id.to_owned(), n, cost, votes);
        let out = fund(
            &[
                p("a", 1, 60, 10),
                p("b", 2, 50, 10),
                p("c", 3, 50, 10),
                p("d", 4, 30, 5),
                p("e", 5, 10, 0),
            ],
            130,
        );
        let ids: Vec<(&str, i64, bool)> =
            out.iter().map(|(i, r, f)| (i.as_str(), *r, *f)).collect();
        assert_eq!(
            ids,
            vec![
                ("b", 1, true),
                ("c", 2, true),
                ("a", 3, false),
                ("d", 4, true),
                ("e", 5, false)
            ]
        );
    }
}
