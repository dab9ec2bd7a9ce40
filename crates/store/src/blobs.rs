//! Documents and attachments. A local folder by default; any S3-compatible store by URL
//! (`s3://bucket/prefix`, credentials from the usual `AWS_*` variables).
//! Blobs are content-addressed: the key is the SHA-256 of the bytes, so a stored document cannot
//! change under its key and the same upload is stored once.
//!
//! Large blobs are written and read as streams: [`BlobStore::writer`] uploads in parts (S3
//! multipart, a staged file locally) under a temporary name while hashing, and moves the result
//! to its key at the end; [`BlobStore::get_stream`] reads in chunks. Neither holds a whole blob.

use crate::StoreError;
use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The object store's options from the usual `AWS_*` variables.
pub fn aws_options_from_env() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(k, _)| k.starts_with("AWS_"))
        .collect()
}

#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    prefix: Path,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobStore({})", self.inner)
    }
}

impl BlobStore {
    pub fn local(dir: &std::path::Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            inner: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
            prefix: Path::default(),
        })
    }

    /// `file:///…` or a path for a local folder; `s3://bucket/prefix` for object storage, with
    /// its options (endpoint, region, credentials) from the process's `AWS_*` variables.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        Self::from_url_opts(url, aws_options_from_env())
    }

    /// As [`BlobStore::from_url`], with the object store's options given (`aws_endpoint`,
    /// `aws_region`, `aws_access_key_id`, …, as `object_store` names them).
    pub fn from_url_opts(url: &str, options: Vec<(String, String)>) -> Result<Self, StoreError> {
        if !url.contains("://") {
            return Self::local(std::path::Path::new(url));
        }
        let parsed =
            url::Url::parse(url).map_err(|e| StoreError::BlobUrl(url.to_owned(), e.to_string()))?;
        if parsed.scheme() == "file" {
            return Self::local(std::path::Path::new(parsed.path()));
        }
        let (store, prefix) = object_store::parse_url_opts(&parsed, options)?;
        Ok(Self {
            inner: Arc::from(store),
            prefix,
        })
    }

    fn path(&self, key: &str) -> Path {
        let mut parts: Vec<_> = self.prefix.parts().collect();
        parts.push(object_store::path::PathPart::from(&key[..2]));
        parts.push(object_store::path::PathPart::from(key));
        Path::from_iter(parts)
    }

    /// Stores the bytes and returns their key (hex SHA-256).
    pub async fn put(&self, bytes: Bytes) -> Result<String, StoreError> {
        let key = hex::encode(Sha256::digest(&bytes));
        self.inner
            .put(&self.path(&key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(key)
    }

    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        if !is_key(key) {
            return Ok(None);
        }
        match self.inner.get(&self.path(key)).await {
            Ok(result) => Ok(Some(result.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The blob as a stream of chunks (as the store delivers them: 8 KiB from a local folder,
    /// the HTTP body's from S3); `None` if there is none under the key.
    pub async fn get_stream(
        &self,
        key: &str,
    ) -> Result<Option<BoxStream<'static, Result<Bytes, StoreError>>>, StoreError> {
        if !is_key(key) {
            return Ok(None);
        }
        match self.inner.get(&self.path(key)).await {
            Ok(result) => Ok(Some(
                result
                    .into_stream()
                    .map(|r| r.map_err(StoreError::from))
                    .boxed(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The blob from byte `offset` on, as a stream of chunks (a long job that reads a large
    /// file in steps goes on where its last step ended, without reading the start again);
    /// `None` if there is none under the key. An offset at or past the end is an error.
    pub async fn get_stream_from(
        &self,
        key: &str,
        offset: u64,
    ) -> Result<Option<BoxStream<'static, Result<Bytes, StoreError>>>, StoreError> {
        if !is_key(key) {
            return Ok(None);
        }
        let options = object_store::GetOptions {
            range: Some(object_store::GetRange::Offset(offset)),
            ..Default::default()
        };
        match self.inner.get_opts(&self.path(key), options).await {
            Ok(result) => Ok(Some(
                result
                    .into_stream()
                    .map(|r| r.map_err(StoreError::from))
                    .boxed(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a blob (a stored file whose submission was refused after all); no error if
    /// there is none.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if !is_key(key) {
            return Ok(());
        }
        match self.inner.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Starts writing a blob whose bytes come in pieces. Nothing is under a key until
    /// [`BlobWriter::finish`]; [`BlobWriter::abort`] (or dropping the writer, for a local
    /// folder) leaves nothing behind. On S3 an upload dropped without `abort` stays incomplete
    /// under `tmp/` until the bucket's lifecycle rule for incomplete multipart uploads ends it.
    pub async fn writer(&self) -> Result<BlobWriter, StoreError> {
        let mut parts: Vec<_> = self.prefix.parts().collect();
        parts.push(object_store::path::PathPart::from("tmp"));
        parts.push(object_store::path::PathPart::from(
            uuid::Uuid::new_v4().to_string(),
        ));
        let tmp = Path::from_iter(parts);
        let upload = self.inner.put_multipart(&tmp).await?;
        Ok(BlobWriter {
            store: self.clone(),
            tmp,
            upload: WriteMultipart::new_with_chunk_size(upload, PART_BYTES),
            hasher: Sha256::new(),
            size: 0,
        })
    }
}

fn is_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The size of each part of a streamed upload (S3's smallest but the last is 5 MiB).
const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts in flight at once: with the part being filled, at most about 15 MiB in memory.
const PARTS_IN_FLIGHT: usize = 2;

/// A blob being written in pieces ([`BlobStore::writer`]), hashed as it goes.
pub struct BlobWriter {
    store: BlobStore,
    tmp: Path,
    upload: WriteMultipart,
    hasher: Sha256,
    size: u64,
}

impl std::fmt::Debug for BlobWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobWriter({}, {} bytes)", self.tmp, self.size)
    }
}

impl BlobWriter {
    /// Appends bytes, waiting while the store is still taking earlier parts.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        self.upload.wait_for_capacity(PARTS_IN_FLIGHT).await?;
        self.hasher.update(bytes);
        self.upload.write(bytes);
        self.size += bytes.len() as u64;
        Ok(())
    }

    /// How many bytes were written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Completes the upload and moves it to its key (the SHA-256 of what was written), which
    /// it returns.
    pub async fn finish(self) -> Result<String, StoreError> {
        let key = hex::encode(self.hasher.finalize());
        self.upload.finish().await?;
        let to = self.store.path(&key);
        if let Err(e) = self.store.inner.rename(&self.tmp, &to).await {
            let _ = self.store.inner.delete(&self.tmp).await;
            return Err(e.into());
        }
        Ok(key)
    }

    /// Gives the upload up: nothing is stored.
    pub async fn abort(self) -> Result<(), StoreError> {
        self.upload.abort().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn stores_by_content_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::local(dir.path()).unwrap();
        let key = store.put(Bytes::from_static(b"hello")).await.unwrap();
        assert_eq!(key, hex::encode(Sha256::digest(b"hello")));
        assert_eq!(
            store.get(&key).await.unwrap().unwrap(),
            Bytes::from_static(b"hello")
        );
        assert!(store.get(&"0".repeat(64)).await.unwrap().is_none());
        assert!(store.get("../../etc/passwd").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_blob_written_in_pieces_is_stored_under_its_hash_and_read_as_a_stream() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::local(dir.path()).unwrap();
        let big: Vec<u8> = (0..6 * 1024 * 1024 + 7).map(|i| (i % 251) as u8).collect();
        let mut writer = store.writer().await.unwrap();
        for piece in big.chunks(100_000) {
            writer.write(piece).await.unwrap();
        }
        assert_eq!(writer.size(), big.len() as u64);
        let key = writer.finish().await.unwrap();
        assert_eq!(key, hex::encode(Sha256::digest(&big)));
        let mut read = Vec::new();
        let mut stream = store.get_stream(&key).await.unwrap().unwrap();
        while let Some(chunk) = stream.next().await {
            read.extend_from_slice(&chunk.unwrap());
        }
        assert!(read == big, "read back as written");
        let mut tail = Vec::new();
        let mut stream = store
            .get_stream_from(&key, 1_000_001)
            .await
            .unwrap()
            .unwrap();
        while let Some(chunk) = stream.next().await {
            tail.extend_from_slice(&chunk.unwrap());
        }
        assert!(tail[..] == big[1_000_001..], "read from an offset");
        store.delete(&key).await.unwrap();
        assert!(store.get_stream(&key).await.unwrap().is_none());

        // An upload given up leaves no file.
        let mut writer = store.writer().await.unwrap();
        writer.write(b"partial").await.unwrap();
        writer.abort().await.unwrap();
        fn files(p: &std::path::Path) -> usize {
            std::fs::read_dir(p)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| {
                            if e.path().is_dir() {
                                files(&e.path())
                            } else {
                                1
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        assert_eq!(files(dir.path()), 0);
    }
}
