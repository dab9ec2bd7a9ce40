//! Checking an uploaded file before it is stored: its size, its encoding (UTF-8, a BOM allowed),
//! and that it is what its format says (a CSV with the same number of fields on every line, JSON,
//! GeoJSON with features). A problem names the line it was found on.

use super::MAX_UPLOAD_BYTES;
use crate::error::Problem;

/// The formats an upload may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    GeoJson,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Json => "JSON",
            Format::GeoJson => "GeoJSON",
        }
    }

    pub fn mimetype(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::Json => "application/json",
            Format::GeoJson => "application/geo+json",
        }
    }

    /// The format a publisher names, or else the one the file's name ends in.
    pub fn detect(named: Option<&str>, file_name: &str) -> Option<Format> {
        let named = named.map(str::trim).filter(|s| !s.is_empty());
        let by = |s: &str| match s.to_ascii_lowercase().as_str() {
            "csv" | "text/csv" => Some(Format::Csv),
            "json" | "application/json" => Some(Format::Json),
            "geojson" | "application/geo+json" => Some(Format::GeoJson),
            _ => None,
        };
        match named {
            Some(n) => by(n),
            None => by(file_name.rsplit('.').next().unwrap_or("")),
        }
    }
}

/// The line (from 1) that byte offset `at` of `bytes` is on.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

/// The file's text without a byte-order mark, or the line of its first byte that is not UTF-8.
pub fn text(bytes: &[u8]) -> Result<&str, Problem> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(body).map_err(|e| {
        let offset = bytes.len() - body.len();
        Problem::at_line(
            "upload",
            "upload.encoding",
            line_of(bytes, offset + e.valid_up_to()),
        )
    })
}

/// Checks an upload; `Ok` with the number of records (CSV rows, GeoJSON features) when it is good.
pub fn check(format: Format, bytes: &[u8]) -> Result<u64, Problem> {
    check_within(format, bytes, MAX_UPLOAD_BYTES)
}

/// As [`check`], with another size limit (an import from the command line, not an upload).
pub fn check_within(format: Format, bytes: &[u8], limit: usize) -> Result<u64, Problem> {
    if bytes.len() > limit {
        return Err(Problem::new("upload", "upload.too_large"));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Problem::new("upload", "upload.empty"));
    }
    let text = text(bytes)?;
    match format {
        Format::Csv => check_csv(text),
        Format::Json => serde_json::from_str::<serde_json::Value>(text)
            .map(|_| 1)
            .map_err(|e| Problem::at_line("upload", "upload.json_broken", e.line() as u64)),
        Format::GeoJson => check_geojson(text),
    }
}

fn check_csv(text: &str) -> Result<u64, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| csv_problem(&e))?.clone();
    let mut seen = std::collections::BTreeSet::new();
    for h in headers.iter() {
        if h.trim().is_empty() || !seen.insert(h.trim().to_owned()) {
            return Err(Problem::at_line("upload", "upload.csv_header", 1));
        }
    }
    let mut rows = 0;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => rows += 1,
            Ok(false) => break,
            Err(e) => return Err(csv_problem(&e)),
        }
    }
    Ok(rows)
}

fn csv_problem(e: &csv::Error) -> Problem {
    let line = e.position().map_or(1, |p| p.line());
    match e.kind() {
        csv::ErrorKind::UnequalLengths { .. } => {
            Problem::at_line("upload", "upload.csv_fields", line)
        }
        _ => Problem::at_line("upload", "upload.csv_broken", line),
    }
}

fn check_geojson(text: &str) -> Result<u64, Problem> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Problem::at_line("upload", "upload.json_broken", e.line() as u64))?;
    let features = match value.get("type").and_then(|t| t.as_str()) {
        Some("FeatureCollection") => value
            .get("features")
            .and_then(|f| f.as_array())
            .ok_or_else(|| Problem::new("upload", "upload.geojson_invalid"))?
            .clone(),
        Some("Feature") => vec![value.clone()],
        _ => return Err(Problem::new("upload", "upload.geojson_invalid")),
    };
    for f in &features {
        let ok = f.get("type").and_then(|t| t.as_str()) == Some("Feature")
            && f.get("geometry")
                .is_some_and(|g| g.is_null() || g.get("type").is_some_and(|t| t.is_string()));
        if !ok {
            return Err(Problem::new("upload", "upload.geojson_invalid"));
        }
    }
    Ok(features.len() as u64)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_broken_csv_names_its_line() {
        assert_eq!(check(Format::Csv, b"a,b\n1,2\n3,4\n").unwrap(), 2);
        let e = check(Format::Csv, b"a,b\n1,2\n3,4,5\n").unwrap_err();
        assert_eq!((e.code, e.line), ("upload.csv_fields", Some(3)));
        let e = check(Format::Csv, b"a,b\n1,2\n\xff\xfe,4\n").unwrap_err();
        assert_eq!((e.code, e.line), ("upload.encoding", Some(3)));
        let e = check(Format::Csv, b"a,a\n1,2\n").unwrap_err();
        assert_eq!(e.code, "upload.csv_header");
        assert_eq!(check(Format::Csv, b"\xEF\xBB\xBFa\n1\n").unwrap(), 1);
    }

    #[test]
    fn json_and_geojson_are_checked() {
        let e = check(Format::Json, b"{\n\"a\": 1,\n}").unwrap_err();
        assert_eq!((e.code, e.line), ("upload.json_broken", Some(3)));
        let fc = br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[23.3,42.7]},"properties":{}}]}"#;
        assert_eq!(check(Format::GeoJson, fc).unwrap(), 1);
        assert_eq!(
            check(Format::GeoJson, br#"{"type":"Point"}"#)
                .unwrap_err()
                .code,
            "upload.geojson_invalid"
        );
        assert_eq!(Format::detect(None, "x.geojson"), Some(Format::GeoJson));
        assert_eq!(Format::detect(Some("csv"), "x.txt"), Some(Format::Csv));
    }
}
