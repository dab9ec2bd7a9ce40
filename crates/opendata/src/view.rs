//! Pictures drawn on the server as SVG, so the dataset page needs no script and no tiles from
//! elsewhere (the Content-Security-Policy allows neither): a bar chart of a datastore column and
//! a map of a spatial resource's features. Every text is escaped; colours are presentation
//! attributes (the policy forbids inline styles).

use crate::service::geo::{self, Feature};
use std::fmt::Write;

/// Escapes text for XML (element content and attribute values).
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// A horizontal bar chart of `(label, value)` rows, titled `title` (its accessible name). Bars
/// start at zero; negative values are drawn as zero-length bars with their number beside.
pub fn bar_chart(id: &str, title: &str, rows: &[(String, f64)]) -> String {
    let bar_h = 28.0;
    let left = 190.0;
    let width = 640.0;
    let height = rows.len() as f64 * bar_h + 10.0;
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 {
        (width - left - 70.0) / max
    } else {
        0.0
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg id="{id}" class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title>"##,
        xml(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = i as f64 * bar_h + 5.0;
        let w = (value.max(0.0) * scale).max(0.0);
        let _ = write!(
            out,
            r##"<g><text x="{}" y="{}" text-anchor="end" font-size="14" fill="#0b0c0c">{}</text><rect x="{left}" y="{}" width="{w:.1}" height="{}" fill="#1d70b8"/><text x="{:.1}" y="{}" font-size="14" fill="#0b0c0c">{}</text></g>"##,
            left - 8.0,
            y + 18.0,
            xml(&short(label, 24)),
            y + 3.0,
            bar_h - 8.0,
            left + w + 6.0,
            y + 18.0,
            number(*value)
        );
    }
    out.push_str("</svg>");
    out
}

/// The most features a map draws.
pub const MAP_FEATURES: i64 = 5000;

/// A map of features: longitude and latitude drawn with the parallels shortened by the cosine of
/// the middle latitude, so Sofia's districts keep their shapes; polygons filled, lines drawn,
/// points as dots, each with its name (`name`, `name_bg`, `name_en` or the first text property)
/// as its title. None when no feature has a position.
pub fn map(id: &str, title: &str, features: &[Feature]) -> Option<String> {
    let bbox = geo::union(features.iter().filter_map(|f| f.bbox))?;
    let mid = ((bbox[1] + bbox[3]) / 2.0).to_radians().cos().max(0.1);
    let w_deg = ((bbox[2] - bbox[0]) * mid).max(1e-6);
    let h_deg = (bbox[3] - bbox[1]).max(1e-6);
    let width = 640.0;
    let pad = 10.0;
    let scale = (width - 2.0 * pad) / w_deg;
    let height = (h_deg * scale + 2.0 * pad).clamp(80.0, 900.0);
    let scale = scale.min((height - 2.0 * pad) / h_deg);
    let px = |(x, y): (f64, f64)| {
        (
            pad + (x - bbox[0]) * mid * scale,
            pad + (bbox[3] - y) * scale,
        )
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg id="{id}" class="map" viewBox="0 0 {width} {height:.0}" role="img" aria-labelledby="{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><rect width="{width}" height="{height:.0}" fill="#f3f2f1"/>"##,
        xml(title)
    );
    for f in features.iter().take(MAP_FEATURES as usize) {
        let name = feature_name(f);
        let label = format!("<title>{}</title>", xml(&name));
        draw(&mut out, &f.geometry, &px, &label);
    }
    out.push_str("</svg>");
    Some(out)
}

/// What a feature is called, for its title on the map.
pub fn feature_name(f: &Feature) -> String {
    ["name", "name_bg", "name_en", "title", "NAME"]
        .iter()
        .find_map(|k| f.properties.get(*k).and_then(|v| v.as_str()))
        .or_else(|| f.properties.values().find_map(|v| v.as_str()))
        .map_or_else(|| f.id.to_string(), str::to_owned)
}

fn ring(coords: &serde_json::Value, px: &dyn Fn((f64, f64)) -> (f64, f64), close: bool) -> String {
    let mut d = String::new();
    for (i, c) in coords.as_array().into_iter().flatten().enumerate() {
        let (Some(x), Some(y)) = (
            c.get(0).and_then(|v| v.as_f64()),
            c.get(1).and_then(|v| v.as_f64()),
        ) else {
            continue;
        };
        let (x, y) = px((x, y));
        let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
    }
    if close && !d.is_empty() {
        d.push('Z');
    }
    d
}

fn draw(
    out: &mut String,
    g: &serde_json::Value,
    px: &dyn Fn((f64, f64)) -> (f64, f64),
    label: &str,
) {
    let coords = g.get("coordinates").cloned().unwrap_or_default();
    let list = |v: &serde_json::Value| v.as_array().cloned().unwrap_or_default();
    let polygon = |rings: &serde_json::Value| {
        list(rings)
            .iter()
            .map(|r| ring(r, px, true))
            .collect::<String>()
    };
    match g.get("type").and_then(|t| t.as_str()).unwrap_or("") {
        "Point" => point(out, &coords, px, label),
        "MultiPoint" => list(&coords).iter().for_each(|p| point(out, p, px, label)),
        "LineString" => line(out, &ring(&coords, px, false), label),
        "MultiLineString" => {
            let d: String = list(&coords).iter().map(|l| ring(l, px, false)).collect();
            line(out, &d, label);
        }
        "Polygon" => area(out, &polygon(&coords), label),
        "MultiPolygon" => {
            let d: String = list(&coords).iter().map(polygon).collect();
            area(out, &d, label);
        }
        "GeometryCollection" => {
            for part in list(g.get("geometries").unwrap_or(&serde_json::Value::Null)) {
                draw(out, &part, px, label);
            }
        }
        _ => {}
    }
}

fn point(
    out: &mut String,
    c: &serde_json::Value,
    px: &dyn Fn((f64, f64)) -> (f64, f64),
    label: &str,
) {
    if let (Some(x), Some(y)) = (
        c.get(0).and_then(|v| v.as_f64()),
        c.get(1).and_then(|v| v.as_f64()),
    ) {
        let (x, y) = px((x, y));
        let _ = write!(
            out,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="5" fill="#d4351c" stroke="#ffffff" stroke-width="1">{label}</circle>"##
        );
    }
}

fn line(out: &mut String, d: &str, label: &str) {
    if !d.is_empty() {
        let _ = write!(
            out,
            r##"<path d="{d}" fill="none" stroke="#1d70b8" stroke-width="2">{label}</path>"##
        );
    }
}

fn area(out: &mut String, d: &str, label: &str) {
    if !d.is_empty() {
        let _ = write!(
            out,
            r##"<path d="{d}" fill="#1d70b8" fill-opacity="0.25" fill-rule="evenodd" stroke="#003078" stroke-width="1">{label}</path>"##
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_chart_escapes_its_labels_and_scales_to_the_largest() {
        let svg = bar_chart(
            "c",
            "Жители <по райони>",
            &[("Средец".into(), 50.0), ("<script>".into(), 100.0)],
        );
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains(r#"width="380.0""#), "{svg}");
        assert!(svg.contains(r#"width="190.0""#), "{svg}");
    }

    #[test]
    fn the_map_draws_polygons_and_points() {
        let f = geo::from_geojson(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"name":"Средец & Co"},"geometry":{"type":"Polygon","coordinates":[[[23.3,42.6],[23.4,42.6],[23.4,42.7],[23.3,42.6]]]}},
            {"type":"Feature","properties":{"name":"Точка"},"geometry":{"type":"Point","coordinates":[23.35,42.65]}}]}"#,
        )
        .unwrap();
        let svg = map("m", "Карта", &f).unwrap();
        assert!(svg.contains("<path d=\"M"));
        assert!(svg.contains("<circle"));
        assert!(svg.contains("Средец &amp; Co"));
        assert!(map("m", "x", &[]).is_none());
    }
}
