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

use super::applications::list_query;
use super::extract::{AuthUser, Query};
use super::{json, no_store, AppState};
use crate::actors::imports::{self, Incoming, SheetRow};
use crate::auth::throttle::{self, UserAction};
use crate::domain::csv_import::{self, RowError};
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
    let user = auth.user_id;
    stream_download(
        state,
        "export",
        "json",
        "application/json",
        async move |state, out| write_export(state, user, out).await,
    )
    .await
}

/// A download written by `write` as the client reads it, named
/// `jobcopilot-<what>-<date>.<extension>`. It starts only when the database
/// answers; a failure midway breaks the download off (the client never sees
/// a truncated file as complete).
async fn stream_download(
    state: web::Data<AppState>,
    what: &str,
    extension: &str,
    content_type: &'static str,
    write: impl AsyncFnOnce(&AppState, &mpsc::Sender<Result<Bytes>>) -> Result<()> + 'static,
) -> Result<HttpResponse> {
    drop(state.pool.get().await?);
    let (tx, rx) = mpsc::channel(4);
    let what_owned = what.to_owned();
    actix_web::rt::spawn(async move {
        if let Err(e) = write(&state, &tx).await {
            tracing::warn!(download = %what_owned, error = %e, "a download stopped before its end");
            let _ = tx.send(Err(e)).await;
        }
    });
    let name = format!(
        "jobcopilot-{what}-{}.{extension}",
        crate::domain::time::format_date(OffsetDateTime::now_utc().date())
    );
    Ok(download(content_type, &name, rx))
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

/// The applications matching the list's filters, in its sort, as CSV.
#[utoipa::path(
    get, path = "/api/v1/export/applications.csv", tag = "data",
    params(
        ("status" = Option<Vec<String>>, Query, description = "as the list: repeatable or comma-separated"),
        ("work_mode" = Option<Vec<String>>, Query, description = "as the list"),
        ("tag" = Option<Vec<String>>, Query, description = "as the list"),
        ("q" = Option<String>, Query, description = "as the list"),
        ("sort" = Option<String>, Query, description = "as the list (default -updated_at)"),
        ("limit" = Option<u32>, Query, description = "ignored: every matching application is exported"),
        ("cursor" = Option<String>, Query, description = "ignored"),
    ),
    responses(
        (status = 200, content_type = "text/csv",
         description = "RFC 4180 (CRLF), UTF-8, a header row of id, company, title, status, url, location, work_mode, \
          salary_min, salary_max, salary_currency, source, applied_on, deadline, tags (joined with '; '), contact_name, \
          contact_email, next_action, next_action_at, priority_score, created_at, updated_at; a cell starting with =, +, -, @, \
          tab or CR is prefixed with ' (spreadsheet formula injection)"),
        (status = 400, body = Problem), (status = 401, body = Problem)
    ),
    security(("bearer" = []))
)]
pub async fn export_csv(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let query = Query::parse(
        &req,
        &["status", "work_mode", "tag", "q", "sort", "limit", "cursor"],
    )?;
    let mut list = list_query(&query)?;
    list.limit = 200;
    list.cursor = None;
    let user = auth.user_id;
    stream_download(
        state,
        "applications",
        "csv",
        "text/csv; charset=utf-8",
        async move |state, out| write_csv(state, user, list, out).await,
    )
    .await
}

/// Writes the CSV a page of the list at a time.
async fn write_csv(
    state: &AppState,
    user: uuid::Uuid,
    mut list: crate::store::applications::ListQuery,
    out: &mpsc::Sender<Result<Bytes>>,
) -> Result<()> {
    let closed = |_| Error::Unavailable("the client went away".into());
    out.send(Ok(Bytes::from(csv_import::export_line(
        &csv_import::EXPORT_HEADERS,
    ))))
    .await
    .map_err(closed)?;
    loop {
        let page = {
            let client = state.pool.get().await?;
            crate::store::applications::list(&client, user, &list).await?
        };
        let mut piece = String::new();
        for a in &page.items {
            piece.push_str(&csv_import::export_line(&csv_import::export_record(a)));
        }
        out.send(Ok(Bytes::from(piece))).await.map_err(closed)?;
        match page.next_cursor {
            Some(c) => list.cursor = Some(c),
            None => return Ok(()),
        }
    }
}

/// The answer of a CSV import or its preview.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CsvImport {
    /// Data rows in the file.
    pub rows: usize,
    /// Applications created (a preview: that would be created).
    pub created: usize,
    /// Rows matching an application already there (or an earlier row), left out.
    pub skipped: usize,
    /// Rows refused, each naming its row (the header is row 1) and column.
    pub errors: Vec<RowError>,
    /// Each column's field (null: ignored).
    #[schema(value_type = Object)]
    pub mapping: serde_json::Map<String, serde_json::Value>,
    /// The first 20 rows as they would be created.
    #[schema(value_type = Vec<Object>)]
    pub preview: Vec<serde_json::Value>,
    /// How the file was read: utf-8, windows-1252, utf-16le or utf-16be.
    pub encoding: &'static str,
    pub dry_run: bool,
}

/// Rows shown in a preview.
const PREVIEW_ROWS: usize = 20;

/// A row as it would be created, for the preview.
fn previewed(r: &SheetRow, new: bool) -> serde_json::Value {
    let mut v = serde_json::to_value(&r.row.application.fields).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("row".into(), r.row.row.into());
        o.insert("note".into(), r.row.note.clone().into());
        o.insert("skipped".into(), (!new).into());
    }
    v
}

/// Import applications from a spreadsheet (CSV), or preview the import.
#[utoipa::path(
    post, path = "/api/v1/import/csv", tag = "data",
    params(
        ("dry_run" = Option<bool>, Query, description = "true: answer what would happen, change nothing"),
        ("mapping" = Option<String>, Query, description = "JSON {\"column header\": \"field\" | null}: overrides the \
          automatic recognition for the columns it names"),
    ),
    request_body(content = String, content_type = "text/csv",
                 description = "the CSV file (≤ 10,000 rows, 5 MiB; UTF-8, or Windows-1252 detected), or a multipart form with it as `file`"),
    responses(
        (status = 200, body = CsvImport, description = "the preview (dry_run)"),
        (status = 201, body = CsvImport, description = "imported: rows with errors are listed and skipped, the others \
          created in one transaction"),
        (status = 400, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem, description = "the file cannot be read (encoding, quoting, too many rows) or the \
          mapping is wrong; nothing was imported"),
        (status = 429, body = Problem, description = "too many imports this hour; see Retry-After")
    ),
    security(("bearer" = []))
)]
pub async fn import_csv(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let query = Query::parse(&req, &["dry_run", "mapping"])?;
    let dry_run = match query.one("dry_run")?.map(str::trim) {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") | Some("") => true,
        Some(_) => return Err(Error::bad_request("dry_run", "must be true or false")),
    };
    let mapping = match query.one("mapping")? {
        None => None,
        Some(raw) => match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(serde_json::Value::Object(m)) => Some(m),
            _ => {
                return Err(Error::bad_request(
                    "mapping",
                    "must be a JSON object such as {\"Employer\": \"company\"}",
                ))
            }
        },
    };
    let user = auth.user_id;
    throttle::user_action(
        &state.pool,
        user,
        UserAction::Import,
        state.settings.imports_per_hour,
    )
    .await?;
    let mut bytes = Vec::new();
    receive(&req, payload, csv_import::MAX_BYTES, &mut bytes).await?;
    let outcome = csv_rows(&state, user, &bytes, mapping.as_ref()).await?;
    let (sheet, errors) = outcome.rows;
    let client = state.pool.get().await?;
    let fresh = imports::novelty(&client, user, &sheet).await?;
    drop(client);
    let preview = sheet
        .iter()
        .zip(&fresh)
        .take(PREVIEW_ROWS)
        .map(|(r, new)| previewed(r, *new))
        .collect();
    let mut answer = CsvImport {
        rows: outcome.total,
        created: fresh.iter().filter(|f| **f).count(),
        skipped: fresh.iter().filter(|f| !**f).count(),
        errors,
        mapping: outcome.mapping,
        preview,
        encoding: outcome.encoding,
        dry_run,
    };
    if dry_run {
        return Ok(no_store(json(StatusCode::OK, &answer)));
    }
    let done = imports::import_rows(&state.pool, user, sheet).await?;
    answer.created = done.value.applications;
    answer.skipped = done.value.skipped;
    state.bulk_written(user, done.events, done.change_seq);
    Ok(no_store(json(StatusCode::CREATED, &answer)))
}

/// A CSV file read and checked: its good rows, its bad ones, and how.
struct SheetOutcome {
    rows: (Vec<SheetRow>, Vec<RowError>),
    total: usize,
    mapping: serde_json::Map<String, serde_json::Value>,
    encoding: &'static str,
}

/// Decodes, parses, maps and converts a CSV file (CPU work, on a blocking thread).
async fn csv_rows(
    state: &AppState,
    user: uuid::Uuid,
    bytes: &[u8],
    explicit: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<SheetOutcome> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Validation(crate::domain::ValidationError::single(
            "file",
            "the file is empty",
        )));
    }
    let zone = users::timezone(&state.pool.get().await?, user).await?;
    let today = crate::domain::time::local_date(OffsetDateTime::now_utc(), &zone);
    let (bytes, explicit) = (bytes.to_vec(), explicit.cloned());
    tokio::task::spawn_blocking(move || {
        let refused =
            |m: String| Error::Validation(crate::domain::ValidationError::single("file", m));
        let decoded = csv_import::decode(&bytes).map_err(refused)?;
        let table = csv_import::read_table(&decoded.text).map_err(refused)?;
        let mapping = csv_import::plan(&table.headers, explicit.as_ref())?;
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        for r in &table.rows {
            match csv_import::convert(&mapping, &table.headers, r.number, &r.cells, today) {
                Ok(row) => {
                    let key = row.match_key();
                    good.push(SheetRow { row, key });
                }
                Err(errors) => bad.extend(errors),
            }
        }
        Ok(SheetOutcome {
            rows: (good, bad),
            total: table.rows.len(),
            mapping: mapping.as_json(&table.headers),
            encoding: decoded.encoding,
        })
    })
    .await
    .map_err(Error::internal)?
}

/// Your data out and in.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/export", &[M::GET]).route(web::get().to(export)))
        .service(resource("/import/export", &[M::POST]).route(web::post().to(import_export)))
        .service(resource("/export/applications.csv", &[M::GET]).route(web::get().to(export_csv)))
        .service(resource("/import/csv", &[M::POST]).route(web::post().to(import_csv)));
}
