//! Large CSV files (over [`super::MAX_UPLOAD_BYTES`], up to
//! [`super::MAX_STREAMED_UPLOAD_BYTES`]): received as a stream ([`Receiving`]), written to the
//! blob store in parts and checked as the bytes come (UTF-8, the header, the same number of
//! fields on every row, each column's type), so a bad file is refused with its line before
//! anything is kept; then loaded into the datastore by a job ([`LOAD_JOB`]) in steps, each
//! step one transaction that inserts the next rows and records how far it got
//! (`opendata_loads`), so the resource's page can say "loading, N of M rows" and a step cut off
//! is done again from the last one's end. Only the last step describes the table, so nothing
//! is queryable half-loaded. Nothing holds the whole file: the reader is `csv`'s, on a blocking
//! thread, fed the file's pieces through a channel.

use super::datastore::{self, Columns};
use super::files;
use super::OpenData;
use crate::error::{OpenDataError, Problem};
use bytes::Bytes;
use futures::StreamExt;
use portico_audit::Event;
use portico_core::Actor;
use portico_store::blobs::BlobWriter;
use portico_store::jobs::{self, JobHandler, NewJob};
use portico_store::Tx;
use tokio::sync::mpsc;

/// The job that loads the next rows of a resource's file.
pub const LOAD_JOB: &str = "opendata.load_csv";
/// The most rows one step inserts.
const STEP_ROWS: usize = 50_000;
/// How long a step goes on inserting before it commits and leaves the rest to the next one.
/// A step must end well within half the job's lease (the lease is 60 s, `jobs::WorkerOptions`;
/// the handler's timeout, [`STEP_TIMEOUT`], is under half of it): it stops after
/// [`STEP_ROWS`] rows or this long, whichever comes first, checked after every batch (at most
/// 1,000 rows), then commits. On SQLite the step's transaction holds the one writer, so every
/// other write of the platform waits for it: there it is kept short.
fn step_time(backend: portico_store::Backend) -> std::time::Duration {
    match backend {
        portico_store::Backend::Sqlite => std::time::Duration::from_secs(2),
        portico_store::Backend::Postgres => std::time::Duration::from_secs(8),
    }
}
/// The handler's timeout: a step cut off by it is failed and done again from the last one's
/// end. Under half the 60 s lease (the worker would cut it to that anyway).
const STEP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(25);

/// Where a load is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadState {
    Queued,
    Loading,
    Done,
    Failed,
}

impl LoadState {
    pub fn as_str(self) -> &'static str {
        match self {
            LoadState::Queued => "queued",
            LoadState::Loading => "loading",
            LoadState::Done => "done",
            LoadState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> LoadState {
        match s {
            // Every row is in and the indexes are being built: still loading to a reader.
            "loading" | INDEXING => LoadState::Loading,
            "done" => LoadState::Done,
            "failed" => LoadState::Failed,
            _ => LoadState::Queued,
        }
    }
}

/// A resource's load, as its page and the API show it.
#[derive(Debug, Clone)]
pub struct Load {
    pub state: LoadState,
    pub rows: i64,
    pub total_rows: i64,
    /// How far into the file the rows loaded so far go, and the file's size.
    pub bytes: i64,
    pub total_bytes: i64,
    /// Why it failed: a message code.
    pub problem: Option<String>,
    /// The job of the next step, when one was queued.
    job_id: Option<String>,
}

/// Why a load failed when its job gave up: its last attempt failed (a database error each
/// time, or cut off), or the worker running it stopped.
pub const STOPPED: &str = "load.stopped";

/// The load of a resource's file, if it was loaded by the job. A load still waiting or
/// loading whose job is dead (its attempts used up) or gone is failed ([`STOPPED`]).
pub async fn of_resource(
    db: &portico_store::Db,
    resource_id: &str,
) -> Result<Option<Load>, OpenDataError> {
    type Row = (
        String,
        i64,
        i64,
        i64,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT l.state, l.rows, l.total_rows, l.offset_bytes, l.problem, l.job_id, r.size \
         FROM opendata_loads l JOIN opendata_resources r ON r.id = l.resource_id \
         WHERE l.resource_id = $1",
    )
    .bind(resource_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((state, rows, total_rows, bytes, problem, job_id, size)) = row else {
        return Ok(None);
    };
    let mut load = Load {
        state: LoadState::parse(&state),
        rows,
        total_rows,
        bytes,
        total_bytes: size.unwrap_or(0),
        problem,
        job_id,
    };
    if matches!(load.state, LoadState::Queued | LoadState::Loading) {
        if let Some(job) = &load.job_id {
            let given_up = jobs::status(db, job)
                .await?
                .is_none_or(|s| s.status == "dead");
            if given_up {
                load.state = LoadState::Failed;
                load.problem = Some(STOPPED.to_owned());
            }
        }
    }
    Ok(Some(load))
}

/// A `std::io::Read` over pieces of a file that come through a channel, without a UTF-8
/// byte-order mark at its start.
pub(super) struct Pieces {
    rx: mpsc::Receiver<Bytes>,
    current: Bytes,
    at_start: bool,
    /// The mark was there and taken off (the reader's offsets are 3 bytes short).
    stripped: bool,
}

impl Pieces {
    pub(super) fn new(rx: mpsc::Receiver<Bytes>, at_start: bool) -> Pieces {
        Pieces {
            rx,
            current: Bytes::new(),
            at_start,
            stripped: false,
        }
    }
}

impl std::io::Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(piece) => self.current = piece,
                None => return Ok(0),
            }
            // The mark is looked for in the first piece (a piece may be the mark alone).
            if std::mem::take(&mut self.at_start) && self.current.starts_with(b"\xEF\xBB\xBF") {
                let _ = self.current.split_to(3);
                self.stripped = true;
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// What the check of a streamed CSV found: its columns and how many rows it has.
#[derive(Debug, Clone)]
pub struct Checked {
    pub columns: Columns,
    pub rows: i64,
}

/// Reads a whole CSV from `pieces` as `files::check` would: the header, then every row, each
/// widening its columns' types. The first problem ends it, with its line.
fn check_csv(pieces: Pieces) -> Result<Checked, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(pieces);
    let header = reader
        .headers()
        .map_err(|e| files::csv_problem(&e))?
        .clone();
    files::check_header(&header)?;
    let mut columns = Columns::of_header(&header);
    let mut record = csv::StringRecord::new();
    let mut rows = 0;
    while reader
        .read_record(&mut record)
        .map_err(|e| files::csv_problem(&e))?
    {
        columns.widen(&record);
        rows += 1;
    }
    if rows == 0 {
        return Err(Problem::new("upload", "upload.empty"));
    }
    Ok(Checked { columns, rows })
}

/// What the check of a large file found, by its format.
#[derive(Debug, Clone)]
pub enum Content {
    /// A CSV: loaded into the datastore by the load's job.
    Csv(Checked),
    /// JSON that parses: kept as it is.
    Json,
    /// A GeoJSON FeatureCollection with this many features: indexed by a job
    /// ([`super::features_load::INDEX_JOB`]).
    GeoJson(u64),
}

/// A large file (CSV, JSON or GeoJSON) being received: written to the blob store and checked
/// as its pieces come.
pub struct Receiving {
    writer: BlobWriter,
    feed: mpsc::Sender<Bytes>,
    check: tokio::task::JoinHandle<Result<Content, Problem>>,
    size: u64,
}

impl std::fmt::Debug for Receiving {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Receiving({} bytes)", self.size)
    }
}

/// A received and checked file, stored under its key.
#[derive(Debug, Clone)]
pub struct Stored {
    pub key: String,
    pub size: u64,
    pub content: Content,
}

impl Stored {
    pub fn format(&self) -> files::Format {
        match self.content {
            Content::Csv(_) => files::Format::Csv,
            Content::Json => files::Format::Json,
            Content::GeoJson(_) => files::Format::GeoJson,
        }
    }
}

impl Receiving {
    /// Starts receiving a file of `format`: CSV, JSON or GeoJSON (XLSX cannot be read before
    /// its end, where a ZIP file keeps its directory).
    pub async fn start(ctx: &OpenData, format: files::Format) -> Result<Receiving, OpenDataError> {
        let (feed, rx) = mpsc::channel(4);
        let check = tokio::task::spawn_blocking(move || {
            let pieces = Pieces::new(rx, true);
            match format {
                files::Format::Json => {
                    super::json_stream::check_json(pieces).map(|()| Content::Json)
                }
                files::Format::GeoJson => {
                    super::json_stream::features(pieces, &mut |_| true).map(Content::GeoJson)
                }
                _ => check_csv(pieces).map(Content::Csv),
            }
        });
        Ok(Receiving {
            writer: ctx.blobs.writer().await?,
            feed,
            check,
            size: 0,
        })
    }

    /// Takes the next piece. A file over the limit, or one the check found wrong (with its
    /// line), is refused: the caller then [`abort`](Receiving::abort)s.
    pub async fn write(&mut self, piece: Bytes) -> Result<(), OpenDataError> {
        self.size += piece.len() as u64;
        if self.size > super::MAX_STREAMED_UPLOAD_BYTES {
            return Err(OpenDataError::invalid(
                "upload",
                "upload.too_large_streamed",
            ));
        }
        self.writer.write(&piece).await?;
        if self.feed.send(piece).await.is_err() {
            // The check stopped before the end of the file: it found a problem.
            return Err(self.problem().await);
        }
        Ok(())
    }

    async fn problem(&mut self) -> OpenDataError {
        match (&mut self.check).await {
            Ok(Err(p)) => OpenDataError::Invalid(vec![p]),
            Ok(Ok(_)) => OpenDataError::Internal("the check ended before the file".into()),
            Err(e) => OpenDataError::Internal(format!("the check of an upload: {e}")),
        }
    }

    /// The file has ended: stored under its key when the check found it good, else nothing
    /// is kept and the problem is returned.
    pub async fn finish(self) -> Result<Stored, OpenDataError> {
        let Receiving {
            writer,
            feed,
            check,
            size,
        } = self;
        drop(feed);
        let content = match check.await {
            Ok(Ok(content)) => content,
            Ok(Err(p)) => {
                abort(writer).await;
                return Err(OpenDataError::Invalid(vec![p]));
            }
            Err(e) => {
                abort(writer).await;
                return Err(OpenDataError::Internal(format!(
                    "the check of an upload: {e}"
                )));
            }
        };
        let key = writer.finish().await?;
        Ok(Stored { key, size, content })
    }

    /// Gives the file up: nothing of it stays stored.
    pub async fn abort(self) {
        drop(self.feed);
        abort(self.writer).await;
    }
}

async fn abort(writer: BlobWriter) {
    if let Err(e) = writer.abort().await {
        tracing::warn!(error = %e, "a refused upload could not be removed from the blob store");
    }
}

/// Queues the load of a stored file into the resource's table, in the transaction that adds
/// the resource.
pub async fn queue(
    ctx: &OpenData,
    tx: &mut Tx,
    resource_id: &str,
    checked: &Checked,
) -> Result<(), OpenDataError> {
    let job = jobs::enqueue(tx, step_job(ctx, resource_id, 0, None), ctx.clock.now()).await?;
    sqlx::query(
        "INSERT INTO opendata_loads (resource_id, state, rows, total_rows, offset_bytes, fields, \
         problem, updated_at, job_id) VALUES ($1, 'queued', 0, $2, 0, $3, NULL, $4, $5)",
    )
    .bind(resource_id)
    .bind(checked.rows)
    .bind(serde_json::to_string(&checked.columns)?)
    .bind(ctx.now_millis())
    .bind(job)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What the reader of a step hands over: rows with the file's byte offset after them.
enum Parsed {
    Rows(Vec<csv::StringRecord>, u64),
    Broken(Problem),
}

/// Reads records from `pieces` (the file from byte `offset`; at 0 its header first) and hands
/// them over in batches of `batch`, each with the offset of the next record, until the file
/// ends, `most` rows are read or the receiver is gone.
fn read_rows(pieces: Pieces, offset: u64, batch: usize, most: usize, out: &mpsc::Sender<Parsed>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(offset == 0)
        .flexible(false)
        .from_reader(pieces);
    if offset == 0 && reader.headers().is_err() {
        let _ = out.blocking_send(Parsed::Broken(Problem::new("upload", "load.broken")));
        return;
    }
    let mut rows = Vec::with_capacity(batch);
    let mut read = 0;
    loop {
        let mut record = csv::StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(true) => {
                rows.push(record);
                read += 1;
            }
            Ok(false) => break,
            Err(e) => {
                let _ = out.blocking_send(Parsed::Broken(files::csv_problem(&e)));
                return;
            }
        }
        if rows.len() == batch || read == most {
            let at = next_offset(offset, &reader);
            if out
                .blocking_send(Parsed::Rows(std::mem::take(&mut rows), at))
                .is_err()
                || read == most
            {
                return;
            }
        }
    }
    if !rows.is_empty() {
        let at = next_offset(offset, &reader);
        let _ = out.blocking_send(Parsed::Rows(rows, at));
    }
}

/// The file's byte offset of the reader's next record (counting a byte-order mark it did not see).
fn next_offset(offset: u64, reader: &csv::Reader<Pieces>) -> u64 {
    let bom = if reader.get_ref().stripped { 3 } else { 0 };
    offset + bom + reader.position().byte()
}

/// Where a step's writes go: on SQLite the platform's transaction with its batched inserts; on
/// PostgreSQL a transaction of PostgreSQL's own driver, whose `COPY` loads the rows
/// ([`portico_store::Db::begin_postgres`]). Either way the rows, the load's new count and the
/// next step's job are one transaction.
enum Writes {
    Any(Tx),
    Postgres(portico_store::PgTx),
}

impl Writes {
    async fn begin(db: &portico_store::Db) -> Result<Writes, OpenDataError> {
        Ok(match db.begin_postgres().await? {
            Some(pg) => Writes::Postgres(pg),
            None => Writes::Any(db.begin().await?),
        })
    }

    /// Runs a statement without parameters (the table dropped, made).
    async fn run(&mut self, sql: &str) -> Result<(), OpenDataError> {
        match self {
            Writes::Any(tx) => {
                sqlx::query(sql).execute(&mut **tx).await?;
            }
            Writes::Postgres(tx) => {
                sqlx::query(sql).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// Takes the load for a step that goes on from `done` rows: false when it is no longer
    /// there (another step went on from it, or the load was restarted). On PostgreSQL the row
    /// stays locked until the end of the step, so a step run twice at once waits for the other
    /// and then finds the load gone on.
    async fn claim(
        &mut self,
        resource_id: &str,
        done: i64,
        now: i64,
    ) -> Result<bool, OpenDataError> {
        const CLAIM: &str = "UPDATE opendata_loads SET updated_at = $3 WHERE resource_id = $1 \
             AND rows = $2 AND state IN ('queued', 'loading')";
        let n = match self {
            Writes::Any(tx) => sqlx::query(CLAIM)
                .bind(resource_id)
                .bind(done)
                .bind(now)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Writes::Postgres(tx) => sqlx::query(CLAIM)
                .bind(resource_id)
                .bind(done)
                .bind(now)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        };
        Ok(n == 1)
    }

    async fn insert(
        &mut self,
        resource_id: &str,
        types: &[datastore::FieldType],
        first_id: i64,
        rows: &[csv::StringRecord],
    ) -> Result<(), OpenDataError> {
        match self {
            Writes::Any(tx) => datastore::insert_rows(tx, resource_id, types, first_id, rows).await,
            Writes::Postgres(tx) => {
                let data = datastore::copy_text(types, first_id, rows);
                tx.copy_in(&datastore::copy_statement(resource_id, types.len()), &data)
                    .await?;
                Ok(())
            }
        }
    }

    async fn enqueue(
        &mut self,
        job: NewJob,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<String, OpenDataError> {
        Ok(match self {
            Writes::Any(tx) => jobs::enqueue(tx, job, now).await?,
            Writes::Postgres(tx) => jobs::enqueue_postgres(tx, job, now).await?,
        })
    }

    /// Records where the load is after the step: false when it had moved meanwhile.
    async fn advance(
        &mut self,
        resource_id: &str,
        state: &str,
        (rows, at): (i64, u64),
        now: i64,
        job: Option<String>,
        done: i64,
    ) -> Result<bool, OpenDataError> {
        const ADVANCE: &str =
            "UPDATE opendata_loads SET state = $2, rows = $3, offset_bytes = $4, \
             updated_at = $5, job_id = $6, indexes = 0 \
             WHERE resource_id = $1 AND rows = $7 AND state IN ('queued', 'loading')";
        let at = i64::try_from(at).unwrap_or(i64::MAX);
        let n = match self {
            Writes::Any(tx) => sqlx::query(ADVANCE)
                .bind(resource_id)
                .bind(state)
                .bind(rows)
                .bind(at)
                .bind(now)
                .bind(job)
                .bind(done)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Writes::Postgres(tx) => sqlx::query(ADVANCE)
                .bind(resource_id)
                .bind(state)
                .bind(rows)
                .bind(at)
                .bind(now)
                .bind(job)
                .bind(done)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        };
        Ok(n == 1)
    }

    async fn commit(self) -> Result<(), OpenDataError> {
        match self {
            Writes::Any(tx) => tx.commit().await?,
            Writes::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// The job of the step that goes on from `rows` rows loaded, or (with `index`) that builds
/// index `index` of the loaded table.
fn step_job(ctx: &OpenData, resource_id: &str, rows: i64, index: Option<i64>) -> NewJob {
    let mut payload = serde_json::json!({ "resource_id": resource_id, "rows": rows });
    if let Some(k) = index {
        payload["index"] = k.into();
    }
    NewJob::now(LOAD_JOB, payload, ctx.clock.now())
}

/// One step of a load: the next rows; once every row is in, one index of the table a step
/// (`index`, [`datastore::index_steps`] of them), then the table described and the resource
/// marked loaded. True when another step is needed. `from`: the rows loaded when the step was
/// queued; a step queued at another point than where the load is now (a step done twice, a
/// load restarted since) does nothing, and a step commits only if no other one went on from
/// the same point meanwhile, so no row goes in twice and no index step is done twice.
pub async fn step(
    ctx: &OpenData,
    resource_id: &str,
    from: Option<i64>,
    index: Option<i64>,
) -> Result<bool, OpenDataError> {
    let row: Option<(String, i64, i64, i64, String, i64)> = sqlx::query_as(
        "SELECT state, rows, total_rows, offset_bytes, fields, indexes FROM opendata_loads \
         WHERE resource_id = $1",
    )
    .bind(resource_id)
    .fetch_optional(ctx.db.pool())
    .await?;
    let Some((state, done, total, offset, fields, indexes)) = row else {
        return Ok(false);
    };
    if from.is_some_and(|f| f != done) {
        return Ok(false);
    }
    let columns: Columns = serde_json::from_str(&fields)?;
    match (state.as_str(), index) {
        (INDEXING, Some(k)) if k == indexes => {
            return index_step(ctx, resource_id, done, k, &columns).await;
        }
        ("queued" | "loading", None) => {}
        _ => return Ok(false),
    }
    let resource = super::resources::get(&ctx.db, resource_id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    let key = resource.blob_key.clone().unwrap_or_default();
    let offset = u64::try_from(offset).unwrap_or(0);
    let Some(mut file) = ctx.blobs.get_stream_from(&key, offset).await? else {
        fail(ctx, resource_id, "load.file_missing").await?;
        return Ok(false);
    };
    // The file's pieces go to the reader on a blocking thread; its rows come back in batches.
    let (feed, pieces) = mpsc::channel::<Bytes>(4);
    let pump = tokio::spawn(async move {
        while let Some(piece) = file.next().await {
            // The reader gone (the step has what it takes) ends the pumping too.
            if feed.send(piece?).await.is_err() {
                break;
            }
        }
        Ok::<(), portico_store::StoreError>(())
    });
    let batch = datastore::batch_rows(&columns);
    let (out, mut parsed) = mpsc::channel::<Parsed>(2);
    let reader = tokio::task::spawn_blocking(move || {
        read_rows(
            Pieces::new(pieces, offset == 0),
            offset,
            batch,
            STEP_ROWS,
            &out,
        );
    });
    let started = std::time::Instant::now();
    let budget = step_time(ctx.db.backend());
    let mut tx = Writes::begin(&ctx.db).await?;
    if !tx.claim(resource_id, done, ctx.now_millis()).await? {
        return Ok(false);
    }
    if done == 0 {
        for sql in datastore::drop_table_sql(resource_id) {
            tx.run(&sql).await?;
        }
        tx.run(&datastore::create_table_sql(
            ctx.db.backend(),
            resource_id,
            &columns,
        ))
        .await?;
    }
    let mut rows = done;
    let mut at = offset;
    let mut broken = None;
    while let Some(p) = parsed.recv().await {
        match p {
            Parsed::Rows(batch_rows, next) => {
                tx.insert(resource_id, &columns.types, rows + 1, &batch_rows)
                    .await?;
                rows += batch_rows.len() as i64;
                at = next;
            }
            Parsed::Broken(problem) => {
                broken = Some(problem);
                break;
            }
        }
        if started.elapsed() > budget {
            break;
        }
    }
    drop(parsed);
    let _ = reader.await;
    if let Ok(Err(e)) = pump.await {
        return Err(e.into());
    }
    if broken.is_some() {
        // The file was checked when it came; changed since, it is not loaded at all.
        drop(tx);
        drop_after_failure(ctx, resource_id).await?;
        fail(ctx, resource_id, "load.broken").await?;
        return Ok(false);
    }
    let finished = rows >= total || at >= resource.size.map_or(0, |s| s as u64);
    // Every row in, the indexes are built next, a step each.
    let job = tx
        .enqueue(
            step_job(ctx, resource_id, rows, finished.then_some(0)),
            ctx.clock.now(),
        )
        .await?;
    let state = if finished { INDEXING } else { "loading" };
    if !tx
        .advance(
            resource_id,
            state,
            (rows, at),
            ctx.now_millis(),
            Some(job),
            done,
        )
        .await?
    {
        // Another step went on from the same point first (or the load was restarted): this
        // one's rows are not kept.
        drop(tx);
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// The state of a load whose rows are all in while its indexes are built.
const INDEXING: &str = "indexing";

/// Builds index `k` of a loaded table, or after the last one describes the table and marks the
/// resource loaded, in one transaction with the load's count of indexes built (and the next
/// step's job). Only the step the load is at does anything: one run twice, or queued before a
/// restart, finds the count gone on. An index already there (built before the load failed and
/// was started again) is left as it is and the step moves on.
async fn index_step(
    ctx: &OpenData,
    resource_id: &str,
    rows: i64,
    k: i64,
    columns: &Columns,
) -> Result<bool, OpenDataError> {
    let backend = ctx.db.backend();
    let mut tx = ctx.db.begin().await?;
    let claimed = sqlx::query(
        "UPDATE opendata_loads SET updated_at = $3 WHERE resource_id = $1 AND state = $4 \
         AND indexes = $2 AND rows = $5",
    )
    .bind(resource_id)
    .bind(k)
    .bind(ctx.now_millis())
    .bind(INDEXING)
    .bind(rows)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(false);
    }
    if k < datastore::index_steps(columns) {
        datastore::build_index(&mut tx, backend, resource_id, columns, k).await?;
        let job = jobs::enqueue(
            &mut tx,
            step_job(ctx, resource_id, rows, Some(k + 1)),
            ctx.clock.now(),
        )
        .await?;
        sqlx::query("UPDATE opendata_loads SET indexes = $2, job_id = $3 WHERE resource_id = $1")
            .bind(resource_id)
            .bind(k + 1)
            .bind(job)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(true);
    }
    datastore::describe_fields(&mut tx, resource_id, columns).await?;
    sqlx::query("UPDATE opendata_resources SET datastore_rows = $2 WHERE id = $1")
        .bind(resource_id)
        .bind(rows)
        .execute(&mut *tx)
        .await?;
    super::index::touch(&mut tx).await?;
    sqlx::query(
        "UPDATE opendata_loads SET state = 'done', job_id = NULL, updated_at = $2 \
         WHERE resource_id = $1",
    )
    .bind(resource_id)
    .bind(ctx.now_millis())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(false)
}

/// Starts a failed load again, for its publisher: from where its last step ended when the
/// resource's table holds exactly the rows counted so far, otherwise from the start (the table
/// made anew by the first step). One transaction with its audit entry; the rows it goes on
/// from. A load that has not failed is left as it is ("load.not_failed").
pub async fn restart(
    ctx: &OpenData,
    actor: &Actor,
    resource_id: &str,
) -> Result<i64, OpenDataError> {
    let r = super::resources::get(&ctx.db, resource_id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    let d = super::datasets::get(&ctx.db, &r.dataset_id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    super::publisher::require(actor, &d.administration_id)?;
    let load = of_resource(&ctx.db, resource_id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    if load.state != LoadState::Failed {
        return Err(OpenDataError::invalid("load", "load.not_failed"));
    }
    let kept = match load.rows {
        0 => None,
        _ => datastore::count_rows(&ctx.db, resource_id).await.ok(),
    };
    let (from, offset) = if kept == Some(load.rows) {
        (load.rows, load.bytes)
    } else {
        (0, 0)
    };
    let mut tx = ctx.db.begin().await?;
    // Every row in, it goes on with the indexes (those built before are found there).
    let indexing = from > 0 && from >= load.total_rows;
    let job = jobs::enqueue(
        &mut tx,
        step_job(ctx, resource_id, from, indexing.then_some(0)),
        ctx.clock.now(),
    )
    .await?;
    let restarted = sqlx::query(
        "UPDATE opendata_loads SET state = $2, rows = $3, offset_bytes = $4, problem = NULL, \
         job_id = $5, updated_at = $6, indexes = 0 \
         WHERE resource_id = $1 AND rows = $7 AND COALESCE(job_id, '') = $8",
    )
    .bind(resource_id)
    .bind(match from {
        0 => "queued",
        _ if indexing => INDEXING,
        _ => "loading",
    })
    .bind(from)
    .bind(offset)
    .bind(&job)
    .bind(ctx.now_millis())
    .bind(load.rows)
    .bind(load.job_id.clone().unwrap_or_default())
    .execute(&mut *tx)
    .await?;
    if restarted.rows_affected() != 1 {
        // Started again by someone else meanwhile.
        return Err(OpenDataError::invalid("load", "load.not_failed"));
    }
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "opendata.load_restarted", resource_id)
            .in_administration(&d.administration_id)
            .with(serde_json::json!({
                "dataset": d.name,
                "from_rows": from,
                "problem": load.problem,
            })),
        ctx.clock.now(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        resource_id,
        from,
        "opendata: a failed load was started again"
    );
    Ok(from)
}

async fn drop_after_failure(ctx: &OpenData, resource_id: &str) -> Result<(), OpenDataError> {
    let mut tx = ctx.db.begin().await?;
    datastore::drop_table(&mut tx, resource_id).await?;
    tx.commit().await?;
    Ok(())
}

async fn fail(ctx: &OpenData, resource_id: &str, code: &str) -> Result<(), OpenDataError> {
    sqlx::query(
        "UPDATE opendata_loads SET state = 'failed', problem = $2, updated_at = $3 \
         WHERE resource_id = $1",
    )
    .bind(resource_id)
    .bind(code)
    .bind(ctx.now_millis())
    .execute(ctx.db.pool())
    .await?;
    tracing::warn!(resource_id, code, "opendata: a load failed");
    Ok(())
}

/// The job: one step of a resource's load (the next is queued by the step itself).
pub struct LoadJob {
    pub ctx: OpenData,
}

#[async_trait::async_trait]
impl JobHandler for LoadJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let Some(id) = payload.get("resource_id").and_then(|v| v.as_str()) else {
            return Ok(());
        };
        let from = payload.get("rows").and_then(serde_json::Value::as_i64);
        let index = payload.get("index").and_then(serde_json::Value::as_i64);
        step(&self.ctx, id, from, index)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn timeout(&self) -> std::time::Duration {
        STEP_TIMEOUT
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn pieces_of(text: &'static [u8], size: usize) -> Pieces {
        let (tx, rx) = mpsc::channel(1024);
        for piece in text.chunks(size) {
            tx.try_send(Bytes::from_static(piece)).unwrap();
        }
        Pieces::new(rx, true)
    }

    #[test]
    fn a_streamed_csv_is_checked_in_pieces_with_the_line_of_its_problem() {
        let good = b"\xEF\xBB\xBFname,n\n\"a,\nb\",1\nc,2.5\n";
        let checked = check_csv(pieces_of(good, 3)).unwrap();
        assert_eq!(checked.rows, 2);
        assert_eq!(checked.columns.names, vec!["name", "n"]);
        assert_eq!(
            checked.columns.types,
            vec![datastore::FieldType::Text, datastore::FieldType::Float]
        );
        let e = check_csv(pieces_of(b"a,b\n1,2\n3\n", 2)).unwrap_err();
        assert_eq!((e.code, e.line), ("upload.csv_fields", Some(3)));
        let e = check_csv(pieces_of(b"a,b\n1,2\n\xff,2\n", 5)).unwrap_err();
        assert_eq!((e.code, e.line), ("upload.encoding", Some(3)));
        let e = check_csv(pieces_of(b"a,a\n1,2\n", 5)).unwrap_err();
        assert_eq!(e.code, "upload.csv_header");
    }

    #[test]
    fn rows_are_read_in_batches_with_the_offset_of_the_next() {
        let text = b"\xEF\xBB\xBFa,b\n1,2\n3,4\n5,6\n";
        let (out, mut got) = mpsc::channel(16);
        read_rows(pieces_of(text, 4), 0, 2, usize::MAX, &out);
        let Some(Parsed::Rows(rows, at)) = got.blocking_recv() else {
            panic!("rows")
        };
        assert_eq!((rows.len(), &text[at as usize..]), (2, &b"5,6\n"[..]));
        // Going on from there reads the rest, without a header.
        let (tx, rx) = mpsc::channel(4);
        tx.try_send(Bytes::from_static(&text[at as usize..]))
            .unwrap();
        drop(tx);
        let (out, mut got) = mpsc::channel(16);
        read_rows(Pieces::new(rx, false), at, 2, usize::MAX, &out);
        let Some(Parsed::Rows(rows, end)) = got.blocking_recv() else {
            panic!("rows")
        };
        assert_eq!((rows[0].get(0), end), (Some("5"), text.len() as u64));
    }

    #[test]
    fn a_step_ends_by_its_row_bound_with_the_offset_of_the_next_row() {
        // Seven rows, batches of two, at most five rows a step: 2 + 2 + 1, then nothing more.
        let text = b"a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n13,14\n";
        let (out, mut got) = mpsc::channel(16);
        read_rows(pieces_of(text, 3), 0, 2, 5, &out);
        drop(out);
        let mut sizes = Vec::new();
        let mut last = 0;
        while let Some(p) = got.blocking_recv() {
            let Parsed::Rows(rows, at) = p else {
                panic!("rows")
            };
            sizes.push(rows.len());
            last = at;
        }
        assert_eq!(sizes, [2, 2, 1]);
        // The next step begins at the sixth row.
        assert_eq!(&text[last as usize..], b"11,12\n13,14\n");
    }
}
