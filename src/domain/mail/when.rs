//! An interview's time as a mail's text states it: only when it is stated
//! unambiguously — a date, a clock time and a time zone together
//! ("Tuesday, March 10 at 2:00 PM PST", "10. März um 14:00 Uhr MEZ"),
//! and every such statement in the mail naming the same instant (a mail
//! offering three slots states none).
//!
//! - A zone abbreviation is its fixed offset (PST = UTC−8 even in July);
//!   "Pacific Time", "ET" and a city's time follow that place's daylight
//!   saving; `UTC+2`/`GMT-08:00` are offsets; "your time" is the user's zone.
//!   The US short forms (PT, ET, CT, MT) count only in capitals.
//! - A date without a year is the next such date on or after the mail's
//!   date, read in the stated zone; a weekday alone ("on Tuesday") the next
//!   such weekday after it; "today" and "tomorrow" count from the mail's
//!   date. Without the mail's date only a date with its year is read.
//! - A weekday that contradicts its date, a date that does not exist, a
//!   local time skipped or repeated by a clock change, or an explicit date
//!   before the mail's own day state nothing.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// Zone abbreviations and their fixed offsets in minutes.
pub const ABBREVIATIONS: &[(&str, i32)] = &[
    ("PST", -8 * 60),
    ("PDT", -7 * 60),
    ("MST", -7 * 60),
    ("MDT", -6 * 60),
    ("CST", -6 * 60),
    ("CDT", -5 * 60),
    ("EST", -5 * 60),
    ("EDT", -4 * 60),
    ("AKST", -9 * 60),
    ("AKDT", -8 * 60),
    ("HST", -10 * 60),
    ("BRT", -3 * 60),
    ("GMT", 0),
    ("UTC", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("MEZ", 60),
    ("CEST", 2 * 60),
    ("MESZ", 2 * 60),
    ("EET", 2 * 60),
    ("EEST", 3 * 60),
    ("MSK", 3 * 60),
    ("IST", 5 * 60 + 30),
    ("SGT", 8 * 60),
    ("HKT", 8 * 60),
    ("AWST", 8 * 60),
    ("JST", 9 * 60),
    ("KST", 9 * 60),
    ("ACST", 9 * 60 + 30),
    ("AEST", 10 * 60),
    ("AEDT", 11 * 60),
    ("NZST", 12 * 60),
    ("NZDT", 13 * 60),
];

/// Zones named by a region or a city, which keep their daylight saving.
pub const NAMED_ZONES: &[(&str, &str)] = &[
    ("PT", "America/Los_Angeles"),
    ("ET", "America/New_York"),
    ("CT", "America/Chicago"),
    ("MT", "America/Denver"),
    ("pacific time", "America/Los_Angeles"),
    ("pacific", "America/Los_Angeles"),
    ("eastern time", "America/New_York"),
    ("eastern", "America/New_York"),
    ("central time", "America/Chicago"),
    ("mountain time", "America/Denver"),
    ("central european time", "Europe/Berlin"),
    ("central european summer time", "Europe/Berlin"),
    ("british time", "Europe/London"),
    ("uk time", "Europe/London"),
    ("greenwich mean time", "UTC"),
    ("india standard time", "Asia/Kolkata"),
    ("london time", "Europe/London"),
    ("dublin time", "Europe/Dublin"),
    ("lisbon time", "Europe/Lisbon"),
    ("berlin time", "Europe/Berlin"),
    ("paris time", "Europe/Paris"),
    ("amsterdam time", "Europe/Amsterdam"),
    ("madrid time", "Europe/Madrid"),
    ("zurich time", "Europe/Zurich"),
    ("new york time", "America/New_York"),
    ("toronto time", "America/Toronto"),
    ("chicago time", "America/Chicago"),
    ("seattle time", "America/Los_Angeles"),
    ("san francisco time", "America/Los_Angeles"),
    ("los angeles time", "America/Los_Angeles"),
    ("singapore time", "Asia/Singapore"),
    ("tokyo time", "Asia/Tokyo"),
    ("sydney time", "Australia/Sydney"),
];

/// Month names (English, German, French) and abbreviations.
const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("jan", 1),
    ("januar", 1),
    ("jänner", 1),
    ("janvier", 1),
    ("february", 2),
    ("feb", 2),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("march", 3),
    ("mar", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mars", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("may", 5),
    ("mai", 5),
    ("june", 6),
    ("jun", 6),
    ("juni", 6),
    ("juin", 6),
    ("july", 7),
    ("jul", 7),
    ("juli", 7),
    ("juillet", 7),
    ("august", 8),
    ("aug", 8),
    ("août", 8),
    ("aout", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("septembre", 9),
    ("october", 10),
    ("oct", 10),
    ("oktober", 10),
    ("octobre", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("december", 12),
    ("dec", 12),
    ("dezember", 12),
    ("décembre", 12),
    ("decembre", 12),
];

/// Weekday names (English, German, French) and abbreviations.
const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Monday),
    ("mon", Weekday::Monday),
    ("montag", Weekday::Monday),
    ("lundi", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("tues", Weekday::Tuesday),
    ("tue", Weekday::Tuesday),
    ("dienstag", Weekday::Tuesday),
    ("mardi", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("wed", Weekday::Wednesday),
    ("mittwoch", Weekday::Wednesday),
    ("mercredi", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("thurs", Weekday::Thursday),
    ("thu", Weekday::Thursday),
    ("donnerstag", Weekday::Thursday),
    ("jeudi", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("fri", Weekday::Friday),
    ("freitag", Weekday::Friday),
    ("vendredi", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sat", Weekday::Saturday),
    ("samstag", Weekday::Saturday),
    ("samedi", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
    ("sun", Weekday::Sunday),
    ("sonntag", Weekday::Sunday),
    ("dimanche", Weekday::Sunday),
];

/// Words for the mail's own day and the next.
const RELATIVE_DAYS: &[(&str, i64)] = &[
    ("today", 0),
    ("tomorrow", 1),
    ("heute", 0),
    ("aujourd'hui", 0),
    ("demain", 1),
];

/// How far before a clock time its date may be written ("Tuesday, March
/// 10, 2026, from 2:00"), and how far after ("2:00 PM PST on Tuesday").
const DATE_BEFORE: usize = 60;
const DATE_AFTER: usize = 40;

/// `a|b|c` of names, longest first so a regex prefers "tuesday" to "tue".
fn alternation<T>(names: &[(&str, T)]) -> String {
    let mut names: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names
        .iter()
        // Spaces as `\s+`: the text may break a name across lines, and the
        // patterns are written in verbose mode, which ignores a bare space.
        .map(|n| regex::escape(n).replace(' ', r"\s+"))
        .collect::<Vec<_>>()
        .join("|")
}

fn build(pattern: &str) -> Regex {
    // The patterns are built from the constant tables above; a failure is a
    // programming error that every test run would show at once.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("a valid built-in pattern")
}

static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    let abbreviations: String = ABBREVIATIONS
        .iter()
        .map(|(a, _)| *a)
        .chain(NAMED_ZONES.iter().map(|(n, _)| *n).filter(|n| n.len() == 2))
        .collect::<Vec<_>>()
        .join("|");
    let named = alternation(
        &NAMED_ZONES
            .iter()
            .filter(|(n, _)| n.len() > 2)
            .copied()
            .collect::<Vec<_>>(),
    );
    let ampm = r"[aApP]\.?\s?[mM]\.?";
    build(&format!(
        r"(?x)
        \b(?P<h>\d{{1,2}})(?:[:.hH](?P<m>\d{{2}}))?\s*(?P<ap>{ampm})?
        (?:\s*(?:-|–|—|to|until|bis|à)\s*\d{{1,2}}(?:[:.hH]\d{{2}})?\s*(?P<ap2>{ampm})?)?
        \s*\.?\s*(?:[uU]hr\s*)?[(\[]?\s*
        (?P<zone>
            (?P<offset>(?:GMT|UTC)\s*(?P<sign>[+\-−])\s*(?P<oh>\d{{1,2}})(?::?(?P<om>\d{{2}}))?)
          | (?P<abbr>\b(?:{abbreviations})\b)
          | (?i:(?P<named>\b(?:{named})\b))
          | (?P<iana>\b[A-Z][a-z]+/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?\b)
          | (?i:(?P<yours>\byour\s+(?:local\s+)?time\b))
        )"
    ))
});

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let months = alternation(MONTHS);
    let weekdays = alternation(WEEKDAYS);
    build(&format!(
        r"(?xi)
        (?:\b(?P<wd>{weekdays})\b\.?,?\s+(?:the\s+|den\s+|le\s+)?)?
        (?:
            \b(?P<mon1>{months})\b\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>\d{{4}})\b)?
          | \b(?P<d2>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:of\s+)?(?P<mon2>{months})\b\.?(?:,?\s+(?P<y2>\d{{4}})\b)?
          | \b(?P<y3>\d{{4}})-(?P<mo3>\d{{2}})-(?P<d3>\d{{2}})\b
        )"
    ))
});

/// A weekday alone is read only by its full name: "mon" is French for "my",
/// "sun" and "sat" are words.
static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    let full: Vec<(&str, Weekday)> = WEEKDAYS
        .iter()
        .copied()
        .filter(|(n, _)| n.len() >= 5)
        .collect();
    build(&format!(r"(?i)\b(?P<wd>{})\b", alternation(&full)))
});

static RELATIVE: LazyLock<Regex> =
    LazyLock::new(|| build(&format!(r"(?i)\b(?P<rel>{})\b", alternation(RELATIVE_DAYS))));

/// A time zone as the text states it.
#[derive(Debug, Clone)]
enum Zone {
    Fixed(UtcOffset),
    Named(jiff::tz::TimeZone),
}

impl Zone {
    fn by_name(name: &str) -> Option<Zone> {
        jiff::tz::TimeZone::get(name).ok().map(Zone::Named)
    }

    /// The calendar date at instant `t` in this zone.
    fn date_of(&self, t: OffsetDateTime) -> Option<Date> {
        match self {
            Zone::Fixed(offset) => Some(t.to_offset(*offset).date()),
            Zone::Named(tz) => {
                let ts = jiff::Timestamp::from_second(t.unix_timestamp()).ok()?;
                let d = ts.to_zoned(tz.clone()).date();
                let month = Month::try_from(u8::try_from(d.month()).ok()?).ok()?;
                Date::from_calendar_date(i32::from(d.year()), month, u8::try_from(d.day()).ok()?)
                    .ok()
            }
        }
    }

    /// The instant of a local date and time in this zone; `None` when the
    /// clock skips or repeats it.
    fn instant(&self, date: Date, time: Time) -> Option<OffsetDateTime> {
        match self {
            Zone::Fixed(offset) => Some(PrimitiveDateTime::new(date, time).assume_offset(*offset)),
            Zone::Named(tz) => {
                let civil = jiff::civil::DateTime::new(
                    i16::try_from(date.year()).ok()?,
                    date.month() as i8,
                    i8::try_from(date.day()).ok()?,
                    i8::try_from(time.hour()).ok()?,
                    i8::try_from(time.minute()).ok()?,
                    0,
                    0,
                )
                .ok()?;
                let zoned = tz.to_ambiguous_zoned(civil).unambiguous().ok()?;
                OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).ok()
            }
        }
    }
}

/// A clock time with its zone, where the text says it.
struct Clock {
    start: usize,
    end: usize,
    time: Time,
    zone: Zone,
}

/// A day as the text names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Day {
    /// A date, its year perhaps left out, perhaps with its weekday.
    Date {
        year: Option<i32>,
        month: u8,
        day: u8,
        weekday: Option<Weekday>,
    },
    /// A weekday alone: the next one after the mail's date.
    Weekday(Weekday),
    /// Days after the mail's date.
    Relative(i64),
}

struct Dated {
    start: usize,
    end: usize,
    day: Day,
}

/// The one interview time the text states, if it states exactly one.
/// `mail_date` is when the mail was sent; `user_zone` (IANA) is what "your
/// time" means.
pub fn stated_time(
    text: &str,
    mail_date: Option<OffsetDateTime>,
    user_zone: &str,
) -> Option<OffsetDateTime> {
    let days = days(text);
    let mut found: Option<OffsetDateTime> = None;
    for clock in clocks(text, user_zone) {
        let Some(day) = day_of(text, &clock, &days) else {
            continue;
        };
        let Some(at) = resolve(day, &clock, mail_date) else {
            continue;
        };
        match found {
            Some(t) if t != at => return None,
            _ => found = Some(at),
        }
    }
    found
}

fn clocks(text: &str, user_zone: &str) -> Vec<Clock> {
    CLOCK
        .captures_iter(text)
        .filter_map(|c| clock(&c, user_zone))
        .collect()
}

fn clock(c: &Captures<'_>, user_zone: &str) -> Option<Clock> {
    let whole = c.get(0)?;
    let hour: u8 = c.name("h")?.as_str().parse().ok()?;
    let minute: u8 = match c.name("m") {
        Some(m) => m.as_str().parse().ok()?,
        None => 0,
    };
    // A range's meridiem covers its start too: "2:00 - 3:00 PM".
    let meridiem = c
        .name("ap")
        .or_else(|| c.name("ap2"))
        .map(|m| m.as_str().to_ascii_lowercase().starts_with('p'));
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&hour) => (hour % 12) + if pm { 12 } else { 0 },
        Some(_) => return None,
        // Without a meridiem only a 24-hour time with minutes is a time.
        None if c.name("m").is_some() && hour <= 23 => hour,
        None => return None,
    };
    let time = Time::from_hms(hour, minute, 0).ok()?;
    let zone = if c.name("offset").is_some() {
        let hours: i32 = c.name("oh")?.as_str().parse().ok()?;
        let minutes: i32 = match c.name("om") {
            Some(m) => m.as_str().parse().ok()?,
            None => 0,
        };
        let sign = if c.name("sign")?.as_str() == "+" {
            1
        } else {
            -1
        };
        Zone::Fixed(UtcOffset::from_whole_seconds(sign * (hours * 3600 + minutes * 60)).ok()?)
    } else if let Some(a) = c.name("abbr") {
        match ABBREVIATIONS.iter().find(|(n, _)| *n == a.as_str()) {
            Some((_, minutes)) => Zone::Fixed(UtcOffset::from_whole_seconds(minutes * 60).ok()?),
            None => named_zone(a.as_str())?,
        }
    } else if let Some(n) = c.name("named") {
        named_zone(n.as_str())?
    } else if let Some(i) = c.name("iana") {
        Zone::by_name(i.as_str())?
    } else if c.name("yours").is_some() {
        Zone::by_name(user_zone)?
    } else {
        return None;
    };
    Some(Clock {
        start: whole.start(),
        end: whole.end(),
        time,
        zone,
    })
}

fn named_zone(name: &str) -> Option<Zone> {
    let lower = name.to_lowercase();
    let normalized: String = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    NAMED_ZONES
        .iter()
        .find(|(n, _)| *n == name || *n == normalized)
        .and_then(|(_, iana)| Zone::by_name(iana))
}

/// Every day named in the text: dates, then weekdays and relative days that
/// are not part of a date.
fn days(text: &str) -> Vec<Dated> {
    let mut out: Vec<Dated> = DATE
        .captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            Some(Dated {
                start: whole.start(),
                end: whole.end(),
                day: date_of(&c)?,
            })
        })
        .collect();
    let inside_a_date =
        |start: usize, out: &[Dated]| out.iter().any(|d| d.start <= start && start < d.end);
    let weekdays: Vec<Dated> = WEEKDAY
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.name("wd")?;
            let weekday = weekday(m.as_str())?;
            Some(Dated {
                start: m.start(),
                end: m.end(),
                day: Day::Weekday(weekday),
            })
        })
        .filter(|d| !inside_a_date(d.start, &out))
        .collect();
    out.extend(weekdays);
    for c in RELATIVE.captures_iter(text) {
        if let Some(m) = c.name("rel") {
            let lower = m.as_str().to_lowercase();
            if let Some((_, days)) = RELATIVE_DAYS.iter().find(|(n, _)| *n == lower) {
                out.push(Dated {
                    start: m.start(),
                    end: m.end(),
                    day: Day::Relative(*days),
                });
            }
        }
    }
    out
}

fn month(name: &str) -> Option<u8> {
    let lower = name.to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == lower).map(|(_, m)| *m)
}

fn weekday(name: &str) -> Option<Weekday> {
    let lower = name.to_lowercase();
    WEEKDAYS.iter().find(|(n, _)| *n == lower).map(|(_, w)| *w)
}

fn date_of(c: &Captures<'_>) -> Option<Day> {
    let number = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<i32>().ok());
    let (year, month, day) = if let Some(m) = c.name("mon1") {
        (number("y1"), month(m.as_str())?, number("d1")?)
    } else if let Some(m) = c.name("mon2") {
        (number("y2"), month(m.as_str())?, number("d2")?)
    } else {
        (
            number("y3"),
            u8::try_from(number("mo3")?).ok()?,
            number("d3")?,
        )
    };
    Some(Day::Date {
        year,
        month,
        day: u8::try_from(day).ok()?,
        weekday: c.name("wd").and_then(|w| weekday(w.as_str())),
    })
}

/// The day written nearest before the clock time (within [`DATE_BEFORE`]
/// characters), else nearest after it (within [`DATE_AFTER`]), with no
/// paragraph between them.
fn day_of(text: &str, clock: &Clock, days: &[Dated]) -> Option<Day> {
    let between = |a: usize, b: usize| {
        text.get(a..b)
            .is_some_and(|s| !s.contains("\n\n") && !s.contains("\r\n\r\n"))
    };
    let before = days
        .iter()
        .filter(|d| d.end <= clock.start && clock.start - d.end <= DATE_BEFORE)
        .filter(|d| between(d.end, clock.start))
        .max_by_key(|d| d.end);
    let after = || {
        days.iter()
            .filter(|d| d.start >= clock.end && d.start - clock.end <= DATE_AFTER)
            .filter(|d| between(clock.end, d.start))
            .min_by_key(|d| d.start)
    };
    before.or_else(after).map(|d| d.day)
}

/// The instant a day and a clock time name; `None` when that is not one
/// unambiguous instant.
fn resolve(day: Day, clock: &Clock, mail_date: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    let sent_on = mail_date.and_then(|t| clock.zone.date_of(t));
    let date = match day {
        Day::Date {
            year,
            month,
            day,
            weekday,
        } => {
            let month = Month::try_from(month).ok()?;
            let date = match year {
                Some(y) => {
                    let date = Date::from_calendar_date(y, month, day).ok()?;
                    // An explicit date before the mail was sent is a past event.
                    if sent_on.is_some_and(|s| date < s) {
                        return None;
                    }
                    date
                }
                None => {
                    let sent_on = sent_on?;
                    let this_year = Date::from_calendar_date(sent_on.year(), month, day);
                    match this_year {
                        Ok(d) if d >= sent_on => d,
                        _ => Date::from_calendar_date(sent_on.year() + 1, month, day).ok()?,
                    }
                }
            };
            if weekday.is_some_and(|w| w != date.weekday()) {
                return None;
            }
            date
        }
        Day::Weekday(weekday) => {
            let sent_on = sent_on?;
            let ahead = (i64::from(weekday.number_days_from_monday())
                - i64::from(sent_on.weekday().number_days_from_monday()))
            .rem_euclid(7);
            sent_on.checked_add(Duration::days(if ahead == 0 { 7 } else { ahead }))?
        }
        Day::Relative(days) => sent_on?.checked_add(Duration::days(days))?,
    };
    clock.zone.instant(date, clock.time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// Sent on Monday, March 2, 2026, 10:15 in Los Angeles.
    const SENT: OffsetDateTime = datetime!(2026-03-02 10:15 -08:00);

    fn at(text: &str) -> Option<OffsetDateTime> {
        stated_time(text, Some(SENT), "Europe/Berlin")
    }

    #[test]
    fn an_abbreviation_is_its_fixed_offset() {
        let cases = [
            (
                "Tuesday, March 10 at 2:00 PM PST",
                datetime!(2026-03-10 22:00 UTC),
            ),
            (
                "Tuesday, March 10 at 2:00 PM PDT",
                datetime!(2026-03-10 21:00 UTC),
            ),
            ("March 10 at 9am EST", datetime!(2026-03-10 14:00 UTC)),
            ("March 10 at 9am EDT", datetime!(2026-03-10 13:00 UTC)),
            ("March 10 at 9:30 AM CST", datetime!(2026-03-10 15:30 UTC)),
            ("March 10 at 9:30 AM CDT", datetime!(2026-03-10 14:30 UTC)),
            ("March 10 at 10 a.m. MST", datetime!(2026-03-10 17:00 UTC)),
            ("March 10 at 10 a.m. MDT", datetime!(2026-03-10 16:00 UTC)),
            ("10 March at 14:00 GMT", datetime!(2026-03-10 14:00 UTC)),
            ("10 March at 14:00 UTC", datetime!(2026-03-10 14:00 UTC)),
            ("10 March at 14:00 CET", datetime!(2026-03-10 13:00 UTC)),
            ("10 March at 14:00 CEST", datetime!(2026-03-10 12:00 UTC)),
            ("10 March at 14:00 BST", datetime!(2026-03-10 13:00 UTC)),
            ("10 March at 14:00 IST", datetime!(2026-03-10 08:30 UTC)),
        ];
        for (text, expected) in cases {
            assert_eq!(at(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn a_place_keeps_its_daylight_saving() {
        // New York changes to daylight time on March 8, 2026.
        assert_eq!(
            at("Friday, March 6 at 2:00 PM ET"),
            Some(datetime!(2026-03-06 19:00 UTC))
        );
        assert_eq!(
            at("Tuesday, March 10 at 2:00 PM Eastern Time"),
            Some(datetime!(2026-03-10 18:00 UTC))
        );
        assert_eq!(
            at("on 2026-07-01 at 09:00 (Europe/Berlin)"),
            Some(datetime!(2026-07-01 07:00 UTC))
        );
    }

    #[test]
    fn offsets_and_your_time_are_read() {
        assert_eq!(
            at("March 12, 2026 at 4:30 PM (GMT-08:00) Pacific Time"),
            Some(datetime!(2026-03-13 00:30 UTC))
        );
        assert_eq!(
            at("March 12 at 16:00 UTC+1"),
            Some(datetime!(2026-03-12 15:00 UTC))
        );
        assert_eq!(
            at("Thursday, March 12 at 3pm your time"),
            Some(datetime!(2026-03-12 14:00 UTC))
        );
    }

    #[test]
    fn a_date_without_a_year_is_the_next_one_on_or_after_the_mail() {
        assert_eq!(
            at("March 2 at 4pm PST"),
            Some(datetime!(2026-03-03 00:00 UTC))
        );
        assert_eq!(
            at("March 1 at 4pm PST"),
            Some(datetime!(2027-03-02 00:00 UTC))
        );
        assert_eq!(
            at("January 5 at 10am PST"),
            Some(datetime!(2027-01-05 18:00 UTC))
        );
    }

    #[test]
    fn the_mails_day_is_read_in_the_stated_zone() {
        // 23:30 in Los Angeles on March 9 is already March 10 in Berlin.
        let sent = datetime!(2026-03-09 23:30 -07:00);
        assert_eq!(
            stated_time("March 9 at 9:00 CET", Some(sent), "UTC"),
            Some(datetime!(2027-03-09 08:00 UTC)),
        );
        assert_eq!(
            stated_time("March 9 at 23:45 PDT", Some(sent), "UTC"),
            Some(datetime!(2026-03-10 06:45 UTC)),
        );
    }

    #[test]
    fn a_weekday_alone_is_the_next_one_after_the_mail() {
        assert_eq!(
            at("on Tuesday at 2pm PST"),
            Some(datetime!(2026-03-03 22:00 UTC))
        );
        // Sent on a Monday: "Monday" is a week later.
        assert_eq!(
            at("Monday at 2pm PST"),
            Some(datetime!(2026-03-09 22:00 UTC))
        );
        assert_eq!(
            at("tomorrow at 11:00 AM PST"),
            Some(datetime!(2026-03-03 19:00 UTC))
        );
    }

    #[test]
    fn a_time_after_its_date_or_a_date_after_its_time_is_read() {
        assert_eq!(
            at("2:00 PM PST on Tuesday, March 10"),
            Some(datetime!(2026-03-10 22:00 UTC))
        );
        assert_eq!(
            at("Tue, Mar 10, 2026 2:00 - 2:45 PM PST"),
            Some(datetime!(2026-03-10 22:00 UTC))
        );
        assert_eq!(
            at("Dienstag, 10. März um 14:00 Uhr MEZ"),
            Some(datetime!(2026-03-10 13:00 UTC))
        );
        assert_eq!(
            at("mardi 10 mars à 14h00 CET"),
            Some(datetime!(2026-03-10 13:00 UTC))
        );
    }

    #[test]
    fn anything_less_than_one_clear_instant_states_nothing() {
        let nothing = [
            "Tuesday, March 10 at 2:00 PM",
            "at 2:00 PM PST",
            "Are you free Tuesday at 2pm PST or Wednesday at 3pm PST?",
            "Wednesday, March 10 at 2:00 PM PST",
            "February 30 at 2pm PST",
            "March 1, 2026 at 2pm PST",
            "March 10 at 2 PST",
            "March 10 at 25:00 UTC",
            "Sunday, March 8 at 2:30 AM ET",
            "mardi 10 mars à 14:00 et 15:00",
        ];
        for text in nothing {
            assert_eq!(at(text), None, "{text}");
        }
    }

    #[test]
    fn the_same_instant_stated_twice_is_one_time() {
        assert_eq!(
            at("Tuesday, March 10 at 2:00 PM PST / 5:00 PM EST"),
            Some(datetime!(2026-03-10 22:00 UTC))
        );
    }

    #[test]
    fn without_the_mails_date_only_a_full_date_is_read() {
        assert_eq!(stated_time("March 10 at 2pm PST", None, "UTC"), None);
        assert_eq!(stated_time("on Tuesday at 2pm PST", None, "UTC"), None);
        assert_eq!(
            stated_time("March 10, 2026 at 2pm PST", None, "UTC"),
            Some(datetime!(2026-03-10 22:00 UTC))
        );
    }
}
