//! The cases block's signed evidence (JWS by the platform key, see docs/audit.md): the
//! submission record, whose JWS is kept in `applications.submission_signature`, and the
//! statement issued with a result document, kept in `result_evidence`.

use crate::model::Application;
use crate::service::results::ResultDocument;
use crate::CasesError;
use chrono::{DateTime, SecondsFormat, Utc};
use portico_audit::SigningKey;
use portico_core::clock::to_millis;
use portico_store::{Db, Tx};
use sha2::{Digest, Sha256};

/// What the result statement says: the application, its tracking number, the administration,
/// the decision (the state the case is decided into), when, the document's SHA-256 and media
/// type, and the verification code printed on it (`null` for the plain-text results issued
/// before documents were PDFs).
pub fn result_statement(
    app: &Application,
    decision: &str,
    document: &[u8],
    media_type: &str,
    verification_code: Option<&str>,
    issued_at: DateTime<Utc>,
) -> serde_json::Value {
    serde_json::json!({
        "type": "portico.result",
        "application": app.id,
        "tracking_number": app.tracking_number,
        "administration": app.administration_id,
        "service": app.service_id,
        "decision": decision,
        "issued_at": issued_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "document_sha256": hex::encode(Sha256::digest(document)),
        "document_media_type": media_type,
        "verification_code": verification_code,
    })
}

/// Keeps a signed result with its case, in the caller's transaction (the one that sets the
/// result).
pub async fn record_result(
    tx: &mut Tx,
    application_id: &str,
    document: &ResultDocument,
    now: DateTime<Utc>,
) -> Result<(), CasesError> {
    sqlx::query(
        "INSERT INTO result_evidence (application_id, document_sha256, jws, created_at, media_type, verification_code)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(application_id)
    .bind(&document.sha256)
    .bind(&document.jws)
    .bind(to_millis(now))
    .bind(&document.media_type)
    .bind(&document.verification_code)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What the platform keeps about an issued result.
#[derive(Debug, Clone)]
pub struct ResultRecord {
    pub application_id: String,
    pub document_sha256: String,
    pub jws: String,
    /// `None` for the plain-text results issued before PDFs.
    pub media_type: Option<String>,
    pub verification_code: Option<String>,
    pub issued_at: DateTime<Utc>,
}

type ResultRow = (String, String, String, Option<String>, Option<String>, i64);

const RESULT_COLUMNS: &str =
    "application_id, document_sha256, jws, media_type, verification_code, created_at";

fn record_from(row: ResultRow) -> ResultRecord {
    let (application_id, document_sha256, jws, media_type, verification_code, at) = row;
    ResultRecord {
        application_id,
        document_sha256,
        jws,
        media_type,
        verification_code,
        issued_at: portico_core::clock::from_millis(at),
    }
}

/// The record of an application's result, if one was issued.
pub async fn result_record(
    db: &Db,
    application_id: &str,
) -> Result<Option<ResultRecord>, CasesError> {
    let sql = format!("SELECT {RESULT_COLUMNS} FROM result_evidence WHERE application_id = $1");
    let row: Option<ResultRow> = sqlx::query_as(&sql)
        .bind(application_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(record_from))
}

/// The result issued under a verification code.
pub async fn result_by_code(db: &Db, code: &str) -> Result<Option<ResultRecord>, CasesError> {
    let sql = format!("SELECT {RESULT_COLUMNS} FROM result_evidence WHERE verification_code = $1");
    let row: Option<ResultRow> = sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(record_from))
}

/// The results whose document has this SHA-256 (one, unless the same bytes were issued twice).
pub async fn results_by_hash(db: &Db, sha256: &str) -> Result<Vec<ResultRecord>, CasesError> {
    let sql = format!(
        "SELECT {RESULT_COLUMNS} FROM result_evidence WHERE document_sha256 = $1 ORDER BY created_at"
    );
    let rows: Vec<ResultRow> = sqlx::query_as(&sql)
        .bind(sha256)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(record_from).collect())
}

/// The signed statement of an application's result, if one was issued.
pub async fn result_jws(db: &Db, application_id: &str) -> Result<Option<String>, CasesError> {
    Ok(result_record(db, application_id).await?.map(|r| r.jws))
}

/// The submission record's JWS, if the application has one (records signed before evidence
/// became JWS hold a raw Ed25519 signature instead: see [`verify_submission`]).
pub fn submission_jws(app: &Application) -> Option<&str> {
    app.submission_signature
        .as_deref()
        .filter(|s| portico_audit::jws::is_compact_jws(s))
}

/// Checks a submission record against what the case keeps: its SHA-256 is the stored hash, and
/// the stored signature (a JWS over exactly these bytes, or the raw Ed25519 signature of records
/// made before JWS) is the platform's.
pub fn verify_submission(
    key: &SigningKey,
    app: &Application,
    record: &[u8],
    now: DateTime<Utc>,
) -> Result<(), CasesError> {
    let (Some(hash), Some(signature)) = (&app.submission_hash, &app.submission_signature) else {
        return Err(CasesError::NotFound);
    };
    if hex::encode(Sha256::digest(record)) != *hash {
        return Err(CasesError::Audit(
            portico_audit::AuditError::InvalidEvidence(
                "the record's SHA-256 is not the one the case keeps".into(),
            ),
        ));
    }
    Ok(key.verify_record(record, signature, now)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::ServiceInfo;
    use crate::service::applications::{self, Routing};
    use portico_store::testdb;

    /// A submitted application on a fresh database; returns the database, the key and the case.
    async fn submitted() -> (testdb::TestDb, SigningKey, Application) {
        let t = testdb::fresh(&[
            portico_store::MIGRATIONS,
            portico_audit::MIGRATIONS,
            crate::MIGRATIONS,
        ])
        .await
        .unwrap();
        let key = SigningKey::generate();
        let now = Utc::now();
        let service = ServiceInfo {
            id: "svc-1".into(),
            administration_id: "adm-1".into(),
            process_key: "address_registration".into(),
            state_deadlines: Default::default(),
        };
        let mut tx = t.db.begin().await.unwrap();
        let draft = applications::start_draft(
            &mut tx,
            "alice",
            &service,
            "form-v1",
            serde_json::json!({ "address": "ул. Шипка 1" }),
            now,
        )
        .await
        .unwrap();
        let routing = Routing {
            unit_id: None,
            deadline_working_days: 7,
            consents: &[],
        };
        applications::submit(&mut tx, &draft, "alice", &routing, &key, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let app = applications::get(&t.db, &draft.id).await.unwrap().unwrap();
        (t, key, app)
    }

    #[tokio::test]
    async fn the_submission_record_is_a_jws_over_the_hashed_record() {
        let (_t, key, app) = submitted().await;
        let jws = submission_jws(&app).unwrap();
        let verified = key.verify_jws(jws, Utc::now()).unwrap();
        assert_eq!(
            Some(hex::encode(Sha256::digest(&verified.payload_bytes))),
            app.submission_hash
        );
        assert_eq!(verified.payload["data"]["address"], "ул. Шипка 1");
        assert_eq!(
            verified.payload["tracking_number"].as_str(),
            app.tracking_number.as_deref()
        );
        verify_submission(&key, &app, &verified.payload_bytes, Utc::now()).unwrap();
        assert!(verify_submission(&key, &app, b"{}", Utc::now()).is_err());
    }

    #[tokio::test]
    async fn a_record_signed_before_jws_still_verifies() {
        let (t, key, app) = submitted().await;
        let record = portico_audit::jws::unverified_payload(submission_jws(&app).unwrap()).unwrap();
        // What earlier versions stored: a raw Ed25519 signature over the record.
        sqlx::query("UPDATE applications SET submission_signature = $1 WHERE id = $2")
            .bind(key.sign(&record))
            .bind(&app.id)
            .execute(t.db.pool())
            .await
            .unwrap();
        let old = applications::get(&t.db, &app.id).await.unwrap().unwrap();
        assert_eq!(submission_jws(&old), None, "no JWS to offer for it");
        verify_submission(&key, &old, &record, Utc::now()).unwrap();
        let mut changed = record.clone();
        changed[10] ^= 1;
        assert!(verify_submission(&key, &old, &changed, Utc::now()).is_err());
        assert!(verify_submission(&SigningKey::generate(), &old, &record, Utc::now()).is_err());
    }

    #[tokio::test]
    async fn the_result_statement_names_the_case_and_the_document() {
        let (t, key, app) = submitted().await;
        let document = b"%PDF-RESULT".to_vec();
        let at = Utc::now();
        let statement = result_statement(
            &app,
            "approved",
            &document,
            "application/pdf",
            Some("ABCD"),
            at,
        );
        let result = ResultDocument {
            sha256: hex::encode(Sha256::digest(&document)),
            jws: key.sign_jws(&statement).unwrap(),
            bytes: document.clone(),
            media_type: "application/pdf".into(),
            file_name: "result.pdf".into(),
            verification_code: Some("ABCD".into()),
        };
        let mut tx = t.db.begin().await.unwrap();
        record_result(&mut tx, &app.id, &result, at).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            result_jws(&t.db, &app.id).await.unwrap(),
            Some(result.jws.clone())
        );
        let by_code = result_by_code(&t.db, "ABCD").await.unwrap().unwrap();
        assert_eq!(by_code.application_id, app.id);
        assert_eq!(by_code.media_type.as_deref(), Some("application/pdf"));
        let by_hash = results_by_hash(&t.db, &result.sha256).await.unwrap();
        assert_eq!(by_hash.len(), 1);
        assert!(result_by_code(&t.db, "ABCE").await.unwrap().is_none());
        let stated = key.verify_jws(&result.jws, Utc::now()).unwrap().payload;
        assert_eq!(stated["application"], app.id.as_str());
        assert_eq!(
            stated["tracking_number"].as_str(),
            app.tracking_number.as_deref()
        );
        assert_eq!(stated["administration"], "adm-1");
        assert_eq!(stated["decision"], "approved");
        assert_eq!(stated["verification_code"], "ABCD");
        assert_eq!(stated["document_media_type"], "application/pdf");
        assert_eq!(
            stated["document_sha256"],
            hex::encode(Sha256::digest(&document)).as_str()
        );
        assert!(stated["issued_at"].as_str().is_some());
    }
}
