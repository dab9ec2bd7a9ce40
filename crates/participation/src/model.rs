//! The participation block's types: what its service functions take and return.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who may propose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Proposers {
    /// Anybody signed in.
    Anyone,
    /// People who live in the process's voting area (checked when they vote, shown on proposing).
    Residents,
}

impl Proposers {
    pub fn as_str(self) -> &'static str {
        match self {
            Proposers::Anyone => "anyone",
            Proposers::Residents => "residents",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "anyone" => Some(Proposers::Anyone),
            "residents" => Some(Proposers::Residents),
            _ => None,
        }
    }
}

/// How a ballot chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BallotRule {
    /// Up to `max_choices` projects.
    UpToN,
    /// Projects whose budgets together fit the process's budget.
    Knapsack,
}

impl BallotRule {
    pub fn as_str(self) -> &'static str {
        match self {
            BallotRule::UpToN => "up_to_n",
            BallotRule::Knapsack => "knapsack",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "up_to_n" => Some(BallotRule::UpToN),
            "knapsack" => Some(BallotRule::Knapsack),
            _ => None,
        }
    }
}

/// The phases of a process, as epoch milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Phases {
    pub proposals_from: i64,
    pub proposals_until: i64,
    pub review_until: i64,
    pub voting_from: i64,
    pub voting_until: i64,
    pub results_from: i64,
}

/// The phase a process is in at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Upcoming,
    Proposals,
    Review,
    Waiting,
    Voting,
    Counting,
    Results,
}

impl Phases {
    /// Dates must follow each other.
    pub fn valid(&self) -> bool {
        self.proposals_from < self.proposals_until
            && self.proposals_until <= self.review_until
            && self.review_until <= self.voting_from
            && self.voting_from < self.voting_until
            && self.voting_until <= self.results_from
    }

    pub fn at(&self, now: i64) -> Phase {
        if now < self.proposals_from {
            Phase::Upcoming
        } else if now < self.proposals_until {
            Phase::Proposals
        } else if now < self.review_until {
            Phase::Review
        } else if now < self.voting_from {
            Phase::Waiting
        } else if now < self.voting_until {
            Phase::Voting
        } else if now < self.results_from {
            Phase::Counting
        } else {
            Phase::Results
        }
    }
}

/// The rules of a process. Locked once the first ballot is cast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rules {
    pub proposers: Proposers,
    /// `municipality`, or the code of a district (e.g. `sredets`) whose residents alone vote.
    pub voter_area: String,
    pub min_age: i64,
    /// The total budget in minor units.
    pub budget_minor: i64,
    pub currency: String,
    pub ballot_rule: BallotRule,
    /// For `up_to_n`: how many projects a ballot may choose.
    pub max_choices: i64,
    /// Whether a voter may change their ballot until voting closes.
    pub allow_change: bool,
    /// The legal basis of the population-register checks (shown in the person's query log).
    pub legal_basis: String,
    /// Where, when set, a voter's location must be: a GeoJSON Polygon or MultiPolygon.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<serde_json::Value>,
    /// Whether the tally is shown while voting runs (`true`) or only once voting has closed.
    #[serde(default)]
    pub tally_live: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Topic {
    pub code: String,
    pub name_bg: String,
    pub name_en: String,
}

/// What an administration opens a process with.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewProcess {
    pub administration_id: String,
    pub slug: String,
    pub title_bg: String,
    pub title_en: String,
    pub theme: String,
    pub phases: Phases,
    pub rules: Rules,
    pub topics: Vec<Topic>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Process {
    pub id: String,
    pub administration_id: String,
    pub slug: String,
    pub title_bg: String,
    pub title_en: String,
    pub theme: String,
    pub phases: Phases,
    pub phase: Phase,
    pub rules: Rules,
    pub topics: Vec<Topic>,
    /// True once the first ballot is cast: the rules can no longer change.
    pub locked: bool,
    pub version: i64,
}

/// What a person proposes.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewProposal {
    pub title: String,
    pub description: String,
    pub budget_minor: i64,
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Submitted,
    Feasible,
    NotFeasible,
    Merged,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Submitted => "submitted",
            ProposalStatus::Feasible => "feasible",
            ProposalStatus::NotFeasible => "not_feasible",
            ProposalStatus::Merged => "merged",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "submitted" => Some(ProposalStatus::Submitted),
            "feasible" => Some(ProposalStatus::Feasible),
            "not_feasible" => Some(ProposalStatus::NotFeasible),
            "merged" => Some(ProposalStatus::Merged),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Proposal {
    pub id: String,
    pub process_id: String,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub budget_minor: i64,
    pub district: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub topics: Vec<String>,
    pub status: ProposalStatus,
    pub review_reason: Option<String>,
    pub merged_into: Option<String>,
    pub supports: i64,
    pub created_at: i64,
}

/// A photo or document attached to a proposal by its author.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub proposal_id: String,
    /// `image` (JPEG or PNG) or `document` (PDF).
    pub kind: String,
    /// The type the content was found to be: `image/jpeg`, `image/png` or `application/pdf`.
    pub content_type: String,
    pub file_name: String,
    /// The text alternative of an image, as its author gave it (empty for a document).
    pub alt: String,
    pub size: i64,
    #[serde(skip)]
    pub blob_key: String,
    pub created_at: i64,
    /// Where the file is served: `/participation/attachments/{id}`.
    pub url: String,
}

impl Attachment {
    pub fn is_image(&self) -> bool {
        self.kind == "image"
    }

    /// The name a download is saved under: only safe characters, ending in the extension of
    /// the type its content was found to be.
    pub fn download_name(&self) -> String {
        let mut name: String = self
            .file_name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let ending = match self.content_type.as_str() {
            "application/pdf" => ".pdf",
            "image/png" => ".png",
            _ => ".jpg",
        };
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(ending) || (ending == ".jpg" && lower.ends_with(".jpeg"))) {
            name.push_str(ending);
        }
        name
    }
}

/// The administration's review of a proposal, with its published reason.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Review {
    pub status: ProposalStatus,
    pub reason: String,
    /// For `merged`: the proposal it was merged into.
    #[serde(default)]
    pub merged_into: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comment {
    pub id: String,
    pub body: String,
    pub created_at: i64,
}

/// One change of a proposal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub at: i64,
    pub kind: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A page of a process's proposals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalPage {
    pub items: Vec<Proposal>,
    /// How many proposals (of the status asked for) the process has in all.
    pub total: i64,
    pub limit: i64,
    /// The `before` cursor of the previous page, when there is one.
    pub previous_before: Option<i64>,
    /// The `after` cursor of the next page, when there is one.
    pub next_after: Option<i64>,
}

// ---- Public consultations ----

/// Where a consultation stands, computed from its dates and whether its answers are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationPhase {
    /// Not yet open for comment.
    Upcoming,
    /// Open for comment until the deadline.
    Open,
    /// Past the deadline: the administration answers the comments.
    Answering,
    /// The comments, their answers and the summary report are published.
    Published,
}

/// A section of a draft act or strategy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Section {
    /// 1, 2, … in the order of the draft (set by the server).
    #[serde(default)]
    pub number: i64,
    pub heading: String,
    pub body: String,
}

/// What an administration gives to open a consultation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewConsultation {
    pub administration_id: String,
    pub slug: String,
    pub title_bg: String,
    pub title_en: String,
    /// What the draft is and what the administration asks.
    pub summary: String,
    /// Epoch milliseconds.
    pub opens_at: i64,
    /// The deadline for comments, epoch milliseconds.
    pub closes_at: i64,
    pub sections: Vec<Section>,
}

/// A public consultation on a draft.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Consultation {
    pub id: String,
    pub administration_id: String,
    pub slug: String,
    pub title_bg: String,
    pub title_en: String,
    pub summary: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub phase: ConsultationPhase,
    pub sections: Vec<Section>,
    /// The summary report, once published.
    pub report: Option<String>,
    pub published_at: Option<i64>,
    /// How many comments it has received.
    pub comments: i64,
}

/// The administration's answer to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Accepted,
    PartlyAccepted,
    NotAccepted,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Accepted => "accepted",
            Answer::PartlyAccepted => "partly_accepted",
            Answer::NotAccepted => "not_accepted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "accepted" => Some(Answer::Accepted),
            "partly_accepted" => Some(Answer::PartlyAccepted),
            "not_accepted" => Some(Answer::NotAccepted),
            _ => None,
        }
    }
}

/// A comment on a consultation, with its answer once given. It never names its author.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationComment {
    pub id: String,
    /// The section commented on; none for the whole draft.
    pub section: Option<i64>,
    pub body: String,
    pub created_at: i64,
    pub answer: Option<Answer>,
    pub answer_reason: Option<String>,
}

// ---- Follow-up of funded projects ----

/// Where a funded project's implementation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Implementation {
    Planned,
    InProgress,
    Completed,
    Cancelled,
}

impl Implementation {
    pub const ALL: [Implementation; 4] = [
        Implementation::Planned,
        Implementation::InProgress,
        Implementation::Completed,
        Implementation::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Implementation::Planned => "planned",
            Implementation::InProgress => "in_progress",
            Implementation::Completed => "completed",
            Implementation::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

/// An update of a funded project's implementation, published by the administration.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectUpdate {
    pub id: String,
    pub proposal_id: String,
    pub at: i64,
    pub status: Implementation,
    /// Spent so far, in the process's currency's minor units.
    pub spent_minor: i64,
    pub note: String,
}

/// What the administration gives to update a funded project.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewProjectUpdate {
    pub status: Implementation,
    pub spent_minor: i64,
    pub note: String,
}
