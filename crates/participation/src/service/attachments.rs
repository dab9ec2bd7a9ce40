//! Photos (JPEG, PNG) and documents (PDF) that a proposal's author attaches while proposals are
//! taken. The type is read from the content, never from what the browser declared; a file that is
//! none of the three, too large, or one too many is refused before anything is stored. Images
//! need the alt text their author gives. Only the author adds or removes them; a withdrawn
//! proposal takes its attachments with it.

use super::{processes, Participation};
use crate::error::ParticipationError;
use crate::model::{Attachment, Phase};
use bytes::Bytes;
use portico_core::{new_id, Actor};

/// The most attachments a proposal has.
pub const MAX_ATTACHMENTS: usize = 8;
/// The largest file accepted, in bytes (5 MiB).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
const ALT_MAX: usize = 300;
const NAME_MAX: usize = 200;

/// What the author uploads.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Bytes,
    /// The image's text alternative (required for an image, ignored for a document).
    pub alt: String,
}

/// The type and kind of a file by its first bytes: JPEG, PNG or PDF, else None.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "image"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "image"))
    } else if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "document"))
    } else {
        None
    }
}

fn blobs(ctx: &Participation) -> Result<&portico_store::BlobStore, ParticipationError> {
    ctx.blobs
        .as_ref()
        .ok_or(ParticipationError::Refused("attachments_unavailable"))
}

/// The proposal's process id and author, if it is there.
async fn author_of(
    tx: &mut portico_store::Tx,
    proposal_id: &str,
) -> Result<(String, String), ParticipationError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT process_id, author_account_id FROM participation_proposals WHERE id = $1",
    )
    .bind(proposal_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.ok_or(ParticipationError::NotFound)
}

/// The author attaches a photo or a document to their proposal during the proposals phase.
pub async fn attach(
    ctx: &Participation,
    actor: &Actor,
    proposal_id: &str,
    upload: &Upload,
) -> Result<Attachment, ParticipationError> {
    let account = actor.account_id().ok_or(ParticipationError::Forbidden)?;
    let at = ctx.now();
    // Who and when first, so that somebody else's upload is refused before it is looked at.
    {
        let mut tx = ctx.db.begin().await?;
        let (process_id, author) = author_of(&mut tx, proposal_id).await?;
        if author != account {
            return Err(ParticipationError::Forbidden);
        }
        let process = processes::load(&mut tx, &process_id, at).await?;
        if process.phase != Phase::Proposals {
            return Err(ParticipationError::Refused("attachments_closed"));
        }
        tx.commit().await?;
    }
    if upload.bytes.is_empty() {
        return Err(ParticipationError::Invalid("attachment_missing"));
    }
    if upload.bytes.len() > MAX_BYTES {
        return Err(ParticipationError::Invalid("attachment_too_large"));
    }
    let (content_type, kind) =
        sniff(&upload.bytes).ok_or(ParticipationError::Invalid("attachment_type_invalid"))?;
    let alt = if kind == "image" {
        let alt = upload.alt.trim();
        if alt.is_empty() || alt.chars().count() > ALT_MAX {
            return Err(ParticipationError::Invalid("attachment_alt_missing"));
        }
        alt.to_owned()
    } else {
        String::new()
    };
    let file_name: String = upload
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_MAX)
        .collect();
    // A file posted without a name gets its kind's (its download adds the extension).
    let file_name = if file_name.is_empty() {
        kind.to_owned()
    } else {
        file_name
    };
    let size = i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX);
    // The bytes go to the content-addressed store before the row that names them; a row is
    // written only for a file that passed every check.
    let blob_key = blobs(ctx)?.put(upload.bytes.clone()).await?;
    let mut tx = ctx.db.begin().await?;
    // Again under the transaction: the proposal is still there, and still has room. Touching
    // its row first orders two uploads at once, so the limit holds for both.
    author_of(&mut tx, proposal_id).await?;
    sqlx::query("UPDATE participation_proposals SET supports = supports WHERE id = $1")
        .bind(proposal_id)
        .execute(&mut *tx)
        .await?;
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM participation_attachments WHERE proposal_id = $1")
            .bind(proposal_id)
            .fetch_one(&mut *tx)
            .await?;
    if count >= i64::try_from(MAX_ATTACHMENTS).unwrap_or(i64::MAX) {
        return Err(ParticipationError::Refused("attachments_full"));
    }
    let id = new_id().to_string();
    sqlx::query(
        "INSERT INTO participation_attachments (id, proposal_id, kind, content_type, file_name, alt, size, blob_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(proposal_id)
    .bind(kind)
    .bind(content_type)
    .bind(&file_name)
    .bind(&alt)
    .bind(size)
    .bind(&blob_key)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    super::proposals::history(
        &mut tx,
        proposal_id,
        at,
        actor,
        "attached",
        serde_json::json!({ "file_name": file_name, "kind": kind }),
    )
    .await?;
    tx.commit().await?;
    Ok(Attachment {
        url: format!("/participation/attachments/{id}"),
        id,
        proposal_id: proposal_id.to_owned(),
        kind: kind.to_owned(),
        content_type: content_type.to_owned(),
        file_name,
        alt,
        size,
        blob_key,
        created_at: at,
    })
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
);

const COLUMNS: &str =
    "id, proposal_id, kind, content_type, file_name, alt, size, blob_key, created_at";

fn from_row(r: Row) -> Attachment {
    Attachment {
        url: format!("/participation/attachments/{}", r.0),
        id: r.0,
        proposal_id: r.1,
        kind: r.2,
        content_type: r.3,
        file_name: r.4,
        alt: r.5,
        size: r.6,
        blob_key: r.7,
        created_at: r.8,
    }
}

/// A proposal's attachments, in the order they were added. Public, as proposals are.
pub async fn list(
    ctx: &Participation,
    proposal_id: &str,
) -> Result<Vec<Attachment>, ParticipationError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM participation_attachments WHERE proposal_id = $1 ORDER BY created_at, id"
    ))
    .bind(proposal_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// One attachment with its bytes, for its download.
pub async fn file(
    ctx: &Participation,
    id: &str,
) -> Result<(Attachment, Bytes), ParticipationError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM participation_attachments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ctx.db.pool())
    .await?;
    let a = from_row(row.ok_or(ParticipationError::NotFound)?);
    let bytes = blobs(ctx)?
        .get(&a.blob_key)
        .await?
        .ok_or(ParticipationError::NotFound)?;
    Ok((a, bytes))
}

/// The author removes an attachment of their proposal during the proposals phase.
pub async fn remove(
    ctx: &Participation,
    actor: &Actor,
    id: &str,
) -> Result<Attachment, ParticipationError> {
    let account = actor.account_id().ok_or(ParticipationError::Forbidden)?;
    let at = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM participation_attachments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let a = from_row(row.ok_or(ParticipationError::NotFound)?);
    let (process_id, author) = author_of(&mut tx, &a.proposal_id).await?;
    if author != account {
        return Err(ParticipationError::Forbidden);
    }
    let process = processes::load(&mut tx, &process_id, at).await?;
    if process.phase != Phase::Proposals {
        return Err(ParticipationError::Refused("attachments_closed"));
    }
    sqlx::query("DELETE FROM participation_attachments WHERE id = $1")
        .bind(&a.id)
        .execute(&mut *tx)
        .await?;
    super::proposals::history(
        &mut tx,
        &a.proposal_id,
        at,
        actor,
        "attachment_removed",
        serde_json::json!({ "file_name": a.file_name }),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn the_type_is_read_from_the_content() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]),
            Some(("image/jpeg", "image"))
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(("image/png", "image"))
        );
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(("application/pdf", "document")));
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b""), None);
    }
}
