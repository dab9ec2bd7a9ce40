//! Where a voter may be: a process's boundary is a GeoJSON Polygon or MultiPolygon (RFC 7946:
//! longitude first); the browser's reported location is checked against it here, on the server,
//! with the `geo` crate's point-in-polygon test.

use crate::error::ParticipationError;
use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::Value;

fn ring(value: &Value) -> Option<LineString<f64>> {
    let coords = value
        .as_array()?
        .iter()
        .map(|p| {
            let p = p.as_array()?;
            Some(Coord {
                x: p.first()?.as_f64()?,
                y: p.get(1)?.as_f64()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    (coords.len() >= 4).then(|| LineString::new(coords))
}

fn polygon(value: &Value) -> Option<Polygon<f64>> {
    let rings = value.as_array()?;
    let exterior = ring(rings.first()?)?;
    let interiors = rings[1..].iter().map(ring).collect::<Option<Vec<_>>>()?;
    Some(Polygon::new(exterior, interiors))
}

/// The boundary as a multipolygon; `boundary_invalid` when it is not a GeoJSON (Multi)Polygon
/// (a Feature's geometry is accepted too).
pub fn parse(value: &Value) -> Result<MultiPolygon<f64>, ParticipationError> {
    let geometry = match value.get("type").and_then(Value::as_str) {
        Some("Feature") => value.get("geometry").unwrap_or(&Value::Null),
        _ => value,
    };
    let coords = geometry.get("coordinates");
    let parsed = match (geometry.get("type").and_then(Value::as_str), coords) {
        (Some("Polygon"), Some(c)) => polygon(c).map(|p| MultiPolygon::new(vec![p])),
        (Some("MultiPolygon"), Some(c)) => c
            .as_array()
            .and_then(|ps| ps.iter().map(polygon).collect::<Option<Vec<_>>>())
            .map(MultiPolygon::new),
        _ => None,
    };
    parsed.ok_or(ParticipationError::Invalid("boundary_invalid"))
}

/// Whether the location (latitude, longitude in degrees) is inside the boundary.
pub fn contains(
    boundary: &Value,
    latitude: f64,
    longitude: f64,
) -> Result<bool, ParticipationError> {
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return Err(ParticipationError::Invalid("location_invalid"));
    }
    Ok(parse(boundary)?.contains(&Point::new(longitude, latitude)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn square() -> Value {
        serde_json::json!({"type": "Polygon", "coordinates": [[[23.0, 42.0], [24.0, 42.0], [24.0, 43.0], [23.0, 43.0], [23.0, 42.0]]]})
    }

    #[test]
    fn a_point_inside_is_inside_and_one_outside_is_not() {
        assert!(contains(&square(), 42.5, 23.5).unwrap());
        assert!(!contains(&square(), 41.9, 23.5).unwrap());
        assert!(contains(&square(), 91.0, 23.5).is_err());
    }

    #[test]
    fn nonsense_is_not_a_boundary() {
        assert!(parse(&serde_json::json!({"type": "Point", "coordinates": [1, 2]})).is_err());
        assert!(parse(&serde_json::json!({"type": "Polygon", "coordinates": [[[1, 2]]]})).is_err());
    }
}
