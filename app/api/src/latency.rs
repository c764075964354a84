//! Wire types of metro 1 ms computing access: the national roll-up against the plan's target and
//! the what-if planning request. The definitions live in the doc comments, which utoipa copies
//! into `openapi.json`, so the document states exactly what the numbers mean.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{GeoPoint, UnixMs};

/// `GET /api/v1/latency/summary`: how many metros have 1 ms computing access, and how that moves.
///
/// Definitions. A cell (≈1 km²) is *covered* when its round-trip time to the nearest computing
/// access point (edge or data-center site) is at most `covered_rtt_ms`. A metro's coverage
/// (`MetroSummary.coverage_1ms`) is the population-weighted share of its cells that are covered.
/// A metro *has 1 ms access* when its coverage reaches `coverage_threshold`. The national figure
/// is `metro_share` = metros with 1 ms access / all metros, against `target_share` by the end of
/// `target_year`; `population_share` is the population-weighted share of all metro residents in
/// covered cells, given beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LatencySummary {
    /// Simulated time of these figures.
    pub sim_time: UnixMs,
    /// RTT at or under which a cell counts as covered, ms (1.0).
    pub covered_rtt_ms: f64,
    /// Coverage (0..1) at which a metro counts as having 1 ms access.
    pub coverage_threshold: f64,
    /// The plan's target for `metro_share`, 0..1 (0.75).
    pub target_share: f64,
    /// The target is due by the end of this year (Beijing time).
    pub target_year: i32,
    /// End of `target_year`, ms since the epoch.
    pub target_deadline: UnixMs,
    pub metros_total: u32,
    /// Metros whose coverage reaches `coverage_threshold`.
    pub metros_meeting: u32,
    /// `metros_meeting / metros_total`, 0..1: the national headline figure.
    pub metro_share: f64,
    /// Population-weighted share of all metro residents in covered cells, 0..1.
    pub population_share: f64,
    /// One sample per simulated day, oldest first (bounded).
    pub history: Vec<NationalSample>,
    /// `metro_share` at `target_deadline` if the linear trend of the last days of `history`
    /// continues (clamped to 0..1); absent until two days of history exist.
    pub projected_metro_share: Option<f64>,
    /// The same projection for `population_share`.
    pub projected_population_share: Option<f64>,
    /// Per metro: coverage change over the last `change_window_days` days of history.
    pub metros: Vec<MetroTrend>,
    /// Span of history behind `MetroTrend.coverage_change`, days (at most 30; 0 at start).
    pub change_window_days: f64,
    /// Where the figures come from; with `prometheus`, `sim_time` is the wall-clock time of the
    /// last successful query and metros without probes count as not meeting the threshold.
    #[serde(default)]
    pub source: super::LatencySource,
    /// Set while measured figures are stale: since when (the last good figures are kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_since: Option<UnixMs>,
}

/// One day of the national roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NationalSample {
    pub t: UnixMs,
    pub metro_share: f64,
    pub population_share: f64,
}

/// How a metro's coverage moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MetroTrend {
    pub id: String,
    pub coverage_1ms: f64,
    /// Coverage now minus coverage `change_window_days` ago, in share points (−1..1).
    pub coverage_change: f64,
    /// Coverage reaches the threshold.
    pub meets_threshold: bool,
}

/// `POST /api/v1/metros/{id}/whatif`: hypothetical changes to a metro's computing access points.
/// Nothing here changes the live world.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WhatIfRequest {
    /// Hypothetical new sites; each must lie inside the metro's grid (at most 20; a point outside
    /// gets 422 `outside_grid`).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub add: Vec<GeoPoint>,
    /// Indices into `LatencyGrid.access_points` of sites to take away (an index the metro does
    /// not have gets 422 `no_such_site`).
    #[serde(default)]
    pub remove: Vec<u32>,
}

/// Figures of one grid, live or hypothetical.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GridFigures {
    /// Population-weighted share of cells with RTT ≤ 1 ms, 0..1.
    pub coverage_1ms: f64,
    /// Population-weighted median RTT, ms.
    pub median_rtt_ms: f64,
    pub access_points: u32,
    /// `coverage_1ms` reaches the published threshold.
    pub meets_threshold: bool,
}

/// The answer of a what-if: the live metro and the hypothetical one side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WhatIfResponse {
    pub metro_id: String,
    /// The live metro, unchanged.
    pub before: GridFigures,
    /// The metro as it would be with the request applied.
    pub after: GridFigures,
    /// The hypothetical grid's RTT per cell (same layout as `LatencyGrid.rtt_ms`), ms.
    pub rtt_ms_after: Vec<f32>,
    /// The request as applied (duplicates dropped).
    pub request: WhatIfRequest,
}
