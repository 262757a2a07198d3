//! The Import page: a spreadsheet (CSV) previewed, mapped column by column
//! and imported, or a Job Copilot export file imported. The page is
//! rendered here; `static/import.js` talks to the import API
//! (`POST /api/v1/import/csv`, `POST /api/v1/import/export`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;

use super::forms::field_label;
use super::{render_page, Viewer};
use crate::domain::csv_import::{Target, MAX_BYTES, MAX_ROWS};
use crate::error::Result;
use crate::http::transfer::EXPORT_FILE_LIMIT;
use crate::http::AppState;

/// What a column can fill, as the mapping menus offer it.
fn target_choices() -> Vec<minijinja::Value> {
    Target::ALL
        .iter()
        .map(|t| {
            let label = match t {
                Target::Salary => "Salary (a range such as $120k–150k)".to_owned(),
                Target::Notes => "Note".to_owned(),
                other => field_label(other.as_str()),
            };
            context! { value => t.as_str(), label => label }
        })
        .collect()
}

/// `GET /import`.
pub async fn page(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let ctx = context! {
        targets => target_choices(),
        max_rows => crate::http::pages::filters::grouped(MAX_ROWS), max_megabytes => MAX_BYTES / (1024 * 1024),
        max_bytes => MAX_BYTES, export_max_bytes => EXPORT_FILE_LIMIT,
    };
    render_page(
        &state,
        &req,
        &viewer,
        StatusCode::OK,
        "pages/import.html",
        "applications",
        ctx,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_with_thousands_separators() {
        assert_eq!(crate::http::pages::filters::grouped(10_000), "10,000");
        assert_eq!(crate::http::pages::filters::grouped(1_234_567), "1,234,567");
        assert_eq!(crate::http::pages::filters::grouped(999), "999");
        assert_eq!(crate::http::pages::filters::grouped(0), "0");
    }

    #[test]
    fn every_field_a_column_can_fill_is_offered_once_with_a_label() {
        let choices = target_choices();
        assert_eq!(choices.len(), Target::ALL.len());
        let values: Vec<String> = choices
            .iter()
            .map(|c| c.get_attr("value").unwrap().to_string())
            .collect();
        assert!(values.contains(&"company".to_owned()));
        assert!(values.contains(&"applied_on".to_owned()));
        let labels: Vec<String> = choices
            .iter()
            .map(|c| c.get_attr("label").unwrap().to_string())
            .collect();
        assert!(labels.contains(&"Applied on".to_owned()), "{labels:?}");
        assert!(labels.iter().all(|l| !l.is_empty()));
    }
}
