//! Figures of links, clusters, metros and plants read from Prometheus servers (`sources.toml`).
//!
//! Each `[[prometheus]]` source lists PromQL instant queries, one per metric; each series of an
//! answer is one entity's figure (the entity id in a label). One tokio task per source queries
//! them every interval (all of a round's queries at once, each with a bounded timeout and
//! answer size), reads the answers outside the world lock, and then applies the round under the
//! lock in one call (`World::apply_polled`, `world/polled.rs`). A round with any failed query
//! (Prometheus unreachable, an HTTP error, a refused query, an answer that is not an instant
//! vector) applies nothing: the source goes stale since its first failure, its last figures stay
//! (the console greys them), and the next try waits twice as long each time, up to a minute
//! (or the interval, when longer).
//!
//! Not the metro-latency adapter (`crate::prometheus`), which models latency grids from probes;
//! this one only replaces figures, like a push source does.
//!
//! ```toml
//! [push]
//! stale_after_s = 300
//!
//! [[prometheus]]
//! id = "backbone"                  # source id "prometheus:backbone"
//! url = "http://prometheus:9090"
//! interval_s = 15
//! timeout_s = 5
//!
//! [[prometheus.metrics]]
//! metric = "link.utilization_forward"
//! query = 'tianshu_link_utilization{direction="forward"}'
//! entity_label = "link"
//! scale = 1.0
//! ```

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::UnixMs;
use crate::prometheus::parse::clip;
use crate::prometheus::{ConfigError, display_url};
use crate::world::World;

use super::telemetry::{EntityKind, Metric};

/// The prefix of a Prometheus source's id.
pub const ID_PREFIX: &str = "prometheus:";
/// Most series read from one answer; the rest are counted as `too_many`.
pub const MAX_SERIES: usize = 100_000;
/// Longest PromQL query, bytes.
pub const MAX_QUERY_BYTES: usize = 4096;
/// Most `[[prometheus]]` sources in one file.
pub const MAX_SOURCES: usize = 32;
/// Most metric queries per source.
pub const MAX_METRICS: usize = 64;
/// Longest wait between tries after failures (unless the interval itself is longer).
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The timeout when none is given (at most half the interval).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_INTERVAL: Duration = Duration::from_secs(15);

/// A `sources.toml`, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourcesFile {
    /// `[push] stale_after_s`: a push source silent this long goes stale.
    pub push_stale_after: Option<Duration>,
    pub prometheus: Vec<PrometheusSource>,
    /// `[latency]`: metro latency from probe series (the adapter of `--latency-source
    /// prometheus`, configured here instead of by flags).
    pub latency: Option<crate::prometheus::PrometheusConfig>,
}

/// One Prometheus server and the metrics read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusSource {
    /// `[a-z0-9_-]{1,40}`; the source's id is `prometheus:{id}`.
    pub id: String,
    /// Base URL, e.g. `http://prometheus:9090` (the API is under `/api/v1/query`).
    pub url: String,
    pub interval: Duration,
    pub timeout: Duration,
    pub metrics: Vec<MetricQuery>,
}

/// One metric of a source: a PromQL instant query giving one series per entity.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricQuery {
    pub metric: Metric,
    pub query: String,
    /// The label holding the entity id (without the `link:` prefix).
    pub entity_label: String,
    /// Multiplies every value (e.g. 0.01 for percent, 1000 for seconds to milliseconds).
    pub scale: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    push: Option<RawPush>,
    #[serde(default)]
    prometheus: Vec<RawSource>,
    latency: Option<RawLatency>,
}

/// `[latency]`: the metro-latency adapter's settings (see `crate::prometheus`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLatency {
    url: String,
    query: Option<String>,
    interval_s: Option<f64>,
    probe_radius_km: Option<f64>,
    /// Metro, latitude and longitude label names.
    labels: Option<[String; 3]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPush {
    stale_after_s: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    url: String,
    interval_s: Option<f64>,
    timeout_s: Option<f64>,
    #[serde(default)]
    metrics: Vec<RawMetric>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    metric: String,
    query: String,
    entity_label: String,
    scale: Option<f64>,
}

/// Reads and checks a `sources.toml`; the error says what is wrong and where.
pub fn parse_sources_toml(text: &str) -> Result<SourcesFile, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
    let push_stale_after = match raw.push.and_then(|p| p.stale_after_s) {
        None => None,
        Some(s) if s.is_finite() && (10.0..=86_400.0).contains(&s) => {
            Some(Duration::from_secs_f64(s))
        }
        Some(s) => {
            return Err(format!(
                "[push] stale_after_s must be 10 to 86400 seconds, not {s}"
            ));
        }
    };
    if raw.prometheus.len() > MAX_SOURCES {
        return Err(format!(
            "at most {MAX_SOURCES} [[prometheus]] sources, not {}",
            raw.prometheus.len()
        ));
    }
    let mut prometheus = Vec::with_capacity(raw.prometheus.len());
    for (i, s) in raw.prometheus.into_iter().enumerate() {
        let source = read_source(s).map_err(|e| format!("[[prometheus]] #{}: {e}", i + 1))?;
        prometheus.push(source);
    }
    check_unique(&prometheus)?;
    let latency = match raw.latency {
        None => None,
        Some(l) => {
            let mut config = crate::prometheus::PrometheusConfig::new(l.url);
            if let Some(q) = l.query {
                config.query = q;
            }
            if let Some(s) = l.interval_s {
                if !(s.is_finite() && (1.0..=3600.0).contains(&s)) {
                    return Err(format!("[latency] interval_s must be 1 to 3600, not {s}"));
                }
                config.interval = Duration::from_secs_f64(s);
            }
            if let Some(r) = l.probe_radius_km {
                config.probe_radius_km = r;
            }
            if let Some([metro, lat, lon]) = l.labels {
                config.labels = crate::prometheus::parse::ProbeLabels { metro, lat, lon };
            }
            config
                .validate()
                .map_err(|e| format!("[latency]: {}", e.0))?;
            Some(config)
        }
    };
    Ok(SourcesFile {
        push_stale_after,
        prometheus,
        latency,
    })
}

fn read_source(s: RawSource) -> Result<PrometheusSource, String> {
    let seconds = |name: &str, v: f64| {
        Duration::try_from_secs_f64(v).map_err(|_| format!("{name} must be seconds, not {v}"))
    };
    let interval = match s.interval_s {
        Some(v) => seconds("interval_s", v)?,
        None => DEFAULT_INTERVAL,
    };
    let timeout = match s.timeout_s {
        Some(v) => seconds("timeout_s", v)?,
        // At most half the interval, so a short interval works without a timeout of its own.
        None => DEFAULT_TIMEOUT
            .min(interval / 2)
            .max(Duration::from_millis(500)),
    };
    let mut metrics = Vec::with_capacity(s.metrics.len());
    for (i, m) in s.metrics.into_iter().enumerate() {
        let metric = parse_metric(&m.metric)
            .map_err(|e| format!("{:?}, metrics #{}: {e}", clip(&s.id, 40), i + 1))?;
        metrics.push(MetricQuery {
            metric,
            query: m.query,
            entity_label: m.entity_label,
            scale: m.scale.unwrap_or(1.0),
        });
    }
    let source = PrometheusSource {
        id: s.id,
        url: s.url,
        interval,
        timeout,
        metrics,
    };
    source.validate()?;
    Ok(source)
}

/// `kind.name` as `Metric::qualified` writes it, e.g. `link.utilization_forward`.
pub fn parse_metric(text: &str) -> Result<Metric, String> {
    let text = text.trim();
    let Some((kind, name)) = text.split_once('.') else {
        return Err(format!(
            "metric {:?} must be kind.name, e.g. link.utilization_forward or cluster.pue",
            clip(text, 80)
        ));
    };
    let Some(kind) = EntityKind::parse(kind) else {
        return Err(format!(
            "metric {:?}: the kind must be link, cluster, metro or factory",
            clip(text, 80)
        ));
    };
    Metric::find(kind, name).ok_or_else(|| {
        format!(
            "metric {:?}: {} has no metric {:?}; use one of {}",
            clip(text, 80),
            kind.prefix(),
            clip(name, 60),
            Metric::names_for(kind).join(", ")
        )
    })
}

fn check_unique(sources: &[PrometheusSource]) -> Result<(), String> {
    let mut seen = HashSet::new();
    for s in sources {
        if !seen.insert(s.id.as_str()) {
            return Err(format!(
                "[[prometheus]] id {:?} is used twice: ids must be unique",
                s.id
            ));
        }
    }
    Ok(())
}

impl PrometheusSource {
    /// The id `GET /api/v1/sources` and figure origins show: `prometheus:{id}`.
    pub fn source_id(&self) -> String {
        format!("{ID_PREFIX}{}", self.id)
    }

    /// The URL without user name or password: what may be logged or served.
    pub fn display_url(&self) -> String {
        display_url(&self.url)
    }

    /// The metrics it provides, as `kind.name`.
    pub fn provides(&self) -> Vec<String> {
        self.metrics.iter().map(|m| m.metric.qualified()).collect()
    }

    /// Refuses settings that cannot work, with a sentence saying which; the base URL when fine.
    pub fn validate(&self) -> Result<reqwest::Url, String> {
        let id_ok = (1..=40).contains(&self.id.len())
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !id_ok {
            return Err(format!(
                "id {:?} must be 1 to 40 of a-z, 0-9, _ and -",
                clip(&self.id, 60)
            ));
        }
        let at = format!("{:?}", self.id);
        let url = reqwest::Url::parse(self.url.trim())
            .map_err(|e| format!("{at}: url {}: {e}", self.display_url()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(format!(
                "{at}: url must be an http:// or https:// address with a host, not {}",
                self.display_url()
            ));
        }
        let interval = self.interval.as_secs_f64();
        if !(1.0..=3600.0).contains(&interval) {
            return Err(format!(
                "{at}: interval_s must be 1 to 3600 seconds, not {interval}"
            ));
        }
        let timeout = self.timeout.as_secs_f64();
        if !(0.5..=60.0).contains(&timeout) {
            return Err(format!(
                "{at}: timeout_s must be 0.5 to 60 seconds, not {timeout}"
            ));
        }
        if self.timeout >= self.interval {
            return Err(format!(
                "{at}: timeout_s ({timeout}) must be less than interval_s ({interval})"
            ));
        }
        if self.metrics.is_empty() {
            return Err(format!(
                "{at}: no [[prometheus.metrics]]: give at least one metric query"
            ));
        }
        if self.metrics.len() > MAX_METRICS {
            return Err(format!(
                "{at}: at most {MAX_METRICS} metric queries, not {}",
                self.metrics.len()
            ));
        }
        let mut seen = HashSet::new();
        for (i, m) in self.metrics.iter().enumerate() {
            let at = format!("{at}, metrics #{} ({})", i + 1, m.metric.qualified());
            if !seen.insert(m.metric) {
                return Err(format!("{at}: this metric is queried twice in one source"));
            }
            if m.query.trim().is_empty() || m.query.len() > MAX_QUERY_BYTES {
                return Err(format!(
                    "{at}: query must be a PromQL expression of 1 to {MAX_QUERY_BYTES} bytes"
                ));
            }
            if !is_label_name(&m.entity_label) {
                return Err(format!(
                    "{at}: entity_label {:?} is not a Prometheus label name",
                    clip(&m.entity_label, 60)
                ));
            }
            if !(m.scale.is_finite() && m.scale != 0.0) {
                return Err(format!(
                    "{at}: scale must be a finite number other than 0, not {}",
                    m.scale
                ));
            }
        }
        Ok(url)
    }
}

fn is_label_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// `{base}/api/v1/query`, keeping a path the base has (`http://h/prom` → `/prom/api/v1/query`).
fn query_endpoint(base: &reqwest::Url) -> reqwest::Url {
    let mut u = base.clone();
    let path = base.path().trim_end_matches('/');
    u.set_path(&format!("{path}/api/v1/query"));
    u.set_query(None);
    u.set_fragment(None);
    u
}

/// One usable series: an entity's figure (scaled, within the metric's range), the same shape
/// as a pushed sample that passed its checks.
pub use super::ingest::GoodSample as Sample;

/// What one answer gives: usable samples and skipped series by reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vector {
    pub samples: Vec<Sample>,
    pub skipped: BTreeMap<&'static str, u64>,
}

impl Vector {
    fn skip(&mut self, reason: &'static str) {
        *self.skipped.entry(reason).or_default() += 1;
    }
}

/// Why a whole answer was refused (the latency adapter's reasons: not JSON, refused, not an
/// instant vector).
pub use crate::prometheus::parse::AnswerError as VectorError;

/// Reads an instant-query answer for `query`'s metric: one sample per series that names an
/// entity in `entity_label` and has a finite value within the metric's range once scaled.
pub fn parse_vector(body: &[u8], query: &MetricQuery) -> Result<Vector, VectorError> {
    let result = crate::prometheus::parse::instant_vector(body)?;
    let mut out = Vector::default();
    let mut seen: HashSet<String> = HashSet::new();
    for (i, series) in result.iter().enumerate() {
        if i >= MAX_SERIES {
            out.skip("too_many");
            continue;
        }
        match read_series(series, query) {
            Ok(sample) => {
                if seen.insert(sample.entity_id.clone()) {
                    out.samples.push(sample);
                } else {
                    // Two series for one entity: the query needs an aggregation (`max by`).
                    out.skip("duplicate_entity");
                }
            }
            Err(reason) => out.skip(reason),
        }
    }
    Ok(out)
}

fn read_series(series: &serde_json::Value, q: &MetricQuery) -> Result<Sample, &'static str> {
    let label = series
        .get("metric")
        .and_then(|m| m.get(&q.entity_label))
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .ok_or("missing_label")?;
    // `link:ID` is taken as well as `ID`.
    let prefix = q.metric.kind().prefix();
    let entity_id = label
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(label);
    if entity_id.is_empty() {
        return Err("missing_label");
    }
    // `value` is `[unix seconds, "number as text"]`; NaN and ±Inf are text too.
    let value = series.get("value").and_then(|v| v.as_array());
    let seconds = value
        .and_then(|v| v.first())
        .and_then(serde_json::Value::as_f64)
        .filter(|t| t.is_finite() && *t >= 0.0 && *t < 1.0e11)
        .ok_or("bad_timestamp")?;
    let text = value
        .and_then(|v| v.get(1))
        .and_then(|v| v.as_str())
        .ok_or("not_a_number")?;
    let raw = text.trim().parse::<f64>().map_err(|_| "not_a_number")?;
    if !raw.is_finite() {
        return Err("not_finite");
    }
    let v = raw * q.scale;
    let (lo, hi) = q.metric.range();
    if !(v.is_finite() && (lo..=hi).contains(&v)) {
        return Err("out_of_range");
    }
    Ok(Sample {
        entity_id: entity_id.to_owned(),
        metric: q.metric,
        value: v,
        measured_at: (seconds * 1000.0).round() as UnixMs,
    })
}

/// `3 series skipped: 2 unknown_entity, 1 out_of_range`; `None` when nothing was.
pub fn skip_summary(skipped: &BTreeMap<&'static str, u64>) -> Option<String> {
    let total: u64 = skipped.values().sum();
    if total == 0 {
        return None;
    }
    let parts: Vec<String> = skipped
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    Some(format!("{total} series skipped: {}", parts.join(", ")))
}

/// The wait before the next round after `failures` failed ones in a row: the interval, doubled
/// per failure, at most a minute (or the interval, when longer).
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    interval
        .saturating_mul(1 << failures.min(12))
        .min(MAX_BACKOFF.max(interval))
}

/// Registers every source (`pending` until its first answer) and starts one poller each; they
/// end when `stop` turns true. Must be called inside a tokio runtime.
pub fn start(
    world: Arc<Mutex<World>>,
    sources: Vec<PrometheusSource>,
    stop: watch::Receiver<bool>,
) -> Result<(), ConfigError> {
    let mut ready = Vec::with_capacity(sources.len());
    for source in sources {
        let base = source
            .validate()
            .map_err(|e| ConfigError(format!("sources [[prometheus]] {e}")))?;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3).min(source.timeout))
            .timeout(source.timeout)
            .build()
            .map_err(|e| ConfigError(format!("cannot build the HTTP client: {e}")))?;
        ready.push((query_endpoint(&base), client, source));
    }
    let all: Vec<PrometheusSource> = ready.iter().map(|(_, _, s)| s.clone()).collect();
    check_unique(&all).map_err(|e| ConfigError(format!("sources {e}")))?;
    if ready.is_empty() {
        return Ok(());
    }
    {
        let now = crate::http::now_ms();
        let mut w = world.lock().unwrap_or_else(|p| p.into_inner());
        for (_, _, s) in &ready {
            w.register_polled(
                &s.source_id(),
                s.display_url(),
                s.interval.as_secs_f64(),
                s.provides(),
            );
        }
        w.publish_sources(now);
    }
    for (endpoint, client, source) in ready {
        tracing::info!(
            "{} reads {} every {:?}",
            source.source_id(),
            source.display_url(),
            source.interval
        );
        let id = source.source_id();
        let poller = tokio::spawn(poll(world.clone(), source, client, endpoint, stop.clone()));
        tokio::spawn(watch_poller(poller, world.clone(), id, stop.clone()));
    }
    Ok(())
}

/// A metric source's watchdog (see `crate::prometheus::poller_death`).
async fn watch_poller(
    poller: JoinHandle<()>,
    world: Arc<Mutex<World>>,
    source_id: String,
    stop: watch::Receiver<bool>,
) {
    if let Some(why) = crate::prometheus::poller_death(poller, &stop).await {
        tracing::error!("{source_id}: {why}: its figures are no longer updated");
        let mut w = world.lock().unwrap_or_else(|p| p.into_inner());
        w.fail_polled(&source_id, why.to_owned(), crate::http::now_ms());
    }
}

/// Reads every metric of `source` each round (backing off after failures) until `stop`.
async fn poll(
    world: Arc<Mutex<World>>,
    source: PrometheusSource,
    client: reqwest::Client,
    endpoint: reqwest::Url,
    mut stop: watch::Receiver<bool>,
) {
    let source_id = source.source_id();
    let source = Arc::new(source);
    let mut failures: u32 = 0;
    loop {
        let started = tokio::time::Instant::now();
        let outcome = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            r = read_round(&client, &endpoint, source.clone()) => r,
        };
        let now = crate::http::now_ms();
        match outcome {
            Ok(round) => {
                if failures > 0 {
                    tracing::info!("{source_id} answers again after {failures} failed rounds");
                }
                failures = 0;
                let mut w = world.lock().unwrap_or_else(|p| p.into_inner());
                w.apply_polled(&source_id, round.samples, round.skipped, now);
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!("{source_id}: round failed ({failures} in a row): {e}");
                let mut w = world.lock().unwrap_or_else(|p| p.into_inner());
                w.fail_polled(&source_id, e, now);
            }
        }
        let next = started + backoff(source.interval, failures);
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            _ = tokio::time::sleep_until(next) => {}
        }
    }
}

/// Every query of one round at once; their answers read off the async threads. The first
/// failure (in the source's order of metrics) fails the round.
async fn read_round(
    client: &reqwest::Client,
    endpoint: &reqwest::Url,
    source: Arc<PrometheusSource>,
) -> Result<Vector, String> {
    let bodies = futures_util::future::join_all(
        source
            .metrics
            .iter()
            .map(|m| crate::prometheus::query(client, endpoint, &m.query)),
    )
    .await;
    let mut ok = Vec::with_capacity(bodies.len());
    for (m, body) in source.metrics.iter().zip(bodies) {
        ok.push(body.map_err(|e| format!("{}: {e}", m.metric.qualified()))?);
    }
    tokio::task::spawn_blocking(move || {
        let mut round = Vector::default();
        for (m, body) in source.metrics.iter().zip(&ok) {
            let v = parse_vector(body, m).map_err(|e| format!("{}: {e}", m.metric.qualified()))?;
            round.samples.extend(v.samples);
            for (reason, n) in v.skipped {
                *round.skipped.entry(reason).or_default() += n;
            }
        }
        Ok(round)
    })
    .await
    .unwrap_or_else(|e| Err(format!("reading Prometheus' answers failed: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
