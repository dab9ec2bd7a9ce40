//! The open data block's routes: the CKAN Action API (`/api/3/action/…`, and `/api/action/…` where
//! older clients such as `ckanapi` call it), the files of uploaded resources, and the JSON API's
//! list of datasets in the OpenAPI document.

mod api;
mod caller;
mod ckan;
mod dcat;
mod feed;
mod fields;
mod files;
mod ogcapi;
mod pages;
mod publish;
mod resource;
mod upload;

use crate::service::OpenData;
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;
use portico_http::AppState;

pub use api::api_router;
pub use caller::Caller;

#[derive(Clone)]
pub struct OpenDataState {
    pub app: AppState,
    pub ctx: OpenData,
}

impl FromRef<OpenDataState> for AppState {
    fn from_ref(s: &OpenDataState) -> AppState {
        s.app.clone()
    }
}

pub fn router(state: OpenDataState) -> Router<AppState> {
    Router::new()
        .route(
            "/api/3/action/{action}",
            get(ckan::action_get).post(ckan::action_post),
        )
        .route(
            "/api/action/{action}",
            get(ckan::action_get).post(ckan::action_post),
        )
        // `resource_create` takes a file of up to 1 GiB, read as it comes (the shell's
        // `LARGE_BODIES` lists these paths with their limit).
        .route(
            "/api/3/action/resource_create",
            get(ckan::resource_create_get)
                .post(ckan::resource_create)
                .layer(large_body("/api/3/action/resource_create")),
        )
        .route(
            "/api/action/resource_create",
            get(ckan::resource_create_get)
                .post(ckan::resource_create)
                .layer(large_body("/api/action/resource_create")),
        )
        .route("/catalog.ttl", get(dcat::catalog_ttl))
        .route("/catalog.rdf", get(dcat::catalog_rdf))
        .route("/catalog.jsonld", get(dcat::catalog_jsonld))
        .route("/dataset/{file}", get(dataset_file))
        .route("/data", get(pages::search_page))
        .route("/data/mine", get(publish::mine))
        .route("/data/new", get(publish::new_form).post(publish::create))
        .route("/data/{name}", get(pages::dataset_page))
        .route(
            "/data/{name}/edit",
            get(publish::edit_form).post(publish::update),
        )
        .route(
            "/data/{name}/resources/new",
            get(publish::resource_form)
                .post(publish::add_resource)
                .layer(large_body("/data/*/resources/new")),
        )
        .route("/data/{name}/resources/{id}", get(resource::resource_page))
        .route(
            "/data/{name}/resources/{id}/load",
            axum::routing::post(resource::restart),
        )
        .route(
            "/data/{name}/resources/{id}/fields",
            get(fields::fields_page).post(fields::retype),
        )
        .route("/organization/{eik}", get(pages::organisation_page))
        .route("/feeds/dataset.atom", get(feed::atom))
        .route("/ogcapi", get(ogcapi::landing))
        .route("/ogcapi/", get(ogcapi::landing))
        .route("/ogcapi/conformance", get(ogcapi::conformance))
        .route("/ogcapi/collections", get(ogcapi::collections))
        .route("/ogcapi/collections/{id}", get(ogcapi::collection))
        .route("/ogcapi/collections/{id}/items", get(ogcapi::items))
        .route("/ogcapi/collections/{id}/items/{fid}", get(ogcapi::item))
        .route(
            "/dataset/{dataset}/resource/{resource}/download/{file}",
            get(files::download),
        )
        .with_state(state)
}

/// The extractors' body limit of a route the shell lets take a large body.
fn large_body(path: &str) -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(portico_http::shell::body_limit(path))
}

/// `/dataset/{name}.ttl`, `.rdf` or `.jsonld`: the dataset's DCAT-AP; `/dataset/{name}` (CKAN's
/// address of a dataset's page) goes to its page, `/data/{name}`.
async fn dataset_file(
    axum::extract::State(state): axum::extract::State<OpenDataState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<axum::response::Response, portico_http::AppError> {
    use axum::response::IntoResponse;
    match dcat::Syntax::of(&file) {
        Some((name, syntax)) => dcat::dataset(&state, name, syntax).await,
        None => {
            let to: String = url::form_urlencoded::byte_serialize(file.as_bytes()).collect();
            Ok(axum::response::Redirect::to(&format!("/data/{to}")).into_response())
        }
    }
}
