//! Export of a mailbox, or of one thread, as a ZIP (the `zip` crate) that anyone can check
//! whole offline with `portico evidence verify export.zip`.
//!
//! Inside:
//!
//! ```text
//! manifest.json                      what is in the ZIP: every file with its SHA-256 and size
//! manifest.jws                       the platform's JWS naming manifest.json's SHA-256
//! messages/<id>/message.json         each message's canonical content (its evidence names it)
//! messages/<id>/evidence.jws         its evidence chain, one JWS a line
//! messages/<id>/attachments/<n>-<file name>
//! ```
//!
//! [`verify`] checks the manifest's signature and certificate chain, that every file is listed
//! with its hash and none is missing or added, each message's evidence chain (signatures, no
//! gaps, each naming the one before), that the chain names that message.json's SHA-256, and
//! that each attachment is the one message.json names. A changed byte anywhere fails.
//!
//! Exporting reads the messages as the actor may (the owner's mailbox, or a thread they see,
//! grants included); it is audited (`delivery.exported`) and is not the recipient's retrieval.
//! At most [`MAX_MESSAGES`] messages, and at most [`super::Policy::max_export_bytes`] of files
//! (refused before anything is written). Only the small files (each `message.json`, each chain)
//! are held in memory: the manifest names each attachment by the size and SHA-256 its row keeps,
//! and the ZIP is written by the `zip` crate's streaming writer (data descriptors, no seeking)
//! as it is sent, with each attachment copied in as it opens ([`Export::into_stream`]).

use super::{evidence, mailboxes, messages, Delivery};
use crate::model::Mailbox;
use crate::DeliveryError;
use chrono::{DateTime, SecondsFormat, Utc};
use portico_core::Actor;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

/// The most messages one export holds.
pub const MAX_MESSAGES: usize = 5_000;
pub const MANIFEST: &str = "manifest.json";
pub const MANIFEST_JWS: &str = "manifest.jws";
const TYPE: &str = "portico.delivery.export";
const SIGNED_TYPE: &str = "portico.delivery.export_manifest";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(rename = "type")]
    pub kind: String,
    /// `mailbox` or `thread`.
    pub scope: String,
    /// The exported mailbox (for a mailbox), by kind and identifier.
    pub mailbox: Option<MailboxRef>,
    /// The exported thread (for a thread).
    pub thread: Option<String>,
    pub exported_at: String,
    pub messages: Vec<MessageEntry>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailboxRef {
    pub kind: String,
    pub identifier: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageEntry {
    pub id: String,
    pub thread: String,
    pub subject: String,
    pub sent_at: String,
    pub content: String,
    pub content_sha256: String,
    pub evidence: String,
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file name safe inside a ZIP: no folders, no control characters.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c| c == '.' || c == ' ');
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed.chars().take(120).collect()
    }
}

/// What a file of the ZIP holds: bytes already read, or an attachment read when it is written.
enum Source {
    Bytes(Vec<u8>),
    Attachment(String, crate::model::AttachmentInfo),
}

struct Builder {
    files: Vec<(String, Source)>,
    messages: Vec<MessageEntry>,
}

/// An export being made, ready to be sent: its bytes come as the ZIP is written (a writer on a
/// blocking thread with data descriptors after each file, so nothing needs to seek back), through
/// a small bounded channel: a slow download slows the writing, and a download broken off stops
/// it. Nothing is written to disk.
#[derive(Debug)]
pub struct Export {
    pieces: tokio::sync::mpsc::Receiver<Result<bytes::Bytes, DeliveryError>>,
}

/// How many pieces of [`PIECE_BYTES`] may wait between the writer and the download.
const PIECES_IN_FLIGHT: usize = 4;
/// The size of the pieces the ZIP is sent in.
const PIECE_BYTES: usize = 64 * 1024;

impl Export {
    /// The ZIP in pieces of about 64 KiB, as it is written. A file that stops opening half-way
    /// ends the stream with its error (the download is cut short, which the client notices: the
    /// ZIP has no end).
    pub fn into_stream(self) -> messages::ByteStream {
        use futures::StreamExt;
        futures::stream::unfold(self.pieces, |mut pieces| async move {
            pieces.recv().await.map(|piece| (piece, pieces))
        })
        .boxed()
    }

    /// The ZIP whole (tests and tools).
    pub async fn into_bytes(self) -> Result<Vec<u8>, DeliveryError> {
        use futures::StreamExt;
        let mut out = Vec::new();
        let mut stream = self.into_stream();
        while let Some(piece) = stream.next().await {
            out.extend_from_slice(&piece?);
        }
        Ok(out)
    }
}

/// What the ZIP writer writes to: pieces of [`PIECE_BYTES`] sent to the download as they fill
/// (and at each `flush`). When the download is gone, writing fails and the writer stops.
struct Pipe {
    pieces: tokio::sync::mpsc::Sender<Result<bytes::Bytes, DeliveryError>>,
    buffer: Vec<u8>,
}

impl Pipe {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buffer, Vec::with_capacity(PIECE_BYTES));
        self.pieces
            .blocking_send(Ok(piece.into()))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "download ended"))
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = PIECE_BYTES - self.buffer.len();
        let n = buf.len().min(room);
        self.buffer.extend_from_slice(&buf[..n]);
        if self.buffer.len() >= PIECE_BYTES {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The sum of the files' sizes, as the manifest will list them.
fn total_size(files: &[(String, Source)]) -> u64 {
    files
        .iter()
        .map(|(_, source)| match source {
            Source::Bytes(bytes) => bytes.len() as u64,
            Source::Attachment(_, info) => u64::try_from(info.size).unwrap_or(0),
        })
        .sum()
}

/// The export would hold more than the policy allows: refused before anything is written.
fn too_large() -> DeliveryError {
    DeliveryError::TooLarge(vec![portico_core::FieldError::new(
        "export",
        "delivery.export.too_large",
    )])
}

impl Builder {
    async fn add(
        &mut self,
        d: &Delivery,
        message: &crate::model::Message,
    ) -> Result<(), DeliveryError> {
        let base = format!("messages/{}", message.id);
        let content = messages::content_bytes(d, message).await?;
        let chain = evidence::chain_file(&evidence::stored(&d.db, &message.id).await?);
        let mut attachments = Vec::new();
        for a in &message.attachments {
            let path = format!(
                "{base}/attachments/{}-{}",
                a.position,
                safe_name(&a.file_name)
            );
            self.files.push((
                path.clone(),
                Source::Attachment(message.id.clone(), a.clone()),
            ));
            attachments.push(path);
        }
        self.messages.push(MessageEntry {
            id: message.id.clone(),
            thread: message.thread_id.clone(),
            subject: message.subject.clone(),
            sent_at: message
                .created_at
                .to_rfc3339_opts(SecondsFormat::Millis, true),
            content: format!("{base}/message.json"),
            content_sha256: sha256_hex(&content),
            evidence: format!("{base}/evidence.jws"),
            attachments,
        });
        self.files
            .push((format!("{base}/message.json"), Source::Bytes(content)));
        self.files.push((
            format!("{base}/evidence.jws"),
            Source::Bytes(chain.into_bytes()),
        ));
        if total_size(&self.files) > d.policy.max_export_bytes {
            return Err(too_large());
        }
        Ok(())
    }

    async fn finish(
        self,
        d: &Delivery,
        scope: &str,
        mailbox: Option<&Mailbox>,
        thread: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Export, DeliveryError> {
        let manifest = Manifest {
            kind: TYPE.into(),
            scope: scope.into(),
            mailbox: mailbox.map(|m| MailboxRef {
                kind: m.kind.as_str().into(),
                identifier: m.identifier.clone(),
                name: mailboxes::shown_name(m),
            }),
            thread: thread.map(str::to_owned),
            exported_at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
            messages: self.messages,
            files: self
                .files
                .iter()
                .map(|(path, source)| match source {
                    Source::Bytes(bytes) => FileEntry {
                        path: path.clone(),
                        sha256: sha256_hex(bytes),
                        size: bytes.len() as u64,
                    },
                    Source::Attachment(_, info) => FileEntry {
                        path: path.clone(),
                        sha256: info.sha256.clone(),
                        size: u64::try_from(info.size).unwrap_or(0),
                    },
                })
                .collect(),
        };
        let manifest_bytes = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| DeliveryError::Internal(e.to_string()))?;
        let signed = d.key.sign_jws(&serde_json::json!({
            "type": SIGNED_TYPE,
            "manifest_sha256": sha256_hex(&manifest_bytes),
            "files": manifest.files.len(),
            "messages": manifest.messages.len(),
            "at": manifest.exported_at,
        }))?;
        // The `zip` crate's streaming writer, on a blocking thread; each attachment is opened
        // there piece by piece through this runtime, and the ZIP goes out as it is written.
        let files = self.files;
        let d = d.clone();
        let runtime = tokio::runtime::Handle::current();
        let (sender, pieces) = tokio::sync::mpsc::channel(PIECES_IN_FLIGHT);
        tokio::task::spawn_blocking(move || {
            let pipe = Pipe {
                pieces: sender.clone(),
                buffer: Vec::with_capacity(PIECE_BYTES),
            };
            if let Err(e) = write_zip(&d, &runtime, &manifest_bytes, &signed, files, pipe) {
                if sender.is_closed() {
                    tracing::info!("an export's download ended before the ZIP did");
                } else {
                    tracing::error!(error = %e, "an export stopped half-way; its download is cut short");
                    let _ = sender.blocking_send(Err(e));
                }
            }
        });
        Ok(Export { pieces })
    }
}

fn write_zip(
    d: &Delivery,
    runtime: &tokio::runtime::Handle,
    manifest: &[u8],
    signed: &str,
    files: Vec<(String, Source)>,
    out: Pipe,
) -> Result<(), DeliveryError> {
    use futures::StreamExt;
    let zip_err = |e: zip::result::ZipError| DeliveryError::Internal(format!("zip: {e}"));
    let io_err = |e: std::io::Error| DeliveryError::Internal(format!("zip: {e}"));
    let mut zip = zip::ZipWriter::new_stream(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(MANIFEST, options).map_err(zip_err)?;
    zip.write_all(manifest).map_err(io_err)?;
    zip.start_file(MANIFEST_JWS, options).map_err(zip_err)?;
    zip.write_all(signed.as_bytes()).map_err(io_err)?;
    // The first bytes go out now, before any attachment is opened.
    zip.flush().map_err(io_err)?;
    for (path, source) in files {
        match source {
            Source::Bytes(bytes) => {
                zip.start_file(path.as_str(), options).map_err(zip_err)?;
                zip.write_all(&bytes).map_err(io_err)?;
            }
            Source::Attachment(message_id, info) => {
                zip.start_file(path.as_str(), options).map_err(zip_err)?;
                let mut stream =
                    runtime.block_on(messages::attachment_stream(d, &message_id, &info))?;
                while let Some(piece) = runtime.block_on(stream.next()) {
                    zip.write_all(&piece?).map_err(io_err)?;
                }
            }
        }
    }
    let mut out = zip.finish().map_err(zip_err)?.into_inner();
    out.flush().map_err(io_err)?;
    Ok(())
}

async fn audit(
    d: &Delivery,
    actor: &Actor,
    target: &str,
    scope: &str,
    count: usize,
    at: DateTime<Utc>,
) -> Result<(), DeliveryError> {
    let mut tx = d.db.begin().await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "delivery.exported", target)
            .with(serde_json::json!({ "scope": scope, "messages": count })),
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A mailbox the actor may read, received and sent messages, oldest first. `None`: the
/// actor's own (a person's).
pub async fn mailbox(
    d: &Delivery,
    actor: &Actor,
    mailbox_id: Option<&str>,
) -> Result<(Mailbox, Export), DeliveryError> {
    let boxes = messages::mailboxes_of(d, actor).await?;
    let mailbox = match mailbox_id {
        Some(id) => boxes.into_iter().find(|m| m.id == id),
        None => boxes.into_iter().next(),
    }
    .ok_or(DeliveryError::NotFound)?;
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM delivery_messages WHERE sender_mailbox_id = $1 \
         OR id IN (SELECT message_id FROM delivery_recipients WHERE mailbox_id = $1) \
         ORDER BY created_at, id LIMIT $2",
    )
    .bind(&mailbox.id)
    .bind(i64::try_from(MAX_MESSAGES).unwrap_or(i64::MAX))
    .fetch_all(d.db.pool())
    .await?;
    let mut builder = Builder {
        files: Vec::new(),
        messages: Vec::new(),
    };
    for (id,) in &ids {
        let message = messages::get(d, actor, id).await?;
        builder.add(d, &message).await?;
    }
    let at = d.now();
    audit(d, actor, &mailbox.id, "mailbox", ids.len(), at).await?;
    let zip = builder
        .finish(d, "mailbox", Some(&mailbox), None, at)
        .await?;
    Ok((mailbox, zip))
}

/// The thread of a message the actor may read: every message of it they may read.
pub async fn thread(
    d: &Delivery,
    actor: &Actor,
    message_id: &str,
) -> Result<(String, Export), DeliveryError> {
    let first = messages::get(d, actor, message_id).await?;
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM delivery_messages WHERE thread_id = $1 ORDER BY created_at, id LIMIT $2",
    )
    .bind(&first.thread_id)
    .bind(i64::try_from(MAX_MESSAGES).unwrap_or(i64::MAX))
    .fetch_all(d.db.pool())
    .await?;
    let mut builder = Builder {
        files: Vec::new(),
        messages: Vec::new(),
    };
    for (id,) in &ids {
        match messages::get(d, actor, id).await {
            Ok(message) => builder.add(d, &message).await?,
            // A message of the thread this actor may not read (a grant of one message).
            Err(DeliveryError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let at = d.now();
    let count = builder.messages.len();
    audit(d, actor, &first.thread_id, "thread", count, at).await?;
    let zip = builder
        .finish(d, "thread", None, Some(&first.thread_id), at)
        .await?;
    Ok((first.thread_id, zip))
}

/// What a valid export holds.
#[derive(Debug, Clone)]
pub struct Verified {
    pub manifest: Manifest,
    pub evidence_pieces: usize,
}

/// Checks an export whole; the error says what is wrong.
pub fn verify(
    zip_bytes: &[u8],
    anchor: &portico_audit::Certificate,
    now: DateTime<Utc>,
) -> Result<Verified, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes))
        .map_err(|e| format!("not a readable ZIP: {e}"))?;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("entry {i} of the ZIP cannot be read: {e}"))?;
        let name = entry
            .name()
            .map_err(|e| format!("entry {i} of the ZIP has no readable name: {e}"))?
            .into_owned();
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} cannot be read (changed?): {e}"))?;
        if files.insert(name.clone(), bytes).is_some() {
            return Err(format!("{name} is in the ZIP twice"));
        }
    }
    let manifest_bytes = files
        .remove(MANIFEST)
        .ok_or("the ZIP has no manifest.json")?;
    let signed = files
        .remove(MANIFEST_JWS)
        .ok_or("the ZIP has no manifest.jws")?;
    let signed = String::from_utf8(signed).map_err(|_| "manifest.jws is not text")?;
    let verified = portico_audit::jws::verify(signed.trim(), anchor, now)
        .map_err(|e| format!("manifest.jws: {e}"))?;
    if verified.payload["type"] != SIGNED_TYPE {
        return Err("manifest.jws does not sign an export's manifest".into());
    }
    if verified.payload["manifest_sha256"].as_str() != Some(&sha256_hex(&manifest_bytes)) {
        return Err("manifest.json is not the one manifest.jws signs: it was changed".into());
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| format!("manifest.json cannot be read: {e}"))?;
    if manifest.kind != TYPE {
        return Err("manifest.json is not an export's manifest".into());
    }
    let mut listed = std::collections::BTreeSet::new();
    for f in &manifest.files {
        let bytes = files
            .get(&f.path)
            .ok_or_else(|| format!("{} is listed in the manifest but missing", f.path))?;
        if sha256_hex(bytes) != f.sha256 || bytes.len() as u64 != f.size {
            return Err(format!(
                "{} is not the file the manifest lists: it was changed",
                f.path
            ));
        }
        listed.insert(f.path.as_str());
    }
    if let Some(extra) = files.keys().find(|p| !listed.contains(p.as_str())) {
        return Err(format!("{extra} is in the ZIP but not in the manifest"));
    }
    let mut pieces = 0;
    for m in &manifest.messages {
        let get = |path: &str| {
            files
                .get(path)
                .ok_or_else(|| format!("message {}: {path} is missing", m.id))
        };
        let content = get(&m.content)?;
        let chain = String::from_utf8(get(&m.evidence)?.clone())
            .map_err(|_| format!("{} is not text", m.evidence))?;
        let lines: Vec<&str> = chain.lines().filter(|l| !l.trim().is_empty()).collect();
        let statements = evidence::check_chain(&lines, anchor, now)
            .map_err(|e| format!("message {}: {e}", m.id))?;
        pieces += statements.len();
        let first = &statements[0];
        if first["message"].as_str() != Some(m.id.as_str()) {
            return Err(format!("{} is the evidence of another message", m.evidence));
        }
        if first["message_sha256"].as_str() != Some(sha256_hex(content).as_str()) {
            return Err(format!(
                "{}: its SHA-256 is not the one the evidence names: the content was changed",
                m.content
            ));
        }
        let stated: serde_json::Value = serde_json::from_slice(content)
            .map_err(|e| format!("{} cannot be read: {e}", m.content))?;
        let named = stated["attachments"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if named.len() != m.attachments.len() {
            return Err(format!(
                "message {}: message.json names {} attachments, the export holds {}",
                m.id,
                named.len(),
                m.attachments.len()
            ));
        }
        for (a, path) in named.iter().zip(&m.attachments) {
            let bytes = get(path)?;
            if a["sha256"].as_str() != Some(sha256_hex(bytes).as_str()) {
                return Err(format!(
                    "{path} is not the attachment message.json names: it was changed"
                ));
            }
        }
    }
    Ok(Verified {
        manifest,
        evidence_pieces: pieces,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_stay_inside_their_folder() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("решение.pdf"), "решение.pdf");
        assert_eq!(safe_name("..."), "file");
        assert_eq!(safe_name("a\u{0}b"), "a_b");
    }
}
