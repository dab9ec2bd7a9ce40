//! Organisations are the platform's administrations, read through identity's service functions.
//! CKAN names an organisation by a slug: here its EIK.

use crate::error::OpenDataError;
use portico_identity::model::Administration;
use portico_store::Db;

pub async fn list(db: &Db) -> Result<Vec<Administration>, OpenDataError> {
    Ok(portico_identity::service::administrations::list(db).await?)
}

/// An organisation by its id or its name (the EIK).
pub async fn find(db: &Db, id_or_name: &str) -> Result<Option<Administration>, OpenDataError> {
    let all = list(db).await?;
    Ok(all
        .into_iter()
        .find(|a| a.id == id_or_name || a.eik.as_str() == id_or_name))
}

/// The organisation's CKAN name.
pub fn name(a: &Administration) -> String {
    a.eik.as_str().to_owned()
}
