//! Your data out and in: `GET /api/v1/export` (everything, streamed),
//! `POST /api/v1/import/export`, and the applications as CSV
//! (`GET /api/v1/export/applications.csv`, `POST /api/v1/import/csv`).

use std::io::Write as _;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::StreamExt;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::extract::AuthUser;
use super::{json, no_store, AppState};
use crate::actors::imports::{self, Incoming};
use crate::auth::throttle::{self, UserAction};
use crate::domain::transfer::{self as doc, Head, ImportCounts, Part};
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::store::{preferences, tokens, transfer, users};

/// Applications read per batch while exporting.
const EXPORT_BATCH: i64 = 100;
/// An export file to import may be this large (it is streamed, not held).
pub const EXPORT_FILE_LIMIT: usize = 256 * 1024 * 1024;

/// An answer streamed from a channel: each message one piece of the body.
fn streamed(rx: mpsc::Receiver<Result<Bytes>>) -> impl futures_util::Stream<Item = Result<Bytes>> {
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|piece| (piece, rx))
    })
}

/// `Content-Disposition` for a download named `name`.
fn attachment(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A download, streamed, never cached.
fn download(
    content_type: &'static str,
    name: &str,
    rx: mpsc::Receiver<Result<Bytes>>,
) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_DISPOSITION, attachment(name)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(streamed(rx))
}

/// Writes the whole export into `out`, from one consistent snapshot
/// (a repeatable-read, read-only transaction), a batch at a time: memory
/// stays flat however many applications there are.
async fn write_export(
    state: &AppState,
    user: uuid::Uuid,
    out: &mpsc::Sender<Result<Bytes>>,
) -> Result<()> {
    let mut client = state.pool.get().await?;
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let account = users::get(&tx, user).await?.ok_or(Error::NotFound)?;
    let (prefs, profile, token_list) = (
        preferences::get(&tx, user).await?,
        preferences::profile(&tx, user).await?,
        tokens::all(&tx, user).await?,
    );
    let head = Head {
        format: doc::FORMAT,
        version: doc::VERSION,
        exported_at: OffsetDateTime::now_utc(),
        user: &account,
        preferences: &prefs,
        profile: &profile,
        tokens: &token_list,
    };
    let send = |bytes: Vec<u8>| async move {
        out.send(Ok(Bytes::from(bytes)))
            .await
            .map_err(|_| Error::Unavailable("the client went away".into()))
    };
    send(head.opening().map_err(Error::internal)?.into_bytes()).await?;
    let (mut after, mut first) = (None, true);
    loop {
        let batch = transfer::export_batch(&tx, user, after, EXPORT_BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = Some((
            last.detail.application.created_at,
            last.detail.application.id,
        ));
        let mut piece = Vec::with_capacity(batch.len() * 2048);
        for app in &batch {
            if !first {
                piece.push(b',');
            }
            first = false;
            serde_json::to_writer(&mut piece, app).map_err(Error::internal)?;
            piece.push(b'\n');
        }
        send(piece).await?;
        if (batch.len() as i64) < EXPORT_BATCH {
            break;
        }
    }
    send(doc::CLOSING.as_bytes().to_vec()).await?;
    tx.commit().await?;
    Ok(())
}

/// Download everything the account owns as one JSON document.
#[utoipa::path(
    get, path = "/api/v1/export", tag = "data",
    responses(
        (status = 200, content_type = "application/json",
         description = "`jobcopilot-export-<date>.json`: {format: \"jobcopilot-export\", version: 1, exported_at, user, \
                        preferences, profile, tokens (metadata only), applications: [every field, notes, interviews, \
                        history, generations]}; streamed"),
        (status = 401, body = Problem)
    ),
    security(("bearer" = []))
)]
pub async fn export(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    // Fail before the answer starts when the database is away.
    drop(state.pool.get().await?);
    let (tx, rx) = mpsc::channel(4);
    let user = auth.user_id;
    actix_web::rt::spawn(async move {
        if let Err(e) = write_export(&state, user, &tx).await {
            tracing::warn!(%user, error = %e, "an export stopped before its end");
            // The client sees a broken download, never a truncated "success".
            let _ = tx.send(Err(e)).await;
        }
    });
    let name = format!(
        "jobcopilot-export-{}.json",
        crate::domain::time::format_date(OffsetDateTime::now_utc().date())
    );
    Ok(download("application/json", &name, rx))
}

/// Where an upload goes as it arrives.
pub trait Sink {
    fn take(&mut self, chunk: &[u8]) -> Result<()>;
}

impl Sink for Vec<u8> {
    fn take(&mut self, chunk: &[u8]) -> Result<()> {
        self.extend_from_slice(chunk);
        Ok(())
    }
}

impl Sink for std::fs::File {
    fn take(&mut self, chunk: &[u8]) -> Result<()> {
        self.write_all(chunk).map_err(Error::internal)
    }
}

/// Receives an uploaded file into `sink`: the raw body, or the `file` field
/// of a `multipart/form-data` body (a browser's form). Beyond `limit` bytes
/// the answer is 413 at once, even to a client still sending.
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    sink: &mut impl Sink,
) -> Result<usize> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(Error::TooLarge { limit });
    }
    let mut total = 0usize;
    let mut take = |chunk: &[u8], total: &mut usize| -> Result<()> {
        *total += chunk.len();
        if *total > limit {
            return Err(Error::TooLarge { limit });
        }
        sink.take(chunk)
    };
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        let mut payload = payload.into_inner();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk
                .map_err(|e| Error::bad_request("body", format!("could not read the body: {e}")))?;
            take(&chunk, &mut total)?;
        }
        return Ok(total);
    }
    let mut form = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let mut found = false;
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| Error::bad_request("file", format!("unreadable form: {e}")))?;
        if field.name() != Some("file") || found {
            // Other fields are drained unread.
            while let Some(chunk) = field.next().await {
                chunk.map_err(|e| Error::bad_request("file", format!("unreadable form: {e}")))?;
            }
            continue;
        }
        found = true;
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| Error::bad_request("file", format!("unreadable form: {e}")))?;
            take(&chunk, &mut total)?;
        }
    }
    if !found {
        return Err(Error::bad_request(
            "file",
            "the form has no file field named 'file'",
        ));
    }
    Ok(total)
}

/// A temporary file, removed when dropped.
struct Spool {
    path: std::path::PathBuf,
}

impl Spool {
    fn create() -> Result<(Spool, std::fs::File)> {
        let path =
            std::env::temp_dir().join(format!("jobcopilot-import-{}.json", uuid::Uuid::now_v7()));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(Error::internal)?;
        Ok((Spool { path }, file))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Reads the spooled file on a blocking thread, sending its parts as they
/// are read; a malformed file ends with the reason.
fn read_spooled(path: std::path::PathBuf, parts: mpsc::Sender<Incoming>) {
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            let _ = parts.blocking_send(Err(Error::internal(e)));
            return;
        }
    };
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(file));
    let mut open = true;
    let result = doc::read_document(&mut de, &mut |part: Part| {
        open = parts.blocking_send(Ok(part)).is_ok();
        open
    })
    .and_then(|()| de.end());
    if let (Err(e), true) = (result, open) {
        let reason = if e.is_data() {
            Error::Validation(crate::domain::ValidationError::single(
                "format",
                e.to_string(),
            ))
        } else {
            Error::bad_request("body", format!("this file is not readable JSON: {e}"))
        };
        let _ = parts.blocking_send(Err(reason));
    }
}

/// Import an export file (from any account, on any instance).
#[utoipa::path(
    post, path = "/api/v1/import/export", tag = "data",
    request_body(content = Object, content_type = "application/json",
                 description = "an export file as GET /api/v1/export gives it (up to 256 MiB), or a multipart form with it as `file`"),
    responses(
        (status = 201, body = ImportCounts, description = "what was created: every record anew with new ids and its \
          original dates; applications already imported (matched on their exported ids) are skipped"),
        (status = 400, body = Problem, description = "not readable JSON"),
        (status = 413, body = Problem), (status = 422, body = Problem, description = "not an export, or a record \
          breaks a rule (the field names its path in the file); nothing was imported"),
        (status = 429, body = Problem, description = "too many imports this hour; see Retry-After")
    ),
    security(("bearer" = []))
)]
pub async fn import_export(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let user = auth.user_id;
    throttle::user_action(
        &state.pool,
        user,
        UserAction::Import,
        state.settings.imports_per_hour,
    )
    .await?;
    let (spool, mut file) = Spool::create()?;
    let size = receive(&req, payload, EXPORT_FILE_LIMIT, &mut file).await?;
    drop(file);
    if size == 0 {
        return Err(Error::bad_request("body", "the file is empty"));
    }
    let (tx, rx) = mpsc::channel(16);
    let path = spool.path.clone();
    let reader = tokio::task::spawn_blocking(move || read_spooled(path, tx));
    let done = imports::import_export(&state.pool, user, rx).await;
    let _ = reader.await;
    drop(spool);
    let done = done?;
    let counts: ImportCounts = done.value;
    state.bulk_written(user, done.events, done.change_seq);
    Ok(no_store(json(StatusCode::CREATED, &counts)))
}

/// Your data out and in.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/api/v1/export", &[M::GET]).route(web::get().to(export)))
        .service(
            resource("/api/v1/import/export", &[M::POST]).route(web::post().to(import_export)),
        );
}
