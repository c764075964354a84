//! Metro latency measured by a Prometheus server instead of the simulator's model: "bring your
//! own data" for one part of API v1.
//!
//! A poller task runs a configurable PromQL instant query every interval (bounded timeouts,
//! backoff after failures), reads each series as one probe — a vantage point in a metro, named
//! by a `metro` label (metro id, English or Chinese name) at a `lat`/`lon` position, value = RTT
//! in seconds — and turns the probes into the metro summaries, grids and national roll-up the
//! API serves (see `grid`). All I/O and all grid work happen outside the world lock; the lock is
//! taken only to swap the new figures in and publish `MetroUpdated` for metros that changed.
//! When Prometheus cannot be read, the last good figures stay and are marked stale since the
//! first failure (`/api/v1/latency/source`, `/api/v1/health`, `/metrics`).
//!
//! Owns only latency figures; hubs, factories and agents stay the simulator's.

pub mod grid;
pub mod parse;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{
    LatencyFeed, LatencyGrid, LatencySource, LatencySummary, MetroSummary, ProbeReading,
    SkippedSeries, UnixMs,
};
use crate::sim::CoverageLog;
use crate::world::World;

use self::grid::{MeasuredGrid, MetroFrame};
use self::parse::{ProbeLabels, parse_answer};

/// The query when none is given: the ICMP round trip of ping/blackbox probes, one series per
/// probe position.
pub const DEFAULT_QUERY: &str =
    r#"avg by (metro, lat, lon) (probe_icmp_duration_seconds{phase="rtt"})"#;
/// Largest answer read, bytes.
const MAX_BODY_BYTES: usize = 8 << 20;
/// Longest wait between tries after failures (unless the interval itself is longer): the
/// interval doubles after each failure up to this, so a recovered Prometheus is read again
/// within a minute.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How to reach Prometheus and read its probes.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusConfig {
    /// Base URL, e.g. `http://prometheus:9090` (the API is under `/api/v1/query`).
    pub url: String,
    pub query: String,
    pub interval: Duration,
    pub labels: ProbeLabels,
    /// A cell takes its nearest probe's RTT within this distance, km.
    pub probe_radius_km: f64,
}

impl PrometheusConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            query: DEFAULT_QUERY.into(),
            interval: Duration::from_secs(15),
            labels: ProbeLabels::default(),
            probe_radius_km: 5.0,
        }
    }

    /// Refuses settings that cannot work, with a sentence saying which.
    pub fn validate(&self) -> Result<reqwest::Url, ConfigError> {
        let url = reqwest::Url::parse(self.url.trim())
            .map_err(|e| ConfigError(format!("--prometheus-url {}: {e}", self.display_url())))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(ConfigError(format!(
                "--prometheus-url must be an http:// or https:// address, not {}",
                self.display_url()
            )));
        }
        if self.query.trim().is_empty() || self.query.len() > 4096 {
            return Err(ConfigError(
                "--prometheus-query must be a PromQL expression of at most 4096 bytes".into(),
            ));
        }
        let s = self.interval.as_secs_f64();
        if !(1.0..=3600.0).contains(&s) {
            return Err(ConfigError(format!(
                "--prometheus-interval must be 1 s to 1 h, not {s} s"
            )));
        }
        if !(self.probe_radius_km.is_finite() && (0.1..=50.0).contains(&self.probe_radius_km)) {
            return Err(ConfigError(format!(
                "the probe radius must be 0.1 to 50 km, not {}",
                self.probe_radius_km
            )));
        }
        for l in [&self.labels.metro, &self.labels.lat, &self.labels.lon] {
            let ok = !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !l.starts_with(|c: char| c.is_ascii_digit());
            if !ok {
                return Err(ConfigError(format!("{l:?} is not a Prometheus label name")));
            }
        }
        Ok(url)
    }

    /// The URL as shown to API callers and in logs and errors: without user name or password,
    /// even when it does not parse.
    pub fn display_url(&self) -> String {
        display_url(&self.url)
    }
}

/// `url` without its user name and password (`user:secret@`): what may be logged or served.
/// Text that is not a URL keeps everything but what looks like credentials.
pub fn display_url(url: &str) -> String {
    let url = url.trim();
    if let Ok(mut u) = reqwest::Url::parse(url)
        && u.has_host()
    {
        let _ = u.set_username("");
        let _ = u.set_password(None);
        return u.to_string().trim_end_matches('/').to_owned();
    }
    // Unparsable: drop everything before the last `@` of the authority (the part after `://`,
    // or the start, up to the first `/`, `?` or `#`).
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{}{}", &url[..start], &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// Settings that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The measured latency the world serves instead of the simulator's.
#[derive(Debug)]
pub struct Measured {
    frames: Arc<Vec<MetroFrame>>,
    probes: Vec<Vec<ProbeReading>>,
    /// Per metro, the cells of the last successful query (computed once, outside the lock).
    grids: Vec<MeasuredGrid>,
    summaries: Vec<MetroSummary>,
    /// Daily history from the first successful query on (so a metro's first measurement is
    /// not shown as a change from "no measurements").
    log: Option<CoverageLog>,
    feed: LatencyFeed,
}

/// One successful query, ready to swap in.
#[derive(Debug)]
pub struct Measurement {
    probes: Vec<Vec<ProbeReading>>,
    grids: Vec<MeasuredGrid>,
    summaries: Vec<MetroSummary>,
    skipped: BTreeMap<&'static str, u64>,
}

impl Measured {
    /// Before the first query: every metro without measurements.
    pub fn new(frames: Arc<Vec<MetroFrame>>, config: &PrometheusConfig) -> Self {
        let probes = vec![Vec::new(); frames.len()];
        let grids: Vec<MeasuredGrid> = frames
            .iter()
            .map(|f| grid::measure(f, &[], config.probe_radius_km))
            .collect();
        let summaries: Vec<MetroSummary> = frames
            .iter()
            .zip(&grids)
            .map(|(f, g)| grid::summary(f, &[], g))
            .collect();
        let feed = LatencyFeed {
            source: LatencySource::Prometheus,
            simulated: false,
            url: Some(config.display_url()),
            query: Some(config.query.clone()),
            interval_s: config.interval.as_secs_f64(),
            probe_radius_km: config.probe_radius_km,
            metros_without_measurements: frames.iter().map(|f| f.summary.id.clone()).collect(),
            ..LatencyFeed::simulator()
        };
        Self {
            log: None,
            frames,
            probes,
            grids,
            summaries,
            feed,
        }
    }

    pub fn summaries(&self) -> &[MetroSummary] {
        &self.summaries
    }

    pub fn feed(&self) -> &LatencyFeed {
        &self.feed
    }

    /// The measured grid of a metro (its cells were computed when the query was answered:
    /// this only copies them).
    pub fn grid(&self, metro_id: &str) -> Option<LatencyGrid> {
        let i = self.frames.iter().position(|f| f.summary.id == metro_id)?;
        let at = self.feed.last_success.unwrap_or(0);
        Some(grid::grid(
            &self.frames[i],
            self.probes.get(i)?,
            self.grids.get(i)?,
            at,
        ))
    }

    /// The national roll-up over measured metros (metros without probes do not meet it).
    pub fn latency_summary(&self) -> LatencySummary {
        let at = self.feed.last_success.unwrap_or(0);
        let mut s = match &self.log {
            Some(log) => log.summary(at, &self.summaries),
            None => CoverageLog::new(at, &self.summaries).summary(at, &self.summaries),
        };
        s.source = LatencySource::Prometheus;
        s.stale_since = self.feed.stale_since;
        s
    }

    /// Swaps a successful query in; returns the metros whose summary changed.
    pub(crate) fn apply(&mut self, m: Measurement, now: UnixMs) -> Vec<MetroSummary> {
        let changed = m
            .summaries
            .iter()
            .zip(&self.summaries)
            .filter(|(new, old)| new != old)
            .map(|(new, _)| new.clone())
            .collect();
        self.feed.probes = m.probes.iter().map(|p| p.len() as u32).sum();
        self.feed.metros_measured = m.probes.iter().filter(|p| !p.is_empty()).count() as u32;
        self.feed.metros_without_measurements = self
            .frames
            .iter()
            .zip(&m.probes)
            .filter(|(_, p)| p.is_empty())
            .map(|(f, _)| f.summary.id.clone())
            .collect();
        self.feed.skipped = m
            .skipped
            .iter()
            .map(|(reason, count)| SkippedSeries {
                reason: (*reason).to_owned(),
                count: *count,
            })
            .collect();
        self.feed.last_success = Some(now);
        self.feed.stale_since = None;
        self.feed.last_error = None;
        self.probes = m.probes;
        self.grids = m.grids;
        self.summaries = m.summaries;
        match &mut self.log {
            Some(log) => log.observe(now, &self.summaries),
            None => self.log = Some(CoverageLog::new(now, &self.summaries)),
        }
        changed
    }

    /// A failed query: the figures stay and are stale from the first failure on.
    pub(crate) fn fail(&mut self, error: String, now: UnixMs) {
        if self.feed.stale_since.is_none() {
            self.feed.stale_since = Some(now);
        }
        self.feed.last_error = Some(error);
    }

    /// Lines for `GET /metrics` (Prometheus text format).
    pub fn metrics_text(&self, now: UnixMs) -> String {
        let f = &self.feed;
        let mut out = String::new();
        out.push_str("# HELP tianshu_latency_stale 1 while measured latency is stale (Prometheus unreachable or refusing the query).\n");
        out.push_str("# TYPE tianshu_latency_stale gauge\n");
        out.push_str(&format!(
            "tianshu_latency_stale {}\n",
            u8::from(f.stale_since.is_some())
        ));
        out.push_str(
            "# HELP tianshu_latency_stale_seconds How long measured latency has been stale.\n",
        );
        out.push_str("# TYPE tianshu_latency_stale_seconds gauge\n");
        let stale_s = f
            .stale_since
            .map_or(0.0, |t| (now - t).max(0) as f64 / 1000.0);
        out.push_str(&format!("tianshu_latency_stale_seconds {stale_s}\n"));
        out.push_str("# HELP tianshu_latency_last_success_timestamp_seconds Last successful Prometheus query (0: none yet).\n");
        out.push_str("# TYPE tianshu_latency_last_success_timestamp_seconds gauge\n");
        out.push_str(&format!(
            "tianshu_latency_last_success_timestamp_seconds {}\n",
            f.last_success.unwrap_or(0) as f64 / 1000.0
        ));
        out.push_str("# HELP tianshu_latency_probes Probes used from the last successful query.\n");
        out.push_str("# TYPE tianshu_latency_probes gauge\n");
        out.push_str(&format!("tianshu_latency_probes {}\n", f.probes));
        out.push_str("# HELP tianshu_latency_metros_measured Metros with at least one probe.\n");
        out.push_str("# TYPE tianshu_latency_metros_measured gauge\n");
        out.push_str(&format!(
            "tianshu_latency_metros_measured {}\n",
            f.metros_measured
        ));
        out.push_str("# HELP tianshu_latency_series_skipped Series of the last successful query left out, by reason.\n");
        out.push_str("# TYPE tianshu_latency_series_skipped gauge\n");
        for s in &f.skipped {
            out.push_str(&format!(
                "tianshu_latency_series_skipped{{reason=\"{}\"}} {}\n",
                s.reason, s.count
            ));
        }
        out
    }
}

/// Everything a query's answer means, computed without any lock.
pub fn measure_answer(
    frames: &[MetroFrame],
    body: &[u8],
    labels: &ProbeLabels,
    radius_km: f64,
) -> Result<Measurement, parse::AnswerError> {
    let answer = parse_answer(body, labels)?;
    let mut skipped = answer.skipped;
    let probes = grid::assign(frames, &answer.probes, radius_km, &mut skipped);
    let grids: Vec<MeasuredGrid> = frames
        .iter()
        .zip(&probes)
        .map(|(f, p)| grid::measure(f, p, radius_km))
        .collect();
    let summaries = frames
        .iter()
        .zip(&probes)
        .zip(&grids)
        .map(|((f, p), g)| grid::summary(f, p, g))
        .collect();
    Ok(Measurement {
        probes,
        grids,
        summaries,
        skipped,
    })
}

/// Switches `world` to measured latency and starts polling; the task ends when `stop` turns true.
pub fn start(
    world: Arc<Mutex<World>>,
    config: PrometheusConfig,
    stop: watch::Receiver<bool>,
) -> Result<JoinHandle<()>, ConfigError> {
    let base = config.validate()?;
    let endpoint = base
        .join("api/v1/query")
        .map_err(|e| ConfigError(format!("--prometheus-url {}: {e}", config.display_url())))?;
    let endpoint = if base.path().ends_with('/') || base.path().is_empty() {
        endpoint
    } else {
        // `http://h/prom` + `api/v1/query` would drop `prom`: keep the base's path.
        let mut u = base.clone();
        u.set_path(&format!("{}/api/v1/query", base.path()));
        u
    };
    let timeout = config
        .interval
        .clamp(Duration::from_secs(1), Duration::from_secs(10));
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3).min(timeout))
        .timeout(timeout)
        .build()
        .map_err(|e| ConfigError(format!("cannot build the HTTP client: {e}")))?;
    let frames = {
        let mut w = world.lock().unwrap_or_else(|p| p.into_inner());
        let frames = Arc::new(w.metro_frames());
        w.measured = Some(Box::new(Measured::new(frames.clone(), &config)));
        frames
    };
    tracing::info!(
        "metro latency from Prometheus at {} every {:?}: {}",
        config.display_url(),
        config.interval,
        config.query
    );
    let poller = tokio::spawn(poll(
        world.clone(),
        config,
        client,
        endpoint,
        frames,
        stop.clone(),
    ));
    Ok(tokio::spawn(watch_poller(poller, world, stop)))
}

/// Waits for a poller. It ends only through `stop`; if it ends otherwise (a panic), its
/// figures would freeze while still shown as live: returns why, for the caller to mark them
/// stale. `None` when it was stopped (or the runtime is shutting down).
pub(crate) async fn poller_death(
    poller: JoinHandle<()>,
    stop: &watch::Receiver<bool>,
) -> Option<&'static str> {
    let outcome = poller.await;
    if *stop.borrow() {
        return None;
    }
    match outcome {
        // The runtime is shutting down: nothing will read the figures any more.
        Err(e) if e.is_cancelled() => None,
        Err(_) => Some("the poller failed (panic); restart the backend"),
        Ok(()) => Some("the poller stopped; restart the backend"),
    }
}

/// The latency poller's watchdog (see [`poller_death`]).
async fn watch_poller(
    poller: JoinHandle<()>,
    world: Arc<Mutex<World>>,
    stop: watch::Receiver<bool>,
) {
    if let Some(why) = poller_death(poller, &stop).await {
        tracing::error!("Prometheus latency: {why}: measured latency is no longer updated");
        let mut w = world.lock().unwrap_or_else(|p| p.into_inner());
        w.measurement_failed(why.to_owned(), crate::http::now_ms());
    }
}

/// Queries Prometheus every interval (backing off after failures) until `stop` turns true.
async fn poll(
    world: Arc<Mutex<World>>,
    config: PrometheusConfig,
    client: reqwest::Client,
    endpoint: reqwest::Url,
    frames: Arc<Vec<MetroFrame>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut failures: u32 = 0;
    loop {
        let outcome = match query(&client, &endpoint, &config.query).await {
            // Grids are cells × probes of work: off the async threads.
            Ok(body) => {
                let frames = frames.clone();
                let labels = config.labels.clone();
                let radius_km = config.probe_radius_km;
                tokio::task::spawn_blocking(move || {
                    measure_answer(&frames, &body, &labels, radius_km).map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Err(format!("reading Prometheus' answer failed: {e}")))
            }
            Err(e) => Err(e),
        };
        let now = crate::http::now_ms();
        match outcome {
            Ok(m) => {
                if failures > 0 {
                    tracing::info!("Prometheus answers again after {failures} failed queries");
                }
                failures = 0;
                for (reason, count) in &m.skipped {
                    tracing::debug!("Prometheus series skipped: {count} × {reason}");
                }
                let mut w = world.lock().unwrap_or_else(|p| p.into_inner());
                w.apply_measurement(m, now);
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!("Prometheus query failed ({failures} in a row): {e}");
                let mut w = world.lock().unwrap_or_else(|p| p.into_inner());
                w.measurement_failed(e, now);
            }
        }
        let wait = config
            .interval
            .saturating_mul(1 << failures.min(4))
            .min(MAX_BACKOFF.max(config.interval));
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// One instant query; the body, bounded, or a sentence saying why not.
pub(crate) async fn query(
    client: &reqwest::Client,
    endpoint: &reqwest::Url,
    promql: &str,
) -> Result<Vec<u8>, String> {
    let origin = endpoint.origin().ascii_serialization();
    let mut response = client
        .get(endpoint.clone())
        .query(&[("query", promql)])
        .send()
        .await
        .map_err(|e| {
            let why = if e.is_timeout() {
                "timed out".to_owned()
            } else {
                e.without_url().to_string()
            };
            format!("cannot reach Prometheus at {origin}: {why}")
        })?;
    let status = response.status();
    let mut body = Vec::new();
    loop {
        let chunk = response.chunk().await.map_err(|e| {
            format!(
                "reading Prometheus' answer from {origin}: {}",
                e.without_url()
            )
        })?;
        let Some(chunk) = chunk else { break };
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(format!("Prometheus' answer exceeds {MAX_BODY_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    // Prometheus answers 400/422/503 with its JSON error body: let the parser say why.
    if !status.is_success() && !body.starts_with(b"{") {
        return Err(format!("Prometheus at {origin} answered HTTP {status}"));
    }
    Ok(body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
