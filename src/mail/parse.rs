//! One RFC 5322 message's bytes read into what classification needs: its
//! key, sender, subject, date, plain text, links and calendar events. MIME,
//! transfer encodings and charsets are the kept crate `mail-parser`'s work;
//! calendar parts are read with `icalendar`'s parser. No I/O: bytes in, a
//! [`ParsedMessage`] out, and never a panic — a message that cannot be read
//! is a [`ParseError`] saying why.
//!
//! - The key is the Message-ID (without its angle brackets), else the
//!   SHA-256 (hex) of the raw From, To, Date and Subject headers.
//! - The text is the plain text body; when the message has only HTML, the
//!   HTML as text (`domain::capture::html_to_text`). Links are the `href`s
//!   of the HTML parts.
//! - Calendar events come from `text/calendar` and `application/ics` parts
//!   and `.ics` attachments; the same event sent twice (an invitation's
//!   inline part and its attachment) is one. A start is read only with its
//!   zone: UTC (`Z`) or a `TZID` naming an IANA zone (a Windows zone name
//!   such as "Pacific Standard Time" and a `/vendor/…/Region/City` prefix are
//!   understood); a floating time or an all-day date has no start.

use std::sync::LazyLock;

use icalendar::parser::{read_calendar, unfold, Component};
use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};
use regex::Regex;
use sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::domain::capture::html_to_text;
use crate::domain::mail::{CalendarEvent, Mail};

/// The largest message read; a bigger one is refused before parsing.
pub const MESSAGE_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The largest calendar part read.
const CALENDAR_MAX_BYTES: usize = 1024 * 1024;
/// How deeply calendar components may nest (a VCALENDAR holds a VEVENT
/// holds a VALARM); deeper is not a real invitation, and the parser
/// recurses.
const CALENDAR_MAX_DEPTH: usize = 6;
/// The most events kept from one message.
const EVENTS_MAX: usize = 20;
/// The most links kept from one message.
const LINKS_MAX: usize = 500;

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the message is {size} bytes, over the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("the message is empty")]
    Empty,
    #[error("the message has no header fields")]
    NoHeaders,
}

/// A message as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMessage {
    pub message_id: Option<String>,
    /// What makes the message the same message on a second reading.
    pub key: String,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    /// The To addresses.
    pub to: Vec<String>,
    pub subject: Option<String>,
    pub date: Option<OffsetDateTime>,
    pub text: String,
    /// The HTML body's link targets.
    pub links: Vec<String>,
    pub calendar: Vec<CalendarEvent>,
}

impl ParsedMessage {
    /// The message as classification reads it.
    pub fn to_mail(&self) -> Mail {
        Mail {
            from_address: self.from_address.clone().unwrap_or_default(),
            from_name: self.from_name.clone().unwrap_or_default(),
            subject: self.subject.clone().unwrap_or_default(),
            text: self.text.clone(),
            date: self.date,
            calendar: self.calendar.clone(),
            links: self.links.clone(),
        }
    }

    /// The start of the text on one line, at most `max_chars` characters.
    pub fn snippet(&self, max_chars: usize) -> String {
        let one_line = self.text.split_whitespace().collect::<Vec<_>>().join(" ");
        match one_line.char_indices().nth(max_chars) {
            Some((i, _)) => format!("{}…", one_line[..i].trim_end()),
            None => one_line,
        }
    }
}

/// Reads one message.
pub fn parse(bytes: &[u8]) -> Result<ParsedMessage, ParseError> {
    if bytes.len() > MESSAGE_MAX_BYTES {
        return Err(ParseError::TooLarge {
            size: bytes.len(),
            limit: MESSAGE_MAX_BYTES,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let message = MessageParser::default()
        .parse(bytes)
        .ok_or(ParseError::NoHeaders)?;
    if message.headers().is_empty() {
        return Err(ParseError::NoHeaders);
    }
    let message_id = message
        .message_id()
        .map(|id| id.trim().trim_matches(['<', '>']).trim().to_owned())
        .filter(|id| !id.is_empty());
    let key = message_id.clone().unwrap_or_else(|| header_hash(&message));
    let from = message.from().and_then(|a| a.first());
    let text = body_text(&message);
    Ok(ParsedMessage {
        message_id,
        key,
        from_address: from.and_then(|a| a.address()).map(|a| a.trim().to_owned()),
        from_name: from
            .and_then(|a| a.name())
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        to: message
            .to()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.address())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        subject: message.subject().map(|s| s.trim().to_owned()),
        date: message.date().and_then(offset_date_time),
        text,
        links: links(&message),
        calendar: calendar_events(&message),
    })
}

/// SHA-256 (hex) of the raw From, To, Date and Subject headers.
fn header_hash(message: &Message<'_>) -> String {
    let mut hasher = Sha256::new();
    for name in ["From", "To", "Date", "Subject"] {
        hasher.update(name.as_bytes());
        hasher.update(b":");
        hasher.update(
            message
                .header_raw(name)
                .unwrap_or_default()
                .trim()
                .as_bytes(),
        );
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

fn offset_date_time(d: &mail_parser::DateTime) -> Option<OffsetDateTime> {
    if !d.is_valid() {
        return None;
    }
    let date =
        Date::from_calendar_date(i32::from(d.year), Month::try_from(d.month).ok()?, d.day).ok()?;
    let time = Time::from_hms(d.hour, d.minute, d.second.min(59)).ok()?;
    let sign: i32 = if d.tz_before_gmt { -1 } else { 1 };
    let offset = UtcOffset::from_whole_seconds(
        sign * (i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60),
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// The part's MIME type as `type/subtype`, lowercase.
fn mime_type(part: &MessagePart<'_>) -> Option<String> {
    part.content_type().map(|ct| {
        format!(
            "{}/{}",
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or_default().to_ascii_lowercase()
        )
    })
}

/// The plain text body, or the HTML body as text when there is no plain one.
fn body_text(message: &Message<'_>) -> String {
    let text_of = |ids: &[u32]| -> Vec<String> {
        ids.iter()
            .filter_map(|&id| message.parts.get(id as usize))
            .filter_map(|part| {
                let mime = mime_type(part);
                match &part.body {
                    PartType::Text(t) if mime.as_deref().is_none_or(|m| m == "text/plain") => {
                        Some(t.to_string())
                    }
                    PartType::Html(h) => Some(html_to_text(h)),
                    _ => None,
                }
            })
            .filter(|t| !t.trim().is_empty())
            .collect()
    };
    let plain = text_of(&message.text_body);
    let parts = if plain.is_empty() {
        text_of(&message.html_body)
    } else {
        plain
    };
    parts.join("\n\n")
}

static HREF: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: a failure would show in every test run.
    #[allow(clippy::expect_used)]
    Regex::new(r#"(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("a valid built-in pattern")
});

/// The `href`s of the HTML parts that lead to web pages.
fn links(message: &Message<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in &message.parts {
        let PartType::Html(html) = &part.body else {
            continue;
        };
        for c in HREF.captures_iter(html) {
            let Some(m) = c.get(1).or_else(|| c.get(2)) else {
                continue;
            };
            let link = m.as_str().trim().replace("&amp;", "&");
            let lower = link.to_ascii_lowercase();
            if (lower.starts_with("http://") || lower.starts_with("https://"))
                && !out.contains(&link)
            {
                out.push(link);
                if out.len() >= LINKS_MAX {
                    return out;
                }
            }
        }
    }
    out
}

/// Whether a part carries a calendar.
fn is_calendar(part: &MessagePart<'_>) -> bool {
    let mime = mime_type(part).unwrap_or_default();
    let named_ics = part
        .attachment_name()
        .is_some_and(|n| n.trim().to_ascii_lowercase().ends_with(".ics"));
    mime == "text/calendar" || mime == "application/ics" || named_ics
}

fn calendar_events(message: &Message<'_>) -> Vec<CalendarEvent> {
    let mut events: Vec<CalendarEvent> = Vec::new();
    for part in message.parts.iter().filter(|p| is_calendar(p)) {
        let bytes = part.contents();
        if bytes.len() > CALENDAR_MAX_BYTES {
            continue;
        }
        for event in parse_calendar(&String::from_utf8_lossy(bytes)) {
            if !events.contains(&event) {
                events.push(event);
            }
        }
        if events.len() >= EVENTS_MAX {
            events.truncate(EVENTS_MAX);
            break;
        }
    }
    events
}

/// How deeply `BEGIN:` blocks nest in a calendar's text.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for line in text.lines() {
        let line = line.trim_start().to_ascii_uppercase();
        if line.starts_with("BEGIN:") {
            depth += 1;
            deepest = deepest.max(depth);
        } else if line.starts_with("END:") {
            depth = depth.saturating_sub(1);
        }
    }
    deepest
}

/// The events of an iCalendar text (RFC 5545); none when it cannot be read.
pub fn parse_calendar(text: &str) -> Vec<CalendarEvent> {
    if text.len() > CALENDAR_MAX_BYTES || nesting(text) > CALENDAR_MAX_DEPTH {
        return Vec::new();
    }
    let unfolded = unfold(text);
    let Ok(calendar) = read_calendar(&unfolded) else {
        return Vec::new();
    };
    let cancelled_calendar = calendar.properties.iter().any(|p| {
        p.name.as_str().eq_ignore_ascii_case("METHOD")
            && p.val.as_str().trim().eq_ignore_ascii_case("CANCEL")
    });
    let mut events = Vec::new();
    collect_events(&calendar.components, cancelled_calendar, &mut events);
    events
}

fn collect_events(components: &[Component<'_>], cancelled: bool, out: &mut Vec<CalendarEvent>) {
    for c in components {
        if out.len() >= EVENTS_MAX {
            return;
        }
        if c.name.as_str().eq_ignore_ascii_case("VEVENT") {
            out.push(event(c, cancelled));
        } else if c.name.as_str().eq_ignore_ascii_case("VCALENDAR") {
            collect_events(&c.components, cancelled, out);
        }
    }
}

fn event(c: &Component<'_>, cancelled: bool) -> CalendarEvent {
    let prop = |name: &str| {
        c.properties
            .iter()
            .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
    };
    let text = |name: &str| {
        prop(name)
            .map(|p| p.val.clone().unescape_text().as_str().trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let start = prop("DTSTART").and_then(|p| {
        let param = |key: &str| {
            p.params
                .iter()
                .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
                .and_then(|x| x.val.as_ref())
                .map(|v| v.as_str().trim().trim_matches('"').to_owned())
        };
        if param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE")) {
            return None;
        }
        start_time(p.val.as_str().trim(), param("TZID").as_deref())
    });
    let status_cancelled =
        prop("STATUS").is_some_and(|p| p.val.as_str().trim().eq_ignore_ascii_case("CANCELLED"));
    CalendarEvent {
        start,
        summary: text("SUMMARY"),
        location: text("LOCATION"),
        url: text("URL"),
        description: text("DESCRIPTION"),
        cancelled: cancelled || status_cancelled,
    }
}

/// Windows time zone names (as Outlook writes TZID) and their IANA zones.
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Mountain Standard Time", "America/Denver"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Central Standard Time", "America/Chicago"),
    ("Eastern Standard Time", "America/New_York"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("India Standard Time", "Asia/Kolkata"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("UTC", "UTC"),
];

/// The IANA zone a TZID names: itself, a Windows name, or the end of a
/// vendor path (`/mozilla.org/20050126_1/America/New_York`).
fn zone(tzid: &str) -> Option<jiff::tz::TimeZone> {
    if let Ok(tz) = jiff::tz::TimeZone::get(tzid) {
        return Some(tz);
    }
    if let Some((_, iana)) = WINDOWS_ZONES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(tzid))
    {
        return jiff::tz::TimeZone::get(iana).ok();
    }
    let segments: Vec<&str> = tzid.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(tz) = (1..segments.len())
        .find_map(|skip| jiff::tz::TimeZone::get(&segments[skip..].join("/")).ok())
    {
        return Some(tz);
    }
    // Outlook's display names: "(UTC-08:00) Pacific Time (US & Canada)".
    let lower = tzid.to_ascii_lowercase();
    DISPLAY_NAMES
        .iter()
        .find(|(name, _)| lower.contains(name))
        .and_then(|(_, iana)| jiff::tz::TimeZone::get(iana).ok())
}

/// Places in Outlook's zone display names, and their IANA zones.
const DISPLAY_NAMES: &[(&str, &str)] = &[
    ("pacific time", "America/Los_Angeles"),
    ("mountain time", "America/Denver"),
    ("central time", "America/Chicago"),
    ("eastern time", "America/New_York"),
    ("amsterdam, berlin", "Europe/Berlin"),
    ("brussels, copenhagen, madrid, paris", "Europe/Paris"),
    ("dublin, edinburgh, lisbon, london", "Europe/London"),
    ("chennai, kolkata, mumbai, new delhi", "Asia/Kolkata"),
];

/// A DTSTART value as an instant: `YYYYMMDDTHHMMSSZ`, or local with a TZID.
fn start_time(value: &str, tzid: Option<&str>) -> Option<OffsetDateTime> {
    let (local, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(v) => (v, true),
        None => (value, false),
    };
    let (date, time) = local.split_once(['T', 't'])?;
    if date.len() != 8
        || time.len() != 6
        || !date.bytes().chain(time.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let n = |s: &str| s.parse::<i32>().ok();
    let (year, month, day) = (n(&date[0..4])?, n(&date[4..6])?, n(&date[6..8])?);
    let (hour, minute, second) = (n(&time[0..2])?, n(&time[2..4])?, n(&time[4..6])?);
    let d = Date::from_calendar_date(
        year,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let t = Time::from_hms(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second.min(59)).ok()?,
    )
    .ok()?;
    if utc {
        return Some(PrimitiveDateTime::new(d, t).assume_utc());
    }
    let tz = zone(tzid?)?;
    let civil = jiff::civil::DateTime::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second.min(59)).ok()?,
        0,
    )
    .ok()?;
    let zoned = tz.to_ambiguous_zoned(civil).unambiguous().ok()?;
    OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).ok()
}

#[cfg(test)]
mod tests;
