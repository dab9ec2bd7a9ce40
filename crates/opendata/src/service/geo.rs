//! Spatial resources: the features of a published GeoJSON resource, or of a CSV resource in the
//! datastore whose columns include a latitude and a longitude, with their bounding boxes. The
//! OGC API – Features collections and the map preview on the dataset page read them here.

use super::files::{self, Format};
use super::{datasets, datastore, resources, OpenData};
use crate::error::OpenDataError;
use crate::model::{Dataset, DatasetState, Resource};
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

/// True when a resource can be read as features.
pub async fn is_spatial(db: &portico_store::Db, r: &Resource) -> Result<bool, OpenDataError> {
    if r.format == Format::GeoJson.as_str() && r.blob_key.is_some() {
        return Ok(true);
    }
    if r.datastore_rows.is_some() {
        let names: Vec<String> = datastore::fields(db, &r.id)
            .await?
            .into_iter()
            .map(|f| f.id)
            .collect();
        return Ok(coordinate_columns(&names).is_some());
    }
    Ok(false)
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

/// The features of a spatial resource, in the file's (or the table's) order.
pub async fn features(ctx: &OpenData, r: &Resource) -> Result<Vec<Feature>, OpenDataError> {
    if r.format == Format::GeoJson.as_str() {
        let bytes = resources::file(ctx, r).await?;
        let text = files::text(&bytes).map_err(|p| OpenDataError::Invalid(vec![p]))?;
        return from_geojson(text);
    }
    let fields = datastore::fields(&ctx.db, &r.id).await?;
    let names: Vec<String> = fields.iter().map(|f| f.id.clone()).collect();
    let Some((lat, lon)) = coordinate_columns(&names) else {
        return Ok(Vec::new());
    };
    let found = datastore::search(
        &ctx.db,
        &r.id,
        &datastore::Search {
            limit: datastore::MAX_LIMIT,
            ..Default::default()
        },
    )
    .await?;
    let mut out = Vec::new();
    for (n, record) in found.records.into_iter().enumerate() {
        let number = |i: usize| {
            record.get(&names[i]).and_then(|v| match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            })
        };
        let (Some(y), Some(x)) = (number(lat), number(lon)) else {
            continue;
        };
        if !(-90.0..=90.0).contains(&y) || !(-180.0..=180.0).contains(&x) {
            continue;
        }
        let mut properties = record;
        properties.remove("_id");
        out.push(Feature {
            id: n as u64 + 1,
            geometry: serde_json::json!({ "type": "Point", "coordinates": [x, y] }),
            properties,
            bbox: Some([x, y, x, y]),
        });
    }
    Ok(out)
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
