//! Tracking numbers people can read aloud over the phone: the year, ten random digits and two
//! check digits, in groups of four, e.g. `2026-4827-3196-0519`.
//!
//! The check digits are ISO 7064 MOD 97-10, as in an IBAN: the sixteen digits, read as one
//! number, leave 1 when divided by 97. A wrong digit changes that number by d·10ⁱ and a swap of
//! neighbours by 9·d·10ⁱ (|d| ≤ 9); 97 is a prime that divides neither, so every single wrong
//! digit and every swap of two neighbours is caught.
//!
//! The ten digits come from the operating system's random source, so numbers cannot be guessed
//! from one another. Ten digits are room for millions a year: with a million numbers already
//! given in a year, a new draw hits one of them once in ten thousand, and the submission then
//! draws again ([`taking_number`]).

use crate::CasesError;
use portico_store::Tx;
use rand::Rng;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Connection};

/// How many random digits a number has, between the year and the check digits.
pub const RANDOM_DIGITS: u32 = 10;

/// How many numbers a submission draws before it gives up.
const ATTEMPTS: usize = 8;

/// The remainder of a string of decimal digits modulo 97, or `None` if it has anything else.
fn mod97(digits: &str) -> Option<u32> {
    digits
        .chars()
        .try_fold(0u32, |acc, c| Some((acc * 10 + c.to_digit(10)?) % 97))
}

/// The two ISO 7064 MOD 97-10 check digits for a string of decimal digits.
pub fn check_digits(digits: &str) -> Option<u32> {
    Some(98 - mod97(&format!("{digits}00"))?)
}

/// A new number for `year`, from the operating system's random source.
pub fn generate(year: i32) -> String {
    let body: u64 = rand::rngs::OsRng.gen_range(0..10u64.pow(RANDOM_DIGITS));
    format_number(year, &format!("{body:010}"))
}

/// `year` and ten digits with their check digits, in groups of four.
fn format_number(year: i32, body: &str) -> String {
    let digits = format!("{year}{body}");
    let check = check_digits(&digits).unwrap_or_default();
    let all = format!("{digits}{check:02}");
    let groups: Vec<&str> = (0..all.len())
        .step_by(4)
        .filter_map(|i| all.get(i..(i + 4).min(all.len())))
        .collect();
    groups.join("-")
}

/// True for a well-formed number whose check digits match (spaces and dashes ignored).
pub fn is_valid(number: &str) -> bool {
    let digits: String = number.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    digits.len() == 4 + RANDOM_DIGITS as usize + 2 && mod97(&digits) == Some(1)
}

/// The numbers a submission tries, in order: [`ATTEMPTS`] fresh draws for `year`.
pub fn draws(year: i32) -> impl Iterator<Item = String> {
    std::iter::repeat_with(move || generate(year)).take(ATTEMPTS)
}

/// Runs `update`, which gives an application a candidate number: the rows it changed, or `None`
/// when another application holds the number already (the unique constraint refused it; then
/// the caller draws another). A refused number leaves the transaction usable: on PostgreSQL the
/// update runs in a savepoint, since a failed statement would abort the transaction there;
/// SQLite undoes only the failed statement, so it needs none.
pub async fn taking_number<'q>(
    tx: &mut Tx,
    update: Query<'q, Any, AnyArguments<'q>>,
) -> Result<Option<u64>, CasesError> {
    let outcome = if tx.is_postgres() {
        let mut savepoint = tx.begin().await?;
        let outcome = update.execute(&mut *savepoint).await;
        match outcome {
            Ok(_) => savepoint.commit().await?,
            Err(_) => savepoint.rollback().await?,
        }
        outcome
    } else {
        update.execute(&mut **tx).await
    };
    match outcome {
        Ok(done) => Ok(Some(done.rows_affected())),
        Err(e) => {
            let e = portico_store::StoreError::from(e);
            if e.is_unique_violation() {
                Ok(None)
            } else {
                Err(e.into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// An IBAN's check as ISO 13616 computes it: the country and check digits moved to the
    /// end, letters turned into two digits (A = 10 … Z = 35).
    fn iban_digits(iban: &str) -> (String, u32) {
        let iban: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
        let (head, bban) = iban.split_at(4);
        let digits = format!("{bban}{}", &head[..2])
            .chars()
            .map(|c| c.to_digit(36).unwrap().to_string())
            .collect();
        (digits, head[2..].parse().unwrap())
    }

    #[test]
    fn check_digits_match_the_standard_and_ibans() {
        // ISO 7064's own example for MOD 97-10: 794 → 44.
        assert_eq!(check_digits("794"), Some(44));
        assert_eq!(mod97("79444"), Some(1));
        // Example IBANs of the IBAN registry (SWIFT) and the European Payments Council.
        for iban in [
            "GB82 WEST 1234 5698 7654 32",
            "DE89 3704 0044 0532 0130 00",
            "BE68 5390 0754 7034",
            "FR14 2004 1010 0505 0001 3M02 606",
            "NL91 ABNA 0417 1643 00",
            "BG80 BNBG 9661 1020 3456 78",
        ] {
            let (digits, check) = iban_digits(iban);
            assert_eq!(check_digits(&digits), Some(check), "{iban}");
            assert_eq!(mod97(&format!("{digits}{check:02}")), Some(1), "{iban}");
        }
        assert_eq!(check_digits("12a"), None);
    }

    #[test]
    fn generated_numbers_are_valid_and_readable() {
        for _ in 0..200 {
            let n = generate(2026);
            assert!(n.starts_with("2026-"), "{n}");
            assert_eq!(n.len(), "2026-4827-3196-0519".len(), "{n}");
            assert!(n.split('-').all(|g| g.len() == 4), "{n}");
            assert!(is_valid(&n), "{n}");
        }
    }

    #[test]
    fn the_example_in_the_docs_is_valid() {
        let docs = include_str!("../../../../docs/cases.md");
        assert!(docs.contains("`2026-4827-3196-0519`"));
        assert!(is_valid("2026-4827-3196-0519"));
        assert_eq!(format_number(2026, "4827319605"), "2026-4827-3196-0519");
        assert!(!is_valid("2026-4827-3196-05"), "the old, shorter form");
    }

    /// Every single wrong digit and every swap of neighbours, in many numbers, is caught.
    #[test]
    fn every_mistyped_digit_and_every_swap_is_caught() {
        let mut samples = vec![
            format_number(2026, "4827319605"),
            format_number(2026, "0909090909"),
            format_number(2027, "0000000000"),
            format_number(2026, "9999999999"),
        ];
        samples.extend((0..200).map(|_| generate(2026)));
        for n in samples {
            let digits: Vec<u8> = n.bytes().filter(u8::is_ascii_digit).collect();
            assert_eq!(digits.len(), 16);
            let text = |d: &[u8]| String::from_utf8(d.to_vec()).unwrap();
            assert!(is_valid(&text(&digits)), "{n}");
            for i in 0..digits.len() {
                for d in b'0'..=b'9' {
                    if d == digits[i] {
                        continue;
                    }
                    let mut wrong = digits.clone();
                    wrong[i] = d;
                    assert!(!is_valid(&text(&wrong)), "{n}: digit {i} as {}", d as char);
                }
            }
            for i in 0..digits.len() - 1 {
                if digits[i] == digits[i + 1] {
                    continue;
                }
                let mut swapped = digits.clone();
                swapped.swap(i, i + 1);
                assert!(!is_valid(&text(&swapped)), "{n}: swap at {i}");
            }
        }
    }

    #[test]
    fn malformed_numbers_are_not_valid() {
        for n in [
            "",
            "2026",
            "2026-4827-3196-051",
            "2026-4827-3196-05190",
            "2026-4827-3196-05a9",
        ] {
            assert!(!is_valid(n), "{n}");
        }
        assert!(is_valid("2026 4827 3196 0519"));
    }

    mod on_a_database {
        use super::super::*;
        use crate::model::ServiceInfo;
        use crate::service::applications;
        use chrono::Utc;
        use portico_store::testdb;

        async fn drafts(t: &testdb::TestDb, n: usize) -> Vec<crate::model::Application> {
            let service = ServiceInfo {
                id: "svc-1".into(),
                administration_id: "adm-1".into(),
                process_key: "address_registration".into(),
                state_deadlines: Default::default(),
            };
            let mut tx = t.db.begin().await.unwrap();
            let mut ids = Vec::new();
            for i in 0..n {
                let applicant = format!("person-{i}");
                let data = serde_json::json!({});
                let draft = applications::start_draft(
                    &mut tx,
                    &applicant,
                    &service,
                    "form-v1",
                    data,
                    Utc::now(),
                )
                .await
                .unwrap();
                ids.push(draft);
            }
            tx.commit().await.unwrap();
            ids
        }

        async fn number_of(t: &testdb::TestDb, id: &str) -> Option<String> {
            applications::get(&t.db, id)
                .await
                .unwrap()
                .unwrap()
                .tracking_number
        }

        /// Submits the draft with these numbers to draw from; its tracking number.
        async fn submit(
            tx: &mut Tx,
            app: &crate::model::Application,
            numbers: Vec<String>,
        ) -> Result<String, CasesError> {
            let routing = applications::Routing {
                unit_id: None,
                deadline_working_days: 7,
                consents: &[],
            };
            let key = portico_audit::SigningKey::generate();
            applications::submit_with_numbers(
                tx,
                app,
                &app.applicant_id,
                &routing,
                &key,
                Utc::now(),
                numbers.into_iter(),
            )
            .await
            .map(|s| s.tracking_number)
        }

        #[tokio::test]
        async fn a_number_already_taken_is_drawn_again() {
            let t = testdb::fresh(&[
                portico_store::MIGRATIONS,
                portico_audit::MIGRATIONS,
                crate::MIGRATIONS,
            ])
            .await
            .unwrap();
            let ids = drafts(&t, 3).await;
            let taken = format_number(2026, "1111111111");
            let free = format_number(2026, "2222222222");

            let mut tx = t.db.begin().await.unwrap();
            let first = submit(&mut tx, &ids[0], vec![taken.clone()]).await;
            assert_eq!(first.unwrap(), taken);
            // The same number again: refused by the unique constraint, and the next one is used.
            let second = submit(&mut tx, &ids[1], vec![taken.clone(), free.clone()]).await;
            assert_eq!(second.unwrap(), free);
            // Nothing but taken numbers: an error, and the transaction is still usable.
            let third = submit(&mut tx, &ids[2], vec![taken.clone(), free.clone()]).await;
            assert!(matches!(third, Err(CasesError::Internal(_))), "{third:?}");
            tx.commit().await.unwrap();

            assert_eq!(number_of(&t, &ids[0].id).await, Some(taken));
            assert_eq!(number_of(&t, &ids[1].id).await, Some(free));
            assert_eq!(number_of(&t, &ids[2].id).await, None);
        }
    }
}
