//! A person's request to correct a base register becomes a case at the register's owner. The
//! registries block stores the request and commits the outbox job
//! [`portico_registries::service::corrections::CORRECTION_JOB`] with it; this handler opens the
//! case: an application of the owner's "Correction of data in a base register" service
//! (adopted from the shared template the first time one arrives), submitted for the person,
//! in the owner's queue with the service's deadline. The registries block records the case in
//! the same transaction, so "my data" links to its progress. Run twice, it opens one case.

use crate::model::ServiceInfo;
use crate::service::applications::{self, Routing};
use crate::CasesError;
use async_trait::async_trait;
use portico_catalog::model::Overrides;
use portico_catalog::service::{self as services, templates};
use portico_registries::service::corrections;
use portico_store::jobs::JobHandler;

/// The shared template the owners' correction service is adopted from.
pub const TEMPLATE: &str = "register-correction";

/// The owner's correction service, adopted from [`TEMPLATE`] when it has none yet.
async fn service_of(
    cases: &super::Cases,
    administration_id: &str,
) -> Result<portico_catalog::model::Service, CasesError> {
    let template = templates::get_by_key(&cases.db, TEMPLATE)
        .await?
        .ok_or_else(|| portico_catalog::CatalogError::UnknownTemplate(TEMPLATE.to_owned()))?;
    let adopted = services::list_for_administration(&cases.db, administration_id)
        .await?
        .into_iter()
        .find(|s| s.template_id.as_deref() == Some(template.id.as_str()));
    if let Some(service) = adopted {
        return Ok(service);
    }
    let mut tx = cases.db.begin().await?;
    let service = services::adopt(
        &mut tx,
        TEMPLATE,
        administration_id,
        &Overrides::default(),
        &portico_core::Actor::System("registries").audit_id(),
        cases.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(service)
}

/// Opens the case of a correction request; `false` when it has one already (or is gone).
pub async fn open(cases: &super::Cases, correction_id: &str) -> Result<bool, CasesError> {
    let Some(request) = corrections::for_case(&cases.db, correction_id).await? else {
        return Ok(false);
    };
    if request.correction.application_id.is_some() {
        return Ok(false);
    }
    let service = service_of(cases, &request.owner_administration_id).await?;
    let form_key = service
        .form_key
        .clone()
        .ok_or_else(|| CasesError::Internal(format!("{TEMPLATE} has no form")))?;
    let form = portico_catalog::forms::current(&cases.db, &form_key)
        .await?
        .ok_or_else(|| CasesError::Internal(format!("form {form_key} is not published")))?;
    let c = &request.correction;
    let data = serde_json::json!({
        "register": format!("{} / {}", request.register_name_bg, request.register_name_en),
        "field": c.field,
        "proposed_value": c.proposed_value,
        "reason": c.reason,
    });
    let info = ServiceInfo {
        id: service.id.clone(),
        administration_id: service.administration_id.clone(),
        process_key: service.process_key.clone(),
        state_deadlines: service.state_deadlines.clone(),
    };
    let now = cases.now();
    let mut tx = cases.db.begin().await?;
    let draft =
        applications::start_draft(&mut tx, &request.account_id, &info, &form.id, data, now).await?;
    let routing = Routing {
        unit_id: None,
        deadline_working_days: service.facts.deadline_working_days,
        consents: &[],
    };
    let submitted = applications::submit(
        &mut tx,
        &draft,
        &request.account_id,
        &routing,
        &cases.key,
        now,
    )
    .await?;
    if !corrections::opened_in(
        &mut tx,
        correction_id,
        &draft.id,
        &submitted.tracking_number,
    )
    .await?
    {
        // Another run opened it meanwhile: this one leaves nothing behind.
        return Ok(false);
    }
    tx.commit().await?;
    cases.wake_jobs();
    Ok(true)
}

/// The handler of the registries block's outbox job.
pub struct CorrectionJob {
    pub cases: super::Cases,
}

#[async_trait]
impl JobHandler for CorrectionJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let id = payload
            .get("correction_id")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        open(&self.cases, id)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
