//! Resources: a file uploaded into the blob store (checked first, see [`super::files`]) or a link.
//! A CSV file is loaded into the datastore in the same transaction, so a resource never exists
//! without its table, nor a table without its resource.

use super::files::{self, Format};
use super::{datasets, datastore, loads, publisher, OpenData};
use crate::error::OpenDataError;
use crate::model::{Resource, ResourceInput};
use portico_audit::Event;
use portico_core::{new_id, Actor};
use portico_store::{Db, Tx};

const COLUMNS: &str = "id, dataset_id, position, name, description, format, url, blob_key, \
    file_name, size, mimetype, datastore_rows, created_at";

type Row = (
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    i64,
);

fn from_row(r: Row) -> Resource {
    Resource {
        id: r.0,
        dataset_id: r.1,
        position: r.2,
        name: r.3,
        description: r.4,
        format: r.5,
        url: r.6,
        blob_key: r.7,
        file_name: r.8,
        size: r.9,
        mimetype: r.10,
        datastore_rows: r.11,
        created_at: r.12,
    }
}

pub async fn of_dataset(db: &Db, dataset_id: &str) -> Result<Vec<Resource>, OpenDataError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM opendata_resources WHERE dataset_id = $1 ORDER BY position"
    ))
    .bind(dataset_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Resource>, OpenDataError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM opendata_resources WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(from_row))
}

/// A resource `actor` may see (its dataset is visible to them), with its dataset's id.
pub async fn visible(db: &Db, actor: Option<&Actor>, id: &str) -> Result<Resource, OpenDataError> {
    let r = get(db, id).await?.ok_or(OpenDataError::NotFound)?;
    datasets::visible(db, actor, &r.dataset_id).await?;
    Ok(r)
}

/// Adds a resource to a dataset: an upload (checked, stored, a CSV loaded into the datastore) or
/// a link (http or https).
pub async fn add(
    ctx: &OpenData,
    actor: &Actor,
    dataset: &str,
    input: ResourceInput,
) -> Result<Resource, OpenDataError> {
    add_within(ctx, actor, dataset, input, super::MAX_UPLOAD_BYTES).await
}

/// As [`add`], with another size limit for the file (an import from the command line).
pub async fn add_within(
    ctx: &OpenData,
    actor: &Actor,
    dataset: &str,
    input: ResourceInput,
    limit: usize,
) -> Result<Resource, OpenDataError> {
    let d = datasets::find(&ctx.db, dataset)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    publisher::require(actor, &d.administration_id)?;
    let name = input.name.trim().to_owned();
    let id = new_id();
    let mut stored: Option<(Format, String, String, i64)> = None;
    let mut csv_body: Option<bytes::Bytes> = None;
    let mut geojson_body: Option<bytes::Bytes> = None;
    let mut url = None;
    let format;
    match (&input.upload, &input.url) {
        (Some((file_name, bytes)), _) => {
            let f = Format::detect(input.format.as_deref(), file_name)
                .ok_or_else(|| OpenDataError::invalid("format", "format.unknown"))?;
            files::check_within(f, bytes, limit).map_err(|p| OpenDataError::Invalid(vec![p]))?;
            let key = ctx.blobs.put(bytes.clone()).await?;
            if f == Format::Csv {
                csv_body = Some(bytes.clone());
            } else if f == Format::GeoJson {
                geojson_body = Some(bytes.clone());
            } else if f == Format::Xlsx {
                let text =
                    files::xlsx_to_csv(bytes).map_err(|p| OpenDataError::Invalid(vec![p]))?;
                csv_body = Some(bytes::Bytes::from(text));
            }
            format = f.as_str().to_owned();
            stored = Some((f, key, file_name.clone(), bytes.len() as i64));
        }
        (None, Some(link)) => {
            let link = link.trim();
            if !(link.starts_with("https://") || link.starts_with("http://")) || link.contains(' ')
            {
                return Err(OpenDataError::invalid("url", "url.invalid"));
            }
            url = Some(link.to_owned());
            format = input
                .format
                .as_deref()
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .unwrap_or("HTML")
                .to_owned();
        }
        (None, None) => return Err(OpenDataError::invalid("upload", "upload.missing")),
    }
    let name = if name.is_empty() {
        stored
            .as_ref()
            .map(|s| s.2.clone())
            .or_else(|| url.clone())
            .unwrap_or_default()
    } else {
        name
    };
    let now = ctx.now_millis();
    let mut tx = ctx.db.begin().await?;
    insert_row(
        &mut tx,
        NewRow {
            id: &id,
            dataset_id: &d.id,
            name: &name,
            description: input.description.trim(),
            format: &format,
            url: url.as_deref(),
            file: stored
                .as_ref()
                .map(|s| (s.1.as_str(), s.2.as_str(), s.3, s.0.mimetype())),
            now,
        },
    )
    .await?;
    if let Some(body) = csv_body {
        let text = files::text(&body).map_err(|p| OpenDataError::Invalid(vec![p]))?;
        let rows = datastore::load(&mut tx, ctx.db.backend(), &id, text).await?;
        sqlx::query("UPDATE opendata_resources SET datastore_rows = $2 WHERE id = $1")
            .bind(&id)
            .bind(rows)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(body) = geojson_body {
        let text = files::text(&body).map_err(|p| OpenDataError::Invalid(vec![p]))?;
        super::geo::index(&mut tx, &id, text).await?;
    }
    added(ctx, &mut tx, actor, &d, &id, &format).await?;
    tx.commit().await?;
    get(&ctx.db, &id).await?.ok_or(OpenDataError::NotFound)
}

/// A resource's row as it is added.
struct NewRow<'a> {
    id: &'a str,
    dataset_id: &'a str,
    name: &'a str,
    description: &'a str,
    format: &'a str,
    url: Option<&'a str>,
    /// The blob's key, the file's name, its size and media type.
    file: Option<(&'a str, &'a str, i64, &'a str)>,
    now: i64,
}

async fn insert_row(tx: &mut Tx, r: NewRow<'_>) -> Result<(), OpenDataError> {
    let (position,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM opendata_resources WHERE dataset_id = $1")
            .bind(r.dataset_id)
            .fetch_one(&mut **tx)
            .await?;
    sqlx::query(
        "INSERT INTO opendata_resources (id, dataset_id, position, name, description, format, url, \
         blob_key, file_name, size, mimetype, datastore_rows, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12)",
    )
    .bind(r.id)
    .bind(r.dataset_id)
    .bind(position)
    .bind(r.name)
    .bind(r.description)
    .bind(r.format)
    .bind(r.url)
    .bind(r.file.map(|f| f.0))
    .bind(r.file.map(|f| f.1))
    .bind(r.file.map(|f| f.2))
    .bind(r.file.map(|f| f.3))
    .bind(r.now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What every added resource brings along in its transaction: the dataset modified, the audit
/// event, the search index's generation moved.
async fn added(
    ctx: &OpenData,
    tx: &mut Tx,
    actor: &Actor,
    d: &crate::model::Dataset,
    id: &str,
    format: &str,
) -> Result<(), OpenDataError> {
    sqlx::query("UPDATE opendata_datasets SET modified_at = $2 WHERE id = $1")
        .bind(&d.id)
        .bind(ctx.now_millis())
        .execute(&mut **tx)
        .await?;
    portico_audit::append(
        tx,
        Event::new(&actor.audit_id(), "opendata.resource_added", id)
            .in_administration(&d.administration_id)
            .with(serde_json::json!({ "dataset": d.name, "format": format })),
        ctx.clock.now(),
    )
    .await?;
    super::index::touch(tx).await?;
    Ok(())
}

/// The dataset `actor` may add a resource to (asked before a large file is received).
pub async fn may_add(
    ctx: &OpenData,
    actor: &Actor,
    dataset: &str,
) -> Result<crate::model::Dataset, OpenDataError> {
    let d = datasets::find(&ctx.db, dataset)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    publisher::require(actor, &d.administration_id)?;
    Ok(d)
}

/// Adds a resource whose file was streamed and checked as it came ([`loads::Receiving`]): a
/// CSV with its load queued in the same transaction (its table is filled by the load's job), a
/// GeoJSON with the indexing of its features queued, a JSON file as it is.
pub async fn add_streamed(
    ctx: &OpenData,
    actor: &Actor,
    dataset: &str,
    input: &ResourceInput,
    file_name: &str,
    stored: &loads::Stored,
) -> Result<Resource, OpenDataError> {
    let d = may_add(ctx, actor, dataset).await?;
    let id = new_id();
    let name = match input.name.trim() {
        "" => file_name,
        given => given,
    };
    let f = stored.format();
    let format = f.as_str();
    let mut tx = ctx.db.begin().await?;
    insert_row(
        &mut tx,
        NewRow {
            id: &id,
            dataset_id: &d.id,
            name,
            description: input.description.trim(),
            format,
            url: None,
            file: Some((
                &stored.key,
                file_name,
                i64::try_from(stored.size).unwrap_or(i64::MAX),
                f.mimetype(),
            )),
            now: ctx.now_millis(),
        },
    )
    .await?;
    match &stored.content {
        loads::Content::Csv(checked) => loads::queue(ctx, &mut tx, &id, checked).await?,
        loads::Content::GeoJson(_) => super::features_load::queue(ctx, &mut tx, &id).await?,
        loads::Content::Json => {}
    }
    added(ctx, &mut tx, actor, &d, &id, format).await?;
    tx.commit().await?;
    get(&ctx.db, &id).await?.ok_or(OpenDataError::NotFound)
}

/// Replaces an uploaded resource's file with a new one of the same format (checked first; a CSV
/// loaded into the datastore again), in one transaction with its audit entry.
pub async fn replace_upload(
    ctx: &OpenData,
    actor: &Actor,
    resource_id: &str,
    file_name: &str,
    bytes: bytes::Bytes,
) -> Result<Resource, OpenDataError> {
    let r = get(&ctx.db, resource_id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    let d = datasets::get(&ctx.db, &r.dataset_id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    publisher::require(actor, &d.administration_id)?;
    let f = Format::detect(Some(&r.format), file_name)
        .ok_or_else(|| OpenDataError::invalid("format", "format.unknown"))?;
    files::check(f, &bytes).map_err(|p| OpenDataError::Invalid(vec![p]))?;
    let key = ctx.blobs.put(bytes.clone()).await?;
    let now = ctx.now_millis();
    let mut tx = ctx.db.begin().await?;
    let mut rows = None;
    let table = match f {
        Format::Csv => Some(
            files::text(&bytes)
                .map_err(|p| OpenDataError::Invalid(vec![p]))?
                .to_owned(),
        ),
        Format::Xlsx => {
            Some(files::xlsx_to_csv(&bytes).map_err(|p| OpenDataError::Invalid(vec![p]))?)
        }
        _ => None,
    };
    if let Some(text) = table {
        datastore::drop(&mut tx, &r.id).await?;
        rows = Some(datastore::load(&mut tx, ctx.db.backend(), &r.id, &text).await?);
    }
    if f == Format::GeoJson {
        let text = files::text(&bytes).map_err(|p| OpenDataError::Invalid(vec![p]))?;
        super::geo::index(&mut tx, &r.id, text).await?;
    }
    sqlx::query(
        "UPDATE opendata_resources SET blob_key = $2, file_name = $3, size = $4, \
         datastore_rows = $5 WHERE id = $1",
    )
    .bind(&r.id)
    .bind(&key)
    .bind(file_name)
    .bind(bytes.len() as i64)
    .bind(rows)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE opendata_datasets SET modified_at = $2 WHERE id = $1")
        .bind(&d.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "opendata.resource_replaced", &r.id)
            .in_administration(&d.administration_id)
            .with(serde_json::json!({ "dataset": d.name, "size": bytes.len() })),
        ctx.clock.now(),
    )
    .await?;
    super::index::touch(&mut tx).await?;
    tx.commit().await?;
    get(&ctx.db, &r.id).await?.ok_or(OpenDataError::NotFound)
}

/// Corrects the type of a column of a resource's datastore table (a column detected as text
/// made `int`, `float` or `date`, for example), when every value fits; otherwise nothing
/// changes and the error lists the rows that do not. One transaction with its audit entry.
pub async fn retype_field(
    ctx: &OpenData,
    actor: &Actor,
    resource_id: &str,
    field: &str,
    to: datastore::FieldType,
) -> Result<Resource, OpenDataError> {
    let r = get(&ctx.db, resource_id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    let d = datasets::get(&ctx.db, &r.dataset_id)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    publisher::require(actor, &d.administration_id)?;
    if r.datastore_rows.is_none() {
        return Err(OpenDataError::NotFound);
    }
    let mut tx = ctx.db.begin().await?;
    let from = datastore::retype(&mut tx, &r.id, field, to).await?;
    if from != to {
        sqlx::query("UPDATE opendata_datasets SET modified_at = $2 WHERE id = $1")
            .bind(&d.id)
            .bind(ctx.now_millis())
            .execute(&mut *tx)
            .await?;
        portico_audit::append(
            &mut tx,
            Event::new(&actor.audit_id(), "opendata.field_retyped", &r.id)
                .in_administration(&d.administration_id)
                .with(serde_json::json!({
                    "dataset": d.name,
                    "field": field,
                    "from": from.as_str(),
                    "to": to.as_str(),
                })),
            ctx.clock.now(),
        )
        .await?;
        super::index::touch(&mut tx).await?;
    }
    tx.commit().await?;
    get(&ctx.db, &r.id).await?.ok_or(OpenDataError::NotFound)
}

/// The bytes of an uploaded resource.
pub async fn file(ctx: &OpenData, r: &Resource) -> Result<bytes::Bytes, OpenDataError> {
    let key = r.blob_key.as_deref().ok_or(OpenDataError::NotFound)?;
    ctx.blobs
        .get(key)
        .await?
        .ok_or_else(|| OpenDataError::Internal(format!("blob {key} is missing")))
}
