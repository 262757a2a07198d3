//! The built-in drafter over the fit corpus (`tests/fixtures/fit/`): every
//! draft kind in every tone, read the way a careful recruiter would read it.
//! Sentences start with a capital and end with punctuation; no name from the
//! posting or the profile appears in lower case; no heading of the posting
//! is pasted in; placeholders appear only for requirements without evidence,
//! under the "Gaps" heading; every number is one the posting or profile
//! holds; the letter carries the user's own facts; tones change the wording,
//! not the facts; every draft says where it came from.

use std::collections::BTreeSet;

use time::OffsetDateTime;

use super::prompts::{Prompts, Request};
use crate::domain::application::{example, Application, ApplicationDetail, ApplicationFields};
use crate::domain::fit::corpus::{cases, Case};
use crate::domain::fit::terms::raw_words;
use crate::domain::fit::{of_material, Fit, Material, Source};
use crate::domain::generation::{Kind, Tone};
use crate::domain::pipeline::Status;
use crate::domain::profile::Profile;

pub fn material(company: &str, title: &str, jd: &str, profile: Profile, name: &str) -> Material {
    Material {
        application: ApplicationDetail {
            application: Application {
                fields: ApplicationFields {
                    company: company.into(),
                    title: title.into(),
                    work_mode: None,
                    salary_currency: "EUR".into(),
                    status: Status::Applied,
                    ..example().fields
                },
                priority_score: 50,
                created_at: OffsetDateTime::UNIX_EPOCH,
                updated_at: OffsetDateTime::UNIX_EPOCH,
                status_changed_at: OffsetDateTime::UNIX_EPOCH,
                ..example()
            },
            job_description: (!jd.is_empty()).then(|| jd.to_owned()),
        },
        profile,
        interview: None,
        name: (!name.is_empty()).then(|| name.to_owned()),
    }
}

const TONES: [Tone; 4] = [
    Tone::Professional,
    Tone::Warm,
    Tone::Enthusiastic,
    Tone::Concise,
];

/// Headings and labels of postings that must never be pasted into a draft.
const LABELS: &[&str] = &[
    "Requirements:",
    "Responsibilities:",
    "Qualifications:",
    "Nice to have:",
    "Benefits:",
    "About us",
    "What you'll do",
    "What you will do",
    "What we offer",
    "What we're looking for",
    "Anforderungen",
    "Dein Profil",
    "Deine Aufgaben",
    "Wünschenswert",
    "Über uns",
    "Wir bieten",
    "Minimum qualifications",
    "Preferred qualifications",
    "Bonus points",
    "Compensation",
];

pub fn draft(case_material: &Material, kind: Kind, tone: Tone) -> (String, Fit) {
    let fit = of_material(case_material);
    let r = Request {
        kind,
        tone,
        instructions: None,
    };
    let text = Prompts::new()
        .builtin_draft(case_material, &r, &fit)
        .unwrap_or_else(|e| panic!("{e}"));
    (text, fit)
}

fn material_of(case: &Case) -> Material {
    material(
        case.company(),
        case.title(),
        &case.posting,
        case.profile.clone(),
        &case.person,
    )
}

/// Words written with a capital inside a sentence of the source (not at
/// its start, not in a heading) that the source never writes small: names
/// ("Rust", "PostgreSQL", "Nimbus").
fn names(sources: &[&str]) -> BTreeSet<String> {
    // HTML is read as its text, as the fit reads it
    let all: Vec<String> = sources
        .iter()
        .map(|s| {
            if s.contains("</") {
                crate::domain::capture::html_to_text(s)
            } else {
                (*s).to_owned()
            }
        })
        .collect();
    let all = all.join("\n");
    let small: BTreeSet<&str> = raw_words(&all)
        .into_iter()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .collect();
    let mut out = BTreeSet::new();
    for line in all.lines() {
        let line = crate::domain::fit::posting::bullet_text(line.trim());
        let heading = !line.ends_with(['.', '!', '?']) && line.split_whitespace().count() <= 8;
        if heading {
            continue;
        }
        for s in crate::domain::fit::posting::sentences(line) {
            for w in raw_words(s).into_iter().skip(1) {
                let lower = w.to_lowercase();
                if w.chars().next().is_some_and(char::is_uppercase)
                    && w.chars().count() > 1
                    && !small.contains(lower.as_str())
                {
                    out.insert(lower);
                }
            }
        }
    }
    out
}

fn numbers(text: &str) -> BTreeSet<String> {
    raw_words(text)
        .into_iter()
        .flat_map(|w| {
            w.split(|c: char| !c.is_ascii_digit())
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What a careful reader would object to in a draft.
fn problems(text: &str, kind: Kind, fit: &Fit, sources: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if !text.contains("built-in drafter") {
        out.push("does not say it came from the built-in drafter".to_owned());
    }
    for label in LABELS {
        if text.to_lowercase().contains(&label.to_lowercase()) {
            out.push(format!("pastes the label {label:?}"));
        }
    }
    let names = names(sources);
    for w in raw_words(text) {
        if w.chars().next().is_some_and(char::is_lowercase) && names.contains(w) {
            out.push(format!("writes the name {w:?} in lower case"));
        }
    }
    let known = numbers(&sources.join("\n"));
    for n in numbers(text) {
        if !known.contains(&n) {
            out.push(format!(
                "states the number {n} that neither posting nor profile holds"
            ));
        }
    }
    let gaps_at = text.find("\nGaps");
    for (i, _) in text.match_indices('[') {
        if kind != Kind::ResumeTailoring || gaps_at.is_none_or(|g| i < g) {
            out.push("a placeholder outside the Gaps list".to_owned());
            break;
        }
    }
    if let Some(g) = gaps_at {
        for line in text[g..].lines().filter(|l| l.starts_with("- ")) {
            let asked = line[2..].split(" (").next().unwrap_or("");
            if fit.requirements.iter().any(|r| r.text == asked && r.met) {
                out.push(format!("a placeholder for {asked:?}, which has evidence"));
            }
        }
    }
    let mut previous = "";
    for line in text.lines().map(str::trim_end) {
        let after_sign_off = previous.ends_with(',');
        previous = line;
        let body = line.trim_start();
        if body.is_empty() || body.starts_with("Subject: ") || body.ends_with(',') {
            continue;
        }
        // bullets are résumé lines and questions; the rest are sentences
        if let Some(b) = body.strip_prefix("- ") {
            if !b
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
            {
                out.push(format!("a list item starts in lower case: {b:?}"));
            }
            continue;
        }
        if after_sign_off {
            continue; // the signature: a name
        }
        if !body.ends_with(['.', '!', '?', ':']) {
            out.push(format!("a line that does not end a sentence: {body:?}"));
        }
        for s in crate::domain::fit::posting::sentences(body) {
            let first = s.chars().next().unwrap_or(' ');
            if !(first.is_uppercase() || first.is_ascii_digit() || first == '“') {
                out.push(format!("a sentence starts in lower case: {s:?}"));
            }
        }
    }
    out
}

#[test]
fn every_draft_of_the_corpus_reads_as_a_careful_person_wrote_it() {
    let mut all = Vec::new();
    for case in cases() {
        let m = material_of(&case);
        let resume = case.profile.resume_text.clone().unwrap_or_default();
        let summary = case.profile.summary.clone().unwrap_or_default();
        let skills = case.profile.skills.join(", ");
        let sources = [
            case.posting.as_str(),
            resume.as_str(),
            summary.as_str(),
            skills.as_str(),
            case.title(),
            case.company(),
            case.person.as_str(),
        ];
        for (_, kind) in Kind::CHOICES {
            for tone in TONES {
                let (text, fit) = draft(&m, kind, tone);
                for p in problems(&text, kind, &fit, &sources) {
                    all.push(format!("{} {kind:?} {tone:?}: {p}\n{text}\n", case.name));
                }
            }
        }
    }
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

#[test]
fn the_letter_is_built_on_the_users_own_facts_and_tones_change_only_the_wording() {
    for case in cases() {
        let m = material_of(&case);
        let mut facts = Vec::new();
        for tone in TONES {
            let (letter, fit) = draft(&m, Kind::CoverLetter, tone);
            // the strongest résumé lines that read as sentences, quoted whole
            let quotable: Vec<&str> = fit
                .requirements
                .iter()
                .flat_map(|r| r.evidence.iter())
                .filter(|e| e.source == Source::Resume)
                .map(|e| e.text.as_str())
                .filter(|t| crate::domain::draft::first_person(t).is_some())
                .collect();
            let used: Vec<&str> = quotable
                .iter()
                .copied()
                .filter(|t| {
                    let sentence = crate::domain::draft::first_person(t).unwrap_or_default();
                    letter.contains(sentence.trim_end_matches('.'))
                })
                .collect();
            let distinct: BTreeSet<&str> = quotable.iter().copied().collect();
            assert!(
                used.len() >= distinct.len().min(2),
                "{} {tone:?}: the letter uses {used:?} of {distinct:?}\n{letter}",
                case.name
            );
            for line in &used {
                for n in numbers(line) {
                    assert!(
                        letter.contains(&n),
                        "{}: {n} of {line:?} missing\n{letter}",
                        case.name
                    );
                }
            }
            facts.push(numbers(&letter));
        }
        assert!(
            facts.windows(2).all(|w| w[0] == w[1]),
            "{}: the tones state different facts: {facts:?}",
            case.name
        );
    }
}

#[test]
fn an_empty_posting_or_profile_gives_a_shorter_honest_draft() {
    let case = &cases()[0];
    let empty_profile = material(
        case.company(),
        case.title(),
        &case.posting,
        Profile::default(),
        "Ada",
    );
    for (_, kind) in Kind::CHOICES {
        let (text, fit) = draft(&empty_profile, kind, Tone::Professional);
        assert_eq!(fit.met_count, 0);
        assert!(
            text.contains("Your profile has no résumé or skills yet"),
            "{kind:?}: {text}"
        );
        assert!(
            !text.contains(" I cut ") && !text.contains("I led"),
            "{text}"
        );
        if kind != Kind::ResumeTailoring {
            assert!(
                !text.contains('['),
                "{kind:?}: no placeholder dressed as a fact: {text}"
            );
        }
        assert!(
            problems(
                &text,
                kind,
                &fit,
                &[&case.posting, case.title(), case.company(), "Ada"]
            )
            .is_empty(),
            "{text}"
        );
    }
    let no_posting = material(
        case.company(),
        case.title(),
        "",
        case.profile.clone(),
        "Ada",
    );
    let (letter, fit) = draft(&no_posting, Kind::CoverLetter, Tone::Professional);
    assert_eq!((fit.total, fit.computed_from.job_description_chars), (0, 0));
    assert!(letter.contains("has no job description"), "{letter}");
    let (full, _) = draft(&material_of(case), Kind::CoverLetter, Tone::Professional);
    assert!(letter.len() < full.len(), "shorter:\n{letter}\n---\n{full}");
    assert!(!letter.contains('['), "{letter}");
}

/// Prints the fit and the four main drafts of one posting (for the notes).
#[test]
fn show_one_posting() {
    let which = std::env::var("FIT_SHOW").unwrap_or_else(|_| "nimbus-headed".to_owned());
    let tone = match std::env::var("FIT_TONE").as_deref() {
        Ok("warm") => Tone::Warm,
        Ok("enthusiastic") => Tone::Enthusiastic,
        Ok("concise") => Tone::Concise,
        _ => Tone::Professional,
    };
    for case in cases()
        .into_iter()
        .filter(|c| which == "all" || c.name == which)
    {
        let m = material_of(&case);
        let (_, fit) = draft(&m, Kind::CoverLetter, tone);
        println!(
            "\n######## {}\n{}",
            case.name,
            super::prompts::fit_table(&fit)
        );
        for (_, kind) in Kind::CHOICES {
            let (text, _) = draft(&m, kind, tone);
            println!("\n===== {kind:?}\n{text}");
        }
    }
}
