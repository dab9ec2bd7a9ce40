//! Portico's records as CKAN's dictionaries (package, resource, organization, group, tag).

use crate::model::{Dataset, Resource, LICENCES, THEMES};
use crate::service::organisations;
use crate::service::organisations::Organisation;
use serde_json::{json, Value};

fn iso(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string())
        .unwrap_or_default()
}

pub fn organization(a: &Organisation, package_count: Option<i64>) -> Value {
    let mut v = json!({
        "id": a.id,
        "name": organisations::name(a),
        "title": a.name_bg,
        "display_name": a.name_bg,
        "title_translated": { "bg": a.name_bg, "en": a.name_en },
        "description": "",
        "type": "organization",
        "is_organization": true,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    });
    if let Some(n) = package_count {
        v["package_count"] = n.into();
    }
    v
}

/// A theme as a CKAN group: its name is the EU code in lower case.
pub fn group(code: &str, package_count: Option<i64>) -> Value {
    let (bg, en) = THEMES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or((code, code), |(_, bg, en)| (*bg, *en));
    let mut v = json!({
        "id": code.to_lowercase(),
        "name": code.to_lowercase(),
        "title": bg,
        "display_name": bg,
        "title_translated": { "bg": bg, "en": en },
        "type": "group",
        "is_organization": false,
        "state": "active",
        "description": "",
        "image_url": "",
        "uri": format!("http://publications.europa.eu/resource/authority/data-theme/{code}"),
    });
    if let Some(n) = package_count {
        v["package_count"] = n.into();
    }
    v
}

pub fn resource(base: &str, d: &Dataset, r: &Resource) -> Value {
    let url = match (&r.url, &r.file_name) {
        (Some(u), _) => u.clone(),
        (None, Some(f)) => format!(
            "{base}/dataset/{}/resource/{}/download/{}",
            d.id,
            r.id,
            url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
        ),
        (None, None) => String::new(),
    };
    json!({
        "id": r.id,
        "package_id": d.id,
        "name": r.name,
        "description": r.description,
        "format": r.format,
        "url": url,
        "url_type": if r.blob_key.is_some() { Value::from("upload") } else { Value::Null },
        "mimetype": r.mimetype,
        "size": r.size,
        "hash": r.blob_key.as_ref().map(|k| format!("sha256:{k}")).unwrap_or_default(),
        "position": r.position,
        "created": iso(r.created_at),
        "last_modified": iso(r.created_at),
        "datastore_active": r.datastore_rows.is_some(),
        "state": "active",
    })
}

pub fn package(base: &str, d: &Dataset, org: Option<&Organisation>) -> Value {
    let licence = LICENCES.iter().find(|(id, _, _)| *id == d.licence);
    json!({
        "id": d.id,
        "name": d.name,
        "title": d.title_bg,
        "notes": d.notes_bg,
        "title_translated": { "bg": d.title_bg, "en": d.title_en },
        "notes_translated": { "bg": d.notes_bg, "en": d.notes_en },
        "title_en": d.title_en,
        "notes_en": d.notes_en,
        "type": "dataset",
        "state": d.state.ckan(),
        "private": false,
        "owner_org": d.administration_id,
        "organization": org.map(|a| organization(a, None)),
        "license_id": d.licence,
        "license_title": licence.map(|l| l.1),
        "license_url": licence.map(|l| l.2),
        "maintainer": d.contact_name,
        "maintainer_email": d.contact_email,
        "author": org.map(|a| a.name_bg.clone()),
        "contact_name": d.contact_name,
        "contact_email": d.contact_email,
        "frequency": d.frequency,
        "temporal_start": d.temporal_start,
        "temporal_end": d.temporal_end,
        "spatial": d.spatial,
        "version": d.version.to_string(),
        "metadata_created": iso(d.created_at),
        "metadata_modified": iso(d.modified_at),
        "tags": d.keywords.iter().map(|k| json!({ "name": k, "display_name": k, "state": "active" })).collect::<Vec<_>>(),
        "num_tags": d.keywords.len(),
        "groups": d.themes.iter().map(|t| group(t, None)).collect::<Vec<_>>(),
        "resources": d.resources.iter().map(|r| resource(base, d, r)).collect::<Vec<_>>(),
        "num_resources": d.resources.len(),
        "url": format!("{base}/data/{}", d.name),
        "extras": [],
    })
}
