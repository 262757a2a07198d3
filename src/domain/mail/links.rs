//! Web addresses in a mail: the meeting link proposed with an interview, and
//! the addresses matched against an application's posting.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::rules::MEETING_LINKS;

static URL: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: a failure would show in every test run.
    #[allow(clippy::expect_used)]
    Regex::new(r#"(?i)\bhttps?://[^\s<>"'()\[\]{}]+"#).expect("a valid built-in pattern")
});

/// Every http(s) address written in `text`, in order, without the
/// punctuation that ends the sentence around it.
pub fn urls_in(text: &str) -> Vec<String> {
    URL.find_iter(text)
        .map(|m| {
            m.as_str()
                .trim_end_matches(['.', ',', ';', ':', '!', '?', '>', '*'])
                .to_owned()
        })
        .collect()
}

/// Whether `host` is `domain` or one of its subdomains.
pub fn is_within(host: &str, domain: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// Whether `link` joins a video meeting (Zoom, Google Meet, Teams, Webex).
pub fn is_meeting_link(link: &str) -> bool {
    let Ok(url) = Url::parse(link) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let path = url.path();
    MEETING_LINKS.iter().any(|(domain, paths)| {
        is_within(host, domain)
            && paths.iter().any(|p| {
                path.starts_with(p) && (path.len() > p.len() || *p == "/" && path.len() > 1)
            })
    })
}

/// The first meeting link among `links`.
pub fn meeting_link<'a>(links: impl IntoIterator<Item = &'a str>) -> Option<String> {
    links
        .into_iter()
        .find(|l| is_meeting_link(l))
        .map(str::to_owned)
}

/// An address reduced to what names a page: lowercase host without `www.`,
/// and the path without a trailing slash (no scheme, query or fragment).
pub fn page_key(link: &str) -> Option<String> {
    let url = Url::parse(link.trim()).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let path = url.path().trim_end_matches('/').to_ascii_lowercase();
    Some(format!("{host}{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_links_of_each_service_are_recognised() {
        let links = [
            "https://zoom.us/j/98765432100?pwd=abc",
            "https://acme.zoom.us/j/98765432100",
            "https://us02web.zoom.us/my/jane.doe",
            "https://meet.google.com/abc-defg-hij",
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0",
            "https://teams.live.com/meet/9381234",
            "https://acme.webex.com/meet/jane",
        ];
        for link in links {
            assert!(is_meeting_link(link), "{link}");
        }
    }

    #[test]
    fn other_pages_of_those_services_are_not_meeting_links() {
        let links = [
            "https://zoom.us/",
            "https://zoom.us/pricing",
            "https://meet.google.com/",
            "https://teams.microsoft.com/downloads",
            "https://notzoom.us/j/123",
            "https://zoom.us.evil.example/j/123",
            "mailto:jane@zoom.us",
        ];
        for link in links {
            assert!(!is_meeting_link(link), "{link}");
        }
    }

    #[test]
    fn addresses_in_text_lose_the_sentences_punctuation() {
        let text = "Join here: https://zoom.us/j/123?pwd=x. Or (https://meet.google.com/abc-defg-hij), thanks!";
        assert_eq!(
            urls_in(text),
            vec![
                "https://zoom.us/j/123?pwd=x",
                "https://meet.google.com/abc-defg-hij"
            ]
        );
    }

    #[test]
    fn the_first_meeting_link_is_proposed() {
        let links = [
            "https://acme.com/careers",
            "https://meet.google.com/abc-defg-hij",
            "https://zoom.us/j/1",
        ];
        assert_eq!(
            meeting_link(links),
            Some("https://meet.google.com/abc-defg-hij".to_owned())
        );
    }

    #[test]
    fn a_page_key_ignores_scheme_www_query_and_trailing_slash() {
        assert_eq!(
            page_key("https://www.Acme.com/Jobs/123/?utm_source=x#apply"),
            Some("acme.com/jobs/123".to_owned())
        );
        assert_eq!(page_key("not a url"), None);
    }

    #[test]
    fn a_subdomain_is_within_its_domain_and_a_lookalike_is_not() {
        assert!(is_within("us.greenhouse-mail.io", "greenhouse-mail.io"));
        assert!(is_within("greenhouse.io", "greenhouse.io"));
        assert!(!is_within("notgreenhouse.io", "greenhouse.io"));
    }
}
