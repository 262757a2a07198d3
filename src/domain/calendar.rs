//! The calendar feed (RFC 5545): interviews as timed events and application
//! deadlines as all-day events. UIDs are stable, SEQUENCE follows the
//! record's version, and a cancelled interview is STATUS:CANCELLED, so
//! calendar apps show updates and cancellations.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use super::interview::{Interview, Outcome};

/// An interview with the application it belongs to.
pub struct InterviewEntry<'a> {
    pub interview: &'a Interview,
    pub company: &'a str,
    pub title: &'a str,
}

/// An application's deadline.
pub struct DeadlineEntry<'a> {
    pub application_id: Uuid,
    pub version: i32,
    pub company: &'a str,
    pub title: &'a str,
    pub deadline: Date,
    pub updated_at: OffsetDateTime,
}

fn utc(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default()
}

fn day(d: Date) -> String {
    d.format(format_description!("[year][month][day]"))
        .unwrap_or_default()
}

/// Text as a calendar may carry it: line breaks of any kind become `\n`
/// (which the writer escapes), other control characters are dropped, so no
/// value can end its line early or start a property of its own.
fn clean(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// A single-line value (a URL, a name): every control character dropped.
fn one_line(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

fn kind_label(i: &Interview) -> String {
    let k = i.fields.kind.as_str().replace('_', " ");
    let mut chars = k.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => k,
    }
}

/// The feed's text.
pub fn feed(
    host: &str,
    interviews: &[InterviewEntry<'_>],
    deadlines: &[DeadlineEntry<'_>],
) -> String {
    let mut cal = Calendar::new();
    cal.name("Job Copilot");
    cal.append_property(Property::new(
        "PRODID",
        "-//Job Copilot//Interviews and deadlines//EN",
    ));
    for e in interviews {
        let i = e.interview;
        let mut ev = Event::with_uid(&format!("interview-{}@{host}", i.id));
        ev.summary(&one_line(&format!(
            "{} interview — {} ({})",
            kind_label(i),
            e.company,
            e.title
        )));
        ev.add_property("DTSTAMP", utc(i.updated_at));
        ev.add_property("LAST-MODIFIED", utc(i.updated_at));
        ev.add_property("DTSTART", utc(i.fields.scheduled_at));
        ev.add_property(
            "DTEND",
            utc(i.fields.scheduled_at + Duration::minutes(i.fields.duration_minutes as i64)),
        );
        ev.add_property("SEQUENCE", (i.version - 1).to_string());
        if let Some(loc) = &i.fields.location {
            ev.location(&clean(loc));
        }
        if let Some(url) = &i.fields.meeting_url {
            ev.url(&one_line(url));
        }
        let mut description = Vec::new();
        if !i.fields.interviewers.is_empty() {
            description.push(format!("With {}", i.fields.interviewers.join(", ")));
        }
        if let Some(url) = &i.fields.meeting_url {
            description.push(format!("Join: {url}"));
        }
        if !description.is_empty() {
            ev.description(&clean(&description.join("\n")));
        }
        ev.status(if i.fields.outcome == Outcome::Cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
        cal.push(ev.done());
    }
    for d in deadlines {
        let mut ev = Event::with_uid(&format!("deadline-{}@{host}", d.application_id));
        ev.summary(&one_line(&format!("Deadline: {} ({})", d.company, d.title)));
        ev.add_property("DTSTAMP", utc(d.updated_at));
        ev.append_property(
            Property::new("DTSTART", day(d.deadline))
                .add_parameter("VALUE", "DATE")
                .done(),
        );
        ev.append_property(
            Property::new("DTEND", day(d.deadline + Duration::days(1)))
                .add_parameter("VALUE", "DATE")
                .done(),
        );
        ev.add_property("SEQUENCE", (d.version - 1).to_string());
        ev.add_property("TRANSP", "TRANSPARENT");
        cal.push(ev.done());
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::interview::{InterviewFields, InterviewKind};
    use time::macros::{date, datetime};

    fn interview(outcome: Outcome, version: i32) -> Interview {
        Interview {
            id: Uuid::from_u128(7),
            application_id: Uuid::from_u128(1),
            fields: InterviewFields {
                kind: InterviewKind::PhoneScreen,
                scheduled_at: datetime!(2026-12-01 10:00 +01:00),
                duration_minutes: 45,
                location: Some("Office; 2nd floor, Berlin".into()),
                meeting_url: Some("https://meet.example.com/x".into()),
                interviewers: vec!["Kim".into()],
                notes: None,
                outcome,
            },
            version,
            created_at: datetime!(2026-11-20 10:00 UTC),
            updated_at: datetime!(2026-11-21 10:00 UTC),
        }
    }

    #[test]
    fn interviews_are_timed_events_with_stable_uids_and_sequences() {
        let iv = interview(Outcome::Scheduled, 3);
        let text = feed(
            "jobs.example.com",
            &[InterviewEntry {
                interview: &iv,
                company: "Acme",
                title: "Dev",
            }],
            &[],
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.contains("VERSION:2.0"));
        assert!(
            text.contains("UID:interview-00000000-0000-0000-0000-000000000007@jobs.example.com")
        );
        assert!(text.contains("DTSTART:20261201T090000Z"));
        assert!(text.contains("DTEND:20261201T094500Z"));
        assert!(text.contains("SEQUENCE:2"));
        assert!(text.contains("SUMMARY:Phone screen interview — Acme (Dev)"));
        assert!(
            text.contains("LOCATION:Office\\; 2nd floor\\, Berlin"),
            "text is escaped: {text}"
        );
        assert!(text.contains("STATUS:CONFIRMED"));
        assert!(text.lines().all(|l| l.len() <= 75 + 1), "lines are folded");
    }

    #[test]
    fn a_cancelled_interview_stays_in_the_feed_as_cancelled() {
        let iv = interview(Outcome::Cancelled, 2);
        let text = feed(
            "h",
            &[InterviewEntry {
                interview: &iv,
                company: "Acme",
                title: "Dev",
            }],
            &[],
        );
        assert!(text.contains("STATUS:CANCELLED"));
    }

    proptest::proptest! {
        /// Whatever the stored text holds (line breaks of every kind,
        /// control characters, "\r\nATTACH:" injections), every line of the
        /// feed is a property of its own or a folded continuation.
        #[test]
        fn no_field_can_break_out_of_its_property(
            company in "(?s).{0,40}",
            title in "(?s).{0,40}",
            location in "(?s).{0,60}",
            url in "(?s).{0,60}",
            person in "(?s).{0,30}",
        ) {
            let mut iv = interview(Outcome::Scheduled, 1);
            iv.fields.location = Some(location);
            iv.fields.meeting_url = Some(url);
            iv.fields.interviewers = vec![person];
            let d = DeadlineEntry {
                application_id: Uuid::from_u128(9),
                version: 1,
                company: &company,
                title: &title,
                deadline: date!(2026 - 12 - 24),
                updated_at: datetime!(2026-11-21 10:00 UTC),
            };
            let text = feed("h", &[InterviewEntry { interview: &iv, company: &company, title: &title }], &[d]);
            proptest::prop_assert!(text.ends_with("\r\n"));
            for line in text.trim_end_matches("\r\n").split("\r\n") {
                proptest::prop_assert!(!line.contains('\r') && !line.contains('\n'), "{line:?}");
                let continued = line.starts_with(' ') || line.starts_with('\t');
                let name: String = line.chars().take_while(|c| c.is_ascii_uppercase() || *c == '-').collect();
                let property = !name.is_empty() && line[name.len()..].starts_with([':', ';']);
                proptest::prop_assert!(continued || property, "{line:?} in {text}");
            }
            proptest::prop_assert_eq!(text.split("\r\n").filter(|l| *l == "BEGIN:VEVENT").count(), 2);
        }
    }

    #[test]
    fn deadlines_are_all_day_events() {
        let d = DeadlineEntry {
            application_id: Uuid::from_u128(9),
            version: 1,
            company: "Acme",
            title: "Dev",
            deadline: date!(2026 - 12 - 24),
            updated_at: datetime!(2026-11-21 10:00 UTC),
        };
        let text = feed("h", &[], &[d]);
        assert!(text.contains("DTSTART;VALUE=DATE:20261224"));
        assert!(text.contains("DTEND;VALUE=DATE:20261225"));
        assert!(text.contains("UID:deadline-00000000-0000-0000-0000-000000000009@h"));
    }
}
