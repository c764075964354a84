//! Counters behind `GET /metrics` (Prometheus text format 0.0.4): requests by route and status,
//! events published, open event streams (connected consoles), pending actions and decisions.
//!
//! Atomics only on the hot paths; the request table is keyed by the route *template* (never the
//! raw path), so it is bounded by the router, and capped besides.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::Decision;

/// Distinct (route, status) pairs kept; beyond, requests count under `route="other"`.
const MAX_SERIES: usize = 512;

/// Content type of the Prometheus text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    /// Event id before the first event of this run: published = last id − base.
    event_base: AtomicU64,
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    stream_clients: AtomicI64,
    decisions: [AtomicU64; 4],
    decisions_replayed: AtomicU64,
    /// Agent gateway requests by (request, result): `("propose", "accepted")`, …
    agent_requests: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    /// Pushed samples by source and result (`accepted`, `rejected`).
    ingested: Mutex<BTreeMap<(String, &'static str), u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            event_base: AtomicU64::new(0),
            requests: Mutex::new(BTreeMap::new()),
            stream_clients: AtomicI64::new(0),
            decisions: Default::default(),
            decisions_replayed: AtomicU64::new(0),
            agent_requests: Mutex::new(BTreeMap::new()),
            ingested: Mutex::new(BTreeMap::new()),
        }
    }
}

/// What only the world knows, read at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorldGauges {
    pub last_event_id: u64,
    pub pending_actions: usize,
}

fn decision_index(d: Decision) -> usize {
    match d {
        Decision::Approve => 0,
        Decision::Reject => 1,
        Decision::Override => 2,
        Decision::Veto => 3,
    }
}

const DECISION_NAMES: [&str; 4] = ["approve", "reject", "override", "veto"];

impl Metrics {
    pub fn set_event_base(&self, base: u64) {
        self.event_base.store(base, Ordering::Relaxed);
    }

    pub fn record_request(&self, route: &str, status: u16) {
        let mut table = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        let key = (route.to_owned(), status);
        if table.len() >= MAX_SERIES && !table.contains_key(&key) {
            *table.entry(("other".into(), status)).or_insert(0) += 1;
            return;
        }
        *table.entry(key).or_insert(0) += 1;
    }

    /// A decision the API recorded (`replayed`: answered from the record of a retry).
    pub fn record_decision(&self, decision: Decision, replayed: bool) {
        if replayed {
            self.decisions_replayed.fetch_add(1, Ordering::Relaxed);
        } else {
            self.decisions[decision_index(decision)].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// One request of an agent through the gateway and what became of it (`accepted`,
    /// `replayed`, or the error code).
    pub fn record_agent_request(&self, request: &'static str, result: &'static str) {
        let mut table = self
            .agent_requests
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *table.entry((request, result)).or_default() += 1;
    }

    /// Counts the samples of one pushed batch.
    pub fn record_ingest(&self, source: &str, accepted: u64, rejected: u64) {
        let mut table = self.ingested.lock().unwrap_or_else(|p| p.into_inner());
        *table.entry((source.to_owned(), "accepted")).or_default() += accepted;
        *table.entry((source.to_owned(), "rejected")).or_default() += rejected;
    }

    /// Counts one open event stream until the guard is dropped.
    pub fn stream_opened(self: &std::sync::Arc<Self>) -> StreamGuard {
        self.stream_clients.fetch_add(1, Ordering::Relaxed);
        StreamGuard(self.clone())
    }

    pub fn stream_clients(&self) -> i64 {
        self.stream_clients.load(Ordering::Relaxed)
    }

    /// The exposition text.
    pub fn render(&self, world: WorldGauges) -> String {
        let mut out = String::with_capacity(2048);
        let name = family(
            &mut out,
            "tianshu_build_info",
            "gauge",
            "Version of the running backend (always 1).",
        );
        let _ = writeln!(out, "{name}{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
        let name = family(
            &mut out,
            "tianshu_uptime_seconds",
            "gauge",
            "Seconds since this backend started.",
        );
        let _ = writeln!(out, "{name} {:.3}", self.started.elapsed().as_secs_f64());
        let name = family(
            &mut out,
            "tianshu_http_requests_total",
            "counter",
            "HTTP requests answered, by route template and status.",
        );
        {
            let table = self.requests.lock().unwrap_or_else(|p| p.into_inner());
            for ((route, status), n) in table.iter() {
                let _ = writeln!(
                    out,
                    "{name}{{route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        let name = family(
            &mut out,
            "tianshu_agent_requests_total",
            "counter",
            "Agent gateway requests (propose, outcome) by result: accepted, replayed or the error code.",
        );
        {
            let table = self
                .agent_requests
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            for ((request, result), n) in table.iter() {
                let _ = writeln!(
                    out,
                    "{name}{{request=\"{request}\",result=\"{result}\"}} {n}"
                );
            }
        }
        let name = family(
            &mut out,
            "tianshu_ingested_samples_total",
            "counter",
            "Pushed samples and stage changes (POST /api/v1/ingest) by source and result.",
        );
        {
            let table = self.ingested.lock().unwrap_or_else(|p| p.into_inner());
            for ((source, result), n) in table.iter() {
                let source = source.replace(['\\', '"', '\n'], "_");
                let _ = writeln!(out, "{name}{{source=\"{source}\",result=\"{result}\"}} {n}");
            }
        }
        let name = family(
            &mut out,
            "tianshu_events_published_total",
            "counter",
            "Events published on the event stream since start (rate() gives events/s).",
        );
        let published = world
            .last_event_id
            .saturating_sub(self.event_base.load(Ordering::Relaxed));
        let _ = writeln!(out, "{name} {published}");
        let name = family(
            &mut out,
            "tianshu_event_stream_clients",
            "gauge",
            "Open event-stream connections (connected consoles).",
        );
        let _ = writeln!(out, "{name} {}", self.stream_clients().max(0));
        let name = family(
            &mut out,
            "tianshu_actions_pending",
            "gauge",
            "Agent actions waiting for a decision.",
        );
        let _ = writeln!(out, "{name} {}", world.pending_actions);
        let name = family(
            &mut out,
            "tianshu_decisions_total",
            "counter",
            "Decisions recorded through the API since start, by decision.",
        );
        for (i, d) in DECISION_NAMES.iter().enumerate() {
            let n = self.decisions[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}{{decision=\"{d}\"}} {n}");
        }
        let name = family(
            &mut out,
            "tianshu_decisions_replayed_total",
            "counter",
            "Decision retries answered from the record (same idempotency key), not applied again.",
        );
        let _ = writeln!(
            out,
            "{name} {}",
            self.decisions_replayed.load(Ordering::Relaxed)
        );
        out
    }
}

/// Writes the HELP and TYPE lines of a family; returns its name.
fn family<'a>(out: &mut String, name: &'a str, kind: &str, help: &str) -> &'a str {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    name
}

/// Decrements the open-stream gauge when the stream ends (client gone or kicked).
#[derive(Debug)]
pub struct StreamGuard(std::sync::Arc<Metrics>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.stream_clients.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Label values escape `\`, `"` and newlines.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware: counts every answered request under its route template (`unmatched` for paths no
/// route knows, so scanners cannot grow the table).
pub async fn count_requests(
    State(metrics): State<std::sync::Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let response = next.run(request).await;
    metrics.record_request(&route, response.status().as_u16());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_format() {
        let m = std::sync::Arc::new(Metrics::default());
        m.set_event_base(1000);
        m.record_request("/api/v1/health", 200);
        m.record_request("/api/v1/health", 200);
        m.record_request("/api/v1/actions/{id}/decision", 409);
        m.record_decision(Decision::Approve, false);
        m.record_decision(Decision::Approve, true);
        let guard = m.stream_opened();
        let text = m.render(WorldGauges {
            last_event_id: 1042,
            pending_actions: 3,
        });
        assert!(
            text.contains(
                "tianshu_http_requests_total{route=\"/api/v1/health\",status=\"200\"} 2\n"
            )
        );
        assert!(text.contains(
            "tianshu_http_requests_total{route=\"/api/v1/actions/{id}/decision\",status=\"409\"} 1\n"
        ));
        assert!(text.contains("tianshu_events_published_total 42\n"));
        assert!(text.contains("tianshu_event_stream_clients 1\n"));
        assert!(text.contains("tianshu_actions_pending 3\n"));
        assert!(text.contains("tianshu_decisions_total{decision=\"approve\"} 1\n"));
        assert!(text.contains("tianshu_decisions_replayed_total 1\n"));
        drop(guard);
        assert_eq!(m.stream_clients(), 0);
        // Every sample line belongs to a family declared by HELP and TYPE before it.
        let mut declared = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let mut parts = rest.split(' ');
                let name = parts.next().unwrap_or_default();
                assert!(matches!(parts.next(), Some("counter" | "gauge")), "{line}");
                declared.push(name.to_owned());
            } else if !line.starts_with('#') {
                let name = line.split(['{', ' ']).next().unwrap_or_default();
                assert!(
                    declared.iter().any(|d| d == name),
                    "undeclared sample {line}"
                );
                let value = line.rsplit(' ').next().unwrap_or_default();
                assert!(value.parse::<f64>().is_ok(), "bad value in {line}");
            }
        }
    }

    #[test]
    fn series_are_bounded() {
        let m = Metrics::default();
        for i in 0..(MAX_SERIES + 100) {
            m.record_request(&format!("/r{i}"), 200);
        }
        let table = m.requests.lock().unwrap_or_else(|p| p.into_inner());
        assert!(table.len() <= MAX_SERIES + 1);
        assert_eq!(table.get(&("other".to_owned(), 200)), Some(&100));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
