//! The eDelivery block's types: mailboxes and their addresses, messages as sent and as read,
//! each recipient's state, and the evidence events of ETSI EN 319 522.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whose mailbox it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailboxKind {
    /// A person, by personal identifier (EGN or LNCh).
    Person,
    /// A company, by EIK/BULSTAT.
    Company,
    /// An administration, by its id.
    Administration,
    /// A unit of an administration, by its id.
    Unit,
}

impl MailboxKind {
    pub const ALL: [MailboxKind; 4] = [
        MailboxKind::Person,
        MailboxKind::Company,
        MailboxKind::Administration,
        MailboxKind::Unit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailboxKind::Person => "person",
            MailboxKind::Company => "company",
            MailboxKind::Administration => "administration",
            MailboxKind::Unit => "unit",
        }
    }

    pub fn parse(s: &str) -> Option<MailboxKind> {
        MailboxKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a message goes or comes from, as its sender names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Address {
    pub kind: MailboxKind,
    /// The personal identifier, the EIK, or the administration's or unit's id.
    pub identifier: String,
    /// For a unit: the administration it belongs to (who may read its mailbox).
    #[serde(default)]
    pub administration_id: Option<String>,
    /// The name to show for a mailbox seen for the first time (a person's name, a company's).
    #[serde(default)]
    pub display_name: Option<String>,
}

impl Address {
    pub fn person(personal_id: &str, display_name: Option<String>) -> Address {
        Address {
            kind: MailboxKind::Person,
            identifier: personal_id.to_owned(),
            administration_id: None,
            display_name,
        }
    }

    pub fn administration(id: &str, display_name: Option<String>) -> Address {
        Address {
            kind: MailboxKind::Administration,
            identifier: id.to_owned(),
            administration_id: Some(id.to_owned()),
            display_name,
        }
    }
}

/// A mailbox as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Mailbox {
    pub id: String,
    pub kind: MailboxKind,
    pub identifier: String,
    pub administration_id: Option<String>,
    pub display_name: String,
}

/// A file to attach, as posted.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    /// The media type the sender declared; the content must be of that type.
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// A message to send.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub sender: Address,
    pub recipients: Vec<Address>,
    pub subject: String,
    pub body: String,
    /// The service and application it belongs to, if any.
    pub service_id: Option<String>,
    pub application_id: Option<String>,
    pub attachments: Vec<NewAttachment>,
    /// The message this answers: the new one joins its thread.
    pub reply_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AttachmentInfo {
    pub position: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// One recipient's state: delivered to the mailbox, then opened, or not opened in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecipientState {
    pub mailbox: Mailbox,
    pub delivered_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub not_opened_at: Option<DateTime<Utc>>,
    /// For a company's mailbox: the person who opened it for the company (shown only to those
    /// who read that mailbox).
    pub opened_by: Option<String>,
}

impl RecipientState {
    /// `delivered`, `opened` or `not_opened`.
    pub fn status(&self) -> &'static str {
        if self.opened_at.is_some() {
            "opened"
        } else if self.not_opened_at.is_some() {
            "not_opened"
        } else {
            "delivered"
        }
    }
}

/// A message as its sender or a recipient reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Message {
    pub id: String,
    pub thread_id: String,
    pub reply_to: Option<String>,
    pub sender: Mailbox,
    pub subject: String,
    pub body: String,
    pub service_id: Option<String>,
    pub application_id: Option<String>,
    /// SHA-256 of the canonical content (`message.json`) that the evidence names.
    pub content_sha256: String,
    pub created_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentInfo>,
    pub recipients: Vec<RecipientState>,
    /// Sent from a company's mailbox: the person who sent it for the company (shown only to
    /// those who read that mailbox).
    pub sent_by: Option<String>,
    /// Answers to it from a company's mailbox that the reader reads: who answered for the
    /// company, and when.
    pub answered: Vec<Answered>,
}

/// An answer a person gave for a company.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Answered {
    pub message_id: String,
    /// The person who answered.
    pub by: String,
    /// The company's mailbox it was answered from.
    pub company: String,
    pub at: DateTime<Utc>,
}

/// A line of a mailbox's list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageSummary {
    pub id: String,
    pub subject: String,
    pub sender_name: String,
    pub delivered_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub application_id: Option<String>,
    /// In a company's mailbox: the person who opened it for the company.
    pub opened_by: Option<String>,
    /// In a company's mailbox: the person who last answered it for the company.
    pub answered_by: Option<String>,
}

/// The events of ETSI EN 319 522-2 that Portico gives evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum EvidenceEvent {
    /// The platform accepted the sender's submission.
    SubmissionAcceptance,
    /// The platform refused the sender's submission (nothing was stored).
    SubmissionRejection,
    /// The message was put in the recipient's mailbox (delivered).
    ContentConsignment,
    /// The recipient opened (retrieved) the message.
    ContentHandover,
    /// The recipient did not open it within the sender's policy period.
    ContentNonHandover,
}

impl EvidenceEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceEvent::SubmissionAcceptance => "SubmissionAcceptance",
            EvidenceEvent::SubmissionRejection => "SubmissionRejection",
            EvidenceEvent::ContentConsignment => "ContentConsignment",
            EvidenceEvent::ContentHandover => "ContentHandover",
            EvidenceEvent::ContentNonHandover => "ContentNonHandover",
        }
    }
}

/// One piece of a message's evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub seq: i64,
    pub event: String,
    pub mailbox_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The compact JWS.
    pub jws: String,
}

/// What a send returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Sent {
    pub message_id: String,
    pub thread_id: String,
    pub content_sha256: String,
}
