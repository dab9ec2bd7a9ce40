//! The web shell every block's pages and API stand in: application state, the extractors that
//! every route relies on (session, CSRF, language), errors mapped to HTTP in one place, the page
//! layout, translations, static assets, health and metrics.

pub mod csrf;
pub mod design;
pub mod error;
pub mod i18n;
pub mod middleware;
pub mod page;
pub mod session;
pub mod shell;
pub mod state;

pub use csrf::{CsrfForm, CSRF_FIELD};
pub use error::{ApiErrorBody, AppError, FieldError};
pub use i18n::{Lang, Strings};
pub use page::{render, Field, NavLink, PageContext};
pub use session::{AccountKind, RoleGrant, SessionResolver, SessionUser, SignedIn};
pub use state::{AppState, ShellConfig};
