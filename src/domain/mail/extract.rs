//! The company and job title a mail names, for a new application: a
//! confirmation of an application the user never recorded, or a recruiter's
//! role. Only names written the usual ways are taken ("applying to Acme",
//! "the Data Engineer position", "a Senior Rust Engineer role at Hooli");
//! otherwise nothing is proposed.

use std::sync::LazyLock;

use regex::Regex;

use super::rules::{PLATFORM_NAMES, SENDER_NAME_SUFFIXES};
use super::sender::{Sender, SenderKind};
use super::words::words;

/// A name as written: capitalised words (up to five), `&` and digits allowed.
const NAME: &str = r"[A-Z0-9][\w&'’.+-]*(?:[ \t]+(?:[A-Z0-9&][\w&'’.+-]*|of|de|and|&)){0,4}";

/// A job title: capitalised words with the lowercase joints titles have.
const TITLE: &str =
    r"[A-Z][\w+#/&’'.-]*(?:[ \t]+(?:[A-Z(][\w+#/&’'().-]*|of|for|and|in|&|-|–|/)){0,7}";

fn build(pattern: &str) -> Regex {
    // Built from the constants above: a failure would show in every test run.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("a valid built-in pattern")
}

static COMPANY_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(r"(?:[Aa]pplying|[Aa]pplied|[Aa]pplication|[Aa]pply)[ \t]+(?:to|at|with|bei|chez)[ \t]+(?P<c>{NAME})"),
        format!(r"(?:[Aa]pplication|[Aa]pplying|[Aa]pplied)[ \t]+for[ \t]+(?:the[ \t]+)?{TITLE}[ \t]+at[ \t]+(?P<c>{NAME})"),
        format!(r"(?:was sent to|interest in|interest in joining|interest in working at)[ \t]+(?P<c>{NAME})"),
        format!(r"(?:[Pp]osition|[Rr]ole|[Oo]pportunity|[Oo]pening|[Jj]ob|[Ee]ngineer|[Dd]eveloper|[Mm]anager)[ \t]+(?:at|with|bei|chez)[ \t]+(?P<c>{NAME})"),
        format!(r"(?P<c>{NAME})[ \t]+(?:is hiring|is looking for)"),
        format!(r"\b(?:work|working|partner|partnering)[ \t]+with[ \t]+(?P<c>{NAME})[ \t]+on\b"),
    ]
    .iter()
    .map(|p| build(p))
    .collect()
});

static TITLE_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(r"(?:[Aa]pplication|[Aa]pplying|[Aa]pplied)[ \t]+for[ \t]+(?:the[ \t]+|our[ \t]+)?(?:position[ \t]+of[ \t]+|role[ \t]+of[ \t]+)?(?P<t>{TITLE})"),
        format!(r"\b(?:the|our|this)[ \t]+(?P<t>{TITLE})[ \t]+(?:position|role|opening|vacancy|job)\b"),
        format!(r"\b(?:a|an)[ \t]+(?P<t>{TITLE})[ \t]+(?:role|position|opening|opportunity)\b"),
        format!(r"\b(?:hiring|opening for|looking for)[ \t]+(?:a|an)[ \t]+(?P<t>{TITLE})"),
        format!(r"(?:[Pp]osition|[Rr]ole|[Jj]ob [Tt]itle|[Ss]telle|[Pp]oste)[ \t]*:[ \t]*(?P<t>{TITLE})"),
        format!(r"^[^:\n]*[Aa]pplication[^:\n]*:[ \t]*(?P<t>{TITLE})"),
    ]
    .iter()
    .map(|p| build(p))
    .collect()
});

/// Words a capture may pick up that are never a company.
const NOT_A_COMPANY: &[&str] = &[
    "us", "our", "we", "the", "your", "you", "a", "an", "this", "them", "it", "our team",
    "the team",
];

/// Trailing words a title capture may drag along ("Senior Engineer at").
const TITLE_TAIL: &[&str] = &["at", "with", "for", "in", "and", "of", "-", "–", "/", "&"];

fn clean(s: &str) -> String {
    s.trim()
        .trim_end_matches(['.', ',', '!', '?', ':', ';', '’', '\''])
        .trim()
        .to_owned()
}

fn is_platform(name: &str) -> bool {
    let lower = words(name).join(" ");
    lower.is_empty() || PLATFORM_NAMES.contains(&lower.as_str())
}

/// A captured name up to the end of its sentence ("Acme Corp. We" → "Acme Corp").
fn up_to_sentence_end(name: &str) -> String {
    let mut kept = Vec::new();
    for word in name.split_whitespace() {
        kept.push(word);
        if word.ends_with(['.', '!', '?']) && word.len() > 1 {
            break;
        }
    }
    while kept
        .last()
        .is_some_and(|w| ["of", "de", "and", "&"].contains(w))
    {
        kept.pop();
    }
    clean(&kept.join(" "))
}

/// A subject that is a job and its employer: "Senior SRE at Hooli".
static SUBJECT_JOB_AT: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(
        r"^(?P<t>{TITLE})[ \t]+at[ \t]+(?P<c>{NAME})[?!.]?$"
    ))
});

fn company_in(text: &str) -> Option<String> {
    COMPANY_PATTERNS.iter().find_map(|re| {
        re.captures_iter(text).find_map(|c| {
            let name = up_to_sentence_end(c.name("c")?.as_str());
            let lower = name.to_lowercase();
            (!NOT_A_COMPANY.contains(&lower.as_str()) && !is_platform(&name)).then_some(name)
        })
    })
}

fn title_in(text: &str) -> Option<String> {
    TITLE_PATTERNS.iter().find_map(|re| {
        re.captures_iter(text).find_map(|c| {
            let mut parts: Vec<&str> = Vec::new();
            for word in c.name("t")?.as_str().split_whitespace() {
                parts.push(word);
                // A sentence ends here ("Founding Engineer. I think"), not
                // an abbreviation ("Sr. Engineer").
                if word.ends_with('.') && word.chars().count() > 4 {
                    break;
                }
            }
            while parts
                .last()
                .is_some_and(|w| TITLE_TAIL.contains(w) || w.chars().all(|c| !c.is_alphanumeric()))
            {
                parts.pop();
            }
            let title = clean(&parts.join(" "));
            (title.chars().filter(|c| c.is_alphanumeric()).count() >= 2).then_some(title)
        })
    })
}

/// The employer a sender's display name or domain names: "Acme Recruiting"
/// → "Acme"; for an organisation without such a name, its domain ("acme").
fn company_of_sender(sender: &Sender) -> Option<String> {
    let mut name = sender.name.trim().to_owned();
    if let Some((before, _)) = name.split_once(" via ") {
        name = before.trim().to_owned();
    }
    let mut stripped = false;
    for suffix in SENDER_NAME_SUFFIXES {
        let lower = name.to_lowercase();
        if let Some(rest) = lower.strip_suffix(suffix) {
            if rest.ends_with(' ') || rest.ends_with('-') {
                name = clean(name[..rest.len()].trim_end_matches([' ', '-']));
                stripped = true;
                break;
            }
        }
    }
    let from_name = (!name.is_empty() && !is_platform(&name)).then_some(name);
    match sender.kind {
        SenderKind::Ats | SenderKind::JobBoard => from_name.filter(|_| stripped),
        SenderKind::Organisation => {
            let label = sender.registrable_label()?;
            // A display name is the employer's only when it contains the
            // domain's name (not "Jane Doe").
            let names_domain = from_name
                .as_ref()
                .is_some_and(|n| words(n).concat().contains(&label.replace('-', "")));
            if names_domain {
                from_name
            } else {
                let mut chars = label.chars();
                chars
                    .next()
                    .map(|f| f.to_uppercase().collect::<String>() + chars.as_str())
            }
        }
        SenderKind::FreeMail | SenderKind::Unknown => None,
    }
}

/// The company and title a mail names, each only where it is written
/// plainly: the subject first, then the sender (for the company), then
/// the body. A recruiter writes for someone else: for `outreach` the body
/// names the employer before the sender does.
pub fn company_and_title(
    sender: &Sender,
    subject: &str,
    body: &str,
    outreach: bool,
) -> (Option<String>, Option<String>) {
    let subject = subject.trim();
    let job_at = SUBJECT_JOB_AT.captures(subject);
    let subject_company = || {
        company_in(subject).or_else(|| {
            job_at
                .as_ref()
                .and_then(|c| c.name("c"))
                .map(|c| up_to_sentence_end(c.as_str()))
                .filter(|c| !is_platform(c))
        })
    };
    let company = if outreach {
        // An agency's "my client" is not the agency.
        let for_a_client = words(body).iter().any(|w| w == "client" || w == "clients");
        subject_company()
            .or_else(|| company_in(body))
            .or_else(|| company_of_sender(sender).filter(|_| !for_a_client))
    } else {
        subject_company()
            .or_else(|| company_of_sender(sender))
            .or_else(|| company_in(body))
    };
    let title = title_in(subject).or_else(|| title_in(body)).or_else(|| {
        job_at
            .as_ref()
            .and_then(|c| c.name("t"))
            .map(|t| clean(t.as_str()))
    });
    (company, title)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(from: &str, name: &str, subject: &str, body: &str) -> (Option<String>, Option<String>) {
        company_and_title(&Sender::read(from, name), subject, body, false)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn an_ats_confirmation_names_company_and_title() {
        assert_eq!(
            read(
                "no-reply@us.greenhouse-mail.io",
                "Umbrella Recruiting",
                "Thank you for applying to Umbrella",
                "We have received your application for the Senior Rust Engineer position."
            ),
            (some("Umbrella"), some("Senior Rust Engineer"))
        );
        assert_eq!(
            read(
                "no-reply@hire.lever.co",
                "Lever",
                "Your application for Head of Data at Vandelay Industries",
                ""
            ),
            (some("Vandelay Industries"), some("Head of Data"))
        );
    }

    #[test]
    fn an_outreach_names_the_role_and_the_employer() {
        let body =
            "I'm hiring for a Staff Platform Engineer role at Stark Industries and thought of you.";
        let sender = Sender::read("jane@talentbridge.io", "Jane Smith");
        assert_eq!(
            company_and_title(&sender, "Opportunity", body, true),
            (some("Stark Industries"), some("Staff Platform Engineer"))
        );
        assert_eq!(
            company_and_title(&sender, "Opportunity", "Are you open to a chat?", true),
            (some("Talentbridge"), None)
        );
    }

    #[test]
    fn a_sender_name_with_a_team_suffix_names_the_employer() {
        let s = Sender::read("careers@wonka.com", "Wonka Careers Team");
        assert_eq!(company_of_sender(&s), some("Wonka"));
        let s = Sender::read("no-reply@greenhouse.io", "Greenhouse");
        assert_eq!(company_of_sender(&s), None);
    }

    #[test]
    fn nothing_is_made_up_when_nothing_is_written() {
        assert_eq!(
            read("sam@gmail.com", "Sam", "hey", "how are you"),
            (None, None)
        );
    }
}
