//! Field errors in plain language. A [`portico_http::FieldError`] carries a stable code; the
//! message is the field's own (from the layout's `messages`) or the catalog's general one for the
//! code (`form-…` in `i18n/*.ftl`), with the field's label and limits given to Fluent as arguments.

use super::layout::{property, LayoutField, Widget};
use portico_http::i18n::FluentArgs;
use portico_http::{Lang, Strings};
use serde_json::Value;

/// The label with its first letter in lower case, to sit inside a sentence ("Enter date of
/// birth"), unless it starts with an abbreviation ("ЕГН на собственика").
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_uppercase() => {
            label.to_owned()
        }
        (Some(first), _) => first.to_lowercase().chain(label.chars().skip(1)).collect(),
        (None, _) => String::new(),
    }
}

fn number(schema: &Value, name: &str, keywords: &[&str]) -> String {
    property(schema, name)
        .and_then(|p| keywords.iter().find_map(|k| p.get(*k)))
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// "PDF, JPG или PNG" / "PDF, JPG or PNG".
pub(crate) fn type_names(accept: &[String], lang: Lang) -> String {
    let names: Vec<String> = accept
        .iter()
        .map(|mime| match mime.as_str() {
            "application/pdf" => "PDF".to_owned(),
            "image/jpeg" => "JPG".to_owned(),
            "image/png" => "PNG".to_owned(),
            other => other.rsplit('/').next().unwrap_or(other).to_uppercase(),
        })
        .collect();
    let or = match lang {
        Lang::Bg => " или ",
        Lang::En => " or ",
    };
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}{or}{last}", rest.join(", ")),
        None => String::new(),
    }
}

/// "5 MB", "500 KB".
pub(crate) fn size_name(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    let whole = bytes / MB;
    if whole > 0 && whole * MB == bytes {
        format!("{whole} MB")
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// The message for `code` on `field`, in `lang`.
pub(crate) fn message(
    field: Option<&LayoutField>,
    schema: &Value,
    code: &str,
    lang: Lang,
) -> String {
    if let Some(custom) = field.and_then(|f| f.messages.get(code)) {
        return custom.get(lang).to_owned();
    }
    let strings = Strings::new(lang, crate::strings::TABLES);
    let key = if strings.find(code).is_some() {
        code
    } else {
        "form.invalid"
    };
    let mut args = FluentArgs::new();
    let Some(field) = field else {
        for name in ["label", "label-lower", "min", "max", "age", "types", "size"] {
            args.set(name, "");
        }
        return strings.format(key, &args);
    };
    let label = field.label.get(lang);
    let (min, max) = match code {
        "form.too_long" | "form.too_short" => (
            number(schema, &field.name, &["minLength"]),
            number(schema, &field.name, &["maxLength"]),
        ),
        "form.too_many" if field.widget == Widget::File => {
            (String::new(), field.max_files().to_string())
        }
        _ => (
            number(schema, &field.name, &["minimum", "exclusiveMinimum"]),
            number(
                schema,
                &field.name,
                &["maximum", "exclusiveMaximum", "maxItems"],
            ),
        ),
    };
    args.set("label", label);
    args.set("label-lower", in_sentence(label));
    args.set("min", min);
    args.set("max", max);
    args.set(
        "age",
        field
            .max_age_years
            .map(|a| a.to_string())
            .unwrap_or_default(),
    );
    args.set("types", type_names(&field.accept, lang));
    args.set("size", size_name(field.max_bytes.unwrap_or(0)));
    strings.format(key, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_sit_inside_sentences() {
        assert_eq!(in_sentence("Дата на раждане"), "дата на раждане");
        assert_eq!(in_sentence("ЕГН на собственика"), "ЕГН на собственика");
        assert_eq!(in_sentence("Date of birth"), "date of birth");
    }

    fn full_name() -> LayoutField {
        serde_json::from_value(serde_json::json!({
            "name": "name", "widget": "text", "label": { "bg": "Име", "en": "Full name" }
        }))
        .unwrap()
    }

    #[test]
    fn general_messages_get_the_label_and_limits_as_fluent_arguments() {
        let schema = serde_json::json!({
            "type": "object", "properties": { "name": { "type": "string", "maxLength": 5 } }
        });
        let field = full_name();
        let say = |code, lang| message(Some(&field), &schema, code, lang);
        assert_eq!(
            say("form.too_long", Lang::Bg),
            "„Име“ трябва да е до 5 знака"
        );
        assert_eq!(
            say("form.too_long", Lang::En),
            "‘Full name’ must be 5 characters or fewer"
        );
        assert_eq!(say("form.required", Lang::En), "Enter full name");
        assert_eq!(say("no.such.code", Lang::En), "‘Full name’ is not valid");
    }

    #[test]
    fn limits_read_plainly() {
        let accept = vec![
            "application/pdf".to_owned(),
            "image/jpeg".to_owned(),
            "image/png".to_owned(),
        ];
        assert_eq!(type_names(&accept, Lang::Bg), "PDF, JPG или PNG");
        assert_eq!(type_names(&accept[..1], Lang::En), "PDF");
        assert_eq!(size_name(5 * 1024 * 1024), "5 MB");
        assert_eq!(size_name(500 * 1024), "500 KB");
    }
}
