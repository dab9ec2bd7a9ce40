//! Documents and attachments. A local folder by default; any S3-compatible store by URL
//! (`s3://bucket/prefix`, credentials from the usual `AWS_*` variables).
//! Blobs are content-addressed: the key is the SHA-256 of the bytes, so a stored document cannot
//! change under its key and the same upload is stored once.

use crate::StoreError;
use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
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
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        match self.inner.get(&self.path(key)).await {
            Ok(result) => Ok(Some(result.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
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
}
