//! The applications list: its filters and sorts, and a page of it computed
//! from applications held in memory (the user's working set).
//!
//! The order is the contract's: the sort value (text sorts compare the
//! lower-cased value, code point by code point), NULLs last in both
//! directions, then the id. A page continues after the sort value and id of
//! the previous page's last row, written as PostgreSQL writes the value, so
//! a cursor means the same to this code and to the SQL list.

use std::cmp::Ordering;

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use super::application::{Application, WorkMode};
use super::pipeline::Status;

/// PostgreSQL's text form of a date.
pub const DATE_FORM: &[FormatItem<'_>] = format_description!("[year]-[month]-[day]");
/// PostgreSQL's text form of a `timestamptz` (ISO style, any session time zone).
pub const TIMESTAMPTZ_FORM: &[FormatItem<'_>] = format_description!(
    "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory][optional [:[offset_minute]]]"
);

/// Whether a cursor's text sort value is one a list can hold (no NUL, at
/// most 1,000 characters): anything else is a crafted cursor.
pub fn text_fits(value: &str) -> bool {
    !value.contains('\0') && value.chars().count() <= 1_000
}

/// What an application list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    UpdatedAt,
    CreatedAt,
    AppliedOn,
    Company,
    PriorityScore,
    Deadline,
}

impl SortKey {
    pub const CHOICES: [(&'static str, SortKey); 6] = [
        ("updated_at", SortKey::UpdatedAt),
        ("created_at", SortKey::CreatedAt),
        ("applied_on", SortKey::AppliedOn),
        ("company", SortKey::Company),
        ("priority_score", SortKey::PriorityScore),
        ("deadline", SortKey::Deadline),
    ];

    /// An application's value for this sort (None: NULL).
    fn value(self, a: &Application) -> Option<Value> {
        match self {
            SortKey::UpdatedAt => Some(Value::Time(a.updated_at)),
            SortKey::CreatedAt => Some(Value::Time(a.created_at)),
            SortKey::AppliedOn => a.fields.applied_on.map(Value::Day),
            SortKey::Company => Some(Value::Text(a.fields.company.to_lowercase())),
            SortKey::PriorityScore => Some(Value::Score(a.priority_score)),
            SortKey::Deadline => a.fields.deadline.map(Value::Day),
        }
    }

    /// A cursor's text value read back (None: not this sort's form).
    fn parse(self, text: &str) -> Option<Value> {
        match self {
            SortKey::UpdatedAt | SortKey::CreatedAt => {
                OffsetDateTime::parse(text, TIMESTAMPTZ_FORM)
                    .ok()
                    .map(Value::Time)
            }
            SortKey::AppliedOn | SortKey::Deadline => {
                Date::parse(text, DATE_FORM).ok().map(Value::Day)
            }
            SortKey::Company => text_fits(text).then(|| Value::Text(text.to_owned())),
            SortKey::PriorityScore => text.parse().ok().map(Value::Score),
        }
    }
}

/// A sort value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Time(OffsetDateTime),
    Day(Date),
    Score(i16),
    Text(String),
}

impl Value {
    /// The value as PostgreSQL writes it (`::text`, time zone UTC).
    fn text(&self) -> String {
        match self {
            Value::Time(t) => {
                let t = t.to_offset(UtcOffset::UTC);
                let mut s = format!(
                    "{} {:02}:{:02}:{:02}",
                    t.date().format(DATE_FORM).unwrap_or_default(),
                    t.hour(),
                    t.minute(),
                    t.second()
                );
                let micros = t.microsecond();
                if micros != 0 {
                    let fraction = format!(".{micros:06}");
                    s.push_str(fraction.trim_end_matches('0'));
                }
                s.push_str("+00");
                s
            }
            Value::Day(d) => d.format(DATE_FORM).unwrap_or_default(),
            Value::Score(s) => s.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
}

/// A sort: a key and a direction (`-key` is descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            key: SortKey::UpdatedAt,
            descending: true,
        }
    }
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        SortKey::CHOICES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, key)| Sort {
                key: *key,
                descending,
            })
    }

    pub fn as_string(&self) -> String {
        let name = SortKey::CHOICES
            .iter()
            .find(|(_, k)| *k == self.key)
            .map(|(n, _)| *n)
            .unwrap_or("");
        format!("{}{name}", if self.descending { "-" } else { "" })
    }

    /// The list's order of two rows (value, id): NULLs last either way.
    fn order(&self, a: (&Option<Value>, Uuid), b: (&Option<Value>, Uuid)) -> Ordering {
        let ordered = match (a.0, b.0) {
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (x, y) => x.cmp(y).then(a.1.cmp(&b.1)),
        };
        if self.descending {
            ordered.reverse()
        } else {
            ordered
        }
    }
}

/// An application list request.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub statuses: Vec<Status>,
    pub work_modes: Vec<WorkMode>,
    pub tags: Vec<String>,
    pub q: Option<String>,
    pub sort: Sort,
    pub limit: usize,
    pub cursor: Option<String>,
}

impl ListQuery {
    /// Whether an application passes the filters (all but the search).
    pub fn admits(&self, a: &Application) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&a.fields.status))
            && (self.work_modes.is_empty()
                || a.fields
                    .work_mode
                    .is_some_and(|m| self.work_modes.contains(&m)))
            && self.tags.iter().all(|t| a.fields.tags.contains(t))
    }
}

/// Where the previous page ended: its last row's sort value as text
/// (None: NULL) and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub value: Option<String>,
    pub id: Uuid,
}

/// The cursor's value is not of its sort's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadValue;

/// One page of `apps`: those that pass the filters and, when there is a
/// search, whose id is among `matches` (sorted ascending), in the sort's
/// order after `after`; at most `limit`. With it, where the page ended when
/// more rows follow (for the next cursor).
pub fn page<'a>(
    apps: impl Iterator<Item = &'a Application>,
    query: &ListQuery,
    matches: Option<&[Uuid]>,
    after: Option<&After>,
) -> Result<(Vec<&'a Application>, Option<After>), BadValue> {
    let sort = query.sort;
    let after = match after {
        None => None,
        Some(a) => Some((
            match &a.value {
                None => None,
                Some(text) => Some(sort.key.parse(text).ok_or(BadValue)?),
            },
            a.id,
        )),
    };
    let mut rows: Vec<(Option<Value>, &Application)> = apps
        .filter(|a| query.admits(a))
        .filter(|a| matches.is_none_or(|m| m.binary_search(&a.id).is_ok()))
        .map(|a| (sort.key.value(a), a))
        .filter(|(v, a)| match &after {
            None => true,
            Some((av, aid)) => sort.order((v, a.id), (av, *aid)) == Ordering::Greater,
        })
        .collect();
    let cmp = |x: &(Option<Value>, &Application), y: &(Option<Value>, &Application)| {
        sort.order((&x.0, x.1.id), (&y.0, y.1.id))
    };
    let more = rows.len() > query.limit;
    if more {
        rows.select_nth_unstable_by(query.limit, cmp);
        rows.truncate(query.limit);
    }
    rows.sort_unstable_by(cmp);
    let end = if more {
        rows.last().map(|(v, a)| After {
            value: v.as_ref().map(Value::text),
            id: a.id,
        })
    } else {
        None
    };
    Ok((rows.into_iter().map(|(_, a)| a).collect(), end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::application::example;

    fn app(company: &str, applied: Option<Date>, score: i16) -> Application {
        let mut a = example();
        a.id = Uuid::now_v7();
        a.fields.company = company.into();
        a.fields.applied_on = applied;
        a.priority_score = score;
        a
    }

    #[test]
    fn sorts_parse_with_an_optional_minus() {
        assert_eq!(
            Sort::parse("-company"),
            Some(Sort {
                key: SortKey::Company,
                descending: true
            })
        );
        assert_eq!(
            Sort::parse("deadline").map(|s| s.as_string()),
            Some("deadline".into())
        );
        assert_eq!(Sort::parse("salary"), None);
    }

    #[test]
    fn times_are_written_as_postgresql_writes_them() {
        let t = time::macros::datetime!(2026-11-30 06:18:03.123400 +01:00);
        assert_eq!(Value::Time(t).text(), "2026-11-30 05:18:03.1234+00");
        let whole = time::macros::datetime!(2026-11-30 06:18:03 UTC);
        assert_eq!(Value::Time(whole).text(), "2026-11-30 06:18:03+00");
        assert_eq!(
            SortKey::UpdatedAt.parse("2026-11-30 05:18:03.1234+00"),
            Some(Value::Time(t))
        );
        assert_eq!(SortKey::PriorityScore.parse("99999"), None);
    }

    /// Every page of every sort, both ways, read with the cursors: each
    /// application once, in the order of one sort of the whole.
    #[test]
    fn pages_walk_the_whole_order_once() {
        let day = |d: u8| Date::from_calendar_date(2026, time::Month::March, d).ok();
        let apps: Vec<Application> = (0..23u8)
            .map(|i| {
                app(
                    ["beta", "Alpha", "alpha", "Ünique", "zeta"][usize::from(i % 5)],
                    if i % 3 == 0 { None } else { day(1 + i % 4) },
                    i16::from(i % 4),
                )
            })
            .collect();
        for (name, _) in SortKey::CHOICES {
            for dir in ["", "-"] {
                let sort = Sort::parse(&format!("{dir}{name}")).unwrap();
                let query = ListQuery {
                    sort,
                    limit: 4,
                    ..Default::default()
                };
                let mut whole: Vec<&Application> = apps.iter().collect();
                whole.sort_by(|x, y| {
                    sort.order((&sort.key.value(x), x.id), (&sort.key.value(y), y.id))
                });
                let mut seen = Vec::new();
                let mut after = None;
                loop {
                    let (items, end) = page(apps.iter(), &query, None, after.as_ref()).unwrap();
                    seen.extend(items.iter().map(|a| a.id));
                    // A cursor's value goes through its text.
                    match end {
                        Some(e) => after = Some(e),
                        None => break,
                    }
                }
                let expected: Vec<Uuid> = whole.iter().map(|a| a.id).collect();
                assert_eq!(seen, expected, "sort {dir}{name}");
                // NULLs last in both directions.
                if matches!(sort.key, SortKey::AppliedOn) {
                    let last = whole.last().unwrap();
                    assert!(last.fields.applied_on.is_none(), "{dir}{name}");
                }
            }
        }
    }

    #[test]
    fn filters_and_matches_narrow_the_page() {
        let mut remote = app("acme", None, 1);
        remote.fields.work_mode = Some(WorkMode::Remote);
        remote.fields.tags = vec!["rust".into(), "berlin".into()].into();
        let mut other = app("other", None, 1);
        other.fields.work_mode = None;
        let apps = [remote.clone(), other.clone()];
        let q = |f: &dyn Fn(&mut ListQuery)| {
            let mut query = ListQuery {
                limit: 10,
                ..Default::default()
            };
            f(&mut query);
            let (items, _) = page(apps.iter(), &query, None, None).unwrap();
            items.iter().map(|a| a.id).collect::<Vec<_>>()
        };
        assert_eq!(
            q(&|l| l.work_modes = vec![WorkMode::Remote]),
            vec![remote.id]
        );
        assert_eq!(q(&|l| l.tags = vec!["rust".into()]), vec![remote.id]);
        assert_eq!(
            q(&|l| l.tags = vec!["rust".into(), "go".into()]),
            Vec::<Uuid>::new()
        );
        let only = [other.id];
        let query = ListQuery {
            limit: 10,
            ..Default::default()
        };
        let (items, end) = page(apps.iter(), &query, Some(&only), None).unwrap();
        assert_eq!(items.iter().map(|a| a.id).collect::<Vec<_>>(), only);
        assert_eq!(end, None);
    }

    #[test]
    fn a_cursor_value_of_another_form_is_refused() {
        let apps = [app("acme", None, 1)];
        let query = ListQuery {
            limit: 10,
            ..Default::default()
        };
        let after = After {
            value: Some("not a time".into()),
            id: Uuid::nil(),
        };
        assert_eq!(
            page(apps.iter(), &query, None, Some(&after)).map(|(i, _)| i.len()),
            Err(BadValue)
        );
    }
}
