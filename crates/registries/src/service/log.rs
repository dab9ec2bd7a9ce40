//! The query log: every query through the mediator, answered or refused, with its context, the
//! fields returned, its timing and outcome. Rows are only ever inserted. The subject is stored
//! as a keyed hash of their identifier (so that they, and nobody else, can find their entries),
//! never in the clear.
//!
//! Writing never stalls the exchange: queries hand their entry to one writer task per node, which
//! inserts whatever has gathered in one transaction (group commit) and tells each query once it
//! is durable. Under load one commit carries hundreds of entries; alone, a query waits for its own.

use crate::error::RegistryError;
use crate::model::LogView;
use portico_store::Db;
use tokio::sync::{mpsc, oneshot};

/// At most this many entries go into one transaction.
const BATCH: usize = 256;

/// One row of the log.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub at: i64,
    pub register_code: String,
    pub operation_code: String,
    pub version: Option<String>,
    pub administration_id: Option<String>,
    pub actor: String,
    pub employee: Option<String>,
    pub employee_role: Option<String>,
    pub legal_basis: Option<String>,
    pub service: Option<String>,
    pub case_ref: Option<String>,
    pub subject_hash: Option<String>,
    pub fields: Vec<String>,
    /// `answered` or `refused` or `failed`.
    pub outcome: &'static str,
    pub error_code: Option<&'static str>,
    pub duration_us: i64,
    pub visible_from: Option<i64>,
    pub deferral_reason: Option<String>,
}

type Pending = (Entry, oneshot::Sender<Result<(), String>>);

/// The handle queries write through (cheap to clone).
#[derive(Clone, Debug)]
pub struct QueryLog {
    tx: mpsc::UnboundedSender<Pending>,
}

impl QueryLog {
    /// Starts the writer task on the current runtime.
    pub fn start(db: Db) -> QueryLog {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer(db, rx));
        QueryLog { tx }
    }

    /// Writes one entry; returns once it is committed.
    pub async fn write(&self, entry: Entry) -> Result<(), RegistryError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send((entry, done))
            .map_err(|_| RegistryError::Log("the writer has stopped".into()))?;
        wait.await
            .map_err(|_| RegistryError::Log("the writer has stopped".into()))?
            .map_err(RegistryError::Log)
    }
}

async fn writer(db: Db, mut rx: mpsc::UnboundedReceiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let result = insert(&db, &batch).await.map_err(|e| e.to_string());
        if let Err(e) = &result {
            tracing::error!(error = %e, entries = batch.len(), "registries: the query log could not be written");
        }
        for (_, done) in batch.drain(..) {
            let _ = done.send(result.clone());
        }
    }
}

const COLUMNS: usize = 19;

async fn insert(db: &Db, batch: &[Pending]) -> Result<(), RegistryError> {
    let mut sql = String::from(
        "INSERT INTO registries_query_log (id, at, register_code, operation_code, version, \
         administration_id, actor, employee, employee_role, legal_basis, service, case_ref, \
         subject_hash, fields, outcome, error_code, duration_us, visible_from, deferral_reason) VALUES ",
    );
    for row in 0..batch.len() {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for col in 0..COLUMNS {
            if col > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", row * COLUMNS + col + 1));
        }
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for (e, _) in batch {
        query = query
            .bind(e.id.clone())
            .bind(e.at)
            .bind(e.register_code.clone())
            .bind(e.operation_code.clone())
            .bind(e.version.clone())
            .bind(e.administration_id.clone())
            .bind(e.actor.clone())
            .bind(e.employee.clone())
            .bind(e.employee_role.clone())
            .bind(e.legal_basis.clone())
            .bind(e.service.clone())
            .bind(e.case_ref.clone())
            .bind(e.subject_hash.clone())
            .bind(serde_json::to_string(&e.fields).unwrap_or_else(|_| "[]".into()))
            .bind(e.outcome)
            .bind(e.error_code)
            .bind(e.duration_us)
            .bind(e.visible_from)
            .bind(e.deferral_reason.clone());
    }
    let mut tx = db.begin().await?;
    query.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

type Row = (
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
);

/// The entries about a subject that they may see at `now`: every one not deferred, and deferred
/// ones from their date on, newest first.
pub async fn for_subject(
    db: &Db,
    subject_hash: &str,
    now: i64,
) -> Result<Vec<LogView>, RegistryError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, register_code, operation_code, administration_id, employee_role, \
         legal_basis, service, fields, outcome, deferral_reason FROM registries_query_log \
         WHERE subject_hash = $1 AND (visible_from IS NULL OR visible_from <= $2) \
         ORDER BY at DESC, id DESC",
    )
    .bind(subject_hash)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut names = std::collections::HashMap::new();
    for (
        id,
        at,
        register_code,
        operation_code,
        administration_id,
        employee_role,
        legal_basis,
        service,
        fields,
        outcome,
        deferral_reason,
    ) in rows
    {
        let (bg, en) = match &administration_id {
            Some(a) => match names.get(a) {
                Some(n) => n,
                None => {
                    let n = crate::service::catalogue::administration_name(db, a).await?;
                    names.insert(a.clone(), n);
                    &names[a]
                }
            }
            .clone(),
            None => (String::new(), String::new()),
        };
        out.push(LogView {
            id,
            at,
            register_code,
            operation_code,
            administration_id,
            administration_name_bg: bg,
            administration_name_en: en,
            employee_role,
            legal_basis,
            service,
            fields: serde_json::from_str(&fields).unwrap_or_default(),
            outcome,
            deferral_reason,
        });
    }
    Ok(out)
}
