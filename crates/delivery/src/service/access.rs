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
//! - a company's mailbox is read by those who act for it: its representatives and the people it
//!   authorised, by a company mandate in force (identity's `mandates`) covering every service
//!   or eDelivery ([`MANDATE_SERVICE`]), asked on every read, so one revoked or expired stops at
//!   once; until someone holds one, nobody reads it (messages wait there).

use crate::model::{Address, Mailbox, MailboxKind};
use crate::DeliveryError;
use portico_core::{Actor, Assurance};
use portico_store::Db;

/// The API scope an institution's client needs for its administration's mailboxes.
pub const SCOPE: &str = "delivery";

/// The service a mandate names to cover a company's eDelivery mailbox (the catalog's code of the
/// eDelivery channel); a mandate for every service covers it too.
pub const MANDATE_SERVICE: &str = "edelivery";

/// The level of assurance reading an official mailbox needs.
pub const READ_ASSURANCE: Assurance = Assurance::Substantial;

/// What an actor may read, worked out once per request.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    /// The person's own identifier, for their personal mailbox.
    pub personal_id: Option<String>,
    /// (administration, unit) pairs: `None` for the whole administration.
    pub scopes: Vec<(String, Option<String>)>,
    /// The companies (EIK) the person acts for: a company mandate in force covering every
    /// service or eDelivery (identity's `mandates`), asked on every read.
    pub companies: Vec<String>,
    /// The person's name as their account holds it, recorded when they act for a company.
    pub name: Option<String>,
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
            let account = portico_identity::service::accounts::get(db, &p.account_id).await?;
            let name = account.as_ref().map(|a| a.display_name());
            let personal_id = account
                .and_then(|a| a.personal_id)
                .map(|id| id.value().to_owned());
            let companies = portico_identity::service::mandates::held(db, &p.account_id, now)
                .await?
                .into_iter()
                .filter(|m| m.services.covers(MANDATE_SERVICE))
                .filter_map(|m| m.company_eik)
                .collect();
            Reader {
                personal_id,
                scopes: actor.work_scopes(SCOPE),
                companies,
                name,
            }
        }
        Actor::ApiClient(_) => Reader {
            personal_id: None,
            scopes: actor.work_scopes(SCOPE),
            companies: Vec::new(),
            name: None,
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
        // Who acts for a company (a representative, someone it authorised) replies for it.
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
