//! A posting split into its parts and its individual asks. Headings
//! (English and German) say what a part is; without headings, cue phrases
//! in each sentence do ("you will…", "you have…", "…is a plus"). Only the
//! responsibilities, requirements and nice-to-have parts give asks: what a
//! company says about itself, its pay, perks and logistics never do. One
//! pass over the lines; every check is a bounded scan of one sentence.

use crate::domain::capture::html_to_text;

/// What a part of a posting is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Before any heading, or under one the splitter does not know:
    /// sentences count only by their own cues.
    Unknown,
    Company,
    Responsibilities,
    Requirements,
    NiceToHave,
    /// Pay, perks, logistics, the hiring process.
    Offer,
}

/// One ask of the posting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub text: String,
    pub nice_to_have: bool,
}

/// At most this many asks are read from one posting: a careful reader's
/// list, and a bound on the matcher's work for any input.
pub const MAX_ASKS: usize = 60;

const HEADINGS: &[(Part, &[&str])] = &[
    (
        Part::Company,
        &[
            "about us",
            "about the company",
            "who we are",
            "our company",
            "the company",
            "company description",
            "our mission",
            "our story",
            "about the team",
            "the team",
            "our team",
            "meet the team",
            "why us",
            "über uns",
            "wer wir sind",
            "das sind wir",
            "unser unternehmen",
            "das unternehmen",
            "über das unternehmen",
            "unser team",
            "das team",
            "wir über uns",
        ],
    ),
    (
        Part::Responsibilities,
        &[
            "what you'll do",
            "what you will do",
            "what you'd do",
            "what you would do",
            "what you will be doing",
            "what you'll be doing",
            "what you'll work on",
            "what you will work on",
            "responsibilities",
            "your responsibilities",
            "key responsibilities",
            "main responsibilities",
            "duties",
            "your tasks",
            "tasks",
            "the role",
            "about the role",
            "your role",
            "the job",
            "about the job",
            "the position",
            "about the position",
            "role description",
            "job description",
            "your mission",
            "your impact",
            "in this role",
            "in this role you will",
            "day to day",
            "a day in the life",
            "what the job involves",
            "deine aufgaben",
            "ihre aufgaben",
            "aufgaben",
            "deine rolle",
            "die rolle",
            "die stelle",
            "das erwartet dich",
            "was dich erwartet",
            "was sie erwartet",
            "deine mission",
            "dein job",
            "your day-to-day",
            "the opportunity",
        ],
    ),
    (
        Part::Requirements,
        &[
            "requirements",
            "qualifications",
            "minimum qualifications",
            "basic qualifications",
            "required qualifications",
            "required skills",
            "skills",
            "skills and experience",
            "experience",
            "what you bring",
            "what you'll bring",
            "what you will bring",
            "you bring",
            "what we're looking for",
            "what we are looking for",
            "who we're looking for",
            "who we are looking for",
            "we're looking for",
            "we are looking for",
            "who you are",
            "about you",
            "you are",
            "you have",
            "what you need",
            "what you'll need",
            "what you need to succeed",
            "must have",
            "must haves",
            "must-haves",
            "must-have",
            "your profile",
            "your skills",
            "your experience",
            "ideal candidate",
            "the ideal candidate",
            "is this you",
            "anforderungen",
            "dein profil",
            "ihr profil",
            "was du mitbringst",
            "was sie mitbringen",
            "das bringst du mit",
            "das bringen sie mit",
            "qualifikationen",
            "voraussetzungen",
            "deine qualifikationen",
            "dein skillset",
            "was wir erwarten",
            "was du brauchst",
        ],
    ),
    (
        Part::NiceToHave,
        &[
            "nice to have",
            "nice to haves",
            "nice-to-have",
            "nice-to-haves",
            "bonus",
            "bonus points",
            "bonus points if",
            "bonus points if you",
            "preferred qualifications",
            "preferred skills",
            "preferred",
            "pluses",
            "extra credit",
            "even better",
            "it's a plus",
            "it's a plus if",
            "would be great",
            "bonus if you have",
            "wünschenswert",
            "von vorteil",
            "pluspunkte",
            "nice to have, but not required",
            "optional",
        ],
    ),
    (
        Part::Offer,
        &[
            "benefits",
            "perks",
            "benefits and perks",
            "perks and benefits",
            "what we offer",
            "we offer",
            "what's in it for you",
            "why join us",
            "why you'll love working here",
            "why work with us",
            "compensation",
            "compensation and benefits",
            "salary",
            "pay",
            "salary range",
            "location",
            "logistics",
            "how to apply",
            "the process",
            "interview process",
            "our process",
            "hiring process",
            "next steps",
            "equal opportunity",
            "diversity",
            "diversity and inclusion",
            "our values",
            "values",
            "culture",
            "our culture",
            "wir bieten",
            "was wir bieten",
            "das bieten wir",
            "unser angebot",
            "deine vorteile",
            "ihre vorteile",
            "benefits",
            "gehalt",
            "standort",
            "arbeitsort",
            "bewerbung",
            "so bewirbst du dich",
            "kontakt",
            "contact",
            "working here",
            "life at",
        ],
    ),
];

/// Lower-case, typographic apostrophes folded, markdown and a trailing
/// colon taken off: how a heading line is compared.
fn heading_key(line: &str) -> String {
    // "🚀 What you'll do", "**Requirements:**", "## About us"
    let l = line
        .trim()
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches(|c: char| !(c.is_alphanumeric() || c == ')' || c == '\''));
    l.to_lowercase().replace(['’', '‘', '`'], "'")
}

/// The part a heading line names, if it is one.
fn heading(line: &str) -> Option<Part> {
    let key = heading_key(line);
    if key.is_empty() || key.split_whitespace().count() > 8 || key.len() > 70 {
        return None;
    }
    for (part, names) in HEADINGS {
        if names.contains(&key.as_str()) {
            return Some(*part);
        }
    }
    // "About Nimbus Cloud", "Why Nimbus?", "Life at Acme", "Über Acme"
    for (prefix, part) in [
        ("about ", Part::Company),
        ("über ", Part::Company),
        ("why ", Part::Offer),
        ("life at ", Part::Offer),
        ("working at ", Part::Offer),
        ("benefits ", Part::Offer),
        ("perks ", Part::Offer),
        ("your responsibilities ", Part::Responsibilities),
        ("requirements ", Part::Requirements),
        ("nice to have ", Part::NiceToHave),
    ] {
        if key.starts_with(prefix) && key.split_whitespace().count() <= 5 {
            return Some(part);
        }
    }
    None
}

/// A line that ends with a colon and reads as an introduction to a list
/// ("In this role you will:"): its part by the cues it holds.
fn lead_in(line: &str) -> Option<Part> {
    let t = line.trim().trim_end_matches(['*', '_']);
    if !t.ends_with(':') || t.split_whitespace().count() > 12 {
        return None;
    }
    Some(match cue(&t.to_lowercase()) {
        Cue::Skip => Part::Unknown,
        Cue::Offer => Part::Offer,
        Cue::Company => Part::Company,
        Cue::Nice => Part::NiceToHave,
        Cue::Responsibility => Part::Responsibilities,
        Cue::Requirement => Part::Requirements,
    })
}

/// A short line without a full stop that opens a list of optional asks
/// ("A plus if you have", "Bonus points").
fn nice_heading(line: &str) -> Option<Part> {
    let key = heading_key(line);
    let short = key.split_whitespace().count() <= 6;
    let unpunctuated = !line.trim_end().ends_with(['.', '!', ',', ';']);
    let opens = [
        "a plus",
        "plus",
        "bonus",
        "nice",
        "extra",
        "even better",
        "ideally",
        "preferred",
        "it's a plus",
        "it would be",
    ]
    .iter()
    .any(|c| key.starts_with(c));
    let ends = [
        " if you have",
        " if you",
        " but not required",
        " not required",
    ]
    .iter()
    .any(|c| key.ends_with(c));
    (short && unpunctuated && (opens || ends)).then_some(Part::NiceToHave)
}

/// What one sentence says by its own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Skip,
    Company,
    Offer,
    Nice,
    Responsibility,
    Requirement,
}

const OFFER_CUES: &[&str] = &[
    "salary",
    "compensation",
    "€",
    "$",
    "£",
    "equity",
    "stock option",
    "vacation",
    "paid time off",
    " pto",
    "holiday",
    "benefit",
    "perk",
    "insurance",
    "pension",
    "401",
    "gym",
    "we offer",
    "we provide",
    "wir bieten",
    "urlaub",
    "gehalt",
    "budget",
    "relocation",
    "visa",
    "days a week",
    "days per week",
    "office in",
    "our office",
    "hybrid",
    "fully remote",
    "remote-first",
    "remote first",
    "work from anywhere",
    "apply",
    "send your",
    "send us",
    "equal opportunit",
    "diversity",
    "background check",
    "per year",
    "per annum",
    "a year",
    "home office",
    "homeoffice",
    "start date",
    "starting date",
    "full-time",
    "full time",
    "part-time",
    "contract",
    "laptop",
    "parental leave",
    "learning budget",
    "conference",
    "team event",
    "offsite",
    "bike",
    "jobrad",
    "work week",
    "4-day",
    "competitive",
    "dental",
    "bahncard",
    "fahrrad",
    "flexible hours",
    "flexible working",
    "flexible arbeitszeit",
    "vertrauensarbeitszeit",
    "tarif",
    "unbefristet",
    "festanstellung",
    "bewirb",
    "bewerbung",
    "interview process",
    "hiring process",
    "reasonable accommodation",
    "we are committed",
    "we're committed",
    "all qualified applicants",
    "regardless of",
];

/// Openings that make an ask optional ("Ideally, …", "Bonus: …").
const NICE_STARTS: &[&str] = &[
    "ideally",
    "bonus",
    "nice to have",
    "nice-to-have",
    "plus:",
    "preferred",
    "optional",
    "it's a plus",
    "it is a plus",
    "a plus",
    "even better",
    "idealerweise",
    "wünschenswert",
    "von vorteil",
    "extra points",
];

/// Phrases that make an ask optional wherever they stand (a mid-sentence
/// "ideally in fintech" does not: it only narrows a required ask).
const NICE_ANYWHERE: &[&str] = &[
    "nice to have",
    "nice-to-have",
    "is a plus",
    "are a plus",
    "a plus if",
    "would be a plus",
    "is a big plus",
    "are a big plus",
    "is a bonus",
    "are a bonus",
    "bonus points",
    "(bonus)",
    "(preferred)",
    "(optional)",
    "is preferred",
    "are preferred",
    "would be great",
    "would be nice",
    "even better",
    "von vorteil",
    "wünschenswert",
    "pluspunkt",
    "not required",
    "not a must",
    "kein muss",
];

/// Whether a sentence or an ask says it is optional.
fn says_optional(lower: &str) -> bool {
    NICE_STARTS.iter().any(|c| lower.starts_with(c))
        || NICE_ANYWHERE.iter().any(|c| lower.contains(c))
}

const RESPONSIBILITY_CUES: &[&str] = &[
    "you will ",
    "you'll ",
    "you would ",
    "you'd ",
    "your job ",
    "your role ",
    "in this role",
    "responsible for",
    "you own ",
    "you design ",
    "you build ",
    "you lead ",
    "your day",
    "you're going to",
    "you are going to",
    "du wirst",
    "sie werden",
    "deine aufgabe",
    "zu deinen aufgaben",
    "ihre aufgabe",
    "du verantwortest",
    "du entwickelst",
    "du baust",
    "du gestaltest",
    "du arbeitest",
];

const REQUIREMENT_CUES: &[&str] = &[
    "you have",
    "you've",
    "you bring",
    "you are ",
    "you're ",
    "you know",
    "looking for",
    "we need",
    "you need",
    "required",
    "requirement",
    "must ",
    "should have",
    "experience",
    "years",
    "knowledge",
    "proficien",
    "familiar",
    "fluent",
    "degree",
    "background in",
    "ability to",
    "able to",
    "du hast",
    "du bringst",
    "du verfügst",
    "du kennst",
    "du sprichst",
    "sie haben",
    "sie bringen",
    "sie verfügen",
    "erfahrung",
    "kenntnisse",
    "abgeschlossen",
    "studium",
    "ausbildung",
    "sprichst",
    "hands-on",
    "expertise",
    "track record",
];

/// Sentences that speak about the company in its own voice.
const COMPANY_STARTS: &[&str] = &[
    "we are",
    "we're",
    "we ",
    "our ",
    "founded",
    "since ",
    "headquartered",
    "wir sind",
    "wir ",
    "unser",
    "unsere",
    "seit ",
    "gegründet",
    "join ",
    "at ",
];

fn cue(lower: &str) -> Cue {
    let has = |cues: &[&str]| cues.iter().any(|c| lower.contains(c));
    let hiring = lower.contains("looking for")
        || lower.contains("we need")
        || lower.contains("suchen")
        || lower.contains("seeking")
        || lower.contains("hiring");
    if has(OFFER_CUES) && !has(REQUIREMENT_CUES) && !has(RESPONSIBILITY_CUES) {
        return Cue::Offer;
    }
    if has(OFFER_CUES) && (lower.contains("we offer") || lower.contains("wir bieten")) {
        return Cue::Offer;
    }
    if says_optional(lower) {
        return Cue::Nice;
    }
    if COMPANY_STARTS.iter().any(|c| lower.starts_with(c)) && !hiring {
        return Cue::Company;
    }
    if has(RESPONSIBILITY_CUES) {
        return Cue::Responsibility;
    }
    if has(REQUIREMENT_CUES) || hiring {
        return Cue::Requirement;
    }
    Cue::Skip
}

/// A list marker taken off a line, if it has one.
fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    for m in [
        "- ", "* ", "• ", "· ", "– ", "— ", "▪ ", "◦ ", "‣ ", "✓ ", "✔ ", "➤ ", "→ ", "+ ",
    ] {
        if let Some(rest) = t.strip_prefix(m) {
            return Some(rest.trim());
        }
    }
    // "1. ", "2) ", "a) "
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &t[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(r.trim());
        }
    }
    None
}

/// A line without its list marker.
pub fn bullet_text(line: &str) -> &str {
    bullet(line).unwrap_or(line)
}

/// Whether the text is HTML rather than plain text.
fn is_html(text: &str) -> bool {
    let lower: String = text.chars().take(20_000).collect::<String>().to_lowercase();
    [
        "<p>", "<p ", "<li", "<ul", "<br", "<div", "<h1", "<h2", "<h3", "<h4", "<strong>", "</",
    ]
    .iter()
    .filter(|t| lower.contains(*t))
    .count()
        >= 2
}

const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "z.b", "bzw", "ca", "vs", "incl", "inkl", "approx", "dr", "mr", "ms",
    "mrs", "st", "u.a", "usw", "d.h", "sr", "jr", "no",
];

/// The sentences of a piece of prose (abbreviations and decimals kept whole).
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let next = chars.get(k + 1).map(|x| x.1);
        let after = chars.get(k + 2).map(|x| x.1);
        let ends = match next {
            None => true,
            Some(n) if n.is_whitespace() => {
                after.is_none_or(|a| a.is_uppercase() || a.is_ascii_digit() || !a.is_alphanumeric())
            }
            _ => false,
        };
        if !ends {
            continue;
        }
        let piece = &text[start..i];
        let last_word = piece
            .rsplit(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("")
            .to_lowercase();
        if c == '.' && (ABBREVIATIONS.contains(&last_word.as_str()) || last_word.len() == 1) {
            continue;
        }
        let end = i + c.len_utf8();
        let s = text[start..end].trim();
        if !s.is_empty() {
            out.push(s);
        }
        start = end;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// The asks of a posting, in order, at most [`MAX_ASKS`], each once.
/// `company` is the employer's name, so its self-description is known.
pub fn asks(job_description: &str, company: &str) -> Vec<Ask> {
    asks_counting(job_description, company).0
}

/// [`asks`], with the number of characters it examined: every line once,
/// every sentence once against a fixed list of cues.
pub fn asks_counting(job_description: &str, company: &str) -> (Vec<Ask>, usize) {
    let mut work = job_description.len();
    let text = if is_html(job_description) {
        html_to_text(job_description)
    } else {
        job_description.replace('\r', "")
    };
    let company = company.trim().to_lowercase();
    let mut out: Vec<Ask> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut part = Part::Unknown;
    for line in text.lines() {
        if out.len() >= MAX_ASKS {
            break;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (is_bullet, content) = match bullet(line) {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        if let Some(p) = heading(content) {
            part = p;
            continue;
        }
        // "Requirements: 5+ years backend, Rust or C++"
        let mut content = content;
        if let Some((head, rest)) = content.split_once(':') {
            if let Some(p) = heading(head) {
                part = p;
                content = rest.trim();
                if content.is_empty() {
                    continue;
                }
            }
        }
        if !is_bullet {
            if let Some(p) = lead_in(content).or_else(|| nice_heading(content)) {
                part = p;
                continue;
            }
        }
        for sentence in sentences(content) {
            if out.len() >= MAX_ASKS {
                break;
            }
            work += sentence.len();
            let lower = sentence.to_lowercase();
            let about_company = !company.is_empty()
                && (lower.starts_with(&company)
                    || lower.starts_with(&format!("at {company}"))
                    || lower.starts_with(&format!("bei {company}")))
                && ![
                    "looking for",
                    "seeking",
                    "hiring",
                    "sucht",
                    " you will ",
                    " you'll ",
                    " du wirst ",
                ]
                .iter()
                .any(|c| lower.contains(c));
            // "Relay is hiring a Backend Engineer to join our team": an
            // announcement, not an ask (unless "…with 5+ years of Go")
            let announcement = [
                "is hiring",
                "are hiring",
                "we're hiring",
                "is looking for a",
                "are looking for a",
                "is looking for an",
                "are looking for an",
                "seeks a",
                "sucht eine",
                "sucht einen",
                "suchen eine",
                "suchen einen",
            ]
            .iter()
            .find_map(|c| lower.find(c).map(|i| &lower[i..]))
            .is_some_and(|rest| {
                !(rest.contains(" with ") || rest.contains(" who ") || rest.contains(" mit "))
            });
            if announcement {
                continue;
            }
            let said = cue(&lower);
            let nice = match part {
                Part::Company | Part::Offer => continue,
                _ if about_company => continue,
                Part::NiceToHave => match said {
                    Cue::Offer | Cue::Company => continue,
                    _ => true,
                },
                Part::Requirements | Part::Responsibilities => match said {
                    Cue::Offer | Cue::Company => continue,
                    Cue::Nice => true,
                    _ => false,
                },
                Part::Unknown => match said {
                    Cue::Nice => true,
                    Cue::Requirement | Cue::Responsibility => false,
                    // a bare list with no heading is a list of asks
                    Cue::Skip if is_bullet => false,
                    _ => continue,
                },
            };
            let items = split_tagged(sentence, part == Part::NiceToHave);
            let tagged = items.iter().any(|(_, t)| *t);
            for (item, own_tag) in items {
                let nice = if tagged {
                    own_tag || part == Part::NiceToHave
                } else {
                    nice
                };
                let key: String = item
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect();
                if key.is_empty() || !seen.insert(key) {
                    continue;
                }
                out.push(Ask {
                    text: item,
                    nice_to_have: nice,
                });
                if out.len() >= MAX_ASKS {
                    break;
                }
            }
        }
    }
    (out, work)
}

/// Openings that introduce an ask without being part of it.
const LEAD_INS: &[&str] = &[
    "we're looking for someone who has ",
    "we are looking for someone who has ",
    "we're looking for someone with ",
    "we are looking for someone with ",
    "we're looking for someone who ",
    "we are looking for someone who ",
    "we're looking for someone to ",
    "we are looking for someone to ",
    "we're looking for people with ",
    "we are looking for people with ",
    "bonus points if you have ",
    "bonus points if you ",
    "bonus points for ",
    "bonus if you have ",
    "bonus if you ",
    "it's a plus if you have ",
    "it's a plus if you ",
    "it is a plus if you ",
    "ideally, you have ",
    "ideally you have ",
    "ideally, you ",
    "ideally you ",
    "ideally ",
    "you should have ",
    "you must have ",
    "you have ",
    "you've got ",
    "you've ",
    "you bring ",
    "you will be responsible for ",
    "you'll be responsible for ",
    "you will ",
    "you'll ",
    "you would ",
    "you'd ",
    "you are ",
    "you're ",
    "you know ",
    "you can ",
    "you ",
    "in this role you will ",
    "in this role, you will ",
    "in this role you'll ",
    "in this role, you'll ",
    "in this role, you ",
    "your job is to ",
    "your role is to ",
    "must have: ",
    "must-have: ",
    "must have ",
    "nice to have: ",
    "nice-to-have: ",
    "bonus: ",
    "plus: ",
    "required: ",
    "preferred: ",
    "responsibilities include ",
    "this includes ",
    "du hast ",
    "du bringst ",
    "du verfügst über ",
    "du kennst ",
    "du sprichst ",
    "du wirst ",
    "sie haben ",
    "sie bringen ",
    "sie verfügen über ",
    "sie werden ",
    "idealerweise hast du ",
    "idealerweise ",
    "also ",
    "and ",
    "or ",
    "plus ",
    "und ",
];

/// Endings that say how much an ask matters, not what it is.
const TAGS: &[&str] = &[
    " would be a big plus",
    " would be a plus",
    " is a big plus",
    " are a big plus",
    " is a plus",
    " are a plus",
    " a plus",
    " is a bonus",
    " are a bonus",
    " is nice to have",
    " are nice to have",
    " (nice to have)",
    " (nice-to-have)",
    " (bonus)",
    " (preferred)",
    " (required)",
    " (must have)",
    " is preferred",
    " are preferred",
    " preferred",
    " is required",
    " are required",
    " required",
    " ist von vorteil",
    " sind von vorteil",
    " von vorteil",
    " wünschenswert",
    " mit",
    " would be great",
    " would be nice",
    " is a must",
    " are a must",
];

/// Series leads that every item of the series shares.
const SHARED_LEADS: &[&str] = &[
    "hands-on experience with ",
    "hands-on experience in ",
    "experience with ",
    "experience in ",
    "experience of ",
    "experience using ",
    "knowledge of ",
    "familiarity with ",
    "proficiency in ",
    "proficiency with ",
    "expertise in ",
    "erfahrung mit ",
    "erfahrung in ",
    "kenntnisse in ",
    "kenntnisse von ",
];

/// Openings of a piece after a comma that continue the sentence rather
/// than start a new item.
const NOT_AN_ITEM: &[&str] = &[
    "from ",
    "to ",
    "with ",
    "for ",
    "in ",
    "on ",
    "by ",
    "at ",
    "into ",
    "including ",
    "especially ",
    "ideally ",
    "preferably ",
    "which ",
    "who ",
    "that ",
    "so ",
    "but ",
    "where ",
    "while ",
    "as ",
    "not ",
    "both ",
    "then ",
    "und zwar",
    "die ",
    "der ",
    "das ",
    "idealerweise ",
    "vor allem ",
    "insbesondere ",
    "e.g",
    "i.e",
    "etc",
];

/// The part of a sentence after "you will" (or its German), when something
/// else came first ("As a Platform Engineer you will own…").
fn after_you_will(sentence: &str) -> &str {
    let lower = sentence.to_lowercase();
    for cue in [
        " you will ",
        " you'll ",
        " you’ll ",
        " du wirst ",
        " you would ",
    ] {
        if let Some(i) = lower.find(cue) {
            let end = i + cue.len();
            if i > 0
                && word_count(&lower[..i]) <= 10
                && sentence.is_char_boundary(end)
                && lower.len() == sentence.len()
            {
                return &sentence[end..];
            }
        }
    }
    sentence
}

/// Subordinate openings: a comma after one ends a clause, not an item.
const CLAUSE_STARTS: &[&str] = &[
    "when ",
    "if ",
    "while ",
    "as ",
    "because ",
    "although ",
    "where ",
    "once ",
    "whether ",
    "wenn ",
    "da ",
    "während ",
    "ob ",
];

/// Whether `text` starts with `lead` (lower-case), ignoring case.
fn starts_with_ci(text: &str, lead: &str) -> bool {
    text.get(..lead.len())
        .is_some_and(|head| head.to_lowercase() == lead)
}

/// Whether `text` ends with `tag` (lower-case), ignoring case.
fn ends_with_ci(text: &str, tag: &str) -> bool {
    text.len() >= tag.len()
        && text
            .get(text.len() - tag.len()..)
            .is_some_and(|tail| tail.to_lowercase() == tag)
}

// Both strip loops compare only the ends of the text, so a long sentence
// with many leads or tags costs no more than its length.
fn strip_lead_ins(text: &str) -> &str {
    let mut t = text.trim();
    while let Some(lead) = LEAD_INS.iter().find(|l| starts_with_ci(t, l)) {
        t = t[lead.len()..].trim_start();
    }
    t
}

fn strip_tags(text: &str) -> &str {
    let mut t = text
        .trim()
        .trim_end_matches(['.', ';', ',', ':', '!'])
        .trim();
    while let Some(tag) = TAGS.iter().find(|g| ends_with_ci(t, g)) {
        t = t[..t.len() - tag.len()].trim_end_matches([',', ' ']);
    }
    t
}

/// Splits at `sep` outside parentheses.
fn split_top(text: &str, sep: &[char]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if depth <= 0 && sep.contains(&c) {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    parts
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

fn word_count(t: &str) -> usize {
    t.split_whitespace().count()
}

/// Verbs a responsibility starts with.
const VERBS: &[&str] = &[
    "automate",
    "build",
    "design",
    "operate",
    "maintain",
    "improve",
    "own",
    "lead",
    "mentor",
    "write",
    "run",
    "ship",
    "deploy",
    "develop",
    "drive",
    "support",
    "collaborate",
    "review",
    "define",
    "scale",
    "monitor",
    "create",
    "manage",
    "partner",
    "shape",
    "contribute",
    "ensure",
    "implement",
    "test",
    "debug",
    "optimize",
    "optimise",
    "migrate",
    "integrate",
    "analyse",
    "analyze",
    "present",
    "train",
    "hire",
    "coach",
    "plan",
    "research",
    "evaluate",
    "document",
    "communicate",
    "establish",
    "keep",
    "grow",
    "set",
    "work",
    "help",
    "model",
    "architect",
    "deliver",
    "investigate",
    "prototype",
    "teach",
    "care",
    "champion",
];

/// Verbs that are as often nouns ("engineering and design to ship…").
const AMBIGUOUS_VERBS: &[&str] = &[
    "design",
    "model",
    "test",
    "plan",
    "research",
    "document",
    "support",
    "present",
    "work",
    "help",
    "set",
    "lead",
    "care",
    "champion",
    "partner",
    "shape",
    "scale",
    "review",
    "drive",
    "run",
    "keep",
    "grow",
    "model",
    "monitor",
    "architect",
    "prototype",
];

/// Splits `X and Y` when both are short names ("Kubernetes and Terraform").
fn split_pair(text: &str, word: &str) -> Vec<String> {
    let sep = format!(" {word} ");
    if let Some((a, b)) = text.split_once(&sep) {
        if a.ends_with('-') {
            return vec![text.to_owned()];
        }
        // "Own our clusters on AWS and automate infrastructure with Terraform"
        let verb = |s: &str| {
            s.split_whitespace()
                .next()
                .is_some_and(|w| VERBS.contains(&w.to_lowercase().as_str()))
        };
        // "design", "test", "plan"… are nouns as often as verbs
        let plain_verb = |s: &str| {
            verb(s)
                && !s
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| AMBIGUOUS_VERBS.contains(&w.to_lowercase().as_str()))
        };
        if verb(a) && plain_verb(b) && word_count(a) >= 2 && word_count(b) >= 2 {
            return vec![a.to_owned(), b.to_owned()];
        }
        let named = |s: &str| super::terms::tokens(s).iter().any(|t| t.key);
        let b_named = named(b)
            || b.split_whitespace()
                .next()
                .is_some_and(super::terms::capitalised_name);
        if word_count(a) <= 3 && word_count(b) <= 3 && named(a) && b_named && !b.contains(&sep) {
            return vec![a.to_owned(), b.to_owned()];
        }
    }
    vec![text.to_owned()]
}

/// The individual asks in one sentence or list item.
pub fn split_items(sentence: &str) -> Vec<String> {
    split_tagged(sentence, false)
        .into_iter()
        .map(|(t, _)| t)
        .collect()
}

/// Whether an item says it is optional ("…is a plus").
fn nice_tag(item: &str) -> bool {
    says_optional(item.trim().to_lowercase().as_str())
}

/// The individual asks in one sentence or list item, each with whether it
/// says by itself that it is optional.
/// `split_or`: alternatives are separate asks too (in a nice-to-have list,
/// each is a plus by itself).
fn split_tagged(sentence: &str, split_or: bool) -> Vec<(String, bool)> {
    let sentence = after_you_will(sentence);
    let body = strip_lead_ins(sentence).trim_end_matches(['.', '!', ';', ':']);
    // "You know React and you care about tests": two asks
    let mut body = body.to_owned();
    for (sep, with) in [
        (", and you ", "; you "),
        (" and you ", "; you "),
        (", and we ", "; we "),
        (" und du ", "; du "),
    ] {
        let lower = body.to_lowercase();
        if lower.len() == body.len() && lower.contains(sep) {
            let mut out = String::with_capacity(body.len());
            let mut last = 0;
            for (i, _) in lower.match_indices(sep) {
                out.push_str(&body[last..i]);
                out.push_str(with);
                last = i + sep.len();
            }
            out.push_str(&body[last..]);
            body = out;
        }
    }
    let body = body.as_str();
    let lower = body.to_lowercase();
    let examples = [
        " such as ",
        " like ",
        " e.g",
        " including ",
        " z. b",
        " z.b",
        " wie z",
    ]
    .iter()
    .any(|e| lower.contains(e));
    let clause = CLAUSE_STARTS.iter().any(|c| lower.starts_with(c));
    // each part keeps its own "…is a plus" until it is read
    let mut parts = split_top(body, &[';']);
    if !examples && !clause {
        parts = parts
            .into_iter()
            .flat_map(|p| {
                let pieces = split_top(&p, &[',']);
                // the last piece may carry a closing "and …"
                let last = pieces.len().saturating_sub(1);
                let keyed = |x: &str| {
                    super::terms::tokens(x)
                        .first()
                        .is_some_and(|t| t.key && x.trim_start().starts_with(t.raw))
                };
                // two pieces are a series only as "A, B and C" or two names
                let pair_ok = pieces.len() != 2
                    || pieces[1].contains(" and ")
                    || pieces[1].contains(" or ")
                    || pieces[1].contains(" & ")
                    || (keyed(&pieces[0]) && keyed(&pieces[1]));
                // "Design, build and maintain services": verbs sharing an object
                let bare_verbs = pieces
                    .iter()
                    .rev()
                    .skip(1)
                    .any(|x| word_count(x) == 1 && VERBS.contains(&x.to_lowercase().as_str()));
                let series = pieces.len() >= 2
                    && pair_ok
                    && !bare_verbs
                    && pieces.iter().enumerate().all(|(i, x)| {
                        word_count(x) <= 8
                            || (i == last && word_count(x) <= 12 && x.contains(" and "))
                    })
                    && !pieces.iter().skip(1).any(|x| {
                        let l = x.to_lowercase();
                        NOT_AN_ITEM.iter().any(|w| l.starts_with(w))
                    })
                    && !pieces.last().is_some_and(|x| {
                        let l = x.to_lowercase();
                        (l.starts_with("or ") && !split_or)
                            || [
                                " or a ",
                                " or related",
                                " or similar",
                                " or equivalent",
                                " or another",
                            ]
                            .iter()
                            .any(|w| l.contains(w))
                    });
                if series {
                    pieces
                } else {
                    vec![p]
                }
            })
            .collect();
    }
    // "Rust, Go and Python": the last of a series splits at its "and".
    let series = parts.len() >= 2;
    let mut items: Vec<(String, bool)> = Vec::new();
    for p in parts {
        let tag = nice_tag(&p);
        let p = strip_tags(strip_lead_ins(&p)).to_owned();
        let split = if series && !examples {
            split_and(&p)
        } else {
            split_pair(&p, "and")
                .into_iter()
                .flat_map(|x| split_pair(&x, "und"))
                .collect()
        };
        items.extend(split.into_iter().map(|i| (i, tag)));
    }
    // "Experience with Kafka, Redis, Postgres": the lead is shared.
    if let Some((first, _)) = items.first() {
        let lower = first.to_lowercase();
        let lead = SHARED_LEADS
            .iter()
            .find(|l| lower.starts_with(**l))
            .and_then(|l| first.get(..l.len()));
        if let Some(lead_text) = lead.map(str::to_owned) {
            for (it, _) in items.iter_mut().skip(1) {
                let il = it.to_lowercase();
                if word_count(it) <= 3 && !SHARED_LEADS.iter().any(|l| il.starts_with(l)) {
                    *it = format!("{lead_text}{it}");
                }
            }
        }
    }
    items
        .into_iter()
        .map(|(i, t)| (tidy(&i), t))
        .filter(|(i, _)| i.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .filter(|(i, _)| {
            !matches!(
                i.to_lowercase().as_str(),
                "etc" | "and more" | "more" | "u.v.m" | "usw"
            )
        })
        .collect()
}

fn split_and(p: &str) -> Vec<String> {
    for sep in [" and ", " & ", " und "] {
        if let Some((a, b)) = p.split_once(sep) {
            // "design and run the pipeline": one object, two verbs
            let bare_verb = word_count(a) == 1 && VERBS.contains(&a.to_lowercase().as_str());
            if word_count(a) <= 5
                && word_count(b) <= 6
                && !a.is_empty()
                && !b.is_empty()
                && !bare_verb
                && !a.ends_with('-')
            {
                return vec![a.to_owned(), b.to_owned()];
            }
        }
    }
    vec![p.to_owned()]
}

/// Lower-case words that are names written small on purpose.
const SMALL_NAMES: &[&str] = &[
    "k8s", "npm", "iOS", "macOS", "gRPC", "eBPF", "jQuery", "pnpm", "yarn",
];

/// An item as it is shown: trimmed, its first letter a capital unless the
/// first word is a name written small.
fn tidy(item: &str) -> String {
    let t = strip_tags(item.trim().trim_matches(['"', '“', '”', '\'']))
        .trim_end_matches([')'])
        .trim();
    let t = if t.matches('(').count() > t.matches(')').count() {
        format!("{t})")
    } else {
        t.to_owned()
    };
    let first = t.split_whitespace().next().unwrap_or("");
    if SMALL_NAMES.iter().any(|n| n.eq_ignore_ascii_case(first)) {
        return super::super::generation::clip(&t, 160);
    }
    let mut chars = t.chars();
    let out = match chars.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => t,
    };
    super::super::generation::clip(&out, 160)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(jd: &str) -> Vec<String> {
        asks(jd, "Nimbus Cloud")
            .into_iter()
            .map(|a| a.text)
            .collect()
    }

    #[test]
    fn a_series_splits_into_its_items() {
        assert_eq!(
            split_items("5+ years backend, Rust or C++, distributed systems."),
            vec!["5+ years backend", "Rust or C++", "Distributed systems"]
        );
        assert_eq!(
            split_items("Experience with Kafka, Redis and Postgres"),
            vec![
                "Experience with Kafka",
                "Experience with Redis",
                "Experience with Postgres"
            ]
        );
        assert_eq!(
            split_items("You will design low-latency Rust services"),
            vec!["Design low-latency Rust services"]
        );
        assert_eq!(
            split_items("Kubernetes and Terraform"),
            vec!["Kubernetes", "Terraform"]
        );
        assert_eq!(
            split_items("Design and operate services"),
            vec!["Design and operate services"]
        );
        assert_eq!(
            split_items("Experience with a cloud such as AWS, GCP or Azure"),
            vec!["Experience with a cloud such as AWS, GCP or Azure"]
        );
    }

    #[test]
    fn company_text_pay_and_perks_are_never_asks() {
        let jd = "Nimbus Cloud builds a serverless data platform used by 300 companies.\n\
                  Requirements: 5+ years backend, Rust or C++, distributed systems.\n\
                  You will design low-latency Rust services.\n\
                  We offer 30 days of vacation and a salary of €90,000.\n\
                  Kafka is a plus.";
        let a = asks(jd, "Nimbus Cloud");
        let t: Vec<&str> = a.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(
            t,
            vec![
                "5+ years backend",
                "Rust or C++",
                "Distributed systems",
                "Design low-latency Rust services",
                "Kafka"
            ]
        );
        assert!(a[4].nice_to_have && !a[0].nice_to_have);
    }

    #[test]
    fn headings_in_english_and_german_set_the_part() {
        let jd = "Über uns\nWir sind ein Team aus Berlin.\n\nDeine Aufgaben\n- Du entwickelst Services in Rust\n\nDein Profil\n- Erfahrung mit PostgreSQL\n\nWünschenswert\n- Kubernetes\n\nWir bieten\n- 30 Tage Urlaub";
        let a = asks(jd, "Acme");
        let t: Vec<&str> = a.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(
            t,
            vec![
                "Du entwickelst Services in Rust",
                "Erfahrung mit PostgreSQL",
                "Kubernetes"
            ]
        );
        assert!(a[2].nice_to_have);
        assert_eq!(
            texts("About us\n- We love Rust\nWhat you'll do\n- Ship code"),
            vec!["Ship code"]
        );
    }

    #[test]
    fn html_is_read_as_its_text() {
        let jd = "<h2>About Nimbus</h2><p>We build things.</p><h2>Requirements</h2><ul><li>Rust</li><li>PostgreSQL</li></ul>";
        assert_eq!(texts(jd), vec!["Rust", "PostgreSQL"]);
    }

    #[test]
    fn sentences_keep_abbreviations_whole() {
        assert_eq!(
            sentences("Use a cloud, e.g. AWS. Ship it! Done"),
            vec!["Use a cloud, e.g. AWS.", "Ship it!", "Done"]
        );
    }
}
