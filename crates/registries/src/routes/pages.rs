//! The block's pages: the register of registers (public) and "my data and who looked at it"
//! (a signed-in person of substantial assurance), with its JSON download and correction requests.

use super::RegistriesState;
use crate::model::{MyData, NewCorrection, Register};
use crate::service::print::PrintBlock;
use crate::service::{catalogue, corrections, my_data};
use crate::strings::TABLES;
use crate::RegistryError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::clock::{from_millis, to_millis};
use portico_http::{render, AppError, CsrfForm, Lang, PageContext, SignedIn};
use serde::Deserialize;

fn when(ms: i64) -> String {
    portico_core::calendar::sofia_local(from_millis(ms))
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// Where staff roles' names are: identity owns the roles and their words (`role-operator`…).
static ROLE_TABLES: &[&portico_http::Translations] = &[&portico_identity::TRANSLATIONS];

/// The name of the querying employee's role in the person's language, never its stored code;
/// a code that names no role today shows nothing.
fn role_label(lang: Lang, code: &str) -> String {
    match code.parse::<portico_core::Role>() {
        Ok(role) => portico_http::Strings::new(lang, ROLE_TABLES)
            .t(&format!("role_{}", role.as_str()))
            .to_owned(),
        Err(_) => String::new(),
    }
}

fn day(ms: i64) -> String {
    portico_core::calendar::sofia_local(from_millis(ms))
        .format("%d.%m.%Y")
        .to_string()
}

pub struct OperationRow {
    pub code: String,
    pub version: String,
    pub name: String,
    pub personal: String,
    pub request_schema: String,
    pub response_schema: String,
    pub grants: Vec<(String, String, String, String)>,
}

pub struct RegisterRow {
    pub code: String,
    pub name: String,
    pub owner: String,
    pub legal_basis: String,
    pub operations: Vec<OperationRow>,
}

#[derive(Template)]
#[template(path = "registries.html")]
struct CataloguePage {
    page: PageContext,
    registers: Vec<RegisterRow>,
}

fn pick(lang: Lang, bg: &str, en: &str) -> String {
    match lang {
        Lang::Bg => bg.to_owned(),
        _ => en.to_owned(),
    }
}

fn register_row(r: Register, lang: Lang) -> RegisterRow {
    RegisterRow {
        name: pick(lang, &r.name_bg, &r.name_en),
        owner: pick(lang, &r.owner_name_bg, &r.owner_name_en),
        legal_basis: r.legal_basis,
        operations: r
            .operations
            .into_iter()
            .map(|o| OperationRow {
                name: pick(lang, &o.name_bg, &o.name_en),
                personal: o.personal_fields.join(", "),
                request_schema: serde_json::to_string_pretty(&o.request_schema).unwrap_or_default(),
                response_schema: serde_json::to_string_pretty(&o.response_schema)
                    .unwrap_or_default(),
                grants: o
                    .grants
                    .into_iter()
                    .map(|g| {
                        (
                            pick(lang, &g.administration_name_bg, &g.administration_name_en),
                            g.fields.join(", "),
                            g.legal_basis,
                            day(g.valid_until),
                        )
                    })
                    .collect(),
                code: o.code,
                version: o.version,
            })
            .collect(),
        code: r.code,
    }
}

pub async fn catalogue(
    State(state): State<RegistriesState>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let now = to_millis(state.ctx.clock.now());
    let registers = catalogue::list(&state.ctx.db, now)
        .await?
        .into_iter()
        .map(|r| register_row(r, page.lang))
        .collect();
    Ok(render(&CataloguePage { page, registers })?.into_response())
}

pub struct QueryRow {
    pub when: String,
    pub register: String,
    pub administration: String,
    pub role: String,
    pub legal_basis: String,
    pub service: String,
    pub fields: String,
    pub outcome: String,
    pub deferral_reason: String,
}

pub struct CorrectionRow {
    pub register: String,
    pub field: String,
    pub proposed: String,
    pub created: String,
    pub deadline: String,
    /// The day the owner answered; empty while the request waits.
    pub answered: String,
    /// What the answer was (approved and corrected here, approved for the owner to correct,
    /// refused, withdrawn), in the page's language.
    pub outcome: String,
    /// The owner's words with the decision (a refusal's reasons), if any.
    pub answer: String,
    /// The case at the register's owner: its tracking number and the page that shows its
    /// progress (the cases block's `/applications/{id}`), once the case is opened.
    pub case_number: String,
    pub case_link: String,
}

#[derive(Template)]
#[template(path = "my_data.html")]
struct MyDataPage {
    page: PageContext,
    person: Vec<(String, String)>,
    addresses: Vec<String>,
    companies: Vec<String>,
    queries: Vec<QueryRow>,
    corrections: Vec<CorrectionRow>,
    registers: Vec<(String, String)>,
    errors: Vec<portico_http::FieldError>,
    form: CorrectionForm,
    sent: bool,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    pub register: String,
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub proposed_value: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize)]
pub struct Shown {
    #[serde(default)]
    sent: Option<String>,
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join("; "),
        serde_json::Value::Object(map) => map
            .values()
            .map(text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// What the "my data" pages show, in the page's language.
struct View {
    person: Vec<(String, String)>,
    addresses: Vec<String>,
    companies: Vec<String>,
    queries: Vec<QueryRow>,
    corrections: Vec<CorrectionRow>,
    registers: Vec<(String, String)>,
}

async fn my_data_page(
    state: &RegistriesState,
    page: PageContext,
    data: MyData,
    errors: Vec<portico_http::FieldError>,
    form: CorrectionForm,
    sent: bool,
) -> Result<Response, AppError> {
    let shown = shown(state, &page, data).await?;
    Ok(render(&MyDataPage {
        person: shown.person,
        addresses: shown.addresses,
        companies: shown.companies,
        queries: shown.queries,
        corrections: shown.corrections,
        registers: shown.registers,
        errors,
        form,
        sent,
        page,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "my_data_print.html")]
struct MyDataPrint {
    page: PageContext,
    person: Vec<(String, String)>,
    addresses: Vec<String>,
    companies: Vec<String>,
    queries: Vec<QueryRow>,
    corrections: Vec<CorrectionRow>,
    /// When the page was made (Sofia time).
    made: String,
}

/// `/my-data/print`: everything of `/my-data` on one page to print or save as PDF (the
/// browser's "Print"), without the forms; the same assurance as `/my-data`.
pub async fn my_data_print(
    State(state): State<RegistriesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let data = my_data::show(&state.ctx, &user.actor()).await?;
    let shown = shown(&state, &page, data).await?;
    Ok(render(&MyDataPrint {
        person: shown.person,
        addresses: shown.addresses,
        companies: shown.companies,
        queries: shown.queries,
        corrections: shown.corrections,
        made: when(to_millis(state.ctx.clock.now())),
        page,
    })?
    .into_response())
}

/// `/my-data.pdf`: everything of `/my-data` (what the registers hold, every query with its
/// legal basis, the correction requests) as a PDF file made by the server, in the page's
/// language; the same assurance as `/my-data`.
pub async fn my_data_pdf(
    State(state): State<RegistriesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let Some(maker) = state.ctx.pdf.clone() else {
        return Err(AppError::NotFound);
    };
    let data = my_data::show(&state.ctx, &user.actor()).await?;
    let shown = shown(&state, &page, data).await?;
    let made = when(to_millis(state.ctx.clock.now()));
    let blocks = pdf_blocks(&page, &shown, &made);
    let title = page.t("my_data_pdf_title").to_owned();
    let bytes = maker
        .render(&title, page.lang.code(), &blocks)
        .map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-data.pdf\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response())
}

/// The PDF's content, top to bottom: the same as the print page.
fn pdf_blocks(page: &PageContext, shown: &View, made: &str) -> Vec<PrintBlock> {
    let t = |key: &str| page.t(key).to_owned();
    let mut b = vec![
        PrintBlock::Heading(t("my_data_pdf_title"), 16.0),
        PrintBlock::Text(format!("{} {made}", t("my_data_print_made"))),
        PrintBlock::Rule,
        PrintBlock::Heading(t("my_data_records"), 13.0),
        PrintBlock::Heading(t("my_data_population"), 11.0),
    ];
    if shown.person.is_empty() {
        b.push(PrintBlock::Text(t("my_data_nothing")));
    }
    for (label, value) in &shown.person {
        b.push(PrintBlock::Row(label.clone(), value.clone()));
    }
    for (key, items) in [
        ("my_data_addresses", &shown.addresses),
        ("my_data_companies", &shown.companies),
    ] {
        b.push(PrintBlock::Heading(t(key), 11.0));
        if items.is_empty() {
            b.push(PrintBlock::Text(t("my_data_nothing")));
        }
        for item in items {
            b.push(PrintBlock::Text(item.clone()));
        }
    }
    b.push(PrintBlock::Space(6.0));
    b.push(PrintBlock::Heading(t("my_data_queries"), 13.0));
    if shown.queries.is_empty() {
        b.push(PrintBlock::Text(t("my_data_no_queries")));
    }
    for q in &shown.queries {
        b.push(PrintBlock::Rule);
        b.push(PrintBlock::Row(t("my_data_col_when"), q.when.clone()));
        let who = if q.role.is_empty() {
            q.administration.clone()
        } else {
            format!("{} ({})", q.administration, q.role)
        };
        b.push(PrintBlock::Row(t("my_data_col_who"), who));
        b.push(PrintBlock::Row(
            t("my_data_col_register"),
            q.register.clone(),
        ));
        b.push(PrintBlock::Row(t("my_data_col_why"), q.legal_basis.clone()));
        if !q.service.is_empty() {
            b.push(PrintBlock::Row(t("my_data_pdf_service"), q.service.clone()));
        }
        b.push(PrintBlock::Row(t("my_data_col_fields"), q.fields.clone()));
        b.push(PrintBlock::Row(t("my_data_col_outcome"), q.outcome.clone()));
        if !q.deferral_reason.is_empty() {
            b.push(PrintBlock::Row(
                t("my_data_deferred"),
                q.deferral_reason.clone(),
            ));
        }
    }
    b.push(PrintBlock::Space(6.0));
    b.push(PrintBlock::Heading(t("my_data_corrections"), 13.0));
    if shown.corrections.is_empty() {
        b.push(PrintBlock::Text(t("my_data_nothing")));
    }
    for c in &shown.corrections {
        b.push(PrintBlock::Rule);
        b.push(PrintBlock::Row(
            t("my_data_col_register"),
            c.register.clone(),
        ));
        b.push(PrintBlock::Row(t("my_data_col_field"), c.field.clone()));
        b.push(PrintBlock::Row(
            t("my_data_col_proposed"),
            c.proposed.clone(),
        ));
        b.push(PrintBlock::Row(
            t("my_data_col_deadline"),
            format!("{} – {}", c.created, c.deadline),
        ));
        if !c.case_number.is_empty() {
            b.push(PrintBlock::Row(
                t("my_data_col_case"),
                c.case_number.clone(),
            ));
        }
        b.push(PrintBlock::Row(
            t("my_data_col_answer"),
            answer_text(page, c),
        ));
    }
    b
}

/// What the owner answered, as "my data" says it: waiting, approved (corrected in the register,
/// or for the owner to correct), refused, withdrawn.
fn answer_label(page: &PageContext, c: &crate::model::Correction) -> &'static str {
    match (c.outcome.as_deref(), c.applied.as_deref()) {
        (None, _) => page.t("my_data_awaiting"),
        (Some("approved"), Some("register")) => page.t("my_data_answer_approved_register"),
        (Some("approved"), _) => page.t("my_data_answer_approved_owner"),
        (Some("withdrawn"), _) => page.t("my_data_answer_withdrawn"),
        (Some(_), _) => page.t("my_data_answer_refused"),
    }
}

/// The answer in one line (for the PDF): what it was, on which day, and the owner's words.
fn answer_text(page: &PageContext, c: &CorrectionRow) -> String {
    let mut text = c.outcome.clone();
    if !c.answered.is_empty() {
        text = format!("{text} ({} {})", page.t("my_data_answered_on"), c.answered);
    }
    if !c.answer.is_empty() {
        text = format!("{text}: {}", c.answer);
    }
    text
}

async fn shown(
    state: &RegistriesState,
    page: &PageContext,
    data: MyData,
) -> Result<View, AppError> {
    let lang = page.lang;
    let person = data.records["population"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (page.t(&format!("registries_field_{k}")).to_owned(), text(v)))
                .collect()
        })
        .unwrap_or_default();
    let list = |key: &str| -> Vec<String> {
        data.records[key]
            .as_array()
            .map(|a| a.iter().map(text).collect())
            .unwrap_or_default()
    };
    let now = to_millis(state.ctx.clock.now());
    let names: std::collections::HashMap<String, String> = catalogue::list(&state.ctx.db, now)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), pick(lang, &r.name_bg, &r.name_en)))
        .collect();
    let queries = data
        .queries
        .iter()
        .map(|q| QueryRow {
            when: when(q.at),
            register: names
                .get(&q.register_code)
                .cloned()
                .unwrap_or_else(|| q.register_code.clone()),
            administration: pick(lang, &q.administration_name_bg, &q.administration_name_en),
            role: q
                .employee_role
                .as_deref()
                .map(|code| role_label(lang, code))
                .unwrap_or_default(),
            legal_basis: q.legal_basis.clone().unwrap_or_default(),
            service: q.service.clone().unwrap_or_default(),
            fields: q.fields.join(", "),
            outcome: page
                .t(&format!("registries_outcome_{}", q.outcome))
                .to_owned(),
            deferral_reason: q.deferral_reason.clone().unwrap_or_default(),
        })
        .collect();
    let corrections = data
        .corrections
        .iter()
        .map(|c| CorrectionRow {
            register: names
                .get(&c.register_code)
                .cloned()
                .unwrap_or_else(|| c.register_code.clone()),
            field: c.field.clone(),
            proposed: c.proposed_value.clone(),
            created: day(c.created_at),
            deadline: day(c.deadline_at),
            answered: c.answered_at.map(day).unwrap_or_default(),
            outcome: answer_label(page, c).to_owned(),
            answer: c.answer.clone().unwrap_or_default(),
            case_number: c.tracking_number.clone().unwrap_or_default(),
            case_link: c
                .application_id
                .as_ref()
                .map(|id| format!("/applications/{id}"))
                .unwrap_or_default(),
        })
        .collect();
    let mut registers: Vec<(String, String)> = names.into_iter().collect();
    registers.sort();
    Ok(View {
        person,
        addresses: list("addresses"),
        companies: list("commercial"),
        queries,
        corrections,
        registers,
    })
}

pub async fn my_data(
    State(state): State<RegistriesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(shown): Query<Shown>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let data = my_data::show(&state.ctx, &user.actor()).await?;
    my_data_page(
        &state,
        page,
        data,
        Vec::new(),
        CorrectionForm::default(),
        shown.sent.is_some(),
    )
    .await
}

pub async fn my_data_json(
    State(state): State<RegistriesState>,
    SignedIn(user): SignedIn,
) -> Result<Response, AppError> {
    let data = my_data::show(&state.ctx, &user.actor()).await?;
    let body = serde_json::to_string_pretty(&data).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-data.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

pub async fn correction(
    State(state): State<RegistriesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<CorrectionForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    let input = NewCorrection {
        register: form.register.clone(),
        field: form.field.clone(),
        proposed_value: form.proposed_value.clone(),
        reason: form.reason.clone(),
    };
    match corrections::request(&state.ctx, &actor, &input).await {
        Ok(_) => Ok(Redirect::to("/my-data?sent=1#corrections").into_response()),
        Err(RegistryError::Invalid(code)) => {
            let field = match code {
                "correction_register" => "register",
                "correction_field" => "field",
                "correction_value" | "correction_name" | "correction_address" => "proposed_value",
                _ => "reason",
            };
            let errors = vec![portico_http::FieldError::new(field, code)];
            let data = my_data::show(&state.ctx, &actor).await?;
            let mut response = my_data_page(&state, page, data, errors, form, false).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}
