//! The EIK / BULSTAT: the unified identification code of a company or public body. Nine digits,
//! or thirteen for a branch or a unit, each with its own check digit.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Eik(String);

#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum EikError {
    #[error("must be 9 or 13 digits")]
    WrongLength,
    #[error("the check digit does not match")]
    BadChecksum,
}

impl EikError {
    pub fn code(self) -> &'static str {
        match self {
            EikError::WrongLength => "eik.wrong_length",
            EikError::BadChecksum => "eik.bad_checksum",
        }
    }
}

/// The check digit rule shared by both lengths: a first pass of weights, and a second pass when
/// the first gives 10; a second 10 means 0.
fn check_digit(digits: &[u32], first: &[u32], second: &[u32]) -> u32 {
    let pass = |weights: &[u32]| digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11;
    match pass(first) {
        10 => match pass(second) {
            10 => 0,
            r => r,
        },
        r => r,
    }
}

fn nine_digit_check(d: &[u32]) -> u32 {
    check_digit(
        &d[..8],
        &[1, 2, 3, 4, 5, 6, 7, 8],
        &[3, 4, 5, 6, 7, 8, 9, 10],
    )
}

fn thirteen_digit_check(d: &[u32]) -> u32 {
    check_digit(&d[8..12], &[2, 7, 3, 5], &[4, 9, 5, 7])
}

impl Eik {
    pub fn parse(s: &str) -> Result<Self, EikError> {
        let s = s.trim();
        let digits: Vec<u32> = s
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()
            .ok_or(EikError::WrongLength)?;
        match digits.len() {
            9 => {
                if nine_digit_check(&digits) != digits[8] {
                    return Err(EikError::BadChecksum);
                }
            }
            13 => {
                if nine_digit_check(&digits) != digits[8]
                    || thirteen_digit_check(&digits) != digits[12]
                {
                    return Err(EikError::BadChecksum);
                }
            }
            _ => return Err(EikError::WrongLength),
        }
        Ok(Eik(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Completes 8 digits with their check digit, or a valid 9-digit EIK plus a 3-digit branch
    /// number with the 13th. Used to make demo data.
    pub fn complete(prefix: &str) -> Option<Eik> {
        let mut digits: Vec<u32> = prefix
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()?;
        match digits.len() {
            8 => digits.push(nine_digit_check(&digits)),
            12 => digits.push(thirteen_digit_check(&digits)),
            _ => return None,
        }
        let s: String = digits
            .iter()
            .filter_map(|d| char::from_digit(*d, 10))
            .collect();
        Eik::parse(&s).ok()
    }
}

impl fmt::Display for Eik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_eiks() {
        // Sofia Municipality and Burgas Municipality.
        assert!(Eik::parse("000696327").is_ok());
        assert!(Eik::parse("000056814").is_ok());
    }

    #[test]
    fn refuses_a_wrong_check_digit() {
        assert_eq!(Eik::parse("000696328"), Err(EikError::BadChecksum));
    }

    #[test]
    fn thirteen_digits_check_both_parts() {
        let branch = Eik::complete("000696327001").unwrap();
        assert_eq!(branch.as_str().len(), 13);
        let mut wrong = branch.as_str().to_owned();
        let last = wrong.pop().unwrap().to_digit(10).unwrap();
        wrong.push(char::from_digit((last + 1) % 10, 10).unwrap());
        assert_eq!(Eik::parse(&wrong), Err(EikError::BadChecksum));
    }

    #[test]
    fn refuses_other_lengths() {
        assert_eq!(Eik::parse("12345"), Err(EikError::WrongLength));
        assert_eq!(Eik::parse("12345678a"), Err(EikError::WrongLength));
    }
}
