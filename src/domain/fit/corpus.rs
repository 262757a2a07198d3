//! The fit against the corpus in `tests/fixtures/fit/`: postings in several
//! styles (headed sections, one paragraph, a bare list, HTML, Markdown,
//! inline labels, German, US "qualifications"), each with a sidecar naming
//! its profile, the requirements a careful reader finds, the evidence each
//! should lead with (none: it is missing), and text that must never be a
//! requirement (the company's self-description, pay, perks, logistics).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{assess, Fit, RequirementKind};
use crate::domain::profile::Profile;

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fit")
}

/// A posting of the corpus with what is expected of it.
pub struct Case {
    pub name: String,
    pub posting: String,
    pub expected: Value,
    pub profile: Profile,
    pub person: String,
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn profile(name: &str) -> (Profile, String) {
    let v: Value = serde_json::from_str(&read(&dir().join(format!("profiles/{name}.json"))))
        .unwrap_or_else(|e| panic!("profile {name}: {e}"));
    let text = |k: &str| v[k].as_str().map(str::to_owned);
    let profile = Profile {
        headline: text("headline"),
        summary: text("summary"),
        resume_text: text("resume_text"),
        skills: v["skills"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        links: vec![],
    };
    (profile, text("name").unwrap_or_default())
}

pub fn cases() -> Vec<Case> {
    let mut names: Vec<PathBuf> = fs::read_dir(dir().join("postings"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|sidecar| {
            let expected: Value = serde_json::from_str(&read(&sidecar))
                .unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
            let stem = sidecar.with_extension("");
            let posting = ["txt", "html", "md"]
                .iter()
                .map(|x| stem.with_extension(x))
                .find(|p| p.exists())
                .map(|p| read(&p))
                .unwrap_or_else(|| panic!("no posting beside {}", sidecar.display()));
            let (profile, person) = profile(expected["profile"].as_str().unwrap_or(""));
            Case {
                name: stem
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                posting,
                expected,
                profile,
                person,
            }
        })
        .collect()
}

impl Case {
    pub fn company(&self) -> &str {
        self.expected["company"].as_str().unwrap_or("")
    }

    pub fn title(&self) -> &str {
        self.expected["title"].as_str().unwrap_or("")
    }

    pub fn fit(&self) -> Fit {
        assess(&self.posting, &self.profile, self.company())
    }
}

fn contains(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}

#[test]
fn the_corpus_is_split_and_matched_as_a_careful_reader_would() {
    let cases = cases();
    assert!(cases.len() >= 8, "only {} postings", cases.len());
    let (mut expected, mut found, mut evidence_right) = (0, 0, 0);
    let mut report = String::new();
    let mut forbidden = Vec::new();
    for case in &cases {
        let fit = case.fit();
        report.push_str(&format!(
            "\n== {} — {} at {} for {} ({} requirements)\n",
            case.name,
            case.title(),
            case.company(),
            case.person,
            fit.total
        ));
        for r in &fit.requirements {
            report.push_str(&format!(
                "  [{}] {:?} {} ⇐ {:?}\n",
                if r.met { "met" } else { "   " },
                r.kind,
                r.text,
                r.evidence.first().map(|e| &e.text)
            ));
        }
        for want in case.expected["requirements"]
            .as_array()
            .into_iter()
            .flatten()
        {
            expected += 1;
            let find = want["find"].as_str().unwrap_or("");
            let kind = match want["kind"].as_str() {
                Some("nice_to_have") => RequirementKind::NiceToHave,
                _ => RequirementKind::Required,
            };
            let evidence: Vec<&str> = want["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let Some(got) = fit
                .requirements
                .iter()
                .find(|r| contains(&r.text, find) && r.kind == kind)
            else {
                report.push_str(&format!("  NOT FOUND: {find} ({kind:?})\n"));
                continue;
            };
            found += 1;
            let right = if evidence.is_empty() {
                !got.met
            } else {
                got.evidence
                    .first()
                    .is_some_and(|e| evidence.iter().any(|x| contains(&e.text, x)))
            };
            if right {
                evidence_right += 1;
            } else {
                report.push_str(&format!(
                    "  WRONG EVIDENCE: {find}: want {evidence:?}, got {:?}\n",
                    got.evidence.iter().map(|e| &e.text).collect::<Vec<_>>()
                ));
            }
        }
        for never in case.expected["never"].as_array().into_iter().flatten() {
            let never = never.as_str().unwrap_or("");
            for r in fit.requirements.iter().filter(|r| contains(&r.text, never)) {
                forbidden.push(format!("{}: {:?} taken as {:?}", case.name, never, r.text));
            }
        }
    }
    let found_pct = 100.0 * found as f64 / expected as f64;
    let evidence_pct = 100.0 * evidence_right as f64 / expected as f64;
    println!(
        "{report}\nfound {found}/{expected} ({found_pct:.1} %), evidence right {evidence_right}/{expected} ({evidence_pct:.1} %), not requirements taken as one: {}",
        forbidden.len()
    );
    assert!(found_pct >= 90.0, "found {found_pct:.1} %{report}");
    assert!(evidence_pct >= 90.0, "evidence {evidence_pct:.1} %{report}");
    assert!(forbidden.is_empty(), "{forbidden:#?}{report}");
}
