//! Organisations: the platform's administrations, read through identity's service functions, and
//! the platform itself ([`PLATFORM_ID`]), which publishes its own data (the service catalog, the
//! performance figures) and is owned by no administration: only the platform's system actor
//! writes its datasets (see [`super::publisher::may_publish`]). CKAN names an organisation by a
//! slug: an administration's EIK, or `portico` for the platform.

use crate::error::OpenDataError;
use portico_http::Lang;
use portico_store::Db;

/// The platform's organisation: its id (in `opendata_datasets.administration_id`) and its CKAN
/// name. No administration has it: theirs are generated ids, their names nine or thirteen digits.
pub const PLATFORM_ID: &str = "portico";

/// Dataset names that begin so are the platform's own (`portico-service-catalog`, …): no
/// administration may take one.
pub const PLATFORM_NAME_PREFIX: &str = "portico-";

/// A publisher as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    /// CKAN's name: the EIK, or `portico`.
    pub slug: String,
    pub name_bg: String,
    pub name_en: String,
    /// The administration's EIK; none for the platform.
    pub eik: Option<String>,
}

impl Organisation {
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::Bg => &self.name_bg,
            Lang::En => &self.name_en,
        }
    }

    pub fn is_platform(&self) -> bool {
        self.id == PLATFORM_ID
    }
}

/// The platform's own organisation.
pub fn platform() -> Organisation {
    Organisation {
        id: PLATFORM_ID.into(),
        slug: PLATFORM_ID.into(),
        name_bg: "Портико".into(),
        name_en: "Portico".into(),
        eik: None,
    }
}

/// Every organisation: the platform first, then the administrations.
pub async fn list(db: &Db) -> Result<Vec<Organisation>, OpenDataError> {
    let mut out = vec![platform()];
    out.extend(
        portico_identity::service::administrations::list(db)
            .await?
            .into_iter()
            .map(|a| Organisation {
                slug: a.eik.as_str().to_owned(),
                eik: Some(a.eik.as_str().to_owned()),
                id: a.id,
                name_bg: a.name_bg,
                name_en: a.name_en,
            }),
    );
    Ok(out)
}

/// An organisation by its id or its name (the EIK, or `portico`).
pub async fn find(db: &Db, id_or_name: &str) -> Result<Option<Organisation>, OpenDataError> {
    if id_or_name == PLATFORM_ID {
        return Ok(Some(platform()));
    }
    let all = list(db).await?;
    Ok(all
        .into_iter()
        .find(|a| a.id == id_or_name || a.slug == id_or_name))
}

/// The organisation's CKAN name.
pub fn name(a: &Organisation) -> String {
    a.slug.clone()
}
