//! Settings → API tokens: list, create (the secret shown once), revoke.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{as_object, check_session_csrf, forms, html, page_user, see_other, to_login};
use crate::actors::user_state::{CreateToken, RevokeToken};
use crate::domain::account::NewToken;
use crate::error::{Error, Result};
use crate::http::extract::AuthUser;
use crate::http::AppState;
use crate::store::tokens;

async fn render_tokens(
    state: &AppState,
    auth: &AuthUser,
    status: StatusCode,
    created: Option<(String, String)>,
    form: &HashMap<String, String>,
    errors: HashMap<String, String>,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let list = tokens::list(&client, auth.user_id, 200, None).await?.items;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let body = state.templates.render(
        "pages/tokens.html",
        context! {
            user => true, csrf => auth.csrf(), tokens => list, errors => errors,
            name => get("name"), expires_on => get("expires_on"),
            created => created.map(|(name, token)| context! { name => name, token => token }),
        },
    )?;
    Ok(crate::http::no_store(html(status, body)))
}

/// `GET /settings/tokens`.
pub async fn tokens_page(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    let Some(auth) = page_user(&state, &req).await? else {
        return Ok(to_login(&req));
    };
    render_tokens(
        &state,
        &auth,
        StatusCode::OK,
        None,
        &HashMap::new(),
        HashMap::new(),
    )
    .await
}

/// `POST /settings/tokens`: the new token is shown once, on this answer.
pub async fn create_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse> {
    let Some(auth) = page_user(&state, &req).await? else {
        return Err(Error::Unauthenticated);
    };
    check_session_csrf(&auth, &form)?;
    let mut body = as_object(&form, &["name"]);
    if let Some(day) = form
        .get("expires_on")
        .map(|d| d.trim())
        .filter(|d| !d.is_empty())
    {
        body.insert(
            "expires_at".into(),
            Value::String(format!("{day}T00:00:00Z")),
        );
    }
    let new = match NewToken::parse(&body, OffsetDateTime::now_utc()) {
        Ok(n) => n,
        Err(e) => {
            return render_tokens(
                &state,
                &auth,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &form,
                forms::errors_by_field(&e),
            )
            .await
        }
    };
    let (secret, info) = state
        .user(auth.user_id)
        .await?
        .send(CreateToken { new })
        .await??;
    render_tokens(
        &state,
        &auth,
        StatusCode::CREATED,
        Some((info.name, secret)),
        &HashMap::new(),
        HashMap::new(),
    )
    .await
}

/// `POST /settings/tokens/{id}/revoke`.
pub async fn revoke_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse> {
    let Some(auth) = page_user(&state, &req).await? else {
        return Err(Error::Unauthenticated);
    };
    check_session_csrf(&auth, &form)?;
    state
        .user(auth.user_id)
        .await?
        .send(RevokeToken { id: *id })
        .await??;
    state.credentials.forget(*id);
    Ok(see_other("/settings/tokens"))
}
