//! A page's meta tags and `<title>`: Open Graph and Twitter cards, which
//! name a job less exactly than structured data.

use scraper::{ElementRef, Html};

use super::headline::{from_page_title, Headline};
use super::text::description_text;
use super::CapturedFields;

const HTML_NAMESPACE: &str = "http://www.w3.org/1999/xhtml";

/// The meta tags capture reads, each the first of its kind on the page.
#[derive(Debug, Default)]
struct MetaTags {
    og_title: Option<String>,
    twitter_title: Option<String>,
    title: Option<String>,
    site_name: Option<String>,
    og_description: Option<String>,
    description: Option<String>,
    twitter_description: Option<String>,
}

/// Title and company from the page's titles, and its meta description as
/// the job description. `None` unless a job title is found.
pub(super) fn read(page: &Html) -> Option<CapturedFields> {
    let tags = MetaTags::read(page);
    let headline = tags.headline();
    headline.title.as_ref()?;
    let description = [
        &tags.og_description,
        &tags.description,
        &tags.twitter_description,
    ]
    .into_iter()
    .flatten()
    .find_map(|d| description_text(d));
    Some(CapturedFields {
        title: headline.title,
        company: headline.company,
        job_description: description,
        ..CapturedFields::default()
    })
}

impl MetaTags {
    fn read(page: &Html) -> MetaTags {
        let mut tags = MetaTags::default();
        for element in page.root_element().descendent_elements() {
            match element.value().name() {
                "meta" => tags.remember(element),
                "title" if is_html(element) && tags.title.is_none() => {
                    tags.title = Some(element.text().collect());
                }
                _ => {}
            }
        }
        tags
    }

    fn remember(&mut self, meta: ElementRef<'_>) {
        let Some(content) = meta.attr("content") else {
            return;
        };
        let Some(name) = meta.attr("property").or_else(|| meta.attr("name")) else {
            return;
        };
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "og:title" => &mut self.og_title,
            "twitter:title" => &mut self.twitter_title,
            "og:site_name" => &mut self.site_name,
            "og:description" => &mut self.og_description,
            "description" => &mut self.description,
            "twitter:description" => &mut self.twitter_description,
            _ => return,
        };
        if slot.is_none() && !content.trim().is_empty() {
            *slot = Some(content.to_owned());
        }
    }

    /// The first page title that names both a job and a company, else the
    /// first that names a job.
    fn headline(&self) -> Headline {
        let site = self.site_name.as_deref();
        let candidates: Vec<Headline> = [&self.og_title, &self.twitter_title, &self.title]
            .into_iter()
            .flatten()
            .map(|t| from_page_title(t, site))
            .filter(|h| h.title.is_some())
            .collect();
        let complete = candidates.iter().position(|h| h.company.is_some());
        let chosen = complete.or((!candidates.is_empty()).then_some(0));
        chosen
            .and_then(|i| candidates.into_iter().nth(i))
            .unwrap_or_default()
    }
}

/// An HTML `<title>`, not an SVG one inside the page.
fn is_html(element: ElementRef<'_>) -> bool {
    &*element.value().name.ns == HTML_NAMESPACE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_with_a_company_wins_over_one_without() {
        let page = Html::parse_document(
            r#"<head><meta property="og:title" content="Senior Engineer">
               <meta property="og:site_name" content="LinkedIn">
               <title>Senior Engineer - Acme | LinkedIn</title>
               <meta name="description" content="Acme is hiring.">
               <meta property="og:description" content="Join Acme &amp; build."></head>"#,
        );
        let found = read(&page).expect("a title");
        assert_eq!(found.title.as_deref(), Some("Senior Engineer"));
        assert_eq!(found.company.as_deref(), Some("Acme"));
        assert_eq!(found.job_description.as_deref(), Some("Join Acme & build."));
    }

    #[test]
    fn a_page_without_a_job_title_gives_nothing() {
        let page = Html::parse_document(
            r#"<head><title>Careers</title><meta property="og:site_name" content="Acme"></head>
               <body><svg><title>Senior Engineer at Acme</title></svg></body>"#,
        );
        assert!(read(&page).is_none());
    }
}
