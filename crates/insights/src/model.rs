//! What insights counts and what it shows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What happened, as the block where it happened says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A person started filling a service's form (a draft exists).
    Started,
    /// The draft was submitted.
    Submitted,
    /// The administration decided (approved or refused); carries the working days it took.
    Decided,
    /// The applicant withdrew a submitted application.
    Withdrawn,
    /// A draft not submitted within [`crate::service::events::ABANDON_AFTER_DAYS`] (insights
    /// emits this itself).
    Abandoned,
    /// A fee was paid.
    Paid,
    /// A result reached the applicant's eDelivery mailbox.
    Delivered,
    /// The applicant opened it.
    Opened,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Started => "started",
            EventKind::Submitted => "submitted",
            EventKind::Decided => "decided",
            EventKind::Withdrawn => "withdrawn",
            EventKind::Abandoned => "abandoned",
            EventKind::Paid => "paid",
            EventKind::Delivered => "delivered",
            EventKind::Opened => "opened",
        }
    }
}

/// How the person reached the service: Portico's pages, or an institution's system over the API.
pub const ONLINE: &str = "online";
pub const API: &str = "api";

/// One event. `id` names this occurrence: emitting or counting it twice counts it once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub kind: EventKind,
    /// The service (empty when the block does not know it: a payment asked for by an
    /// administration's system for no service).
    pub service_id: String,
    pub administration_id: String,
    pub channel: String,
    pub at: DateTime<Utc>,
    /// What the event is about (an application's id): started and submitted drafts are matched
    /// by it to count the abandoned ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<String>,
    /// Decided: when the application was submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// Decided: the legal deadline the application was given at submission (a local date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    /// Decided: the final state (`approved`, `refused`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

impl Event {
    /// An event with only what every kind has.
    pub fn of(
        id: &str,
        kind: EventKind,
        service_id: &str,
        administration_id: &str,
        at: DateTime<Utc>,
    ) -> Event {
        Event {
            id: id.to_owned(),
            kind,
            service_id: service_id.to_owned(),
            administration_id: administration_id.to_owned(),
            channel: ONLINE.to_owned(),
            at,
            subject_id: None,
            submitted_at: None,
            deadline: None,
            outcome: None,
        }
    }

    pub fn about(mut self, subject_id: &str) -> Event {
        self.subject_id = Some(subject_id.to_owned());
        self
    }

    pub fn on_channel(mut self, channel: &str) -> Event {
        channel.clone_into(&mut self.channel);
        self
    }

    /// A decision on an application submitted at `submitted_at` with the legal deadline `deadline`.
    pub fn decision(
        mut self,
        outcome: &str,
        submitted_at: DateTime<Utc>,
        deadline: Option<NaiveDate>,
    ) -> Event {
        self.outcome = Some(outcome.to_owned());
        self.submitted_at = Some(submitted_at);
        self.deadline = deadline;
        self
    }
}

/// The counts of one row (a day or a month, a service, a channel). Added, never overwritten.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Counts {
    pub started: i64,
    pub submitted: i64,
    pub decided: i64,
    pub approved: i64,
    pub refused: i64,
    pub withdrawn: i64,
    pub abandoned: i64,
    /// Decided after their legal deadline.
    pub overdue: i64,
    /// Working days from submission to decision, summed over the decided.
    pub decision_days: i64,
    /// The legal deadlines (working days) of the decided, summed.
    pub deadline_days: i64,
    pub paid: i64,
    pub delivered: i64,
    pub opened: i64,
    pub ratings: i64,
    pub rating_sum: i64,
    /// Ratings of 4 or 5 ("satisfied" or "very satisfied").
    pub satisfied: i64,
}

/// The columns of [`Counts`], in the order of its fields (and of the tables).
pub const COUNT_COLUMNS: [&str; 16] = [
    "started",
    "submitted",
    "decided",
    "approved",
    "refused",
    "withdrawn",
    "abandoned",
    "overdue",
    "decision_days",
    "deadline_days",
    "paid",
    "delivered",
    "opened",
    "ratings",
    "rating_sum",
    "satisfied",
];

impl Counts {
    pub fn values(&self) -> [i64; 16] {
        [
            self.started,
            self.submitted,
            self.decided,
            self.approved,
            self.refused,
            self.withdrawn,
            self.abandoned,
            self.overdue,
            self.decision_days,
            self.deadline_days,
            self.paid,
            self.delivered,
            self.opened,
            self.ratings,
            self.rating_sum,
            self.satisfied,
        ]
    }

    pub fn from_values(v: [i64; 16]) -> Counts {
        Counts {
            started: v[0],
            submitted: v[1],
            decided: v[2],
            approved: v[3],
            refused: v[4],
            withdrawn: v[5],
            abandoned: v[6],
            overdue: v[7],
            decision_days: v[8],
            deadline_days: v[9],
            paid: v[10],
            delivered: v[11],
            opened: v[12],
            ratings: v[13],
            rating_sum: v[14],
            satisfied: v[15],
        }
    }

    pub fn add(&mut self, other: &Counts) {
        let mut v = self.values();
        for (a, b) in v.iter_mut().zip(other.values()) {
            *a += b;
        }
        *self = Counts::from_values(v);
    }
}

/// Which part of the platform a figure is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Platform,
    Administration(String),
    Service(String),
}

/// The figures an administration enters for one service and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub administration_id: String,
    pub service_id: String,
    /// `YYYY-MM`.
    pub month: String,
    pub counter_count: i64,
    pub post_count: i64,
    pub cost_minor: i64,
    pub currency: String,
}

/// One month's KPIs, each as defined in docs/insights.md. `None` when there is nothing to divide by.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Kpis {
    pub month: String,
    pub counts: Counts,
    pub counter: i64,
    pub post: i64,
    pub cost_minor: i64,
    /// Online submissions over all (online, counter, post), in per cent.
    pub take_up: Option<f64>,
    /// Submitted over started, in per cent.
    pub completion: Option<f64>,
    /// Working days to decision: the median and the 90th percentile.
    pub median_days: Option<i64>,
    pub p90_days: Option<i64>,
    /// The mean legal deadline of the decided, in working days.
    pub deadline_days: Option<f64>,
    /// Decided after the deadline over decided, in per cent.
    pub overdue_share: Option<f64>,
    /// Cost over every transaction (online, counter, post), in minor units.
    pub cost_per_transaction: Option<i64>,
    /// Satisfied (4 or 5 of 5) over all ratings, in per cent.
    pub satisfaction: Option<f64>,
    /// Results delivered to an eDelivery mailbox over decided, in per cent.
    pub no_paper: Option<f64>,
    /// Inquiries asked and those answered late or not yet answered past their deadline.
    pub inquiries: i64,
    pub inquiries_overdue: i64,
}

/// Where in the service a person gives feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Submitted,
    Result,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Submitted => "submitted",
            Stage::Result => "result",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        match s {
            "submitted" => Some(Stage::Submitted),
            "result" => Some(Stage::Result),
            _ => None,
        }
    }
}

/// One piece of feedback as the administration sees it: no account, only the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feedback {
    pub id: String,
    pub service_id: String,
    pub administration_id: String,
    pub stage: String,
    pub rating: i64,
    pub comment: Option<String>,
    /// `YYYY-MM`: the month it was given in (the day is kept for the counters and the purge,
    /// never shown).
    pub month: String,
    pub answer: Option<String>,
    pub hidden_reason: Option<String>,
}

/// An inquiry as the operator and the person who asked see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inquiry {
    pub id: String,
    pub reference: String,
    pub administration_id: String,
    pub service_id: Option<String>,
    pub application_ref: Option<String>,
    pub email: Option<String>,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    pub deadline: NaiveDate,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

impl Inquiry {
    /// Past its deadline and unanswered, or answered after it.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        match self.answered_at {
            Some(at) => portico_core::calendar::sofia_date(at) > self.deadline,
            None => today > self.deadline,
        }
    }
}
