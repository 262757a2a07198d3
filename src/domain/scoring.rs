//! Explainable prioritization: a deterministic score from 0 to 100 and the
//! plain-words reasons behind it, from the application, the user's
//! preferences and today's date.
//!
//! `score = round(100 × Σ wᵢ·fᵢ / Σ wᵢ)` over the factors that apply;
//! applications in a final status score 0.

use time::{Date, OffsetDateTime};

use super::application::ApplicationFields;
use super::fit::mentions;
use super::preferences::Preferences;

/// The score and its reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityScore {
    pub score: i16,
    pub reasons: Vec<String>,
}

/// What scoring reads of an application.
pub struct Scorable<'a> {
    pub fields: &'a ApplicationFields,
    pub job_description: Option<&'a str>,
    /// When the status last changed (freshness).
    pub status_changed_at: OffsetDateTime,
}

fn join_words(words: &[String]) -> String {
    match words.len() {
        0 => String::new(),
        1 => words[0].clone(),
        n => format!("{} and {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

/// The score of an application under the user's preferences, as of `now`
/// ("today" in the user's time zone).
pub fn prioritize(
    fields: &super::ApplicationFields,
    job_description: Option<&str>,
    status_changed_at: OffsetDateTime,
    prefs: &Preferences,
    timezone: &str,
    now: OffsetDateTime,
) -> PriorityScore {
    let app = Scorable {
        fields,
        job_description,
        status_changed_at,
    };
    score(&app, prefs, super::time::local_date(now, timezone), now)
}

/// Scores one application.
pub fn score(
    app: &Scorable<'_>,
    prefs: &Preferences,
    today: Date,
    now: OffsetDateTime,
) -> PriorityScore {
    let f = app.fields;
    let mut reasons = Vec::new();
    if let Some(deadline) = f.deadline {
        let days = (deadline - today).whole_days();
        if f.status.is_active() && (0..=7).contains(&days) {
            reasons.push(match days {
                0 => "deadline today".to_owned(),
                1 => "deadline tomorrow".to_owned(),
                n => format!("deadline in {n} days"),
            });
        }
    }
    if f.status.is_final() {
        return PriorityScore {
            score: 0,
            reasons: vec![format!("{} — no longer in play", f.status)],
        };
    }
    let w = &prefs.weights;
    let mut total = 0.0;
    let mut weight = 0.0;
    let mut add = |wi: f64, fi: f64| {
        total += wi * fi;
        weight += wi;
    };

    // Salary, in one currency only.
    if let (Some(target), Some(salary)) = (prefs.target_salary, f.salary_max.or(f.salary_min)) {
        if f.salary_currency == prefs.salary_currency {
            if target > 0 {
                let ratio = salary as f64 / target as f64;
                add(w.salary, ratio.min(1.0));
                let pct = ((ratio - 1.0) * 100.0).round() as i64;
                reasons.push(match pct {
                    0 => "salary meets your target".to_owned(),
                    p if p > 0 => format!("salary {p}% above your target"),
                    p => format!("salary {}% below your target", -p),
                });
            }
        } else {
            reasons.push(format!(
                "salary in {}, not compared with your {} target",
                f.salary_currency, prefs.salary_currency
            ));
        }
    }
    // Location.
    if let (false, Some(location)) = (prefs.preferred_locations.is_empty(), &f.location) {
        let hit = prefs
            .preferred_locations
            .iter()
            .find(|p| location.to_lowercase().contains(&p.trim().to_lowercase()));
        add(w.location, if hit.is_some() { 1.0 } else { 0.0 });
        reasons.push(match hit {
            Some(_) => format!("in {location}, as you prefer"),
            None => format!("in {location}, not one of your places"),
        });
    }
    // Work mode.
    if let (false, Some(mode)) = (prefs.work_modes.is_empty(), f.work_mode) {
        let liked = prefs.work_modes.contains(&mode);
        add(w.work_mode, if liked { 1.0 } else { 0.0 });
        reasons.push(if liked {
            format!("{}, as you prefer", mode.as_str())
        } else {
            format!("{}, not a way you want to work", mode.as_str())
        });
    }
    // Keywords, whole words in the title and the job description.
    if !prefs.keywords_include.is_empty() || !prefs.keywords_exclude.is_empty() {
        let text = format!("{}\n{}", f.title, app.job_description.unwrap_or(""));
        let found: Vec<String> = prefs
            .keywords_include
            .iter()
            .filter(|k| mentions(&text, k))
            .cloned()
            .collect();
        let avoided: Vec<String> = prefs
            .keywords_exclude
            .iter()
            .filter(|k| mentions(&text, k))
            .cloned()
            .collect();
        let fi = if !avoided.is_empty() {
            0.0
        } else if prefs.keywords_include.is_empty() {
            1.0
        } else {
            found.len() as f64 / prefs.keywords_include.len() as f64
        };
        add(w.keywords, fi);
        if !avoided.is_empty() {
            reasons.push(format!(
                "mentions {}, which you avoid",
                join_words(&avoided)
            ));
        } else if !found.is_empty() {
            reasons.push(format!("mentions {}", join_words(&found)));
        } else if !prefs.keywords_include.is_empty() {
            reasons.push("mentions none of your keywords".to_owned());
        }
    }
    // Company: always.
    let company = f.company.trim().to_lowercase();
    let same = |c: &String| c.trim().to_lowercase() == company;
    if prefs.companies_avoided.iter().any(same) {
        add(w.company, 0.0);
        reasons.push("avoided company".to_owned());
    } else if prefs.companies_favored.iter().any(same) {
        add(w.company, 1.0);
        reasons.push("favoured company".to_owned());
    } else {
        add(w.company, 0.5);
    }
    // Freshness: always; halves every two weeks without a status change.
    let days = ((now - app.status_changed_at).as_seconds_f64() / 86_400.0).max(0.0);
    add(w.freshness, 0.5_f64.powf(days / 14.0));
    if days >= 14.0 {
        reasons.push(format!("no status change for {} days", days.floor() as i64));
    }

    let score = if weight > 0.0 {
        (100.0 * total / weight).round().clamp(0.0, 100.0) as i16
    } else {
        0
    };
    PriorityScore { score, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::application::{NewApplication, WorkMode};
    use crate::domain::pipeline::Status;
    use serde_json::json;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);
    const TODAY: Date = date!(2026 - 11 - 25);

    fn fields(v: serde_json::Value) -> ApplicationFields {
        NewApplication::parse(v.as_object().unwrap(), TODAY)
            .unwrap()
            .fields
    }

    fn only(weights: &[(&str, f64)]) -> Preferences {
        let w = |name: &str| {
            weights
                .iter()
                .find(|(k, _)| *k == name)
                .map_or(0.0, |(_, v)| *v)
        };
        Preferences {
            weights: crate::domain::preferences::Weights {
                salary: w("salary"),
                location: w("location"),
                work_mode: w("work_mode"),
                keywords: w("keywords"),
                company: w("company"),
                freshness: w("freshness"),
            },
            ..Preferences::default()
        }
    }

    fn run(
        f: &ApplicationFields,
        jd: Option<&str>,
        p: &Preferences,
        changed_days_ago: i64,
    ) -> PriorityScore {
        let s = Scorable {
            fields: f,
            job_description: jd,
            status_changed_at: NOW - time::Duration::days(changed_days_ago),
        };
        score(&s, p, TODAY, NOW)
    }

    #[test]
    fn salary_counts_up_to_the_target_in_the_same_currency_only() {
        let mut p = only(&[("salary", 1.0)]);
        p.target_salary = Some(100_000);
        for (max, expected, reason) in [
            (120_000, 100, "salary 20% above your target"),
            (80_000, 80, "salary 20% below your target"),
            (100_000, 100, "salary meets your target"),
        ] {
            let f = fields(json!({"company": "A", "title": "T", "salary_max": max}));
            let s = run(&f, None, &p, 0);
            assert_eq!(s.score, expected, "{max}");
            assert!(s.reasons.contains(&reason.to_owned()), "{:?}", s.reasons);
        }
        let eur = fields(
            json!({"company": "A", "title": "T", "salary_max": 200_000, "salary_currency": "EUR"}),
        );
        let s = run(&eur, None, &p, 0);
        assert_eq!(s.score, 0, "no factor applies: nothing to score");
        assert!(s.reasons.iter().any(|r| r.contains("not compared")));
    }

    #[test]
    fn location_and_work_mode_match_what_the_user_prefers() {
        let mut p = only(&[("location", 1.0), ("work_mode", 1.0)]);
        p.preferred_locations = vec!["berlin".into()];
        p.work_modes = vec![WorkMode::Remote];
        let f = fields(
            json!({"company": "A", "title": "T", "location": "Berlin, Germany", "work_mode": "remote"}),
        );
        let s = run(&f, None, &p, 0);
        assert_eq!(s.score, 100);
        assert!(s.reasons.contains(&"remote, as you prefer".to_owned()));
        let g = fields(
            json!({"company": "A", "title": "T", "location": "Paris", "work_mode": "onsite"}),
        );
        assert_eq!(run(&g, None, &p, 0).score, 0);
        let h = fields(json!({"company": "A", "title": "T"}));
        assert_eq!(
            run(&h, None, &p, 0).score,
            0,
            "neither applies without data"
        );
    }

    #[test]
    fn keywords_match_whole_words_without_case_and_exclusions_zero_it() {
        let mut p = only(&[("keywords", 1.0)]);
        p.keywords_include = vec![
            "Rust".into(),
            "Kubernetes".into(),
            "Go".into(),
            "C++".into(),
        ];
        let f = fields(json!({"company": "A", "title": "Senior Rust engineer"}));
        let s = run(
            &f,
            Some("We run kubernetes. Good coffee, no golang."),
            &p,
            0,
        );
        assert_eq!(
            s.score, 50,
            "Rust and Kubernetes of four; 'golang' is not 'Go'"
        );
        assert!(s
            .reasons
            .contains(&"mentions Rust and Kubernetes".to_owned()));
        assert_eq!(run(&f, Some("C++ and Rust"), &p, 0).score, 50);
        p.keywords_exclude = vec!["PHP".into()];
        let s = run(&f, Some("Rust, Kubernetes, Go, C++ and PHP"), &p, 0);
        assert_eq!(s.score, 0);
        assert!(s
            .reasons
            .contains(&"mentions PHP, which you avoid".to_owned()));
    }

    #[test]
    fn companies_are_favoured_avoided_or_neutral() {
        let mut p = only(&[("company", 1.0)]);
        p.companies_favored = vec!["acme".into()];
        p.companies_avoided = vec!["Globex".into()];
        assert_eq!(
            run(
                &fields(json!({"company": "ACME", "title": "T"})),
                None,
                &p,
                0
            )
            .score,
            100
        );
        let avoided = run(
            &fields(json!({"company": "globex ", "title": "T"})),
            None,
            &p,
            0,
        );
        assert_eq!(avoided.score, 0);
        assert!(avoided.reasons.contains(&"avoided company".to_owned()));
        assert_eq!(
            run(
                &fields(json!({"company": "Initech", "title": "T"})),
                None,
                &p,
                0
            )
            .score,
            50
        );
    }

    #[test]
    fn freshness_halves_every_two_weeks() {
        let p = only(&[("freshness", 1.0)]);
        let f = fields(json!({"company": "A", "title": "T"}));
        assert_eq!(run(&f, None, &p, 0).score, 100);
        assert_eq!(run(&f, None, &p, 14).score, 50);
        assert_eq!(run(&f, None, &p, 28).score, 25);
    }

    #[test]
    fn final_statuses_score_zero_and_deadlines_are_reasons_only() {
        let p = Preferences::default();
        let mut f = fields(json!({"company": "A", "title": "T", "deadline": "2026-11-27"}));
        let s = run(&f, None, &p, 0);
        assert!(s.reasons.contains(&"deadline in 2 days".to_owned()));
        f.status = Status::Rejected;
        assert_eq!(run(&f, None, &p, 0).score, 0);
    }

    #[test]
    fn factors_combine_by_their_weights() {
        let mut p = only(&[("company", 1.0), ("freshness", 3.0)]);
        p.companies_favored = vec!["A".into()];
        let f = fields(json!({"company": "A", "title": "T"}));
        // (1·1 + 3·0.5) / 4 = 0.625
        assert_eq!(run(&f, None, &p, 14).score, 63);
    }

    #[test]
    fn whole_words_respect_symbols_and_letters_around_them() {
        assert!(mentions("Node.js and Go", "node.js"));
        assert!(mentions("go!", "Go"));
        assert!(!mentions("golang", "go"));
        assert!(!mentions("ergo", "go"));
        assert!(mentions("Grüße aus München", "münchen"));
    }
}
