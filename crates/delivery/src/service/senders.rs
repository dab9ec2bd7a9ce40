//! The mailboxes a member of staff may send from: those of the administrations (whole-
//! administration roles) and units (roles in that unit) they work in, as
//! [`super::access::may_send_as`] allows. The office's send page offers these.

use super::access;
use crate::model::{Address, MailboxKind};
use crate::DeliveryError;
use portico_core::Actor;
use portico_store::Db;

/// One mailbox to send from: its address and its name in each language.
#[derive(Debug, Clone)]
pub struct Sender {
    /// What the page's form sends back: `administration:<id>` or `unit:<administration>:<unit>`.
    pub key: String,
    pub address: Address,
    pub name_bg: String,
    pub name_en: String,
}

/// Every mailbox the actor may send from as staff (none for a person without a role), in the
/// order of their roles, an administration before its units.
pub async fn of(db: &Db, actor: &Actor) -> Result<Vec<Sender>, DeliveryError> {
    let mut out: Vec<Sender> = Vec::new();
    for (administration_id, unit) in actor.work_scopes(access::SCOPE) {
        let Some(administration) =
            portico_identity::service::administrations::get(db, &administration_id).await?
        else {
            continue;
        };
        let units =
            portico_identity::service::administrations::list_units(db, &administration.id).await?;
        let mut push = |s: Sender| {
            if !out.iter().any(|o| o.key == s.key) {
                out.push(s);
            }
        };
        if unit.is_none() {
            push(Sender {
                key: format!("administration:{}", administration.id),
                address: Address::administration(
                    &administration.id,
                    Some(administration.name_bg.clone()),
                ),
                name_bg: administration.name_bg.clone(),
                name_en: administration.name_en.clone(),
            });
        }
        for u in units
            .iter()
            .filter(|u| unit.is_none() || unit.as_deref() == Some(u.id.as_str()))
        {
            push(Sender {
                key: format!("unit:{}:{}", administration.id, u.id),
                address: Address {
                    kind: MailboxKind::Unit,
                    identifier: u.id.clone(),
                    administration_id: Some(administration.id.clone()),
                    display_name: Some(format!("{} — {}", administration.name_bg, u.name_bg)),
                },
                name_bg: format!("{} — {}", administration.name_bg, u.name_bg),
                name_en: format!("{} — {}", administration.name_en, u.name_en),
            });
        }
    }
    Ok(out)
}
