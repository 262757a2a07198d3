//! When a new application is probably one the user already has.

use time::Duration;

/// An application with the same company and title counts as a duplicate when
/// it was created within this window.
pub const SAME_NAME_WINDOW: Duration = Duration::days(60);

/// The form of a job URL used to compare postings: scheme and host lower case,
/// no fragment, no `utm_*` tracking parameters, no trailing slash.
pub fn url_key(raw: &str) -> Option<String> {
    let mut url = url::Url::parse(raw.trim()).ok()?;
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("utm_"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    let mut key = url.to_string();
    // `Url` writes an empty path as "/"; drop it so "x.org" and "x.org/" match.
    if url.path() == "/" && url.query().is_none() && key.ends_with('/') {
        key.pop();
    }
    Some(key)
}

/// Company and title compared without case or surrounding space.
pub fn name_key(company: &str, title: &str) -> (String, String) {
    (company.trim().to_lowercase(), title.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::url_key;

    #[test]
    fn urls_that_name_the_same_posting_share_a_key() {
        let same = [
            "https://Jobs.Example.com/posting/42",
            "HTTPS://jobs.example.com/posting/42/",
            "https://jobs.example.com/posting/42#apply",
            "https://jobs.example.com/posting/42?utm_source=linkedin&utm_medium=social",
        ];
        let keys: Vec<_> = same.iter().map(|u| url_key(u)).collect();
        assert!(keys.iter().all(|k| k == &keys[0]), "{keys:?}");
    }

    #[test]
    fn meaningful_query_parameters_and_paths_still_differ() {
        assert_ne!(
            url_key("https://x.org/jobs?id=1&utm_source=a"),
            url_key("https://x.org/jobs?id=2")
        );
        assert_eq!(
            url_key("https://x.org/jobs?id=1&utm_source=a"),
            url_key("https://x.org/jobs/?id=1")
        );
        assert_ne!(url_key("https://x.org/a"), url_key("https://x.org/b"));
        assert_eq!(url_key("https://x.org/"), url_key("https://X.org"));
    }
}
