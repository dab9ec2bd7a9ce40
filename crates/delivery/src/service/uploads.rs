//! Attachments that arrive as a stream (the API's `…/messages/multipart`): each is checked on
//! its content, hashed and sealed segment by segment as its bytes come, and written to the blob
//! store in parts, so a file of up to [`super::Policy::max_streamed_attachment_bytes`] is never
//! held whole. A file found wrong stops at once and leaves nothing stored.

use super::attachments::{self, ContentCheck};
use super::messages::Draft;
use super::segments::Sealer;
use super::Delivery;
use crate::model::AttachmentInfo;
use crate::DeliveryError;
use portico_core::FieldError;
use portico_store::blobs::BlobWriter;
use sha2::{Digest, Sha256};

/// One attachment being received.
pub struct Upload {
    position: i64,
    file_name: String,
    media_type: String,
    check: ContentCheck,
    sealer: Sealer,
    writer: BlobWriter,
    hasher: Sha256,
    size: u64,
    limit: u64,
}

fn refused(code: &str) -> DeliveryError {
    DeliveryError::Invalid(vec![FieldError::new("attachments", code)])
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("position", &self.position)
            .field("media_type", &self.media_type)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Draft {
    /// Starts receiving the next attachment: its name and declared type are checked now, its
    /// content as it comes ([`Upload::write`]).
    pub async fn upload(
        &self,
        d: &Delivery,
        file_name: &str,
        media_type: &str,
    ) -> Result<Upload, DeliveryError> {
        if self.attachments.len() >= d.policy.max_attachments {
            return Err(refused("delivery.attachment.too_many"));
        }
        if let Some(code) = attachments::check_label(file_name, media_type) {
            return Err(refused(code));
        }
        let (position, place) = self.next_place();
        Ok(Upload {
            position,
            file_name: file_name.trim().to_owned(),
            media_type: media_type.trim().to_owned(),
            check: ContentCheck::new(&attachments::essence(media_type)),
            sealer: Sealer::new(&self.key, &place),
            writer: d.blobs.writer().await?,
            hasher: Sha256::new(),
            size: 0,
            limit: d.policy.max_streamed_attachment_bytes,
        })
    }

    /// Keeps a received attachment as the message's next one.
    pub fn add_upload(&mut self, done: Uploaded) {
        self.add(done.info, done.blob);
    }
}

/// A received attachment, stored sealed: its description and its blob's key.
#[derive(Debug)]
pub struct Uploaded {
    pub info: AttachmentInfo,
    blob: String,
}

impl Upload {
    /// Takes the next piece of the file. Over the limit (413) or found not of its type (422),
    /// the caller [`abort`](Upload::abort)s.
    pub async fn write(&mut self, piece: &[u8]) -> Result<(), DeliveryError> {
        self.size += piece.len() as u64;
        if self.size > self.limit {
            return Err(DeliveryError::TooLarge(vec![FieldError::new(
                "attachments",
                "delivery.attachment.too_large",
            )]));
        }
        if !self.check.feed(piece) {
            return Err(refused("delivery.attachment.mislabelled"));
        }
        self.hasher.update(piece);
        let sealed = self.sealer.update(piece)?;
        if !sealed.is_empty() {
            self.writer.write(&sealed).await?;
        }
        Ok(())
    }

    /// The file has ended: checks it whole (not empty, not cut inside its type's start or a
    /// character), seals its last segment and stores it under its key. A refused file is not
    /// stored.
    pub async fn finish(mut self) -> Result<Uploaded, DeliveryError> {
        let problem = if self.size == 0 {
            Some("delivery.attachment.empty")
        } else if !self.check.finish() {
            Some("delivery.attachment.mislabelled")
        } else {
            None
        };
        if let Some(code) = problem {
            self.abort().await;
            return Err(refused(code));
        }
        let last = self.sealer.finish()?;
        self.writer.write(&last).await?;
        let blob = self.writer.finish().await?;
        Ok(Uploaded {
            info: AttachmentInfo {
                position: self.position,
                file_name: self.file_name,
                media_type: self.media_type,
                size: i64::try_from(self.size).unwrap_or(i64::MAX),
                sha256: hex::encode(self.hasher.finalize()),
            },
            blob,
        })
    }

    /// Gives the file up: nothing of it stays stored.
    pub async fn abort(self) {
        if let Err(e) = self.writer.abort().await {
            tracing::warn!(error = %e, "a refused upload could not be removed from the blob store");
        }
    }
}
