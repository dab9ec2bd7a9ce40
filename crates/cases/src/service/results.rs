//! The result document issued when a case is decided: what was decided, for whom, when, with
//! a signed statement of its SHA-256 beside it, so anyone holding both can check it.

use crate::model::Application;
use crate::service::answers;
use crate::CasesError;
use portico_core::Lang;

/// The document's bytes. Every part of it is read, or the document is not issued: a missing
/// service, form or applicant is an error, never a blank in a signed document.
pub async fn document(cases: &super::Cases, app: &Application) -> Result<Vec<u8>, CasesError> {
    let db = &cases.db;
    let applicant = portico_identity::service::accounts::get(db, &app.applicant_id)
        .await?
        .map(|a| a.display_name())
        .ok_or_else(|| CasesError::Internal(format!("applicant of {} is missing", app.id)))?;
    let service = answers::service_of(db, app).await?;
    let particulars: Vec<String> = answers::readable_for_staff(db, app, Lang::Bg)
        .await?
        .into_iter()
        .map(|a| format!("  {}: {}", a.label, a.value))
        .collect();
    let now = cases.now();
    let body = format!(
        "РЕЗУЛТАТ ОТ АДМИНИСТРАТИВНА УСЛУГА / RESULT OF A PUBLIC SERVICE\n\n\
         {} / {}\n\
         Заявление № / Application no.: {}\n\
         Заявител / Applicant: {applicant}\n\
         Решение / Decision: ОДОБРЕНО / APPROVED\n\
         Дата / Date: {}\n\n\
         Данни / Particulars:\n{}\n",
        service.title(Lang::Bg),
        service.title(Lang::En),
        app.tracking_number.clone().unwrap_or_default(),
        portico_core::calendar::sofia_local(now).format("%d.%m.%Y %H:%M"),
        particulars.join("\n"),
    );
    // The platform's signature is a separate JWS over a statement naming this document's
    // SHA-256 (see `evidence::issue_result`), which anyone holding both can check offline.
    Ok(format!(
        "{body}\n-----\nПодписано удостоверение / Signed statement (JWS, Ed25519): {}/applications/{}/result.jws\n",
        cases.base_url.trim_end_matches('/'),
        app.id
    )
    .into_bytes())
}
