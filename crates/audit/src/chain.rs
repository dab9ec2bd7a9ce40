//! The canonical encoding that each row's hash covers. Every field is written as its length
//! (8 bytes, big-endian) followed by its bytes, so no two different rows can encode alike by
//! moving text from one field into the next.

use sha2::{Digest, Sha256};

pub struct RowFields<'a> {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub administration_id: Option<&'a str>,
    pub details: &'a str,
    pub prev_hash: &'a str,
}

fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

pub fn encode(row: &RowFields<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    field(&mut out, b"portico-audit-v1");
    field(&mut out, row.seq.to_string().as_bytes());
    field(&mut out, row.at_ms.to_string().as_bytes());
    field(&mut out, row.actor.as_bytes());
    field(&mut out, row.action.as_bytes());
    field(&mut out, row.subject.as_bytes());
    // An absent administration and an empty one are different facts.
    match row.administration_id {
        Some(a) => {
            field(&mut out, b"1");
            field(&mut out, a.as_bytes());
        }
        None => field(&mut out, b"0"),
    }
    field(&mut out, row.details.as_bytes());
    field(&mut out, row.prev_hash.as_bytes());
    out
}

pub fn hash(row: &RowFields<'_>) -> String {
    hex::encode(Sha256::digest(encode(row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(actor: &'a str, action: &'a str) -> RowFields<'a> {
        RowFields {
            seq: 1,
            at_ms: 0,
            actor,
            action,
            subject: "s",
            administration_id: None,
            details: "{}",
            prev_hash: "0",
        }
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        assert_ne!(hash(&row("ab", "c")), hash(&row("a", "bc")));
    }

    #[test]
    fn absent_and_empty_administration_differ() {
        let mut a = row("a", "b");
        let none = hash(&a);
        a.administration_id = Some("");
        assert_ne!(none, hash(&a));
    }
}
