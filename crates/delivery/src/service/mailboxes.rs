//! Mailboxes: found by what they are addressed by (a personal identifier, an EIK, an
//! administration's or unit's id), made on first use. A message to a person who has no account
//! yet makes their mailbox; they find it when they first sign in with that identifier.

use crate::model::{Address, Mailbox, MailboxKind};
use crate::DeliveryError;
use chrono::{DateTime, Utc};
use portico_core::clock::to_millis;
use portico_core::{new_id, Eik, FieldError, PersonalId};
use portico_store::{Db, Tx};

type MailboxRow = (String, String, String, Option<String>, String);
const COLUMNS: &str = "id, kind, identifier, administration_id, display_name";

fn from_row((id, kind, identifier, administration_id, display_name): MailboxRow) -> Mailbox {
    Mailbox {
        id,
        // Only this module writes `kind`, always from a MailboxKind.
        kind: MailboxKind::parse(&kind).unwrap_or(MailboxKind::Person),
        identifier,
        administration_id,
        display_name,
    }
}

/// The address with its identifier checked and written the one way it is stored (an EGN or
/// LNCh with its checksum, an EIK with its check digits, a unit with its administration).
pub fn normalise(address: &Address) -> Result<Address, FieldError> {
    let mut out = address.clone();
    let raw: String = address
        .identifier
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    out.identifier = match address.kind {
        MailboxKind::Person => PersonalId::parse_egn(&raw)
            .or_else(|_| PersonalId::parse_lnch(&raw))
            .map(|id| id.value().to_owned())
            .map_err(|_| FieldError::new("recipient", "delivery.recipient.bad_personal_id"))?,
        MailboxKind::Company => Eik::parse(&raw)
            .map(|eik| eik.as_str().to_owned())
            .map_err(|_| FieldError::new("recipient", "delivery.recipient.bad_eik"))?,
        MailboxKind::Administration => {
            out.administration_id = Some(raw.clone());
            raw
        }
        MailboxKind::Unit if address.administration_id.is_some() => raw,
        MailboxKind::Unit => {
            return Err(FieldError::new("recipient", "delivery.recipient.unknown"));
        }
    };
    if out.identifier.is_empty() {
        return Err(FieldError::new("recipient", "delivery.recipient.unknown"));
    }
    Ok(out)
}

/// The mailbox at this (normalised) address, made now if it does not exist yet.
pub async fn ensure(
    tx: &mut Tx,
    address: &Address,
    now: DateTime<Utc>,
) -> Result<Mailbox, DeliveryError> {
    sqlx::query(
        "INSERT INTO delivery_mailboxes (id, kind, identifier, administration_id, display_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, identifier) DO NOTHING",
    )
    .bind(new_id())
    .bind(address.kind.as_str())
    .bind(&address.identifier)
    .bind(&address.administration_id)
    .bind(address.display_name.clone().unwrap_or_default())
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let sql =
        format!("SELECT {COLUMNS} FROM delivery_mailboxes WHERE kind = $1 AND identifier = $2");
    let row: MailboxRow = sqlx::query_as(&sql)
        .bind(address.kind.as_str())
        .bind(&address.identifier)
        .fetch_one(&mut **tx)
        .await?;
    let mailbox = from_row(row);
    // A name learnt later (a person first addressed by identifier alone) is kept.
    if mailbox.display_name.is_empty() {
        if let Some(name) = address.display_name.as_deref().filter(|n| !n.is_empty()) {
            sqlx::query("UPDATE delivery_mailboxes SET display_name = $1 WHERE id = $2")
                .bind(name)
                .bind(&mailbox.id)
                .execute(&mut **tx)
                .await?;
            return Ok(Mailbox {
                display_name: name.to_owned(),
                ..mailbox
            });
        }
    }
    Ok(mailbox)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Mailbox>, DeliveryError> {
    let sql = format!("SELECT {COLUMNS} FROM delivery_mailboxes WHERE id = $1");
    let row: Option<MailboxRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(from_row))
}

pub async fn find(
    db: &Db,
    kind: MailboxKind,
    identifier: &str,
) -> Result<Option<Mailbox>, DeliveryError> {
    let sql =
        format!("SELECT {COLUMNS} FROM delivery_mailboxes WHERE kind = $1 AND identifier = $2");
    let row: Option<MailboxRow> = sqlx::query_as(&sql)
        .bind(kind.as_str())
        .bind(identifier)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(from_row))
}

/// Every mailbox of an administration and its units.
pub async fn of_administration(
    db: &Db,
    administration_id: &str,
) -> Result<Vec<Mailbox>, DeliveryError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM delivery_mailboxes WHERE administration_id = $1 ORDER BY kind, display_name"
    );
    let rows: Vec<MailboxRow> = sqlx::query_as(&sql)
        .bind(administration_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The name to show for a mailbox: its own, or what it is addressed by.
pub fn shown_name(mailbox: &Mailbox) -> String {
    if mailbox.display_name.is_empty() {
        mailbox.identifier.clone()
    } else {
        mailbox.display_name.clone()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn identifiers_are_checked_and_normalised() {
        let person = normalise(&Address::person(" 7523169263 ", None)).unwrap();
        assert_eq!(person.identifier, "7523169263");
        assert_eq!(
            normalise(&Address::person("7523169264", None))
                .unwrap_err()
                .code,
            "delivery.recipient.bad_personal_id"
        );
        let company = Address {
            kind: MailboxKind::Company,
            identifier: "000696327".into(),
            administration_id: None,
            display_name: None,
        };
        assert_eq!(normalise(&company).unwrap().identifier, "000696327");
        let bad = Address {
            identifier: "000696328".into(),
            ..company
        };
        assert_eq!(
            normalise(&bad).unwrap_err().code,
            "delivery.recipient.bad_eik"
        );
        let adm = normalise(&Address::administration("sofia", None)).unwrap();
        assert_eq!(adm.administration_id.as_deref(), Some("sofia"));
    }
}
