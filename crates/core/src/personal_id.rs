//! Bulgarian personal identifiers: the EGN (ЕГН, citizens) and the LNCh (ЛНЧ, foreigners with
//! residence). Both carry a check digit; the EGN also encodes a real birth date, which is checked.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

const EGN_WEIGHTS: [u32; 9] = [2, 4, 8, 5, 10, 9, 7, 3, 6];
const LNCH_WEIGHTS: [u32; 9] = [21, 19, 17, 13, 11, 9, 7, 3, 1];

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum PersonalId {
    Egn(String),
    Lnch(String),
}

#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum PersonalIdError {
    #[error("must be exactly 10 digits")]
    NotTenDigits,
    #[error("the check digit does not match")]
    BadChecksum,
    #[error("the first six digits are not a real date of birth")]
    BadBirthDate,
}

impl PersonalIdError {
    /// A stable code, used to pick the message in the person's language.
    pub fn code(self) -> &'static str {
        match self {
            PersonalIdError::NotTenDigits => "personal_id.not_ten_digits",
            PersonalIdError::BadChecksum => "personal_id.bad_checksum",
            PersonalIdError::BadBirthDate => "personal_id.bad_birth_date",
        }
    }
}

fn ten_digits(s: &str) -> Result<[u32; 10], PersonalIdError> {
    let s = s.trim();
    if s.len() != 10 {
        return Err(PersonalIdError::NotTenDigits);
    }
    let mut digits = [0u32; 10];
    for (slot, c) in digits.iter_mut().zip(s.chars()) {
        *slot = c.to_digit(10).ok_or(PersonalIdError::NotTenDigits)?;
    }
    Ok(digits)
}

fn weighted_sum(digits: &[u32; 10], weights: &[u32; 9]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum()
}

/// The date of birth an EGN encodes: months 21–32 mean the 1800s, 41–52 the 2000s.
pub fn egn_birth_date(d: &[u32; 10]) -> Option<NaiveDate> {
    let yy = (d[0] * 10 + d[1]) as i32;
    let mm = d[2] * 10 + d[3];
    let dd = d[4] * 10 + d[5];
    let (year, month) = match mm {
        1..=12 => (1900 + yy, mm),
        21..=32 => (1800 + yy, mm - 20),
        41..=52 => (2000 + yy, mm - 40),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, dd)
}

impl PersonalId {
    pub fn parse_egn(s: &str) -> Result<Self, PersonalIdError> {
        let d = ten_digits(s)?;
        let check = weighted_sum(&d, &EGN_WEIGHTS) % 11 % 10;
        if check != d[9] {
            return Err(PersonalIdError::BadChecksum);
        }
        egn_birth_date(&d).ok_or(PersonalIdError::BadBirthDate)?;
        Ok(PersonalId::Egn(s.trim().to_owned()))
    }

    pub fn parse_lnch(s: &str) -> Result<Self, PersonalIdError> {
        let d = ten_digits(s)?;
        if weighted_sum(&d, &LNCH_WEIGHTS) % 10 != d[9] {
            return Err(PersonalIdError::BadChecksum);
        }
        Ok(PersonalId::Lnch(s.trim().to_owned()))
    }

    /// Parses by kind name as stored and as posted by forms: `egn` or `lnch`.
    pub fn parse(kind: &str, value: &str) -> Result<Self, PersonalIdError> {
        match kind {
            "lnch" => Self::parse_lnch(value),
            _ => Self::parse_egn(value),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            PersonalId::Egn(_) => "egn",
            PersonalId::Lnch(_) => "lnch",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            PersonalId::Egn(v) | PersonalId::Lnch(v) => v,
        }
    }

    /// The date of birth, for an EGN.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        match self {
            PersonalId::Egn(v) => ten_digits(v).ok().and_then(|d| egn_birth_date(&d)),
            PersonalId::Lnch(_) => None,
        }
    }
}

impl fmt::Display for PersonalId {
    /// Masked: only the last four digits show, as on a receipt.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.value();
        write!(f, "******{}", &v[v.len().saturating_sub(4)..])
    }
}

/// Builds a valid EGN for a date of birth and a 3-digit serial (the last digit of which encodes sex).
/// Used by the demo data and by tests to make synthetic people.
pub fn synthetic_egn(date: NaiveDate, serial: u32) -> String {
    use chrono::Datelike;
    let year = date.year();
    let (yy, mm) = match year {
        1800..=1899 => (year - 1800, date.month() + 20),
        2000..=2099 => (year - 2000, date.month() + 40),
        _ => (year - 1900, date.month()),
    };
    let body = format!("{:02}{:02}{:02}{:03}", yy, mm, date.day(), serial % 1000);
    let mut d = [0u32; 10];
    for (slot, c) in d.iter_mut().zip(body.chars()) {
        *slot = c.to_digit(10).unwrap_or(0);
    }
    let check = weighted_sum(&d, &EGN_WEIGHTS) % 11 % 10;
    format!("{body}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_egn() {
        // 7523169263: born 16 March 1875 (month 23 = March in the 1800s), a widely published sample.
        let id = PersonalId::parse_egn("7523169263").unwrap();
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1875, 3, 16));
        let id = PersonalId::parse_egn("8032056031").unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1880, 12, 5),
            "month 32 is December of the 1800s"
        );
    }

    #[test]
    fn refuses_a_wrong_check_digit() {
        assert_eq!(
            PersonalId::parse_egn("7523169264"),
            Err(PersonalIdError::BadChecksum)
        );
    }

    #[test]
    fn refuses_an_impossible_birth_date() {
        // 31 February: the checksum is right, the date is not.
        let fake = synthetic_egn(NaiveDate::from_ymd_opt(1990, 2, 28).unwrap(), 123);
        let with_31 = format!("{}31{}", &fake[..4], &fake[6..9]);
        let mut d = [0u32; 10];
        for (slot, c) in d.iter_mut().zip(with_31.chars()) {
            *slot = c.to_digit(10).unwrap();
        }
        let check = weighted_sum(&d, &EGN_WEIGHTS) % 11 % 10;
        assert_eq!(
            PersonalId::parse_egn(&format!("{with_31}{check}")),
            Err(PersonalIdError::BadBirthDate)
        );
    }

    #[test]
    fn refuses_non_digits_and_wrong_length() {
        assert_eq!(
            PersonalId::parse_egn("75231692"),
            Err(PersonalIdError::NotTenDigits)
        );
        assert_eq!(
            PersonalId::parse_egn("75231692a3"),
            Err(PersonalIdError::NotTenDigits)
        );
    }

    #[test]
    fn synthetic_egns_are_valid_in_every_century() {
        for (y, m, d) in [(1875, 3, 16), (1985, 7, 1), (2010, 11, 30)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let egn = synthetic_egn(date, 42);
            let id = PersonalId::parse_egn(&egn).unwrap();
            assert_eq!(id.birth_date(), Some(date));
        }
    }

    #[test]
    fn lnch_checksum() {
        // Weights 21, 19, 17, 13, 11, 9, 7, 3, 1 over 100104596 give 8 (mod 10).
        assert!(PersonalId::parse_lnch("1001045968").is_ok());
        assert_eq!(
            PersonalId::parse_lnch("1001045967"),
            Err(PersonalIdError::BadChecksum)
        );
    }

    #[test]
    fn display_masks_all_but_last_four() {
        let id = PersonalId::parse_egn("7523169263").unwrap();
        assert_eq!(id.to_string(), "******9263");
    }
}
