//! What the built-in drafter says, decided from the fit: which requirement ↔
//! evidence pairs carry a letter, how a résumé line becomes a sentence in
//! the first person, how an ask becomes an interviewer's question, which
//! résumé lines become tailored bullets and which asks are gaps. Pure and
//! deterministic; the templates in `templates/prompts/builtin/` only lay
//! the pieces out.
//!
//! Its text keeps the user's and the posting's words as written: a name is
//! never lower-cased, posting text that cannot be woven into a sentence
//! safely is quoted, and no number appears that the posting or the profile
//! does not hold.

use serde::Serialize;

use super::fit::terms::{canonical, capitalised_name, heading_shape, is_name, raw_words, tokens};
use super::fit::{Evidence, Fit, Requirement, RequirementKind, Source};
use super::generation::Tone;

/// Verbs a résumé line (or a duty in a posting) starts with, in the forms
/// résumés use; a line that starts with one reads as "I …".
const VERBS: &[&str] = &[
    "automate",
    "automated",
    "build",
    "built",
    "rebuilt",
    "design",
    "designed",
    "operate",
    "operated",
    "maintain",
    "maintained",
    "improve",
    "improved",
    "own",
    "owned",
    "lead",
    "led",
    "mentor",
    "mentored",
    "write",
    "wrote",
    "run",
    "ran",
    "ship",
    "shipped",
    "deploy",
    "deployed",
    "develop",
    "developed",
    "drive",
    "drove",
    "support",
    "supported",
    "collaborate",
    "collaborated",
    "review",
    "reviewed",
    "define",
    "defined",
    "scale",
    "scaled",
    "monitor",
    "monitored",
    "create",
    "created",
    "manage",
    "managed",
    "partner",
    "partnered",
    "shape",
    "shaped",
    "contribute",
    "contributed",
    "ensure",
    "ensured",
    "implement",
    "implemented",
    "test",
    "tested",
    "debug",
    "debugged",
    "optimize",
    "optimized",
    "optimise",
    "optimised",
    "migrate",
    "migrated",
    "integrate",
    "integrated",
    "analyse",
    "analysed",
    "analyze",
    "analyzed",
    "present",
    "presented",
    "train",
    "trained",
    "hire",
    "hired",
    "coach",
    "coached",
    "plan",
    "planned",
    "research",
    "researched",
    "evaluate",
    "evaluated",
    "document",
    "documented",
    "communicate",
    "communicated",
    "establish",
    "established",
    "keep",
    "kept",
    "grow",
    "grew",
    "set",
    "cut",
    "reduced",
    "reduce",
    "raised",
    "raise",
    "increased",
    "increase",
    "introduced",
    "introduce",
    "launched",
    "launch",
    "delivered",
    "deliver",
    "architected",
    "architect",
    "rewrote",
    "rewrite",
    "refactored",
    "refactor",
    "modeled",
    "modelled",
    "model",
    "taught",
    "teach",
    "organised",
    "organized",
    "founded",
    "won",
    "saved",
    "halved",
    "doubled",
    "tripled",
    "added",
    "replaced",
    "moved",
    "consolidated",
    "streamlined",
    "negotiated",
    "sold",
    "closed",
    "onboarded",
    "prototyped",
    "investigated",
    "resolved",
    "handled",
    "wrote",
    "spoke",
    "published",
    "turned",
    "made",
    "took",
    "brought",
    "oversaw",
    "work",
    "worked",
    "help",
    "helped",
    "champion",
    "championed",
    "pair",
    "paired",
    "communicate",
    "deployed",
    "forecasted",
    "forecast",
    "set",
    "setup",
    "talk",
    "turn",
    "participate",
    "join",
    "identify",
    "prioritize",
    "prioritise",
    "translate",
    "conduct",
    "coordinate",
    "facilitate",
    "gather",
    "answer",
    "respond",
    "handle",
    "report",
    "enable",
    "advocate",
    "influence",
    "negotiate",
    "pitch",
    "recruit",
    "onboard",
    "use",
    "apply",
    "learn",
    "explore",
    "discover",
    "validate",
    "measure",
    "track",
    "release",
    "represent",
    "own",
    "collaborate",
    "partner",
    "operate",
    "automate",
    "refactor",
];

fn is_verb(word: &str) -> bool {
    VERBS.contains(&word.to_lowercase().as_str())
}

/// Words a posting may start an ask with that are safe to write small.
const COMMON_STARTS: &[&str] = &[
    "experience",
    "strong",
    "solid",
    "deep",
    "good",
    "excellent",
    "knowledge",
    "familiarity",
    "proficiency",
    "clear",
    "fluent",
    "hands-on",
    "professional",
    "proven",
    "a",
    "an",
    "the",
    "some",
    "comfort",
    "interest",
    "passion",
    "curiosity",
    "ownership",
    "written",
    "spoken",
    "distributed",
    "cloud",
    "backend",
    "frontend",
    "mobile",
    "data",
    "web",
    "modern",
    "production",
    "technical",
    "practical",
    "working",
    "basic",
    "advanced",
    "excellent",
    "attention",
    "ability",
    "understanding",
    "expertise",
    "background",
    "degree",
    "confidence",
];

/// Whether the posting's text reads as German (the drafter then quotes its
/// asks rather than weaving them into English sentences).
pub fn is_german(text: &str) -> bool {
    super::fit::terms::is_german(text)
}

/// A requirement with its best evidence, for the letter and the notes.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub requirement: String,
    pub evidence: String,
    pub source: Source,
    /// The sentence that weaves the two together, in the draft's tone.
    pub sentence: String,
}

/// A question an interviewer may ask, with what to answer from.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub text: String,
    pub hint: String,
}

/// Everything the built-in drafter's templates lay out.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub greeting: String,
    pub opening: String,
    /// A sentence leading into the pairs (none in the concise tone).
    pub intro: Option<String>,
    /// The two or three strongest pairs, each a sentence.
    pub pairs: Vec<Pair>,
    /// An honest line about required names the profile does not show.
    pub gap_sentence: Option<String>,
    pub closing: String,
    pub sign_off: String,
    /// One concrete point of fit, for the follow-up and the thank-you note.
    pub point_of_fit: Option<String>,
    /// The follow-up's first sentence and its thanks, in the tone.
    pub follow_up_opening: String,
    pub thanks: String,
    /// The thank-you note's sentence on the point of fit.
    pub thank_you_fit: Option<String>,
    /// The user's matching résumé lines, reworded toward the posting.
    pub bullets: Vec<String>,
    /// Requirements without evidence, each with its placeholder.
    pub gaps: Vec<String>,
    pub questions: Vec<Question>,
    /// What the drafter could not use, said to the user (after the draft).
    pub notes: Vec<String>,
    pub footer: String,
}

/// The material's facts the plan is made from.
pub struct Facts<'a> {
    pub fit: &'a Fit,
    pub company: &'a str,
    pub title: &'a str,
    pub contact: Option<&'a str>,
    pub job_description: &'a str,
    pub resume: &'a str,
    pub skills: &'a [String],
    pub tone: Tone,
}

/// A résumé line as a sentence in the first person ("Cut p99 latency…" →
/// "I cut p99 latency…."), when it starts with a verb.
pub fn first_person(line: &str) -> Option<String> {
    let line = line.trim().trim_end_matches(['.', ';', ',']).trim();
    let first = line.split_whitespace().next()?;
    if !is_verb(first) || first.chars().any(|c| !c.is_alphabetic()) {
        return None;
    }
    let rest = &line[first.len()..];
    Some(format!("I {}{rest}.", first.to_lowercase()))
}

/// An ask as a phrase inside an English sentence, or `None` when it is
/// safer quoted (its first word might be a name, or it points back with
/// "them" or "it"). The company's "our" becomes the reader's "your".
fn inline_ask(ask: &str, skills: &[String]) -> Option<String> {
    let first = ask.split_whitespace().next()?;
    let lower = first.to_lowercase();
    let words = raw_words(ask);
    let pointing = words.iter().any(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "them" | "it" | "their" | "these" | "those" | "you" | "your" | "i" | "my"
        )
    });
    if pointing || ask.contains(':') || ask.contains('“') || ask.contains('"') {
        return None;
    }
    let ask = ["our", "we", "us", "Our", "We"]
        .iter()
        .fold(ask.to_owned(), |t, w| {
            let to = match *w {
                "our" => "your",
                "Our" => "Your",
                "We" => "You",
                _ => "you",
            };
            replace_word(&t, w, to)
        });
    let named = is_name(canonical(&lower))
        || skills.iter().any(|s| s.eq_ignore_ascii_case(first))
        || first.chars().skip(1).any(char::is_uppercase)
        || first.chars().any(|c| !c.is_alphabetic());
    if named {
        return Some(ask); // a name keeps its case
    }
    if COMMON_STARTS.contains(&lower.as_str()) || is_verb(first) {
        return Some(format!("{lower}{}", &ask[first.len()..]));
    }
    None
}

/// The posting's ask inside a sentence: woven in when safe, else quoted.
fn ask_phrase(ask: &str, skills: &[String], german: bool) -> String {
    match (german, inline_ask(ask, skills)) {
        (false, Some(inline)) => inline,
        _ => format!("“{ask}”"),
    }
}

/// The key names of an ask, as written ("Kubernetes", "Rust"); in German,
/// where every noun has a capital, only the names the matcher knows.
fn names(ask: &str, german: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (n, t) in tokens(ask).iter().enumerate() {
        let named = t.key || (!german && n > 0 && capitalised_name(t.raw));
        if named && !out.iter().any(|o| o.eq_ignore_ascii_case(t.raw)) && t.raw.len() > 1 {
            out.push(t.raw.to_owned());
        }
    }
    out
}

fn join_names(names: &[String], and: &str) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} {and} {b}"),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

fn starts_with_verb(ask: &str) -> bool {
    ask.split_whitespace().next().is_some_and(is_verb)
}

/// The sentence that puts one requirement beside the user's fact.
fn pair_sentence(
    ask: &str,
    fact: &str,
    tone: Tone,
    n: usize,
    skills: &[String],
    german: bool,
) -> String {
    let phrase = ask_phrase(ask, skills, german);
    if phrase.starts_with('“') {
        let task =
            starts_with_verb(ask) || german && (ask.starts_with("Du ") || ask.starts_with("Sie "));
        let what = if task {
            "One of the tasks you list is"
        } else {
            "Your posting asks for"
        };
        return match tone {
            Tone::Concise => format!("{what} {phrase}; {fact}"),
            Tone::Warm => format!("{what} {phrase}, which is work I enjoy: {fact}"),
            Tone::Enthusiastic => {
                format!("{what} {phrase}, and that is exactly my kind of work: {fact}")
            }
            Tone::Professional => format!("{what} {phrase}, and {fact}"),
        };
    }
    let want = if starts_with_verb(ask) {
        format!("someone to {phrase}")
    } else {
        phrase
    };
    match (tone, n % 3) {
        (Tone::Concise, _) => format!("You ask for {want}; {fact}"),
        (Tone::Warm, 0) => {
            format!("I was glad to see that you are looking for {want}, because {fact}")
        }
        (Tone::Warm, _) => format!("You also ask for {want}, which is work I enjoy: {fact}"),
        (Tone::Enthusiastic, 0) => format!(
            "You are looking for {want}, and that is exactly the kind of work I love: {fact}"
        ),
        (Tone::Enthusiastic, _) => {
            format!("You also want {want}, and I would bring real experience to it: {fact}")
        }
        (_, 0) => format!("You are looking for {want}, and {fact}"),
        (_, 1) => format!("You also ask for {want}: {fact}"),
        _ => format!("The role calls for {want} as well, and {fact}"),
    }
}

/// The fact of one piece of evidence, as a first-person clause ending in a
/// full stop (without its first capital when it starts a clause).
fn fact(e: &Evidence) -> Option<String> {
    match e.source {
        Source::Resume => first_person(&e.text),
        Source::Skills => Some(format!(
            "{} is one of the skills I work with.",
            e.text.trim()
        )),
        Source::Summary => {
            let t = e.text.trim().trim_end_matches('.');
            t.starts_with("I ").then(|| format!("{t}."))
        }
    }
}

/// A résumé line moved toward the posting's words: a synonym the posting
/// spells differently takes the posting's spelling ("Postgres" →
/// "PostgreSQL" when the job says PostgreSQL), and the line starts with a
/// capital.
pub fn reword(line: &str, toward: &str) -> String {
    let theirs: Vec<&str> = raw_words(toward);
    let mut out = line.trim().trim_end_matches(['.', ';']).to_owned();
    for w in raw_words(line) {
        let canon = canonical(&w.to_lowercase()).to_owned();
        if w.len() < 2 || !is_name(&canon) {
            continue;
        }
        if let Some(t) = theirs.iter().find(|t| {
            // a name's spelling ("Postgres" → "PostgreSQL"), not a word's form
            let spelled = t.chars().any(|c| c.is_uppercase() || !c.is_alphabetic());
            canonical(&t.to_lowercase()) == canon && !t.eq_ignore_ascii_case(w) && spelled
        }) {
            out = replace_word(&out, w, t);
        }
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() && is_verb(out.split_whitespace().next().unwrap_or("")) => {
            c.to_uppercase().chain(chars).collect()
        }
        _ => out,
    }
}

/// Replaces whole-word occurrences of `from` with `to`.
fn replace_word(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + from.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..i]);
        out.push_str(if edge(before) && edge(after) {
            to
        } else {
            from
        });
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

/// Whether a name is a language people speak.
fn is_language(name: &str) -> bool {
    matches!(
        canonical(&name.to_lowercase()),
        "english"
            | "german"
            | "french"
            | "spanish"
            | "dutch"
            | "italian"
            | "portuguese"
            | "polish"
            | "swedish"
            | "danish"
            | "norwegian"
            | "finnish"
            | "japanese"
            | "chinese"
            | "mandarin"
            | "korean"
            | "arabic"
            | "hindi"
            | "turkish"
    )
}

/// A line of the form "Languages: German, English": a list, not a result.
fn is_label_line(text: &str) -> bool {
    text.split_once(':').is_some_and(|(head, _)| {
        head.split_whitespace().count() <= 2 && first_person(text).is_none()
    })
}

/// A job title with its dates ("Analyst, Acme (2017–2020)"): a heading of
/// the résumé, not a bullet to tailor.
fn is_title_line(text: &str) -> bool {
    let (separated, dated) = heading_shape(text);
    separated || (dated && first_person(text).is_none())
}

/// The interviewer's question about one requirement.
fn question(r: &Requirement, n: usize, skills: &[String], german: bool) -> Question {
    let names = names(&r.text, german);
    let resume: Vec<&Evidence> = r
        .evidence
        .iter()
        .filter(|e| e.source == Source::Resume)
        .collect();
    let example = resume
        .iter()
        .find(|e| first_person(&e.text).is_some())
        .or(resume.first());
    let hint = match example {
        Some(e) => format!(
            "A good example to bring up is “{}”.",
            e.text.trim().trim_end_matches('.')
        ),
        None if r.met => "Your profile lists it; think of a concrete project where you used it.".to_owned(),
        None => "Your résumé does not show this yet, so prepare an honest answer about how you would learn it.".to_owned(),
    };
    let pointing = raw_words(&r.text).iter().any(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "them" | "it" | "these" | "those" | "their" | "its"
        )
    });
    let verb_led = starts_with_verb(&r.text);
    let task = german && (r.text.starts_with("Du ") || r.text.starts_with("Sie "));
    let text = if task {
        format!(
            "One of the tasks is “{}”. How have you handled that before?",
            r.text
        )
    } else if verb_led && !pointing && !german {
        let first = r.text.split_whitespace().next().unwrap_or("");
        let verb = first.to_lowercase();
        match n % 2 {
            0 => format!("How would you {verb}{}?", &r.text[first.len()..]),
            _ => format!(
                "This role means you will {verb}{}. How have you done that before?",
                &r.text[first.len()..]
            ),
        }
    } else if r.text.starts_with(|c: char| c.is_ascii_digit()) {
        // "4+ years of product management": asked as a whole
        let phrase = ask_phrase(&r.text, skills, german);
        format!("The role asks for {phrase}. Which example from your work shows it best?")
    } else if !names.is_empty() && names.iter().all(|n| is_language(n)) {
        let or = r.text.contains(" or ") || r.text.contains(" oder ");
        // the language's English name ("Deutschkenntnisse" → "German")
        let english: Vec<String> = names
            .iter()
            .map(|n| {
                let c = canonical(&n.to_lowercase()).to_owned();
                let mut chars = c.chars();
                chars
                    .next()
                    .map(|f| f.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            })
            .collect();
        let names = join_names(&english, if or { "or" } else { "and" });
        format!("How comfortable are you working in {names} every day, for example in a design discussion?")
    } else if !names.is_empty() {
        let or = r.text.contains(" or ") || r.text.contains(" oder ");
        let technical = names.iter().all(|n| tokens(n).iter().all(|t| t.key));
        let names = join_names(&names, if or { "or" } else { "and" });
        match n % 3 {
            _ if !technical => format!("Tell me about your work with {names}. What did you learn from it?"),
            0 => format!("Tell me about your experience with {names}. What was the hardest problem you solved with it?"),
            1 => format!("How have you used {names} in production, and what would you do differently now?"),
            _ => format!("What is a project where {names} mattered, and what was your part in it?"),
        }
    } else if verb_led {
        format!(
            "One of the tasks is “{}”. How have you handled that before?",
            r.text
        )
    } else {
        let phrase = ask_phrase(&r.text, skills, german);
        format!("The role asks for {phrase}. Which example from your work shows it best?")
    };
    Question { text, hint }
}

/// "Acme's", "Relay Logistics'".
fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// The tone's opening, closing and sign-off.
fn framing(tone: Tone, title: &str, company: &str) -> (String, String, String) {
    match tone {
        Tone::Warm => (
            format!("I am writing with real interest in the {title} role at {company}."),
            format!("I would be glad to talk about how I could help {company}, and to learn more about the team."),
            "Warm regards".to_owned(),
        ),
        Tone::Enthusiastic => (
            format!("I am excited to apply for the {title} role at {company}!"),
            format!("I would love to talk about what I could build with the team at {company}."),
            "Best regards".to_owned(),
        ),
        Tone::Concise => (
            format!("I am applying for the {title} role at {company}."),
            "I would welcome a conversation.".to_owned(),
            "Kind regards".to_owned(),
        ),
        Tone::Professional => (
            format!("I am applying for the {title} role at {company}."),
            format!(
                "I would welcome the chance to discuss how my experience fits {} needs.",
                possessive(company)
            ),
            "Kind regards".to_owned(),
        ),
    }
}

pub const FOOTER: &str = "Written by Job Copilot's built-in drafter (no AI model) from this posting and your profile. Check every sentence before you send it.";

/// The plan of every draft kind for one fit and tone.
pub fn plan(f: &Facts<'_>) -> Plan {
    let german = is_german(f.job_description);
    let (opening, closing, sign_off) = framing(f.tone, f.title, f.company);
    let mut ranked: Vec<(&Requirement, &Evidence)> = f
        .fit
        .requirements
        .iter()
        .filter_map(|r| r.evidence.first().map(|e| (r, e)))
        .collect();
    // A pair is strong when the evidence covers the ask, states a result
    // (a number), and the ask is about what the role is named for.
    let role_terms: Vec<String> = tokens(f.title).into_iter().map(|t| t.term).collect();
    let score = |r: &Requirement, e: &Evidence| {
        let number = e.text.chars().any(|c| c.is_ascii_digit());
        let central = tokens(&r.text).iter().any(|t| role_terms.contains(&t.term));
        e.strength
            + if number { 0.3 } else { 0.0 }
            + if central { 0.3 } else { 0.0 }
            + if starts_with_verb(&r.text) { 0.1 } else { 0.0 }
    };
    ranked.sort_by(|a, b| {
        (a.0.kind == RequirementKind::NiceToHave)
            .cmp(&(b.0.kind == RequirementKind::NiceToHave))
            .then((b.1.source == Source::Resume).cmp(&(a.1.source == Source::Resume)))
            .then(score(b.0, b.1).total_cmp(&score(a.0, a.1)))
    });
    // résumé facts first; a listed skill or the summary only to make two
    let mut pairs: Vec<Pair> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    let mut told: Vec<&str> = Vec::new();
    for resume_only in [true, false] {
        for (r, _) in &ranked {
            if pairs.len() >= 3 || (!resume_only && pairs.len() >= 2) {
                break;
            }
            if told.contains(&r.text.as_str()) {
                continue;
            }
            // the strongest of its evidence not yet told
            let Some((e, fact)) = r
                .evidence
                .iter()
                .filter(|e| !used.contains(&e.text) && (!resume_only || e.source == Source::Resume))
                .find_map(|e| fact(e).map(|x| (e, x)))
            else {
                continue;
            };
            used.push(e.text.clone());
            told.push(&r.text);
            let sentence = pair_sentence(&r.text, &fact, f.tone, pairs.len(), f.skills, german);
            pairs.push(Pair {
                requirement: r.text.clone(),
                evidence: e.text.clone(),
                source: e.source,
                sentence,
            });
        }
    }
    // no posting to match: the résumé's strongest lines, said plainly
    if f.fit.total == 0 {
        let mut lines: Vec<&str> = f
            .resume
            .lines()
            .map(|l| super::fit::posting::bullet_text(l.trim()))
            .filter(|l| first_person(l).is_some())
            .collect();
        lines.sort_by_key(|l| !l.chars().any(|c| c.is_ascii_digit()));
        for (n, l) in lines.into_iter().take(2).enumerate() {
            let fact = first_person(l).unwrap_or_default();
            let sentence = if n == 0 {
                format!("In my recent work, {fact}")
            } else {
                format!("Before that, {fact}")
            };
            pairs.push(Pair {
                requirement: String::new(),
                evidence: l.to_owned(),
                source: Source::Resume,
                sentence,
            });
        }
    }
    let missing_names: Vec<String> = f
        .fit
        .requirements
        .iter()
        .filter(|r| !r.met && r.kind == RequirementKind::Required)
        .filter(|r| {
            let t = tokens(&r.text);
            !t.is_empty() && t.len() <= 2 && t.iter().all(|t| t.key) && !german
        })
        .flat_map(|r| names(&r.text, german))
        .take(2)
        .collect();
    let gap_sentence = (!missing_names.is_empty() && !pairs.is_empty()).then(|| {
        format!(
            "I have not worked with {} yet, and I would be glad to talk about how I would get up to speed.",
            join_names(&missing_names, "or")
        )
    });
    let point_of_fit = pairs.first().map(|p| {
        if p.requirement.is_empty() {
            p.sentence.clone()
        } else {
            pair_sentence(&p.requirement, &fact_of(p), f.tone, 0, f.skills, german)
        }
    });
    let thank_you_fit = pairs.iter().find(|p| !p.requirement.is_empty()).map(|p| {
        let fact = fact_of(p);
        let phrase = ask_phrase(&p.requirement, f.skills, german);
        if phrase.starts_with('“') {
            format!("The part of the role described as {phrase} is close to my own work: {fact}")
        } else if starts_with_verb(&p.requirement) {
            format!("The role's need for someone to {phrase} is close to my own work: {fact}")
        } else {
            format!("The role's need for {phrase} is close to my own work: {fact}")
        }
    });
    let (follow_up_opening, thanks) = match f.tone {
        Tone::Warm => (
            format!(
                "I hope you are well. I applied for the {} role at {} and wanted to check in.",
                f.title, f.company
            ),
            "Thank you so much for your time".to_owned(),
        ),
        Tone::Enthusiastic => (
            format!(
                "I applied for the {} role at {}, and I am still very excited about it.",
                f.title, f.company
            ),
            "Thank you for your time".to_owned(),
        ),
        Tone::Concise => (
            format!(
                "I am following up on my application for the {} role at {}.",
                f.title, f.company
            ),
            "Thank you".to_owned(),
        ),
        Tone::Professional => (
            format!(
                "I applied for the {} role at {} and wanted to follow up.",
                f.title, f.company
            ),
            "Thank you for your time".to_owned(),
        ),
    };
    let intro = match f.tone {
        _ if f.fit.total == 0 || pairs.len() < 2 => None,
        Tone::Warm => Some("Reading your posting, I recognised much of my own work in it."),
        Tone::Enthusiastic => {
            Some("Your posting reads like a description of the work I enjoy most.")
        }
        Tone::Concise => None,
        Tone::Professional => Some("Your posting describes work I have done before."),
    }
    .map(str::to_owned);

    // résumé bullets: the user's own matching lines, strongest ask first
    let mut bullets: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (r, _) in &ranked {
        for e in r.evidence.iter().filter(|e| {
            e.source == Source::Resume && !is_title_line(&e.text) && !is_label_line(&e.text)
        }) {
            if seen.contains(&e.text.as_str()) || bullets.len() >= 8 {
                continue;
            }
            seen.push(&e.text);
            bullets.push(reword(&e.text, f.job_description));
        }
    }
    let mut gaps: Vec<String> = Vec::new();
    for r in f.fit.requirements.iter().filter(|r| !r.met) {
        if gaps.len() >= 8 {
            break;
        }
        let kind = match r.kind {
            RequirementKind::Required => "required",
            RequirementKind::NiceToHave => "nice to have",
        };
        gaps.push(format!(
            "{} ({kind}): [Result you achieved] by [what you did], only if it is true",
            r.text
        ));
    }

    let mut questions: Vec<Question> = Vec::new();
    let mut order: Vec<&Requirement> = f.fit.requirements.iter().collect();
    order.sort_by_key(|r| r.kind == RequirementKind::NiceToHave);
    for (n, r) in order.iter().take(7).enumerate() {
        questions.push(question(r, n, f.skills, german));
    }

    let mut notes = Vec::new();
    if f.job_description.trim().is_empty() {
        notes.push("This application has no job description, so nothing could be matched to the role's requirements. Paste the posting into the application for a draft built on them.".to_owned());
    } else if f.fit.total == 0 {
        notes.push("No individual requirements could be read from the job description.".to_owned());
    }
    if f.resume.trim().is_empty() && f.skills.is_empty() {
        notes.push("Your profile has no résumé or skills yet, so the draft makes no claims about your experience. Add them in Settings under Profile.".to_owned());
    } else if f.resume.trim().is_empty() {
        notes.push(
            "Your profile has no résumé text yet, so only your skills could be matched.".to_owned(),
        );
    }
    Plan {
        greeting: f
            .contact
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{} hiring team", f.company)),
        opening,
        intro,
        follow_up_opening,
        thanks,
        thank_you_fit,
        pairs,
        gap_sentence,
        closing,
        sign_off,
        point_of_fit,
        bullets,
        gaps,
        questions,
        notes,
        footer: FOOTER.to_owned(),
    }
}

/// The fact a pair was built from, again as a clause.
fn fact_of(p: &Pair) -> String {
    let e = Evidence {
        source: p.source,
        text: p.evidence.clone(),
        strength: 0.0,
    };
    fact(&e).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resume_line_becomes_a_sentence_in_the_first_person() {
        assert_eq!(
            first_person("Cut p99 latency from 900 ms to 40 ms in Rust."),
            Some("I cut p99 latency from 900 ms to 40 ms in Rust.".to_owned())
        );
        assert_eq!(first_person("Senior Engineer, Acme (2020–2026)"), None);
    }

    #[test]
    fn asks_keep_their_names_and_risky_ones_are_quoted() {
        assert_eq!(
            ask_phrase("Solid PostgreSQL skills", &[], false),
            "solid PostgreSQL skills"
        );
        assert_eq!(ask_phrase("Kafka", &[], false), "Kafka");
        assert_eq!(ask_phrase("Rust or C++", &[], false), "Rust or C++");
        assert_eq!(
            ask_phrase("Operate them on Kubernetes", &[], false),
            "“Operate them on Kubernetes”"
        );
        assert_eq!(
            ask_phrase("Erfahrung mit Kafka", &[], true),
            "“Erfahrung mit Kafka”"
        );
    }

    #[test]
    fn rewording_takes_the_postings_spelling_of_a_name() {
        assert_eq!(
            reword(
                "Led the migration from MySQL to Postgres",
                "Solid PostgreSQL skills"
            ),
            "Led the migration from MySQL to PostgreSQL"
        );
        assert_eq!(
            reword("Ran 40 services on k8s", "Kubernetes"),
            "Ran 40 services on Kubernetes"
        );
    }
}
