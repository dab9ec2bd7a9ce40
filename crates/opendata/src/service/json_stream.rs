//! JSON and GeoJSON files read as they come, never whole: a large upload is checked as its
//! pieces arrive (through the same [`std::io::Read`] over a channel as a large CSV), and a large
//! GeoJSON's features are handed on one at a time to be indexed. `serde_json`'s reader with a
//! visitor of our own walks the document: the members of a FeatureCollection are read whole
//! except `features`, whose elements are read one by one and passed on, so at most one feature
//! is held at a time.

use crate::error::Problem;
use serde::de::{self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess};
use serde_json::Value;

/// Reads a whole JSON document from `reader`, holding none of it: only that it is UTF-8 and
/// parses (and nothing follows it). A problem names its line.
pub fn check_json<R: std::io::Read>(reader: R) -> Result<(), Problem> {
    let mut text = Utf8::new(reader);
    let mut de = serde_json::Deserializer::from_reader(&mut text);
    let read = de::Deserialize::deserialize(&mut de)
        .map(|_: IgnoredAny| ())
        .and_then(|()| de.end());
    read.map_err(|e| problem(&e, text.bad_line))
}

/// Why a document was refused: not UTF-8 or not JSON (with its line), or JSON that is not
/// GeoJSON.
fn problem(e: &serde_json::Error, bad_line: Option<u64>) -> Problem {
    match (e.classify(), bad_line) {
        (serde_json::error::Category::Io, Some(line)) => {
            Problem::at_line("upload", "upload.encoding", line)
        }
        (serde_json::error::Category::Data, _) => Problem::new("upload", "upload.geojson_invalid"),
        _ => Problem::at_line("upload", "upload.json_broken", e.line() as u64),
    }
}

/// A reader that passes on only UTF-8 (serde_json does not look inside the strings it skips),
/// counting lines: at the first byte that is not, it fails and keeps the line.
struct Utf8<R> {
    inner: R,
    /// Checked bytes not given out yet, from `at`.
    ready: Vec<u8>,
    at: usize,
    /// The start of a character cut by the end of the last read.
    pending: Vec<u8>,
    line: u64,
    bad_line: Option<u64>,
}

impl<R: std::io::Read> Utf8<R> {
    fn new(inner: R) -> Self {
        Utf8 {
            inner,
            ready: Vec::new(),
            at: 0,
            pending: Vec::new(),
            line: 1,
            bad_line: None,
        }
    }

    fn bad(&mut self, line: u64) -> std::io::Error {
        self.bad_line = Some(line);
        std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8")
    }
}

impl<R: std::io::Read> std::io::Read for Utf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.ready.len() {
            let mut piece = [0u8; 16 * 1024];
            let n = self.inner.read(&mut piece)?;
            if n == 0 {
                return match self.pending.is_empty() {
                    true => Ok(0),
                    false => Err(self.bad(self.line)),
                };
            }
            let mut seen = std::mem::take(&mut self.pending);
            seen.extend_from_slice(&piece[..n]);
            let good = match std::str::from_utf8(&seen) {
                Ok(_) => seen.len(),
                // A character cut at the end: kept for the next read.
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(e) => {
                    let lines = seen[..e.valid_up_to()].iter().filter(|b| **b == b'\n');
                    let line = self.line + lines.count() as u64;
                    return Err(self.bad(line));
                }
            };
            self.pending = seen.split_off(good);
            self.line += seen.iter().filter(|b| **b == b'\n').count() as u64;
            self.ready = seen;
            self.at = 0;
        }
        let n = buf.len().min(self.ready.len() - self.at);
        buf[..n].copy_from_slice(&self.ready[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A GeoJSON feature as the checks want it: `type` Feature, and a geometry that is null or has
/// a type.
pub fn is_feature(f: &Value) -> bool {
    f.get("type").and_then(Value::as_str) == Some("Feature")
        && f.get("geometry")
            .is_some_and(|g| g.is_null() || g.get("type").is_some_and(Value::is_string))
}

/// Reads a GeoJSON document (a FeatureCollection of Features, or one Feature) from `reader`,
/// giving each feature to `each` in order as it is read; `each` returning false stops the
/// reading (the error then says so). How many features there were.
pub fn features<R: std::io::Read>(
    reader: R,
    each: &mut dyn FnMut(Value) -> bool,
) -> Result<u64, Problem> {
    let mut text = Utf8::new(reader);
    let mut de = serde_json::Deserializer::from_reader(&mut text);
    let mut top = Top { each, count: 0 };
    let read = (&mut de).deserialize_map(&mut top).and_then(|()| de.end());
    read.map_err(|e| problem(&e, text.bad_line))?;
    Ok(top.count)
}

struct Top<'a> {
    each: &'a mut dyn FnMut(Value) -> bool,
    count: u64,
}

impl<'de> de::Visitor<'de> for &mut Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut others = serde_json::Map::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "features" {
                map.next_value_seed(Features { top: &mut *self })?;
                streamed = true;
            } else {
                let value: Value = map.next_value()?;
                others.insert(key, value);
            }
        }
        match others.get("type").and_then(Value::as_str) {
            Some("FeatureCollection") if streamed => Ok(()),
            Some("Feature") if !streamed => {
                let feature = Value::Object(others);
                if !is_feature(&feature) {
                    return Err(de::Error::custom("not a feature"));
                }
                self.count += 1;
                if !(self.each)(feature) {
                    return Err(de::Error::custom("stopped"));
                }
                Ok(())
            }
            _ => Err(de::Error::custom("not a FeatureCollection of Features")),
        }
    }
}

struct Features<'t, 'a> {
    top: &'t mut Top<'a>,
}

impl<'de> DeserializeSeed<'de> for Features<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> de::Visitor<'de> for Features<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(feature) = seq.next_element::<Value>()? {
            if !is_feature(&feature) {
                return Err(de::Error::custom("not a feature"));
            }
            self.top.count += 1;
            if !(self.top.each)(feature) {
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_is_checked_as_it_is_read_with_the_line_of_its_problem() {
        assert!(check_json(&b"[1, {\"a\": \"\xd0\xb1\"}]\n"[..]).is_ok());
        let e = check_json(&b"[1,\n2,\n{x}]"[..]).unwrap_err();
        assert_eq!((e.code, e.line), ("upload.json_broken", Some(3)));
        let e = check_json(&b"[1]\n[2]"[..]).unwrap_err();
        assert_eq!((e.code, e.line), ("upload.json_broken", Some(2)));
        let e = check_json(&b"[\"a\",\n\"\xff\"]"[..]).unwrap_err();
        assert_eq!((e.code, e.line), ("upload.encoding", Some(2)));
        // A character cut between two reads is whole.
        let cut = Utf8::new(std::io::Read::chain(&b"[\"\xd0"[..], &b"\xb1\"]"[..]));
        assert!(check_json(cut).is_ok());
    }

    #[test]
    fn geojson_features_are_handed_on_one_by_one_wherever_the_type_is() {
        let text = br#"{"features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [23.3, 42.7]}, "properties": {"n": 1}},
            {"type": "Feature", "geometry": null, "properties": {"n": 2}}
        ], "type": "FeatureCollection", "name": "x"}"#;
        let mut seen = Vec::new();
        let n = features(&text[..], &mut |f| {
            seen.push(f["properties"]["n"].clone());
            true
        })
        .unwrap();
        assert_eq!((n, seen), (2, vec![Value::from(1), Value::from(2)]));
        let one = br#"{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}"#;
        assert_eq!(features(&one[..], &mut |_| true).unwrap(), 1);
        for bad in [
            &br#"{"type": "FeatureCollection", "features": [{"type": "Point"}]}"#[..],
            br#"{"type": "Topology", "objects": {}}"#,
            br#"[1, 2]"#,
        ] {
            let e = features(bad, &mut |_| true).unwrap_err();
            assert_eq!(e.code, "upload.geojson_invalid");
        }
        let e = features(
            &b"{\"type\":\n\"FeatureCollection\", \"features\": [,]}"[..],
            &mut |_| true,
        )
        .unwrap_err();
        assert_eq!((e.code, e.line), ("upload.json_broken", Some(2)));
        // The taker stops it.
        assert!(features(&text[..], &mut |_| false).is_err());
    }
}
