//! Fit: what a job asks for and what the user's profile shows — the
//! posting's individual requirements, each with the user's own evidence
//! (résumé lines, skills, summary). Every draft is written from it, and the
//! application page shows it. Pure and deterministic: no model, no I/O.
//!
//! - [`posting`] splits a posting into parts and asks;
//! - [`terms`] turns words into comparable terms (stems, synonyms);
//! - [`evidence`] finds and ranks the user's lines for each ask.

pub mod evidence;
pub mod posting;
pub mod terms;

#[cfg(test)]
pub(crate) mod corpus;

use serde::Serialize;

use super::application::ApplicationDetail;
use super::interview::Interview;
use super::profile::Profile;

/// What a draft is written from.
#[derive(Debug, Clone)]
pub struct Material {
    pub application: ApplicationDetail,
    pub profile: Profile,
    pub interview: Option<Interview>,
    pub name: Option<String>,
}

/// Whether `needle` occurs in `haystack` as a whole word (case-insensitive;
/// a word boundary is any character that is not a letter or digit, so
/// "C++" and "Node.js" work).
pub fn mentions(haystack: &str, needle: &str) -> bool {
    let needle = needle.trim().to_lowercase();
    if needle.is_empty() {
        return false;
    }
    let hay = haystack.to_lowercase();
    let mut from = 0;
    while let Some(pos) = hay[from..].find(&needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if edge(before) && edge(after) {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Where a piece of evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Resume,
    Skills,
    Summary,
}

impl Source {
    /// Résumé lines are the strongest evidence: they say what was done.
    fn rank(self) -> u8 {
        match self {
            Source::Resume => 0,
            Source::Skills => 1,
            Source::Summary => 2,
        }
    }

    /// How much a match in it counts, against a résumé line's.
    fn weight(self) -> f32 {
        match self {
            Source::Resume => 1.0,
            Source::Skills => 0.8,
            Source::Summary => 0.6,
        }
    }
}

/// One of the user's own lines that supports a requirement.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub source: Source,
    pub text: String,
    /// How much of the requirement it covers (0–1), for ranking pairs.
    #[serde(skip)]
    pub strength: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequirementKind {
    Required,
    NiceToHave,
}

/// One ask of the posting, with the user's evidence for it, best first.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Requirement {
    pub text: String,
    pub kind: RequirementKind,
    pub evidence: Vec<Evidence>,
    pub met: bool,
}

/// How much material the fit was computed from (0 says it was missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComputedFrom {
    pub job_description_chars: usize,
    pub resume_chars: usize,
}

/// The posting's requirements against the user's own evidence.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Fit {
    pub requirements: Vec<Requirement>,
    pub met_count: usize,
    pub total: usize,
    /// Every requirement not met, nice-to-haves included.
    pub missing: Vec<String>,
    pub computed_from: ComputedFrom,
}

/// The fit of a posting (plain text or HTML) and a profile. `company` is
/// the employer's name, so its description of itself is never an ask.
pub fn assess(job_description: &str, profile: &Profile, company: &str) -> Fit {
    assess_counting(job_description, profile, company).0
}

/// [`assess`], with a count of the elementary steps it took (tests check
/// it grows in proportion to the input).
fn assess_counting(job_description: &str, profile: &Profile, company: &str) -> (Fit, usize) {
    let (asks, reading) = posting::asks_counting(job_description, company);
    let mut index = evidence::Index::new(profile);
    let german = terms::is_german(job_description);
    let mut requirements = Vec::with_capacity(asks.len());
    for ask in asks {
        let found = index.evidence(&ask.text, german);
        let evidence: Vec<Evidence> = found
            .into_iter()
            .map(|(u, strength)| Evidence {
                source: index.units[u].source,
                text: index.units[u].text.clone(),
                strength,
            })
            .collect();
        requirements.push(Requirement {
            text: ask.text,
            kind: if ask.nice_to_have {
                RequirementKind::NiceToHave
            } else {
                RequirementKind::Required
            },
            met: !evidence.is_empty(),
            evidence,
        });
    }
    let missing = requirements
        .iter()
        .filter(|r| !r.met)
        .map(|r| r.text.clone())
        .collect();
    let fit = Fit {
        met_count: requirements.iter().filter(|r| r.met).count(),
        total: requirements.len(),
        missing,
        requirements,
        computed_from: ComputedFrom {
            job_description_chars: job_description.trim().chars().count(),
            resume_chars: profile
                .resume_text
                .as_deref()
                .unwrap_or("")
                .trim()
                .chars()
                .count(),
        },
    };
    let work = reading + index.work;
    (fit, work)
}

/// The fit of a draft's material.
pub fn of_material(m: &Material) -> Fit {
    assess(
        m.application.job_description.as_deref().unwrap_or(""),
        &m.profile,
        &m.application.application.fields.company,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> Profile {
        Profile {
            headline: Some("Backend engineer".into()),
            summary: Some("I build distributed systems.".into()),
            resume_text: Some(
                "- Cut p99 latency from 900 ms to 40 ms in Rust\n- Ran 40 services on k8s\n- Led the move to Postgres".into(),
            ),
            skills: vec!["Rust".into(), "Go".into()],
            links: vec![],
        }
    }

    #[test]
    fn every_requirement_carries_its_best_evidence_and_the_counts_agree() {
        let fit = assess(
            "Requirements\n- Rust or C++\n- Kubernetes and PostgreSQL\n- Clear written English\nNice to have\n- Kafka",
            &ada(),
            "Acme",
        );
        let texts: Vec<&str> = fit.requirements.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Rust or C++",
                "Kubernetes",
                "PostgreSQL",
                "Clear written English",
                "Kafka"
            ]
        );
        assert_eq!(fit.requirements[0].evidence[0].source, Source::Resume);
        assert!(fit.requirements[0].evidence[0].text.contains("p99"));
        assert!(fit.requirements[1].evidence[0].text.contains("k8s"));
        assert!(fit.requirements[2].evidence[0].text.contains("Postgres"));
        assert_eq!(fit.met_count, 3);
        assert_eq!(fit.total, 5);
        assert_eq!(fit.missing, vec!["Clear written English", "Kafka"]);
        assert_eq!(fit.requirements[4].kind, RequirementKind::NiceToHave);
        let json = serde_json::to_value(&fit).unwrap();
        assert_eq!(json["requirements"][4]["kind"], "nice_to_have");
        assert_eq!(json["requirements"][0]["evidence"][0]["source"], "resume");
        assert!(json["requirements"][0]["evidence"][0]
            .get("strength")
            .is_none());
    }

    #[test]
    fn an_empty_posting_or_profile_says_what_is_missing() {
        let fit = assess("", &ada(), "Acme");
        assert_eq!((fit.total, fit.computed_from.job_description_chars), (0, 0));
        let fit = assess("Requirements\n- Rust", &Profile::default(), "Acme");
        assert_eq!(fit.computed_from.resume_chars, 0);
        assert_eq!(fit.missing, vec!["Rust"]);
    }

    #[test]
    fn a_long_posting_is_read_in_work_proportional_to_its_length() {
        let chunk = |n: usize| -> String {
            (0..n)
                .map(|i| {
                    format!("- Experience with system {i} and service {i}, tool{i} or lib{i}.\n")
                })
                .collect()
        };
        let small = chunk(1_000);
        let big = chunk(2_000);
        assert!(big.len() > 60_000);
        let mut profile = ada();
        profile.resume_text = Some(chunk(500));
        let (_, w1) = assess_counting(&small, &profile, "Acme");
        let (fit, w2) = assess_counting(&big, &profile, "Acme");
        assert!(fit.total <= posting::MAX_ASKS);
        // twice the text, about twice the work: nothing grows with its square
        assert!(w2 < w1 * 5 / 2, "{w1} → {w2}");
        // 100,000 characters of one unbroken line, and of many lines, finish
        let flat = "Rust, Go and C++ experience; ".repeat(3_500);
        assert!(flat.len() > 100_000);
        let _ = assess(&flat, &profile, "Acme");
        let lines = "Requirements\n- Rust\n".repeat(6_000);
        let _ = assess(&lines, &profile, "Acme");
        // one sentence of 100,000 characters full of what the splitter
        // strips and rewrites: still one pass
        for pathological in [
            "and you know Rust ".repeat(6_000),
            format!("{}Rust", "and ".repeat(25_000)),
            format!("Rust{}", " is a plus".repeat(10_000)),
            "you will you'll ".repeat(7_000),
        ] {
            assert!(pathological.len() >= 100_000);
            let fit = assess(&pathological, &profile, "Acme");
            assert!(fit.total <= posting::MAX_ASKS);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn the_splitter_and_matcher_never_panic(
            jd in "(?s).{0,400}",
            resume in "(?s).{0,200}",
            skill in ".{0,20}",
        ) {
            let profile = Profile {
                resume_text: Some(resume),
                skills: vec![skill],
                ..Profile::default()
            };
            let fit = assess(&jd, &profile, "Acme");
            proptest::prop_assert_eq!(fit.total, fit.requirements.len());
            proptest::prop_assert_eq!(fit.met_count + fit.missing.len(), fit.total);
        }

        #[test]
        fn postings_made_of_headings_bullets_and_cues_never_panic(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("Requirements:".to_owned()),
                proptest::strategy::Just("Über uns".to_owned()),
                proptest::strategy::Just("- ".to_owned()),
                proptest::strategy::Just("<li>".to_owned()),
                proptest::strategy::Just(" you will ".to_owned()),
                proptest::strategy::Just(", ".to_owned()),
                proptest::strategy::Just(" and ".to_owned()),
                proptest::strategy::Just("(".to_owned()),
                proptest::strategy::Just("İ \u{212A} ß".to_owned()),
                "[a-zA-Z+#. ]{0,12}",
                proptest::strategy::Just("\n".to_owned()),
            ], 0..40),
        ) {
            let jd: String = parts.concat();
            let fit = assess(&jd, &ada(), "Acme");
            proptest::prop_assert!(fit.total <= posting::MAX_ASKS);
        }
    }

    #[test]
    fn skills_match_as_whole_words() {
        assert!(mentions("We love Rust and C++.", "rust"));
        assert!(mentions("We love Rust and C++.", "C++"));
        assert!(!mentions("Trusted partner", "rust"));
    }
}
