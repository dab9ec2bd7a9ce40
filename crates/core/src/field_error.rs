//! A problem with one field of a form or request body, shared by every block's rules and pages.

use serde::Serialize;

/// `code` names a translated message; `field` the input it is about (its `id` on the page).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
        }
    }
}
