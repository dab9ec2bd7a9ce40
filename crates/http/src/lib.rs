//! The web shell every block's pages and API stand in: application state, the extractors that
//! every route relies on (session, CSRF, language), errors mapped to HTTP in one place, the page
//! layout, translations, static assets, health and metrics.

pub mod api_auth;
pub mod block;
pub mod client_addr;
pub mod csrf;
pub mod design;
pub mod error;
pub mod i18n;
pub mod middleware;
pub mod page;
pub mod path;
pub mod redirect;
pub mod session;
pub mod shell;
pub mod state;
pub mod step_up;

pub use api_auth::{ApiActor, BearerResolver};
pub use block::{BlockDef, Mount, MountError, Mounted};
pub use client_addr::ClientAddr;
pub use csrf::{CsrfForm, CSRF_FIELD};
pub use error::{ApiErrorBody, AppError, FieldError};
pub use i18n::{Lang, Strings, Translations, COMMON as TRANSLATIONS};
pub use page::{render, Field, NavLink, PageContext};
pub use path::ValidPath;
pub use session::{AccountKind, RoleGrant, SessionResolver, SessionUser, SignedIn};
pub use state::{AppState, ShellConfig};
pub use step_up::StepUpOffer;
