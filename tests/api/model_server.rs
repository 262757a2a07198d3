//! A model server that speaks the real OpenAI chat-completions wire protocol
//! on loopback: streamed chunks and `[DONE]`, usage, and on demand a 429 with
//! `Retry-After`, a 500, a stall, a malformed chunk, a 401 or a plain JSON
//! answer. The behaviour is chosen by the application's company in the
//! prompt (`Company: stall`), so each test picks its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use bytes::Bytes;
use futures_util::stream;
use serde_json::{json, Value};

#[derive(Default)]
pub struct Log {
    /// Requests per scenario (company).
    pub calls: HashMap<String, usize>,
    /// Every user message received.
    pub prompts: Vec<String>,
    /// Each request's scenario (company) and `Authorization` header (empty
    /// when it had none), in order.
    pub authorizations: Vec<(String, String)>,
}

pub struct ModelServer {
    pub base: String,
    pub log: Arc<Mutex<Log>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for ModelServer {
    fn drop(&mut self) {
        let h = self.handle.clone();
        actix_web::rt::spawn(async move { h.stop(false).await });
    }
}

impl ModelServer {
    /// The `Authorization` headers the requests of `scenario` carried.
    pub fn authorizations(&self, scenario: &str) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .authorizations
            .iter()
            .filter(|(s, _)| s == scenario)
            .map(|(_, a)| a.clone())
            .collect()
    }

    pub fn calls(&self, scenario: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .calls
            .get(scenario)
            .copied()
            .unwrap_or(0)
    }
}

fn chunk(text: &str) -> Bytes {
    let v = json!({"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]});
    Bytes::from(format!("data: {v}\n\n"))
}

/// The text the `multibyte` scenario streams.
pub const MULTIBYTE: [&str; 4] = ["Grüße ", "aus Köln — ", "東京から ", "🎉 Ünïcödé."];

/// One event cut in two inside its first multi-byte character, so the
/// client must put the character back together across two reads.
fn cut_chunk(text: &str) -> Vec<Bytes> {
    let whole = chunk(text);
    let at = whole
        .iter()
        .position(|b| *b >= 0x80)
        .map_or(whole.len() / 2, |i| i + 1);
    vec![whole.slice(..at), whole.slice(at..)]
}

fn end(prompt_tokens: i64, completion_tokens: i64) -> Vec<Bytes> {
    let stop = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let usage = json!({"choices": [], "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens}});
    vec![
        Bytes::from(format!("data: {stop}\n\n")),
        Bytes::from(format!("data: {usage}\n\n")),
        Bytes::from("data: [DONE]\n\n"),
    ]
}

fn sse(parts: Vec<Bytes>, delay: Duration, then_hang: bool) -> HttpResponse {
    let s = stream::unfold(
        (parts.into_iter(), then_hang, true),
        move |(mut it, hang, first)| async move {
            if !first {
                tokio::time::sleep(delay).await;
            }
            match it.next() {
                Some(b) => Some((Ok::<_, actix_web::Error>(b), (it, hang, false))),
                None if hang => {
                    std::future::pending::<()>().await;
                    None
                }
                None => None,
            }
        },
    );
    HttpResponse::Ok()
        .insert_header(("content-type", "text/event-stream"))
        .streaming(s)
}

pub const WORDS: [&str; 5] = ["Dear ", "hiring ", "team, ", "hello ", "from the model."];

async fn completions(
    req: HttpRequest,
    log: web::Data<Arc<Mutex<Log>>>,
    body: web::Json<Value>,
) -> HttpResponse {
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let user = body["messages"][1]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let scenario = user
        .lines()
        .find_map(|l| l.strip_prefix("Company: "))
        .unwrap_or("ok")
        .trim()
        .to_owned();
    let n = {
        let mut log = log.lock().unwrap();
        log.prompts.push(user.clone());
        log.authorizations.push((scenario.clone(), authorization));
        let n = log.calls.entry(scenario.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let ok = || {
        let mut parts: Vec<Bytes> = WORDS.iter().map(|w| chunk(w)).collect();
        parts.extend(end(42, 5));
        parts
    };
    match scenario.as_str() {
        "flaky" if n == 1 => HttpResponse::TooManyRequests()
            .insert_header(("retry-after", "1"))
            .json(json!({"error": {"message": "Rate limit reached", "type": "requests"}})),
        "broken" => HttpResponse::InternalServerError().json(json!({"error": {"message": "the GPU caught fire"}})),
        "unauthorized" => HttpResponse::Unauthorized().json(json!({"error": {"message": "Incorrect API key provided"}})),
        "stall" => sse(vec![chunk("Dear "), chunk("hiring ")], Duration::from_millis(10), true),
        "stall-once" if n == 1 => sse(vec![chunk("Dear ")], Duration::from_millis(10), true),
        "malformed" => sse(vec![chunk("Dear "), Bytes::from("data: {not json\n\n")], Duration::from_millis(10), false),
        "multibyte" => {
            let mut parts: Vec<Bytes> = MULTIBYTE.iter().flat_map(|w| cut_chunk(w)).collect();
            parts.extend(end(42, 4));
            sse(parts, Duration::from_millis(30), false)
        }
        "json" => HttpResponse::Ok().json(json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "A whole answer at once."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 6}
        })),
        "slow" => {
            let mut parts: Vec<Bytes> = (0..60).map(|i| chunk(&format!("part{i} "))).collect();
            parts.extend(end(42, 60));
            sse(parts, Duration::from_millis(100), false)
        }
        "slower" => {
            let mut parts: Vec<Bytes> = (0..240).map(|i| chunk(&format!("part{i} "))).collect();
            parts.extend(end(42, 240));
            sse(parts, Duration::from_millis(250), false)
        }
        _ => sse(ok(), Duration::from_millis(20), false),
    }
}

async fn models() -> HttpResponse {
    HttpResponse::Ok()
        .json(json!({"object": "list", "data": [{"id": "test-model", "object": "model"}]}))
}

pub async fn start() -> ModelServer {
    let log = Arc::new(Mutex::new(Log::default()));
    let data = web::Data::new(log.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/v1/chat/completions", web::post().to(completions))
            .route("/v1/models", web::get().to(models))
    })
    .workers(2)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    ModelServer {
        base: format!("http://127.0.0.1:{port}/v1"),
        log,
        handle,
    }
}
