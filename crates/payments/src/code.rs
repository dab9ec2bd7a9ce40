//! Payment codes: 8 random characters of Crockford's base 32 (no I, L, O, U, so nothing is
//! misread) and a check character by the Luhn mod N algorithm, which catches every single
//! mistyped character and every swap of two neighbours but one (`0` and `Z`, as Luhn's 09/90). A person quotes it at a bank or writes
//! it in a transfer's reference; a statement's line is matched by it.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const BODY: usize = 8;

fn value(c: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&a| a == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The Luhn mod 32 check character of `body` (all of it from the alphabet).
fn check_char(body: &[u8]) -> Option<u8> {
    let n = 32u32;
    let mut factor = 2;
    let mut sum = 0;
    for &c in body.iter().rev() {
        let mut addend = factor * value(c)?;
        factor = if factor == 2 { 1 } else { 2 };
        addend = addend / n + addend % n;
        sum += addend;
    }
    let check = (n - sum % n) % n;
    ALPHABET.get(usize::try_from(check).ok()?).copied()
}

/// A new payment code.
pub fn generate() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let body: Vec<u8> = (0..BODY)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())])
        .collect();
    let check = check_char(&body).unwrap_or(b'0');
    let mut code = String::from_utf8_lossy(&body).into_owned();
    code.push(char::from(check));
    code
}

/// The code as written by a person (any case, spaces or dashes, O for 0, I and L for 1) in its
/// canonical form, when its check character is right.
pub fn normalise(input: &str) -> Option<String> {
    let cleaned: Vec<u8> = input
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'-'))
        .map(|b| match b.to_ascii_uppercase() {
            b'O' => b'0',
            b'I' | b'L' => b'1',
            other => other,
        })
        .collect();
    if cleaned.len() != BODY + 1 {
        return None;
    }
    let (body, check) = cleaned.split_at(BODY);
    (check_char(body)? == check[0]).then(|| String::from_utf8_lossy(&cleaned).into_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn generated_codes_check_and_read_back_as_a_person_writes_them() {
        for _ in 0..200 {
            let code = generate();
            assert_eq!(code.len(), 9);
            assert_eq!(normalise(&code).as_deref(), Some(code.as_str()));
            let spaced = format!("{} {}", &code[..4], code[4..].to_lowercase());
            assert_eq!(normalise(&spaced).as_deref(), Some(code.as_str()));
        }
        assert_eq!(normalise("0000000O0").as_deref(), Some("000000000"));
        assert!(normalise("12345").is_none());
    }

    #[test]
    fn every_single_typo_and_neighbour_swap_is_caught() {
        for _ in 0..50 {
            one_code_catches_typos_and_swaps(&generate());
        }
    }

    fn one_code_catches_typos_and_swaps(code: &str) {
        let bytes = code.as_bytes();
        for i in 0..bytes.len() {
            for &c in ALPHABET {
                if c == bytes[i] {
                    continue;
                }
                let mut typo = bytes.to_vec();
                typo[i] = c;
                assert!(normalise(std::str::from_utf8(&typo).unwrap()).is_none());
            }
        }
        for i in 0..bytes.len() - 1 {
            let pair = [bytes[i], bytes[i + 1]];
            // Luhn mod N's one blind spot: the values 0 and N-1 swapped.
            if bytes[i] == bytes[i + 1] || pair == *b"0Z" || pair == *b"Z0" {
                continue;
            }
            let mut swapped = bytes.to_vec();
            swapped.swap(i, i + 1);
            assert!(normalise(std::str::from_utf8(&swapped).unwrap()).is_none());
        }
    }
}
