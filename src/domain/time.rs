//! Dates and times as the API writes them: RFC 3339 in UTC to the second, and
//! calendar dates as `YYYY-MM-DD`; "today" in the user's time zone.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

const TIMESTAMP: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// `2026-11-25T19:08:39Z`.
pub fn format_timestamp(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(TIMESTAMP)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

pub fn format_date(d: Date) -> String {
    d.format(DATE).unwrap_or_else(|_| d.to_string())
}

pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

pub fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 10 {
        return None;
    }
    Date::parse(s, DATE).ok()
}

/// Whether `name` is an IANA time zone name known to the bundled database.
pub fn is_time_zone(name: &str) -> bool {
    !name.is_empty() && jiff::tz::TimeZone::get(name).is_ok()
}

/// Every time zone name the bundled database knows, sorted.
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .collect();
    names.sort();
    names
}

/// The calendar date at instant `now` in time zone `zone` (UTC if unknown).
pub fn local_date(now: OffsetDateTime, zone: &str) -> Date {
    let fallback = now.to_offset(UtcOffset::UTC).date();
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else {
        return fallback;
    };
    let Ok(ts) = jiff::Timestamp::from_second(now.unix_timestamp()) else {
        return fallback;
    };
    let local = ts.to_zoned(tz).date();
    time::Month::try_from(local.month() as u8)
        .ok()
        .and_then(|m| Date::from_calendar_date(local.year() as i32, m, local.day() as u8).ok())
        .unwrap_or(fallback)
}

/// Midnight at the start of `date` in time zone `zone`, as an instant (UTC if
/// the zone is unknown). A date-based due time is this instant.
pub fn local_midnight(date: Date, zone: &str) -> OffsetDateTime {
    let utc = date.midnight().assume_utc();
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else {
        return utc;
    };
    let Ok(civil) =
        jiff::civil::Date::new(date.year() as i16, date.month() as i8, date.day() as i8)
    else {
        return utc;
    };
    civil
        .to_zoned(tz)
        .ok()
        .and_then(|z| OffsetDateTime::from_unix_timestamp(z.timestamp().as_second()).ok())
        .unwrap_or(utc)
}

/// serde helpers for the API's timestamp and date formats.
pub mod serde_ts {
    use serde::Serializer;
    use time::{Date, OffsetDateTime};

    pub fn timestamp<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_timestamp(*t))
    }

    pub fn option_timestamp<S: Serializer>(
        t: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format_timestamp(*t)),
            None => s.serialize_none(),
        }
    }

    pub fn option_date<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::format_date(*d)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn timestamps_are_written_in_utc_to_the_second() {
        let t = datetime!(2026-11-25 20:08:39.123 +01:00);
        assert_eq!(format_timestamp(t), "2026-11-25T19:08:39Z");
    }

    #[test]
    fn dates_parse_only_in_the_iso_form() {
        assert_eq!(parse_date("2026-02-03"), Some(date!(2026 - 02 - 03)));
        assert_eq!(parse_date("2026-2-3"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("03/02/2026"), None);
    }

    #[test]
    fn today_depends_on_the_users_time_zone() {
        let now = datetime!(2026-11-25 23:30 UTC);
        assert_eq!(local_date(now, "UTC"), date!(2026 - 11 - 25));
        assert_eq!(local_date(now, "Europe/Berlin"), date!(2026 - 11 - 26));
        assert_eq!(
            local_date(now, "America/Los_Angeles"),
            date!(2026 - 11 - 25)
        );
    }

    #[test]
    fn local_midnight_is_the_start_of_the_day_in_the_zone() {
        use time::macros::datetime;
        assert_eq!(
            local_midnight(date!(2026 - 11 - 26), "Europe/Berlin"),
            datetime!(2026-11-25 23:00 UTC)
        );
        assert_eq!(
            local_midnight(date!(2026 - 07 - 01), "Europe/Berlin"),
            datetime!(2026-06-30 22:00 UTC)
        );
        assert_eq!(
            local_midnight(date!(2026 - 11 - 26), "UTC"),
            datetime!(2026-11-26 00:00 UTC)
        );
    }

    #[test]
    fn time_zone_names_come_from_the_iana_database() {
        assert!(is_time_zone("Europe/Berlin"));
        assert!(is_time_zone("UTC"));
        assert!(!is_time_zone("Mars/Olympus_Mons"));
        assert!(!is_time_zone(""));
    }
}
