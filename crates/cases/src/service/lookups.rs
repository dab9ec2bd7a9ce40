//! The one shape of a look-up a case makes in a base register (a form's prefill, an operator's
//! check): for the case's administration, with the service's legal basis, the service and the
//! case named, so the person sees on "my data" why they were looked up.

use crate::model::Application;
use portico_catalog::model::Service;
use portico_core::{Lang, PersonalId};
use portico_registries::model::{QueryContext, QueryRequest};
use serde_json::Value;

pub(crate) fn for_case(
    service: &Service,
    app: &Application,
    subject: &PersonalId,
    register: &str,
    operation: &str,
    parameters: Value,
) -> QueryRequest {
    QueryRequest {
        register: register.to_owned(),
        operation: operation.to_owned(),
        version: None,
        context: QueryContext {
            legal_basis: Some(service.facts.legal_basis.get(Lang::Bg).to_owned()),
            service: Some(service.slug.clone()),
            // The tracking number once submitted (what the person knows it by); a draft's id.
            case: Some(
                app.tracking_number
                    .clone()
                    .unwrap_or_else(|| app.id.clone()),
            ),
            subject: subject.value().to_owned(),
            administration_id: Some(app.administration_id.clone()),
            ..QueryContext::default()
        },
        parameters,
        signed: false,
    }
}
