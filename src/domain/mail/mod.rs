//! Mail about applications: what a message says (an application received,
//! a rejection, an interview invitation, an offer, a recruiter's outreach,
//! or nothing about an application), which of the user's applications it
//! is about, and the change it proposes. Pure: a parsed message in, a
//! [`Classification`] out; the rules are the tables in [`rules`].
//!
//! Precision comes first: a suggestion for a mail that is not about an
//! application costs the user's trust, a missed one only a click. So:
//! - A kind needs a phrase that states the act in the employer's voice
//!   ("we have decided to move forward with other candidates"), or a frame:
//!   the parts of such a statement in order within one sentence ("not" …
//!   "moving" … "ahead"); words like "interview" or "offer" alone are never
//!   evidence. A sentence that states a condition ("if your profile
//!   matches, we will invite you…") is not evidence, nor is an invitation
//!   hedged into a promise ("shortlisted candidates will be invited").
//! - When phrases of several kinds appear, the order is rejection, offer,
//!   interview invitation, application received, outreach: a rejection
//!   thanks for the application, an invitation mentions it.
//! - A mail that reads as a job alert, a newsletter or marketing, a receipt,
//!   an account or security notice, a subscription, a survey, a "your
//!   application was viewed", a practice interview, a mail to the user as an
//!   interviewer, a reference request, press or a podcast, a research study,
//!   the confirmation of the user's own withdrawal, or another kind of
//!   application (a visa, a loan, a school, a waitlist) is `other`;
//!   for alerts, newsletters, account notices and subscriptions, whose words
//!   also fill the footers of real confirmations, unless the subject itself
//!   states the application news.
//! - The mail must be about a job: from an ATS, from the domain of a company
//!   the user applied to, or using a word like "position", "role",
//!   "candidate" or "interview".
//! - An ATS vendor's own mail (`marketing@greenhouse.io`) is `other`.
//! - A person's free mailbox (gmail…) never makes a suggestion: a friend
//!   quoting their own rejection reads like one.
//! - A mail matched to no application makes a suggestion only when it says
//!   its news plainly: in its subject, in two sentences, or from an ATS;
//!   and, like one matched only by a company named in its body, only when
//!   it is written to a candidate ("your application", "the Data Engineer
//!   role"): an employer's mail to its staff about interviews is not.
//! - A recruiter outreach needs two outreach phrases, one of them about the
//!   person or the recruiter ("I came across your profile", "I'm a
//!   recruiter at…"; a mass mailing of roles has none), from a person (not
//!   `no-reply@` or `jobs@`, not a job board's own alerts).
//! - A calendar invitation alone (no phrase) is an interview invitation only
//!   when its event names an interview and the mail comes from an ATS or is
//!   matched to an application by its company.
//! - An interview invitation that matches no application but reads as
//!   outreach is outreach; an outreach is matched to an application only
//!   by its posting or its title (the same employer's other job is a new
//!   application).
//! - A job title alone (from an ATS) matches no application when the mail
//!   names another employer: an ATS writes for many.
//! - An offer must be matched to an application: one for a job never
//!   applied to is a scam or an advert ("we're pleased to offer you a month
//!   of Premium").
//!
//! The proposal follows the kind: applied → `applied`, rejection →
//! `rejected`, interview invitation → `interviewing` and the interview,
//! offer → `offer`, outreach → a new application (to be saved in the
//! wishlist) when the mail names its company and title; a confirmation that
//! matches no application proposes a new application too (to be saved as
//! applied). Whether the pipeline allows the change is decided when the
//! suggestion is applied. The interview's time comes from a calendar
//! invitation (one start among its events), else from the text (see
//! [`when`]); the meeting link from the calendar event, else the mail.
//!
//! The confidence starts at 0.55 for one phrase and grows with a phrase in
//! the subject (+0.15), the news said twice (+0.05), a sender that is an
//! ATS or the employer (+0.1) and how the application was matched (+0.15 by
//! the posting or sender, +0.1 by the company's name, none by title alone).
//! It falls for a mail whose body reads like a notice or alert (−0.2) and
//! an invitation known only from its calendar event (−0.05); outreach stays
//! below 0.8. Only a mail that is matched and states its news plainly
//! reaches 0.9, where auto-apply may act.
//!
//! Only the first [`TEXT_MAX_CHARS`] characters of a body are read; quoted
//! replies (lines starting with `>`, and everything after "On … wrote:")
//! are not read at all.

mod extract;
mod links;
mod matching;
pub mod rules;
mod sender;
pub mod when;
mod words;

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

pub use links::is_meeting_link;
pub use matching::{Candidate, MatchedBy};
pub use when::stated_time;

use super::time::serde_ts;
use super::{InterviewKind, Status};
use matching::{find_application, Evidence as MatchEvidence};
use rules::{NotAboutAnApplication, NOT_ABOUT_AN_APPLICATION};
use sender::{Sender, SenderKind};
use words::{compile, compile_frames, compile_hedged, sentences, words, Frame, Pattern};

/// How much of a body is read.
pub const TEXT_MAX_CHARS: usize = 20_000;
/// How much of a subject is read.
const SUBJECT_MAX_CHARS: usize = 1_000;
/// How many calendar events' texts are read.
const EVENTS_READ: usize = 4;

/// A calendar event a mail carries (an invitation's VEVENT).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CalendarEvent {
    /// The start, when the event states it with a time zone.
    #[serde(serialize_with = "serde_ts::option_timestamp")]
    pub start: Option<OffsetDateTime>,
    pub summary: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    /// The event is a cancellation (`METHOD:CANCEL` or `STATUS:CANCELLED`).
    pub cancelled: bool,
}

/// A mail as classification reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mail {
    pub from_address: String,
    pub from_name: String,
    pub subject: String,
    /// The plain text body (an HTML body already turned into text).
    pub text: String,
    /// When it was sent.
    pub date: Option<OffsetDateTime>,
    pub calendar: Vec<CalendarEvent>,
    /// Addresses the mail links to (an HTML body's `href`s), beside those
    /// written in its text.
    pub links: Vec<String>,
}

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Applied,
    Rejection,
    InterviewInvitation,
    Offer,
    RecruiterOutreach,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Applied,
        Kind::Rejection,
        Kind::InterviewInvitation,
        Kind::Offer,
        Kind::RecruiterOutreach,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Applied => "applied",
            Kind::Rejection => "rejection",
            Kind::InterviewInvitation => "interview_invitation",
            Kind::Offer => "offer",
            Kind::RecruiterOutreach => "recruiter_outreach",
            Kind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The status an application moves to for this kind of mail.
    pub fn proposed_status(self) -> Option<Status> {
        match self {
            Kind::Applied => Some(Status::Applied),
            Kind::Rejection => Some(Status::Rejected),
            Kind::InterviewInvitation => Some(Status::Interviewing),
            Kind::Offer => Some(Status::Offer),
            Kind::RecruiterOutreach | Kind::Other => None,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The interview an invitation proposes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProposedInterview {
    #[serde(serialize_with = "serde_ts::option_timestamp")]
    pub scheduled_at: Option<OffsetDateTime>,
    pub meeting_url: Option<String>,
    pub kind: Option<InterviewKind>,
}

/// A new application a mail proposes: wishlist for an outreach, applied
/// for a confirmation of an application the user never recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewApplication {
    pub company: String,
    pub title: String,
}

/// The change a mail proposes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Proposed {
    pub status: Option<Status>,
    pub interview: Option<ProposedInterview>,
    pub new_application: Option<NewApplication>,
}

/// What a mail is about, the application it is about, and the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub kind: Kind,
    /// 0 to 1.
    pub confidence: f64,
    pub application_id: Option<Uuid>,
    /// How the application was matched.
    #[serde(skip)]
    pub matched_by: Option<MatchedBy>,
    pub proposed: Proposed,
    /// Why, in a few words (for the log).
    #[serde(skip)]
    pub reason: &'static str,
}

impl Classification {
    fn other(reason: &'static str) -> Classification {
        Classification {
            kind: Kind::Other,
            confidence: 0.0,
            application_id: None,
            matched_by: None,
            proposed: Proposed::default(),
            reason,
        }
    }
}

/// Compiled phrase tables, built once.
struct Tables {
    kinds: Vec<(Kind, Vec<Frame>)>,
    personal: Vec<Frame>,
    conditional: Vec<Pattern>,
    job_context: Vec<Pattern>,
    candidacy: Vec<Pattern>,
    not_about: Vec<(&'static NotAboutAnApplication, Vec<Pattern>, Vec<Pattern>)>,
    interview_event: Vec<Pattern>,
    interview_kinds: Vec<(InterviewKind, Vec<Pattern>)>,
}

static TABLES: std::sync::LazyLock<Tables> = std::sync::LazyLock::new(|| Tables {
    // The order is the precedence between kinds.
    kinds: vec![
        (
            Kind::Rejection,
            compile_frames(rules::REJECTION, rules::REJECTION_FRAMES),
        ),
        (
            Kind::Offer,
            compile_frames(rules::OFFER, rules::OFFER_FRAMES),
        ),
        (
            Kind::InterviewInvitation,
            compile_hedged(
                rules::INTERVIEW_INVITATION,
                rules::INTERVIEW_INVITATION_FRAMES,
                &[rules::HEDGE_WILL, rules::HEDGE_MAY],
            ),
        ),
        (
            Kind::Applied,
            compile_frames(rules::APPLIED, rules::APPLIED_FRAMES),
        ),
        (
            Kind::RecruiterOutreach,
            compile_frames(
                &[rules::RECRUITER_PERSONAL, rules::RECRUITER_OUTREACH].concat(),
                &[
                    rules::RECRUITER_PERSONAL_FRAMES,
                    rules::RECRUITER_OUTREACH_FRAMES,
                ]
                .concat(),
            ),
        ),
    ],
    personal: compile_frames(rules::RECRUITER_PERSONAL, rules::RECRUITER_PERSONAL_FRAMES),
    conditional: compile(rules::CONDITIONAL),
    job_context: compile(rules::JOB_CONTEXT),
    candidacy: compile(rules::CANDIDACY),
    not_about: NOT_ABOUT_AN_APPLICATION
        .iter()
        .map(|n| (n, compile(n.anywhere), compile(n.in_subject)))
        .collect(),
    interview_event: compile(rules::INTERVIEW_EVENT),
    interview_kinds: rules::INTERVIEW_KINDS
        .iter()
        .filter_map(|(name, phrases)| Some((InterviewKind::parse(name)?, compile(phrases))))
        .collect(),
});

/// A mail cut into what the rules read.
struct Reading {
    sender: Sender,
    subject_text: String,
    body_text: String,
    subject: Vec<Vec<String>>,
    body: Vec<Vec<String>>,
    links: Vec<String>,
}

impl Reading {
    fn of(mail: &Mail) -> Reading {
        let mut body_text = without_quoted_reply(&mail.text);
        for event in mail.calendar.iter().take(EVENTS_READ) {
            for part in [&event.summary, &event.location, &event.description]
                .into_iter()
                .flatten()
            {
                body_text.push('\n');
                body_text.push_str(&cut(part, TEXT_MAX_CHARS / 4));
            }
        }
        let mut links: Vec<String> = mail.links.iter().take(500).cloned().collect();
        for event in &mail.calendar {
            links.extend(event.url.iter().cloned());
        }
        links.extend(links::urls_in(&body_text));
        Reading {
            sender: Sender::read(&mail.from_address, &mail.from_name),
            subject: sentences(&cut(&mail.subject, SUBJECT_MAX_CHARS)),
            body: sentences(&body_text),
            subject_text: cut(&mail.subject, SUBJECT_MAX_CHARS),
            body_text,
            links,
        }
    }

    fn evidence(&self) -> MatchEvidence<'_> {
        MatchEvidence {
            sender: &self.sender,
            subject: &self.subject,
            body: &self.body,
            links: &self.links,
        }
    }
}

/// At most `max` characters of `s`.
fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

/// The new text of a reply: quoted lines and everything after an
/// attribution line ("On Mon, … wrote:", "-----Original Message-----") are
/// dropped; a forwarded message is kept. At most [`TEXT_MAX_CHARS`].
fn without_quoted_reply(text: &str) -> String {
    let text = cut(text, TEXT_MAX_CHARS);
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim();
        let attribution = (trimmed.starts_with("On ") && trimmed.ends_with("wrote:"))
            || (trimmed.starts_with("Am ") && trimmed.ends_with("schrieb:"))
            || (trimmed.starts_with("Le ") && trimmed.ends_with("a écrit :"))
            || (trimmed.starts_with("Le ") && trimmed.ends_with("a écrit:"))
            || (trimmed.starts_with("El ") && trimmed.ends_with("escribió:"))
            || trimmed.starts_with("-----Original Message-----");
        if attribution {
            break;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Where a kind's phrases were found.
#[derive(Debug, Clone, Copy, Default)]
struct Hits {
    /// Distinct phrases in the subject.
    subject: usize,
    /// Sentences of the body that state one.
    body_sentences: usize,
    /// Distinct phrases anywhere.
    distinct: usize,
}

impl Hits {
    fn any(self) -> bool {
        self.distinct > 0
    }
}

/// Whether `pattern` is stated as a fact in `sentence`: found, with no
/// condition ("if", "should we"…) before it.
fn stated(pattern: &Frame, sentence: &[String], conditional: &[Pattern]) -> bool {
    let Some(start) = pattern.first_at(sentence) else {
        return false;
    };
    !conditional
        .iter()
        .filter_map(|c| c.first_at(sentence))
        .any(|c| c < start)
}

fn hits(patterns: &[Frame], r: &Reading, conditional: &[Pattern]) -> Hits {
    let mut h = Hits::default();
    let mut sentences = vec![false; r.body.len()];
    for p in patterns {
        let in_subject = r.subject.iter().any(|s| stated(p, s, conditional));
        let mut in_body = false;
        for (i, s) in r.body.iter().enumerate() {
            if stated(p, s, conditional) {
                sentences[i] = true;
                in_body = true;
            }
        }
        h.subject += usize::from(in_subject);
        h.distinct += usize::from(in_subject || in_body);
    }
    h.body_sentences = sentences.iter().filter(|s| **s).count();
    h
}

fn any_in(patterns: &[Pattern], sentences: &[Vec<String>]) -> bool {
    patterns
        .iter()
        .any(|p| sentences.iter().any(|s| p.is_in(s)))
}

fn is_interview_event(event: &CalendarEvent, t: &Tables) -> bool {
    !event.cancelled
        && [&event.summary, &event.description]
            .into_iter()
            .flatten()
            .any(|text| any_in(&t.interview_event, &sentences(text)))
}

/// Whether a person (not a machine, not a board's alerts) wrote the mail.
fn from_a_person(sender: &Sender) -> bool {
    match sender.kind {
        SenderKind::JobBoard => {
            // "Jane Doe via LinkedIn" is a member's message; "LinkedIn Job
            // Alerts" is not.
            let name = sender.name.split(" via ").next().unwrap_or_default();
            let name_words = words(name);
            !name_words.is_empty()
                && !name_words.iter().any(|w| {
                    rules::PLATFORM_NAMES.contains(&w.as_str()) || w == "jobs" || w == "alerts"
                })
        }
        SenderKind::FreeMail | SenderKind::Unknown => false,
        SenderKind::Ats | SenderKind::Organisation => !sender.is_automated(),
    }
}

/// What a mail is about, which application, and the change it proposes.
/// `time_zone` (IANA) is the user's: what "your time" means in the mail.
pub fn classify(mail: &Mail, candidates: &[Candidate], time_zone: &str) -> Classification {
    let t = &*TABLES;
    let r = Reading::of(mail);
    let found: Vec<(Kind, Hits)> = t
        .kinds
        .iter()
        .map(|(kind, patterns)| (*kind, hits(patterns, &r, &t.conditional)))
        .collect();
    let hits_of = |kind: Kind| {
        found
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, h)| *h)
            .unwrap_or_default()
    };
    let calendar_interview = mail.calendar.iter().any(|e| is_interview_event(e, t));
    let personal = hits(&t.personal, &r, &t.conditional).any();

    let mut kind = found
        .iter()
        .find(|(k, h)| {
            if *k == Kind::RecruiterOutreach {
                h.distinct >= 2 && personal
            } else {
                h.any()
            }
        })
        .map(|(k, _)| *k);
    let calendar_only = kind.is_none_or(|k| k == Kind::Applied || k == Kind::RecruiterOutreach)
        && calendar_interview;
    if calendar_only {
        kind = Some(Kind::InterviewInvitation);
    }
    let Some(mut kind) = kind else {
        return Classification::other("no application news");
    };
    let h = hits_of(kind);
    let news_in_subject = h.subject > 0;

    let reads_like_a_notice = match something_else(&r, news_in_subject, t) {
        Ok(notice) => notice,
        Err(reason) => return Classification::other(reason),
    };
    if r.sender.is_vendor_marketing() {
        return Classification::other("an ATS vendor's own mail");
    }

    let matched = find_application(&r.evidence(), candidates)
        .filter(|m| m.by != MatchedBy::Title || !names_another_employer(&r, candidates, m.id));
    // An outreach is about a role of its own: the same employer's other
    // application is not it, unless the mail names that job.
    let matched = if kind == Kind::RecruiterOutreach {
        matched.filter(|m| m.by == MatchedBy::Posting || m.title_named)
    } else {
        matched
    };
    let about_a_job = matches!(r.sender.kind, SenderKind::Ats | SenderKind::JobBoard)
        || matched.is_some_and(|m| m.by >= MatchedBy::Sender)
        || any_in(&t.job_context, &r.subject)
        || any_in(&t.job_context, &r.body);
    if !about_a_job {
        return Classification::other("not about a job");
    }
    if r.sender.kind == SenderKind::FreeMail {
        return Classification::other("a person's own mail");
    }
    let named = matched.is_some_and(|m| m.by >= MatchedBy::CompanyInBody);
    if calendar_only && !(named || r.sender.kind == SenderKind::Ats) {
        return Classification::other("a calendar event from no employer");
    }
    let plain = news_in_subject || h.body_sentences >= 2 || r.sender.kind == SenderKind::Ats;
    if matched.is_none() && !plain {
        return Classification::other("a passing phrase, no application");
    }
    let weakly_matched = matched.is_none_or(|m| m.by <= MatchedBy::CompanyInBody);
    let as_candidate = any_in(&t.candidacy, &r.subject) || any_in(&t.candidacy, &r.body);
    if weakly_matched && kind != Kind::RecruiterOutreach && !as_candidate {
        return Classification::other("not written to a candidate");
    }
    if kind == Kind::Offer && matched.is_none() {
        return Classification::other("an offer for no application");
    }
    if kind == Kind::InterviewInvitation
        && matched.is_none()
        && hits_of(Kind::RecruiterOutreach).distinct >= 2
        && personal
    {
        kind = Kind::RecruiterOutreach;
    }
    if kind == Kind::RecruiterOutreach && !from_a_person(&r.sender) {
        return Classification::other("outreach-like mail from a machine");
    }

    let proposed = propose(kind, mail, &r, matched.is_some(), time_zone, t);
    let confidence = confidence(&Evidence {
        kind,
        hits: h,
        sender: r.sender.kind,
        matched: matched.map(|m| m.by),
        calendar_only,
        reads_like_a_notice,
    });
    Classification {
        kind,
        confidence,
        application_id: matched.map(|m| m.id),
        matched_by: matched.map(|m| m.by),
        proposed,
        reason: "states it",
    }
}

/// Whether the mail plainly names an employer other than the application's
/// ("Thanks for applying to Endframe"): then a job title the two share is
/// not the application (an ATS writes for many employers).
fn names_another_employer(r: &Reading, candidates: &[Candidate], id: Uuid) -> bool {
    let Some(candidate) = candidates.iter().find(|c| c.id == id) else {
        return false;
    };
    let (Some(named), _) =
        extract::company_and_title(&r.sender, &r.subject_text, &r.body_text, false)
    else {
        return false;
    };
    let named = matching::company_words(&named).concat();
    let ours = matching::company_words(&candidate.company).concat();
    !named.is_empty() && !ours.is_empty() && !named.contains(&ours) && !ours.contains(&named)
}

/// Mail that is something else (an alert, a newsletter, a receipt…): the
/// reason, or whether the body only reads like a notice below a subject that
/// states the news.
fn something_else(r: &Reading, news_in_subject: bool, t: &Tables) -> Result<bool, &'static str> {
    let mut reads_like_a_notice = false;
    for (what, anywhere, in_subject) in &t.not_about {
        if any_in(in_subject, &r.subject) || any_in(anywhere, &r.subject) {
            return Err(what.reason);
        }
        if any_in(anywhere, &r.body) {
            if !(what.footer && news_in_subject) {
                return Err(what.reason);
            }
            reads_like_a_notice = true;
        }
    }
    Ok(reads_like_a_notice)
}

/// What the confidence is computed from.
struct Evidence {
    kind: Kind,
    hits: Hits,
    sender: SenderKind,
    matched: Option<MatchedBy>,
    calendar_only: bool,
    reads_like_a_notice: bool,
}

/// The confidence (see the module's notes), 0.05 to 0.99 in hundredths.
fn confidence(e: &Evidence) -> f64 {
    let in_subject = e.hits.subject > 0;
    let mut c: f64 = 0.55;
    if in_subject {
        c += 0.15;
    }
    if e.hits.body_sentences >= 2 || (in_subject && e.hits.body_sentences >= 1) {
        c += 0.05;
    }
    if e.sender == SenderKind::Ats || e.matched.is_some_and(|by| by >= MatchedBy::Sender) {
        c += 0.1;
    }
    c += match e.matched {
        Some(MatchedBy::Posting | MatchedBy::Sender) => 0.15,
        Some(MatchedBy::CompanyInHeaders | MatchedBy::CompanyInBody) => 0.1,
        Some(MatchedBy::Title) | None => 0.0,
    };
    if e.calendar_only {
        c -= 0.05;
    }
    if e.reads_like_a_notice {
        c -= 0.2;
    }
    if e.kind == Kind::RecruiterOutreach {
        c = c.min(0.79);
    }
    (c.clamp(0.05, 0.99) * 100.0).round() / 100.0
}

fn propose(
    kind: Kind,
    mail: &Mail,
    r: &Reading,
    matched: bool,
    time_zone: &str,
    t: &Tables,
) -> Proposed {
    let mut proposed = Proposed {
        status: kind.proposed_status(),
        ..Proposed::default()
    };
    match kind {
        Kind::InterviewInvitation => {
            proposed.interview = Some(interview(mail, r, time_zone, t));
        }
        Kind::Applied | Kind::RecruiterOutreach if !matched => {
            let outreach = kind == Kind::RecruiterOutreach;
            if let (Some(company), Some(title)) =
                extract::company_and_title(&r.sender, &r.subject_text, &r.body_text, outreach)
            {
                proposed.new_application = Some(NewApplication { company, title });
            }
        }
        _ => {}
    }
    proposed
}

fn interview(mail: &Mail, r: &Reading, time_zone: &str, t: &Tables) -> ProposedInterview {
    let events: Vec<&CalendarEvent> = mail.calendar.iter().filter(|e| !e.cancelled).collect();
    let mut starts: Vec<OffsetDateTime> = events.iter().filter_map(|e| e.start).collect();
    starts.sort();
    starts.dedup();
    let scheduled_at = match starts.as_slice() {
        [one] => Some(*one),
        [] => {
            let text = format!("{}\n\n{}", r.subject_text, without_quoted_reply(&mail.text));
            when::stated_time(&text, mail.date, time_zone)
        }
        _ => None,
    };
    let from_events = events.iter().flat_map(|e| {
        e.url.iter().cloned().chain(
            [&e.location, &e.description]
                .into_iter()
                .flatten()
                .flat_map(|s| links::urls_in(s)),
        )
    });
    let all: Vec<String> = from_events.chain(r.links.iter().cloned()).collect();
    let meeting_url = links::meeting_link(all.iter().map(String::as_str));
    let kind = t
        .interview_kinds
        .iter()
        .find(|(_, patterns)| any_in(patterns, &r.subject) || any_in(patterns, &r.body))
        .map(|(k, _)| *k);
    ProposedInterview {
        scheduled_at,
        meeting_url,
        kind,
    }
}

#[cfg(test)]
mod tests;
