//! The open data portal's records: datasets with bilingual metadata, their resources, the EU data
//! themes and the licences a dataset may carry.

use serde::{Deserialize, Serialize};

/// Where a dataset stands. CKAN calls them `draft`, `active` and `deleted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetState {
    Draft,
    Published,
    Withdrawn,
}

impl DatasetState {
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetState::Draft => "draft",
            DatasetState::Published => "published",
            DatasetState::Withdrawn => "withdrawn",
        }
    }

    pub fn from_stored(s: &str) -> DatasetState {
        match s {
            "published" => DatasetState::Published,
            "withdrawn" => DatasetState::Withdrawn,
            _ => DatasetState::Draft,
        }
    }

    /// The state as CKAN names it.
    pub fn ckan(self) -> &'static str {
        match self {
            DatasetState::Draft => "draft",
            DatasetState::Published => "active",
            DatasetState::Withdrawn => "deleted",
        }
    }

    pub fn from_ckan(s: &str) -> Option<DatasetState> {
        match s {
            "draft" => Some(DatasetState::Draft),
            "active" | "published" => Some(DatasetState::Published),
            "deleted" | "withdrawn" => Some(DatasetState::Withdrawn),
            _ => None,
        }
    }
}

/// The EU data themes vocabulary (code, Bulgarian, English).
pub const THEMES: &[(&str, &str, &str)] = &[
    (
        "AGRI",
        "Земеделие, рибарство, горско стопанство и храни",
        "Agriculture, fisheries, forestry and food",
    ),
    ("ECON", "Икономика и финанси", "Economy and finance"),
    (
        "EDUC",
        "Образование, култура и спорт",
        "Education, culture and sport",
    ),
    ("ENER", "Енергетика", "Energy"),
    ("ENVI", "Околна среда", "Environment"),
    (
        "GOVE",
        "Правителство и публичен сектор",
        "Government and public sector",
    ),
    ("HEAL", "Здравеопазване", "Health"),
    ("INTR", "Международни въпроси", "International issues"),
    (
        "JUST",
        "Правосъдие, съдебна система и обществена безопасност",
        "Justice, legal system and public safety",
    ),
    ("REGI", "Региони и градове", "Regions and cities"),
    ("SOCI", "Население и общество", "Population and society"),
    ("TECH", "Наука и технологии", "Science and technology"),
    ("TRAN", "Транспорт", "Transport"),
];

/// Licences a dataset may carry (CKAN's ids, a title, the licence's address).
pub const LICENCES: &[(&str, &str, &str)] = &[
    (
        "cc-by-4.0",
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    (
        "cc-by-sa-4.0",
        "Creative Commons Attribution Share-Alike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    (
        "cc-zero",
        "Creative Commons CCZero",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    (
        "odc-by",
        "Open Data Commons Attribution License",
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
    (
        "odc-odbl",
        "Open Data Commons Open Database License (ODbL)",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
];

/// How often a dataset is updated (the EU frequency vocabulary's codes).
pub const FREQUENCIES: &[&str] = &[
    "DAILY",
    "WEEKLY",
    "MONTHLY",
    "QUARTERLY",
    "ANNUAL",
    "IRREG",
    "NEVER",
    "UNKNOWN",
];

/// A dataset's metadata as a publisher gives it (on a page or through the API).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DatasetInput {
    pub name: String,
    pub title_bg: String,
    pub title_en: String,
    pub notes_bg: String,
    pub notes_en: String,
    pub themes: Vec<String>,
    pub keywords: Vec<String>,
    pub licence: String,
    pub contact_name: String,
    pub contact_email: String,
    pub temporal_start: Option<String>,
    pub temporal_end: Option<String>,
    pub spatial: Option<String>,
    pub frequency: String,
    pub state: Option<DatasetState>,
}

/// A dataset as stored, with its resources.
#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    pub id: String,
    pub name: String,
    pub administration_id: String,
    pub state: DatasetState,
    pub title_bg: String,
    pub title_en: String,
    pub notes_bg: String,
    pub notes_en: String,
    pub themes: Vec<String>,
    pub keywords: Vec<String>,
    pub licence: String,
    pub contact_name: String,
    pub contact_email: String,
    pub temporal_start: Option<String>,
    pub temporal_end: Option<String>,
    pub spatial: Option<String>,
    pub frequency: String,
    pub version: i64,
    pub created_at: i64,
    pub modified_at: i64,
    pub published_at: Option<i64>,
    pub resources: Vec<Resource>,
}

impl Dataset {
    pub fn input(&self) -> DatasetInput {
        DatasetInput {
            name: self.name.clone(),
            title_bg: self.title_bg.clone(),
            title_en: self.title_en.clone(),
            notes_bg: self.notes_bg.clone(),
            notes_en: self.notes_en.clone(),
            themes: self.themes.clone(),
            keywords: self.keywords.clone(),
            licence: self.licence.clone(),
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            temporal_start: self.temporal_start.clone(),
            temporal_end: self.temporal_end.clone(),
            spatial: self.spatial.clone(),
            frequency: self.frequency.clone(),
            state: Some(self.state),
        }
    }
}

/// A file or a link of a dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub id: String,
    pub dataset_id: String,
    pub position: i64,
    pub name: String,
    pub description: String,
    /// CSV, JSON, GeoJSON (uploads) or whatever a link says.
    pub format: String,
    pub url: Option<String>,
    pub blob_key: Option<String>,
    pub file_name: Option<String>,
    pub size: Option<i64>,
    pub mimetype: Option<String>,
    pub datastore_rows: Option<i64>,
    pub created_at: i64,
}

/// A resource as a publisher adds it: an upload (bytes and file name) or a link.
#[derive(Debug, Clone, Default)]
pub struct ResourceInput {
    pub name: String,
    pub description: String,
    pub format: Option<String>,
    pub url: Option<String>,
    pub upload: Option<(String, bytes::Bytes)>,
}
