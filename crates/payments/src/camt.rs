//! ISO 20022 camt.053 bank statements, read as a stream (quick-xml): each entry (`Ntry`) with
//! its transaction details (`TxDtls`) is handed to the caller as soon as it ends, so memory does
//! not grow with the file. Hostile input is refused with a clear error: a DTD (`<!DOCTYPE`, so no
//! entity can be declared, expanded or fetched), an entity other than XML's five and character
//! references, a file over the size limit, nesting deeper than [`MAX_DEPTH`], a text over
//! [`MAX_TEXT`] characters, an amount that is not a decimal in the currency's minor units.

use std::io::BufRead;

/// Deepest nesting accepted (camt.053 needs about 12).
pub const MAX_DEPTH: usize = 64;
/// Longest text accepted in one element.
pub const MAX_TEXT: usize = 10_000;

/// One transaction of an entry: its amount, and the references a payment code may be in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transaction {
    /// In minor units; the entry's amount when the entry has one transaction without its own.
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub end_to_end_id: Option<String>,
    /// Unstructured remittance information (`Ustrd`, joined) and structured creditor references.
    pub remittance: String,
}

/// One entry of a statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// The bank's reference of the entry (`AcctSvcrRef`, else `NtryRef`).
    pub reference: String,
    pub amount_minor: i64,
    pub currency: String,
    /// Money in (`CRDT`) rather than out (`DBIT`).
    pub credit: bool,
    /// A reversal of an earlier entry (`RvslInd` true).
    pub reversal: bool,
    pub booked: String,
    pub transactions: Vec<Transaction>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CamtError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("the file declares a DTD (<!DOCTYPE>): refused")]
    Dtd,
    #[error("the file uses the entity &{0};, which is not one of XML's own: refused")]
    Entity(String),
    #[error("the file nests elements deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("a text in the file is longer than {MAX_TEXT} characters")]
    TextTooLong,
    #[error("the amount {0:?} is not a valid amount in its currency")]
    Amount(String),
    #[error("the file is not a camt.053 statement: {0}")]
    NotAStatement(String),
    #[error("the XML is malformed: {0}")]
    Xml(String),
}

/// A reader that refuses to read past `limit` bytes.
struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: BufRead> std::io::Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consume_count(n)?;
        Ok(n)
    }
}

impl<R: BufRead> Limited<R> {
    fn consume_count(&mut self, n: usize) -> std::io::Result<()> {
        let n = n as u64;
        if n > self.left {
            return Err(std::io::Error::other(format!("too large:{}", self.limit)));
        }
        self.left -= n;
        Ok(())
    }
}

impl<R: BufRead> BufRead for Limited<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.left == 0 {
            // One byte more than allowed is enough to know.
            let more = !self.inner.fill_buf()?.is_empty();
            if more {
                return Err(std::io::Error::other(format!("too large:{}", self.limit)));
            }
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.left = self.left.saturating_sub(amt as u64);
        self.inner.consume(amt);
    }
}

/// An amount written as a decimal (`12.50`) in minor units of `currency`.
pub fn minor_units(text: &str, currency: &str) -> Result<i64, CamtError> {
    let bad = || CamtError::Amount(text.chars().take(40).collect());
    let exponent = crate::validate::currency(Some(currency)).ok_or_else(bad)?.1;
    let t = text.trim();
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || whole.len() > 12
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > usize::from(exponent)
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let mut padded = fraction.to_owned();
    while padded.len() < usize::from(exponent) {
        padded.push('0');
    }
    format!("{whole}{padded}").parse::<i64>().map_err(|_| bad())
}

/// Reads a statement, calling `each` with every entry as soon as it ends. Returns the
/// statement's account IBAN (`Stmt/Acct/Id/IBAN`) and message id (`GrpHdr/MsgId`).
pub fn read<R: BufRead>(
    input: R,
    limit: u64,
    mut each: impl FnMut(Entry) -> Result<(), CamtError>,
) -> Result<(String, String), CamtError> {
    let limited = Limited {
        inner: input,
        left: limit,
        limit,
    };
    let mut reader = quick_xml::Reader::from_reader(limited);
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut ccy: Option<String> = None;
    let mut entry: Option<Entry> = None;
    let mut tx: Option<Transaction> = None;
    let (mut iban, mut message_id) = (String::new(), String::new());
    let mut saw_document = false;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            let s = e.to_string();
            match s.split_once("too large:") {
                Some((_, n)) => CamtError::TooLarge(n.trim().parse().unwrap_or(limit)),
                None => CamtError::Xml(s),
            }
        })?;
        use quick_xml::events::Event;
        match event {
            Event::DocType(_) => return Err(CamtError::Dtd),
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.len() >= MAX_DEPTH {
                    return Err(CamtError::TooDeep);
                }
                if path.is_empty() {
                    if name != "Document" {
                        return Err(CamtError::NotAStatement(format!("the root is {name}")));
                    }
                    saw_document = true;
                }
                ccy = e
                    .try_get_attribute("Ccy")
                    .ok()
                    .flatten()
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                match name.as_str() {
                    "Ntry" => entry = Some(Entry::default()),
                    "TxDtls" if entry.is_some() => tx = Some(Transaction::default()),
                    _ => {}
                }
                path.push(name);
                text.clear();
            }
            Event::Empty(_) => {}
            Event::Text(t) => {
                let piece = t.decode().map_err(|e| CamtError::Xml(e.to_string()))?;
                push_text(&mut text, &piece)?;
            }
            Event::CData(t) => {
                push_text(&mut text, &String::from_utf8_lossy(&t.into_inner()))?;
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r.into_inner()).into_owned();
                let c = match name.as_str() {
                    "amp" => "&".to_owned(),
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "quot" => "\"".to_owned(),
                    "apos" => "'".to_owned(),
                    n if n.starts_with('#') => {
                        let code = match n.strip_prefix("#x") {
                            Some(hex) => u32::from_str_radix(hex, 16).ok(),
                            None => n[1..].parse().ok(),
                        };
                        code.and_then(char::from_u32)
                            .map(String::from)
                            .ok_or_else(|| CamtError::Entity(name.clone()))?
                    }
                    _ => return Err(CamtError::Entity(name)),
                };
                push_text(&mut text, &c)?;
            }
            Event::End(_) => {
                let here: Vec<&str> = path.iter().map(String::as_str).collect();
                let value = text.trim().to_owned();
                match here.as_slice() {
                    [.., "GrpHdr", "MsgId"] => message_id = value.clone(),
                    [.., "Stmt", "Acct", "Id", "IBAN"] => iban = value.clone(),
                    [.., "Ntry", "Amt"] => {
                        if let Some(e) = entry.as_mut() {
                            let currency = ccy.clone().unwrap_or_default();
                            e.amount_minor = minor_units(&value, &currency)?;
                            e.currency = currency;
                        }
                    }
                    [.., "Ntry", "CdtDbtInd"] => {
                        if let Some(e) = entry.as_mut() {
                            e.credit = value == "CRDT";
                        }
                    }
                    [.., "Ntry", "RvslInd"] => {
                        if let Some(e) = entry.as_mut() {
                            e.reversal = value == "true" || value == "1";
                        }
                    }
                    [.., "Ntry", "NtryRef"] => {
                        if let Some(e) = entry.as_mut() {
                            if e.reference.is_empty() {
                                e.reference = value.clone();
                            }
                        }
                    }
                    [.., "Ntry", "AcctSvcrRef"] => {
                        if let Some(e) = entry.as_mut() {
                            e.reference = value.clone();
                        }
                    }
                    [.., "Ntry", "BookgDt", "Dt" | "DtTm"] => {
                        if let Some(e) = entry.as_mut() {
                            e.booked = value.clone();
                        }
                    }
                    [.., "TxDtls", "Amt"] | [.., "TxDtls", "AmtDtls", "TxAmt", "Amt"] => {
                        if let Some(t) = tx.as_mut() {
                            let currency = ccy.clone().unwrap_or_default();
                            t.amount_minor = Some(minor_units(&value, &currency)?);
                            t.currency = Some(currency);
                        }
                    }
                    [.., "TxDtls", "Refs", "EndToEndId"] => {
                        if let Some(t) = tx.as_mut() {
                            t.end_to_end_id = Some(value.clone());
                        }
                    }
                    [.., "TxDtls", "RmtInf", "Ustrd"]
                    | [.., "TxDtls", "RmtInf", "Strd", "CdtrRefInf", "Ref"] => {
                        if let Some(t) = tx.as_mut() {
                            if !t.remittance.is_empty() {
                                t.remittance.push(' ');
                            }
                            t.remittance.push_str(&value);
                        }
                    }
                    [.., "TxDtls"] => {
                        if let (Some(e), Some(t)) = (entry.as_mut(), tx.take()) {
                            e.transactions.push(t);
                        }
                    }
                    [.., "Ntry"] => {
                        if let Some(e) = entry.take() {
                            if e.currency.is_empty() {
                                return Err(CamtError::NotAStatement(
                                    "an entry without an amount".into(),
                                ));
                            }
                            each(e)?;
                        }
                    }
                    _ => {}
                }
                path.pop();
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_document || !path.is_empty() {
        return Err(CamtError::NotAStatement("no complete Document".into()));
    }
    Ok((iban, message_id))
}

fn push_text(text: &mut String, piece: &str) -> Result<(), CamtError> {
    if text.len() + piece.len() > MAX_TEXT {
        return Err(CamtError::TextTooLong);
    }
    text.push_str(piece);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const STATEMENT: &str = include_str!("../tests/data/camt053-sofia.xml");

    fn entries(xml: &str) -> Result<Vec<Entry>, CamtError> {
        let mut out = Vec::new();
        read(xml.as_bytes(), 1 << 20, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn a_real_statement_reads_entries_batches_currencies_and_reversals() {
        let mut out = Vec::new();
        let (iban, msg) = read(STATEMENT.as_bytes(), 1 << 20, |e| {
            out.push(e);
            Ok(())
        })
        .unwrap();
        assert_eq!(iban, "BG80BNBG96611020345678");
        assert_eq!(msg, "STMT-2026-12-03-001");
        assert_eq!(out.len(), 5);
        assert_eq!(out[0].amount_minor, 250);
        assert_eq!(out[0].currency, "EUR");
        assert!(out[0].credit);
        assert_eq!(out[0].transactions[0].remittance, "Такса PAYCODE & co");
        // A batch: one entry, several transactions with their own amounts.
        assert_eq!(out[1].transactions.len(), 2);
        assert_eq!(out[1].transactions[1].amount_minor, Some(300));
        assert_eq!(
            out[1].transactions[0].end_to_end_id.as_deref(),
            Some("E2E-1")
        );
        assert_eq!(
            (out[2].amount_minor, out[2].currency.as_str()),
            (1000, "JPY")
        );
        assert!(out[3].reversal);
        assert!(!out[4].credit);
    }

    #[test]
    fn hostile_or_malformed_xml_is_refused_with_a_reason() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Document>&lol2;</Document>"#;
        assert_eq!(entries(bomb), Err(CamtError::Dtd));
        let external = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>"#;
        assert_eq!(entries(external), Err(CamtError::Dtd));
        assert_eq!(
            entries("<Document>&x;</Document>"),
            Err(CamtError::Entity("x".into()))
        );
        assert!(matches!(
            entries("<Document><a></b></Document>"),
            Err(CamtError::Xml(_))
        ));
        assert!(matches!(
            entries("<Other/>"),
            Err(CamtError::NotAStatement(_))
        ));
        assert!(matches!(
            entries("<Document><Stmt>"),
            Err(CamtError::NotAStatement(_)) | Err(CamtError::Xml(_))
        ));
        let deep = format!("<Document>{}", "<a>".repeat(100));
        assert_eq!(entries(&deep), Err(CamtError::TooDeep));
        let big = format!("<Document>{}</Document>", " ".repeat(2000));
        assert_eq!(
            read(big.as_bytes(), 1000, |_| Ok(())).map(|_| ()),
            Err(CamtError::TooLarge(1000))
        );
        let amount = "<Document><Ntry><Amt Ccy=\"EUR\">1.234</Amt></Ntry></Document>";
        assert!(matches!(entries(amount), Err(CamtError::Amount(_))));
    }

    #[test]
    fn amounts_are_read_in_minor_units() {
        assert_eq!(minor_units("12.5", "EUR"), Ok(1250));
        assert_eq!(minor_units("12", "EUR"), Ok(1200));
        assert_eq!(minor_units("1000", "JPY"), Ok(1000));
        assert!(minor_units("-1", "EUR").is_err());
        assert!(minor_units("1.5", "JPY").is_err());
        assert!(minor_units("", "EUR").is_err());
        assert!(minor_units("1", "XXX").is_err());
    }

    #[test]
    fn no_input_makes_the_reader_panic() {
        // Deterministic, beside the proptest fuzz below: every prefix and many byte flips of a
        // real statement are read without a panic.
        let bytes = STATEMENT.as_bytes();
        for end in (0..bytes.len()).step_by(7) {
            let _ = read(&bytes[..end], 1 << 20, |_| Ok(()));
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut copy = bytes.to_vec();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed % copy.len() as u64) as usize;
                copy[at] = (seed >> 32) as u8;
            }
            let _ = read(copy.as_slice(), 1 << 20, |_| Ok(()));
        }
    }

    mod fuzz {
        //! The reader fuzzed with proptest: arbitrary bytes, a real statement with bytes
        //! changed, cut, or spliced, and a soup of camt.053's own tags, entities and amounts.
        //! Whatever comes in, `read` answers Ok or an error; it never panics and never runs
        //! over its limits. (`PROPTEST_CASES` raises the number of cases.)
        use super::super::*;
        use super::STATEMENT;
        use proptest::prelude::*;
        use proptest::sample::Index;

        fn tag_soup() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("<Document>".to_owned()),
                Just("</Document>".to_owned()),
                Just("<BkToCstmrStmt><Stmt>".to_owned()),
                Just("<Acct><Id><IBAN>BG80BNBG96611020345678</IBAN></Id></Acct>".to_owned()),
                Just("<Ntry>".to_owned()),
                Just("</Ntry>".to_owned()),
                Just("<NtryDtls><TxDtls>".to_owned()),
                Just("</TxDtls></NtryDtls>".to_owned()),
                Just("<CdtDbtInd>CRDT</CdtDbtInd>".to_owned()),
                Just("<RvslInd>true</RvslInd>".to_owned()),
                Just("<RmtInf><Ustrd>".to_owned()),
                Just("</Ustrd></RmtInf>".to_owned()),
                Just("&amp;".to_owned()),
                Just("&#x41;".to_owned()),
                Just("&#99999999;".to_owned()),
                Just("&bogus;".to_owned()),
                Just("<![CDATA[x]]>".to_owned()),
                Just("<!DOCTYPE d>".to_owned()),
                Just("<?xml version=\"1.0\"?>".to_owned()),
                "[0-9.,-]{0,12}".prop_map(|a| format!("<Amt Ccy=\"EUR\">{a}</Amt>")),
                "[A-Z]{0,4}".prop_map(|c| format!("<Amt Ccy=\"{c}\">1.00</Amt>")),
                "[a-zA-Z0-9 <>/&;\"=]{0,16}",
            ];
            proptest::collection::vec(piece, 0..80).prop_map(|p| p.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
                let _ = read(bytes.as_slice(), 1 << 20, |_| Ok(()));
            }

            #[test]
            fn a_statement_changed_cut_or_spliced_never_panics(
                edits in proptest::collection::vec((any::<Index>(), any::<u8>()), 0..16),
                cut in any::<Index>(),
                splice in any::<Index>(),
                inserted in proptest::collection::vec(any::<u8>(), 0..64),
            ) {
                let mut bytes = STATEMENT.as_bytes().to_vec();
                for (at, byte) in edits {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
                let at = splice.index(bytes.len());
                bytes.splice(at..at, inserted);
                bytes.truncate(cut.index(bytes.len() + 1));
                let mut seen = 0usize;
                let _ = read(bytes.as_slice(), 1 << 20, |_| {
                    seen += 1;
                    Ok(())
                });
                prop_assert!(seen <= 64);
            }

            #[test]
            fn camt_tag_soup_never_panics_and_respects_the_limit(xml in tag_soup(), limit in 1u64..4096) {
                let result = read(xml.as_bytes(), limit, |_| Ok(()));
                if xml.len() as u64 > limit {
                    prop_assert!(result.is_err());
                }
            }
        }
    }
}
