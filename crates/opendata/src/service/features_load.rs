//! The features of a large GeoJSON file (over [`super::MAX_UPLOAD_BYTES`], streamed and checked
//! as it came), indexed into `opendata_features` by a job ([`INDEX_JOB`]) instead of in the
//! upload's transaction: the stored file is read again as a stream, its features parsed one at
//! a time on a blocking thread ([`super::json_stream::features`]) and inserted 500 at a time,
//! all in one transaction with the resource's feature count, so the OGC API serves all of them
//! or none. Until then the resource's `features` is -1 (being indexed: not indexed again when
//! first read).

use super::geo::{self, Feature};
use super::loads::Pieces;
use super::OpenData;
use crate::error::OpenDataError;
use bytes::Bytes;
use futures::StreamExt;
use portico_store::jobs::{self, JobHandler, NewJob};
use portico_store::Tx;
use serde_json::Value;
use tokio::sync::mpsc;

/// The job that indexes a large GeoJSON resource's features.
pub const INDEX_JOB: &str = "opendata.index_features";

/// Features a batch.
const BATCH: usize = 500;

/// Queues the indexing of a stored GeoJSON's features, in the transaction that adds the
/// resource.
pub async fn queue(ctx: &OpenData, tx: &mut Tx, resource_id: &str) -> Result<(), OpenDataError> {
    sqlx::query("UPDATE opendata_resources SET features = -1 WHERE id = $1")
        .bind(resource_id)
        .execute(&mut **tx)
        .await?;
    let job = NewJob::now(
        INDEX_JOB,
        serde_json::json!({ "resource_id": resource_id }),
        ctx.clock.now(),
    );
    jobs::enqueue(tx, job, ctx.clock.now()).await?;
    Ok(())
}

/// What the reader hands over: features, or the file's problem.
enum Parsed {
    Features(Vec<Feature>),
    Broken(String),
}

/// Indexes the features of GeoJSON resource `resource_id` from its stored file; how many.
pub async fn index(ctx: &OpenData, resource_id: &str) -> Result<i64, OpenDataError> {
    let r = super::resources::get(&ctx.db, resource_id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    let key = r.blob_key.clone().unwrap_or_default();
    let Some(mut file) = ctx.blobs.get_stream_from(&key, 0).await? else {
        return Err(OpenDataError::Internal(format!("blob {key} is missing")));
    };
    let (feed, pieces) = mpsc::channel::<Bytes>(4);
    let pump = tokio::spawn(async move {
        while let Some(piece) = file.next().await {
            if feed.send(piece?).await.is_err() {
                break;
            }
        }
        Ok::<(), portico_store::StoreError>(())
    });
    let (out, mut parsed) = mpsc::channel::<Parsed>(2);
    let reader = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut n = 0u64;
        let read = super::json_stream::features(Pieces::new(pieces, true), &mut |f: Value| {
            n += 1;
            let geometry = f.get("geometry").cloned().unwrap_or(Value::Null);
            batch.push(Feature {
                id: n,
                bbox: geo::bbox_of(&geometry),
                geometry,
                properties: f
                    .get("properties")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            });
            batch.len() < BATCH
                || out
                    .blocking_send(Parsed::Features(std::mem::take(&mut batch)))
                    .is_ok()
        });
        match read {
            Ok(_) if !batch.is_empty() => {
                let _ = out.blocking_send(Parsed::Features(batch));
            }
            Ok(_) => {}
            Err(p) => {
                let _ = out.blocking_send(Parsed::Broken(p.code.to_owned()));
            }
        }
    });
    let mut tx = ctx.db.begin().await?;
    sqlx::query("DELETE FROM opendata_features WHERE resource_id = $1")
        .bind(resource_id)
        .execute(&mut *tx)
        .await?;
    let mut count = 0i64;
    while let Some(p) = parsed.recv().await {
        match p {
            Parsed::Features(batch) => {
                geo::insert_features(&mut tx, resource_id, &batch).await?;
                count += batch.len() as i64;
            }
            Parsed::Broken(code) => {
                return Err(OpenDataError::Internal(format!(
                    "the stored GeoJSON no longer reads as checked: {code}"
                )))
            }
        }
    }
    let _ = reader.await;
    if let Ok(Err(e)) = pump.await {
        return Err(e.into());
    }
    sqlx::query("UPDATE opendata_resources SET features = $2 WHERE id = $1")
        .bind(resource_id)
        .bind(count)
        .execute(&mut *tx)
        .await?;
    super::index::touch(&mut tx).await?;
    tx.commit().await?;
    Ok(count)
}

/// The job: indexes one resource's features in one run (not in steps: a file whose features
/// take longer than its timeout is not indexed; see docs/opendata.md).
pub struct IndexJob {
    pub ctx: OpenData,
}

#[async_trait::async_trait]
impl JobHandler for IndexJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let Some(id) = payload.get("resource_id").and_then(|v| v.as_str()) else {
            return Ok(());
        };
        index(&self.ctx, id)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Under the 60-second lease, which the worker renews while the job runs.
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(55)
    }
}
