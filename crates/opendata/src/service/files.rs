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
    /// An Excel workbook: its first sheet is read as a table (header in the first row).
    Xlsx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Json => "JSON",
            Format::GeoJson => "GeoJSON",
            Format::Xlsx => "XLSX",
        }
    }

    pub fn mimetype(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::Json => "application/json",
            Format::GeoJson => "application/geo+json",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The format a publisher names, or else the one the file's name ends in.
    pub fn detect(named: Option<&str>, file_name: &str) -> Option<Format> {
        let named = named.map(str::trim).filter(|s| !s.is_empty());
        let by = |s: &str| match s.to_ascii_lowercase().as_str() {
            "csv" | "text/csv" => Some(Format::Csv),
            "json" | "application/json" => Some(Format::Json),
            "geojson" | "application/geo+json" => Some(Format::GeoJson),
            "xlsx" | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                Some(Format::Xlsx)
            }
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
    if format == Format::Xlsx {
        return check_csv(&xlsx_to_csv(bytes)?);
    }
    let text = text(bytes)?;
    match format {
        Format::Csv => check_csv(text),
        Format::Json => serde_json::from_str::<serde_json::Value>(text)
            .map(|_| 1)
            .map_err(|e| Problem::at_line("upload", "upload.json_broken", e.line() as u64)),
        Format::GeoJson => check_geojson(text),
        Format::Xlsx => unreachable_xlsx(),
    }
}

/// XLSX is checked above, as the CSV it reads as.
fn unreachable_xlsx() -> Result<u64, Problem> {
    Err(Problem::new("upload", "upload.xlsx_broken"))
}

/// The first sheet of an XLSX workbook as CSV text (rows as the sheet has them; dates as
/// YYYY-MM-DD, or with the time when it has one), for the checks and the datastore.
pub fn xlsx_to_csv(bytes: &[u8]) -> Result<String, Problem> {
    use calamine::{Data, Reader, Xlsx};
    let broken = || Problem::new("upload", "upload.xlsx_broken");
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|_| broken())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(broken)?
        .map_err(|_| broken())?;
    let mut out = csv::Writer::from_writer(Vec::new());
    for (n, row) in range.rows().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::DateTime(d) => d.as_datetime().map_or_else(
                    || d.to_string(),
                    |t| {
                        if t.time() == chrono::NaiveTime::MIN {
                            t.format("%Y-%m-%d").to_string()
                        } else {
                            t.format("%Y-%m-%dT%H:%M:%S").to_string()
                        }
                    },
                ),
                Data::Error(_) => String::new(),
                other => other.to_string(),
            })
            .collect();
        out.write_record(&cells)
            .map_err(|_| Problem::at_line("upload", "upload.xlsx_broken", n as u64 + 1))?;
    }
    let bytes = out.into_inner().map_err(|_| broken())?;
    String::from_utf8(bytes).map_err(|_| broken())
}

fn check_csv(text: &str) -> Result<u64, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| csv_problem(&e))?.clone();
    check_header(&headers)?;
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

/// Every column of a CSV header has a name, and no two the same.
pub fn check_header(headers: &csv::StringRecord) -> Result<(), Problem> {
    let mut seen = std::collections::BTreeSet::new();
    for h in headers.iter() {
        if h.trim().is_empty() || !seen.insert(h.trim().to_owned()) {
            return Err(Problem::at_line("upload", "upload.csv_header", 1));
        }
    }
    Ok(())
}

/// What a CSV reader's error means to the publisher, with its line.
pub fn csv_problem(e: &csv::Error) -> Problem {
    let line = e.position().map_or(1, |p| p.line());
    match e.kind() {
        csv::ErrorKind::UnequalLengths { .. } => {
            Problem::at_line("upload", "upload.csv_fields", line)
        }
        csv::ErrorKind::Utf8 { pos, .. } => Problem::at_line(
            "upload",
            "upload.encoding",
            pos.as_ref().map_or(line, csv::Position::line),
        ),
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

    /// A one-sheet XLSX whose rows are given as cells: numbers stay numbers, text is inline.
    pub fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
        use std::io::Write;
        let mut sheet = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        );
        for (r, row) in rows.iter().enumerate() {
            sheet.push_str(&format!("<row r=\"{}\">", r + 1));
            for (c, v) in row.iter().enumerate() {
                let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
                if v.parse::<f64>().is_ok() {
                    sheet.push_str(&format!("<c r=\"{at}\"><v>{v}</v></c>"));
                } else {
                    sheet.push_str(&format!(
                        "<c r=\"{at}\" t=\"inlineStr\"><is><t>{v}</t></is></c>"
                    ));
                }
            }
            sheet.push_str("</row>");
        }
        sheet.push_str("</sheetData></worksheet>");
        let parts = [
            ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned()),
            ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
            ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Данни" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned()),
            ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned()),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, body) in parts {
            w.start_file(name, options).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn an_xlsx_sheet_is_read_as_a_table() {
        let book = xlsx(&[
            &["district", "population"],
            &["Средец", "31000"],
            &["Лозенец", "51000"],
        ]);
        assert_eq!(check(Format::Xlsx, &book).unwrap(), 2);
        assert_eq!(
            xlsx_to_csv(&book).unwrap(),
            "district,population\nСредец,31000\nЛозенец,51000\n"
        );
        let e = check(Format::Xlsx, b"not a workbook").unwrap_err();
        assert_eq!(e.code, "upload.xlsx_broken");
        let dup = xlsx(&[&["a", "a"], &["1", "2"]]);
        assert_eq!(
            check(Format::Xlsx, &dup).unwrap_err().code,
            "upload.csv_header"
        );
        assert_eq!(Format::detect(None, "Бюджет.XLSX"), Some(Format::Xlsx));
    }
}
