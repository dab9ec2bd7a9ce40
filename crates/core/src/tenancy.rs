//! The kinds of public administration that join Portico.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdministrationKind {
    Ministry,
    Agency,
    Municipality,
    District,
    Other,
}

impl AdministrationKind {
    pub const ALL: [AdministrationKind; 5] = [
        AdministrationKind::Ministry,
        AdministrationKind::Agency,
        AdministrationKind::Municipality,
        AdministrationKind::District,
        AdministrationKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdministrationKind::Ministry => "ministry",
            AdministrationKind::Agency => "agency",
            AdministrationKind::Municipality => "municipality",
            AdministrationKind::District => "district",
            AdministrationKind::Other => "other",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown kind of administration: {0}")]
pub struct UnknownKind(pub String);

impl FromStr for AdministrationKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}
