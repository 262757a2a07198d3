//! The user's evidence for an ask: résumé lines, skills and summary
//! sentences that share its words (by stem and synonym), ranked best first.
//! The profile is indexed once (term → units, sorted, so a stem also finds
//! longer words it begins); each ask then looks up its own few terms, so the
//! work grows with the text, not with asks × lines × words.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::posting::{bullet_text, sentences};
use super::terms::{capitalised_name, heading_shape, implied, is_name, stem, tokens};

/// A word as the index keeps it (names whole, other words stemmed).
fn term_of(word: &str) -> String {
    if is_name(word) {
        word.to_owned()
    } else {
        stem(word)
    }
}
use super::Source;
use crate::domain::profile::Profile;

/// One line or sentence of the profile.
#[derive(Debug, Clone)]
pub struct Unit {
    pub source: Source,
    pub text: String,
    has_number: bool,
    /// A job title with its dates ("Analyst, Acme (2017–2020)"): evidence
    /// by its named words, not by one plain word in common.
    title: bool,
}

fn is_title_line(text: &str) -> bool {
    // "Lena Fischer — Product Manager": a résumé's header
    let (separated, dated) = heading_shape(text);
    separated || (dated && text.split_whitespace().count() <= 12)
}

/// At most this many units are indexed (a 50,000-character résumé fits).
const MAX_UNITS: usize = 3_000;

/// Résumé lines that only name a section.
const SECTION_NAMES: &[&str] = &[
    "experience",
    "work experience",
    "professional experience",
    "employment",
    "work history",
    "skills",
    "technical skills",
    "education",
    "projects",
    "summary",
    "profile",
    "languages",
    "certifications",
    "publications",
    "interests",
    "contact",
    "berufserfahrung",
    "ausbildung",
    "kenntnisse",
    "sprachen",
    "projekte",
    "about me",
    "selected projects",
    "achievements",
];

fn is_section_name(line: &str) -> bool {
    let l = line.trim_end_matches(':').trim().to_lowercase();
    SECTION_NAMES.contains(&l.as_str())
}

/// Verbs and nouns too general to show anything alone.
const GENERIC: &[&str] = &[
    "improv",
    "build",
    "creat",
    "support",
    "ensur",
    "driv",
    "own",
    "run",
    "manag",
    "deliv",
    "ship",
    "writ",
    "write",
    "lead",
    "product",
    "system",
    "servic",
    "production",
    "maintain",
    "high",
    "large",
    "scal",
    "scale",
    "fast",
    "quality",
    "impact",
    "focus",
    "kei",
    "key",
    "core",
    "end",
    "new",
    "clear",
    "close",
    "closely",
    "user",
    "customer",
    "business",
    "project",
    "part",
    "time",
    "code",
    "tool",
    "feature",
    "solution",
    "process",
    "goal",
    "stakehold",
    "across",
    "internal",
    "modern",
    "best",
    "practic",
    "take",
    "keep",
    "set",
    "grow",
    "open",
    "tech",
    "technical",
    "technology",
    "stack",
    "platform",
    "data",
    "application",
    "based",
];

/// Whether one word in common is enough to show an ask (not a generic verb
/// or noun, and long enough to mean something).
fn is_specific(term: &str) -> bool {
    term.chars().count() >= 4 && !GENERIC.contains(&term)
}

/// The profile, indexed by term.
pub struct Index {
    pub units: Vec<Unit>,
    terms: BTreeMap<String, Vec<usize>>,
    /// The terms of the user's skills: naming one makes an ask's word key.
    pub skill_terms: HashSet<String>,
    pub work: usize,
}

impl Index {
    pub fn new(profile: &Profile) -> Index {
        let mut units = Vec::new();
        let push = |source: Source, text: &str, units: &mut Vec<Unit>| {
            let text = text.trim();
            if text.chars().filter(|c| c.is_alphabetic()).count() < 2 || units.len() >= MAX_UNITS {
                return;
            }
            units.push(Unit {
                source,
                text: crate::domain::generation::clip(text, 300),
                has_number: text.chars().any(|c| c.is_ascii_digit()),
                title: is_title_line(text),
            });
        };
        for line in profile.resume_text.as_deref().unwrap_or("").lines() {
            let line = bullet_text(line.trim());
            if line.is_empty() || is_section_name(line) {
                continue;
            }
            if line.chars().count() > 300 {
                for s in sentences(line) {
                    push(Source::Resume, s, &mut units);
                }
            } else {
                push(Source::Resume, line, &mut units);
            }
        }
        for skill in &profile.skills {
            push(Source::Skills, skill, &mut units);
        }
        for s in sentences(profile.summary.as_deref().unwrap_or("")) {
            push(Source::Summary, s, &mut units);
        }
        let mut terms: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut work = 0;
        for (i, u) in units.iter().enumerate() {
            for t in tokens(&u.text) {
                work += 1;
                // an implied term is kept apart: it counts half
                for term in implied(&t.term)
                    .iter()
                    .map(|x| format!("~{}", term_of(x)))
                    .chain([t.term])
                {
                    let list = terms.entry(term).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        // a generic word in a skill ("Product discovery") makes nothing key
        let skill_terms = profile
            .skills
            .iter()
            .flat_map(|s| tokens(s).into_iter().map(|t| t.term))
            .filter(|t| is_specific(t))
            .collect();
        Index {
            units,
            terms,
            skill_terms,
            work,
        }
    }

    /// The units holding a term, or a word it begins or that begins it
    /// (five letters at least, so "architect" finds "architecture").
    fn holding(&mut self, term: &str) -> HashMap<usize, f32> {
        let mut found: HashMap<usize, f32> = HashMap::new();
        if let Some(list) = self.terms.get(&format!("~{term}")) {
            found.extend(list.iter().map(|u| (*u, 0.5)));
        }
        if let Some(list) = self.terms.get(term) {
            found.extend(list.iter().map(|u| (*u, 1.0)));
        }
        let alphabetic = term.chars().all(char::is_alphabetic);
        if alphabetic && term.chars().count() >= 5 {
            for (k, list) in self.terms.range(term.to_owned()..) {
                self.work += 1;
                if !k.starts_with(term) {
                    break;
                }
                found.extend(list.iter().map(|u| (*u, 1.0)));
            }
            for (end, _) in term.char_indices().skip(5) {
                self.work += 1;
                if let Some(list) = self.terms.get(&term[..end]) {
                    found.extend(list.iter().map(|u| (*u, 1.0)));
                }
            }
        }
        self.work += found.len();
        found
    }

    /// The evidence for an ask, best first (at most three).
    /// `german`: the posting is German, where a capital marks every noun.
    pub fn evidence(&mut self, ask: &str, german: bool) -> Vec<(usize, f32)> {
        let toks = tokens(ask);
        let mut weights: Vec<(String, f32)> = Vec::new();
        for (n, t) in toks.iter().enumerate() {
            let key = t.key
                || (!german && n > 0 && capitalised_name(t.raw) && ask.find(t.raw) != Some(0))
                || self.skill_terms.contains(&t.term);
            let w = if key { 3.0 } else { 1.0 };
            match weights.iter_mut().find(|(x, _)| *x == t.term) {
                Some(e) => e.1 = e.1.max(w),
                None => weights.push((t.term.clone(), w)),
            }
        }
        let total: f32 = weights.iter().map(|w| w.1).sum();
        if weights.is_empty() {
            return Vec::new();
        }
        // unit → (matched weight, matched words, matched key words, a specific
        // word, letters matched: longer words in common say more)
        let mut scores: HashMap<usize, (f32, usize, usize, bool, usize)> = HashMap::new();
        for (term, w) in &weights {
            let specific = is_specific(term);
            for (u, share) in self.holding(term) {
                let e = scores.entry(u).or_default();
                e.0 += w * share;
                e.1 += 1;
                if *w > 1.0 {
                    e.2 += 1;
                }
                e.3 |= specific;
                e.4 += term.len();
            }
        }
        let few = weights.len() <= 4;
        let units = &self.units;
        let mut ranked: Vec<(usize, f32, usize, usize)> = scores
            .into_iter()
            .filter(|(u, (weight, words, keys, specific, _))| {
                let share = weight / total;
                *keys >= 1
                    || (*words >= 2 && share >= 0.34)
                    || (weights.len() == 1 && *words == 1)
                    || (few && *specific && !units[*u].title)
            })
            // what was done outranks what is listed or claimed
            .map(|(u, (weight, _, keys, _, letters))| {
                (u, weight / total * units[u].source.weight(), keys, letters)
            })
            .collect();
        ranked.sort_by(|a, b| {
            let (ua, ub) = (&units[a.0], &units[b.0]);
            b.1.total_cmp(&a.1)
                .then(b.2.cmp(&a.2))
                .then(b.3.cmp(&a.3))
                .then(ua.source.rank().cmp(&ub.source.rank()))
                .then(ub.has_number.cmp(&ua.has_number))
                .then(a.0.cmp(&b.0))
        });
        ranked.truncate(3);
        ranked.into_iter().map(|(u, s, _, _)| (u, s)).collect()
    }
}
