//! "My data and who looked at it": what each base register holds about the signed-in person, every
//! query about them (deferred ones from their date on, with the reason), and their requests to
//! correct a value, which become cases at the register's owner (see [`super::corrections`]).

use super::Registries;
use crate::error::RegistryError;
use crate::model::MyData;
use portico_core::clock::to_millis;
use portico_core::{Actor, Assurance};
use serde_json::{json, Value};

/// The person's identifier, once their session is of substantial assurance.
pub(crate) async fn own_identifier(
    ctx: &Registries,
    actor: &Actor,
) -> Result<(String, String), RegistryError> {
    actor.require(Assurance::Substantial)?;
    let account_id = actor.account_id().ok_or(RegistryError::Forbidden)?;
    let account = portico_identity::service::accounts::get(&ctx.db, account_id)
        .await?
        .ok_or(RegistryError::NotFound)?;
    let id = account.personal_id.ok_or(RegistryError::NotFound)?;
    Ok((account_id.to_owned(), id.value().to_owned()))
}

pub async fn show(ctx: &Registries, actor: &Actor) -> Result<MyData, RegistryError> {
    let (account_id, egn) = own_identifier(ctx, actor).await?;
    let now = to_millis(ctx.clock.now());
    let person = super::adapters::person(ctx, &egn).await?;
    let owned: Vec<(String,)> = sqlx::query_as(
        "SELECT address_code FROM registries_address_owners WHERE owner_egn = $1 ORDER BY address_code",
    )
    .bind(&egn)
    .fetch_all(ctx.db.pool())
    .await?;
    let mut addresses = Vec::new();
    for (code,) in owned {
        if let Some(a) = super::adapters::address(ctx, &code, Some(&egn)).await? {
            addresses.push(a);
        }
    }
    let represented: Vec<(String,)> =
        sqlx::query_as("SELECT eik FROM registries_representatives WHERE egn = $1 ORDER BY eik")
            .bind(&egn)
            .fetch_all(ctx.db.pool())
            .await?;
    let mut companies = Vec::new();
    for (eik,) in represented {
        if let Some(c) = super::adapters::company(ctx, &eik).await? {
            companies.push(c);
        }
    }
    Ok(MyData {
        records: json!({
            "population": person.unwrap_or(Value::Null),
            "addresses": addresses,
            "commercial": companies,
        }),
        queries: super::log::for_subject(&ctx.db, &ctx.subject_hash(&egn), now).await?,
        corrections: super::corrections::of_account(&ctx.db, &account_id).await?,
    })
}
