//! Presentation helpers the insights pages share: numbers written for a language, and charts
//! drawn as SVG on the server (they need no JavaScript; each has a title and a description, and a
//! data table beside it for screen readers).

use portico_http::Lang;
use std::fmt::Write;

/// A percentage with one decimal, in the language's way (`72,4 %` / `72.4%`); a dash for none.
pub fn pct(v: Option<f64>, lang: Lang) -> String {
    match v {
        None => "—".to_owned(),
        Some(v) => match lang {
            Lang::Bg => format!("{v:.1} %").replace('.', ","),
            Lang::En => format!("{v:.1}%"),
        },
    }
}

/// A whole number with thousands grouped (`12 345` / `12,345`).
pub fn int(v: i64, lang: Lang) -> String {
    let digits = v.unsigned_abs().to_string();
    let sep = match lang {
        Lang::Bg => '\u{a0}',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if v < 0 {
        out.insert(0, '-');
    }
    out
}

/// Minor units of euro as `12,50 €` / `€12.50`.
pub fn euro(minor: Option<i64>, lang: Lang) -> String {
    match minor {
        None => "—".to_owned(),
        Some(m) => {
            let whole = int(m / 100, lang);
            let cents = (m % 100).abs();
            match lang {
                Lang::Bg => format!("{whole},{cents:02} €"),
                Lang::En => format!("€{whole}.{cents:02}"),
            }
        }
    }
}

pub fn days(v: Option<i64>) -> String {
    v.map_or_else(|| "—".to_owned(), |d| d.to_string())
}

pub fn days_f(v: Option<f64>, lang: Lang) -> String {
    match v {
        None => "—".to_owned(),
        Some(v) => match lang {
            Lang::Bg => format!("{v:.1}").replace('.', ","),
            Lang::En => format!("{v:.1}"),
        },
    }
}

/// `2026-03` as `03.2026`.
pub fn month_label(m: &str) -> String {
    match m.split_once('-') {
        Some((y, mm)) => format!("{mm}.{y}"),
        None => m.to_owned(),
    }
}

/// One series of a chart: its name (already translated), its colour and a value per label.
pub struct Series<'a> {
    pub name: &'a str,
    pub colour: &'static str,
    pub values: Vec<f64>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 40.0;
const TOP: f64 = 16.0;

/// The top of the axis: four equal steps, each a "nice" number (1, 2, 2.5 or 5 times a power of
/// ten), so that every gridline's label is short and exact.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 4.0;
    }
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * magnitude >= raw {
            return 4.0 * step * magnitude;
        }
    }
    40.0 * magnitude
}

/// A grouped bar chart (bars side by side per label), with an optional dashed reference line
/// (a legal deadline). `id` makes the title's and description's ids unique on the page.
pub fn bar_chart(
    id: &str,
    title: &str,
    description: &str,
    labels: &[String],
    series: &[Series<'_>],
    reference: Option<(&str, f64)>,
) -> String {
    let mut max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    if let Some((_, r)) = reference {
        max = max.max(r);
    }
    let max = nice_max(max);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = labels.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.8) / series.len().max(1) as f64;
    let y = |v: f64| TOP + plot_h - (v / max) * plot_h;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" width="100%" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg" focusable="false"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let yy = y(v);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{}" y="{:.1}" font-size="12" text-anchor="end" fill="#0b0c0c">{}</text>"##,
            WIDTH - 8.0,
            LEFT - 4.0,
            yy + 4.0,
            trim_number(v)
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + slot * 0.1;
        for (j, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0).max(0.0);
            let top = y(v);
            let _ = write!(
                svg,
                r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#,
                x0 + bar * j as f64,
                (bar - 1.0).max(1.0),
                (TOP + plot_h - top).max(0.0),
                s.colour
            );
        }
        if labels.len() <= 12 || i % 2 == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
                LEFT + slot * i as f64 + slot / 2.0,
                TOP + plot_h + 16.0,
                escape(&short_month(label))
            );
        }
    }
    if let Some((name, r)) = reference {
        let yy = y(r);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#d4351c" stroke-width="2" stroke-dasharray="6 4"/><text x="{}" y="{:.1}" font-size="12" text-anchor="end" fill="#0b0c0c">{}</text>"##,
            WIDTH - 8.0,
            WIDTH - 10.0,
            yy - 4.0,
            escape(name)
        );
    }
    let mut x = LEFT;
    for s in series {
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#0b0c0c">{}</text>"##,
            HEIGHT - 16.0,
            s.colour,
            x + 16.0,
            HEIGHT - 6.0,
            escape(s.name)
        );
        x += 32.0 + 8.0 * s.name.chars().count() as f64;
    }
    svg.push_str("</svg>");
    svg
}

fn short_month(m: &str) -> String {
    match m.split_once('-') {
        Some((y, mm)) => format!("{mm}/{}", y.get(2..).unwrap_or(y)),
        None => m.to_owned(),
    }
}

fn trim_number(v: f64) -> String {
    if v >= 1000.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_for_the_language() {
        assert_eq!(pct(Some(72.44), Lang::Bg), "72,4 %");
        assert_eq!(pct(Some(72.44), Lang::En), "72.4%");
        assert_eq!(int(1234567, Lang::En), "1,234,567");
        assert_eq!(int(999, Lang::Bg), "999");
        assert_eq!(euro(Some(1250), Lang::En), "€12.50");
        assert_eq!(euro(Some(123_456), Lang::Bg), "1\u{a0}234,56 €");
    }

    #[test]
    fn axes_end_on_four_nice_steps() {
        assert_eq!(nice_max(5.0), 8.0);
        assert_eq!(nice_max(1000.0), 1000.0);
        assert_eq!(nice_max(100.0), 100.0);
        assert_eq!(nice_max(0.0), 4.0);
        assert_eq!(nice_max(3.0), 4.0);
    }

    #[test]
    fn a_chart_says_what_it_shows_and_escapes_its_words() {
        let svg = bar_chart(
            "c1",
            "Applications <online>",
            "By month",
            &["2026-01".to_owned(), "2026-02".to_owned()],
            &[Series {
                name: "Online & more",
                colour: "#1d70b8",
                values: vec![3.0, 5.0],
            }],
            Some(("Deadline", 4.0)),
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"c1-title\">Applications &lt;online&gt;</title>"));
        assert!(svg.contains("Online &amp; more"));
        assert_eq!(svg.matches("<rect").count(), 3);
    }
}
