//! A user's preferences: what makes an application worth today's energy.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::application::{WorkMode, NAME_MAX, SALARY_MAX};
use super::currency::is_currency;
use super::fields::{Fields, Patch, Presence, ValidationError};

pub const LIST_MAX: usize = 50;

/// How much each factor counts (≥ 0, at least one > 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Weights {
    pub salary: f64,
    pub location: f64,
    pub work_mode: f64,
    pub keywords: f64,
    pub company: f64,
    pub freshness: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            salary: 1.0,
            location: 1.0,
            work_mode: 1.0,
            keywords: 1.0,
            company: 1.0,
            freshness: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Preferences {
    pub target_salary: Option<i64>,
    pub salary_currency: String,
    pub preferred_locations: Vec<String>,
    pub work_modes: Vec<WorkMode>,
    pub keywords_include: Vec<String>,
    pub keywords_exclude: Vec<String>,
    pub companies_favored: Vec<String>,
    pub companies_avoided: Vec<String>,
    pub follow_up_after_days: i64,
    pub ghosted_after_days: i64,
    pub weights: Weights,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            target_salary: None,
            salary_currency: "USD".into(),
            preferred_locations: vec![],
            work_modes: vec![],
            keywords_include: vec![],
            keywords_exclude: vec![],
            companies_favored: vec![],
            companies_avoided: vec![],
            follow_up_after_days: 7,
            ghosted_after_days: 30,
            weights: Weights::default(),
        }
    }
}

fn weights(value: Option<&Value>) -> Result<Weights, ValidationError> {
    let Some(value) = value else {
        return Ok(Weights::default());
    };
    let Some(object) = value.as_object() else {
        return Err(ValidationError::single(
            "weights",
            "must be an object of numbers",
        ));
    };
    let mut f = Fields::new(object);
    let mut w = Weights::default();
    let read = |name: &'static str, slot: &mut f64, f: &mut Fields<'_>| match object.get(name) {
        None => {}
        Some(v) => match v.as_f64() {
            Some(n) if n >= 0.0 && n.is_finite() && n <= 1000.0 => *slot = n,
            _ => f.error(
                &format!("weights.{name}"),
                "must be a number from 0 to 1000",
            ),
        },
    };
    read("salary", &mut w.salary, &mut f);
    read("location", &mut w.location, &mut f);
    read("work_mode", &mut w.work_mode, &mut f);
    read("keywords", &mut w.keywords, &mut f);
    read("company", &mut w.company, &mut f);
    read("freshness", &mut w.freshness, &mut f);
    for key in object.keys() {
        if ![
            "salary",
            "location",
            "work_mode",
            "keywords",
            "company",
            "freshness",
        ]
        .contains(&key.as_str())
        {
            f.error(&format!("weights.{key}"), "is not a known factor");
        }
    }
    let all = [
        w.salary,
        w.location,
        w.work_mode,
        w.keywords,
        w.company,
        w.freshness,
    ];
    if !f.has_errors() && all.iter().all(|x| *x == 0.0) {
        f.error("weights", "at least one weight must be above 0");
    }
    // Fields::finish would flag the factor names as unknown: report our own errors.
    match f.finish_known(&[
        "salary",
        "location",
        "work_mode",
        "keywords",
        "company",
        "freshness",
    ]) {
        Ok(()) => Ok(w),
        Err(e) => Err(e),
    }
}

impl Preferences {
    /// Reads a whole preferences document (PUT): absent fields take defaults.
    pub fn parse(body: &Map<String, Value>) -> Result<Preferences, ValidationError> {
        let mut f = Fields::new(body);
        let d = Preferences::default();
        let list = |f: &mut Fields<'_>, name: &'static str| {
            f.string_list(name, LIST_MAX, NAME_MAX, Presence::Optional)
                .into_option()
                .unwrap_or_default()
        };
        let target_salary = f
            .integer("target_salary", 0, SALARY_MAX, Presence::Optional)
            .into_option();
        let salary_currency = match f.text("salary_currency", 3, Presence::Required) {
            Patch::Set(c) if is_currency(&c.to_ascii_uppercase()) => c.to_ascii_uppercase(),
            Patch::Set(_) => {
                f.error(
                    "salary_currency",
                    "must be an ISO 4217 currency code such as USD or EUR",
                );
                d.salary_currency.clone()
            }
            _ => d.salary_currency.clone(),
        };
        let preferred_locations = list(&mut f, "preferred_locations");
        let modes = list(&mut f, "work_modes");
        let mut work_modes = Vec::new();
        for m in &modes {
            match WorkMode::parse(m) {
                Some(w) if !work_modes.contains(&w) => work_modes.push(w),
                Some(_) => {}
                None => f.error("work_modes", "items must be onsite, hybrid or remote"),
            }
        }
        let keywords_include = list(&mut f, "keywords_include");
        let keywords_exclude = list(&mut f, "keywords_exclude");
        let companies_favored = list(&mut f, "companies_favored");
        let companies_avoided = list(&mut f, "companies_avoided");
        let follow_up_after_days = f
            .integer("follow_up_after_days", 1, 90, Presence::Required)
            .into_option()
            .unwrap_or(d.follow_up_after_days);
        let ghosted_after_days = f
            .integer("ghosted_after_days", 7, 180, Presence::Required)
            .into_option()
            .unwrap_or(d.ghosted_after_days);
        let weights_value = body.get("weights");
        f.mark_known("weights");
        let weights = match weights(weights_value.filter(|v| !v.is_null())) {
            Ok(w) => w,
            Err(e) => {
                for err in e.errors {
                    f.error(&err.field, err.message);
                }
                Weights::default()
            }
        };
        f.finish()?;
        Ok(Preferences {
            target_salary,
            salary_currency,
            preferred_locations,
            work_modes,
            keywords_include,
            keywords_exclude,
            companies_favored,
            companies_avoided,
            follow_up_after_days,
            ghosted_after_days,
            weights,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Preferences, ValidationError> {
        Preferences::parse(v.as_object().unwrap())
    }

    #[test]
    fn an_empty_document_is_the_defaults() {
        assert_eq!(parse(json!({})).unwrap(), Preferences::default());
    }

    #[test]
    fn every_rule_names_its_field() {
        for (body, field) in [
            (json!({"target_salary": -1}), "target_salary"),
            (json!({"salary_currency": "ZZZ"}), "salary_currency"),
            (json!({"work_modes": ["moon"]}), "work_modes"),
            (
                json!({"keywords_include": vec!["x"; 51]}),
                "keywords_include",
            ),
            (json!({"follow_up_after_days": 0}), "follow_up_after_days"),
            (json!({"follow_up_after_days": 91}), "follow_up_after_days"),
            (json!({"ghosted_after_days": 6}), "ghosted_after_days"),
            (json!({"ghosted_after_days": 181}), "ghosted_after_days"),
            (json!({"weights": {"salary": -1}}), "weights.salary"),
            (json!({"weights": {"salary": "a"}}), "weights.salary"),
            (json!({"weights": {"luck": 1}}), "weights.luck"),
            (
                json!({"weights": {"salary": 0, "location": 0, "work_mode": 0, "keywords": 0, "company": 0, "freshness": 0}}),
                "weights",
            ),
            (json!({"weights": 3}), "weights"),
            (json!({"mood": "happy"}), "mood"),
        ] {
            let err = parse(body.clone()).expect_err(&body.to_string());
            assert_eq!(err.errors[0].field, field, "{body}");
        }
    }

    #[test]
    fn weights_may_be_given_in_part() {
        let p = parse(
            json!({"weights": {"salary": 3}, "work_modes": ["remote"], "salary_currency": "eur"}),
        )
        .unwrap();
        assert_eq!(p.weights.salary, 3.0);
        assert_eq!(p.weights.company, 1.0);
        assert_eq!(p.work_modes, vec![WorkMode::Remote]);
        assert_eq!(p.salary_currency, "EUR");
    }
}
