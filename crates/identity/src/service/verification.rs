//! Verification at a counter: an identity verifier of an administration checks a person's
//! identity document in person and marks the account's identifier as verified (`Substantial`).
//! The document's number is kept only as a keyed hash; the check is audited, and the person sees
//! when, where and by which role it was done.

use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, Assurance, Pseudonymiser, Role};
use portico_store::{Db, Tx};

/// The documents a verifier may check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    IdentityCard,
    Passport,
    ResidencePermit,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::IdentityCard,
        DocumentKind::Passport,
        DocumentKind::ResidencePermit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::IdentityCard => "identity_card",
            DocumentKind::Passport => "passport",
            DocumentKind::ResidencePermit => "residence_permit",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A check done at a counter, as the person sees it: when, where, by which role (never by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub at: DateTime<Utc>,
    pub administration_id: String,
    pub document_kind: String,
    pub level: Assurance,
}

/// A document number as typed at the counter, compacted and upper-cased, then keyed-hashed: the
/// same document gives the same hash, and the number cannot be read back from the database.
pub fn document_hash(pseudonymiser: &Pseudonymiser, kind: DocumentKind, number: &str) -> String {
    let compact: String = number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    pseudonymiser.pseudonym(&format!("document:{}:{compact}", kind.as_str()))
}

/// Marks `account_id`'s identifier as verified after checking `document_number` in person. Only
/// an identity verifier of `administration_id` may; the account must be a person's account with a
/// personal identifier. Audited as `identity.verified_at_counter` with the document's kind (the
/// number only as its hash).
#[allow(clippy::too_many_arguments)]
pub async fn verify_at_counter(
    tx: &mut Tx,
    verifier: &Actor,
    administration_id: &str,
    account_id: &str,
    kind: DocumentKind,
    document_number: &str,
    pseudonymiser: &Pseudonymiser,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    let Some(verifier_id) = verifier.account_id() else {
        return Err(IdentityError::Forbidden);
    };
    if !verifier.has_role(administration_id, Role::IdentityVerifier) {
        return Err(IdentityError::Forbidden);
    }
    let number = document_number.trim();
    if number.is_empty() || number.chars().count() > 40 {
        return Err(IdentityError::field(
            "document_number",
            "document_number.invalid",
        ));
    }
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT personal_id FROM accounts WHERE id = $1 AND kind = 'citizen' AND disabled_at IS NULL",
    )
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    if !matches!(row, Some((Some(_),))) {
        return Err(IdentityError::NotFound);
    }
    let hash = document_hash(pseudonymiser, kind, number);
    let level = Assurance::Substantial;
    sqlx::query(
        "INSERT INTO identity_verifications (id, account_id, verifier_id, administration_id, document_kind, document_hash, level, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(account_id)
    .bind(verifier_id)
    .bind(administration_id)
    .bind(kind.as_str())
    .bind(&hash)
    .bind(level.as_str())
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    // Raise, never lower: an identifier already proven higher (e.g. by a certificate) stays so.
    sqlx::query(
        "UPDATE accounts SET identity_assurance = $1 WHERE id = $2 AND identity_assurance = 'low'",
    )
    .bind(level.as_str())
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    let mut event = Event::new(
        &verifier.audit_id(),
        "identity.verified_at_counter",
        account_id,
    );
    event.administration_id = Some(administration_id.to_owned());
    event.details = serde_json::json!({
        "document_kind": kind.as_str(),
        "document_hash": hash,
        "level": level.as_str(),
    });
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

/// Someone registered with a personal number that is not theirs: at the counter, the number's
/// real owner shows their document, and the verifier removes the number from that account, where
/// it was only claimed (never from a verified one). The number is then free for its owner to
/// register and have verified; whatever was addressed to it (consents) no longer reaches the
/// other account. Audited as `identity.claim_released`.
pub async fn release_claim(
    tx: &mut Tx,
    verifier: &Actor,
    administration_id: &str,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    if verifier.account_id().is_none()
        || !verifier.has_role(administration_id, Role::IdentityVerifier)
    {
        return Err(IdentityError::Forbidden);
    }
    let done = sqlx::query(
        "UPDATE accounts SET personal_id = NULL, personal_id_kind = NULL
         WHERE id = $1 AND kind = 'citizen' AND identity_assurance = 'low' AND personal_id IS NOT NULL",
    )
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(IdentityError::NotFound);
    }
    // Its sessions end: whoever holds the account signs in again, without the number.
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    let mut event = Event::new(&verifier.audit_id(), "identity.claim_released", account_id);
    event.administration_id = Some(administration_id.to_owned());
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

/// How well the account's identifier is proven.
pub async fn identity_level(db: &Db, account_id: &str) -> Result<Assurance, IdentityError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT identity_assurance FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row
        .map(|(level,)| Assurance::from_stored(&level))
        .unwrap_or(Assurance::Low))
}

/// The checks done for an account, newest first.
pub async fn list_for(db: &Db, account_id: &str) -> Result<Vec<Verification>, IdentityError> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT created_at, administration_id, document_kind, level FROM identity_verifications
         WHERE account_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(at, administration_id, document_kind, level)| Verification {
                at: from_millis(at),
                administration_id,
                document_kind,
                level: Assurance::from_stored(&level),
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_number_is_hashed_the_same_however_it_is_typed() {
        let p = Pseudonymiser::new(b"k".to_vec());
        let a = document_hash(&p, DocumentKind::IdentityCard, "ab 123-456");
        assert_eq!(a, document_hash(&p, DocumentKind::IdentityCard, "AB123456"));
        assert_ne!(a, document_hash(&p, DocumentKind::Passport, "AB123456"));
        assert!(!a.contains("123456"));
    }
}
