//! A job title and company read from a heading: a page title such as
//! "Senior Engineer - Acme | LinkedIn", or the first lines of pasted text
//! such as "Senior Engineer at Acme". When the shape is unclear, the company
//! stays unknown.

use super::text::one_line;

/// What separates a title from a company or a site name in a page title.
const SEPARATORS: [&str; 7] = [" | ", " - ", " – ", " — ", " · ", " • ", " :: "];

/// Job boards and applicant tracking systems, as [`key`] writes their names:
/// a site of these names is never the employer.
const JOB_BOARDS: [&str; 48] = [
    "adzuna",
    "angellist",
    "angellisttalent",
    "arbeitnow",
    "ashby",
    "ashbyhq",
    "bamboohr",
    "breezy",
    "breezyhr",
    "builtin",
    "careerbuilder",
    "dice",
    "glassdoor",
    "greenhouse",
    "handshake",
    "hired",
    "himalayas",
    "icims",
    "indeed",
    "jazzhr",
    "jobvite",
    "jooble",
    "lever",
    "linkedin",
    "monster",
    "myworkdayjobs",
    "naukri",
    "otta",
    "personio",
    "recruitee",
    "reed",
    "reedcouk",
    "remoteok",
    "remotive",
    "seek",
    "simplyhired",
    "smartrecruiters",
    "stackoverflow",
    "stepstone",
    "teamtailor",
    "totaljobs",
    "weworkremotely",
    "welcometothejungle",
    "wellfound",
    "workable",
    "workatastartup",
    "workday",
    "ziprecruiter",
];

/// Page headings that name no particular job.
const GENERIC: [&str; 14] = [
    "apply",
    "careers",
    "career",
    "currentopenings",
    "home",
    "jobopenings",
    "jobs",
    "joinus",
    "joinourteam",
    "openings",
    "openpositions",
    "positions",
    "vacancies",
    "workwithus",
];

/// Words a sentence starts with but a job title does not.
const NOT_TITLE_STARTS: [&str; 16] = [
    "about", "apply", "careers", "come", "hiring", "i", "jobs", "join", "life", "our", "this",
    "we", "we're", "work", "working", "you",
];

/// A job title and the company, either possibly unknown.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Headline {
    pub(super) title: Option<String>,
    pub(super) company: Option<String>,
}

/// A name reduced for comparison: lower-case letters and digits only, without
/// a trailing "jobs", "careers", "com"… ("LinkedIn Jobs" → "linkedin",
/// "Indeed.com" → "indeed", "Acme Careers" → "acme").
fn key(name: &str) -> String {
    let mut k: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let suffixes = ["jobboard", "careersite", "careers", "career", "jobs", "com"];
    while let Some(shorter) = suffixes.iter().find_map(|s| k.strip_suffix(s)) {
        if shorter.is_empty() {
            break;
        }
        k = shorter.to_owned();
    }
    k
}

/// Whether `name` names a job board or applicant tracking system.
fn is_job_board(name: &str) -> bool {
    JOB_BOARDS.contains(&key(name).as_str())
}

fn is_generic(heading: &str) -> bool {
    let k: String = heading
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    GENERIC.contains(&k.as_str())
}

/// The employer a site or heading segment names ("Acme Careers",
/// "Careers at Acme" → "Acme"); `None` for a job board or a generic word.
fn company_name(segment: &str) -> Option<String> {
    let mut name = one_line(segment)?;
    for prefix in ["careers at ", "jobs at ", "working at ", "join "] {
        if let Some(rest) = strip_prefix_ignoring_case(&name, prefix) {
            name = rest.to_owned();
        }
    }
    for suffix in [" careers", " jobs", " career site", " careers page"] {
        if let Some(rest) = strip_suffix_ignoring_case(&name, suffix) {
            name = rest.to_owned();
        }
    }
    let name = name.trim();
    (!name.is_empty() && !is_job_board(name) && !is_generic(name)).then(|| name.to_owned())
}

fn segments(s: &str) -> Vec<&str> {
    let mut parts = vec![s];
    for separator in SEPARATORS {
        parts = parts.iter().flat_map(|p| p.split(separator)).collect();
    }
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Reads a page title (`og:title` or `<title>`). The site's own name and job
/// boards' names at the end are removed; the first segment left is the title.
/// The company is the site's name when it is not a job board, else a second
/// segment ("Senior Engineer - Acme"), else "… at Acme" or LinkedIn's
/// "Acme hiring … in …"; with three segments or more it stays unknown. On a
/// job board's page a title without a company is not taken at all.
pub(super) fn from_page_title(raw: &str, site_name: Option<&str>) -> Headline {
    let Some(line) = one_line(raw) else {
        return Headline::default();
    };
    let line = strip_prefix_ignoring_case(&line, "job application for ").unwrap_or(&line);
    let mut parts = segments(line);
    let is_site = |part: &str| {
        is_job_board(part)
            || is_generic(part)
            || site_name.is_some_and(|site| !key(site).is_empty() && key(part) == key(site))
    };
    let mut on_job_board = site_name.is_some_and(is_job_board);
    while parts.len() > 1 && parts.last().is_some_and(|p| is_site(p)) {
        on_job_board |= parts.last().is_some_and(|p| is_job_board(p));
        parts.pop();
    }
    while parts.len() > 1 && is_job_board(parts[0]) {
        on_job_board = true;
        parts.remove(0);
    }
    let site_company = site_name.and_then(company_name);
    let (title, company) = match parts.as_slice() {
        [] => return Headline::default(),
        [only] => match title_and_company(only) {
            Some((title, company)) => (title, Some(company)),
            None => (only.to_string(), site_company),
        },
        [title, second] => (
            title.to_string(),
            site_company.or_else(|| company_name(second)),
        ),
        [title, ..] => (title.to_string(), site_company),
    };
    // Each job board words its titles its own way ("Acme Senior Engineer
    // Job in Berlin"): there, only a title that also names the company is clear.
    let unclear = on_job_board && company.is_none();
    if unclear
        || is_generic(&title)
        || is_job_board(&title)
        || title.to_lowercase().starts_with("careers at ")
    {
        return Headline::default();
    }
    Headline {
        title: Some(title),
        company,
    }
}

/// "Senior Engineer at Acme" or LinkedIn's "Acme hiring Senior Engineer in
/// Berlin, Germany".
fn title_and_company(s: &str) -> Option<(String, String)> {
    if let Some((company, rest)) = s.split_once(" hiring ") {
        let title = rest.rsplit_once(" in ").map_or(rest, |(title, _)| title);
        return Some((title.trim().to_owned(), company_name(company)?));
    }
    let (title, company) = s.rsplit_once(" at ").or_else(|| s.rsplit_once(" @ "))?;
    Some((title.trim().to_owned(), company_name(company)?)).filter(|(t, _)| !t.is_empty())
}

/// "Title at Company" or "Title - Company" on one of the first three
/// non-empty lines of pasted text; `None` unless both are found and the line
/// reads as a heading rather than a sentence.
pub(super) fn from_text(text: &str) -> Option<Headline> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(3)
        .find_map(heading_line)
}

fn heading_line(line: &str) -> Option<Headline> {
    let line = line.trim_matches(|c: char| c == '#' || c == '*' || c == '_' || c.is_whitespace());
    if line.chars().count() > 150 || line.ends_with(['.', '!', '?', ':', ',', ';']) {
        return None;
    }
    let (title, company) = title_and_company(line).or_else(|| match segments(line).as_slice() {
        [title, company] => Some((title.to_string(), company_name(company)?)),
        _ => None,
    })?;
    let title = one_line(&title)?;
    let plausible = reads_as_title(&title) && company.split_whitespace().count() <= 6;
    plausible.then_some(Headline {
        title: Some(title),
        company: Some(company),
    })
}

fn reads_as_title(title: &str) -> bool {
    let words = title.split_whitespace().count();
    let first = title.split_whitespace().next().unwrap_or("").to_lowercase();
    (1..=10).contains(&words)
        && !title.starts_with(char::is_lowercase)
        && !NOT_TITLE_STARTS.contains(&first.as_str())
        && !is_generic(title)
}

fn strip_prefix_ignoring_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
        .map(str::trim_start)
}

fn strip_suffix_ignoring_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix)
        .then(|| s.get(..cut))
        .flatten()
        .map(str::trim_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headline(title: &str, company: Option<&str>) -> Headline {
        Headline {
            title: Some(title.to_owned()),
            company: company.map(str::to_owned),
        }
    }

    #[test]
    fn page_titles_lose_the_job_board_and_split_into_title_and_company() {
        let cases = [
            (
                "Senior Engineer - Acme | LinkedIn",
                None,
                headline("Senior Engineer", Some("Acme")),
            ),
            (
                "Acme hiring Senior Engineer in Berlin, Germany | LinkedIn",
                Some("LinkedIn"),
                headline("Senior Engineer", Some("Acme")),
            ),
            (
                "Job Application for Data Analyst at Globex",
                None,
                headline("Data Analyst", Some("Globex")),
            ),
            (
                "Backend Developer - Initech - Austin, TX",
                Some("Initech Careers"),
                headline("Backend Developer", Some("Initech")),
            ),
            (
                "Backend Developer - Berlin - Engineering",
                None,
                headline("Backend Developer", None),
            ),
            (
                "Platform Engineer | Acme Careers",
                Some("Acme"),
                headline("Platform Engineer", Some("Acme")),
            ),
            (
                "Platform Engineer",
                Some("Acme Careers"),
                headline("Platform Engineer", Some("Acme")),
            ),
            (
                "Platform Engineer - Berlin",
                Some("Acme"),
                headline("Platform Engineer", Some("Acme")),
            ),
        ];
        for (title, site, expected) in cases {
            assert_eq!(from_page_title(title, site), expected, "{title}");
        }
    }

    #[test]
    fn a_job_boards_title_without_a_company_is_not_taken() {
        for (title, site) in [
            ("Acme Senior Engineer Job in Berlin | Glassdoor", None),
            (
                "Backend Developer - Initech - Austin, TX - Indeed.com",
                Some("Indeed"),
            ),
            ("Platform Engineer", Some("Glassdoor")),
        ] {
            assert_eq!(from_page_title(title, site), Headline::default(), "{title}");
        }
    }

    #[test]
    fn generic_page_titles_name_no_job() {
        for title in ["Careers", "Careers at Acme", "Jobs | Acme", "LinkedIn", ""] {
            assert_eq!(
                from_page_title(title, Some("Acme")),
                Headline::default(),
                "{title}"
            );
        }
    }

    #[test]
    fn job_boards_are_recognised_by_name_in_any_spelling() {
        for name in [
            "LinkedIn",
            "LinkedIn Jobs",
            "Indeed.com",
            "Welcome to the Jungle",
            "Greenhouse Job Board",
        ] {
            assert!(is_job_board(name), "{name}");
        }
        for name in ["Acme", "Acme Careers", "Müller & Söhne"] {
            assert!(!is_job_board(name), "{name}");
        }
    }

    #[test]
    fn pasted_text_gives_title_and_company_only_from_a_heading_line() {
        assert_eq!(
            from_text("\n\n  Senior Engineer at Acme\nBerlin\n"),
            Some(headline("Senior Engineer", Some("Acme")))
        );
        assert_eq!(
            from_text("# Staff Designer — Globex\nRemote"),
            Some(headline("Staff Designer", Some("Globex")))
        );
        for text in [
            "We are looking for a Senior Engineer at Acme.",
            "Join us at Acme",
            "Senior Engineer\nAcme\nBerlin",
            "senior engineer at acme",
            "",
        ] {
            assert_eq!(from_text(text), None, "{text}");
        }
    }
}
