//! A posting's link: tracking parameters removed, and the site it came from.

/// Applicant tracking systems and job boards named by their domain; a host
/// that is the domain or one of its subdomains is that source.
const SOURCES: [(&str, &str); 7] = [
    ("greenhouse.io", "Greenhouse"),
    ("lever.co", "Lever"),
    ("myworkdayjobs.com", "Workday"),
    ("ashbyhq.com", "Ashby"),
    ("linkedin.com", "LinkedIn"),
    ("indeed.com", "Indeed"),
    ("wellfound.com", "Wellfound"),
];

/// The URL as given (trimmed) with only its `utm_*` query parameters removed
/// (any case); the order and spelling of everything else, other tracking
/// parameters included, stay as they were. `None` unless it is an absolute
/// http(s) URL on one line.
pub fn without_utm(url: &str) -> Option<String> {
    let url = url.trim();
    if url.chars().any(char::is_control) || !is_web_url(url) {
        return None;
    }
    let (before_fragment, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let Some((base, query)) = before_fragment.split_once('?') else {
        return Some(url.to_owned());
    };
    let kept: Vec<&str> = query.split('&').filter(|p| !is_utm(p)).collect();
    if kept.len() == query.split('&').count() {
        return Some(url.to_owned());
    }
    let mut out = base.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    out.push_str(fragment);
    Some(out)
}

fn is_utm(parameter: &str) -> bool {
    parameter
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("utm_"))
}

fn is_web_url(url: &str) -> bool {
    super::super::fields::validate_web_url(url).is_ok()
}

/// The site a posting came from: an applicant tracking system or job board
/// by name when the host is (a subdomain of) its domain, otherwise the full
/// host (`jobs.example.com`). `None` unless `url` is an http(s) URL.
pub fn source_name(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed
        .host_str()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let named = SOURCES.iter().find(|(domain, _)| {
        host == *domain
            || host
                .strip_suffix(domain)
                .is_some_and(|sub| sub.ends_with('.'))
    });
    Some(named.map_or(host, |(_, name)| (*name).to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_utm_parameters_are_removed_and_the_rest_stays_as_given() {
        let cases = [
            (
                "https://boards.greenhouse.io/acme/jobs/1?gh_src=abc&utm_source=li&UTM_Medium=x#apply",
                "https://boards.greenhouse.io/acme/jobs/1?gh_src=abc#apply",
            ),
            (
                "https://x.org/j?utm_source=a&utm_campaign=b",
                "https://x.org/j",
            ),
            ("https://x.org/j?b=2&utm_x=1&a=1", "https://x.org/j?b=2&a=1"),
            ("  HTTPS://X.org/J/?  ", "HTTPS://X.org/J/?"),
            ("https://x.org/j?utmost=1", "https://x.org/j?utmost=1"),
        ];
        for (given, expected) in cases {
            assert_eq!(without_utm(given).as_deref(), Some(expected), "{given}");
        }
    }

    #[test]
    fn urls_that_are_not_http_are_refused() {
        for url in [
            "ftp://x.org/a",
            "javascript:alert(1)",
            "/jobs/1",
            "",
            "https://x.org/\na",
        ] {
            assert_eq!(without_utm(url), None, "{url:?}");
        }
    }

    #[test]
    fn sources_are_named_for_known_sites_and_subdomains_only() {
        let cases = [
            (
                "https://boards.greenhouse.io/acme/jobs/1",
                Some("Greenhouse"),
            ),
            ("https://jobs.lever.co/acme/1", Some("Lever")),
            ("https://acme.wd5.myworkdayjobs.com/x", Some("Workday")),
            ("https://jobs.ashbyhq.com/acme/1", Some("Ashby")),
            ("https://www.linkedin.com/jobs/view/1", Some("LinkedIn")),
            ("https://de.indeed.com/viewjob?jk=1", Some("Indeed")),
            ("https://wellfound.com/jobs/1", Some("Wellfound")),
            ("https://notlinkedin.com/jobs", Some("notlinkedin.com")),
            ("https://Jobs.Example.com:8443/a", Some("jobs.example.com")),
            ("mailto:jobs@example.com", None),
            ("not a url", None),
        ];
        for (url, expected) in cases {
            assert_eq!(source_name(url).as_deref(), expected, "{url}");
        }
    }
}
