//! DCAT-AP 3.0 in Turtle, RDF/XML and JSON-LD: the catalogue (`/catalog.ttl`, `/catalog.rdf`,
//! `/catalog.jsonld`, a page of datasets at a time with `?page=`, as ckanext-dcat pages it) and
//! each published dataset (`/dataset/{name}.ttl`, `.rdf`, `.jsonld`). The Turtle is written by a
//! careful writer (every literal escaped, every IRI built from the base address and a
//! percent-encoded name); the other two are that Turtle parsed and serialised again by Oxigraph's
//! `oxrdfio`, so the three always say the same triples.

use super::OpenDataState;
use crate::model::{Dataset, LICENCES, THEMES};
use crate::service::geo::{self, BBox};
use crate::service::organisations::Organisation;
use crate::service::{datasets, organisations, search};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portico_http::AppError;
use serde::Deserialize;
use std::fmt::Write;

/// Datasets in one page of the catalogue.
pub const PAGE_SIZE: i64 = 100;

fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const PREFIXES: &str = "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n\
@prefix dct: <http://purl.org/dc/terms/> .\n\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
@prefix gsp: <http://www.opengis.net/ont/geosparql#> .\n\n";

fn agent(base: &str, a: &Organisation) -> (String, String) {
    let iri = format!("<{base}/organization/{}>", enc(&organisations::name(a)));
    let text = format!(
        "{iri} a foaf:Agent ;\n    foaf:name {}@bg, {}@en .\n\n",
        lit(&a.name_bg),
        lit(&a.name_en)
    );
    (iri, text)
}

fn dataset_iri(base: &str, d: &Dataset) -> String {
    format!("<{base}/dataset/{}>", enc(&d.name))
}

/// A box as a WKT polygon (CRS84: longitude, then latitude).
fn wkt_box(b: &BBox) -> String {
    let [w, s, e, n] = *b;
    format!("POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))")
}

/// The dataset's `dct:spatial` values, each a `dct:Location`: the authority URI the publisher
/// gave as its spatial coverage (typed a `dct:Location`), and a location with the publisher's
/// words as its label and, when the dataset has spatial resources, the box around them
/// (`dcat:bbox`) and its centre (`dcat:centroid`), as GeoSPARQL WKT literals.
fn spatial(d: &Dataset, bbox: Option<BBox>, extra: &mut String) -> Vec<String> {
    let text = d
        .spatial
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let mut out = Vec::new();
    let mut label = None;
    match text {
        Some(t)
            if (t.starts_with("http://") || t.starts_with("https://"))
                && !t.contains(|c: char| c.is_whitespace() || "<>\"{}|^`\\".contains(c)) =>
        {
            out.push(format!("dct:spatial <{t}>"));
            let _ = writeln!(extra, "<{t}> a dct:Location .\n");
        }
        Some(t) => label = Some(t),
        None => {}
    }
    if label.is_none() && bbox.is_none() {
        return out;
    }
    let mut l = vec!["a dct:Location".to_owned()];
    if let Some(t) = label {
        l.push(format!("skos:prefLabel {}@bg", lit(t)));
    }
    if let Some(b) = bbox {
        l.push(format!("dcat:bbox {}^^gsp:wktLiteral", lit(&wkt_box(&b))));
        l.push(format!(
            "dcat:centroid {}^^gsp:wktLiteral",
            lit(&format!(
                "POINT({} {})",
                (b[0] + b[2]) / 2.0,
                (b[1] + b[3]) / 2.0
            ))
        ));
    }
    out.push(format!("dct:spatial [ {} ]", l.join(" ; ")));
    out
}

/// One dataset's triples (and those of its publisher, distributions, themes, licence …);
/// `bbox` is the box around its spatial resources.
fn write_dataset(
    out: &mut String,
    base: &str,
    d: &Dataset,
    org: Option<&Organisation>,
    bbox: Option<BBox>,
) {
    let iri = dataset_iri(base, d);
    let mut p = vec![
        "a dcat:Dataset".to_owned(),
        format!("dct:identifier {}", lit(&d.id)),
        format!("dct:title {}@bg, {}@en", lit(&d.title_bg), lit(&d.title_en)),
        format!(
            "dct:description {}@bg, {}@en",
            lit(if d.notes_bg.is_empty() {
                &d.title_bg
            } else {
                &d.notes_bg
            }),
            lit(if d.notes_en.is_empty() {
                &d.title_en
            } else {
                &d.notes_en
            })
        ),
        format!("dcat:landingPage <{base}/data/{}>", enc(&d.name)),
    ];
    let mut extra = format!("<{base}/data/{}> a foaf:Document .\n\n", enc(&d.name));
    if let Some(a) = org {
        let (agent_iri, text) = agent(base, a);
        p.push(format!("dct:publisher {agent_iri}"));
        extra.push_str(&text);
    }
    if !d.keywords.is_empty() {
        p.push(format!(
            "dcat:keyword {}",
            d.keywords
                .iter()
                .map(|k| format!("{}@bg", lit(k)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for t in &d.themes {
        let theme = format!("<http://publications.europa.eu/resource/authority/data-theme/{t}>");
        p.push(format!("dcat:theme {theme}"));
        let (bg, en) = THEMES
            .iter()
            .find(|(c, _, _)| c == t)
            .map_or((t.as_str(), t.as_str()), |(_, bg, en)| (*bg, *en));
        let _ = writeln!(
            extra,
            "{theme} a skos:Concept ;\n    skos:prefLabel {}@bg, {}@en .\n",
            lit(bg),
            lit(en)
        );
    }
    let freq = format!(
        "<http://publications.europa.eu/resource/authority/frequency/{}>",
        d.frequency
    );
    p.push(format!("dct:accrualPeriodicity {freq}"));
    let _ = writeln!(extra, "{freq} a dct:Frequency .\n");
    if !d.contact_email.is_empty() || !d.contact_name.is_empty() {
        let name = if d.contact_name.is_empty() {
            org.map_or(d.contact_email.clone(), |a| a.name_bg.clone())
        } else {
            d.contact_name.clone()
        };
        let email = if d.contact_email.is_empty() {
            String::new()
        } else {
            format!(
                " ; vcard:hasEmail <mailto:{}>",
                enc(&d.contact_email).replace("%40", "@")
            )
        };
        p.push(format!(
            "dcat:contactPoint [ a vcard:Kind ; vcard:fn {}{email} ]",
            lit(&name)
        ));
    }
    if d.temporal_start.is_some() || d.temporal_end.is_some() {
        let mut t = vec!["a dct:PeriodOfTime".to_owned()];
        if let Some(s) = &d.temporal_start {
            t.push(format!("dcat:startDate {}^^xsd:date", lit(s)));
        }
        if let Some(e) = &d.temporal_end {
            t.push(format!("dcat:endDate {}^^xsd:date", lit(e)));
        }
        p.push(format!("dct:temporal [ {} ]", t.join(" ; ")));
    }
    p.extend(spatial(d, bbox, &mut extra));
    let iso = |m: i64| {
        chrono::DateTime::from_timestamp_millis(m)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    };
    p.push(format!(
        "dct:issued {}^^xsd:dateTime",
        lit(&iso(d.published_at.unwrap_or(d.created_at)))
    ));
    p.push(format!(
        "dct:modified {}^^xsd:dateTime",
        lit(&iso(d.modified_at))
    ));
    let licence = LICENCES.iter().find(|(id, _, _)| *id == d.licence);
    for r in &d.resources {
        let dist = format!("<{base}/dataset/{}/resource/{}>", enc(&d.name), r.id);
        p.push(format!("dcat:distribution {dist}"));
        let access = match (&r.url, &r.file_name) {
            (Some(u), _) => u.clone(),
            (None, f) => format!(
                "{base}/dataset/{}/resource/{}/download/{}",
                d.id,
                r.id,
                enc(f.as_deref().unwrap_or("file"))
            ),
        };
        let mut dp = vec![
            "a dcat:Distribution".to_owned(),
            format!("dct:title {}@bg", lit(&r.name)),
            format!("dcat:accessURL <{access}>"),
        ];
        if r.url.is_none() {
            dp.push(format!("dcat:downloadURL <{access}>"));
        }
        let _ = writeln!(extra, "<{access}> a rdfs:Resource .\n");
        if let Some(l) = licence {
            dp.push(format!("dct:license <{}>", l.2));
            let _ = writeln!(extra, "<{}> a dct:LicenseDocument .\n", l.2);
        }
        let format = match r.format.as_str() {
            "CSV" => Some("CSV"),
            "JSON" => Some("JSON"),
            "GeoJSON" => Some("GEOJSON"),
            "XLSX" => Some("XLSX"),
            _ => None,
        };
        if let Some(f) = format {
            let f = format!("<http://publications.europa.eu/resource/authority/file-type/{f}>");
            dp.push(format!("dct:format {f}"));
            let _ = writeln!(extra, "{f} a dct:MediaTypeOrExtent .\n");
        }
        if let Some(m) = &r.mimetype {
            let m = format!("<http://www.iana.org/assignments/media-types/{m}>");
            dp.push(format!("dcat:mediaType {m}"));
            let _ = writeln!(extra, "{m} a dct:MediaType .\n");
        }
        if let Some(size) = r.size {
            dp.push(format!(
                "dcat:byteSize {}^^xsd:nonNegativeInteger",
                lit(&size.to_string())
            ));
        }
        let _ = writeln!(extra, "{dist} {} .\n", dp.join(" ;\n    "));
    }
    let _ = writeln!(out, "{iri} {} .\n", p.join(" ;\n    "));
    out.push_str(&extra);
}

#[derive(Debug, Deserialize)]
pub struct Page {
    pub page: Option<i64>,
}

/// The serialisations served, by the address's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Turtle,
    RdfXml,
    JsonLd,
}

impl Syntax {
    /// The syntax a file name ends in, and the name without it.
    pub fn of(file: &str) -> Option<(&str, Syntax)> {
        [
            (".ttl", Syntax::Turtle),
            (".rdf", Syntax::RdfXml),
            (".jsonld", Syntax::JsonLd),
        ]
        .into_iter()
        .find_map(|(ext, s)| file.strip_suffix(ext).map(|n| (n, s)))
    }

    fn ext(self) -> &'static str {
        match self {
            Syntax::Turtle => "ttl",
            Syntax::RdfXml => "rdf",
            Syntax::JsonLd => "jsonld",
        }
    }
}

const NAMESPACES: &[(&str, &str)] = &[
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("hydra", "http://www.w3.org/ns/hydra/core#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("gsp", "http://www.opengis.net/ont/geosparql#"),
];

/// The Turtle we wrote, in `syntax`: parsed and serialised again by `oxrdfio`.
fn convert(turtle: &str, syntax: Syntax) -> Result<String, AppError> {
    use oxrdfio::{JsonLdProfileSet, RdfFormat, RdfParser, RdfSerializer};
    let format = match syntax {
        Syntax::Turtle => return Ok(turtle.to_owned()),
        Syntax::RdfXml => RdfFormat::RdfXml,
        Syntax::JsonLd => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
    };
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in NAMESPACES {
        serializer = serializer
            .with_prefix(*prefix, *iri)
            .map_err(|e| AppError::internal(format!("DCAT prefix {prefix}: {e}")))?;
    }
    let mut writer = serializer.for_writer(Vec::new());
    for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle.as_bytes()) {
        let quad = quad.map_err(|e| AppError::internal(format!("our DCAT Turtle: {e}")))?;
        writer
            .serialize_quad(&quad)
            .map_err(|e| AppError::internal(format!("DCAT {syntax:?}: {e}")))?;
    }
    let bytes = writer
        .finish()
        .map_err(|e| AppError::internal(format!("DCAT {syntax:?}: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(format!("DCAT {syntax:?}: {e}")))
}

fn respond(turtle: String, syntax: Syntax) -> Result<Response, AppError> {
    let media = match syntax {
        Syntax::Turtle => "text/turtle; charset=utf-8",
        Syntax::RdfXml => "application/rdf+xml; charset=utf-8",
        Syntax::JsonLd => "application/ld+json; charset=utf-8",
    };
    let body = convert(&turtle, syntax)?;
    Ok(([(header::CONTENT_TYPE, media)], body).into_response())
}

pub async fn catalog_ttl(
    state: State<OpenDataState>,
    q: Query<Page>,
) -> Result<Response, AppError> {
    catalog(state, q, Syntax::Turtle).await
}

pub async fn catalog_rdf(
    state: State<OpenDataState>,
    q: Query<Page>,
) -> Result<Response, AppError> {
    catalog(state, q, Syntax::RdfXml).await
}

pub async fn catalog_jsonld(
    state: State<OpenDataState>,
    q: Query<Page>,
) -> Result<Response, AppError> {
    catalog(state, q, Syntax::JsonLd).await
}

async fn catalog(
    State(state): State<OpenDataState>,
    Query(q): Query<Page>,
    syntax: Syntax,
) -> Result<Response, AppError> {
    let base = state.app.config.base_url.trim_end_matches('/').to_owned();
    let page = q.page.unwrap_or(1).max(1);
    let found = search::run(
        &state.ctx,
        &search::Query {
            rows: PAGE_SIZE,
            start: (page - 1) * PAGE_SIZE,
            sort: Some("name asc".into()),
            ..Default::default()
        },
    )
    .await?;
    let orgs = organisations::list(&state.ctx.db).await?;
    let mut out = String::from(PREFIXES);
    let catalog = format!("<{base}/catalog>");
    let mut p = vec![
        "a dcat:Catalog".to_owned(),
        format!(
            "dct:title {}@bg, {}@en",
            lit("Отворени данни на администрациите в Portico"),
            lit("Open data of the administrations on Portico")
        ),
        format!(
            "dct:description {}@bg, {}@en",
            lit("Наборите от данни, които администрациите публикуват в Portico."),
            lit("The datasets that administrations publish on Portico.")
        ),
        format!("dct:publisher <{base}/organization/portico>"),
        format!("foaf:homepage <{base}/data>"),
    ];
    for d in &found.datasets {
        p.push(format!("dcat:dataset {}", dataset_iri(&base, d)));
    }
    let _ = writeln!(out, "{catalog} {} .\n", p.join(" ;\n    "));
    let _ = writeln!(out, "<{base}/data> a foaf:Document .\n");
    let _ = writeln!(
        out,
        "<{base}/organization/portico> a foaf:Agent ;\n    foaf:name {}@bg, {}@en .\n",
        lit("Портико"),
        lit("Portico")
    );
    let last = ((found.count + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page_iri = |n: i64| format!("<{base}/catalog.{}?page={n}>", syntax.ext());
    let mut h = vec![
        "a hydra:PagedCollection".to_owned(),
        format!(
            "hydra:totalItems {}^^xsd:integer",
            lit(&found.count.to_string())
        ),
        format!(
            "hydra:itemsPerPage {}^^xsd:integer",
            lit(&PAGE_SIZE.to_string())
        ),
        format!(
            "hydra:firstPage {}",
            lit(page_iri(1).trim_matches(['<', '>']))
        ),
        format!(
            "hydra:lastPage {}",
            lit(page_iri(last).trim_matches(['<', '>']))
        ),
    ];
    if page < last {
        h.push(format!(
            "hydra:nextPage {}",
            lit(page_iri(page + 1).trim_matches(['<', '>']))
        ));
    }
    if page > 1 {
        h.push(format!(
            "hydra:previousPage {}",
            lit(page_iri(page - 1).trim_matches(['<', '>']))
        ));
    }
    let _ = writeln!(out, "{} {} .\n", page_iri(page), h.join(" ;\n    "));
    for d in &found.datasets {
        let org = orgs.iter().find(|a| a.id == d.administration_id);
        let bbox = geo::dataset_extent(&state.ctx, d).await?;
        write_dataset(&mut out, &base, d, org, bbox);
    }
    respond(out, syntax)
}

/// `/dataset/{name}.ttl`, `.rdf` or `.jsonld`: a published dataset's DCAT-AP.
pub async fn dataset(
    state: &OpenDataState,
    name: &str,
    syntax: Syntax,
) -> Result<Response, AppError> {
    let d = datasets::visible(&state.ctx.db, None, name).await?;
    let base = state.app.config.base_url.trim_end_matches('/').to_owned();
    let org = organisations::find(&state.ctx.db, &d.administration_id).await?;
    let mut out = String::from(PREFIXES);
    let bbox = geo::dataset_extent(&state.ctx, &d).await?;
    write_dataset(&mut out, &base, &d, org.as_ref(), bbox);
    respond(out, syntax)
}
