//! Fit: what a job asks for and what the user's profile shows — the text
//! analysis every draft is written from (pure, no I/O).

use super::application::ApplicationDetail;
use super::generation::clip;
use super::interview::{Interview, InterviewKind};
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

/// What the drafter found in the material.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Analysis {
    pub greeting: String,
    /// The profile's skills the job description mentions.
    pub matched: Vec<String>,
    /// The job's requirements, from its bullet points (or first sentences).
    pub highlights: Vec<String>,
    pub questions: Vec<String>,
    pub bullets: Vec<String>,
    /// Requirements the résumé and skills do not show yet.
    pub missing: Vec<String>,
}

/// The words of a text, lower-cased (`+` and `#` kept, for C++ and C#).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The job's requirements: its bullet points, else its first sentences.
pub fn requirements(jd: &str) -> Vec<String> {
    let bullets: Vec<String> = jd
        .lines()
        .map(str::trim)
        .filter_map(|l| {
            l.strip_prefix("- ")
                .or_else(|| l.strip_prefix("* "))
                .or_else(|| l.strip_prefix("• "))
        })
        .map(|l| clip(l.trim().trim_end_matches(['.', ';']), 120))
        .filter(|l| l.len() > 3)
        .take(6)
        .collect();
    if !bullets.is_empty() {
        return bullets;
    }
    jd.split(['.', '\n'])
        .map(str::trim)
        .filter(|s| (20..=160).contains(&s.len()))
        .take(3)
        .map(str::to_owned)
        .collect()
}

/// Reads the material for what a draft should say.
pub fn analyse(m: &Material) -> Analysis {
    let app = &m.application.application.fields;
    let jd = m.application.job_description.as_deref().unwrap_or("");
    let matched: Vec<String> = m
        .profile
        .skills
        .iter()
        .filter(|s| mentions(jd, s))
        .cloned()
        .collect();
    let highlights = requirements(jd);
    let resume = m.profile.resume_text.as_deref().unwrap_or("");
    let known = words(&format!(
        "{resume} {} {}",
        m.profile.skills.join(" "),
        m.profile.headline.as_deref().unwrap_or("")
    ));

    let mut questions = vec![
        format!(
            "Walk me through your background, and why {} now?",
            app.company
        ),
        format!("What interests you about the {} role?", app.title),
    ];
    let kind = m.interview.as_ref().map(|i| i.fields.kind);
    let technical = matches!(
        kind,
        Some(InterviewKind::Technical | InterviewKind::TakeHome | InterviewKind::Onsite) | None
    );
    let behavioral = matches!(
        kind,
        Some(
            InterviewKind::Behavioral
                | InterviewKind::Final
                | InterviewKind::PhoneScreen
                | InterviewKind::Other
        ) | None
    );
    if technical {
        for skill in matched.iter().take(3) {
            questions.push(format!(
                "How have you used {skill} in production, and what would you do differently now?"
            ));
        }
        for h in highlights.iter().take(3) {
            questions.push(format!("How would you approach this part of the job: {h}?"));
        }
    }
    if behavioral {
        questions.extend([
            "Tell me about a time you disagreed with a teammate. What happened?".to_owned(),
            "Describe a project you are proud of and your part in it.".to_owned(),
            "Tell me about a mistake you made and what you changed afterwards.".to_owned(),
        ]);
    }
    questions.push("Where do you want to grow in your next role?".to_owned());
    questions.truncate(12);

    let mut bullets: Vec<String> = resume
        .lines()
        .map(str::trim)
        .filter_map(|l| {
            l.strip_prefix("- ")
                .or_else(|| l.strip_prefix("* "))
                .or_else(|| l.strip_prefix("• "))
        })
        .filter(|l| {
            let w = words(l);
            matched.iter().any(|s| mentions(l, s))
                || highlights.iter().any(|h| {
                    words(h)
                        .iter()
                        .filter(|x| x.len() > 4)
                        .any(|x| w.contains(x))
                })
        })
        .map(|l| l.trim_end_matches('.').to_owned())
        .take(6)
        .collect();
    if bullets.is_empty() {
        bullets = matched
            .iter()
            .map(|s| {
                format!("[Result you achieved] by applying {s} to [problem] — the job asks for it")
            })
            .collect();
    }
    if bullets.is_empty() {
        bullets = highlights
            .iter()
            .take(4)
            .map(|h| format!("[What you did] that shows: {h}"))
            .collect();
    }
    let missing = highlights
        .iter()
        .filter(|h| {
            !words(h)
                .iter()
                .filter(|w| w.len() > 4)
                .any(|w| known.contains(w))
        })
        .cloned()
        .collect();
    Analysis {
        greeting: app
            .contact_name
            .clone()
            .unwrap_or_else(|| format!("{} hiring team", app.company)),
        matched,
        highlights,
        questions,
        bullets,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_match_as_whole_words_and_requirements_come_from_bullets() {
        assert!(mentions("We love Rust and C++.", "rust"));
        assert!(mentions("We love Rust and C++.", "C++"));
        assert!(!mentions("Trusted partner", "rust"));
        assert_eq!(
            requirements("About us.\n- Build APIs in Rust.\n* Operate PostgreSQL;\n• Mentor"),
            vec!["Build APIs in Rust", "Operate PostgreSQL", "Mentor"]
        );
        assert_eq!(
            requirements("We build tools for teams of every size. Join us."),
            vec!["We build tools for teams of every size"]
        );
    }
}
