//! Who may read a mailbox and send from it. Every use case asks here; to anyone who may not
//! read a message it does not exist ("not found"), so ids cannot be probed.
//!
//! - a person reads the mailbox of their own personal identifier (as their account holds it;
//!   reading needs a session of substantial assurance, so a merely claimed identifier reads
//!   nothing);
//! - staff read the mailboxes of the administrations (whole-administration roles) and units
//!   (roles in that unit) they work in, and send from them;
//! - an institution's API client with the `delivery` scope reads and sends for its
//!   administration and every unit of it;
//! - a company's mailbox is read by those who represent it, once mandates exist in identity:
//!   until then nobody reads it (messages wait there).

use crate::model::{Address, Mailbox, MailboxKind};
use crate::DeliveryError;
use portico_core::{Actor, Assurance};
use portico_store::Db;

/// The API scope an institution's client needs for its administration's mailboxes.
pub const SCOPE: &str = "delivery";

/// The level of assurance reading an official mailbox needs.
pub const READ_ASSURANCE: Assurance = Assurance::Substantial;

/// What an actor may read, worked out once per request.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    /// The person's own identifier, for their personal mailbox.
    pub personal_id: Option<String>,
    /// (administration, unit) pairs: `None` for the whole administration.
    pub scopes: Vec<(String, Option<String>)>,
    /// The companies (EIK) the person represents: a company mandate for every service in force
    /// (identity's `mandates`, recorded by an administration admin), asked on every read.
    pub companies: Vec<String>,
}

impl Reader {
    pub fn may_read(&self, mailbox: &Mailbox) -> bool {
        match mailbox.kind {
            MailboxKind::Person => self.personal_id.as_deref() == Some(mailbox.identifier.as_str()),
            MailboxKind::Company => self.companies.contains(&mailbox.identifier),
            MailboxKind::Administration => self
                .scopes
                .iter()
                .any(|(a, unit)| *a == mailbox.identifier && unit.is_none()),
            MailboxKind::Unit => self.scopes.iter().any(|(a, unit)| {
                Some(a.as_str()) == mailbox.administration_id.as_deref()
                    && (unit.is_none() || unit.as_deref() == Some(mailbox.identifier.as_str()))
            }),
        }
    }

    pub fn is_nobody(&self) -> bool {
        self.personal_id.is_none() && self.scopes.is_empty() && self.companies.is_empty()
    }
}

/// What the actor may read. Refuses a person whose session is below [`READ_ASSURANCE`].
pub async fn reader(
    db: &Db,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Reader, DeliveryError> {
    actor.require(READ_ASSURANCE)?;
    Ok(match actor {
        Actor::Person(p) => {
            let personal_id = portico_identity::service::accounts::get(db, &p.account_id)
                .await?
                .and_then(|a| a.personal_id)
                .map(|id| id.value().to_owned());
            let companies = portico_identity::service::mandates::held(db, &p.account_id, now)
                .await?
                .into_iter()
                .filter(|m| m.services == portico_identity::service::mandates::Services::All)
                .filter_map(|m| m.company_eik)
                .collect();
            Reader {
                personal_id,
                scopes: actor.work_scopes(SCOPE),
                companies,
            }
        }
        Actor::ApiClient(_) => Reader {
            personal_id: None,
            scopes: actor.work_scopes(SCOPE),
            companies: Vec::new(),
        },
        Actor::System(_) => Reader::default(),
    })
}

/// May the actor send from this (normalised) address? Staff and API clients send for any
/// administration or unit they work in; the platform sends for administrations; a person
/// sends (replies) only from their own mailbox.
pub async fn may_send_as(
    db: &Db,
    actor: &Actor,
    from: &Address,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DeliveryError> {
    let administration = from.administration_id.as_deref();
    match (actor, from.kind) {
        (Actor::System(_), MailboxKind::Administration | MailboxKind::Unit) => Ok(true),
        (Actor::System(_), _) => Ok(false),
        (_, MailboxKind::Person) => {
            let r = reader(db, actor, now).await?;
            Ok(r.personal_id.as_deref() == Some(from.identifier.as_str()))
        }
        // A company's representative replies for it.
        (Actor::Person(_), MailboxKind::Company) => Ok(reader(db, actor, now)
            .await?
            .companies
            .contains(&from.identifier)),
        (_, MailboxKind::Company) => Ok(false),
        (_, MailboxKind::Administration) => Ok(actor
            .work_scopes(SCOPE)
            .iter()
            .any(|(a, _)| Some(a.as_str()) == administration)),
        (_, MailboxKind::Unit) => Ok(actor.work_scopes(SCOPE).iter().any(|(a, unit)| {
            Some(a.as_str()) == administration
                && (unit.is_none() || unit.as_deref() == Some(from.identifier.as_str()))
        })),
    }
}
