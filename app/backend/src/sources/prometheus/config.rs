//! The `sources.toml` file: its `[push]`, `[[prometheus]]` and `[latency]` sections read and
//! checked, with a sentence saying what is wrong and where.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;

use crate::prometheus::display_url;
use crate::prometheus::parse::clip;
use crate::sources::telemetry::{EntityKind, Metric};

use super::{ID_PREFIX, MAX_METRICS, MAX_QUERY_BYTES, MAX_SOURCES};

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

pub(super) fn check_unique(sources: &[PrometheusSource]) -> Result<(), String> {
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
