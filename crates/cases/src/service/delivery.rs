//! A case's result arrives in the applicant's eDelivery mailbox, with the platform's evidence of
//! sending and delivery: the message is prepared (checked, its files stored) before the
//! decision's transaction, sent inside it, and its id kept with the case, so the application
//! page links to it.

use crate::model::Application;
use crate::CasesError;
use portico_core::clock::to_millis;
use portico_core::Actor;
use portico_delivery::model::{Address, MailboxKind, NewAttachment, NewMessage};
use portico_delivery::service::messages::{self, Prepared};
use portico_store::{Db, Tx};

/// Who sends: the operator who decided (delivery checks they work in the sending unit); any
/// other actor cases let decide (an institution's system with the `cases` scope) sends as the
/// cases block itself, since delivery's own scope is not what allowed the decision.
fn sending_actor(actor: &Actor) -> Actor {
    match actor {
        Actor::Person(_) => actor.clone(),
        _ => Actor::System("cases"),
    }
}

/// The sending mailbox: the case's unit when it has one (its operators read what they sent),
/// else its administration.
pub(crate) async fn sender(db: &Db, app: &Application) -> Result<Address, CasesError> {
    let administration =
        portico_identity::service::administrations::get(db, &app.administration_id)
            .await?
            .ok_or_else(|| {
                CasesError::Internal(format!("administration of {} is missing", app.id))
            })?;
    let Some(unit_id) = &app.unit_id else {
        return Ok(Address::administration(
            &administration.id,
            Some(administration.name_bg.clone()),
        ));
    };
    let unit = portico_identity::service::administrations::list_units(db, &administration.id)
        .await?
        .into_iter()
        .find(|u| &u.id == unit_id);
    Ok(Address {
        kind: MailboxKind::Unit,
        identifier: unit_id.clone(),
        administration_id: Some(administration.id.clone()),
        display_name: Some(match unit {
            Some(u) => format!("{} — {}", administration.name_bg, u.name_bg),
            None => administration.name_bg.clone(),
        }),
    })
}

/// The message carrying a result document to the applicant's mailbox, checked and stored;
/// `None` when the applicant has no personal identifier to address.
pub async fn prepare_result(
    cases: &super::Cases,
    actor: &Actor,
    app: &Application,
    document: &[u8],
    media_type: &str,
    file_name: &str,
) -> Result<Option<Prepared>, CasesError> {
    let Some(applicant) =
        portico_identity::service::accounts::get(&cases.db, &app.applicant_id).await?
    else {
        return Ok(None);
    };
    let Some(personal_id) = &applicant.personal_id else {
        return Ok(None);
    };
    let number = app.tracking_number.clone().unwrap_or_default();
    let message = NewMessage {
        sender: sender(&cases.db, app).await?,
        recipients: vec![Address::person(
            personal_id.value(),
            Some(applicant.display_name()),
        )],
        subject: format!("Резултат по заявление {number} / Result of application {number}"),
        body: format!(
            "Заявление № {number} е решено. Резултатът е приложен към това съобщение.\n\n\
             Application no. {number} has been decided. The result is attached to this message."
        ),
        service_id: Some(app.service_id.clone()),
        application_id: Some(app.id.clone()),
        attachments: vec![NewAttachment {
            file_name: file_name.to_owned(),
            media_type: media_type.to_owned(),
            bytes: document.to_vec(),
        }],
        reply_to: None,
    };
    Ok(Some(
        messages::prepare(&cases.delivery(), &sending_actor(actor), message).await?,
    ))
}

/// Sends the prepared result in the decision's transaction and keeps the message id with the case.
pub async fn send_result(
    tx: &mut Tx,
    cases: &super::Cases,
    actor: &Actor,
    prepared: Prepared,
    application_id: &str,
) -> Result<String, CasesError> {
    let sent = messages::send_in(tx, &cases.delivery(), &sending_actor(actor), prepared).await?;
    sqlx::query(
        "INSERT INTO application_deliveries (application_id, message_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(application_id)
    .bind(&sent.message_id)
    .bind(to_millis(cases.now()))
    .execute(&mut **tx)
    .await?;
    Ok(sent.message_id)
}

/// The messages that carried this application's results, oldest first.
pub async fn messages_of(db: &Db, application_id: &str) -> Result<Vec<String>, CasesError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT message_id FROM application_deliveries WHERE application_id = $1 ORDER BY created_at, message_id",
    )
    .bind(application_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
