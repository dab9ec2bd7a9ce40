//! Identifiers for rows. UUID v7 is time-ordered, so new rows land at the end of a B-tree index
//! instead of scattering writes across it, which matters at national scale.

/// A new, globally unique, time-ordered identifier in its canonical text form.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True if `s` is a canonical id as produced by [`new_id`]. Checked before a path parameter reaches
/// a query, so a malformed id is a 404 rather than a database round trip.
pub fn is_valid_id(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_and_ordered() {
        let a = new_id();
        let b = new_id();
        assert!(is_valid_id(&a));
        assert!(a < b, "v7 ids sort by creation time");
        assert!(!is_valid_id("../etc/passwd"));
    }
}
