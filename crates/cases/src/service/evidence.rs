//! The cases block's signed evidence (JWS by the platform key, see docs/audit.md): the
//! submission record, whose JWS is kept in `applications.submission_signature`, and the
//! statement issued with a result document, kept in `result_evidence`.

use crate::model::Application;
use crate::CasesError;
use chrono::{DateTime, SecondsFormat, Utc};
use portico_audit::SigningKey;
use portico_core::clock::to_millis;
use portico_store::{Db, Tx};
use sha2::{Digest, Sha256};

/// What the result statement says: the application, its tracking number, the administration,
/// the decision (the state the case was decided into), when, and the document's SHA-256.
pub fn result_statement(
    app: &Application,
    document: &[u8],
    issued_at: DateTime<Utc>,
) -> serde_json::Value {
    serde_json::json!({
        "type": "portico.result",
        "application": app.id,
        "tracking_number": app.tracking_number,
        "administration": app.administration_id,
        "service": app.service_id,
        "decision": app.state,
        "issued_at": issued_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "document_sha256": hex::encode(Sha256::digest(document)),
    })
}

/// Signs the statement for a result document and keeps it with the case, in the caller's
/// transaction (the one that sets the result). Returns the JWS.
pub async fn issue_result(
    tx: &mut Tx,
    key: &SigningKey,
    app: &Application,
    document: &[u8],
    now: DateTime<Utc>,
) -> Result<String, CasesError> {
    let statement = result_statement(app, document, now);
    let jws = key.sign_jws(&statement)?;
    sqlx::query(
        "INSERT INTO result_evidence (application_id, document_sha256, jws, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&app.id)
    .bind(statement["document_sha256"].as_str())
    .bind(&jws)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    Ok(jws)
}

/// The signed statement of an application's result, if one was issued.
pub async fn result_jws(db: &Db, application_id: &str) -> Result<Option<String>, CasesError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT jws FROM result_evidence WHERE application_id = $1")
            .bind(application_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|r| r.0))
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
        applications::submit(&mut tx, &draft.id, "alice", &routing, &key, now)
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
        let document = b"RESULT".to_vec();
        let at = Utc::now();
        let mut tx = t.db.begin().await.unwrap();
        let jws = issue_result(&mut tx, &key, &app, &document, at)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(result_jws(&t.db, &app.id).await.unwrap(), Some(jws.clone()));
        let stated = key.verify_jws(&jws, Utc::now()).unwrap().payload;
        assert_eq!(stated["application"], app.id.as_str());
        assert_eq!(
            stated["tracking_number"].as_str(),
            app.tracking_number.as_deref()
        );
        assert_eq!(stated["administration"], "adm-1");
        assert_eq!(stated["decision"], app.state.as_str());
        assert_eq!(
            stated["document_sha256"],
            hex::encode(Sha256::digest(&document)).as_str()
        );
        assert!(stated["issued_at"].as_str().is_some());
    }
}
