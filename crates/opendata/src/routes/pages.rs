//! The open data portal's public pages: `/data` (search with facets by organisation, theme,
//! format and licence, a page of results at a time), a dataset's page (`/data/{name}`: its
//! metadata, resources, a preview table and chart of a datastore resource, a map of a spatial
//! resource) and an organisation's page (`/organization/{eik}`).

use super::{Caller, OpenDataState};
use crate::model::{Dataset, LICENCES, THEMES};
use crate::service::organisations::Organisation;
use crate::service::{datasets, datastore, geo, organisations, publisher, search};
use crate::strings::TABLES;
use crate::view;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use portico_core::Lang;
use portico_http::{render, AppError, PageContext};
use serde::Deserialize;

/// Results on one page of `/data`.
pub const PAGE_SIZE: i64 = 20;

/// A dataset's title and description in the page's language (Bulgarian when there is no English).
pub fn title(d: &Dataset, lang: Lang) -> &str {
    match lang {
        Lang::En if !d.title_en.is_empty() => &d.title_en,
        _ => &d.title_bg,
    }
}

fn notes(d: &Dataset, lang: Lang) -> &str {
    match lang {
        Lang::En if !d.notes_en.is_empty() => &d.notes_en,
        _ => &d.notes_bg,
    }
}

fn org_name(a: &Organisation, lang: Lang) -> &str {
    match lang {
        Lang::En => &a.name_en,
        Lang::Bg => &a.name_bg,
    }
}

fn theme_name(code: &str, lang: Lang) -> String {
    THEMES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or(code.to_owned(), |(_, bg, en)| match lang {
            Lang::Bg => (*bg).to_owned(),
            Lang::En => (*en).to_owned(),
        })
}

fn licence_name(id: &str) -> String {
    LICENCES
        .iter()
        .find(|(l, _, _)| *l == id)
        .map_or(id.to_owned(), |(_, t, _)| (*t).to_owned())
}

fn date(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| {
            portico_core::calendar::sofia_local(t)
                .format("%d.%m.%Y")
                .to_string()
        })
        .unwrap_or_default()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn excerpt(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    /// The organisation's EIK.
    #[serde(default)]
    pub organization: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub licence: String,
    pub page: Option<i64>,
}

impl SearchParams {
    /// `/data?…` with these parameters, one of them changed (an empty value drops it).
    fn link(&self, change: (&str, &str), page: Option<i64>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("organization", &self.organization),
            ("theme", &self.theme),
            ("format", &self.format),
            ("licence", &self.licence),
        ] {
            let v = if k == change.0 { change.1 } else { v.as_str() };
            if !v.is_empty() {
                pairs.push((k, v.to_owned()));
            }
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            pairs.push(("page", p.to_string()));
        }
        let q = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        if q.is_empty() {
            "/data".into()
        } else {
            format!("/data?{q}")
        }
    }
}

pub struct FacetItem {
    pub label: String,
    pub count: i64,
    pub href: String,
    pub selected: bool,
}

pub struct Facet {
    pub id: &'static str,
    pub title: &'static str,
    pub items: Vec<FacetItem>,
}

pub struct ResultRow {
    pub name: String,
    pub title: String,
    pub publisher: String,
    pub summary: String,
    pub formats: String,
    pub modified: String,
}

pub struct Chosen {
    pub label: String,
    pub remove: String,
}

#[derive(Template)]
#[template(path = "opendata_search.html")]
struct SearchPage {
    page: PageContext,
    q: String,
    hidden: Vec<(&'static str, String)>,
    chosen: Vec<Chosen>,
    total: i64,
    results: Vec<ResultRow>,
    facets: Vec<Facet>,
    previous: String,
    next: String,
    publishes: bool,
}

fn row(d: &Dataset, orgs: &[Organisation], lang: Lang) -> ResultRow {
    let mut formats: Vec<&str> = d.resources.iter().map(|r| r.format.as_str()).collect();
    formats.sort();
    formats.dedup();
    ResultRow {
        name: d.name.clone(),
        title: title(d, lang).to_owned(),
        publisher: orgs
            .iter()
            .find(|a| a.id == d.administration_id)
            .map(|a| org_name(a, lang).to_owned())
            .unwrap_or_default(),
        summary: excerpt(notes(d, lang), 220),
        formats: formats.join(", "),
        modified: date(d.modified_at),
    }
}

/// `GET /data`: the search.
pub async fn search_page(
    State(state): State<OpenDataState>,
    page: PageContext,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let lang = page.lang;
    let orgs = organisations::list(&state.ctx.db).await?;
    let mut filters = Vec::new();
    let org = orgs
        .iter()
        .find(|a| organisations::name(a) == p.organization);
    if !p.organization.is_empty() {
        // An organisation that does not exist finds nothing, as any other filter would.
        filters.push((
            "organization".to_owned(),
            org.map_or_else(|| p.organization.clone(), |a| a.id.clone()),
        ));
    }
    for (field, value) in [
        ("groups", &p.theme),
        ("res_format", &p.format),
        ("license_id", &p.licence),
    ] {
        if !value.is_empty() {
            filters.push((field.to_owned(), value.clone()));
        }
    }
    let number = p.page.unwrap_or(1).clamp(1, 10_000);
    let found = search::run(
        &state.ctx,
        &search::Query {
            q: p.q.clone(),
            filters,
            sort: None,
            rows: PAGE_SIZE,
            start: (number - 1) * PAGE_SIZE,
            facets: ["organization", "groups", "res_format", "license_id"]
                .map(str::to_owned)
                .to_vec(),
        },
    )
    .await?;
    let facet = |id: &'static str,
                 param: &'static str,
                 current: &str,
                 label: &dyn Fn(&str) -> String| Facet {
        id,
        title: page.t(&format!("od_facet_{id}")),
        items: found
            .facets
            .get(match id {
                "organization" => "organization",
                "theme" => "groups",
                "format" => "res_format",
                _ => "license_id",
            })
            .into_iter()
            .flatten()
            .map(|(value, count)| {
                let key = match id {
                    "organization" => orgs
                        .iter()
                        .find(|a| a.id == *value)
                        .map(organisations::name)
                        .unwrap_or_else(|| value.clone()),
                    _ => value.clone(),
                };
                FacetItem {
                    label: label(value),
                    count: *count,
                    selected: key == current,
                    href: p.link((param, &key), None),
                }
            })
            .collect(),
    };
    let facets = vec![
        facet("organization", "organization", &p.organization, &|id| {
            orgs.iter()
                .find(|a| a.id == id)
                .map_or(id.to_owned(), |a| org_name(a, lang).to_owned())
        }),
        facet("theme", "theme", &p.theme, &|c| theme_name(c, lang)),
        facet("format", "format", &p.format, &|f| f.to_owned()),
        facet("licence", "licence", &p.licence, &licence_name),
    ];
    let mut chosen = Vec::new();
    let mut hidden = Vec::new();
    for (param, value, label) in [
        (
            "organization",
            &p.organization,
            org.map_or(p.organization.clone(), |a| org_name(a, lang).to_owned()),
        ),
        ("theme", &p.theme, theme_name(&p.theme, lang)),
        ("format", &p.format, p.format.clone()),
        ("licence", &p.licence, licence_name(&p.licence)),
    ] {
        if !value.is_empty() {
            chosen.push(Chosen {
                label,
                remove: p.link((param, ""), None),
            });
            hidden.push((param, value.clone()));
        }
    }
    let last = (found.count + PAGE_SIZE - 1) / PAGE_SIZE;
    let results = found.datasets.iter().map(|d| row(d, &orgs, lang)).collect();
    let publishes = page
        .user
        .as_ref()
        .filter(|u| u.fully_authenticated)
        .is_some_and(|u| !publisher::administrations(&u.actor()).is_empty());
    let view = SearchPage {
        q: p.q.clone(),
        hidden,
        chosen,
        total: found.count,
        results,
        facets,
        previous: if number > 1 {
            p.link(("", ""), Some(number - 1))
        } else {
            String::new()
        },
        next: if number < last {
            p.link(("", ""), Some(number + 1))
        } else {
            String::new()
        },
        publishes,
        page,
    };
    Ok(render(&view)?.into_response())
}

pub struct ResourceRow {
    pub id: String,
    pub name: String,
    pub format: String,
    pub href: String,
    pub size: String,
    pub description: String,
    pub rows: String,
    /// The publisher's page of the column types (empty for anyone else, or no table).
    pub fields_href: String,
    /// The resource's own page (with its load's progress).
    pub page_href: String,
}

pub struct Preview {
    pub resource: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total: i64,
    pub api: String,
}

pub struct MetaRow {
    pub key: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "opendata_dataset.html")]
struct DatasetPage {
    page: PageContext,
    name: String,
    title: String,
    notes: String,
    /// The state's name when it is not published (a tag by the title).
    state_label: &'static str,
    edit_href: String,
    add_href: String,
    publisher: String,
    publisher_href: String,
    meta: Vec<MetaRow>,
    resources: Vec<ResourceRow>,
    preview: Option<Preview>,
    chart: String,
    map: String,
    ogc: String,
    may_edit: bool,
}

pub(super) fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first datastore resource's first rows as a table, and a chart of its first numeric
/// column against its first text column (or the row's number).
async fn preview(
    state: &OpenDataState,
    page: &PageContext,
    d: &Dataset,
) -> Result<(Option<Preview>, String), AppError> {
    let Some(r) = d.resources.iter().find(|r| r.datastore_rows.is_some()) else {
        return Ok((None, String::new()));
    };
    let found = datastore::search(
        &state.ctx.db,
        &r.id,
        &datastore::Search {
            limit: 10,
            ..Default::default()
        },
    )
    .await?;
    let fields: Vec<&datastore::Field> = found.fields.iter().filter(|f| f.id != "_id").collect();
    let columns: Vec<String> = fields.iter().take(8).map(|f| f.id.clone()).collect();
    let rows = found
        .records
        .iter()
        .map(|rec| {
            columns
                .iter()
                .map(|c| excerpt(&rec.get(c).map(cell).unwrap_or_default(), 60))
                .collect()
        })
        .collect();
    let numeric = fields.iter().find(|f| {
        f.kind != datastore::FieldType::Text
            && !["lat", "lon", "latitude", "longitude", "lng", "x", "y"]
                .contains(&f.id.to_lowercase().as_str())
    });
    let label = fields.iter().find(|f| f.kind == datastore::FieldType::Text);
    let chart = match numeric {
        Some(n) => {
            let bars: Vec<(String, f64)> = found
                .records
                .iter()
                .filter_map(|rec| {
                    let v = rec.get(&n.id)?.as_f64()?;
                    let l = match label {
                        Some(l) => rec.get(&l.id).map(cell).unwrap_or_default(),
                        None => rec.get("_id").map(cell).unwrap_or_default(),
                    };
                    Some((l, v))
                })
                .collect();
            if bars.is_empty() {
                String::new()
            } else {
                let caption = format!("{}: {} ({})", page.t("od_chart_of"), n.id, r.name);
                view::bar_chart("od-chart", &caption, &bars)
            }
        }
        None => String::new(),
    };
    Ok((
        Some(Preview {
            resource: r.name.clone(),
            columns,
            rows,
            total: found.total,
            api: format!("/api/3/action/datastore_search?resource_id={}", r.id),
        }),
        chart,
    ))
}

/// `GET /data/{name}`: a dataset's page, for whoever may see the dataset.
pub async fn dataset_page(
    State(state): State<OpenDataState>,
    page: PageContext,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let lang = page.lang;
    let d = datasets::visible(&state.ctx.db, caller.session.as_ref(), &name).await?;
    let org = organisations::find(&state.ctx.db, &d.administration_id).await?;
    let may_edit = caller
        .session
        .as_ref()
        .is_some_and(|a| publisher::may_publish(a, &d.administration_id));
    let resources = d
        .resources
        .iter()
        .map(|r| ResourceRow {
            id: r.id.clone(),
            name: r.name.clone(),
            format: r.format.clone(),
            href: match (&r.url, &r.file_name) {
                (Some(u), _) => u.clone(),
                (None, f) => format!(
                    "/dataset/{}/resource/{}/download/{}",
                    d.id,
                    r.id,
                    enc(f.as_deref().unwrap_or("file"))
                ),
            },
            size: r.size.map(size).unwrap_or_default(),
            description: r.description.clone(),
            rows: r
                .datastore_rows
                .map(|n| page.t_count("od_rows", n))
                .unwrap_or_default(),
            fields_href: if may_edit && r.datastore_rows.is_some() {
                format!("/data/{}/resources/{}/fields", d.name, r.id)
            } else {
                String::new()
            },
            page_href: format!("/data/{}/resources/{}", d.name, r.id),
        })
        .collect();
    let (preview, chart) = preview(&state, &page, &d).await?;
    let mut map = String::new();
    let mut ogc = String::new();
    for r in &d.resources {
        if geo::is_spatial(&state.ctx.db, r).await? {
            let features = geo::page(&state.ctx, r, None, view::MAP_FEATURES, 0)
                .await?
                .features;
            if let Some(svg) = view::map(
                "od-map",
                &format!("{}: {}", page.t("od_map_of"), r.name),
                &features,
            ) {
                map = svg;
                ogc = format!("/ogcapi/collections/{}", r.id);
                break;
            }
        }
    }
    let mut meta = vec![MetaRow {
        key: page.t("od_meta_themes"),
        value: d
            .themes
            .iter()
            .map(|t| theme_name(t, lang))
            .collect::<Vec<_>>()
            .join(", "),
    }];
    meta.push(MetaRow {
        key: page.t("od_meta_keywords"),
        value: d.keywords.join(", "),
    });
    meta.push(MetaRow {
        key: page.t("od_meta_licence"),
        value: licence_name(&d.licence),
    });
    meta.push(MetaRow {
        key: page.t("od_meta_frequency"),
        value: page.t(&format!("od_frequency_{}", d.frequency)).to_owned(),
    });
    if d.temporal_start.is_some() || d.temporal_end.is_some() {
        meta.push(MetaRow {
            key: page.t("od_meta_temporal"),
            value: format!(
                "{} – {}",
                d.temporal_start.as_deref().unwrap_or(""),
                d.temporal_end.as_deref().unwrap_or("")
            ),
        });
    }
    if let Some(s) = &d.spatial {
        meta.push(MetaRow {
            key: page.t("od_meta_spatial"),
            value: s.clone(),
        });
    }
    if !d.contact_name.is_empty() || !d.contact_email.is_empty() {
        meta.push(MetaRow {
            key: page.t("od_meta_contact"),
            value: [d.contact_name.as_str(), d.contact_email.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    meta.push(MetaRow {
        key: page.t("od_meta_modified"),
        value: date(d.modified_at),
    });
    meta.push(MetaRow {
        key: page.t("od_meta_version"),
        value: d.version.to_string(),
    });
    meta.retain(|m| !m.value.is_empty());
    let view = DatasetPage {
        name: d.name.clone(),
        title: title(&d, lang).to_owned(),
        notes: notes(&d, lang).to_owned(),
        state_label: match d.state {
            crate::model::DatasetState::Published => "",
            other => page.t(&format!("od_state_{}", other.as_str())),
        },
        edit_href: format!("/data/{}/edit", d.name),
        add_href: format!("/data/{}/resources/new", d.name),
        publisher: org
            .as_ref()
            .map(|a| org_name(a, lang).to_owned())
            .unwrap_or_default(),
        publisher_href: org
            .as_ref()
            .map(|a| format!("/organization/{}", organisations::name(a)))
            .unwrap_or_default(),
        meta,
        resources,
        preview,
        chart,
        map,
        ogc,
        may_edit,
        page,
    };
    Ok(render(&view)?.into_response())
}

#[derive(Template)]
#[template(path = "opendata_organisation.html")]
struct OrganisationPage {
    page: PageContext,
    name: String,
    eik: String,
    total: i64,
    results: Vec<ResultRow>,
    search: String,
    previous: String,
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct Paging {
    pub page: Option<i64>,
}

/// `GET /organization/{eik}`: an organisation's published datasets.
pub async fn organisation_page(
    State(state): State<OpenDataState>,
    page: PageContext,
    Path(eik): Path<String>,
    Query(paging): Query<Paging>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let lang = page.lang;
    let orgs = organisations::list(&state.ctx.db).await?;
    let org = orgs
        .iter()
        .find(|a| organisations::name(a) == eik)
        .ok_or(AppError::NotFound)?;
    let number = paging.page.unwrap_or(1).clamp(1, 10_000);
    let found = search::run(
        &state.ctx,
        &search::Query {
            filters: vec![("organization".into(), org.id.clone())],
            sort: Some("name asc".into()),
            rows: PAGE_SIZE,
            start: (number - 1) * PAGE_SIZE,
            ..Default::default()
        },
    )
    .await?;
    let last = (found.count + PAGE_SIZE - 1) / PAGE_SIZE;
    let here = format!("/organization/{}", enc(&eik));
    let view = OrganisationPage {
        name: org_name(org, lang).to_owned(),
        eik: org.eik.clone().unwrap_or_default(),
        total: found.count,
        results: found.datasets.iter().map(|d| row(d, &orgs, lang)).collect(),
        search: format!("/data?organization={}", enc(&eik)),
        previous: if number > 1 {
            format!("{here}?page={}", number - 1)
        } else {
            String::new()
        },
        next: if number < last {
            format!("{here}?page={}", number + 1)
        } else {
            String::new()
        },
        page,
    };
    Ok(render(&view)?.into_response())
}
