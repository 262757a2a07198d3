//! Template filters: times in the user's zone, labels in plain words,
//! percentages. Timestamps reach templates as RFC 3339 strings (as the API
//! writes them) and are shown in the zone the template passes.

use minijinja::Environment;

/// `2026-11-30T13:30:00Z` in `zone`, formatted with `pattern` (strftime).
pub fn in_zone(ts: &str, zone: &str, pattern: &str) -> String {
    let Ok(t) = ts.parse::<jiff::Timestamp>() else {
        return ts.to_owned();
    };
    match t.in_tz(zone) {
        Ok(z) => z.strftime(pattern).to_string(),
        Err(_) => t.strftime(pattern).to_string(),
    }
}

/// A `datetime-local` input's value (`2026-11-30T14:30`) in `zone`, as an
/// RFC 3339 UTC timestamp; `None` when it is not one.
pub fn local_input_to_utc(value: &str, zone: &str) -> Option<String> {
    let civil: jiff::civil::DateTime = value.trim().parse().ok()?;
    let zoned = civil.in_tz(zone).ok()?;
    Some(zoned.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// `interviewing` → `Interviewing`, `phone_screen` → `Phone screen`.
pub fn label(value: &str) -> String {
    let text = value.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("truncate_date", |s: String| {
        s.chars().take(10).collect::<String>()
    });
    // {{ ts | when(tz) }} → "Mon 30 Nov 2026, 14:30"
    env.add_filter("when", |ts: String, zone: String| {
        in_zone(&ts, &zone, "%a %-d %b %Y, %H:%M")
    });
    // {{ ts | day(tz) }} → "Monday 30 November"
    env.add_filter("day", |ts: String, zone: String| {
        in_zone(&ts, &zone, "%A %-d %B %Y")
    });
    // {{ ts | clock(tz) }} → "14:30"
    env.add_filter("clock", |ts: String, zone: String| {
        in_zone(&ts, &zone, "%H:%M")
    });
    // {{ ts | local_input(tz) }} → "2026-11-30T14:30" (a datetime-local value)
    env.add_filter("local_input", |ts: String, zone: String| {
        in_zone(&ts, &zone, "%Y-%m-%dT%H:%M")
    });
    env.add_filter("label", |s: String| label(&s));
    env.add_filter("percent", |v: f64| format!("{:.0}%", v * 100.0));
    env.add_filter("days", |v: Option<f64>| match v {
        Some(d) => format!("{d:.1} days"),
        None => "—".to_owned(),
    });
    env.add_filter("money", |v: i64| grouped(v));
}

/// A whole number with its thousands grouped: 10000 → "10,000".
pub fn grouped(n: impl std::fmt::Display) -> String {
    let digits = n.to_string();
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest.to_owned()),
        None => ("", digits),
    };
    let mut out = sign.to_owned();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_the_users_zone() {
        let ts = "2026-07-01T12:00:00Z";
        assert_eq!(in_zone(ts, "Europe/Berlin", "%H:%M"), "14:00");
        assert_eq!(in_zone(ts, "America/New_York", "%H:%M"), "08:00");
        assert_eq!(
            in_zone(ts, "UTC", "%a %-d %b %Y, %H:%M"),
            "Wed 1 Jul 2026, 12:00"
        );
        assert_eq!(in_zone("not a time", "UTC", "%H"), "not a time");
    }

    #[test]
    fn a_local_input_becomes_utc_across_daylight_saving() {
        assert_eq!(
            local_input_to_utc("2026-07-01T14:00", "Europe/Berlin").as_deref(),
            Some("2026-07-01T12:00:00Z")
        );
        assert_eq!(
            local_input_to_utc("2026-12-01T14:00", "Europe/Berlin").as_deref(),
            Some("2026-12-01T13:00:00Z")
        );
        assert_eq!(local_input_to_utc("tomorrow", "UTC"), None);
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("phone_screen"), "Phone screen");
        assert_eq!(label("offer"), "Offer");
        assert_eq!(label(""), "");
    }
}
