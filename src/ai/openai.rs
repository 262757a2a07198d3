//! Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM,
//! llama.cpp server, LM Studio): streamed as server-sent events and parsed
//! as the bytes arrive, with a non-streaming fallback for servers that do
//! not stream. Errors are sorted into worth-retrying and not.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::{Chunk, ChunkStream, Prompt};
use crate::config::AiSettings;
use crate::domain::generation::{one_line, Failure, Kind, Usage};

#[derive(Clone)]
pub struct OpenAi {
    client: reqwest::Client,
    base: String,
    key: Option<String>,
    model: String,
    models: HashMap<String, String>,
}

/// The model used when the operator names none.
const DEFAULT_MODEL: &str = "gpt-4o-mini";

impl OpenAi {
    pub fn new(base: url::Url, ai: &AiSettings) -> OpenAi {
        let client = reqwest::Client::builder()
            .connect_timeout(ai.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        OpenAi {
            client,
            base: base.as_str().trim_end_matches('/').to_owned(),
            key: ai.api_key.clone(),
            model: ai.model.clone().unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
            models: ai.models.clone(),
        }
    }

    pub fn model_for(&self, kind: Kind) -> String {
        self.models
            .get(kind.as_str())
            .cloned()
            .unwrap_or_else(|| self.model.clone())
    }

    fn post(&self, body: &Value) -> reqwest::RequestBuilder {
        let req = self
            .client
            .post(format!("{}/chat/completions", self.base))
            .json(body);
        match &self.key {
            Some(k) => req.bearer_auth(k),
            None => req,
        }
    }

    /// `GET /models` answers (within five seconds).
    pub async fn reachable(&self) -> bool {
        let mut req = self
            .client
            .get(format!("{}/models", self.base))
            .timeout(Duration::from_secs(5));
        if let Some(k) = &self.key {
            req = req.bearer_auth(k);
        }
        matches!(req.send().await, Ok(r) if r.status().is_success())
    }

    /// The answer to `prompt` from `model`, chunk by chunk.
    pub fn stream(&self, prompt: &Prompt, model: &str) -> ChunkStream {
        let (tx, rx) = mpsc::channel(64);
        let body = json!({
            "model": model,
            "messages": [
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.user},
            ],
            "stream": true,
            "stream_options": {"include_usage": true},
        });
        let this = self.clone();
        tokio::spawn(async move {
            let outcome = this.exchange(body, &tx).await;
            if let Err(failure) = outcome {
                let _ = tx.send(Err(failure)).await;
            }
        });
        Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }))
    }

    async fn exchange(
        &self,
        mut body: Value,
        tx: &mpsc::Sender<Result<Chunk, Failure>>,
    ) -> Result<(), Failure> {
        let mut resp = self.post(&body).send().await.map_err(request_failure)?;
        if resp.status() == reqwest::StatusCode::BAD_REQUEST {
            // Some servers refuse streaming: ask again without it.
            let text = resp.text().await.unwrap_or_default();
            if !text.to_ascii_lowercase().contains("stream") {
                return Err(status_failure(
                    reqwest::StatusCode::BAD_REQUEST,
                    None,
                    &text,
                ));
            }
            body["stream"] = json!(false);
            if let Some(o) = body.as_object_mut() {
                o.remove("stream_options");
            }
            resp = self.post(&body).send().await.map_err(request_failure)?;
        }
        let status = resp.status();
        if !status.is_success() {
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = resp.text().await.unwrap_or_default();
            return Err(status_failure(status, retry_after, &text));
        }
        let streaming = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !streaming {
            let value: Value = resp
                .json()
                .await
                .map_err(|e| transient(format!("the model server's answer was not JSON: {e}")))?;
            let text = value["choices"][0]["message"]["content"]
                .as_str()
                .ok_or_else(|| {
                    transient("the model server's answer had no message content".into())
                })?;
            send(tx, Chunk::Text(text.to_owned())).await?;
            if let Some(u) = usage(&value["usage"]) {
                send(tx, Chunk::Usage(u)).await?;
            }
            return Ok(());
        }
        let mut events = SseBuffer::default();
        let mut finished = false;
        loop {
            let bytes = tokio::select! {
                chunk = resp.chunk() => chunk.map_err(|e| transient(format!("the model's stream broke: {e}")))?,
                _ = tx.closed() => return Ok(()),
            };
            let Some(bytes) = bytes else { break };
            for data in events.push(&bytes) {
                if data.trim() == "[DONE]" {
                    return Ok(());
                }
                let Parsed {
                    text,
                    usage,
                    finish,
                } = parse_chunk(&data)?;
                if let Some(t) = text.filter(|t| !t.is_empty()) {
                    send(tx, Chunk::Text(t)).await?;
                }
                if let Some(u) = usage {
                    send(tx, Chunk::Usage(u)).await?;
                }
                finished |= finish;
            }
        }
        if finished {
            Ok(())
        } else {
            Err(transient(
                "the model's stream ended before the answer was complete".into(),
            ))
        }
    }
}

async fn send(tx: &mpsc::Sender<Result<Chunk, Failure>>, chunk: Chunk) -> Result<(), Failure> {
    // A closed channel means the worker gave up on this attempt: stop quietly.
    let _ = tx.send(Ok(chunk)).await;
    Ok(())
}

fn transient(message: String) -> Failure {
    Failure::Transient {
        message,
        retry_after: None,
    }
}

fn request_failure(e: reqwest::Error) -> Failure {
    let what = if e.is_connect() {
        "could not connect to the model server"
    } else if e.is_timeout() {
        "the model server did not answer in time"
    } else {
        "the request to the model server failed"
    };
    transient(format!("{what} ({})", one_line(&e.to_string())))
}

/// 408, 409, 429 and 5xx are worth another attempt; other answers are not.
pub fn status_failure(
    status: reqwest::StatusCode,
    retry_after: Option<Duration>,
    body: &str,
) -> Failure {
    let detail = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(200).collect());
    let message = one_line(&format!(
        "the model server answered {}{}",
        status.as_u16(),
        if detail.trim().is_empty() {
            String::new()
        } else {
            format!(": {detail}")
        }
    ));
    let code = status.as_u16();
    if code == 408 || code == 409 || code == 429 || status.is_server_error() {
        Failure::Transient {
            message,
            retry_after,
        }
    } else {
        Failure::Permanent { message }
    }
}

/// Splits a byte stream into server-sent events' `data` payloads (the
/// WHATWG event-stream format). Bytes are buffered until a whole line has
/// arrived, so a character split across two network reads is decoded whole;
/// lines end with CRLF, LF or CR, even when the CR and LF arrive apart.
#[derive(Default)]
pub struct SseBuffer {
    pending: Vec<u8>,
    /// `data` lines of the event being read.
    data: Vec<String>,
    has_data: bool,
}

impl SseBuffer {
    /// Feeds bytes; returns the `data` of every event they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(i) = self.pending[start..]
            .iter()
            .position(|b| *b == b'\n' || *b == b'\r')
            .map(|i| start + i)
        {
            let terminator = match (self.pending[i], self.pending.get(i + 1)) {
                (b'\r', Some(b'\n')) => 2,
                // A CR at the end may be the first half of a CRLF: wait.
                (b'\r', None) => break,
                _ => 1,
            };
            // Line terminators are ASCII, never inside a UTF-8 sequence.
            let line = String::from_utf8_lossy(&self.pending[start..i]).into_owned();
            self.line(&line, &mut out);
            start = i + terminator;
        }
        self.pending.drain(..start);
        out
    }

    fn line(&mut self, line: &str, out: &mut Vec<String>) {
        if line.is_empty() {
            if self.has_data {
                out.push(std::mem::take(&mut self.data).join("\n"));
            }
            self.data.clear();
            self.has_data = false;
            return;
        }
        if line.starts_with(':') {
            return; // a comment (keep-alive)
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        if field == "data" {
            self.data.push(value.to_owned());
            self.has_data = true;
        }
    }
}

pub struct Parsed {
    pub text: Option<String>,
    pub usage: Option<Usage>,
    pub finish: bool,
}

/// One chunk of a streamed chat completion.
pub fn parse_chunk(data: &str) -> Result<Parsed, Failure> {
    let value: Value = serde_json::from_str(data)
        .map_err(|_| transient("the model's stream had a malformed chunk".into()))?;
    if let Some(e) = value.get("error").filter(|e| !e.is_null()) {
        let message = e["message"].as_str().unwrap_or("an error in the stream");
        return Err(transient(one_line(&format!(
            "the model reported: {message}"
        ))));
    }
    let choice = &value["choices"][0];
    Ok(Parsed {
        text: choice["delta"]["content"].as_str().map(str::to_owned),
        usage: usage(&value["usage"]),
        finish: !choice["finish_reason"].is_null() && choice.get("finish_reason").is_some(),
    })
}

fn usage(v: &Value) -> Option<Usage> {
    if !v.is_object() {
        return None;
    }
    let n = |k: &str| v[k].as_i64().and_then(|n| i32::try_from(n).ok());
    Some(Usage {
        prompt_tokens: n("prompt_tokens"),
        completion_tokens: n("completion_tokens"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_reads_are_put_back_together() {
        let mut b = SseBuffer::default();
        assert!(b.push(b"data: {\"a\":").is_empty());
        assert_eq!(
            b.push(b"1}\r\n\r\ndata: [DONE]\n\n: keep-alive\n\n"),
            vec!["{\"a\":1}", "[DONE]"]
        );
    }

    #[test]
    fn a_character_cut_between_two_reads_is_decoded_whole() {
        let mut b = SseBuffer::default();
        let event = "data: Grüße\r\n\r\n".as_bytes();
        let cut = event.iter().position(|&c| c == 0xC3).unwrap() + 1;
        assert!(b.push(&event[..cut]).is_empty());
        assert_eq!(b.push(&event[cut..]), vec!["Grüße"]);
        // A CR and its LF in two reads are one line end, not two.
        assert!(b.push(b"data: x\r").is_empty());
        assert!(b.push(b"\n").is_empty());
        assert_eq!(b.push(b"data: y\r\r\n"), vec!["x\ny"]);
    }

    proptest::proptest! {
        /// However the bytes are cut into reads, the same events come out.
        #[test]
        fn events_do_not_depend_on_how_the_stream_is_cut(
            payloads in proptest::collection::vec("[^\r\n]{0,12}", 1..6),
            cuts in proptest::collection::vec(0usize..200, 0..12),
            crlf in proptest::bool::ANY,
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut wire = String::new();
            for p in &payloads {
                wire.push_str(&format!(": keep-alive{end}data: {p}{end}{end}"));
            }
            let bytes = wire.as_bytes();
            let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
            points.sort_unstable();
            let mut b = SseBuffer::default();
            let mut got = Vec::new();
            let mut from = 0;
            for p in points.into_iter().chain([bytes.len()]) {
                got.extend(b.push(&bytes[from..p]));
                from = p;
            }
            proptest::prop_assert_eq!(got, payloads);
        }

        /// Arbitrary bytes, cut anywhere, never panic.
        #[test]
        fn hostile_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..64), 0..8)) {
            let mut b = SseBuffer::default();
            for c in &chunks {
                let _ = b.push(c);
            }
        }
    }

    #[test]
    fn chunks_give_text_usage_and_the_end() {
        let p = parse_chunk(r#"{"choices":[{"delta":{"content":"Hel"},"finish_reason":null}]}"#)
            .unwrap();
        assert_eq!((p.text.as_deref(), p.finish), (Some("Hel"), false));
        let p = parse_chunk(r#"{"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"#).unwrap();
        assert!(p.finish);
        assert_eq!(p.usage.unwrap().completion_tokens, Some(3));
        assert!(matches!(
            parse_chunk("{not json"),
            Err(Failure::Transient { .. })
        ));
    }

    #[test]
    fn statuses_are_sorted_into_retry_and_give_up() {
        let s = |c: u16| reqwest::StatusCode::from_u16(c).unwrap();
        assert!(
            matches!(status_failure(s(429), Some(Duration::from_secs(7)), ""),
            Failure::Transient { retry_after: Some(d), .. } if d == Duration::from_secs(7))
        );
        assert!(matches!(
            status_failure(s(503), None, ""),
            Failure::Transient { .. }
        ));
        match status_failure(s(401), None, r#"{"error":{"message":"Incorrect API key"}}"#) {
            Failure::Permanent { message } => {
                assert_eq!(message, "the model server answered 401: Incorrect API key")
            }
            other => panic!("{other:?}"),
        }
    }
}
