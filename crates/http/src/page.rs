//! What every page's template gets: the language and its strings, the signed-in person, the CSRF
//! token for its forms, and the current path (for the language switch to come back to).

use crate::csrf::{token_for, CsrfCookie};
use crate::error::{AppError, FieldError};
use crate::i18n::{Lang, Strings, Translations, LANG_COOKIE};
use crate::session::{CurrentSession, SessionUser};
use crate::state::AppState;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::Html;

#[derive(Debug, Clone)]
pub struct PageContext {
    pub lang: Lang,
    pub strings: Strings,
    pub user: Option<SessionUser>,
    pub csrf: String,
    /// The path and query of this request, URL-encoded, for `?back=` links.
    pub here: String,
    /// The path of this request (no query), to mark the header's link to where the person is.
    pub path: String,
}

/// One link of the header's navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavLink {
    pub href: &'static str,
    /// The key of its text in the shell's strings.
    pub label: &'static str,
    /// True when the person is on this page or below it (`aria-current="page"`).
    pub current: bool,
}

/// Where each kind of person's work is, in the order the header lists it. Who sees a link
/// depends only on the session's roles, so every page's header agrees with the sign-in landing.
pub fn nav_links(user: Option<&SessionUser>) -> Vec<(&'static str, &'static str)> {
    let Some(user) = user.filter(|u| u.fully_authenticated) else {
        return vec![("/login", "nav_sign_in"), ("/register", "nav_register")];
    };
    let mut links = Vec::new();
    if user.kind == crate::session::AccountKind::Citizen {
        links.push(("/applications", "nav_applications"));
        links.push(("/consents", "nav_consents"));
        links.push(("/mailbox", "nav_mailbox"));
        links.push(("/payments", "nav_payments"));
        links.push(("/my-data", "nav_my_data"));
    }
    if user.is_operator() {
        links.push(("/office", "nav_office"));
    }
    if user.is_admin() {
        links.push(("/admin", "nav_console"));
    }
    if user.is_identity_verifier() {
        links.push(("/verify", "nav_verify"));
    }
    if user.has_mandates || user.acting_for.is_some() {
        links.push(("/account/mandates", "mandate_nav"));
    }
    links.push(("/account", "nav_account"));
    links
}

impl PageContext {
    pub fn t(&self, key: &str) -> &'static str {
        self.strings.t(key)
    }

    /// The message for `key` with `$count` set, for plurals: `page.t_count("service_deadline_days", n)`.
    pub fn t_count<'a>(
        &self,
        key: &str,
        count: impl Into<fluent_bundle::FluentValue<'a>>,
    ) -> String {
        self.strings.count(key, count)
    }

    /// The person-readable label of an audit action, from whichever block writes it.
    pub fn audit_label(&self, action: &str) -> &'static str {
        self.strings.audit_label(action)
    }

    /// The same context looking up strings in a block's own translations first.
    pub fn with_strings(mut self, tables: &'static [&'static Translations]) -> Self {
        self.strings.tables = tables;
        self
    }

    /// Everything a template needs to draw one labelled input with its hint and error. The
    /// label and hint come from the keys `{name}_label` and `{name}_hint` (the hint is optional).
    pub fn field(
        &self,
        errors: &[FieldError],
        name: &'static str,
        input_type: &'static str,
        value: &str,
        autocomplete: &'static str,
    ) -> Field {
        Field {
            name,
            label: self.t(&format!("{name}_label")),
            hint: self.strings.find(&format!("{name}_hint")).unwrap_or(""),
            error: self.field_error(errors, name),
            input_type,
            value: value.to_owned(),
            autocomplete,
        }
    }

    /// The header's links for whoever is signed in (or sign-in and registration for nobody).
    pub fn nav(&self) -> Vec<NavLink> {
        nav_links(self.user.as_ref())
            .into_iter()
            .map(|(href, label)| NavLink {
                href,
                label,
                current: self.path == href
                    || (self.path.starts_with(href) && self.path[href.len()..].starts_with('/')),
            })
            .collect()
    }

    pub fn signed_in(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.fully_authenticated)
    }

    /// The message for a field, if it has an error.
    pub fn field_error(&self, errors: &[FieldError], field: &str) -> Option<&'static str> {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.t(&e.code))
    }
}

/// One input of a form, ready to draw with `field.html`.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub error: Option<&'static str>,
    pub input_type: &'static str,
    pub value: String,
    pub autocomplete: &'static str,
}

impl Field {
    /// The ids the input's `aria-describedby` names: its hint and its error, when present.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// The language a request asks for: an explicit `lang` cookie, else Bulgarian.
pub fn lang_of(parts: &Parts) -> Lang {
    cookie_value(parts, LANG_COOKIE)
        .and_then(|v| Lang::parse(&v))
        .unwrap_or_default()
}

pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

impl<S> FromRequestParts<S> for PageContext
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(PageContext::from_parts(parts, &AppState::from_ref(state)))
    }
}

impl PageContext {
    pub fn from_parts(parts: &Parts, app: &AppState) -> Self {
        let lang = lang_of(parts);
        let csrf = parts
            .extensions
            .get::<CsrfCookie>()
            .map(|c| token_for(&app.config.csrf_key, &c.0))
            .unwrap_or_default();
        let user = parts
            .extensions
            .get::<CurrentSession>()
            .and_then(|c| c.0.clone());
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        PageContext {
            path: parts.uri.path().to_owned(),
            lang,
            strings: Strings {
                lang,
                tables: &[],
                all: app.translations,
            },
            user,
            csrf,
            here: url::form_urlencoded::byte_serialize(here.as_bytes()).collect(),
        }
    }
}

/// Renders an askama template into an HTML response.
pub fn render<T: askama::Template>(template: &T) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}

/// A redirect target from a query parameter kept on this site, or `/` when it is missing or
/// refused; the check is [`crate::redirect::safe_local_path`].
pub fn safe_local_path(candidate: Option<&str>) -> String {
    candidate
        .and_then(crate::redirect::safe_local_path)
        .unwrap_or_else(|| "/".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_or_missing_targets_fall_back_to_the_home_page() {
        assert_eq!(safe_local_path(Some("/account?x=1")), "/account?x=1");
        assert_eq!(safe_local_path(Some("/%09/evil.example")), "/");
        assert_eq!(safe_local_path(None), "/");
    }
}

#[cfg(test)]
mod nav_tests {
    use super::nav_links;
    use crate::session::{AccountKind, RoleGrant, SessionUser};

    fn user(kind: AccountKind, roles: &[&str]) -> SessionUser {
        SessionUser {
            session_id: "s".into(),
            account_id: "a".into(),
            display_name: "Иван Петров".into(),
            kind,
            fully_authenticated: true,
            assurance: portico_core::Assurance::Substantial,
            acting_for: None,
            has_mandates: false,
            roles: roles
                .iter()
                .map(|r| RoleGrant {
                    administration_id: "sofia".into(),
                    unit_id: None,
                    role: r.parse().unwrap(),
                })
                .collect(),
        }
    }

    fn hrefs(user: Option<&SessionUser>) -> Vec<&'static str> {
        nav_links(user).into_iter().map(|(href, _)| href).collect()
    }

    #[test]
    fn the_header_links_to_each_persons_work() {
        assert_eq!(hrefs(None), ["/login", "/register"]);
        let mut halfway = user(AccountKind::Citizen, &[]);
        halfway.fully_authenticated = false;
        assert_eq!(hrefs(Some(&halfway)), ["/login", "/register"]);
        assert_eq!(
            hrefs(Some(&user(AccountKind::Citizen, &[]))),
            [
                "/applications",
                "/consents",
                "/mailbox",
                "/payments",
                "/my-data",
                "/account"
            ]
        );
        let operator = user(AccountKind::Staff, &["operator"]);
        assert_eq!(hrefs(Some(&operator)), ["/office", "/account"]);
        assert_eq!(operator.staff_landing(), Some("/office"));
        let admin = user(AccountKind::Staff, &["administration_admin"]);
        assert_eq!(hrefs(Some(&admin)), ["/admin", "/account"]);
        assert_eq!(admin.staff_landing(), Some("/admin"));
        let platform = user(AccountKind::Staff, &["platform_admin"]);
        assert_eq!(hrefs(Some(&platform)), ["/admin", "/account"]);
        let both = user(AccountKind::Staff, &["operator", "administration_admin"]);
        assert_eq!(hrefs(Some(&both)), ["/office", "/admin", "/account"]);
        assert_eq!(user(AccountKind::Citizen, &[]).staff_landing(), None);
        let verifier = user(AccountKind::Staff, &["identity_verifier"]);
        assert_eq!(hrefs(Some(&verifier)), ["/verify", "/account"]);
        assert_eq!(verifier.staff_landing(), Some("/verify"));
    }
}
