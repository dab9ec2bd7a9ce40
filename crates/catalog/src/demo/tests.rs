#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use crate::service::is_valid_slug;
use portico_core::Eik;
use std::collections::HashSet;
use std::path::Path;

const ALL: &[&[DemoFile]] = &[NOMENCLATURES, FORMS, TEMPLATES, ADOPTIONS, SERVICES];

/// `services/x.json` → `x`.
fn stem(file: &DemoFile) -> &str {
    let name = file.path.rsplit('/').next().unwrap_or(file.path);
    name.strip_suffix(".json").unwrap_or(name)
}

fn valid_eik(eik: &str) -> bool {
    Eik::parse(eik).is_ok_and(|e| e.as_str() == eik)
}

/// Everything wrong with the demo data, each problem prefixed with its file.
fn problems() -> Vec<String> {
    let mut problems = Vec::new();
    let parsed = |files: &[DemoFile], problems: &mut Vec<String>| {
        for file in files {
            if let Err(e) = parse::<Value>(file) {
                problems.push(e.to_string());
            }
        }
    };
    for files in ALL {
        parsed(files, &mut problems);
    }
    let data = match load() {
        Ok(data) => data,
        Err(e) => {
            problems.push(e.to_string());
            return problems;
        }
    };
    let mut say = |file: &DemoFile, what: String| problems.push(format!("{}: {what}", file.path));

    let nomenclature_keys: HashSet<&str> =
        data.nomenclatures.iter().map(|n| n.key.as_str()).collect();
    for (file, n) in NOMENCLATURES.iter().zip(&data.nomenclatures) {
        if stem(file) != n.key {
            say(file, format!("key {:?} is not the file's name", n.key));
        }
        let mut codes = HashSet::new();
        for entry in &n.entries {
            if !codes.insert(entry.code.as_str()) {
                say(file, format!("code {} appears twice", entry.code));
            }
            if entry.label.bg.trim().is_empty() || entry.label.en.trim().is_empty() {
                say(
                    file,
                    format!("entry {} needs a label in both languages", entry.code),
                );
            }
        }
    }

    let form_keys: HashSet<&str> = data.forms.iter().map(|f| f.key.as_str()).collect();
    for (file, form) in FORMS.iter().zip(&data.forms) {
        if stem(file) != form.key {
            say(file, format!("key {:?} is not the file's name", form.key));
        }
        match forms::check_definition(&form.schema, &form.layout) {
            Err(e) => say(file, e),
            Ok(layout) => {
                for step in &layout.steps {
                    for field in &step.fields {
                        if let Some(n) = &field.nomenclature {
                            if !nomenclature_keys.contains(n.as_str()) {
                                say(file, format!("field {}: no nomenclature {n}", field.name));
                            }
                        }
                    }
                }
            }
        }
    }

    let facts_problems = |facts: &ServiceFacts| -> Vec<String> {
        facts
            .check()
            .into_iter()
            .map(|e| format!("facts.{}: {}", e.field, e.code))
            .collect()
    };
    let known_form = |key: &Option<String>| key.as_deref().is_none_or(|k| form_keys.contains(k));

    let template_keys: HashSet<&str> = data.templates.iter().map(|t| t.key.as_str()).collect();
    for (file, template) in TEMPLATES.iter().zip(&data.templates) {
        if stem(file) != template.key {
            say(
                file,
                format!("key {:?} is not the file's name", template.key),
            );
        }
        for p in facts_problems(&template.facts) {
            say(file, p);
        }
        if !known_form(&template.form_key) {
            say(file, format!("no demo form {:?}", template.form_key));
        }
    }

    let mut slugs = HashSet::new();
    for (file, adoption) in ADOPTIONS.iter().zip(&data.adoptions) {
        if !template_keys.contains(adoption.template.as_str()) {
            say(file, format!("no demo template {}", adoption.template));
        }
        if !valid_eik(&adoption.administration_eik) {
            say(
                file,
                format!("EIK {} is not valid", adoption.administration_eik),
            );
        }
        match &adoption.overrides.slug {
            Some(slug) if is_valid_slug(slug) && slug == stem(file) => {
                slugs.insert(slug.clone());
            }
            other => say(
                file,
                format!("overrides.slug {other:?} must be the file's name"),
            ),
        }
    }
    for (file, demo) in SERVICES.iter().zip(&data.services) {
        if !is_valid_slug(&demo.slug) || demo.slug != stem(file) {
            say(
                file,
                format!("slug {:?} must be the file's name", demo.slug),
            );
        }
        if !slugs.insert(demo.slug.clone()) {
            say(file, format!("slug {} is taken", demo.slug));
        }
        if !valid_eik(&demo.administration_eik) {
            say(
                file,
                format!("EIK {} is not valid", demo.administration_eik),
            );
        }
        for p in facts_problems(&demo.facts) {
            say(file, p);
        }
        if !known_form(&demo.form_key) {
            say(file, format!("no demo form {:?}", demo.form_key));
        }
    }

    // Sofia's addresses route applications to the district units Sofia's adoption names.
    let sofia_units: HashSet<&str> = data
        .adoptions
        .iter()
        .filter(|a| a.administration_eik == SOFIA_EIK)
        .flat_map(|a| a.overrides.units.iter().flatten())
        .map(String::as_str)
        .collect();
    for (file, n) in NOMENCLATURES.iter().zip(&data.nomenclatures) {
        if n.key != nomenclatures::SOFIA_ADDRESSES {
            continue;
        }
        for entry in &n.entries {
            match entry.attribute("district") {
                Some(d) if sofia_units.contains(d) => {}
                other => say(
                    file,
                    format!(
                        "{}: district {other:?} is not a unit of Sofia's adoption",
                        entry.code
                    ),
                ),
            }
        }
    }
    problems
}

#[test]
fn every_demo_file_parses_and_fits_the_rest() {
    let problems = problems();
    assert!(problems.is_empty(), "demo data:\n{}", problems.join("\n"));
}

#[test]
fn every_file_in_the_demo_folder_is_seeded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    let listed: HashSet<&str> = ALL.iter().flat_map(|f| f.iter()).map(|f| f.path).collect();
    let mut on_disk = HashSet::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let relative = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            on_disk.insert(relative);
        }
    }
    for path in &on_disk {
        assert!(
            listed.contains(path.as_str()),
            "demo/{path} is in no list in demo.rs"
        );
    }
    assert_eq!(on_disk.len(), listed.len(), "a listed demo file is missing");
}

#[test]
fn a_bad_file_is_refused_with_its_name() {
    let cases = [
        ("services/broken.json", "{ \"slug\": "),
        (
            "services/typo.json",
            include_str!("../../demo/services/heirs-certificate-burgas.json"),
        ),
        ("services/wrong-type.json", "{\"slug\": 3}"),
    ];
    for (path, text) in cases {
        let text = text.replace("\"life_event\"", "\"life_evnt\"");
        let file = DemoFile {
            path,
            text: Box::leak(text.into_boxed_str()),
        };
        let e = parse::<DemoService>(&file).unwrap_err().to_string();
        assert!(e.contains(path), "{e}");
        if path.contains("typo") {
            assert!(e.contains("/facts/life_evnt"), "{e}");
        }
    }
}

#[test]
fn the_demo_forms_are_the_published_ones() {
    let (schema, layout) = address_registration_form();
    assert_eq!(
        schema["title"],
        "Адресна регистрация / Address registration"
    );
    assert!(layout["steps"].as_array().is_some_and(|s| s.len() == 3));
    let (schema, _) = general_application_form();
    assert_eq!(schema["required"], serde_json::json!(["request"]));
}
