//! Checks of a payment request's bank details and currency, before anything is written.

/// The IBAN in its electronic form (no spaces, upper case), when its ISO 13616 check digits and
/// its country's format are right.
pub fn iban(input: &str) -> Option<String> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let parsed: iban::Iban = compact.parse().ok()?;
    Some(iban::IbanLike::electronic_str(&parsed).to_owned())
}

/// The BIC (ISO 9362) in upper case, when it has the shape of one: 4 letters for the bank,
/// 2 for the country, 2 letters or digits for the place, and optionally 3 for the branch.
pub fn bic(input: &str) -> Option<String> {
    let b = input.trim().to_ascii_uppercase();
    let bytes = b.as_bytes();
    let shaped = matches!(bytes.len(), 8 | 11)
        && bytes[..6].iter().all(u8::is_ascii_uppercase)
        && bytes[6..].iter().all(u8::is_ascii_alphanumeric);
    shaped.then_some(b)
}

/// The ISO 4217 code and the number of its minor units, when the currency exists and has
/// minor units that are whole (not a fund or a metal).
pub fn currency(input: Option<&str>) -> Option<(String, u16)> {
    let code = input
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or("EUR");
    let c = iso_currency::Currency::from_code(&code.to_ascii_uppercase())?;
    Some((c.code().to_owned(), c.exponent()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_checked_by_their_check_digits() {
        assert_eq!(
            iban("BG80 BNBG 9661 1020 3456 78").as_deref(),
            Some("BG80BNBG96611020345678")
        );
        assert_eq!(
            iban("bg80bnbg96611020345678").as_deref(),
            Some("BG80BNBG96611020345678")
        );
        assert!(iban("BG81BNBG96611020345678").is_none());
        assert!(iban("BG80BNBG9661102034567").is_none());
        assert!(iban("").is_none());
    }

    #[test]
    fn bics_and_currencies() {
        assert_eq!(bic("bnbgbgsd").as_deref(), Some("BNBGBGSD"));
        assert_eq!(bic("BNBGBGSDXXX").as_deref(), Some("BNBGBGSDXXX"));
        assert!(bic("BNBG1GSD").is_none());
        assert!(bic("BNBGBGS").is_none());
        assert_eq!(currency(None), Some(("EUR".into(), 2)));
        assert_eq!(currency(Some("bgn")), Some(("BGN".into(), 2)));
        assert_eq!(currency(Some("JPY")), Some(("JPY".into(), 0)));
        assert!(currency(Some("XXX")).is_none());
        assert!(currency(Some("EURO")).is_none());
    }
}
