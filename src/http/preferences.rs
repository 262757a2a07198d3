//! `/api/v1/preferences` (with a ranking preview) and `/api/v1/profile`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::extract::{AuthUser, JsonObject};
use super::schemas::{PreferencesInput, ProfileInput};
use super::{json, AppState};
use crate::actors::user_state::{UpdatePreferences, UpdateProfile};
use crate::domain::preferences::Preferences;
use crate::domain::profile::Profile;
use crate::domain::scoring::{score, Scorable};
use crate::domain::time::local_date;
use crate::error::Result;
use crate::http::error::Problem;
use crate::store::{preferences as store, users};

/// The user's preferences (defaults until saved).
#[utoipa::path(get, path = "/api/v1/preferences", tag = "preferences",
    responses((status = 200, body = Preferences)), security(("bearer" = [])))]
pub async fn get(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    Ok(json(
        StatusCode::OK,
        &store::get(&client, auth.user_id).await?,
    ))
}

/// Replaces the preferences; every application is re-scored before the answer.
#[utoipa::path(put, path = "/api/v1/preferences", tag = "preferences", request_body = PreferencesInput,
    responses((status = 200, body = Preferences), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonObject,
) -> Result<HttpResponse> {
    let prefs = Preferences::parse(&body)?;
    let saved = state
        .user(auth.user_id)
        .await?
        .send(UpdatePreferences { prefs })
        .await??;
    Ok(json(StatusCode::OK, &saved))
}

/// One application as it would rank.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Ranked {
    pub application_id: Uuid,
    pub company: String,
    pub title: String,
    pub priority_score: i16,
    pub reasons: Vec<String>,
}

/// The top 20 active applications as they would rank under these preferences (nothing is saved).
#[utoipa::path(post, path = "/api/v1/preferences/preview", tag = "preferences", request_body = PreferencesInput,
    responses((status = 200, body = Vec<Ranked>), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn preview(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonObject,
) -> Result<HttpResponse> {
    let prefs = Preferences::parse(&body)?;
    let client = state.pool.get().await?;
    let top = ranking(&client, auth.user_id, &prefs).await?;
    Ok(json(StatusCode::OK, &top))
}

/// The profile AI drafts draw on.
#[utoipa::path(get, path = "/api/v1/profile", tag = "preferences",
    responses((status = 200, body = Profile)), security(("bearer" = [])))]
pub async fn get_profile(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    Ok(json(
        StatusCode::OK,
        &store::profile(&client, auth.user_id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/profile", tag = "preferences", request_body = ProfileInput,
    responses((status = 200, body = Profile), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put_profile(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonObject,
) -> Result<HttpResponse> {
    let profile = Profile::parse(&body)?;
    let saved = state
        .user(auth.user_id)
        .await?
        .send(UpdateProfile { profile })
        .await??;
    Ok(json(StatusCode::OK, &saved))
}

/// The user's top 20 active applications as they would rank under `prefs`
/// (nothing is saved).
pub async fn ranking(
    client: &deadpool_postgres::Client,
    user_id: Uuid,
    prefs: &Preferences,
) -> Result<Vec<Ranked>> {
    let tz = users::timezone(client, user_id).await?;
    let apps = store::scorable(client, user_id).await?;
    let now = OffsetDateTime::now_utc();
    let today = local_date(now, &tz);
    let mut ranked: Vec<(Ranked, OffsetDateTime)> = apps
        .iter()
        .filter(|(a, _)| a.fields.status.is_active())
        .map(|(a, jd)| {
            let s = score(
                &Scorable {
                    fields: &a.fields,
                    job_description: jd.as_deref(),
                    status_changed_at: a.status_changed_at,
                },
                prefs,
                today,
                now,
            );
            let r = Ranked {
                application_id: a.id,
                company: a.fields.company.clone(),
                title: a.fields.title.clone(),
                priority_score: s.score,
                reasons: s.reasons,
            };
            (r, a.updated_at)
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.0.priority_score
            .cmp(&a.0.priority_score)
            .then(b.1.cmp(&a.1))
    });
    let top: Vec<Ranked> = ranked.into_iter().take(20).map(|(r, _)| r).collect();
    Ok(top)
}

/// Preferences, their preview and the profile.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(
        resource("/preferences", &[M::GET, M::PUT])
            .route(web::get().to(get))
            .route(web::put().to(put)),
    )
    .service(resource("/preferences/preview", &[M::POST]).route(web::post().to(preview)))
    .service(
        resource("/profile", &[M::GET, M::PUT])
            .route(web::get().to(get_profile))
            .route(web::put().to(put_profile)),
    );
}
