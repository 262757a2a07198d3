//! The search text of the applications list: one rule for the API and the page.

use super::fields::{check_characters, Lines};

/// The longest search, in Unicode characters.
pub const MAX_CHARS: usize = 200;

/// Trimmed search text; `None` when empty. Too long, or holding control
/// characters, is refused with a message (the API answers 400, the page
/// says so beside the search box).
pub fn search_text(raw: &str) -> Result<Option<String>, String> {
    let q = raw.trim();
    if q.is_empty() {
        return Ok(None);
    }
    if q.chars().count() > MAX_CHARS {
        return Err(format!("must be at most {MAX_CHARS} characters"));
    }
    check_characters(q, Lines::One)?;
    Ok(Some(q.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_trimmed_bounded_and_plain() {
        assert_eq!(search_text("  rust "), Ok(Some("rust".into())));
        assert_eq!(search_text("   "), Ok(None));
        assert!(search_text(&"é".repeat(200)).is_ok());
        assert!(search_text(&"é".repeat(201)).is_err());
        assert!(search_text("a\u{0}b").is_err());
    }
}
