//! TEMPORARY STUB (not committed): replaced by the capture-domain branch.
use serde::Serialize;
use time::Date;

use super::application::WorkMode;

pub struct Source<'a> {
    pub url: Option<&'a str>,
    pub html: Option<&'a str>,
    pub text: Option<&'a str>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CapturedFields {
    pub company: Option<String>,
    pub title: Option<String>,
    pub location: Option<String>,
    pub work_mode: Option<WorkMode>,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub salary_currency: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<Date>,
    pub url: Option<String>,
    pub job_description: Option<String>,
    pub source: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FoundBy {
    JsonLd,
    Microdata,
    Meta,
    Text,
}

pub struct Captured {
    pub fields: CapturedFields,
    pub found_by: Option<FoundBy>,
}

pub fn extract(source: &Source, _timezone: &str) -> Captured {
    let title = source
        .text
        .and_then(|t| t.lines().next())
        .map(str::to_owned);
    Captured {
        fields: CapturedFields {
            title,
            url: source.url.map(str::to_owned),
            ..Default::default()
        },
        found_by: None,
    }
}
