//! Which of the user's applications a mail is about. In order of evidence: a
//! link to the application's posting; the sender's domain against the
//! posting's host and the company (for an ATS or job board, the employer
//! named by the sender's subdomain or local part); the company named in the
//! sender's display name, the subject or the body; then the job title (from
//! an ATS alone: a job board lists other employers' jobs). When
//! the evidence points at several applications equally (two at one
//! company), the title decides, then the one still in play; else none.

use uuid::Uuid;

use super::links::{is_within, page_key};
use super::rules::{ATS_DOMAINS, DOMAIN_AFFIXES, JOB_BOARD_DOMAINS, LEGAL_FORMS};
use super::sender::{registrable_label, Sender, SenderKind};
use super::words::{words, Pattern};
use crate::domain::Status;

/// One of the user's applications, as far as matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: Uuid,
    pub company: String,
    pub title: String,
    pub url: Option<String>,
    pub status: Status,
}

/// How a mail was matched to an application, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchedBy {
    /// The job title alone.
    Title,
    /// The company named in the body.
    CompanyInBody,
    /// The company named in the subject or the sender's display name, or a
    /// link to the employer's job board.
    CompanyInHeaders,
    /// The sender's domain (or the employer's ATS subdomain or local part).
    Sender,
    /// A link to the application's own posting.
    Posting,
}

/// The application a mail is about, and how that was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched {
    pub id: Uuid,
    pub by: MatchedBy,
    /// The mail writes out the application's job title.
    pub title_named: bool,
}

/// The parts of a mail that matching reads.
pub struct Evidence<'a> {
    pub sender: &'a Sender,
    pub subject: &'a [Vec<String>],
    pub body: &'a [Vec<String>],
    pub links: &'a [String],
}

impl Evidence<'_> {
    fn in_subject(&self, p: &Pattern) -> bool {
        self.subject.iter().any(|s| p.is_in(s))
    }

    fn in_body(&self, p: &Pattern) -> bool {
        self.body.iter().any(|s| p.is_in(s))
    }
}

/// A company's name as words, without its legal form ("Acme Corp." →
/// `acme`), and run together (`northwindtraders`).
pub fn company_words(company: &str) -> Vec<String> {
    let all = words(company);
    let kept: Vec<String> = all
        .iter()
        .filter(|w| !LEGAL_FORMS.contains(&w.as_str()))
        .cloned()
        .collect();
    let kept = if kept.is_empty() { all } else { kept };
    match kept.split_first() {
        Some((first, rest)) if first == "the" && !rest.is_empty() => rest.to_vec(),
        _ => kept,
    }
}

/// Whether a domain label names the company: the name itself, or with a
/// common affix (`getacme`, `acmehq`, `acme-careers`).
fn label_names(label: &str, compact: &str) -> bool {
    let label: String = label.chars().filter(|c| c.is_alphanumeric()).collect();
    if compact.len() < 2 || label.is_empty() {
        return false;
    }
    if label == compact {
        return true;
    }
    compact.len() >= 3
        && DOMAIN_AFFIXES.iter().any(|a| {
            label.strip_prefix(a) == Some(compact) || label.strip_suffix(a) == Some(compact)
        })
}

/// What an application's posting address says about its employer.
struct Posting {
    /// The posting itself (`host/path`), when the address has a path.
    page: Option<String>,
    /// The employer's board on an ATS or job board (`boards.greenhouse.io/acme`).
    board: Option<String>,
    /// The employer's name on an ATS (`acme` in `jobs.lever.co/acme`).
    slug: Option<String>,
    /// The registrable name of the employer's own site.
    own_label: Option<String>,
}

fn posting(url: &str) -> Option<Posting> {
    let key = page_key(url)?;
    let (host, path) = key.split_once('/').unwrap_or((key.as_str(), ""));
    let platform = ATS_DOMAINS
        .iter()
        .chain(JOB_BOARD_DOMAINS)
        .any(|d| is_within(host, d));
    let page = (!path.is_empty()).then(|| key.clone());
    if !platform {
        return Some(Posting {
            page,
            board: None,
            slug: None,
            own_label: registrable_label(host).map(str::to_owned),
        });
    }
    let first_label = host.split('.').next().unwrap_or_default();
    let generic = [
        "boards",
        "job-boards",
        "jobs",
        "apply",
        "careers",
        "www",
        "app",
    ];
    let (slug, board) = if generic.contains(&first_label) {
        let segment = path.split('/').next().filter(|s| !s.is_empty());
        (
            segment.map(str::to_owned),
            segment.map(|s| format!("{host}/{s}")),
        )
    } else {
        (Some(first_label.to_owned()), Some(host.to_owned()))
    };
    Some(Posting {
        page,
        board,
        slug,
        own_label: None,
    })
}

/// The strongest company evidence for one application.
fn company_evidence(e: &Evidence<'_>, c: &Candidate) -> Option<MatchedBy> {
    let name = company_words(&c.company);
    let compact = name.concat();
    let posting = c.url.as_deref().and_then(posting);
    let link_keys: Vec<String> = e.links.iter().filter_map(|l| page_key(l)).collect();

    if let Some(page) = posting.as_ref().and_then(|p| p.page.as_ref()) {
        if link_keys
            .iter()
            .any(|k| k == page || k.starts_with(&format!("{page}/")))
        {
            return Some(MatchedBy::Posting);
        }
    }
    let sender = e.sender;
    let by_sender = match sender.kind {
        SenderKind::Organisation => sender.registrable_label().is_some_and(|label| {
            label_names(label, &compact)
                || posting
                    .as_ref()
                    .and_then(|p| p.own_label.as_deref())
                    .is_some_and(|own| own == label)
        }),
        SenderKind::Ats | SenderKind::JobBoard => {
            let slug = posting.as_ref().and_then(|p| p.slug.as_deref());
            let names = |label: &str| {
                label_names(label, &compact)
                    || slug.is_some_and(|s| label_names(label, &s.replace('-', "")))
            };
            names(sender.local.split('+').next().unwrap_or_default())
                || sender.platform_subdomains().iter().any(|l| names(l))
        }
        SenderKind::FreeMail | SenderKind::Unknown => false,
    };
    if by_sender {
        return Some(MatchedBy::Sender);
    }
    if name.is_empty() {
        return None;
    }
    let named = Pattern::new(&name.join(" "));
    let display_name = words(&sender.name);
    let board_linked = posting
        .as_ref()
        .and_then(|p| p.board.as_ref())
        .is_some_and(|b| {
            link_keys
                .iter()
                .any(|k| k == b || k.starts_with(&format!("{b}/")))
        });
    if named.is_in(&display_name) || e.in_subject(&named) || board_linked {
        return Some(MatchedBy::CompanyInHeaders);
    }
    e.in_body(&named).then_some(MatchedBy::CompanyInBody)
}

/// How clearly the mail names the application's job title: 3 written out
/// in the subject, 2 in the body, 1 most of its words, 0 not at all.
fn title_evidence(e: &Evidence<'_>, c: &Candidate) -> u8 {
    let title = words(&c.title);
    if title.is_empty() {
        return 0;
    }
    let written = Pattern::new(&title.join(" "));
    if e.in_subject(&written) {
        return 3;
    }
    if e.in_body(&written) {
        return 2;
    }
    let significant: Vec<&String> = title.iter().filter(|w| w.len() > 2).collect();
    if significant.len() < 2 {
        return 0;
    }
    let present = significant
        .iter()
        .filter(|w| {
            e.subject
                .iter()
                .chain(e.body)
                .any(|s| s.iter().any(|x| x == **w))
        })
        .count();
    u8::from(present * 4 >= significant.len() * 3)
}

/// The application the mail is about, if the evidence names one.
pub fn find_application(e: &Evidence<'_>, candidates: &[Candidate]) -> Option<Matched> {
    let scored: Vec<(&Candidate, Option<MatchedBy>, u8)> = candidates
        .iter()
        .map(|c| (c, company_evidence(e, c), title_evidence(e, c)))
        .collect();
    let best = scored.iter().filter_map(|(_, by, _)| *by).max();
    let (pool, by): (Vec<(&Candidate, u8)>, MatchedBy) = match best {
        Some(best) => (
            scored
                .iter()
                .filter(|(_, by, _)| *by == Some(best))
                .map(|(c, _, t)| (*c, *t))
                .collect(),
            best,
        ),
        // Only an ATS writes for one employer without naming it; a job
        // board lists other employers' jobs, a company writes about its own.
        None if e.sender.kind != SenderKind::Ats => return None,
        None => (
            scored
                .iter()
                .filter(|(_, _, t)| *t >= 2)
                .map(|(c, _, t)| (*c, *t))
                .collect(),
            MatchedBy::Title,
        ),
    };
    let top = pool.iter().map(|(_, t)| *t).max()?;
    only_one(pool, top).map(|id| Matched {
        id,
        by,
        title_named: top >= 2,
    })
}

/// The one application among equals: the best named title (`top`), then
/// the one still in play.
fn only_one(pool: Vec<(&Candidate, u8)>, top: u8) -> Option<Uuid> {
    let pool: Vec<&Candidate> = pool
        .into_iter()
        .filter(|(_, t)| *t == top)
        .map(|(c, _)| c)
        .collect();
    if let [one] = pool.as_slice() {
        return Some(one.id);
    }
    match pool
        .iter()
        .filter(|c| c.status.is_active())
        .collect::<Vec<_>>()
        .as_slice()
    {
        [one] => Some(one.id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mail::words::sentences;

    fn candidate(n: u128, company: &str, title: &str, url: Option<&str>) -> Candidate {
        Candidate {
            id: Uuid::from_u128(n),
            company: company.to_owned(),
            title: title.to_owned(),
            url: url.map(str::to_owned),
            status: Status::Applied,
        }
    }

    fn candidates() -> Vec<Candidate> {
        vec![
            candidate(
                1,
                "Acme Corp",
                "Senior Backend Engineer",
                Some("https://boards.greenhouse.io/acme/jobs/4012"),
            ),
            candidate(
                2,
                "Northwind Traders",
                "Data Engineer",
                Some("https://jobs.lever.co/northwind/7f3a"),
            ),
            candidate(
                3,
                "Globex",
                "Platform Engineer",
                Some("https://globex.wd5.myworkdayjobs.com/en-US/careers/job/123"),
            ),
            candidate(
                4,
                "Initech GmbH",
                "Site Reliability Engineer",
                Some("https://www.initech.de/karriere/sre"),
            ),
            candidate(5, "Initech GmbH", "Backend Developer", None),
            candidate(6, "Hooli", "Staff Engineer", None),
        ]
    }

    fn find(from: &str, name: &str, subject: &str, body: &str, links: &[&str]) -> Option<Matched> {
        let sender = Sender::read(from, name);
        let subject = sentences(subject);
        let body = sentences(body);
        let links: Vec<String> = links.iter().map(|l| (*l).to_owned()).collect();
        let e = Evidence {
            sender: &sender,
            subject: &subject,
            body: &body,
            links: &links,
        };
        find_application(&e, &candidates())
    }

    fn id(n: u128) -> Option<Uuid> {
        Some(Uuid::from_u128(n))
    }

    #[test]
    fn an_ats_sender_is_matched_by_the_employer_it_names() {
        let m = find(
            "no-reply@us.greenhouse-mail.io",
            "Acme Recruiting",
            "Thank you for applying",
            "",
            &[],
        );
        assert_eq!(m.map(|m| m.id), id(1));
        assert_eq!(m.map(|m| m.by), Some(MatchedBy::CompanyInHeaders));

        let m = find(
            "no-reply@hire.lever.co",
            "",
            "Your application",
            "Thanks for applying to Northwind Traders.",
            &[],
        );
        assert_eq!(
            m.map(|m| (m.id, m.by)),
            Some((Uuid::from_u128(2), MatchedBy::CompanyInBody))
        );
    }

    #[test]
    fn an_ats_subdomain_or_local_part_names_the_employer() {
        let m = find(
            "noreply@globex.wd5.myworkdayjobs.com",
            "Workday",
            "Application received",
            "",
            &[],
        );
        assert_eq!(
            m.map(|m| (m.id, m.by)),
            Some((Uuid::from_u128(3), MatchedBy::Sender))
        );
        let m = find("globex@myworkday.com", "", "Application received", "", &[]);
        assert_eq!(m.map(|m| m.id), id(3));
    }

    #[test]
    fn the_senders_own_domain_matches_the_company_or_the_posting_host() {
        let m = find("talent@acme.com", "Jane", "Next steps", "", &[]);
        assert_eq!(
            m.map(|m| (m.id, m.by)),
            Some((Uuid::from_u128(1), MatchedBy::Sender))
        );
        let m = find("jobs@hooli-careers.com", "", "Your application", "", &[]);
        assert_eq!(m.map(|m| m.id), id(6));
    }

    #[test]
    fn a_link_to_the_posting_decides() {
        let m = find(
            "no-reply@hire.lever.co",
            "",
            "Update",
            "Acme Corp and Northwind Traders",
            &["https://jobs.lever.co/northwind/7f3a?ref=mail"],
        );
        assert_eq!(
            m.map(|m| (m.id, m.by)),
            Some((Uuid::from_u128(2), MatchedBy::Posting))
        );
    }

    #[test]
    fn two_applications_at_one_company_are_told_apart_by_title() {
        let m = find(
            "recruiting@initech.de",
            "",
            "Your application: Backend Developer",
            "",
            &[],
        );
        assert_eq!(m.map(|m| m.id), id(5));
        let m = find("recruiting@initech.de", "", "Your application", "", &[]);
        assert_eq!(m, None, "no title: either application could be meant");
    }

    #[test]
    fn the_one_still_in_play_is_chosen_among_equals() {
        let mut list = candidates();
        list[4].status = Status::Rejected;
        let sender = Sender::read("recruiting@initech.de", "");
        let subject = sentences("Your application");
        let e = Evidence {
            sender: &sender,
            subject: &subject,
            body: &[],
            links: &[],
        };
        assert_eq!(find_application(&e, &list).map(|m| m.id), id(4));
    }

    #[test]
    fn a_title_alone_matches_only_for_an_ats_sender() {
        let m = find(
            "no-reply@ashbyhq.com",
            "",
            "Your application for Staff Engineer",
            "",
            &[],
        );
        assert_eq!(
            m.map(|m| (m.id, m.by)),
            Some((Uuid::from_u128(6), MatchedBy::Title))
        );
        let m = find(
            "talent@umbrella.com",
            "",
            "Your application for Staff Engineer",
            "",
            &[],
        );
        assert_eq!(m, None, "a company we do not track");
        let m = find(
            "alert@indeed.com",
            "",
            "Jobs",
            "Staff Engineer - Umbrella",
            &[],
        );
        assert_eq!(m, None, "a job board's listing");
    }

    #[test]
    fn a_lookalike_domain_or_an_unnamed_company_matches_nothing() {
        assert_eq!(find("hr@acmebank.com", "", "Hello", "", &[]), None);
        assert_eq!(find("sam@gmail.com", "Sam", "lunch?", "see you", &[]), None);
    }

    #[test]
    fn company_names_lose_their_legal_form() {
        assert_eq!(company_words("Acme Corp."), vec!["acme"]);
        assert_eq!(company_words("The Initech GmbH"), vec!["initech"]);
        assert_eq!(company_words("Co"), vec!["co"]);
    }
}
