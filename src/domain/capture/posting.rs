//! A schema.org `JobPosting`, from JSON-LD or from microdata (read into the
//! same JSON shape), as proposed fields. Anything of an unexpected shape is
//! left out rather than guessed at.

use std::collections::HashMap;

use serde_json::{Map, Value};
use time::Date;

use super::text::{description_text, one_line};
use super::CapturedFields;
use crate::domain::application::{WorkMode, SALARY_MAX};
use crate::domain::currency::is_currency;

/// Nodes of a JSON-LD document by their `@id`, so that a reference
/// (`"hiringOrganization": {"@id": "#org"}`) reads as the node it names.
#[derive(Debug, Default)]
pub(super) struct Ids<'a>(HashMap<&'a str, &'a Value>);

impl<'a> Ids<'a> {
    /// Remembers a node that has an `@id` and more than the `@id` (the first
    /// such node for an id wins).
    pub(super) fn remember(&mut self, node: &'a Value) {
        if let Some(Value::String(id)) = node.get("@id") {
            if node.as_object().is_some_and(|o| o.len() > 1) {
                self.0.entry(id.as_str()).or_insert(node);
            }
        }
    }

    /// The node `value` refers to when it is a bare reference, else `value`.
    fn resolve<'v>(&self, value: &'v Value) -> &'v Value
    where
        'a: 'v,
    {
        match value {
            Value::Object(o) if o.keys().all(|k| k == "@id" || k == "@type") => o
                .get("@id")
                .and_then(Value::as_str)
                .and_then(|id| self.0.get(id).copied())
                .unwrap_or(value),
            _ => value,
        }
    }
}

/// Whether a node's `@type` is (or includes) `JobPosting`, in any of the
/// spellings in use: `JobPosting`, `schema:JobPosting`,
/// `http://schema.org/JobPosting`.
pub(super) fn is_job_posting(node: &Map<String, Value>) -> bool {
    items(node.get("@type")).into_iter().any(|t| {
        t.as_str().is_some_and(|t| {
            let name = t.rsplit(['/', ':', '#']).next().unwrap_or(t);
            name.trim().eq_ignore_ascii_case("JobPosting")
        })
    })
}

/// The fields one posting states. `url` is the posting's own link as given
/// (checked and cleaned later); `source` is left to the caller.
pub(super) fn read(posting: &Map<String, Value>, ids: &Ids<'_>, timezone: &str) -> CapturedFields {
    let salary = salary(posting, ids);
    CapturedFields {
        company: company(posting.get("hiringOrganization"), ids),
        title: text(posting.get("title")).or_else(|| text(posting.get("name"))),
        location: location(posting.get("jobLocation"), ids),
        work_mode: work_mode(posting.get("jobLocationType")),
        salary_min: salary.min,
        salary_max: salary.max,
        salary_currency: salary.currency,
        deadline: first_str(posting.get("validThrough")).and_then(|s| deadline(s, timezone)),
        url: first_str(posting.get("url")).map(|s| s.trim().to_owned()),
        job_description: first_str(posting.get("description")).and_then(description_text),
        source: None,
        tags: employment_tags(posting.get("employmentType")),
    }
}

/// A value and, when it is an array, each of its elements.
fn items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(values)) => values.iter().collect(),
        Some(value) => vec![value],
        None => Vec::new(),
    }
}

/// The first string a value holds: itself, an array's first string, or a
/// language-tagged `{"@value": …}`.
fn first_str(value: Option<&Value>) -> Option<&str> {
    match value? {
        Value::String(s) => Some(s),
        Value::Array(values) => values.iter().find_map(|v| first_str(Some(v))),
        Value::Object(o) => first_str(o.get("@value")),
        _ => None,
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    first_str(value).and_then(one_line)
}

/// A thing's name: a string, or an object's `name`.
fn name(value: &Value, ids: &Ids<'_>) -> Option<String> {
    match ids.resolve(value) {
        Value::Object(o) => text(o.get("name")).or_else(|| text(o.get("@value"))),
        Value::Array(values) => values.iter().find_map(|v| name(v, ids)),
        other => text(Some(other)),
    }
}

fn company(organization: Option<&Value>, ids: &Ids<'_>) -> Option<String> {
    items(organization).into_iter().find_map(|o| {
        let o = ids.resolve(o);
        name(o, ids).or_else(|| o.get("legalName").and_then(|n| text(Some(n))))
    })
}

/// Every place as "Locality, Region, Country" (as many of the three as are
/// given), several joined with `; `.
fn location(places: Option<&Value>, ids: &Ids<'_>) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for place in items(places) {
        if let Some(place) = place_text(ids.resolve(place), ids) {
            if !found.contains(&place) {
                found.push(place);
            }
        }
    }
    (!found.is_empty()).then(|| found.join("; "))
}

fn place_text(place: &Value, ids: &Ids<'_>) -> Option<String> {
    match place {
        Value::String(s) => one_line(s),
        Value::Object(o) => match o.get("address") {
            Some(address) => address_text(ids.resolve(address), ids),
            // A PostalAddress given directly as the job's location.
            None => address_text(place, ids),
        },
        _ => None,
    }
}

fn address_text(address: &Value, ids: &Ids<'_>) -> Option<String> {
    match address {
        Value::String(s) => one_line(s),
        Value::Array(values) => values
            .iter()
            .find_map(|v| address_text(ids.resolve(v), ids)),
        Value::Object(o) => {
            let parts: Vec<String> = ["addressLocality", "addressRegion", "addressCountry"]
                .iter()
                .filter_map(|key| o.get(*key).and_then(|v| name(v, ids)))
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

/// Remote when `jobLocationType` is `TELECOMMUTE`; nothing else is inferred.
fn work_mode(location_type: Option<&Value>) -> Option<WorkMode> {
    items(location_type)
        .into_iter()
        .filter_map(|v| first_str(Some(v)))
        .any(|t| {
            let t = t.rsplit('/').next().unwrap_or(t);
            t.trim().eq_ignore_ascii_case("TELECOMMUTE")
        })
        .then_some(WorkMode::Remote)
}

/// A yearly salary range in whole units of its currency.
#[derive(Debug, Default, PartialEq, Eq)]
struct Salary {
    min: Option<i64>,
    max: Option<i64>,
    currency: Option<String>,
}

fn salary<'v>(posting: &'v Map<String, Value>, ids: &Ids<'v>) -> Salary {
    let Some(base) = items(posting.get("baseSalary"))
        .first()
        .map(|v| ids.resolve(v))
    else {
        return Salary::default();
    };
    let (low, high, unit, currency) = match base {
        Value::Object(amount) => {
            let (low, high, unit) = amount_range(amount, ids);
            (low, high, unit, first_str(amount.get("currency")))
        }
        // A bare amount: yearly, in the posting's salaryCurrency.
        other => (number(other), number(other), None, None),
    };
    let Some(factor) = yearly_factor(unit) else {
        return Salary::default();
    };
    let min = low.and_then(|v| yearly(v, factor));
    let max = high.and_then(|v| yearly(v, factor));
    if matches!((min, max), (Some(lo), Some(hi)) if lo > hi) || (min.is_none() && max.is_none()) {
        return Salary::default();
    }
    let currency = currency
        .or_else(|| first_str(posting.get("salaryCurrency")))
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| is_currency(c));
    Salary { min, max, currency }
}

/// `(low, high, unitText)` of a MonetaryAmount: from its `value` (a number,
/// or a QuantitativeValue with `minValue`/`maxValue` or `value`), else from
/// its own `minValue`/`maxValue`. The unit is the QuantitativeValue's, else
/// the MonetaryAmount's.
fn amount_range<'v>(
    amount: &'v Map<String, Value>,
    ids: &Ids<'v>,
) -> (Option<f64>, Option<f64>, Option<&'v str>) {
    let outer_unit = first_str(amount.get("unitText"));
    let range = |o: &Map<String, Value>| {
        let (min, max) = (number_of(o.get("minValue")), number_of(o.get("maxValue")));
        if min.is_some() || max.is_some() {
            (min, max)
        } else {
            let v = number_of(o.get("value"));
            (v, v)
        }
    };
    match amount.get("value").map(|v| ids.resolve(v)) {
        Some(Value::Object(quantity)) => {
            let (min, max) = range(quantity);
            let unit = first_str(quantity.get("unitText")).or(outer_unit);
            (min, max, unit)
        }
        Some(value) => (number(value), number(value), outer_unit),
        None => {
            let (min, max) = range(amount);
            (min, max, outer_unit)
        }
    }
}

fn number_of(value: Option<&Value>) -> Option<f64> {
    value.and_then(number)
}

/// A number, or a string holding one: `120000`, `120000.50`, `120,000`.
/// `120.000` is refused: it may mean a hundred and twenty thousand.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_amount(s),
        Value::Array(values) => values.first().and_then(number),
        Value::Object(o) => number_of(o.get("@value")),
        _ => None,
    }
}

fn parse_amount(s: &str) -> Option<f64> {
    let s = s.trim();
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    if !fraction.chars().all(|c| c.is_ascii_digit()) || fraction.len() == 3 {
        return None;
    }
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let grouped = whole.contains(',');
    let first_ok = !first.is_empty()
        && first.chars().all(|c| c.is_ascii_digit())
        && (!grouped || first.len() <= 3);
    let rest_ok = groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
    if !first_ok || !rest_ok {
        return None;
    }
    format!("{}.{}", whole.replace(',', ""), fraction)
        .trim_end_matches('.')
        .parse()
        .ok()
}

/// What one unit of `unitText` is worth in a year; no unit means a year, a
/// unit not known means the salary is not read.
fn yearly_factor(unit: Option<&str>) -> Option<f64> {
    let unit: String = unit
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase();
    let unit = unit.strip_prefix("PER").unwrap_or(&unit);
    match unit {
        "" | "YEAR" | "YEARLY" | "ANNUAL" | "ANNUALLY" | "ANNUM" | "YR" => Some(1.0),
        "MONTH" | "MONTHLY" => Some(12.0),
        "WEEK" | "WEEKLY" => Some(52.0),
        "DAY" | "DAILY" => Some(260.0),
        "HOUR" | "HOURLY" | "HR" => Some(2_080.0),
        _ => None,
    }
}

/// A positive amount times `factor`, rounded to a whole unit; `None` when it
/// is not positive or beyond any real salary.
fn yearly(amount: f64, factor: f64) -> Option<i64> {
    let total = (amount * factor).round();
    // Bounded above by SALARY_MAX, so the cast cannot truncate.
    (total.is_finite() && total > 0.0 && total <= SALARY_MAX as f64).then_some(total as i64)
}

/// The date of `validThrough` in the user's time zone (UTC when the zone is
/// unknown). A date alone, or a date and time without an offset, keeps the
/// date as written.
fn deadline(raw: &str, timezone: &str) -> Option<Date> {
    let raw = raw.trim();
    let date = if let Ok(instant) = raw.parse::<jiff::Timestamp>() {
        let zone = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        instant.to_zoned(zone).date()
    } else if let Ok(local) = raw.parse::<jiff::civil::DateTime>() {
        local.date()
    } else {
        raw.parse::<jiff::civil::Date>().ok()?
    };
    if !(1..=9999).contains(&date.year()) {
        return None;
    }
    let month = time::Month::try_from(date.month() as u8).ok()?;
    Date::from_calendar_date(date.year().into(), month, date.day() as u8).ok()
}

/// `employmentType` values (a string, an array, or a comma-separated list)
/// as tags: `FULL_TIME` and `Full time` both become `full-time`.
fn employment_tags(types: Option<&Value>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let values = items(types).into_iter().filter_map(|v| first_str(Some(v)));
    for tag in values.flat_map(|v| v.split(',')).map(tag_name) {
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

fn tag_name(raw: &str) -> String {
    let mut tag = String::new();
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        if c == '_' || c == '-' || c.is_whitespace() {
            if !tag.is_empty() && !tag.ends_with('-') {
                tag.push('-');
            }
        } else if !c.is_control() {
            tag.push(c);
        }
    }
    tag.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    fn read_json(posting: Value) -> CapturedFields {
        let ids = Ids::default();
        read(posting.as_object().expect("an object"), &ids, "UTC")
    }

    fn salary_of(base: Value) -> (Option<i64>, Option<i64>, Option<String>) {
        let f = read_json(json!({"@type": "JobPosting", "baseSalary": base}));
        (f.salary_min, f.salary_max, f.salary_currency)
    }

    #[test]
    fn job_posting_types_are_recognised_in_every_spelling() {
        for t in [
            json!("JobPosting"),
            json!("schema:JobPosting"),
            json!("http://schema.org/JobPosting"),
            json!(["Thing", "JobPosting"]),
        ] {
            assert!(is_job_posting(
                json!({"@type": t}).as_object().expect("object")
            ));
        }
        assert!(!is_job_posting(
            json!({"@type": "BreadcrumbList"})
                .as_object()
                .expect("object")
        ));
    }

    #[test]
    fn salaries_become_yearly_whole_amounts() {
        let hourly = json!({"@type": "MonetaryAmount", "currency": "usd",
            "value": {"@type": "QuantitativeValue", "minValue": 45.5, "maxValue": "55", "unitText": "HOUR"}});
        assert_eq!(
            salary_of(hourly),
            (Some(94_640), Some(114_400), Some("USD".into()))
        );
        let monthly_outer_unit = json!({"currency": "EUR", "unitText": "MONTH",
            "value": {"minValue": 4000, "maxValue": 5000}});
        assert_eq!(
            salary_of(monthly_outer_unit),
            (Some(48_000), Some(60_000), Some("EUR".into()))
        );
        let single = json!({"currency": "GBP", "value": "120,000"});
        assert_eq!(
            salary_of(single),
            (Some(120_000), Some(120_000), Some("GBP".into()))
        );
        let weekly_value = json!({"currency": "CAD", "value": {"value": 1000, "unitText": "WEEK"}});
        assert_eq!(
            salary_of(weekly_value),
            (Some(52_000), Some(52_000), Some("CAD".into()))
        );
        let daily = json!({"currency": "CHF", "value": {"minValue": 500.5, "unitText": "DAY"}});
        assert_eq!(salary_of(daily), (Some(130_130), None, Some("CHF".into())));
    }

    #[test]
    fn doubtful_salaries_are_left_out() {
        let cases = [
            json!({"currency": "USD", "value": {"minValue": 200, "maxValue": 100}}),
            json!({"currency": "USD", "value": {"minValue": 0, "maxValue": 0}}),
            json!({"currency": "USD", "value": {"value": 10, "unitText": "PIECE"}}),
            json!({"currency": "EUR", "value": "120.000"}),
            json!({"currency": "USD", "value": "competitive"}),
            json!({"currency": "USD", "value": -5}),
            json!({"currency": "USD", "value": 1e300}),
        ];
        for base in cases {
            assert_eq!(salary_of(base.clone()), (None, None, None), "{base}");
        }
        let made_up_currency = json!({"currency": "XYZ", "value": 100000});
        assert_eq!(
            salary_of(made_up_currency),
            (Some(100_000), Some(100_000), None)
        );
    }

    #[test]
    fn the_posting_currency_is_used_when_the_amount_names_none() {
        let f = read_json(
            json!({"baseSalary": {"value": {"minValue": 1, "maxValue": 2}}, "salaryCurrency": "JPY"}),
        );
        assert_eq!(f.salary_currency.as_deref(), Some("JPY"));
    }

    #[test]
    fn a_deadline_is_the_date_in_the_users_time_zone() {
        let instant = "2026-06-30T20:00:00Z";
        assert_eq!(
            deadline(instant, "Pacific/Auckland"),
            Some(date!(2026 - 07 - 01))
        );
        assert_eq!(
            deadline(instant, "America/Los_Angeles"),
            Some(date!(2026 - 06 - 30))
        );
        assert_eq!(deadline(instant, "Not/AZone"), Some(date!(2026 - 06 - 30)));
        for zone in ["Pacific/Auckland", "America/Los_Angeles", "UTC"] {
            assert_eq!(deadline("2026-12-31", zone), Some(date!(2026 - 12 - 31)));
            assert_eq!(
                deadline("2026-12-31T23:59:59", zone),
                Some(date!(2026 - 12 - 31))
            );
        }
        assert_eq!(
            deadline("2026-12-31T23:59:59-08:00", "Europe/Berlin"),
            Some(date!(2027 - 01 - 01))
        );
        assert_eq!(deadline("31/12/2026", "UTC"), None);
        assert_eq!(deadline("soon", "UTC"), None);
    }

    #[test]
    fn locations_join_locality_region_and_country_and_skip_what_is_missing() {
        let f = read_json(json!({"jobLocation": [
            {"@type": "Place", "address": {"addressLocality": "Berlin", "addressCountry": {"@type": "Country", "name": "DE"}}},
            {"@type": "Place", "address": {"addressLocality": "Austin", "addressRegion": "TX", "addressCountry": "US"}},
            {"@type": "Place", "address": "Remote, Europe"},
            {"@type": "Place", "geo": {"latitude": 1}},
            {"@type": "Place", "address": {"addressLocality": "Berlin", "addressCountry": "DE"}}
        ]}));
        assert_eq!(
            f.location.as_deref(),
            Some("Berlin, DE; Austin, TX, US; Remote, Europe")
        );
    }

    #[test]
    fn references_by_id_read_as_the_node_they_name() {
        let org = json!({"@id": "#org", "@type": "Organization", "name": "Acme"});
        let mut ids = Ids::default();
        ids.remember(&org);
        let posting = json!({"hiringOrganization": {"@id": "#org"}});
        let f = read(posting.as_object().expect("object"), &ids, "UTC");
        assert_eq!(f.company.as_deref(), Some("Acme"));
    }

    #[test]
    fn employment_types_become_tags() {
        let f = read_json(
            json!({"employmentType": ["FULL_TIME", "Full-time", "Contractor, PER_DIEM", " "]}),
        );
        assert_eq!(f.tags, ["full-time", "contractor", "per-diem"]);
    }

    #[test]
    fn only_telecommute_means_remote() {
        assert_eq!(
            read_json(json!({"jobLocationType": "telecommute"})).work_mode,
            Some(WorkMode::Remote)
        );
        assert_eq!(
            read_json(json!({"jobLocationType": ["TELECOMMUTE"]})).work_mode,
            Some(WorkMode::Remote)
        );
        assert_eq!(
            read_json(json!({"jobLocationType": "ONSITE"})).work_mode,
            None
        );
    }
}
