//! Test support: a fixture folder's README carries the table its test
//! computes (between two marker lines); the test fails when the table is
//! stale, or rewrites it when the named variable is `1`.

use std::path::Path;

/// Compares `table` with the README's text between `start` and `end`;
/// with `{rewrite_var}=1` it writes the table there instead of failing.
pub(crate) fn check(readme_path: &Path, start: &str, end: &str, table: &str, rewrite_var: &str) {
    let readme = std::fs::read_to_string(readme_path).unwrap_or_default();
    let from = readme.find(start).map(|i| i + start.len());
    let to = readme.find(end);
    let current = match (from, to) {
        (Some(s), Some(e)) if s <= e => &readme[s..e],
        _ => "",
    };
    if current == table {
        return;
    }
    if std::env::var(rewrite_var).is_ok_and(|v| v == "1") {
        let (head, tail) = match (from, to) {
            (Some(s), Some(e)) if s <= e => (&readme[..s - start.len()], &readme[e + end.len()..]),
            _ => (readme.as_str(), "\n"),
        };
        std::fs::write(readme_path, format!("{head}{start}{table}{end}{tail}"))
            .unwrap_or_else(|e| panic!("{}: {e}", readme_path.display()));
    } else {
        panic!(
            "{} is stale; run with {rewrite_var}=1",
            readme_path.display()
        );
    }
}
