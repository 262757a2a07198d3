//! Capture: a job posting (its page's HTML, its URL, or pasted text) read
//! into proposed application fields. Nothing is created here; the client
//! shows the fields for review.
//!
//! A field that is not found is `None` — never a guess. The methods are
//! tried in order of how exactly they name a job: schema.org `JobPosting` in
//! JSON-LD, then in microdata, then the page's meta tags and `<title>`, then
//! "Title at Company" on the first lines of pasted text. The first method
//! that finds a posting supplies every field it can; a later method only
//! fills a missing title or company, and only when it reads the same job
//! (the same title, or the same company). Every field comes out within the limits
//! a create accepts, so the client can post the fields as they are: a value
//! that would be refused is left out (a description is cut at its limit).
//!
//! Decisions where the contract leaves room:
//! - `found_by` names the method that gave the title (else the company); it
//!   is `None` when none did. The URL and its source are still given.
//! - A description's list items start with [`LIST_BULLET`] (`- `);
//!   paragraphs are separated by a blank line, other blocks by a line break.
//! - Meta tags give a description (`og:description`, else
//!   `<meta name=description>`) only when they also gave the title: on a page
//!   with structured data that has no description, the meta teaser is not
//!   used. Pasted text gives only a title and company, never a description.
//! - A page title on a job board's page (LinkedIn, Indeed, Glassdoor…) is
//!   taken only when it names the company too; on other sites a title alone
//!   is taken, and the site's `og:site_name` ("Acme Careers" → "Acme") is the
//!   company.
//! - The URL is the posting's own absolute http(s) `url`, else the given URL,
//!   never `og:url`. Only `utm_*` parameters are removed.
//! - A salary of zero, a range whose minimum exceeds its maximum, an unknown
//!   `unitText` and an amount like `120.000` (thousands or decimals?) are
//!   left out; a currency is given only with an amount. Tags are `[]` when
//!   the posting names no employment type.
//! - A `validThrough` with a time but no offset keeps its date as written,
//!   like a date alone.
//! - Several locations longer together than a location may be are left out
//!   rather than cut.
//! - A page so deeply nested that parsing it would take too long is read
//!   only up to that point (see `markup`).

mod headline;
mod json_ld;
mod link;
mod markup;
mod meta;
mod microdata;
mod posting;
mod text;

use serde::Serialize;
use time::Date;

use super::application::{
    WorkMode, DESCRIPTION_MAX, NAME_MAX, SALARY_MAX, TAGS_MAX, TAG_MAX, URL_MAX,
};
use super::currency::is_currency;
use super::fields::{check_characters, Lines};
use super::time::serde_ts;

pub use link::{source_name, without_utm};
pub use text::{html_to_text, LIST_BULLET};

/// What a capture reads: any of the posting's URL, its page's HTML and text
/// the user pasted (or selected).
#[derive(Debug, Clone, Copy, Default)]
pub struct Source<'a> {
    pub url: Option<&'a str>,
    pub html: Option<&'a str>,
    pub text: Option<&'a str>,
}

/// The fields a capture proposes for a new application; `None` (null)
/// where the posting does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CapturedFields {
    pub company: Option<String>,
    pub title: Option<String>,
    pub location: Option<String>,
    pub work_mode: Option<WorkMode>,
    /// Yearly, in whole units of `salary_currency`.
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub salary_currency: Option<String>,
    #[serde(serialize_with = "serde_ts::option_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<Date>,
    pub url: Option<String>,
    pub job_description: Option<String>,
    pub source: Option<String>,
    /// Null when the posting names no employment type (like every field
    /// that is not found), never an empty list.
    #[serde(serialize_with = "empty_as_null")]
    #[schema(value_type = Option<Vec<String>>)]
    pub tags: Vec<String>,
}

fn empty_as_null<S: serde::Serializer>(tags: &[String], s: S) -> Result<S::Ok, S::Error> {
    if tags.is_empty() {
        s.serialize_none()
    } else {
        s.collect_seq(tags)
    }
}

/// How the posting's title (or, without one, its company) was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FoundBy {
    JsonLd,
    Microdata,
    Meta,
    Text,
}

/// The proposed fields, and how they were found: `found_by` is `None` when
/// no method found a title or a company (the URL and its source may still
/// be given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Captured {
    pub fields: CapturedFields,
    pub found_by: Option<FoundBy>,
}

/// Reads a posting. `timezone` is the user's IANA zone: a deadline given as
/// an instant is the date there (UTC when the zone is unknown).
pub fn extract(source: &Source<'_>, timezone: &str) -> Captured {
    let page = source.html.map(markup::document);
    let page = page.as_ref();
    let found = [
        (
            FoundBy::JsonLd,
            page.and_then(|p| json_ld::read(p, timezone)),
        ),
        (
            FoundBy::Microdata,
            page.and_then(|p| microdata::read(p, timezone)),
        ),
        (FoundBy::Meta, page.and_then(meta::read)),
        (FoundBy::Text, pasted_text(source).and_then(from_text)),
    ];
    let (mut fields, found_by) = combine(found);
    fields.url = posting_url(fields.url.as_deref(), source.url);
    fields.source = fields.url.as_deref().and_then(source_name);
    Captured {
        fields: within_limits(fields),
        found_by,
    }
}

/// The text to read "Title at Company" from: the pasted text, or HTML that
/// holds no markup at all (text pasted where a page's source was expected).
fn pasted_text<'a>(source: &Source<'a>) -> Option<&'a str> {
    source
        .text
        .filter(|t| !t.trim().is_empty())
        .or_else(|| source.html.filter(|h| !h.contains('<')))
}

fn from_text(text: &str) -> Option<CapturedFields> {
    let headline = headline::from_text(text)?;
    Some(CapturedFields {
        title: headline.title,
        company: headline.company,
        ..CapturedFields::default()
    })
}

/// The fields of the first method that found a posting, with a missing
/// title or company taken from the next method that has one and agrees on
/// the other (it names no title, or the same one: then it read the same job).
fn combine(found: [(FoundBy, Option<CapturedFields>); 4]) -> (CapturedFields, Option<FoundBy>) {
    let mut found = found
        .into_iter()
        .filter_map(|(by, fields)| fields.map(|f| (by, f)));
    let Some((first, mut fields)) = found.next() else {
        return (CapturedFields::default(), None);
    };
    let mut title_by = fields.title.is_some().then_some(first);
    let mut company_by = fields.company.is_some().then_some(first);
    for (by, later) in found {
        let fills_title = fields.title.is_none() && agree(&fields.company, &later.company);
        let fills_company = fields.company.is_none() && agree(&fields.title, &later.title);
        if let (true, Some(title)) = (fills_title, later.title) {
            fields.title = Some(title);
            title_by = Some(by);
        }
        if let (true, Some(company)) = (fills_company, later.company) {
            fields.company = Some(company);
            company_by = Some(by);
        }
    }
    (fields, title_by.or(company_by))
}

/// Whether two readings of a name can be of the same posting.
fn agree(known: &Option<String>, other: &Option<String>) -> bool {
    match (known, other) {
        (Some(a), Some(b)) => a.to_lowercase() == b.to_lowercase(),
        _ => true,
    }
}

/// The posting's own absolute http(s) link, else the given URL, without
/// `utm_*` parameters.
fn posting_url(own: Option<&str>, given: Option<&str>) -> Option<String> {
    own.and_then(without_utm)
        .or_else(|| given.and_then(without_utm))
}

/// The fields with every value a create would refuse left out, and the
/// description cut to its limit.
fn within_limits(fields: CapturedFields) -> CapturedFields {
    let line = |value: Option<String>, max: usize| value.filter(|v| fits_line(v, max));
    let (salary_min, salary_max) = salary_range(fields.salary_min, fields.salary_max);
    CapturedFields {
        company: line(fields.company, NAME_MAX),
        title: line(fields.title, NAME_MAX),
        location: line(fields.location, NAME_MAX),
        work_mode: fields.work_mode,
        salary_min,
        salary_max,
        salary_currency: fields
            .salary_currency
            .filter(|c| is_currency(c) && (salary_min.is_some() || salary_max.is_some())),
        deadline: fields.deadline.filter(|d| (1..=9999).contains(&d.year())),
        url: line(fields.url, URL_MAX),
        job_description: fields.job_description.and_then(clip_description),
        source: line(fields.source, NAME_MAX),
        tags: tags_within_limits(fields.tags),
    }
}

fn fits_line(value: &str, max: usize) -> bool {
    !value.is_empty()
        && value.trim() == value
        && value.chars().count() <= max
        && check_characters(value, Lines::One).is_ok()
}

fn salary_range(min: Option<i64>, max: Option<i64>) -> (Option<i64>, Option<i64>) {
    let valid = |v: &i64| (1..=SALARY_MAX).contains(v);
    match (min.filter(valid), max.filter(valid)) {
        (Some(lo), Some(hi)) if lo > hi => (None, None),
        range => range,
    }
}

/// At most [`DESCRIPTION_MAX`] characters, no control characters but line
/// breaks and tabs, trimmed.
fn clip_description(text: String) -> Option<String> {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_ascii_control() || matches!(c, '\n' | '\t' | '\u{7f}'))
        .take(DESCRIPTION_MAX)
        .collect();
    let kept = kept.trim();
    (!kept.is_empty()).then(|| kept.to_owned())
}

fn tags_within_limits(tags: Vec<String>) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for tag in tags {
        if fits_line(&tag, TAG_MAX) && !kept.contains(&tag) && kept.len() < TAGS_MAX {
            kept.push(tag);
        }
    }
    kept
}

#[cfg(test)]
mod tests;
