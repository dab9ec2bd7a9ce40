//! The result document issued when a case is decided: what was decided, for whom, when, with
//! the platform's signature over the text, so anyone holding it can check it.

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
    let particulars: Vec<String> = answers::readable_answers(db, app, Lang::Bg)
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
    let signature = cases.key.sign(body.as_bytes());
    Ok(format!(
        "{body}\n-----\nПодпис на платформата / Platform signature (Ed25519, key {}):\n{signature}\n",
        cases.key.key_id()
    )
    .into_bytes())
}
