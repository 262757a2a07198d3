//! `/api/v1/applications`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::extract::{AuthUser, IfMatch, JsonObject, Query};
use super::schemas::{ApplicationInput, ApplicationList, HistoryList, NewApplicationInput};
use super::{created, json, no_content, versioned, AppState};
use crate::actors::read_cache::CachedBody;
use crate::actors::user_state::{
    CheckChangeSeq, CreateApplication, DeleteApplication, GetApplication, ListApplications,
    UpdateApplication,
};
use crate::domain::application::{Application, ApplicationDetail, ApplicationPatch, WorkMode};
use crate::domain::fit::Fit;
use crate::domain::pipeline::Status;
use crate::domain::search::search_text;
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::store::applications::{self as store, ListQuery, Sort};
use crate::store::page::{BadCursor, ListError, Page};
use crate::store::{history, preferences, users};

const STATUSES: &str = "wishlist, applied, screening, interviewing, offer, accepted, declined, rejected, withdrawn, ghosted";

fn location(id: Uuid) -> String {
    format!("/api/v1/applications/{id}")
}

/// List the user's applications.
#[utoipa::path(
    get, path = "/api/v1/applications", tag = "applications",
    params(
        ("status" = Option<String>, Query, description = "comma list of statuses (any of)"),
        ("work_mode" = Option<String>, Query, description = "comma list of work modes (any of)"),
        ("tag" = Option<Vec<String>>, Query, description = "repeatable; every tag must be present"),
        ("q" = Option<String>, Query, description = "case-insensitive substring of company, title, location, job description or notes (≤ 200)"),
        ("sort" = Option<String>, Query, description = "updated_at (default -updated_at), created_at, applied_on, company, priority_score, deadline; '-' for descending"),
        ("limit" = Option<u32>, Query, description = "1–200, default 50"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, body = ApplicationList, description = "a page of applications (without job_description)"),
        (status = 400, body = Problem), (status = 401, body = Problem)
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let query = Query::parse(
        &req,
        &["status", "work_mode", "tag", "q", "sort", "limit", "cursor"],
    )?;
    let list_query = list_query(&query)?;
    let key = format!("applications?{}", req.query_string());
    // Lists leave the job description out: nothing long to keep.
    let load = async { Ok((page(&state, auth.user_id, list_query).await??, None)) };
    state.cached_read(auth.user_id, key, load, |_| true).await
}

/// A page of the user's applications, from their working set in memory
/// (filters, sort and cursor); a search's matches are asked of PostgreSQL
/// (its search index) and remembered per word until the user's data
/// changes, so paging, sorting and filtering a search asks it once. While
/// the working set cannot be loaded, the page is read from PostgreSQL.
pub async fn page(
    state: &AppState,
    user_id: Uuid,
    query: ListQuery,
) -> Result<std::result::Result<Page<Application>, BadCursor>> {
    let actor = state.user_for_reading(user_id).await?;
    if state.link.shared() {
        // Another replica may have written a moment ago, before its news
        // reached this one: the working set (and the remembered matches)
        // catch up first, so a list shows what its reader just wrote
        // wherever it was written.
        let client = state.pool.get().await?;
        if let Some((change_seq, _)) = users::write_state(&client, user_id).await? {
            actor.send(CheckChangeSeq(change_seq)).await?;
        }
    }
    let matches = match &query.q {
        Some(q) => Some(search_matches(state, user_id, q).await?),
        None => None,
    };
    if let Some(page) = actor
        .send(ListApplications {
            query: query.clone(),
            matches,
        })
        .await?
    {
        return Ok(page);
    }
    let client = state.pool.get().await?;
    match store::list(&client, user_id, &query).await {
        Ok(page) => Ok(Ok(page)),
        Err(ListError::Cursor(c)) => Ok(Err(c)),
        Err(ListError::Store(e)) => Err(e.into()),
    }
}

/// The ids of the user's applications that a search finds, ascending:
/// remembered among the user's answers (16 bytes an id).
async fn search_matches(state: &AppState, user_id: Uuid, q: &str) -> Result<Vec<Uuid>> {
    let key = format!("search {}", q.to_lowercase());
    let load = async {
        let client = state.pool.get().await?;
        let ids = store::search_ids(&client, user_id, q).await?;
        let body: Vec<u8> = ids.iter().flat_map(|id| *id.as_bytes()).collect();
        Ok((
            CachedBody {
                body: body.into(),
                version: None,
            },
            true,
        ))
    };
    let found = state.remembered(user_id, key, load).await?;
    Ok(found
        .body
        .chunks_exact(16)
        .filter_map(|c| Uuid::from_slice(c).ok())
        .collect())
}

/// The list's filters and sort (and page) from its query parameters; the
/// CSV export reads the same ones.
pub fn list_query(query: &Query) -> Result<ListQuery> {
    let q = match query.one("q")? {
        Some(raw) => search_text(raw).map_err(|m| Error::bad_request("q", format!("q {m}")))?,
        None => None,
    };
    let sort = match query.one("sort")? {
        None => Sort::default(),
        Some(s) => Sort::parse(s.trim()).ok_or_else(|| {
            Error::bad_request(
                "sort",
                "must be one of updated_at, created_at, applied_on, company, priority_score, deadline, optionally prefixed with '-'",
            )
        })?,
    };
    Ok(ListQuery {
        statuses: query.list("status", Status::parse, STATUSES)?,
        work_modes: query.list("work_mode", WorkMode::parse, "onsite, hybrid, remote")?,
        tags: query
            .all("tag")
            .into_iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
        q,
        sort,
        limit: query.limit()?,
        cursor: query.cursor()?,
    })
}

/// Create an application.
#[utoipa::path(
    post, path = "/api/v1/applications", tag = "applications",
    request_body = NewApplicationInput,
    responses(
        (status = 201, body = ApplicationDetail, description = "created; possible_duplicate_of names an earlier application that looks the same"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)
    ),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonObject,
) -> Result<HttpResponse> {
    let patch = ApplicationPatch::parse(&body)?;
    let app = state
        .user(auth.user_id)
        .await?
        .send(CreateApplication { patch })
        .await??;
    Ok(created(
        location(app.application.id),
        &app,
        Some(app.application.version),
    ))
}

/// Fetch one application (with its job description).
#[utoipa::path(
    get, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ApplicationDetail, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    let detail = detail(&state, auth.user_id, *id).await?;
    Ok(versioned(
        StatusCode::OK,
        &detail,
        detail.application.version,
    ))
}

/// One application: from the user's working set, with its description (and
/// version) read from PostgreSQL; read whole from PostgreSQL when the working
/// set does not hold it (still loading, or a write on another replica not
/// yet delivered) or holds another version of it.
pub async fn detail(state: &AppState, user_id: Uuid, id: Uuid) -> Result<ApplicationDetail> {
    let remembered = match state.remembered_application(user_id, id) {
        Some(found) => found,
        None => {
            state
                .user_for_reading(user_id)
                .await?
                .send(GetApplication(id))
                .await?
        }
    };
    if let Some(application) = remembered {
        let shared = state.pipelined.get().await?;
        match store::description(&*shared, user_id, id).await? {
            Some((version, job_description)) if version == application.version => {
                return Ok(ApplicationDetail {
                    application,
                    job_description,
                })
            }
            None => return Err(Error::NotFound),
            Some(_) => {}
        }
    }
    let client = state.pool.get().await?;
    store::get(&client, user_id, id)
        .await?
        .ok_or(Error::NotFound)
}

/// Change an application (JSON merge patch); status changes follow the pipeline.
#[utoipa::path(
    patch, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "\"<version>\"")),
    request_body(content = ApplicationInput, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = ApplicationDetail), (status = 404, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem, description = "validation or invalid_transition (with `allowed`)")
    ),
    security(("bearer" = []))
)]
pub async fn update(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonObject,
) -> Result<HttpResponse> {
    let patch = ApplicationPatch::parse(&body)?;
    let msg = UpdateApplication {
        id: *id,
        if_match: if_match.0,
        patch,
    };
    let app = state.user(auth.user_id).await?.send(msg).await??;
    Ok(versioned(StatusCode::OK, &app, app.application.version))
}

/// Delete an application with its notes, interviews and history.
#[utoipa::path(
    delete, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204), (status = 404, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = []))
)]
pub async fn delete(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse> {
    let msg = DeleteApplication {
        id: *id,
        if_match: if_match.0,
    };
    state.user(auth.user_id).await?.send(msg).await??;
    Ok(no_content())
}

/// The status history of an application, oldest first.
#[utoipa::path(
    get, path = "/api/v1/applications/{id}/history", tag = "applications",
    params(("id" = Uuid, Path), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = HistoryList), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn history(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let client = state.pool.get().await?;
    if !store::exists(&client, auth.user_id, *id).await? {
        return Err(Error::NotFound);
    }
    let page = history::list(
        &client,
        auth.user_id,
        *id,
        query.limit()?,
        query.cursor()?.as_deref(),
    )
    .await?;
    Ok(json(StatusCode::OK, &page))
}

/// The posting's requirements against the user's own evidence (résumé
/// lines, skills, summary), computed now from the job description and the
/// profile.
#[utoipa::path(
    get, path = "/api/v1/applications/{id}/fit", tag = "applications",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Fit), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn fit(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let app = store::get(&client, auth.user_id, *id)
        .await?
        .ok_or(Error::NotFound)?;
    let profile = preferences::profile(&client, auth.user_id).await?;
    let fit = crate::domain::fit::assess(
        app.job_description.as_deref().unwrap_or(""),
        &profile,
        &app.application.fields.company,
    );
    Ok(json(StatusCode::OK, &fit))
}

/// Applications and their history.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(
        resource("/applications", &[M::GET, M::POST])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/applications/{id}", &[M::GET, M::PATCH, M::DELETE])
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(resource("/applications/{id}/history", &[M::GET]).route(web::get().to(history)))
    .service(resource("/applications/{id}/fit", &[M::GET]).route(web::get().to(fit)));
}
