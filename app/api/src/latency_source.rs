//! Wire types saying where metro latency comes from: the reference simulator or measurements
//! (a Prometheus server's probes), and how fresh those measurements are. Added to API v1 in a
//! backward-compatible way: every new field on an older type has a serde default, so a console
//! reading an older backend sees `source = simulator`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{GeoPoint, UnixMs};

/// Where a latency figure comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LatencySource {
    /// The reference simulator's model (edge sites, fibre, hops): not measured.
    #[default]
    Simulator,
    /// Probes scraped by a Prometheus server (blackbox or ping exporters): measured.
    Prometheus,
    /// A source this console does not know (a newer backend).
    #[serde(other)]
    Unknown,
}

impl LatencySource {
    /// True for modelled, not measured, figures.
    pub fn is_simulated(self) -> bool {
        self == Self::Simulator
    }
}

/// One probe (a vantage point in a metro) as the backend used it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProbeReading {
    pub location: GeoPoint,
    /// Round-trip time the probe measured to its computing access, ms.
    pub rtt_ms: f64,
}

/// Series of the last query left out, by reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SkippedSeries {
    /// `unknown_metro`, `missing_label`, `bad_position`, `outside_metro`, `not_a_number`,
    /// `not_finite`, `negative`, `absurd`, `too_many`.
    pub reason: String,
    pub count: u64,
}

/// `GET /api/v1/latency/source`: where metro latency comes from and how fresh it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LatencyFeed {
    pub source: LatencySource,
    /// True when the figures are the simulator's model.
    pub simulated: bool,
    /// Prometheus base URL (no credentials), when measured.
    pub url: Option<String>,
    /// The PromQL instant query run every `interval_s`.
    pub query: Option<String>,
    pub interval_s: f64,
    /// A cell takes the RTT of its nearest probe within this distance, km; farther cells have no
    /// data.
    pub probe_radius_km: f64,
    /// Last successful query (wall clock), if any.
    pub last_success: Option<UnixMs>,
    /// Set while the figures are stale: the first failed query since the last success (or the
    /// start, when no query ever succeeded). The last good figures are kept meanwhile.
    pub stale_since: Option<UnixMs>,
    /// Why the last query failed (cleared by a success).
    pub last_error: Option<String>,
    /// Probes used in the last successful query.
    pub probes: u32,
    /// Series of the last successful query that were left out, by reason.
    pub skipped: Vec<SkippedSeries>,
    /// Metros with at least one probe.
    pub metros_measured: u32,
    /// Ids of metros without any probe: they have no measurements (coverage 0, not modelled).
    pub metros_without_measurements: Vec<String>,
}

impl LatencyFeed {
    /// The simulator's feed: modelled figures, no query, nothing measured yet.
    pub fn simulator() -> Self {
        Self {
            source: LatencySource::Simulator,
            simulated: true,
            url: None,
            query: None,
            interval_s: 0.0,
            probe_radius_km: 0.0,
            last_success: None,
            stale_since: None,
            last_error: None,
            probes: 0,
            skipped: Vec::new(),
            metros_measured: 0,
            metros_without_measurements: Vec::new(),
        }
    }
}
