//! The actions, each reading its parameters and calling the open data service functions.

use super::{dicts, ActionError, Params};
use crate::error::OpenDataError;
use crate::model::{DatasetInput, DatasetState, ResourceInput, THEMES};
use crate::routes::caller::Caller;
use crate::routes::OpenDataState;
use crate::service::organisations::Organisation;
use crate::service::{datasets, datastore, organisations, resources, search};
use portico_core::Actor;
use serde_json::{json, Value};

pub async fn dispatch(
    state: &OpenDataState,
    caller: &Caller,
    action: &str,
    p: Params,
) -> Result<Value, ActionError> {
    match action {
        "status_show" => Ok(status_show(state)),
        "package_list" => package_list(state, &p).await,
        "current_package_list_with_resources" => package_search_all(state, &p).await,
        "package_search" => package_search(state, &p).await,
        "package_show" => package_show(state, caller, &p).await,
        "organization_list" => organization_list(state, &p).await,
        "organization_show" => organization_show(state, &p).await,
        "group_list" => group_list(state, &p).await,
        "group_show" => group_show(state, &p).await,
        "tag_list" => tag_list(state, &p).await,
        "resource_show" => resource_show(state, caller, &p).await,
        "package_create" => package_create(state, caller, p).await,
        "package_update" | "package_patch" => package_update(state, caller, p).await,
        "package_delete" => package_delete(state, caller, &p).await,
        "resource_create" => resource_create(state, caller, p).await,
        "datastore_search" => datastore_search(state, caller, &p).await,
        "datastore_search_sql" => Err(ActionError::BadRequest(
            "datastore_search_sql is not offered by this portal: use datastore_search \
             (filters, q, sort, fields, limit, offset)"
                .into(),
        )),
        other => Err(ActionError::BadRequest(format!(
            "Action name not known: {other}"
        ))),
    }
}

fn base(state: &OpenDataState) -> &str {
    state.app.config.base_url.trim_end_matches('/')
}

fn status_show(state: &OpenDataState) -> Value {
    json!({
        "site_title": "Portico — отворени данни",
        "site_description": "Open data of the administrations on Portico",
        "site_url": base(state),
        "ckan_version": "2.10.4",
        "locale_default": "bg",
        "extensions": ["datastore", "dcat"],
    })
}

fn page(p: &Params, default_limit: i64, max: i64) -> Result<(i64, i64), ActionError> {
    let limit = p.int("limit")?.unwrap_or(default_limit);
    let offset = p.int("offset")?.unwrap_or(0);
    if limit < 0 {
        return Err(ActionError::validation("limit", "param.negative"));
    }
    if offset < 0 {
        return Err(ActionError::validation("offset", "param.negative"));
    }
    Ok((limit.min(max), offset))
}

async fn package_list(state: &OpenDataState, p: &Params) -> Result<Value, ActionError> {
    let (limit, offset) = page(p, 1000, 1000)?;
    Ok(json!(
        datasets::published_names(&state.ctx.db, limit, offset).await?
    ))
}

async fn administrations(state: &OpenDataState) -> Result<Vec<Organisation>, ActionError> {
    Ok(organisations::list(&state.ctx.db).await?)
}

async fn package_search_all(state: &OpenDataState, p: &Params) -> Result<Value, ActionError> {
    let (limit, offset) = page(p, 100, 1000)?;
    let found = search::run(
        &state.ctx,
        &search::Query {
            rows: limit,
            start: offset,
            ..Default::default()
        },
    )
    .await?;
    let orgs = administrations(state).await?;
    Ok(Value::Array(
        found
            .datasets
            .iter()
            .map(|d| {
                let org = orgs.iter().find(|a| a.id == d.administration_id);
                dicts::package(base(state), d, org)
            })
            .collect(),
    ))
}

async fn package_search(state: &OpenDataState, p: &Params) -> Result<Value, ActionError> {
    let orgs = administrations(state).await?;
    let mut filters = search::parse_fq(&p.str("fq").unwrap_or_default())?;
    for (field, value) in filters.iter_mut() {
        match field.as_str() {
            "organization" => {
                if let Some(a) = orgs
                    .iter()
                    .find(|a| a.id == *value || organisations::name(a) == *value)
                {
                    *value = a.id.clone();
                }
            }
            "groups" => *value = value.to_uppercase(),
            _ => {}
        }
    }
    let facets: Vec<String> = p.list("facet.field")?.unwrap_or_default();
    let rows = p.int("rows")?.unwrap_or(10);
    let start = p.int("start")?.unwrap_or(0);
    if rows < 0 {
        return Err(ActionError::validation("rows", "param.negative"));
    }
    if start < 0 {
        return Err(ActionError::validation("start", "param.negative"));
    }
    let query = search::Query {
        q: p.str("q").unwrap_or_default(),
        filters,
        sort: p.str("sort"),
        rows: rows.min(1000),
        start,
        facets: facets.clone(),
    };
    let found = search::run(&state.ctx, &query).await?;
    let mut facet_counts = serde_json::Map::new();
    let mut search_facets = serde_json::Map::new();
    for (facet, items) in &found.facets {
        let mut counts = serde_json::Map::new();
        let mut listed = Vec::new();
        for (value, count) in items {
            let (name, display) = match facet.as_str() {
                "organization" => orgs
                    .iter()
                    .find(|a| a.id == *value)
                    .map_or((value.clone(), value.clone()), |a| {
                        (organisations::name(a), a.name_bg.clone())
                    }),
                "groups" => (
                    value.to_lowercase(),
                    THEMES
                        .iter()
                        .find(|(c, _, _)| c == value)
                        .map_or(value.clone(), |t| t.1.to_owned()),
                ),
                _ => (value.clone(), value.clone()),
            };
            counts.insert(name.clone(), (*count).into());
            listed.push(json!({ "name": name, "display_name": display, "count": count }));
        }
        facet_counts.insert(facet.clone(), Value::Object(counts));
        search_facets.insert(facet.clone(), json!({ "title": facet, "items": listed }));
    }
    let results: Vec<Value> = found
        .datasets
        .iter()
        .map(|d| {
            let org = orgs.iter().find(|a| a.id == d.administration_id);
            dicts::package(base(state), d, org)
        })
        .collect();
    Ok(json!({
        "count": found.count,
        "sort": query.sort.unwrap_or_else(|| "score desc, metadata_modified desc".into()),
        "results": results,
        "facets": facet_counts,
        "search_facets": search_facets,
    }))
}

fn required(p: &Params, key: &'static str) -> Result<String, ActionError> {
    p.str(key)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ActionError::validation(key, "param.missing"))
}

async fn package_show(
    state: &OpenDataState,
    caller: &Caller,
    p: &Params,
) -> Result<Value, ActionError> {
    let id = required(p, "id")?;
    let d = datasets::visible(&state.ctx.db, caller.reader(), &id).await?;
    let org = organisations::find(&state.ctx.db, &d.administration_id).await?;
    Ok(dicts::package(base(state), &d, org.as_ref()))
}

async fn counts_by_administration(
    state: &OpenDataState,
) -> Result<Vec<(String, i64)>, ActionError> {
    let found = search::run(
        &state.ctx,
        &search::Query {
            rows: 0,
            facets: vec!["organization".into()],
            ..Default::default()
        },
    )
    .await?;
    Ok(found
        .facets
        .get("organization")
        .cloned()
        .unwrap_or_default())
}

async fn organization_list(state: &OpenDataState, p: &Params) -> Result<Value, ActionError> {
    let (limit, offset) = page(p, 1000, 1000)?;
    let mut orgs = administrations(state).await?;
    orgs.sort_by_key(organisations::name);
    let counts = counts_by_administration(state).await?;
    let all_fields = p.bool("all_fields");
    Ok(Value::Array(
        orgs.iter()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|a| {
                if all_fields {
                    let n = counts.iter().find(|c| c.0 == a.id).map_or(0, |c| c.1);
                    dicts::organization(a, Some(n))
                } else {
                    Value::String(organisations::name(a))
                }
            })
            .collect(),
    ))
}

async fn organization_show(state: &OpenDataState, p: &Params) -> Result<Value, ActionError> {
    let id = required(p, "id")?;
    let a = organisations::find(&state.ctx.db, &id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    let found = search::run(
        &state.ctx,
        &search::Query {
            filters: vec![("organization".into(), a.id.clone())],
            rows: if p.bool("include_datasets") { 1000 } else { 0 },
            ..Default::default()
        },
    )
    .await?;
    let mut v = dicts::organization(&a, Some(found.count));
    if p.bool("include_datasets") {
        v["packages"] = found
            .datasets
            .iter()
            .map(|d| dicts::package(base(state), d, Some(&a)))
            .collect();
    }
    Ok(v)
}

async fn theme_counts(state: &OpenDataState) -> Result<Vec<(String, i64)>, ActionError> {
    let found = search::run(
        &state.ctx,
        &search::Query {
            rows: 0,
            facets: vec!["groups".into()],
            ..Default::default()
        },
    )
    .await?;
    Ok(found.facets.get("groups").cloned().unwrap_or_default())
}

async fn group_list(state: &OpenDataState, p: &Params) -> Result<Value, ActionError> {
    let counts = theme_counts(state).await?;
    let all_fields = p.bool("all_fields");
    Ok(Value::Array(
        THEMES
            .iter()
            .map(|(code, _, _)| {
                if all_fields {
                    let n = counts.iter().find(|c| c.0 == *code).map_or(0, |c| c.1);
                    dicts::group(code, Some(n))
                } else {
                    Value::String(code.to_lowercase())
                }
            })
            .collect(),
    ))
}

async fn group_show(state: &OpenDataState, p: &Params) -> Result<Value, ActionError> {
    let id = required(p, "id")?.to_uppercase();
    let code = THEMES
        .iter()
        .find(|(c, _, _)| *c == id)
        .ok_or(OpenDataError::NotFound)?
        .0;
    let counts = theme_counts(state).await?;
    let n = counts.iter().find(|c| c.0 == code).map_or(0, |c| c.1);
    Ok(dicts::group(code, Some(n)))
}

async fn tag_list(state: &OpenDataState, p: &Params) -> Result<Value, ActionError> {
    let query = p.str("query").unwrap_or_default().to_lowercase();
    let all_fields = p.bool("all_fields");
    Ok(Value::Array(
        datasets::keywords(&state.ctx.db)
            .await?
            .into_iter()
            .filter(|(k, _)| query.is_empty() || k.to_lowercase().contains(&query))
            .map(|(k, _)| {
                if all_fields {
                    json!({ "id": k, "name": k, "display_name": k })
                } else {
                    Value::String(k)
                }
            })
            .collect(),
    ))
}

async fn resource_show(
    state: &OpenDataState,
    caller: &Caller,
    p: &Params,
) -> Result<Value, ActionError> {
    let id = required(p, "id")?;
    let r = resources::visible(&state.ctx.db, caller.reader(), &id).await?;
    let d = datasets::visible(&state.ctx.db, caller.reader(), &r.dataset_id).await?;
    Ok(dicts::resource(base(state), &d, &r))
}

/// Writes need an API token (an API client's access token), never only a session.
pub(super) fn writer(caller: &Caller) -> Result<&Actor, ActionError> {
    caller
        .token
        .as_ref()
        .ok_or(ActionError::Domain(OpenDataError::Forbidden))
}

/// Reads CKAN's package dictionary over `base` (a new dataset's defaults or the current one).
fn read_input(p: &Params, mut input: DatasetInput) -> Result<DatasetInput, ActionError> {
    let text = |key: &str| p.str(key);
    if let Some(v) = text("name") {
        input.name = v;
    }
    if let Some(v) = text("title") {
        input.title_bg = v;
    }
    if let Some(v) = text("notes") {
        input.notes_bg = v;
    }
    if let Some(v) = text("title_en") {
        input.title_en = v;
    }
    if let Some(v) = text("notes_en") {
        input.notes_en = v;
    }
    if let Some(v) = text("license_id") {
        input.licence = v;
    }
    if let Some(v) = text("contact_name").or_else(|| text("maintainer")) {
        input.contact_name = v;
    }
    if let Some(v) = text("contact_email").or_else(|| text("maintainer_email")) {
        input.contact_email = v;
    }
    if let Some(v) = text("frequency") {
        input.frequency = v.to_uppercase();
    }
    if p.map.contains_key("temporal_start") {
        input.temporal_start = text("temporal_start");
    }
    if p.map.contains_key("temporal_end") {
        input.temporal_end = text("temporal_end");
    }
    if p.map.contains_key("spatial") {
        input.spatial = text("spatial");
    }
    if let Some(v) = text("state") {
        input.state = Some(
            DatasetState::from_ckan(&v)
                .ok_or_else(|| ActionError::validation("state", "state.unknown"))?,
        );
    }
    let names = |key: &'static str| -> Result<Option<Vec<String>>, ActionError> {
        match p.json(key)? {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    Value::Object(o) => o
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| ActionError::validation(key, "param.not_list")),
                    _ => Err(ActionError::validation(key, "param.not_list")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(ActionError::validation(key, "param.not_list")),
        }
    };
    if let Some(tags) = names("tags")? {
        input.keywords = tags;
    }
    if let Some(groups) = names("groups")? {
        input.themes = groups.iter().map(|g| g.to_uppercase()).collect();
    }
    if input.title_en.trim().is_empty() {
        // Clients that know only CKAN's core fields send one title: it stands for both until
        // the publisher gives the English one.
        input.title_en = input.title_bg.clone();
    }
    Ok(input)
}

async fn package_create(
    state: &OpenDataState,
    caller: &Caller,
    p: Params,
) -> Result<Value, ActionError> {
    let actor = writer(caller)?;
    let owner = p
        .str("owner_org")
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ActionError::validation("owner_org", "owner_org.missing"))?;
    let org = organisations::find(&state.ctx.db, &owner)
        .await?
        .ok_or_else(|| ActionError::validation("owner_org", "owner_org.unknown"))?;
    let defaults = DatasetInput {
        licence: "cc-by-4.0".into(),
        frequency: "UNKNOWN".into(),
        state: Some(DatasetState::Published),
        ..Default::default()
    };
    let input = read_input(&p, defaults)?;
    let links = link_resources(&p)?;
    let d = datasets::create(&state.ctx, actor, &org.id, input).await?;
    for link in links {
        resources::add(&state.ctx, actor, &d.id, link).await?;
    }
    let d = datasets::find(&state.ctx.db, &d.id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    Ok(dicts::package(base(state), &d, Some(&org)))
}

/// The linked resources a package dictionary lists (uploads go through `resource_create`).
fn link_resources(p: &Params) -> Result<Vec<ResourceInput>, ActionError> {
    match p.json("resources")? {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|r| {
                let s = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
                Ok(ResourceInput {
                    name: s("name").unwrap_or_default(),
                    description: s("description").unwrap_or_default(),
                    format: s("format"),
                    url: Some(s("url").unwrap_or_default()),
                    upload: None,
                })
            })
            .collect(),
        Some(_) => Err(ActionError::validation("resources", "param.not_list")),
    }
}

async fn package_update(
    state: &OpenDataState,
    caller: &Caller,
    p: Params,
) -> Result<Value, ActionError> {
    let actor = writer(caller)?;
    let id = required(&p, "id").or_else(|_| required(&p, "name"))?;
    let current = datasets::visible(&state.ctx.db, Some(actor), &id).await?;
    let input = read_input(&p, current.input())?;
    let d = datasets::update(&state.ctx, actor, &current.id, input).await?;
    let org = organisations::find(&state.ctx.db, &d.administration_id).await?;
    Ok(dicts::package(base(state), &d, org.as_ref()))
}

async fn package_delete(
    state: &OpenDataState,
    caller: &Caller,
    p: &Params,
) -> Result<Value, ActionError> {
    let actor = writer(caller)?;
    let id = required(p, "id")?;
    datasets::visible(&state.ctx.db, Some(actor), &id).await?;
    datasets::withdraw(&state.ctx, actor, &id).await?;
    Ok(Value::Null)
}

async fn resource_create(
    state: &OpenDataState,
    caller: &Caller,
    p: Params,
) -> Result<Value, ActionError> {
    let actor = writer(caller)?;
    let package = required(&p, "package_id")?;
    let d = datasets::visible(&state.ctx.db, Some(actor), &package).await?;
    let input = ResourceInput {
        name: p.str("name").unwrap_or_default(),
        description: p.str("description").unwrap_or_default(),
        format: p.str("format"),
        url: p.str("url").filter(|u| !u.trim().is_empty()),
        upload: p.upload.clone(),
    };
    let r = resources::add(&state.ctx, actor, &d.id, input).await?;
    Ok(dicts::resource(base(state), &d, &r))
}

async fn datastore_search(
    state: &OpenDataState,
    caller: &Caller,
    p: &Params,
) -> Result<Value, ActionError> {
    let id = required(p, "resource_id").or_else(|_| required(p, "id"))?;
    resources::visible(&state.ctx.db, caller.reader(), &id).await?;
    let filters = match p.json("filters")? {
        None => Vec::new(),
        Some(Value::Object(m)) => m
            .into_iter()
            .map(|(k, v)| match v {
                Value::Array(values) => (k, values),
                other => (k, vec![other]),
            })
            .collect(),
        Some(_) => return Err(ActionError::validation("filters", "datastore.bad_filter")),
    };
    let sort = p
        .str("sort")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut parts = s.split_whitespace();
            let field = parts.next().unwrap_or("").trim_matches('"').to_owned();
            let desc = parts.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
            (field, desc)
        })
        .collect();
    let limit = p.int("limit")?.unwrap_or(100);
    let offset = p.int("offset")?.unwrap_or(0);
    if !(0..=datastore::MAX_LIMIT).contains(&limit) {
        return Err(ActionError::validation("limit", "datastore.limit"));
    }
    if offset < 0 {
        return Err(ActionError::validation("offset", "param.negative"));
    }
    let q = match p.json("q") {
        Ok(Some(Value::String(s))) => Some(s),
        _ => p.str("q"),
    };
    let s = datastore::Search {
        filters,
        q,
        sort,
        fields: p.list("fields")?,
        limit,
        offset,
        ..Default::default()
    };
    let found = datastore::search(&state.ctx.db, &id, &s).await?;
    let path = format!("/api/3/action/datastore_search?resource_id={id}");
    Ok(json!({
        "resource_id": id,
        "fields": found.fields,
        "records": found.records,
        "total": found.total,
        "limit": limit,
        "offset": offset,
        "records_format": "objects",
        "include_total": true,
        "_links": {
            "start": path,
            "next": format!("{path}&offset={}", offset + limit),
        },
    }))
}
