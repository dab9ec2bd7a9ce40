//! The library of shared service templates (issue 15, item 3): every template is adopted by at
//! least one demo administration, and one adoption of each is applied for and submitted end to
//! end over HTTP by a citizen, with the smallest valid answers worked out from its form's schema
//! and layout (required fields only; each question answered so that no follow-up is needed).

use crate::cases::{citizen, seeded, submit};
use crate::support::{Client, TestApp};
use portico_catalog::demo::{self, DemoTemplate};
use reqwest::StatusCode;
use serde_json::Value;

/// A field is asked on this step given the answers so far (its `when`, if any, holds).
fn asked(field: &Value, answers: &[(String, String)]) -> bool {
    match field.get("when") {
        None => true,
        Some(when) => {
            let on = when["field"].as_str().unwrap_or("");
            let equals = when["equals"].as_str().unwrap_or("");
            answers.iter().any(|(k, v)| k == on && v == equals)
        }
    }
}

/// The option of a question that brings no follow-up question (else its first option).
fn quiet_option(field: &Value, layout: &Value) -> String {
    let name = field["name"].as_str().unwrap_or("");
    let options: Vec<String> = field["options"]
        .as_array()
        .map(|o| {
            o.iter()
                .filter_map(|o| o["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let follow_ups: Vec<String> = layout["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["fields"].as_array().cloned().unwrap_or_default())
        .filter(|f| f["when"]["field"] == name)
        .filter_map(|f| f["when"]["equals"].as_str().map(str::to_owned))
        .collect();
    options
        .iter()
        .find(|o| !follow_ups.contains(o))
        .or(options.first())
        .cloned()
        .unwrap_or_default()
}

/// The smallest valid answer to one required field, from its widget and schema; `None` for a
/// field that is not the person's to fill (prefilled) or may be left empty.
fn answer(
    field: &Value,
    schema: &Value,
    layout: &Value,
    page: &crate::support::Page,
) -> Option<String> {
    let name = field["name"].as_str()?;
    if field
        .get("prefill")
        .and_then(Value::as_str)
        .is_some_and(|p| p.starts_with("applicant."))
    {
        return None;
    }
    let required = schema["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|n| n == name))
        || field["required"] == true;
    if !required {
        return None;
    }
    let property = &schema["properties"][name];
    Some(match field["widget"].as_str()? {
        "radios" => quiet_option(field, layout),
        "select" | "address" => page
            .attr(
                &format!("select[name={name}] option:not([value=''])"),
                "value",
            )
            .expect("an option to choose"),
        "number" => property["minimum"].as_i64().unwrap_or(1).to_string(),
        "eik" => "000696327".to_owned(),
        "egn" => crate::support::fresh_egn(),
        "checkbox" => "yes".to_owned(),
        _ => {
            let min = property["minLength"].as_u64().unwrap_or(1);
            let mut text = "Примерен отговор".to_owned();
            while (text.chars().count() as u64) < min {
                text.push_str(" още");
            }
            text
        }
    })
}

/// Applies for the service and fills every step of its form; returns the application's id at
/// its review page.
pub async fn fill(client: &Client, slug: &str, form_key: &str) -> String {
    let (schema, layout) = demo::form(form_key).unwrap();
    let start = client.get(&format!("/services/{slug}/apply")).await;
    assert_eq!(
        start.status,
        StatusCode::SEE_OTHER,
        "{slug}: {}",
        start.body
    );
    let id = start.location().split('/').nth(2).unwrap().to_owned();
    let steps = layout["steps"].as_array().unwrap();
    let mut answers: Vec<(String, String)> = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        let path = format!("/applications/{id}/step/{n}");
        let page = client.get(&path).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "{slug} step {n}: {}",
            page.body
        );
        let mut posted: Vec<(String, String)> = Vec::new();
        for field in step["fields"].as_array().unwrap() {
            let mut so_far = answers.clone();
            so_far.extend(posted.clone());
            if !asked(field, &so_far) {
                continue;
            }
            if let Some(value) = answer(field, &schema, &layout, &page) {
                posted.push((field["name"].as_str().unwrap().to_owned(), value));
            }
        }
        let fields: Vec<(&str, &str)> = posted
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let next = client.post_form(&path, &fields).await;
        let expected = if n + 1 == steps.len() {
            format!("/applications/{id}/review")
        } else {
            format!("/applications/{id}/step/{}", n + 1)
        };
        assert_eq!(next.location(), expected, "{slug} step {n}: {}", next.body);
        answers.extend(posted);
    }
    id
}

/// Each template's adoptions: (template key, form key, adopted slugs).
async fn adoptions(app: &TestApp) -> Vec<(String, String, Vec<String>)> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.key, s.slug FROM services s JOIN service_templates t ON t.id = s.template_id ORDER BY t.key, s.slug",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut out = Vec::new();
    for file in demo::TEMPLATES {
        let template: DemoTemplate = demo::parse(file).unwrap();
        let slugs = rows
            .iter()
            .filter(|(k, _)| *k == template.key)
            .map(|(_, s)| s.clone())
            .collect();
        out.push((template.key, template.form_key.unwrap_or_default(), slugs));
    }
    out
}

#[tokio::test]
#[allow(clippy::print_stdout)] // the count is printed beside the suite's other figures
async fn every_template_is_adopted_and_submitted_end_to_end() {
    let app = seeded().await;
    let library = adoptions(&app).await;
    assert!(library.len() >= 50, "{} templates", library.len());
    let kinds: std::collections::BTreeSet<String> = demo::TEMPLATES
        .iter()
        .map(|f| demo::parse::<DemoTemplate>(f).unwrap().facts.topic)
        .collect();
    for topic in [
        "civil-status",
        "address",
        "local-taxes",
        "construction",
        "property",
        "business",
        "social",
    ] {
        assert!(kinds.contains(topic), "a template about {topic}");
    }
    let (client, _egn, secret) = citizen(&app, "library@example.bg").await;
    let mut submitted = 0;
    for (key, form_key, slugs) in &library {
        let slug = slugs
            .first()
            .unwrap_or_else(|| panic!("template {key} is adopted by no demo administration"));
        let id = fill(&client, slug, form_key).await;
        let done = submit(&app, &client, &id, &secret).await;
        assert_eq!(
            done.location(),
            format!("/applications/{id}?submitted=1"),
            "{key} ({slug}): {}",
            done.body
        );
        submitted += 1;
    }
    println!("templates submitted end to end: {submitted}");
    let cases = app
        .count("SELECT COUNT(*) FROM applications WHERE state IN ('submitted', 'waiting_payment')")
        .await;
    // A template with a fee waits for its payment once submitted (docs/cases.md, fees).
    assert!(cases >= submitted, "{cases} submitted applications");
}
