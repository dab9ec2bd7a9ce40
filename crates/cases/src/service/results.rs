//! The result document issued when a case is decided: a PDF in Bulgarian, with an English
//! translation after it, naming the administration, the decision, its legal basis, the date and
//! the case number, with the platform's signed statement of its SHA-256 beside it (a JWS by the
//! platform key, see `evidence::result_statement`) and a verification code and link printed on
//! it: anyone can check a copy at `/documents/{code}`.
//!
//! [`document`] makes and signs a new one; [`issued`] reads back the one a case was given, for
//! download or to attach to a message. Results issued before PDFs were plain text and are still
//! served (and verify) as they were.

mod pdf;

use crate::model::Application;
use crate::service::{answers, evidence, processes};
use crate::CasesError;
use chrono::{DateTime, Datelike, Utc};
use pdf::Block;
use portico_core::Lang;
use rand::Rng;
use sha2::{Digest, Sha256};

pub const PDF: &str = "application/pdf";
/// The media type of the results issued before PDFs.
pub const PLAIN_TEXT: &str = "text/plain; charset=utf-8";

/// A signed result document: what a person downloads or receives.
#[derive(Debug, Clone)]
pub struct ResultDocument {
    pub bytes: Vec<u8>,
    pub media_type: String,
    /// `result-{tracking number}.pdf` (`.txt` for the old ones).
    pub file_name: String,
    /// The platform's signed statement about the document (compact JWS).
    pub jws: String,
    /// Lower-case hex SHA-256 of `bytes`, as the statement names it.
    pub sha256: String,
    /// Printed on the document; `None` for the plain-text results issued before PDFs.
    pub verification_code: Option<String>,
}

/// The letters of verification codes: no 0/O, 1/I/L or U, so a code read from paper is typed
/// right.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LENGTH: usize = 16;

/// A new verification code, `XXXX-XXXX-XXXX-XXXX`: 16 letters from 30 (78 bits) from the
/// operating system's random source, so codes cannot be guessed from one another.
pub fn new_verification_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let letters: Vec<char> = (0..CODE_LENGTH)
        .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
        .collect();
    letters
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed (any case, with or without dashes or spaces) in its printed form, or `None`
/// when it cannot be one.
pub fn normalise_code(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = letters.len() == CODE_LENGTH && letters.bytes().all(|b| CODE_ALPHABET.contains(&b));
    valid.then(|| {
        letters
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    })
}

/// Where anyone checks the document with this code.
pub fn verification_url(base_url: &str, code: &str) -> String {
    format!("{}/documents/{code}", base_url.trim_end_matches('/'))
}

/// Makes and signs the result document of `app` decided into the state `decision`, at `now`.
/// Every part of it is read, or the document is not issued: a missing service, administration,
/// form or applicant is an error, never a blank in a signed document. Stores nothing.
pub async fn document(
    cases: &super::Cases,
    app: &Application,
    decision: &str,
    now: DateTime<Utc>,
) -> Result<ResultDocument, CasesError> {
    let db = &cases.db;
    let applicant = portico_identity::service::accounts::get(db, &app.applicant_id)
        .await?
        .map(|a| a.display_name())
        .ok_or_else(|| CasesError::Internal(format!("applicant of {} is missing", app.id)))?;
    let administration =
        portico_identity::service::administrations::get(db, &app.administration_id)
            .await?
            .ok_or_else(|| {
                CasesError::Internal(format!("administration of {} is missing", app.id))
            })?;
    let state = processes::get(&app.process_key)?
        .state(decision)
        .ok_or_else(|| CasesError::Internal(format!("state {decision} is not in the process")))?;
    let service = answers::service_of(db, app).await?;
    let number = app
        .tracking_number
        .clone()
        .ok_or_else(|| CasesError::Internal(format!("{} has no tracking number", app.id)))?;
    let code = new_verification_code();
    let base = cases.base_url.trim_end_matches('/');
    let mut blocks = Vec::new();
    for lang in [Lang::Bg, Lang::En] {
        let facts = Facts {
            lang,
            administration: match lang {
                Lang::Bg => &administration.name_bg,
                Lang::En => &administration.name_en,
            },
            service: service.title(lang),
            legal_basis: service.facts.legal_basis.get(lang),
            decision: match lang {
                Lang::Bg => &state.label_bg,
                Lang::En => &state.label_en,
            },
            number: &number,
            applicant: &applicant,
            submitted: app.submitted_at,
            decided: now,
            particulars: answers::readable_for_staff(db, app, lang)
                .await?
                .into_iter()
                .map(|a| (a.label, a.value))
                .collect(),
            verification_url: verification_url(base, &code),
            code: &code,
            documents_url: format!("{base}/documents"),
            jws_url: format!("{base}/applications/{}/result.jws", app.id),
        };
        if lang == Lang::En {
            blocks.push(Block::PageBreak);
        }
        blocks.extend(facts.blocks());
    }
    let title = format!("{} № {number}", service.title(Lang::Bg));
    let bytes = pdf::render(
        &pdf::Meta {
            title: &title,
            language: "bg",
        },
        &blocks,
    )
    .map_err(|e| CasesError::Internal(format!("result document of {}: {e}", app.id)))?;
    let statement = evidence::result_statement(app, decision, &bytes, PDF, Some(&code), now);
    let jws = cases.key.sign_jws(&statement)?;
    Ok(ResultDocument {
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes,
        media_type: PDF.to_owned(),
        file_name: format!("result-{number}.pdf"),
        jws,
        verification_code: Some(code),
    })
}

/// The result document a case was issued, with its signed statement, if it has one: a PDF, or
/// the plain text of results issued before PDFs.
pub async fn issued(
    cases: &super::Cases,
    app: &Application,
) -> Result<Option<ResultDocument>, CasesError> {
    let (Some(blob), Some(record)) = (
        app.result_blob.as_deref(),
        evidence::result_record(&cases.db, &app.id).await?,
    ) else {
        return Ok(None);
    };
    let Some(bytes) = cases.blobs.get(blob).await? else {
        return Err(CasesError::Internal(format!(
            "result document of {} is missing from the blob store",
            app.id
        )));
    };
    let number = app.tracking_number.clone().unwrap_or_default();
    let pdf = record.media_type.as_deref() == Some(PDF);
    Ok(Some(ResultDocument {
        bytes: bytes.to_vec(),
        media_type: record.media_type.unwrap_or_else(|| PLAIN_TEXT.to_owned()),
        file_name: format!("result-{number}.{}", if pdf { "pdf" } else { "txt" }),
        jws: record.jws,
        sha256: record.document_sha256,
        verification_code: record.verification_code,
    }))
}

/// What the public verification page may say about an issued document: who issued what and
/// when, nothing about the person (the document itself says that to whoever holds it).
#[derive(Debug, Clone)]
pub struct IssuedFacts {
    pub administration: String,
    pub service: String,
    pub tracking_number: String,
    pub decision: String,
    pub issued_at: DateTime<Utc>,
    /// `None` for the plain-text results issued before PDFs.
    pub verification_code: Option<String>,
}

/// What checking a file found.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// The file is, byte for byte, a document the platform issued, and the platform's signed
    /// statement about it verifies.
    Genuine(IssuedFacts),
    /// A document was issued under the code given, but the file is not that document.
    NotTheDocumentOfCode(IssuedFacts),
    /// The platform issued no document with these bytes.
    NotIssued,
}

/// The facts of the document issued under `code` (as typed), if there is one. Public: anyone
/// holding the code (printed on the document) may see who issued it, when, and the decision.
pub async fn by_code(
    cases: &super::Cases,
    code: &str,
    lang: Lang,
) -> Result<Option<IssuedFacts>, CasesError> {
    let Some(code) = normalise_code(code) else {
        return Ok(None);
    };
    match evidence::result_by_code(&cases.db, &code).await? {
        Some(record) => facts_of(cases, &record, lang).await,
        None => Ok(None),
    }
}

/// Checks a file someone holds: is it a document the platform issued (under `code`, when one is
/// given)? Genuine only when its SHA-256 is that of an issued document *and* the platform's
/// signed statement of that hash verifies with the platform key; a single changed byte fails.
pub async fn check(
    cases: &super::Cases,
    code: Option<&str>,
    file: &[u8],
    lang: Lang,
) -> Result<Verdict, CasesError> {
    let sha256 = hex::encode(Sha256::digest(file));
    let expected = match code.and_then(normalise_code) {
        Some(code) => evidence::result_by_code(&cases.db, &code).await?,
        None => None,
    };
    if let Some(record) = &expected {
        if record.document_sha256 != sha256 {
            return Ok(match facts_of(cases, record, lang).await? {
                Some(facts) => Verdict::NotTheDocumentOfCode(facts),
                None => Verdict::NotIssued,
            });
        }
    }
    let candidates = match expected {
        Some(record) => vec![record],
        None => evidence::results_by_hash(&cases.db, &sha256).await?,
    };
    for record in candidates {
        let stated = match cases.key.verify_jws(&record.jws, cases.now()) {
            Ok(verified) => verified.payload,
            Err(e) => {
                tracing::warn!(application = %record.application_id, error = %e, "a result's signed statement does not verify");
                continue;
            }
        };
        if stated["document_sha256"].as_str() != Some(sha256.as_str()) {
            tracing::warn!(application = %record.application_id, "a result's signed statement names another document");
            continue;
        }
        if let Some(facts) = facts_of(cases, &record, lang).await? {
            return Ok(Verdict::Genuine(facts));
        }
    }
    Ok(Verdict::NotIssued)
}

async fn facts_of(
    cases: &super::Cases,
    record: &evidence::ResultRecord,
    lang: Lang,
) -> Result<Option<IssuedFacts>, CasesError> {
    let Some(app) = crate::service::applications::get(&cases.db, &record.application_id).await?
    else {
        return Ok(None);
    };
    let administration =
        portico_identity::service::administrations::get(&cases.db, &app.administration_id)
            .await?
            .map(|a| match lang {
                Lang::Bg => a.name_bg,
                Lang::En => a.name_en,
            })
            .unwrap_or_default();
    let stated = portico_audit::jws::unverified_payload(&record.jws)
        .and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok());
    let decided = stated
        .as_ref()
        .and_then(|s| s["decision"].as_str().map(str::to_owned))
        .unwrap_or_else(|| app.state.clone());
    let decision = processes::get(&app.process_key)?
        .state(&decided)
        .map(|s| match lang {
            Lang::Bg => s.label_bg.clone(),
            Lang::En => s.label_en.clone(),
        })
        .unwrap_or(decided);
    Ok(Some(IssuedFacts {
        administration,
        service: answers::service_title(&cases.db, &app.service_id, lang).await?,
        tracking_number: app.tracking_number.unwrap_or_default(),
        decision,
        issued_at: record.issued_at,
        verification_code: record.verification_code.clone(),
    }))
}

/// What one language's part of the document says.
struct Facts<'a> {
    lang: Lang,
    administration: &'a str,
    service: &'a str,
    legal_basis: &'a str,
    decision: &'a str,
    number: &'a str,
    applicant: &'a str,
    submitted: Option<DateTime<Utc>>,
    decided: DateTime<Utc>,
    particulars: Vec<(String, String)>,
    verification_url: String,
    code: &'a str,
    documents_url: String,
    jws_url: String,
}

impl Facts<'_> {
    fn blocks(&self) -> Vec<Block> {
        let bg = self.lang == Lang::Bg;
        let t = |b: &str, e: &str| if bg { b.to_owned() } else { e.to_owned() };
        let date = |at: DateTime<Utc>| date_in(self.lang, at);
        let decided = self.decision.to_lowercase();
        let mut blocks = vec![
            Block::Heading(self.administration.to_owned(), 15.0),
            Block::Text(t(
                "Издадено чрез платформата за електронни административни услуги Portico",
                "English translation. Issued through the Portico e-government platform; the Bulgarian text is the original",
            )),
            Block::Rule,
            Block::Heading(
                t(
                    &format!("РЕШЕНИЕ по заявление № {}", self.number),
                    &format!("DECISION on application no. {}", self.number),
                ),
                13.0,
            ),
            Block::Text(t(
                &format!(
                    "{} разгледа заявлението за „{}“ и реши: {}.",
                    self.administration, self.service, decided
                ),
                &format!(
                    "{} has considered the application for “{}” and decided: {}.",
                    self.administration, self.service, decided
                ),
            )),
            Block::Space(4.0),
            Block::Row(t("Решение", "Decision"), self.decision.to_owned()),
            Block::Row(t("Услуга", "Service"), self.service.to_owned()),
            Block::Row(t("Правно основание", "Legal basis"), self.legal_basis.to_owned()),
            Block::Row(t("Заявление №", "Application no."), self.number.to_owned()),
            Block::Row(t("Заявител", "Applicant"), self.applicant.to_owned()),
        ];
        if let Some(submitted) = self.submitted {
            blocks.push(Block::Row(
                t("Подадено на", "Submitted on"),
                date(submitted),
            ));
        }
        blocks.push(Block::Row(
            t("Дата на решението", "Date of the decision"),
            date(self.decided),
        ));
        if !self.particulars.is_empty() {
            blocks.push(Block::Space(6.0));
            blocks.push(Block::Heading(
                t("Данни от заявлението", "Particulars of the application"),
                11.0,
            ));
            for (label, value) in &self.particulars {
                blocks.push(Block::Row(label.clone(), value.clone()));
            }
        }
        blocks.extend([
            Block::Space(6.0),
            Block::Rule,
            Block::Heading(t("Проверка на документа", "Checking this document"), 11.0),
            Block::Text(t(
                &format!(
                    "Документът е подпечатан с електронния печат на платформата. Всеки може да провери дали копие е истинско на адреса по-долу, или на {} с кода за проверка {}.",
                    self.documents_url, self.code
                ),
                &format!(
                    "This document carries the platform's electronic seal. Anyone can check that a copy is genuine at the address below, or at {} with the verification code {}.",
                    self.documents_url, self.code
                ),
            )),
            Block::Link(self.verification_url.clone()),
            Block::Row(t("Код за проверка", "Verification code"), self.code.to_owned()),
            Block::Text(t(
                "Подписаното удостоверение (JWS, Ed25519, с веригата от сертификати на платформата), което назовава SHA-256 на този файл:",
                "The signed statement (JWS, Ed25519, with the platform's certificate chain) naming this file's SHA-256:",
            )),
            Block::Link(self.jws_url.clone()),
        ]);
        blocks
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as people write it in the language, in Sofia's time.
pub(crate) fn date_in(lang: Lang, at: DateTime<Utc>) -> String {
    let local = portico_core::calendar::sofia_local(at);
    match lang {
        Lang::Bg => format!("{} г.", local.format("%d.%m.%Y")),
        Lang::En => {
            let month = MONTHS_EN
                .get(local.month0() as usize)
                .copied()
                .unwrap_or_default();
            format!("{} {month} {}", local.day(), local.year())
        }
    }
}

/// The result documents' PDF maker, lent to the registries block for "my data" as a PDF file
/// (wired in the portico binary): the same page, font and layout.
pub struct Printer;

impl portico_registries::service::print::PdfMaker for Printer {
    fn render(
        &self,
        title: &str,
        language: &str,
        blocks: &[portico_registries::service::print::PrintBlock],
    ) -> Result<Vec<u8>, String> {
        use portico_registries::service::print::PrintBlock as P;
        let blocks: Vec<Block> = blocks
            .iter()
            .map(|b| match b {
                P::Heading(text, size) => Block::Heading(text.clone(), *size),
                P::Text(text) => Block::Text(text.clone()),
                P::Row(label, value) => Block::Row(label.clone(), value.clone()),
                P::Rule => Block::Rule,
                P::Space(points) => Block::Space(*points),
            })
            .collect();
        pdf::render(&pdf::Meta { title, language }, &blocks)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_are_grouped_unambiguous_letters_and_read_back_however_typed() {
        let code = new_verification_code();
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        assert_eq!(normalise_code(&code), Some(code.clone()));
        let typed = code.replace('-', " ").to_lowercase();
        assert_eq!(normalise_code(&typed), Some(code.clone()));
        assert_ne!(new_verification_code(), code);
        assert_eq!(normalise_code("ABCD-EFGH-JKMN-PQR"), None, "too short");
        assert_eq!(
            normalise_code("ABCD-EFGH-JKMN-PQR0"),
            None,
            "0 is not a letter of codes"
        );
        assert_eq!(normalise_code("../../etc/passwd"), None);
    }

    #[test]
    fn dates_read_as_people_write_them() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-02T22:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // 00:30 on 3 December in Sofia.
        assert_eq!(date_in(Lang::Bg, at), "03.12.2026 г.");
        assert_eq!(date_in(Lang::En, at), "3 December 2026");
    }
}
