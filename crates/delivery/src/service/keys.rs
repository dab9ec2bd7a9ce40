//! Encryption at rest of messages' bodies, contents (`message.json`) and attachments.
//!
//! Three layers of keys, AES-256-GCM everywhere (RustCrypto `aes-gcm`), a fresh random 96-bit
//! nonce for every sealing, and associated data that binds each sealed value to its place (a
//! sealed body copied onto another message does not open):
//!
//! - **Master keys**, versioned, from configuration (`PORTICO_DELIVERY_KEYS`, `VERSION:HEX64`
//!   comma-separated, the highest version current). Version 1 is derived with HKDF-SHA256 from
//!   the platform secret unless configured, so an installation with no separate key works and
//!   can later move to configured keys.
//! - A **data key per mailbox** (table `delivery_keys`), random, stored wrapped by a master key
//!   version. [`rotate`] re-wraps every data key under the current master version: messages are
//!   never re-encrypted, and old versions still unwrap while they are configured.
//! - A **message key** per message, random, wrapped by the data key of the sender's mailbox and
//!   of each recipient's (table `delivery_message_keys`); it seals the body, `message.json` and
//!   the attachments (these segment by segment, with a key derived for each, see `segments`;
//!   attachments stored before that are one AES-GCM message and still open).
//!
//! Evidence names the SHA-256 of the plaintext, as before: a recipient hashes what they
//! downloaded. Rows written before encryption (no message key) read as they are.
//!
//! Keys are per installation: [`install`] keeps the installation's master keys under its
//! platform signing key's public key, so every `Delivery` built on that key (pages, jobs, the
//! cases block sending results, tests) finds them. The last installation wins.

use crate::DeliveryError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use portico_core::clock::to_millis;
use portico_store::{Db, Tx};
use rand::RngCore;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

const NONCE_BYTES: usize = 12;
/// How many opened data keys a process keeps in memory.
const MAX_CACHED_KEYS: usize = 50_000;
/// The prefix of a sealed text column (a body): `enc1:` + base64(nonce ‖ ciphertext ‖ tag).
pub const SEALED_PREFIX: &str = "enc1:";

/// The versioned master keys of an installation.
#[derive(Clone)]
pub struct MasterKeys {
    keys: BTreeMap<u32, [u8; 32]>,
}

impl std::fmt::Debug for MasterKeys {
    /// Versions only: key bytes never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKeys")
            .field("versions", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl MasterKeys {
    /// The keys from `PORTICO_DELIVERY_KEYS` (`2:HEX64,1:HEX64`), with version 1 derived from
    /// the platform secret when the configuration does not name it.
    pub fn from_config(configured: Option<&str>, platform_secret: &[u8]) -> Result<Self, String> {
        let mut keys = BTreeMap::new();
        for part in configured
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (version, hex_key) = part.split_once(':').ok_or_else(|| {
                format!("PORTICO_DELIVERY_KEYS: {part:?} is not VERSION:KEY (64 hex digits)")
            })?;
            let version: u32 = version
                .trim()
                .parse()
                .ok()
                .filter(|v| *v >= 1)
                .ok_or_else(|| {
                    format!("PORTICO_DELIVERY_KEYS: the version {version:?} is not a whole number from 1")
                })?;
            let bytes = hex::decode(hex_key.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| {
                    format!("PORTICO_DELIVERY_KEYS: the key of version {version} is not 64 hex digits (32 bytes, e.g. `openssl rand -hex 32`)")
                })?;
            if keys.insert(version, bytes).is_some() {
                return Err(format!(
                    "PORTICO_DELIVERY_KEYS: version {version} is given twice"
                ));
            }
        }
        keys.entry(1).or_insert_with(|| derived(platform_secret));
        Ok(MasterKeys { keys })
    }

    /// Explicit keys (tests and tools).
    pub fn from_versions(keys: impl IntoIterator<Item = (u32, [u8; 32])>) -> Self {
        MasterKeys {
            keys: keys.into_iter().collect(),
        }
    }

    /// The version new data keys are wrapped with: the highest.
    pub fn current(&self) -> u32 {
        self.keys.keys().next_back().copied().unwrap_or(0)
    }

    fn get(&self, version: u32) -> Result<&[u8; 32], DeliveryError> {
        if self.keys.is_empty() {
            return Err(DeliveryError::Internal(
                "no delivery master keys are installed for this platform signing key (app::build and `portico delivery rotate-keys` install them)".into(),
            ));
        }
        self.keys.get(&version).ok_or_else(|| {
            DeliveryError::Internal(format!(
                "delivery master key version {version} is not configured (PORTICO_DELIVERY_KEYS has {:?}); data keys wrapped by it cannot be opened",
                self.keys.keys().collect::<Vec<_>>()
            ))
        })
    }
}

fn derived(platform_secret: &[u8]) -> [u8; 32] {
    let hkdf = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"portico"), platform_secret);
    let mut key = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit of 255 × 32: this cannot fail.
    let _ = hkdf.expand(b"delivery.master_key.v1", &mut key);
    key
}

fn seal_with(key: &[u8; 32], aad: &str, plain: &[u8]) -> Result<Vec<u8>, DeliveryError> {
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key))
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| DeliveryError::Internal("could not encrypt".into()))?;
    let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn open_with(key: &[u8; 32], aad: &str, sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_BYTES + 16 {
        return None;
    }
    let (nonce, body) = sealed.split_at(NONCE_BYTES);
    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key))
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: aad.as_bytes(),
            },
        )
        .ok()
}

/// A message's own key: seals its body, content and attachments.
#[derive(Clone)]
pub struct MessageKey([u8; 32]);

impl std::fmt::Debug for MessageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MessageKey(..)")
    }
}

impl MessageKey {
    pub fn generate() -> MessageKey {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        MessageKey(key)
    }

    /// A key for one sealing of many segments (`segments`): HKDF-SHA256 of this key with the
    /// sealing's random salt, for `info` (which names its place).
    pub(crate) fn derive(&self, salt: &[u8], info: &str) -> [u8; 32] {
        let hkdf = hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), &self.0);
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 255 × 32: this cannot fail.
        let _ = hkdf.expand(info.as_bytes(), &mut key);
        key
    }

    /// Seals bytes (`message.json`; attachments before segmented sealing) bound to `aad`.
    pub fn seal(&self, aad: &str, plain: &[u8]) -> Result<Vec<u8>, DeliveryError> {
        seal_with(&self.0, aad, plain)
    }

    pub fn open(&self, aad: &str, sealed: &[u8]) -> Result<Vec<u8>, DeliveryError> {
        open_with(&self.0, aad, sealed).ok_or_else(|| {
            DeliveryError::Internal(format!("a sealed value ({aad}) does not open with its message key: it was changed or belongs elsewhere"))
        })
    }

    /// Seals a text column: `enc1:` + base64.
    pub fn seal_text(&self, aad: &str, plain: &str) -> Result<String, DeliveryError> {
        Ok(format!(
            "{SEALED_PREFIX}{}",
            STANDARD.encode(self.seal(aad, plain.as_bytes())?)
        ))
    }

    pub fn open_text(&self, aad: &str, stored: &str) -> Result<String, DeliveryError> {
        let Some(b64) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_owned());
        };
        let bytes = STANDARD
            .decode(b64)
            .map_err(|_| DeliveryError::Internal(format!("{aad}: not base64")))?;
        String::from_utf8(self.open(aad, &bytes)?)
            .map_err(|_| DeliveryError::Internal(format!("{aad}: not UTF-8")))
    }
}

/// An installation's master keys with the data keys it has opened (a data key does not change
/// when it is re-wrapped, so the cache outlives rotations).
pub struct Keyring {
    master: MasterKeys,
    opened: Mutex<HashMap<String, [u8; 32]>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("master", &self.master)
            .finish_non_exhaustive()
    }
}

fn data_key_aad(mailbox_id: &str) -> String {
    format!("portico.delivery.data_key:{mailbox_id}")
}

fn message_key_aad(message_id: &str, mailbox_id: &str) -> String {
    format!("portico.delivery.message_key:{message_id}:{mailbox_id}")
}

impl Keyring {
    pub fn new(master: MasterKeys) -> Keyring {
        Keyring {
            master,
            opened: Mutex::new(HashMap::new()),
        }
    }

    pub fn master(&self) -> &MasterKeys {
        &self.master
    }

    fn cached(&self, mailbox_id: &str) -> Option<[u8; 32]> {
        self.opened
            .lock()
            .ok()
            .and_then(|m| m.get(mailbox_id).copied())
    }

    fn remember(&self, mailbox_id: &str, key: [u8; 32]) {
        if let Ok(mut m) = self.opened.lock() {
            // Bounded: past this many mailboxes the cache starts again (a few MB at most).
            if m.len() >= MAX_CACHED_KEYS {
                m.clear();
            }
            m.insert(mailbox_id.to_owned(), key);
        }
    }

    fn unwrap_data_key(
        &self,
        mailbox_id: &str,
        version: i64,
        wrapped: &str,
    ) -> Result<[u8; 32], DeliveryError> {
        let version = u32::try_from(version)
            .map_err(|_| DeliveryError::Internal(format!("bad master key version {version}")))?;
        let master = self.master.get(version)?;
        let bytes = STANDARD.decode(wrapped).map_err(|_| {
            DeliveryError::Internal(format!(
                "the data key of mailbox {mailbox_id} is not base64"
            ))
        })?;
        open_with(master, &data_key_aad(mailbox_id), &bytes)
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .ok_or_else(|| {
                DeliveryError::Internal(format!(
                    "the data key of mailbox {mailbox_id} does not open with delivery master key version {version}: the configured key (PORTICO_DELIVERY_KEYS or the platform secret) is not the one it was wrapped with"
                ))
            })
    }

    fn wrap_data_key(
        &self,
        mailbox_id: &str,
        key: &[u8; 32],
    ) -> Result<(u32, String), DeliveryError> {
        let version = self.master.current();
        let master = self.master.get(version)?;
        Ok((
            version,
            STANDARD.encode(seal_with(master, &data_key_aad(mailbox_id), key)?),
        ))
    }

    /// The mailbox's data key, made (and wrapped by the current master key) on first use, in
    /// the caller's transaction.
    async fn data_key_in(
        &self,
        tx: &mut Tx,
        mailbox_id: &str,
        now: DateTime<Utc>,
    ) -> Result<[u8; 32], DeliveryError> {
        if let Some(k) = self.cached(mailbox_id) {
            return Ok(k);
        }
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT master_version, wrapped_key FROM delivery_keys WHERE mailbox_id = $1",
        )
        .bind(mailbox_id)
        .fetch_optional(&mut **tx)
        .await?;
        let (version, wrapped) = match row {
            Some(found) => found,
            None => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                let (version, wrapped) = self.wrap_data_key(mailbox_id, &key)?;
                // Two first sends to one mailbox at once: the second waits for the first's row
                // (PostgreSQL) or runs after it (SQLite), keeps it, and uses it.
                sqlx::query(
                    "INSERT INTO delivery_keys (mailbox_id, master_version, wrapped_key, created_at, rewrapped_at) VALUES ($1, $2, $3, $4, $4) \
                     ON CONFLICT (mailbox_id) DO NOTHING",
                )
                .bind(mailbox_id)
                .bind(i64::from(version))
                .bind(&wrapped)
                .bind(to_millis(now))
                .execute(&mut **tx)
                .await?;
                sqlx::query_as(
                    "SELECT master_version, wrapped_key FROM delivery_keys WHERE mailbox_id = $1",
                )
                .bind(mailbox_id)
                .fetch_one(&mut **tx)
                .await?
            }
        };
        let key = self.unwrap_data_key(mailbox_id, version, &wrapped)?;
        self.remember(mailbox_id, key);
        Ok(key)
    }

    async fn data_key(&self, db: &Db, mailbox_id: &str) -> Result<Option<[u8; 32]>, DeliveryError> {
        if let Some(k) = self.cached(mailbox_id) {
            return Ok(Some(k));
        }
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT master_version, wrapped_key FROM delivery_keys WHERE mailbox_id = $1",
        )
        .bind(mailbox_id)
        .fetch_optional(db.pool())
        .await?;
        let Some((version, wrapped)) = row else {
            return Ok(None);
        };
        let key = self.unwrap_data_key(mailbox_id, version, &wrapped)?;
        self.remember(mailbox_id, key);
        Ok(Some(key))
    }

    /// Keeps the message key wrapped by each of these mailboxes' data keys (sender and
    /// recipients), in the sending transaction.
    pub async fn keep_message_key(
        &self,
        tx: &mut Tx,
        message_id: &str,
        key: &MessageKey,
        mailbox_ids: &[&str],
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let mut done = std::collections::BTreeSet::new();
        for mailbox_id in mailbox_ids {
            if !done.insert(*mailbox_id) {
                continue;
            }
            let data_key = self.data_key_in(tx, mailbox_id, now).await?;
            let wrapped = STANDARD.encode(seal_with(
                &data_key,
                &message_key_aad(message_id, mailbox_id),
                &key.0,
            )?);
            sqlx::query(
                "INSERT INTO delivery_message_keys (message_id, mailbox_id, wrapped_key) VALUES ($1, $2, $3)",
            )
            .bind(message_id)
            .bind(*mailbox_id)
            .bind(&wrapped)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// The message's key, opened through the first of its mailboxes' data keys; `None` for a
    /// message stored before encryption.
    pub async fn message_key(
        &self,
        db: &Db,
        message_id: &str,
    ) -> Result<Option<MessageKey>, DeliveryError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT mailbox_id, wrapped_key FROM delivery_message_keys WHERE message_id = $1 ORDER BY mailbox_id",
        )
        .bind(message_id)
        .fetch_all(db.pool())
        .await?;
        let Some((mailbox_id, wrapped)) = rows.into_iter().next() else {
            return Ok(None);
        };
        let data_key = self.data_key(db, &mailbox_id).await?.ok_or_else(|| {
            DeliveryError::Internal(format!("mailbox {mailbox_id} has no data key"))
        })?;
        let bytes = STANDARD
            .decode(&wrapped)
            .map_err(|_| DeliveryError::Internal("a message key is not base64".into()))?;
        let key = open_with(&data_key, &message_key_aad(message_id, &mailbox_id), &bytes)
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .ok_or_else(|| {
                DeliveryError::Internal(format!(
                    "the key of message {message_id} does not open with mailbox {mailbox_id}'s data key"
                ))
            })?;
        Ok(Some(MessageKey(key)))
    }
}

impl Keyring {
    /// Seals a small secret (a webhook's) directly under the current master key: its version
    /// and base64(nonce ‖ ciphertext).
    pub fn seal_secret(&self, aad: &str, secret: &str) -> Result<(u32, String), DeliveryError> {
        let version = self.master.current();
        let master = self.master.get(version)?;
        Ok((
            version,
            STANDARD.encode(seal_with(master, aad, secret.as_bytes())?),
        ))
    }

    pub fn open_secret(
        &self,
        aad: &str,
        version: i64,
        sealed: &str,
    ) -> Result<String, DeliveryError> {
        let version = u32::try_from(version)
            .map_err(|_| DeliveryError::Internal(format!("bad master key version {version}")))?;
        let master = self.master.get(version)?;
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|_| DeliveryError::Internal(format!("{aad}: not base64")))?;
        open_with(master, aad, &bytes)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                DeliveryError::Internal(format!(
                    "{aad} does not open with delivery master key version {version}"
                ))
            })
    }
}

/// What a rotation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rotated {
    /// Data keys re-wrapped under the current master version.
    pub rewrapped: u64,
    /// Data keys already under it.
    pub current: u64,
    /// Webhook secrets re-sealed under it.
    pub secrets: u64,
}

/// Re-wraps every mailbox's data key under the current master key version (each in its own
/// small transaction, safe to run again). Messages are not touched.
pub async fn rotate(
    db: &Db,
    keyring: &Keyring,
    now: DateTime<Utc>,
) -> Result<Rotated, DeliveryError> {
    let current = i64::from(keyring.master.current());
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT mailbox_id, master_version, wrapped_key FROM delivery_keys ORDER BY mailbox_id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Rotated::default();
    for (mailbox_id, version, wrapped) in rows {
        if version == current {
            out.current += 1;
            continue;
        }
        let key = keyring.unwrap_data_key(&mailbox_id, version, &wrapped)?;
        let (new_version, rewrapped) = keyring.wrap_data_key(&mailbox_id, &key)?;
        let mut tx = db.begin().await?;
        sqlx::query(
            "UPDATE delivery_keys SET master_version = $1, wrapped_key = $2, rewrapped_at = $3 WHERE mailbox_id = $4 AND master_version = $5",
        )
        .bind(i64::from(new_version))
        .bind(&rewrapped)
        .bind(to_millis(now))
        .bind(&mailbox_id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        portico_audit::append(
            &mut tx,
            portico_audit::Event::new("system:delivery", "delivery.key_rewrapped", &mailbox_id)
                .with(serde_json::json!({ "from_version": version, "to_version": new_version })),
            now,
        )
        .await?;
        tx.commit().await?;
        out.rewrapped += 1;
    }
    out.secrets = super::webhooks::reseal(db, keyring).await?;
    Ok(out)
}

type Registry = RwLock<HashMap<[u8; 32], Arc<Keyring>>>;

fn registry() -> &'static Registry {
    static KEYRINGS: OnceLock<Registry> = OnceLock::new();
    KEYRINGS.get_or_init(|| RwLock::new(HashMap::new()))
}

/// Keeps an installation's master keys for every `Delivery` built on its signing key.
pub fn install(signing_key: &portico_audit::SigningKey, master: MasterKeys) {
    if let Ok(mut map) = registry().write() {
        map.insert(
            signing_key.public_key_bytes(),
            Arc::new(Keyring::new(master)),
        );
    }
}

/// The keyring installed for this signing key, if any.
pub fn installed(signing_key: &portico_audit::SigningKey) -> Option<Arc<Keyring>> {
    registry()
        .read()
        .ok()
        .and_then(|m| m.get(&signing_key.public_key_bytes()).cloned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn configured_versions_are_read_and_version_one_is_derived_unless_given() {
        let k = MasterKeys::from_config(None, b"s".repeat(32).as_slice()).unwrap();
        assert_eq!(k.current(), 1);
        let two = "2:".to_owned() + &"ab".repeat(32);
        let k = MasterKeys::from_config(Some(&two), b"s".repeat(32).as_slice()).unwrap();
        assert_eq!(k.current(), 2);
        assert!(k.get(1).is_ok(), "the derived version 1 still unwraps");
        for bad in ["2", "0:00", "x:00", "2:abcd", &format!("{two},{two}")] {
            let err = MasterKeys::from_config(Some(bad), b"s".repeat(32).as_slice()).unwrap_err();
            assert!(err.starts_with("PORTICO_DELIVERY_KEYS"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_its_place() {
        let key = MessageKey::generate();
        let sealed = key.seal_text("body:m1", "Ред първи.").unwrap();
        assert!(sealed.starts_with(SEALED_PREFIX) && !sealed.contains("Ред"));
        assert_eq!(key.open_text("body:m1", &sealed).unwrap(), "Ред първи.");
        assert!(
            key.open_text("body:m2", &sealed).is_err(),
            "bound to its place"
        );
        assert!(MessageKey::generate()
            .open_text("body:m1", &sealed)
            .is_err());
        assert_eq!(
            key.open_text("body:m1", "plain, from before").unwrap(),
            "plain, from before"
        );
    }

    #[test]
    fn a_data_key_unwraps_with_its_version_only_and_a_wrong_key_says_so() {
        let v1 = Keyring::new(MasterKeys::from_versions([(1, [1u8; 32])]));
        let (version, wrapped) = v1.wrap_data_key("mb", &[9u8; 32]).unwrap();
        assert_eq!(version, 1);
        let both = Keyring::new(MasterKeys::from_versions([(1, [1u8; 32]), (2, [2u8; 32])]));
        assert_eq!(both.unwrap_data_key("mb", 1, &wrapped).unwrap(), [9u8; 32]);
        let wrong = Keyring::new(MasterKeys::from_versions([(1, [7u8; 32])]));
        let err = wrong
            .unwrap_data_key("mb", 1, &wrapped)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("does not open with delivery master key version 1"),
            "{err}"
        );
        let missing = Keyring::new(MasterKeys::from_versions([(2, [2u8; 32])]));
        let err = missing
            .unwrap_data_key("mb", 1, &wrapped)
            .unwrap_err()
            .to_string();
        assert!(err.contains("version 1 is not configured"), "{err}");
        assert!(
            both.unwrap_data_key("other", 1, &wrapped).is_err(),
            "bound to its mailbox"
        );
    }
}
