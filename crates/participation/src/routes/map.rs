//! The map of a process's proposals, drawn on the server as SVG (no tiles, no script): the
//! process's boundary when it has one, and a numbered point for each proposal with a location,
//! linking to it. The list beside the map carries the same links for keyboards and screen
//! readers, so the picture itself is hidden from them.

use super::pages::{status_label, Shown, TABLES};
use super::ParticipationState;
use crate::service::processes;
use crate::service::proposals::{self, Located};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use portico_http::{render, AppError, PageContext};
use std::fmt::Write as _;

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Every [longitude, latitude] pair of a GeoJSON geometry (or Feature), for the frame and rings.
fn rings(g: &serde_json::Value) -> Vec<Vec<(f64, f64)>> {
    let g = if g.get("type").and_then(|t| t.as_str()) == Some("Feature") {
        g.get("geometry").unwrap_or(&serde_json::Value::Null)
    } else {
        g
    };
    let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| Some((c.get(0)?.as_f64()?, c.get(1)?.as_f64()?)))
            .collect()
    };
    let coords = g.get("coordinates").cloned().unwrap_or_default();
    let polygon = |p: &serde_json::Value| -> Vec<Vec<(f64, f64)>> {
        p.as_array().into_iter().flatten().map(ring).collect()
    };
    match g.get("type").and_then(|t| t.as_str()).unwrap_or("") {
        "Polygon" => polygon(&coords),
        "MultiPolygon" => coords
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(polygon)
            .collect(),
        _ => Vec::new(),
    }
}

/// The SVG of the boundary and the points; None when there is nothing to draw.
pub fn svg(
    title: &str,
    boundary: Option<&serde_json::Value>,
    points: &[Located],
) -> Option<String> {
    let area = boundary.map(rings).unwrap_or_default();
    let all: Vec<(f64, f64)> = area
        .iter()
        .flatten()
        .copied()
        .chain(points.iter().map(|p| (p.longitude, p.latitude)))
        .collect();
    let first = all.first()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.0, first.1, first.0, first.1);
    for (x, y) in &all {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    // A single point, or points close together, still get a frame around them (about 2 km).
    let margin = 0.01;
    if x1 - x0 < 2.0 * margin {
        let c = (x0 + x1) / 2.0;
        (x0, x1) = (c - margin, c + margin);
    }
    if y1 - y0 < 2.0 * margin {
        let c = (y0 + y1) / 2.0;
        (y0, y1) = (c - margin, c + margin);
    }
    let mid = ((y0 + y1) / 2.0).to_radians().cos().max(0.1);
    // At most 640 wide and 480 high, keeping the area's shape; the page scales it down.
    let pad = 16.0;
    let scale = ((640.0 - 2.0 * pad) / ((x1 - x0) * mid)).min((480.0 - 2.0 * pad) / (y1 - y0));
    let width = (x1 - x0) * mid * scale + 2.0 * pad;
    let height = (y1 - y0) * scale + 2.0 * pad;
    let px = |(x, y): (f64, f64)| (pad + (x - x0) * mid * scale, pad + (y1 - y) * scale);
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg id="proposal-map-svg" class="map" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg"><title>{}</title><rect width="{width:.0}" height="{height:.0}" fill="#f3f2f1"/>"##,
        xml(title)
    );
    if !area.is_empty() {
        let mut d = String::new();
        for ring in &area {
            for (i, c) in ring.iter().enumerate() {
                let (x, y) = px(*c);
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        let _ = write!(
            out,
            r##"<path class="map__area" d="{d}" fill="#cce2d8" fill-opacity="0.6" stroke="#005a30" stroke-width="2" fill-rule="evenodd"/>"##
        );
    }
    for p in points {
        let (x, y) = px((p.longitude, p.latitude));
        // Links in a picture hidden from assistive technology are taken out of the tab order
        // too; the list beside the map is the way to them without a mouse.
        let _ = write!(
            out,
            r##"<a href="/participation/proposals/{id}" tabindex="-1" class="map__point"><circle cx="{x:.1}" cy="{y:.1}" r="9" fill="#1d70b8" stroke="#ffffff" stroke-width="2"><title>№ {n} {t}</title></circle><text x="{x:.1}" y="{ty:.1}" font-size="10" font-weight="700" text-anchor="middle" fill="#ffffff">{n}</text></a>"##,
            id = xml(&p.id),
            n = p.number,
            t = xml(&p.title),
            ty = y + 3.5,
        );
    }
    out.push_str("</svg>");
    Some(out)
}

#[derive(Template)]
#[template(path = "participation_map.html")]
struct MapPage {
    page: PageContext,
    p: Shown,
    points: Vec<Located>,
    svg: String,
}

impl MapPage {
    fn status(&self, l: &Located) -> &'static str {
        status_label(&self.page, l.status.as_str())
    }
    fn place(&self, l: &Located) -> String {
        format!("{:.5}, {:.5}", l.latitude, l.longitude)
    }
}

/// `GET /participation/{slug}/map`: the proposals with a location on a map of the process's area.
pub async fn show(
    State(state): State<ParticipationState>,
    page: PageContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    let points = proposals::located(&state.ctx, &process.id).await?;
    let page = page.with_strings(TABLES);
    let p = Shown { process };
    let title = format!("{}: {}", page.t("participation_map"), p.title(&page));
    let svg = svg(&title, p.process.rules.boundary.as_ref(), &points).unwrap_or_default();
    Ok(render(&MapPage {
        page,
        p,
        points,
        svg,
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProposalStatus;

    fn at(n: i64, lat: f64, lon: f64, title: &str) -> Located {
        Located {
            id: format!("p{n}"),
            number: n,
            title: title.into(),
            status: ProposalStatus::Submitted,
            latitude: lat,
            longitude: lon,
        }
    }

    #[test]
    fn the_map_draws_the_area_and_a_linked_point_per_proposal_with_titles_escaped() {
        let boundary = serde_json::json!({"type": "Polygon", "coordinates": [[[23.2, 42.6], [23.45, 42.6], [23.45, 42.8], [23.2, 42.8], [23.2, 42.6]]]});
        let svg = svg(
            "Карта",
            Some(&boundary),
            &[
                at(1, 42.69, 23.32, "Парк <b>&</b>"),
                at(2, 42.7, 23.4, "Дървета"),
            ],
        )
        .unwrap();
        assert!(svg.contains("<path class=\"map__area\" d=\"M"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("href=\"/participation/proposals/p1\""));
        assert!(svg.contains("Парк &lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(!svg.contains("<b>"));
        // West is left and north is up: proposal 2 is east of and north of proposal 1.
        let x = |n: &str| -> f64 {
            let i = svg.find(&format!("proposals/{n}\"")).unwrap();
            let rest = &svg[i..];
            let cx = rest.find("cx=\"").unwrap() + 4;
            rest[cx..].split('"').next().unwrap().parse().unwrap()
        };
        assert!(x("p2") > x("p1"));
    }

    #[test]
    fn nothing_to_draw_is_no_map_and_one_point_gets_a_frame() {
        assert!(svg("Карта", None, &[]).is_none());
        let one = svg("Карта", None, &[at(1, 42.69, 23.32, "Парк")]).unwrap();
        assert!(one.contains("<circle cx=\""));
        assert!(!one.contains("NaN") && !one.contains("inf"));
    }
}
