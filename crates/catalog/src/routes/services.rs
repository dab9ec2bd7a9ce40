use crate::model::{Contact, Service};
use crate::search::{administration_scope, InUse, SearchIndex, SearchQuery};
use crate::service;
use crate::strings::TABLES;
use crate::topics::{self, DELIVERY_CHANNELS, LIFE_EVENTS, PAYMENT_OPTIONS, TOPICS};
use crate::CatalogError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use portico_core::money::Currency;
use portico_core::Money;
use portico_http::{render, AppError, AppState, Lang, PageContext};
use serde::Deserialize;

const PER_PAGE: usize = 20;

#[derive(Debug, Default, Deserialize)]
pub struct ResultsQuery {
    q: Option<String>,
    administration: Option<String>,
    topic: Option<String>,
    life_event: Option<String>,
    page: Option<usize>,
}

/// The search filters, checked: an unknown administration is a 404, an unknown topic is no filter.
pub(crate) struct Filters {
    pub text: String,
    pub administration: Option<String>,
    pub topic: Option<String>,
    pub life_event: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub(crate) async fn filters(
    state: &AppState,
    q: Option<String>,
    administration: Option<String>,
    topic: Option<String>,
    life_event: Option<String>,
) -> Result<(Filters, SearchQuery), AppError> {
    let text: String = q.unwrap_or_default().trim().chars().take(200).collect();
    let administration = non_empty(administration);
    let mut query = SearchQuery {
        text: text.clone(),
        ..SearchQuery::default()
    };
    if let Some(id) = &administration {
        if !portico_core::ids::is_valid_id(id)
            || portico_identity::service::administrations::get(&state.db, id)
                .await
                .map_err(CatalogError::from)?
                .is_none()
        {
            return Err(AppError::NotFound);
        }
        query.administration_ids = administration_scope(&state.db, id).await?;
    }
    let topic = non_empty(topic).filter(|t| topics::is_known(TOPICS, t));
    let life_event = non_empty(life_event).filter(|e| topics::is_known(LIFE_EVENTS, e));
    query.topic = topic.clone();
    query.life_event = life_event.clone();
    Ok((
        Filters {
            text,
            administration,
            topic,
            life_event,
        },
        query,
    ))
}

struct ResultView {
    slug: String,
    title: String,
    administration: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "services.html")]
struct ResultsPage {
    page: PageContext,
    q: String,
    administration: String,
    topic: String,
    life_event: String,
    administrations: Vec<(String, String)>,
    topics: Vec<(&'static str, &'static str)>,
    total: usize,
    results: Vec<ResultView>,
    previous: String,
    next: String,
    /// "Did you mean": the corrected query and the link that searches for it (empty: none).
    did_you_mean: String,
    did_you_mean_link: String,
}

/// A description cut to about `n` characters at a word boundary.
fn summary(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_owned();
    }
    let cut: String = text.chars().take(n).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

fn page_link(filters: &Filters, page: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !filters.text.is_empty() {
        query.append_pair("q", &filters.text);
    }
    if let Some(a) = &filters.administration {
        query.append_pair("administration", a);
    }
    if let Some(t) = &filters.topic {
        query.append_pair("topic", t);
    }
    if let Some(e) = &filters.life_event {
        query.append_pair("life_event", e);
    }
    query.append_pair("page", &page.to_string());
    format!("/services?{}", query.finish())
}

/// The administrations a signed-in person belongs to (where they hold a role), with the
/// administrations under them: their services come first among equally good matches.
async fn own_administrations(
    state: &AppState,
    page: &PageContext,
) -> Result<Vec<String>, AppError> {
    let mut ids = Vec::new();
    if let Some(user) = &page.user {
        for grant in &user.roles {
            if !ids.contains(&grant.administration_id) {
                ids.extend(administration_scope(&state.db, &grant.administration_id).await?);
            }
        }
    }
    Ok(ids)
}

/// Search results, with filters by administration (including its districts) and topic.
pub async fn results(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    page: PageContext,
    Query(params): Query<ResultsQuery>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let lang = page.lang;
    let (filters, mut query) = filters(
        &state,
        params.q,
        params.administration,
        params.topic,
        params.life_event,
    )
    .await?;
    query.prefer_administration_ids = own_administrations(&state, &page).await?;
    let number = params.page.unwrap_or(1).clamp(1, 1000);
    query.offset = (number - 1) * PER_PAGE;
    query.limit = PER_PAGE;
    let found = index.search(&query).await?;
    let administrations = portico_identity::service::administrations::list(&state.db)
        .await
        .map_err(CatalogError::from)?
        .into_iter()
        .map(|a| (a.id.clone(), a.name(lang).to_owned()))
        .collect();
    let results = found
        .items
        .iter()
        .map(|h| ResultView {
            slug: h.slug.clone(),
            title: h.title.get(lang).to_owned(),
            administration: h.administration_name.get(lang).to_owned(),
            summary: summary(h.description.get(lang), 220),
        })
        .collect();
    Ok(render(&ResultsPage {
        q: filters.text.clone(),
        administration: filters.administration.clone().unwrap_or_default(),
        topic: filters.topic.clone().unwrap_or_default(),
        life_event: filters.life_event.clone().unwrap_or_default(),
        administrations,
        topics: InUse::only(&index.in_use().await?.topics, topics::entries(TOPICS, lang)),
        total: found.total,
        results,
        did_you_mean_link: match &found.did_you_mean {
            Some(q) => page_link(
                &Filters {
                    text: q.clone(),
                    administration: filters.administration.clone(),
                    topic: filters.topic.clone(),
                    life_event: filters.life_event.clone(),
                },
                1,
            ),
            None => String::new(),
        },
        did_you_mean: found.did_you_mean.clone().unwrap_or_default(),
        previous: if number > 1 {
            page_link(&filters, number - 1)
        } else {
            String::new()
        },
        next: if number * PER_PAGE < found.total {
            page_link(&filters, number + 1)
        } else {
            String::new()
        },
        page,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    page: PageContext,
    title: String,
    administration: String,
    description: String,
    legal_basis: String,
    deadline_days: u32,
    fee: String,
    fee_note: String,
    payment_options: Vec<String>,
    delivery_channels: Vec<String>,
    topic_code: String,
    topic: String,
    life_event: Option<(String, String)>,
    who_may_apply: Vec<String>,
    required_documents: Vec<String>,
    has_contact: bool,
    contact: Contact,
    contact_address: String,
    contact_hours: String,
    apply_path: Option<String>,
    /// The people whose consent the form can ask for, as it names them ("the owner of the
    /// home"), so applicants know before they start whose EGN they will need.
    consent_people: Vec<String>,
}

/// "5,00 €" / "€5.00"; "Безплатна" / "Free of charge" for nothing.
pub(crate) fn fee_text(fee: Money, lang: Lang, free: &str) -> String {
    if fee.minor == 0 {
        return free.to_owned();
    }
    let (whole, cents) = (fee.minor / 100, fee.minor % 100);
    match (lang, fee.currency) {
        (Lang::Bg, Currency::Eur) => format!("{whole},{cents:02} €"),
        (Lang::Bg, Currency::Bgn) => format!("{whole},{cents:02} лв."),
        (Lang::En, Currency::Eur) => format!("€{whole}.{cents:02}"),
        (Lang::En, Currency::Bgn) => format!("BGN {whole}.{cents:02}"),
    }
}

/// A published service, or 404.
pub(crate) async fn published(state: &AppState, slug: &str) -> Result<Service, AppError> {
    if !crate::service::is_valid_slug(slug) {
        return Err(AppError::NotFound);
    }
    service::by_slug(&state.db, slug)
        .await?
        .filter(|s| s.published_at.is_some())
        .ok_or(AppError::NotFound)
}

/// The service page: every fact the Unified Model asks for, and the way to start.
pub async fn show(
    State(state): State<AppState>,
    page: PageContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let lang = page.lang;
    let service = published(&state, &slug).await?;
    let administration =
        portico_identity::service::administrations::get(&state.db, &service.administration_id)
            .await
            .map_err(CatalogError::from)?
            .map(|a| a.name(lang).to_owned())
            .unwrap_or_default();
    let f = &service.facts;
    let contact = f.contact.clone();
    let consent_people = match &service.form_key {
        Some(key) => crate::forms::current(&state.db, key)
            .await?
            .map(|form| {
                form.layout
                    .consents
                    .iter()
                    .map(|rule| rule.label.get(lang).to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    Ok(render(&ServicePage {
        consent_people,
        title: f.title.get(lang).to_owned(),
        administration,
        description: f.description.get(lang).to_owned(),
        legal_basis: f.legal_basis.get(lang).to_owned(),
        deadline_days: f.deadline_working_days,
        fee: fee_text(f.fee, lang, page.t("service_free")),
        fee_note: f.fee_note.get(lang).to_owned(),
        payment_options: f
            .payment_options
            .iter()
            .map(|p| topics::name(PAYMENT_OPTIONS, p, lang))
            .collect(),
        delivery_channels: f
            .delivery_channels
            .iter()
            .map(|d| topics::name(DELIVERY_CHANNELS, d, lang))
            .collect(),
        topic_code: f.topic.clone(),
        topic: topics::name(TOPICS, &f.topic, lang),
        life_event: f
            .life_event
            .as_ref()
            .map(|e| (e.clone(), topics::name(LIFE_EVENTS, e, lang))),
        who_may_apply: f
            .who_may_apply
            .iter()
            .map(|w| w.get(lang).to_owned())
            .collect(),
        required_documents: f
            .required_documents
            .iter()
            .map(|d| d.get(lang).to_owned())
            .collect(),
        has_contact: contact != Contact::default(),
        contact_address: contact.address.get(lang).to_owned(),
        contact_hours: contact.hours.get(lang).to_owned(),
        contact,
        apply_path: service.form_key.as_ref().map(|_| service.apply_path()),
        page,
    })?
    .into_response())
}
