//! The OpenAPI 3.1 document, generated from the handlers and types, and the
//! Swagger UI page that renders it (bundled: no CDN).

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::json;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "a personal access token from POST /api/v1/auth/token or /api/v1/tokens",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Job Copilot API",
        version = "1",
        description = "Track job applications, their pipeline, interviews and notes. \
Every error is RFC 9457 problem+json; every mutable resource carries `version` and an `ETag`, \
and PATCH/DELETE honour `If-Match`. Collections are keyset-paginated with `limit` and `cursor`. \
See docs/api-decisions.md for the choices the contract left open."
    ),
    modifiers(&BearerAuth),
    paths(
        super::health::healthz,
        super::health::readyz,
        super::account::register,
        super::account::sign_in,
        super::account::me,
        super::account::update_me,
        super::account::list_tokens,
        super::account::create_token,
        super::account::revoke_token,
        super::applications::list,
        super::applications::create,
        super::applications::get,
        super::applications::update,
        super::applications::delete,
        super::applications::history,
        super::notes::list,
        super::notes::create,
        super::notes::get,
        super::notes::update,
        super::notes::delete,
        super::interviews::list,
        super::interviews::create,
        super::interviews::get,
        super::interviews::update,
        super::interviews::delete,
        super::dashboard::dashboard,
        super::events::events,
        super::calendar::get,
        super::calendar::rotate,
        super::calendar::delete,
        super::calendar::ics,
        super::analytics::snapshots,
        super::analytics::refresh,
        super::preferences::get,
        super::preferences::put,
        super::preferences::preview,
        super::preferences::get_profile,
        super::preferences::put_profile,
        super::generations::create,
        super::generations::list,
        super::generations::get,
        super::generations::cancel,
        super::generations::delete,
        super::generations::status,
    ),
    components(schemas(
        super::error::Problem,
        crate::domain::FieldError,
        crate::domain::pipeline::Status,
    )),
    tags(
        (name = "auth", description = "accounts and API tokens"),
        (name = "applications", description = "job applications and their status pipeline"),
        (name = "notes", description = "notes on applications"),
        (name = "interviews", description = "interviews"),
        (name = "dashboard", description = "figures and what to do next"),
        (name = "calendar", description = "the secret calendar feed of interviews and deadlines"),
        (name = "operations", description = "health and readiness"),
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> HttpResponse {
    json(StatusCode::OK, &ApiDoc::openapi())
}

/// `GET /api/docs` → the UI at `/api/docs/`.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::build(StatusCode::FOUND)
        .insert_header((header::LOCATION, "/api/docs/"))
        .finish()
}

/// The bundled Swagger UI, reading our document.
pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/api/docs/{_:.*}")
        .config(Config::new(["/api/v1/openapi.json"]).try_it_out_enabled(true))
}
