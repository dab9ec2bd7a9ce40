//! Tracking numbers people can read aloud over the phone: the year and ten random digits in
//! groups, with a check digit that catches any single wrong digit and any swap of neighbours
//! (Luhn), e.g. `2026-4827-3196-05`. Random, so numbers cannot be guessed from one another.

use rand::Rng;

fn luhn_check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

pub fn generate(year: i32) -> String {
    let mut rng = rand::rngs::OsRng;
    let body: String = (0..9)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect();
    format_number(year, &body)
}

/// `year` and nine digits, grouped, with the check digit.
fn format_number(year: i32, body: &str) -> String {
    let check = luhn_check_digit(&format!("{year}{body}"));
    format!(
        "{year}-{}-{}-{}{check}",
        &body[..4],
        &body[4..8],
        &body[8..]
    )
}

/// True for a well-formed number with a correct check digit (spaces and dashes ignored).
pub fn is_valid(number: &str) -> bool {
    let digits: String = number.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if digits.len() != 14 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let (body, check) = digits.split_at(13);
    check
        .parse::<u32>()
        .map(|c| c == luhn_check_digit(body))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_are_valid_and_readable() {
        for _ in 0..100 {
            let n = generate(2026);
            assert!(n.starts_with("2026-"));
            assert_eq!(n.len(), "2026-4827-3196-05".len());
            assert!(is_valid(&n), "{n}");
        }
    }

    #[test]
    fn a_mistyped_digit_or_a_swap_is_caught() {
        let n = format_number(2026, "482731960");
        let digits: Vec<char> = n.chars().collect();
        for i in [5usize, 7, 10, 12] {
            let mut wrong = digits.clone();
            wrong[i] = if wrong[i] == '9' {
                '0'
            } else {
                char::from(wrong[i] as u8 + 1)
            };
            assert!(
                !is_valid(&wrong.iter().collect::<String>()),
                "one wrong digit at {i}"
            );
        }
        let mut swapped = digits.clone();
        swapped.swap(5, 6);
        assert!(
            !is_valid(&swapped.iter().collect::<String>()),
            "4 and 8 swapped"
        );
    }
}
