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
//! `config.rs` reads and checks the `sources.toml`; `answer.rs` reads a query's answer into
//! samples; this file runs the pollers.
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

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::prometheus::ConfigError;
use crate::world::World;

mod answer;
mod config;

pub use answer::{Sample, Vector, VectorError, parse_vector, skip_summary};
use config::check_unique;
pub use config::{MetricQuery, PrometheusSource, SourcesFile, parse_metric, parse_sources_toml};

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

/// `{base}/api/v1/query`, keeping a path the base has (`http://h/prom` → `/prom/api/v1/query`).
fn query_endpoint(base: &reqwest::Url) -> reqwest::Url {
    let mut u = base.clone();
    let path = base.path().trim_end_matches('/');
    u.set_path(&format!("{path}/api/v1/query"));
    u.set_query(None);
    u.set_fragment(None);
    u
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
