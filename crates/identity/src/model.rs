use chrono::{DateTime, Utc};
use portico_core::{AdministrationKind, Eik, PersonalId};
use serde::Serialize;
use std::str::FromStr;
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

/// The roles staff hold in an administration (or one of its units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    AdministrationAdmin,
    RegisterOwner,
    PlatformAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Operator,
        Role::AdministrationAdmin,
        Role::RegisterOwner,
        Role::PlatformAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::AdministrationAdmin => "administration_admin",
            Role::RegisterOwner => "register_owner",
            Role::PlatformAdmin => "platform_admin",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s}"))
    }
}

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
