//! Reading the file of a multipart form (the pages' and the CKAN API's `resource_create`): held
//! whole up to the ordinary limit ([`MAX_UPLOAD_BYTES`]) and checked as before; a CSV, JSON or
//! GeoJSON file beyond it is streamed to the blob store and checked as it comes
//! ([`loads::Receiving`]), never whole.

use crate::error::OpenDataError;
use crate::service::files::Format;
use crate::service::loads::{Receiving, Stored};
use crate::service::{OpenData, MAX_UPLOAD_BYTES};
use axum::extract::multipart::Field;

/// A form's file, as read.
#[derive(Debug)]
pub enum Received {
    /// Its name and bytes, at most [`MAX_UPLOAD_BYTES`] (none: an empty file, or no file chosen).
    Small(String, bytes::Bytes),
    /// Its name and where it was stored, with what its check found.
    Large(String, Stored),
}

fn cut_off() -> OpenDataError {
    OpenDataError::invalid("upload", "upload.too_large_streamed")
}

/// Reads the file of `field`; `format` is the one the publisher named, if any. A file over
/// [`MAX_UPLOAD_BYTES`] is streamed only when `may_stream` (the caller was checked before it:
/// a page's CSRF token came first); otherwise it is refused as forbidden.
pub async fn receive(
    ctx: &OpenData,
    mut field: Field<'_>,
    format: Option<&str>,
    may_stream: bool,
) -> Result<Received, OpenDataError> {
    let file_name = field.file_name().unwrap_or("").to_owned();
    let mut held = bytes::BytesMut::new();
    let over = loop {
        match field.chunk().await.map_err(|_| cut_off())? {
            None => return Ok(Received::Small(file_name, held.freeze())),
            Some(piece) if held.len() + piece.len() <= MAX_UPLOAD_BYTES => {
                held.extend_from_slice(&piece);
            }
            Some(piece) => break piece,
        }
    };
    let format = match Format::detect(format, &file_name) {
        Some(f @ (Format::Csv | Format::Json | Format::GeoJson)) => f,
        _ => {
            return Err(drained(field, OpenDataError::invalid("upload", "upload.too_large")).await)
        }
    };
    if !may_stream {
        return Err(drained(field, OpenDataError::Forbidden).await);
    }
    let mut receiving = Receiving::start(ctx, format).await?;
    let mut piece = Some(held.freeze());
    let mut then = Some(over);
    loop {
        let this = match piece.take().or_else(|| then.take()) {
            Some(p) => p,
            None => match field.chunk().await {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(_) => {
                    receiving.abort().await;
                    return Err(cut_off());
                }
            },
        };
        if let Err(e) = receiving.write(this).await {
            receiving.abort().await;
            return Err(drained(field, e).await);
        }
    }
    Ok(Received::Large(file_name, receiving.finish().await?))
}

/// Reads the rest of a refused file and throws it away, then gives `e`: a client still sending
/// would otherwise meet a closed connection instead of the answer that says what is wrong
/// (the route's body limit bounds what is read).
async fn drained(mut field: Field<'_>, e: OpenDataError) -> OpenDataError {
    while let Ok(Some(_)) = field.chunk().await {}
    e
}
