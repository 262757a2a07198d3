use time::macros::datetime;

use super::*;

fn crlf(s: &str) -> Vec<u8> {
    s.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes()
}

#[test]
fn a_plain_message_gives_its_headers_text_and_message_id_key() {
    let raw = crlf(
        "From: Acme Recruiting <no-reply@greenhouse.io>\n\
         To: Sam Lee <sam@example.com>, kim@example.com\n\
         Subject: Thank you for applying to Acme\n\
         Date: Mon, 2 Mar 2026 10:15:00 -0800\n\
         Message-ID: <abc.123@greenhouse.io>\n\
         \n\
         Hi Sam,\n\nWe received your application.\n",
    );
    let m = parse(&raw).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.message_id.as_deref(), Some("abc.123@greenhouse.io"));
    assert_eq!(m.key, "abc.123@greenhouse.io");
    assert_eq!(m.from_address.as_deref(), Some("no-reply@greenhouse.io"));
    assert_eq!(m.from_name.as_deref(), Some("Acme Recruiting"));
    assert_eq!(m.to, vec!["sam@example.com", "kim@example.com"]);
    assert_eq!(m.subject.as_deref(), Some("Thank you for applying to Acme"));
    assert_eq!(m.date, Some(datetime!(2026-03-02 10:15 -08:00)));
    assert!(
        m.text.contains("We received your application."),
        "{}",
        m.text
    );
    assert_eq!(m.snippet(12), "Hi Sam, We r…");
}

#[test]
fn without_a_message_id_the_key_is_a_stable_hash_of_the_headers() {
    let raw = crlf(
        "From: a@b.com\nTo: c@d.com\nSubject: Hi\nDate: Mon, 2 Mar 2026 10:15:00 +0000\n\nbody\n",
    );
    let first = parse(&raw).unwrap_or_else(|e| panic!("{e}"));
    let again = parse(&raw).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.message_id, None);
    assert_eq!(first.key.len(), 64);
    assert!(first.key.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(first.key, again.key);
    let other = parse(&crlf("From: a@b.com\nTo: c@d.com\nSubject: Hello\nDate: Mon, 2 Mar 2026 10:15:00 +0000\n\nbody\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(first.key, other.key);
}

#[test]
fn an_alternative_message_gives_its_plain_text_and_the_html_links() {
    let raw = crlf(
        "From: jane@acme.com\nSubject: Interview\nMIME-Version: 1.0\n\
         Content-Type: multipart/alternative; boundary=\"b1\"\n\n\
         --b1\nContent-Type: text/plain; charset=utf-8\n\nPlain words here.\n\
         --b1\nContent-Type: text/html; charset=utf-8\n\n\
         <p>HTML words <a href=\"https://zoom.us/j/123?pwd=a&amp;b=c\">Join</a> <a href='mailto:x@y.z'>mail</a></p>\n\
         --b1--\n",
    );
    let m = parse(&raw).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.text.trim(), "Plain words here.");
    assert_eq!(m.links, vec!["https://zoom.us/j/123?pwd=a&b=c"]);
}

#[test]
fn an_html_only_message_is_read_as_text() {
    let raw = crlf(
        "From: jane@acme.com\nSubject: Hi\nContent-Type: text/html; charset=utf-8\n\n\
         <html><head><style>p{color:red}</style></head><body><p>We&rsquo;d like to <b>invite</b> you.</p><p>Second</p></body></html>\n",
    );
    let m = parse(&raw).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.text, "We’d like to invite you.\n\nSecond");
}

#[test]
fn transfer_encodings_and_charsets_are_decoded() {
    let qp = crlf(
        "From: a@b.com\nSubject: =?UTF-8?Q?Entretien_=C3=A0_venir?=\nContent-Type: text/plain; charset=utf-8\n\
         Content-Transfer-Encoding: quoted-printable\n\nNous avons bien re=C3=A7u votre candidature, =\nmerci.\n",
    );
    let m = parse(&qp).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.subject.as_deref(), Some("Entretien à venir"));
    assert!(
        m.text
            .contains("Nous avons bien reçu votre candidature, merci."),
        "{}",
        m.text
    );

    let b64 = crlf(
        "From: a@b.com\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\
         Content-Transfer-Encoding: base64\n\nVGhhbmsgeW91IGZvciBhcHBseWluZyE=\n",
    );
    assert_eq!(
        parse(&b64).map(|m| m.text.trim().to_owned()),
        Ok("Thank you for applying!".to_owned())
    );

    let mut latin1 =
        crlf("From: a@b.com\nSubject: x\nContent-Type: text/plain; charset=ISO-8859-1\n\n");
    latin1.extend_from_slice(b"Vielen Dank f\xfcr Ihre Bewerbung, Gr\xfc\xdfe\r\n");
    let m = parse(&latin1).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        m.text.contains("Vielen Dank für Ihre Bewerbung, Grüße"),
        "{}",
        m.text
    );
}

#[test]
fn a_message_over_the_limit_is_refused_before_parsing() {
    let raw = vec![b'a'; MESSAGE_MAX_BYTES + 1];
    assert_eq!(
        parse(&raw),
        Err(ParseError::TooLarge {
            size: MESSAGE_MAX_BYTES + 1,
            limit: MESSAGE_MAX_BYTES
        })
    );
}

#[test]
fn an_empty_message_or_one_without_headers_is_an_error() {
    assert_eq!(parse(b""), Err(ParseError::Empty));
    assert_eq!(parse(b" \r\n\r\n"), Err(ParseError::Empty));
    assert_eq!(parse(b"\r\n\r\njust a body"), Err(ParseError::NoHeaders));
}

const INVITE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nPRODID:-//Test//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\nBEGIN:STANDARD\r\nDTSTART:19701101T020000\r\n\
TZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:1@acme\r\nDTSTART;TZID=America/Los_Angeles:20260310T140000\r\n\
DTEND;TZID=America/Los_Angeles:20260310T150000\r\nSUMMARY:Interview: Acme\\, Senior Backend\r\n  Engineer\r\n\
LOCATION:https://acme.zoom.us/j/123\r\nDESCRIPTION:Line one\\nLine two\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[test]
fn a_calendar_event_gives_its_start_in_its_named_zone_and_unescaped_text() {
    let events = parse_calendar(INVITE);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    // March 10, 2026 is daylight time in Los Angeles (UTC−7).
    assert_eq!(e.start, Some(datetime!(2026-03-10 21:00 UTC)));
    assert_eq!(
        e.summary.as_deref(),
        Some("Interview: Acme, Senior Backend Engineer")
    );
    assert_eq!(e.location.as_deref(), Some("https://acme.zoom.us/j/123"));
    assert_eq!(e.description.as_deref(), Some("Line one\nLine two"));
    assert!(!e.cancelled);
}

#[test]
fn starts_are_read_only_with_a_zone() {
    assert_eq!(
        start_time("20260310T220000Z", None),
        Some(datetime!(2026-03-10 22:00 UTC))
    );
    assert_eq!(
        start_time("20260310T140000", Some("Pacific Standard Time")),
        Some(datetime!(2026-03-10 21:00 UTC))
    );
    assert_eq!(
        start_time(
            "20260310T140000",
            Some("/mozilla.org/20050126_1/Europe/Berlin")
        ),
        Some(datetime!(2026-03-10 13:00 UTC))
    );
    assert_eq!(
        start_time(
            "20260310T140000",
            Some("(UTC-08:00) Pacific Time (US & Canada)")
        ),
        Some(datetime!(2026-03-10 21:00 UTC))
    );
    assert_eq!(start_time("20260310T140000", None), None, "floating");
    assert_eq!(start_time("20260310T140000", Some("Mars/Olympus")), None);
    assert_eq!(start_time("20260310", None), None);
    assert_eq!(start_time("20261310T140000Z", None), None);
}

#[test]
fn an_all_day_event_has_no_start_and_a_cancellation_is_marked() {
    let all_day = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260310\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(parse_calendar(all_day)[0].start, None);
    let cancel = INVITE.replace("METHOD:REQUEST", "METHOD:CANCEL");
    assert!(parse_calendar(&cancel)[0].cancelled);
    let status = INVITE.replace("UID:1@acme", "UID:1@acme\r\nSTATUS:CANCELLED");
    assert!(parse_calendar(&status)[0].cancelled);
}

#[test]
fn an_unreadable_or_too_deep_calendar_gives_no_events() {
    assert!(parse_calendar("not a calendar").is_empty());
    let deep = "BEGIN:X\r\n".repeat(50) + &"END:X\r\n".repeat(50);
    assert!(parse_calendar(&deep).is_empty());
}

#[test]
fn an_ics_attachment_and_an_inline_calendar_part_give_one_event() {
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, INVITE);
    let raw = format!(
        "From: no-reply@ashbyhq.com\r\nSubject: Invitation\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
         --m\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n\
         --a\r\nContent-Type: text/plain\r\n\r\nSee the invitation.\r\n\
         --a\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\r\n{INVITE}\r\n--a--\r\n\
         --m\r\nContent-Type: application/octet-stream; name=\"invite.ics\"\r\n\
         Content-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--m--\r\n"
    );
    let m = parse(raw.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.text.trim(), "See the invitation.");
    assert_eq!(m.calendar.len(), 1, "{:?}", m.calendar);
    assert_eq!(m.calendar[0].start, Some(datetime!(2026-03-10 21:00 UTC)));
}

proptest::proptest! {
    #[test]
    fn any_bytes_parse_or_fail_without_panicking(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
        let _ = parse(&bytes);
    }

    #[test]
    fn any_header_like_text_parses_without_panicking(text in "([A-Za-z-]{1,12}: [^\r\n]{0,40}\r\n){0,6}\r\n\\PC{0,200}") {
        let _ = parse(text.as_bytes());
    }

    #[test]
    fn any_calendar_like_text_gives_events_without_panicking(
        lines in proptest::collection::vec("(BEGIN:VEVENT|END:VEVENT|BEGIN:VCALENDAR|END:VCALENDAR|DTSTART[;A-Z=/_a-z]{0,20}:[0-9TZ]{0,16}|SUMMARY:\\PC{0,20}| \\PC{0,10})", 0..30)
    ) {
        let _ = parse_calendar(&lines.join("\r\n"));
    }
}

#[test]
fn a_message_just_under_the_limit_is_read_and_classified() {
    let mut raw = crlf("From: a@b.com\nSubject: big\nContent-Type: text/html; charset=utf-8\n\n");
    let paragraph = b"<div><p>We have received your application for the <b>Data Engineer</b> role.</p></div>\r\n";
    while raw.len() + paragraph.len() <= MESSAGE_MAX_BYTES {
        raw.extend_from_slice(paragraph);
    }
    let m = parse(&raw).unwrap_or_else(|e| panic!("{e}"));
    assert!(m.text.starts_with("We have received your application"));
    let c = crate::domain::mail::classify(&m.to_mail(), &[], "UTC");
    assert_eq!(c.kind, crate::domain::mail::Kind::Applied, "{c:?}");
}
