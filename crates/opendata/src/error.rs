//! The open data portal's errors. Each has a stable code; its message is Fluent's
//! `opendata-error-<code>` in Bulgarian and English. The CKAN Action API answers them in CKAN's
//! shapes (`__type` "Validation Error", "Not Found Error", "Authorization Error" …).

use portico_http::AppError;

/// One thing wrong with a publisher's input: the field it is about, the problem's code, and the
/// line of an uploaded file it was found on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub code: &'static str,
    pub line: Option<u64>,
    /// Further arguments of the message (`{ $row }`, `{ $value }` …).
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(field: &'static str, code: &'static str) -> Problem {
        Problem {
            field,
            code,
            line: None,
            args: Vec::new(),
        }
    }

    pub fn at_line(field: &'static str, code: &'static str, line: u64) -> Problem {
        Problem {
            field,
            code,
            line: Some(line),
            args: Vec::new(),
        }
    }

    /// A value in row `row` of a datastore table that does not fit the type `to`.
    pub fn bad_value(field: &'static str, to: &str, row: i64, value: &str) -> Problem {
        let shown: String = value.chars().take(40).collect();
        Problem {
            field,
            code: "datastore.bad_value",
            line: None,
            args: vec![
                ("row", row.to_string()),
                ("type", to.to_owned()),
                ("value", shown),
            ],
        }
    }

    /// How many more values do not fit, beyond those listed.
    pub fn more_bad_values(field: &'static str, count: i64) -> Problem {
        Problem {
            field,
            code: "datastore.more_bad_values",
            line: None,
            args: vec![("count", count.to_string())],
        }
    }

    /// The problem's message, with the line of the file it was found on.
    pub fn message(&self, strings: &portico_http::Strings) -> String {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("line", self.line.unwrap_or(0));
        for (k, v) in &self.args {
            match v.parse::<i64>() {
                Ok(n) if *k == "count" => args.set(*k, n),
                _ => args.set(*k, v.clone()),
            }
        }
        let text = strings.format(self.code, &args);
        match self.line {
            Some(line) => {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("line", line);
                args.set("problem", text);
                strings.format("opendata-problem-at-line", &args)
            }
            None => text,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<Problem>),
    #[error("the search query cannot be read: {0}")]
    SearchQuery(&'static str),
    #[error("{0}")]
    NeedsAssurance(#[from] portico_core::NeedsAssurance),
    #[error("{0}")]
    Store(#[from] portico_store::StoreError),
    #[error("{0}")]
    Audit(#[from] portico_audit::AuditError),
    #[error("{0}")]
    Identity(#[from] portico_identity::IdentityError),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for OpenDataError {
    fn from(e: sqlx::Error) -> Self {
        OpenDataError::Store(e.into())
    }
}

impl From<serde_json::Error> for OpenDataError {
    fn from(e: serde_json::Error) -> Self {
        OpenDataError::Internal(e.to_string())
    }
}

impl OpenDataError {
    pub fn invalid(field: &'static str, code: &'static str) -> OpenDataError {
        OpenDataError::Invalid(vec![Problem::new(field, code)])
    }

    pub fn code(&self) -> &'static str {
        match self {
            OpenDataError::NotFound => "not_found",
            OpenDataError::Forbidden => "forbidden",
            OpenDataError::Invalid(_) => "invalid",
            OpenDataError::SearchQuery(_) => "search_query",
            OpenDataError::NeedsAssurance(_) => "assurance_too_low",
            _ => "internal",
        }
    }
}

impl From<OpenDataError> for AppError {
    fn from(e: OpenDataError) -> Self {
        match e {
            OpenDataError::NotFound => AppError::NotFound,
            OpenDataError::Forbidden => AppError::Forbidden,
            OpenDataError::NeedsAssurance(n) => AppError::NeedsAssurance(n),
            OpenDataError::Invalid(p) => {
                AppError::BadRequest(p.first().map_or("upload.missing", |p| p.code))
            }
            OpenDataError::SearchQuery(code) => AppError::BadRequest(code),
            OpenDataError::Identity(e) => e.into(),
            other => AppError::internal(other),
        }
    }
}
