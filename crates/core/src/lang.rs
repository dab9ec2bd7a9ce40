//! The languages Portico speaks: Bulgarian first, English beside it.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Bg,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Bg => "bg",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "bg" => Some(Lang::Bg),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Bg => Lang::En,
            Lang::En => Lang::Bg,
        }
    }

    /// The one of two texts in this language.
    pub fn choose<'a>(self, bg: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Bg => bg,
            Lang::En => en,
        }
    }
}
