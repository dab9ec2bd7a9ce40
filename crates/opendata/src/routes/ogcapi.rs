//! OGC API – Features (Part 1: Core, with GeoJSON) under `/ogcapi/`: the landing page, the
//! conformance classes, the collections (each spatial resource of a published dataset: a GeoJSON
//! file, or a CSV in the datastore with latitude and longitude columns), a collection's items
//! with `bbox`, `limit` and `offset` and `next`/`prev` links, and one item. GIS tools (QGIS,
//! GDAL's OAPIF driver) read them directly. Coordinates are WGS 84 longitude/latitude (CRS84).
//! A page is filtered, counted and cut by the database (`service::geo::page`): only its features
//! are read.

use super::OpenDataState;
use crate::service::geo::{self, Collection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_http::AppError;
use serde::Deserialize;
use serde_json::{json, Value};

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// Items in a page unless `limit` says otherwise, and the most a page may have.
pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 10_000;

fn base(state: &OpenDataState) -> String {
    format!("{}/ogcapi", state.app.config.base_url.trim_end_matches('/'))
}

fn json_response(media: &'static str, body: &Value) -> Response {
    ([(header::CONTENT_TYPE, media)], body.to_string()).into_response()
}

/// An OGC API exception (`{"code", "description"}`) with its status.
fn exception(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "code": code, "description": description }).to_string(),
    )
        .into_response()
}

pub async fn landing(State(state): State<OpenDataState>) -> Response {
    let b = base(&state);
    json_response(
        "application/json",
        &json!({
            "title": "Portico – open data as OGC API – Features",
            "description": "The spatial resources of the datasets that administrations publish on Portico.",
            "links": [
                { "href": b, "rel": "self", "type": "application/json", "title": "This document" },
                { "href": format!("{b}/conformance"), "rel": "conformance", "type": "application/json", "title": "Conformance classes" },
                { "href": format!("{b}/collections"), "rel": "data", "type": "application/json", "title": "Collections" },
                { "href": format!("{}/data", state.app.config.base_url.trim_end_matches('/')), "rel": "alternate", "type": "text/html", "title": "The open data portal" }
            ]
        }),
    )
}

pub async fn conformance() -> Response {
    json_response(
        "application/json",
        &json!({
            "conformsTo": [
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
            ]
        }),
    )
}

async fn describe(state: &OpenDataState, c: &Collection) -> Result<Value, AppError> {
    let b = base(state);
    let id = &c.resource.id;
    let bbox = geo::extent(&state.ctx, &c.resource)
        .await?
        .unwrap_or([-180.0, -90.0, 180.0, 90.0]);
    let title = if c.resource.name.is_empty() || c.resource.name == c.dataset.title_bg {
        c.dataset.title_bg.clone()
    } else {
        format!("{} – {}", c.dataset.title_bg, c.resource.name)
    };
    Ok(json!({
        "id": id,
        "title": title,
        "description": c.dataset.notes_bg,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": { "spatial": { "bbox": [bbox], "crs": CRS84 } },
        "links": [
            { "href": format!("{b}/collections/{id}"), "rel": "self", "type": "application/json" },
            { "href": format!("{b}/collections/{id}/items"), "rel": "items", "type": "application/geo+json", "title": "Features" },
            { "href": format!("{}/data/{}", state.app.config.base_url.trim_end_matches('/'), c.dataset.name), "rel": "describedby", "type": "text/html", "title": "The dataset" }
        ]
    }))
}

pub async fn collections(State(state): State<OpenDataState>) -> Result<Response, AppError> {
    let b = base(&state);
    let mut list = Vec::new();
    for c in geo::collections(&state.ctx).await? {
        list.push(describe(&state, &c).await?);
    }
    Ok(json_response(
        "application/json",
        &json!({
            "links": [{ "href": format!("{b}/collections"), "rel": "self", "type": "application/json" }],
            "collections": list
        }),
    ))
}

async fn find(state: &OpenDataState, id: &str) -> Result<Collection, AppError> {
    geo::collection(&state.ctx, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn collection(
    State(state): State<OpenDataState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = find(&state, &id).await?;
    Ok(json_response(
        "application/json",
        &describe(&state, &c).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct ItemsQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub bbox: Option<String>,
}

fn feature_json(f: &geo::Feature) -> Value {
    let mut v = json!({
        "type": "Feature",
        "id": f.id,
        "geometry": f.geometry,
        "properties": f.properties,
    });
    if let Some(b) = f.bbox {
        v["bbox"] = json!(b);
    }
    v
}

pub async fn items(
    State(state): State<OpenDataState>,
    Path(id): Path<String>,
    Query(q): Query<ItemsQuery>,
) -> Result<Response, AppError> {
    let c = find(&state, &id).await?;
    let limit = match q.limit.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_LIMIT,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if n >= 1 => n.min(MAX_LIMIT),
            _ => {
                return Ok(exception(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameterValue",
                    "limit must be a whole number from 1",
                ))
            }
        },
    };
    let offset = match q.offset.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(o) => match o.parse::<usize>() {
            Ok(n) => n,
            Err(_) => {
                return Ok(exception(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameterValue",
                    "offset must be a whole number from 0",
                ))
            }
        },
    };
    let bbox = match q.bbox.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(b) => match geo::parse_bbox(b) {
            Some(b) => Some(b),
            None => {
                return Ok(exception(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameterValue",
                    "bbox must be four numbers: west,south,east,north",
                ))
            }
        },
    };
    let found = geo::page(&state.ctx, &c.resource, bbox, limit as i64, offset as i64).await?;
    let matched = usize::try_from(found.matched).unwrap_or(0);
    let page: Vec<Value> = found.features.iter().map(feature_json).collect();
    let b = base(&state);
    let link = |offset: usize| {
        let mut href = format!("{b}/collections/{id}/items?limit={limit}&offset={offset}");
        if let Some(bb) = &bbox {
            href.push_str(&format!("&bbox={},{},{},{}", bb[0], bb[1], bb[2], bb[3]));
        }
        href
    };
    let mut links = vec![
        json!({ "href": link(offset), "rel": "self", "type": "application/geo+json" }),
        json!({ "href": format!("{b}/collections/{id}"), "rel": "collection", "type": "application/json" }),
    ];
    if offset + limit < matched {
        links.push(
            json!({ "href": link(offset + limit), "rel": "next", "type": "application/geo+json" }),
        );
    }
    if offset > 0 {
        links.push(json!({ "href": link(offset.saturating_sub(limit)), "rel": "prev", "type": "application/geo+json" }));
    }
    Ok(json_response(
        "application/geo+json",
        &json!({
            "type": "FeatureCollection",
            "timeStamp": state.ctx.clock.now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "numberMatched": matched,
            "numberReturned": page.len(),
            "features": page,
            "links": links,
        }),
    ))
}

pub async fn item(
    State(state): State<OpenDataState>,
    Path((id, fid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let c = find(&state, &id).await?;
    let n: u64 = fid.parse().map_err(|_| AppError::NotFound)?;
    let f = geo::feature(&state.ctx, &c.resource, n)
        .await?
        .ok_or(AppError::NotFound)?;
    let b = base(&state);
    let mut v = feature_json(&f);
    v["links"] = json!([
        { "href": format!("{b}/collections/{id}/items/{n}"), "rel": "self", "type": "application/geo+json" },
        { "href": format!("{b}/collections/{id}"), "rel": "collection", "type": "application/json" }
    ]);
    Ok(json_response("application/geo+json", &v))
}
