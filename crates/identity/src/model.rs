use chrono::{DateTime, Utc};
use portico_core::{AdministrationKind, Eik, PersonalId};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Administration {
    pub id: String,
    pub name_bg: String,
    pub name_en: String,
    #[schema(value_type = String, example = "municipality")]
    pub kind: AdministrationKind,
    #[schema(value_type = String, example = "000696327")]
    pub eik: Eik,
    pub parent_id: Option<String>,
}

impl Administration {
    pub fn name(&self, lang: portico_http::Lang) -> &str {
        match lang {
            portico_http::Lang::Bg => &self.name_bg,
            portico_http::Lang::En => &self.name_en,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unit {
    pub id: String,
    pub administration_id: String,
    pub code: String,
    pub name_bg: String,
    pub name_en: String,
}

#[derive(Debug, Clone)]
pub struct NewAdministration {
    pub name_bg: String,
    pub name_en: String,
    pub kind: AdministrationKind,
    pub eik: Eik,
    pub parent_id: Option<String>,
}

pub use portico_core::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    Citizen,
    Staff,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Citizen => "citizen",
            AccountKind::Staff => "staff",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub kind: AccountKind,
    pub personal_id: Option<PersonalId>,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Account {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// A registration as posted, before validation.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Registration {
    #[serde(default)]
    pub personal_id_kind: String,
    #[serde(default)]
    pub personal_id: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirm: String,
}

/// A staff account as created by an administrator or the `portico admin` command.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub password: String,
}
