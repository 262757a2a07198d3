//! `GET /metrics` in the Prometheus text format. Requests are counted and
//! timed as they pass the middleware (by route pattern, never by raw path,
//! so ids do not explode the series); gauges are read at scrape time from
//! the pool, the actors and PostgreSQL.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use actix_web::http::{header, Method};
use actix_web::{web, HttpResponse};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::AppState;
use crate::actors::event_bus::CountSubscribers;
use crate::actors::registry::CountActive;
use crate::error::Result;
use crate::store::generations;

/// The process's recorder (installed once, whatever the number of servers
/// a test process starts).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Full("http_request_duration_seconds".into()),
                &[
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    10.0,
                ],
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let handle = match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed (it should not be): keep a private one.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        };
        keep_up(handle.clone());
        handle
    })
}

/// How often the recorder folds the timings it was given into its
/// histograms.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The recorder keeps every timing it is given until it is folded into its
/// histogram, which a scrape does, and so does its upkeep: without either
/// (a server nobody scrapes) the timings pile up, 8 bytes a request for the
/// life of the process. A thread of its own folds them every few seconds.
fn keep_up(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || loop {
            std::thread::sleep(UPKEEP_EVERY);
            handle.run_upkeep();
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "metrics upkeep not started: timings wait for a scrape");
    }
}

/// Counts and times one answered request.
pub fn record_request(method: &Method, route: &str, status: u16, seconds: f64) {
    HANDLES.with_borrow_mut(|handles| {
        let of_route = match handles.get_mut(route) {
            Some(found) => found,
            None => handles.entry(route.to_owned()).or_default(),
        };
        let method = method_label(method);
        let at = match of_route
            .iter()
            .position(|h| h.method == method && h.status == status)
        {
            Some(at) => at,
            None => {
                of_route.push(RequestMetrics::new(method, route, status));
                of_route.len() - 1
            }
        };
        let found = &of_route[at];
        found.requests.increment(1);
        found.duration.record(seconds);
    })
}

/// A request method as its metrics name it: the standard ones by name,
/// any other as `OTHER` (a client may send any token as a method, and each
/// would otherwise be a series of its own).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
}

/// One route's metrics for one method and status.
struct RequestMetrics {
    method: &'static str,
    status: u16,
    requests: metrics::Counter,
    duration: metrics::Histogram,
}

impl RequestMetrics {
    fn new(method: &'static str, route: &str, status: u16) -> RequestMetrics {
        let labels = [
            ("method", method.to_owned()),
            ("route", route.to_owned()),
            ("status", status.to_string()),
        ];
        RequestMetrics {
            method,
            status,
            requests: metrics::counter!("http_requests_total", &labels),
            duration: metrics::histogram!(
                "http_request_duration_seconds",
                "method" => method,
                "route" => route.to_owned()
            ),
        }
    }
}

thread_local! {
    /// The handles of the request metrics this thread has recorded, by
    /// route: the recorder finds a metric by its name and labels, which a
    /// request paid for twice in allocations and hashing; a handle is kept
    /// for each route, method and status seen (a few dozen).
    static HANDLES: RefCell<HashMap<String, Vec<RequestMetrics>>> = RefCell::new(HashMap::new());
}

/// `GET /metrics`.
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse> {
    let pool = state.pools.status();
    metrics::gauge!("db_pool_connections", "state" => "open").set(pool.size as f64);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(pool.available as f64);
    metrics::gauge!("db_pool_connections", "state" => "max").set(pool.max_size as f64);
    metrics::gauge!("db_pool_waiting").set(pool.waiting as f64);
    let sse = state.event_bus.send(CountSubscribers).await.unwrap_or(0);
    metrics::gauge!("sse_clients").set(sse as f64);
    let actors = state.registry.send(CountActive).await.unwrap_or(0);
    metrics::gauge!("user_actors_active").set(actors as f64);
    metrics::gauge!("read_cache_bytes").set(crate::actors::read_cache::bytes_held() as f64);
    if let Some(bytes) = crate::telemetry::heap_live_bytes() {
        metrics::gauge!("heap_live_bytes").set(bytes as f64);
    }
    // Counts that only go up are counters (`_total`).
    metrics::counter!("user_actor_starts_total")
        .absolute(state.stats.user_starts.load(Ordering::Relaxed));
    metrics::gauge!("actor_mailbox", "actor" => "user_state")
        .set(state.stats.user_mailbox.load(Ordering::Relaxed) as f64);
    metrics::counter!("user_actor_restarts_total")
        .absolute(state.stats.user_restarts.load(Ordering::Relaxed));
    if let Ok(client) = state.pool.get().await {
        if let Ok(counts) = generations::counts(&client).await {
            for status in ["queued", "running", "succeeded", "failed", "cancelled"] {
                let n = counts
                    .iter()
                    .find(|(s, _)| s == status)
                    .map_or(0, |(_, n)| *n);
                metrics::gauge!("ai_generations", "status" => status).set(n as f64);
            }
        }
    }
    let redis = state.link.status();
    for s in ["ok", "down", "disabled"] {
        metrics::gauge!("redis_connection", "state" => s).set(if s == redis { 1.0 } else { 0.0 });
    }
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(handle().render()))
}

/// `GET /metrics`: on the main address, or alone on `JOBCOPILOT_METRICS_LISTEN`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/metrics", &[actix_web::http::Method::GET]).route(web::get().to(metrics)),
    );
}
