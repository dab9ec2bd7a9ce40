//! Spatial resources: the features of a published GeoJSON resource, or of a CSV resource in the
//! datastore whose columns include a latitude and a longitude, with their bounding boxes. The
//! OGC API – Features collections and the map preview on the dataset page read them here.

use super::files::{self, Format};
use super::{datasets, datastore, resources, OpenData};
use crate::error::OpenDataError;
use crate::model::{Dataset, DatasetState, Resource};
use portico_store::Tx;
use serde_json::{Map, Value};

/// West, south, east, north (longitude and latitude, WGS 84).
pub type BBox = [f64; 4];

/// One feature: its id within the collection (its position, from 1), geometry and properties.
#[derive(Debug, Clone)]
pub struct Feature {
    pub id: u64,
    pub geometry: Value,
    pub properties: Map<String, Value>,
    pub bbox: Option<BBox>,
}

/// A spatial resource of a published dataset.
#[derive(Debug, Clone)]
pub struct Collection {
    pub dataset: Dataset,
    pub resource: Resource,
}

/// Names a CSV column may have for latitude and longitude (compared in lower case).
const LATITUDE: &[&str] = &["lat", "latitude", "ширина", "y"];
const LONGITUDE: &[&str] = &["lon", "lng", "long", "longitude", "дължина", "x"];

/// The positions of a table's latitude and longitude columns, when it has both.
pub fn coordinate_columns(names: &[String]) -> Option<(usize, usize)> {
    let find = |wanted: &[&str]| {
        names
            .iter()
            .position(|n| wanted.contains(&n.trim().to_lowercase().as_str()))
    };
    Some((find(LATITUDE)?, find(LONGITUDE)?))
}

/// True when a resource can be read as features: a GeoJSON file, or a table with numeric
/// latitude and longitude columns.
pub async fn is_spatial(db: &portico_store::Db, r: &Resource) -> Result<bool, OpenDataError> {
    if r.format == Format::GeoJson.as_str() && r.blob_key.is_some() {
        return Ok(true);
    }
    if r.datastore_rows.is_some() {
        return Ok(coordinates(&datastore::fields(db, &r.id).await?).is_some());
    }
    Ok(false)
}

/// The names of a table's latitude and longitude fields, when it has both and both are numbers.
fn coordinates(fields: &[datastore::Field]) -> Option<(String, String)> {
    let names: Vec<String> = fields.iter().map(|f| f.id.clone()).collect();
    let (lat, lon) = coordinate_columns(&names)?;
    let numeric = |i: usize| fields[i].kind.is_numeric();
    (numeric(lat) && numeric(lon)).then(|| (names[lat].clone(), names[lon].clone()))
}

/// Every spatial resource of the published datasets, in dataset name order.
pub async fn collections(ctx: &OpenData) -> Result<Vec<Collection>, OpenDataError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT r.id FROM opendata_resources r JOIN opendata_datasets d ON d.id = r.dataset_id \
         WHERE d.state = 'published' AND (r.format = 'GeoJSON' OR r.datastore_rows IS NOT NULL) \
         ORDER BY d.name, r.position",
    )
    .fetch_all(ctx.db.pool())
    .await?;
    let mut out = Vec::new();
    for (id,) in rows {
        if let Some(c) = collection(ctx, &id).await? {
            out.push(c);
        }
    }
    Ok(out)
}

/// A spatial resource of a published dataset by its id, or nothing.
pub async fn collection(ctx: &OpenData, id: &str) -> Result<Option<Collection>, OpenDataError> {
    let Some(resource) = resources::get(&ctx.db, id).await? else {
        return Ok(None);
    };
    let Some(dataset) = datasets::get(&ctx.db, &resource.dataset_id).await? else {
        return Ok(None);
    };
    if dataset.state != DatasetState::Published || !is_spatial(&ctx.db, &resource).await? {
        return Ok(None);
    }
    Ok(Some(Collection { dataset, resource }))
}

/// Writes the features of a GeoJSON resource into `opendata_features`, replacing any it had, in
/// the resource's own transaction; the number of features.
pub async fn index(tx: &mut Tx, resource_id: &str, text: &str) -> Result<i64, OpenDataError> {
    sqlx::query("DELETE FROM opendata_features WHERE resource_id = $1")
        .bind(resource_id)
        .execute(&mut **tx)
        .await?;
    let features = from_geojson(text)?;
    // Eight parameters a row, well under SQLite's limit.
    for chunk in features.chunks(500) {
        insert_features(tx, resource_id, chunk).await?;
    }
    let n = features.len() as i64;
    sqlx::query("UPDATE opendata_resources SET features = $2 WHERE id = $1")
        .bind(resource_id)
        .bind(n)
        .execute(&mut **tx)
        .await?;
    Ok(n)
}

/// Stores `chunk` (at most 500: eight parameters a row, well under SQLite's limit) in
/// `opendata_features`.
pub(super) async fn insert_features(
    tx: &mut Tx,
    resource_id: &str,
    chunk: &[Feature],
) -> Result<(), OpenDataError> {
    let mut sql = String::from(
        "INSERT INTO opendata_features \
         (resource_id, n, min_x, min_y, max_x, max_y, geometry, properties) VALUES ",
    );
    for k in 0..chunk.len() {
        let p = k * 8;
        if k > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5,
            p + 6,
            p + 7,
            p + 8
        ));
    }
    let mut q = sqlx::query(&sql);
    for f in chunk {
        q = q
            .bind(resource_id)
            .bind(f.id as i64)
            .bind(f.bbox.map(|b| b[0]))
            .bind(f.bbox.map(|b| b[1]))
            .bind(f.bbox.map(|b| b[2]))
            .bind(f.bbox.map(|b| b[3]))
            .bind(f.geometry.to_string())
            .bind(Value::Object(f.properties.clone()).to_string());
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Indexes a GeoJSON resource added before `opendata_features` existed. Two nodes doing it at
/// once: the second finds `features` set (it waits for the first's row lock) and does nothing.
async fn ensure_indexed(ctx: &OpenData, r: &Resource) -> Result<(), OpenDataError> {
    let (features,): (Option<i64>,) =
        sqlx::query_as("SELECT features FROM opendata_resources WHERE id = $1")
            .bind(&r.id)
            .fetch_one(ctx.db.pool())
            .await?;
    if features.is_some() {
        return Ok(());
    }
    let bytes = resources::file(ctx, r).await?;
    let text = files::text(&bytes).map_err(|p| OpenDataError::Invalid(vec![p]))?;
    let mut tx = ctx.db.begin().await?;
    let claimed = sqlx::query(
        "UPDATE opendata_resources SET features = -1 WHERE id = $1 AND features IS NULL",
    )
    .bind(&r.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed == 1 {
        index(&mut tx, &r.id, text).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A page of a spatial resource's features, in the file's (or the table's) order, with the
/// number that match: those whose box meets `bbox`, when it is given. Filtered, counted and cut
/// in SQL; only the page is read.
#[derive(Debug, Clone)]
pub struct Page {
    pub features: Vec<Feature>,
    pub matched: i64,
}

/// Binds a box as the `$2..$5` of the page's filter (east, west, north, south).
fn bind_box<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    bbox: Option<BBox>,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    match bbox {
        Some(b) => q.bind(b[2]).bind(b[0]).bind(b[3]).bind(b[1]),
        None => q,
    }
}

type FeatureRow = (
    i64,
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

fn from_row(r: FeatureRow) -> Result<Feature, OpenDataError> {
    let bbox = match (r.3, r.4, r.5, r.6) {
        (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
        _ => None,
    };
    Ok(Feature {
        id: r.0 as u64,
        geometry: serde_json::from_str(&r.1)?,
        properties: serde_json::from_str(&r.2)?,
        bbox,
    })
}

/// The latitude and longitude ranges a CSV row must be in: the valid ones, cut to `bbox`.
fn ranges(lat: &str, lon: &str, bbox: Option<BBox>) -> Vec<(String, f64, f64)> {
    let b = bbox.unwrap_or([-180.0, -90.0, 180.0, 90.0]);
    vec![
        (lat.to_owned(), b[1].max(-90.0), b[3].min(90.0)),
        (lon.to_owned(), b[0].max(-180.0), b[2].min(180.0)),
    ]
}

fn point(lat: &str, lon: &str, mut record: Map<String, Value>) -> Option<Feature> {
    let id = record.remove("_id")?.as_u64()?;
    let y = record.get(lat)?.as_f64()?;
    let x = record.get(lon)?.as_f64()?;
    Some(Feature {
        id,
        geometry: serde_json::json!({ "type": "Point", "coordinates": [x, y] }),
        properties: record,
        bbox: Some([x, y, x, y]),
    })
}

pub async fn page(
    ctx: &OpenData,
    r: &Resource,
    bbox: Option<BBox>,
    limit: i64,
    offset: i64,
) -> Result<Page, OpenDataError> {
    if r.format == Format::GeoJson.as_str() {
        ensure_indexed(ctx, r).await?;
        let filter = if bbox.is_some() {
            " AND min_x <= $2 AND max_x >= $3 AND min_y <= $4 AND max_y >= $5"
        } else {
            ""
        };
        let (matched,): (i64,) = bind_box(
            sqlx::query_as(&format!(
                "SELECT COUNT(*) FROM opendata_features WHERE resource_id = $1{filter}"
            ))
            .bind(&r.id),
            bbox,
        )
        .fetch_one(ctx.db.pool())
        .await?;
        let sql = format!(
            "SELECT n, geometry, properties, min_x, min_y, max_x, max_y FROM opendata_features \
             WHERE resource_id = $1{filter} ORDER BY n LIMIT {} OFFSET {}",
            limit.max(0),
            offset.max(0)
        );
        let rows: Vec<FeatureRow> = bind_box(sqlx::query_as(&sql).bind(&r.id), bbox)
            .fetch_all(ctx.db.pool())
            .await?;
        let features = rows.into_iter().map(from_row).collect::<Result<_, _>>()?;
        return Ok(Page { features, matched });
    }
    let fields = datastore::fields(&ctx.db, &r.id).await?;
    let Some((lat, lon)) = coordinates(&fields) else {
        return Ok(Page {
            features: Vec::new(),
            matched: 0,
        });
    };
    let found = datastore::search(
        &ctx.db,
        &r.id,
        &datastore::Search {
            ranges: ranges(&lat, &lon, bbox),
            limit: limit.min(datastore::MAX_LIMIT),
            offset,
            ..Default::default()
        },
    )
    .await?;
    Ok(Page {
        features: found
            .records
            .into_iter()
            .filter_map(|rec| point(&lat, &lon, rec))
            .collect(),
        matched: found.total,
    })
}

/// One feature of a spatial resource by its id.
pub async fn feature(
    ctx: &OpenData,
    r: &Resource,
    n: u64,
) -> Result<Option<Feature>, OpenDataError> {
    let Ok(n) = i64::try_from(n) else {
        return Ok(None);
    };
    if r.format == Format::GeoJson.as_str() {
        ensure_indexed(ctx, r).await?;
        let row: Option<FeatureRow> = sqlx::query_as(
            "SELECT n, geometry, properties, min_x, min_y, max_x, max_y FROM opendata_features \
             WHERE resource_id = $1 AND n = $2",
        )
        .bind(&r.id)
        .bind(n)
        .fetch_optional(ctx.db.pool())
        .await?;
        return row.map(from_row).transpose();
    }
    let fields = datastore::fields(&ctx.db, &r.id).await?;
    let Some((lat, lon)) = coordinates(&fields) else {
        return Ok(None);
    };
    let found = datastore::search(
        &ctx.db,
        &r.id,
        &datastore::Search {
            ranges: ranges(&lat, &lon, None),
            id: Some(n),
            limit: 1,
            ..Default::default()
        },
    )
    .await?;
    Ok(found
        .records
        .into_iter()
        .next()
        .and_then(|rec| point(&lat, &lon, rec)))
}

/// The box around all of a spatial resource's features, computed by the database.
pub async fn extent(ctx: &OpenData, r: &Resource) -> Result<Option<BBox>, OpenDataError> {
    if r.format == Format::GeoJson.as_str() {
        ensure_indexed(ctx, r).await?;
        let b: (Option<f64>, Option<f64>, Option<f64>, Option<f64>) = sqlx::query_as(
            "SELECT MIN(min_x), MIN(min_y), MAX(max_x), MAX(max_y) FROM opendata_features \
             WHERE resource_id = $1",
        )
        .bind(&r.id)
        .fetch_one(ctx.db.pool())
        .await?;
        return Ok(match b {
            (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
            _ => None,
        });
    }
    let fields = datastore::fields(&ctx.db, &r.id).await?;
    let Some((lat, lon)) = coordinates(&fields) else {
        return Ok(None);
    };
    let b = datastore::bounds(&ctx.db, &r.id, &ranges(&lat, &lon, None)).await?;
    Ok(
        match (b.first().copied().flatten(), b.get(1).copied().flatten()) {
            (Some((s, n)), Some((w, e))) => Some([w, s, e, n]),
            _ => None,
        },
    )
}

/// The box around all the spatial resources of a dataset; none when it has none.
pub async fn dataset_extent(ctx: &OpenData, d: &Dataset) -> Result<Option<BBox>, OpenDataError> {
    let mut boxes = Vec::new();
    for r in &d.resources {
        if is_spatial(&ctx.db, r).await? {
            boxes.extend(extent(ctx, r).await?);
        }
    }
    Ok(union(boxes))
}

/// The features of a GeoJSON text (a FeatureCollection or one Feature), numbered from 1.
pub fn from_geojson(text: &str) -> Result<Vec<Feature>, OpenDataError> {
    let value: Value = serde_json::from_str(text)?;
    let list = match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => value
            .get("features")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        Some("Feature") => vec![value],
        _ => Vec::new(),
    };
    Ok(list
        .into_iter()
        .enumerate()
        .map(|(n, f)| {
            let geometry = f.get("geometry").cloned().unwrap_or(Value::Null);
            let properties = f
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            Feature {
                id: n as u64 + 1,
                bbox: bbox_of(&geometry),
                geometry,
                properties,
            }
        })
        .collect())
}

/// Every position (longitude, latitude) of a geometry, whatever its type.
pub fn positions(geometry: &Value, out: &mut Vec<(f64, f64)>) {
    fn walk(v: &Value, out: &mut Vec<(f64, f64)>) {
        if let Some(a) = v.as_array() {
            match (
                a.first().and_then(Value::as_f64),
                a.get(1).and_then(Value::as_f64),
            ) {
                (Some(x), Some(y)) => out.push((x, y)),
                _ => a.iter().for_each(|c| walk(c, out)),
            }
        }
    }
    if let Some(list) = geometry.get("geometries").and_then(Value::as_array) {
        list.iter().for_each(|g| positions(g, out));
    } else if let Some(c) = geometry.get("coordinates") {
        walk(c, out);
    }
}

/// A geometry's bounding box; none for a null or empty geometry.
pub fn bbox_of(geometry: &Value) -> Option<BBox> {
    let mut points = Vec::new();
    positions(geometry, &mut points);
    union(points.iter().map(|&(x, y)| [x, y, x, y]))
}

/// The box around all of `boxes`.
pub fn union(boxes: impl IntoIterator<Item = BBox>) -> Option<BBox> {
    boxes.into_iter().reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
}

/// True when two boxes share a point.
pub fn intersects(a: &BBox, b: &BBox) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Reads OGC's `bbox` parameter: four numbers, west, south, east, north.
pub fn parse_bbox(s: &str) -> Option<BBox> {
    let n: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()?;
    match n[..] {
        [w, s, e, n] if w <= e && s <= n => Some([w, s, e, n]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn features_and_their_boxes() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Polygon","coordinates":[[[23.3,42.6],[23.4,42.6],[23.4,42.7],[23.3,42.6]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[27.4,42.5]}},
          {"type":"Feature","properties":{},"geometry":null}]}"#;
        let f = from_geojson(text).unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].bbox, Some([23.3, 42.6, 23.4, 42.7]));
        assert_eq!(f[2].bbox, None);
        let sofia = parse_bbox("23.0,42.5,23.6,42.9").unwrap();
        assert!(intersects(&f[0].bbox.unwrap(), &sofia));
        assert!(!intersects(&f[1].bbox.unwrap(), &sofia));
        assert!(parse_bbox("1,2,3").is_none());
        assert!(parse_bbox("3,2,1,4").is_none());
        assert!(parse_bbox("a,b,c,d").is_none());
        assert_eq!(
            coordinate_columns(&["name".into(), "Lon".into(), "lat".into()]),
            Some((2, 1))
        );
        assert_eq!(coordinate_columns(&["name".into()]), None);
    }
}
