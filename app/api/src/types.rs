//! The wire contract of API v1: every type the backend serves and the client reads.
//!
//! One source of truth for both sides and for `openapi.json` (utoipa derives the schema from these
//! types, so the document cannot drift from the code). No behaviour lives here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Action, AuditEntry};

/// Milliseconds since the Unix epoch (UTC).
pub type UnixMs = i64;

/// A point on the globe in degrees (WGS-84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// A national computing hub node (东数西算 枢纽节点).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Hub {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    /// Ids of the data-center clusters of this hub.
    pub cluster_ids: Vec<String>,
}

/// A national data-center cluster (数据中心集群) and its live figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Cluster {
    pub id: String,
    pub hub_id: String,
    pub name_en: String,
    pub name_zh: String,
    pub location: GeoPoint,
    /// Standard racks built.
    pub racks: u32,
    /// Share of racks in use, 0..1.
    pub occupancy: f64,
    /// AI compute installed, EFLOPS (FP16).
    pub compute_eflops: f64,
    /// Share of compute busy right now, 0..1.
    pub utilization: f64,
    /// Power usage effectiveness (≥ 1.0).
    pub pue: f64,
    /// Share of electricity from green sources, 0..1.
    pub green_power_share: f64,
}

/// A backbone channel between two clusters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackboneLink {
    pub id: String,
    pub from_cluster: String,
    pub to_cluster: String,
    /// Line rate of the channel: 400 or 800 (Gbit/s per wavelength group).
    pub capacity_gbps: u32,
    /// Share of capacity in use, 0..1: the mean of the two directions.
    pub utilization: f64,
    /// Share of capacity in use from `from_cluster` to `to_cluster`, 0..1.
    #[serde(default)]
    pub utilization_forward: f64,
    /// Share of capacity in use from `to_cluster` back to `from_cluster`, 0..1.
    #[serde(default)]
    pub utilization_reverse: f64,
    /// Fibre route length, km (≈1.4 × the straight line).
    pub route_km: f64,
    /// Round-trip time over the route, ms.
    pub rtt_ms: f64,
}

/// One metro area: summary of its latency grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MetroSummary {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    /// ISO 3166-2 province code, e.g. `CN-GD`.
    pub province: String,
    pub center: GeoPoint,
    pub population: u64,
    /// Population-weighted share of the metro within 1 ms RTT of computing access, 0..1.
    pub coverage_1ms: f64,
    /// Population-weighted median RTT to the nearest computing access, ms.
    pub median_rtt_ms: f64,
    /// Computing access points (edge sites) deployed.
    pub access_points: u32,
    /// Probes behind measured figures (Prometheus source); absent for the simulator's. `0`:
    /// no measurements — coverage and median are then 0 and mean nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<u32>,
}

/// The ≈1 km latency grid of one metro, row-major from the south-west corner. A cell is covered
/// when its RTT to the nearest computing access point is ≤ 1 ms; `coverage_1ms` is the
/// population-weighted share of covered cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LatencyGrid {
    pub metro_id: String,
    /// South-west corner of cell (0, 0).
    pub origin: GeoPoint,
    pub cell_km: f64,
    pub cols: u32,
    pub rows: u32,
    /// Round-trip time to the nearest computing access, per cell, ms.
    pub rtt_ms: Vec<f32>,
    /// Population weight per cell (people).
    pub population: Vec<f32>,
    pub coverage_1ms: f64,
    pub access_points: Vec<GeoPoint>,
    /// Population-weighted median RTT, ms.
    #[serde(default)]
    pub median_rtt_ms: f64,
    /// Per cell: index into `access_points` of the nearest site (`u32::MAX` when there is none).
    #[serde(default)]
    pub nearest_site: Vec<u32>,
    /// Per cell: straight-line distance from the cell's centre to that site, km.
    #[serde(default)]
    pub site_distance_km: Vec<f32>,
    /// Simulated time the grid was computed.
    #[serde(default)]
    pub sim_time: UnixMs,
    /// Where the RTTs come from. Measured grids (`prometheus`) have RTT −1 in cells without a
    /// probe within reach (no data), no `access_points` (the sites are not known) and the probes
    /// in `probes`.
    #[serde(default)]
    pub source: super::LatencySource,
    /// The probes a measured grid was made from.
    #[serde(default)]
    pub probes: Vec<super::ProbeReading>,
}

/// Upgrade stage of an enterprise's industrial network.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum UpgradeStage {
    Planned,
    Assessing,
    Deploying,
    Upgraded,
    /// A value this console does not know (from a newer backend).
    #[serde(other)]
    Unknown,
}

impl UpgradeStage {
    pub const ALL: [UpgradeStage; 4] = [
        UpgradeStage::Planned,
        UpgradeStage::Assessing,
        UpgradeStage::Deploying,
        UpgradeStage::Upgraded,
    ];
}

/// Industrial network technologies.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Technology {
    FiveG,
    FiveGA,
    Tsn,
    SinglePairEthernet,
    IndustrialOptical,
    EdgeComputing,
    CloudPlc,
    /// A value this console does not know (from a newer backend).
    #[serde(other)]
    Unknown,
}

impl Technology {
    pub const ALL: [Technology; 7] = [
        Technology::FiveG,
        Technology::FiveGA,
        Technology::Tsn,
        Technology::SinglePairEthernet,
        Technology::IndustrialOptical,
        Technology::EdgeComputing,
        Technology::CloudPlc,
    ];
}

/// The plans' priority industries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Industry {
    Steel,
    NonFerrousMetals,
    Petrochemicals,
    BuildingMaterials,
    Aviation,
    Shipbuilding,
    ConstructionMachinery,
    AgriculturalMachinery,
    PowerEquipment,
    Automotive,
    Electronics,
    Textiles,
    LightIndustry,
    Pharmaceuticals,
    /// A value this console does not know (from a newer backend).
    #[serde(other)]
    Unknown,
}

impl Industry {
    pub const ALL: [Industry; 14] = [
        Industry::Steel,
        Industry::NonFerrousMetals,
        Industry::Petrochemicals,
        Industry::BuildingMaterials,
        Industry::Aviation,
        Industry::Shipbuilding,
        Industry::ConstructionMachinery,
        Industry::AgriculturalMachinery,
        Industry::PowerEquipment,
        Industry::Automotive,
        Industry::Electronics,
        Industry::Textiles,
        Industry::LightIndustry,
        Industry::Pharmaceuticals,
    ];
}

/// Network key performance indicators of a plant network (measured or required).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NetworkKpis {
    /// One-way latency, ms.
    pub latency_ms: f64,
    pub jitter_ms: f64,
    /// Delivery ratio, e.g. 0.99999.
    pub reliability: f64,
    pub throughput_mbps: f64,
}

/// One enterprise on the industrial-network upgrade programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Factory {
    pub id: u32,
    pub name_en: String,
    pub name_zh: String,
    /// ISO 3166-2 province code.
    pub province: String,
    pub city_zh: String,
    pub city_en: String,
    pub industry: Industry,
    pub stage: UpgradeStage,
    pub technologies: Vec<Technology>,
    pub location: GeoPoint,
    /// What the plant network achieves now.
    pub kpis: NetworkKpis,
    /// What its workloads need.
    pub required: NetworkKpis,
    /// Industrial agent responsible for this plant, if any.
    pub agent_id: Option<String>,
    /// Where measured KPIs came from, per metric (`latency_ms`, …); KPIs not listed are the
    /// simulator's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<crate::FigureOrigin>,
}

/// Count of something by a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct KeyCount {
    pub key: String,
    pub count: u64,
}

/// National roll-up of the factory programme.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct FactorySummary {
    pub total: u64,
    pub upgraded: u64,
    pub by_stage: Vec<KeyCount>,
    pub by_technology: Vec<KeyCount>,
    pub by_industry: Vec<KeyCount>,
    /// Upgraded enterprises per province.
    pub upgraded_by_province: Vec<KeyCount>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FactoryPage {
    pub items: Vec<Factory>,
    /// Matches in all pages.
    pub total: u64,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// TM Forum autonomous-network level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
pub enum AutonomyLevel {
    L0,
    L1,
    L2,
    L3,
    L4,
    L5,
    /// A level this console does not know (a newer backend): shown as "unknown".
    #[serde(other)]
    Unknown,
}

/// What an agent looks after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum AgentScope {
    Hub(String),
    Backbone,
    Metro(String),
    /// A group of plants: province code + industry.
    FactoryGroup(String),
}

/// What an agent did, or had done to its action, in the past a backend models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PastActivityKind {
    Proposed,
    Executed,
    Rejected,
    Vetoed,
    Expired,
    /// A kind this console does not know (a newer backend).
    #[serde(other)]
    Unknown,
}

/// One point of that past.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PastActivity {
    /// Wall-clock time, ms since the epoch (the timeline's clock).
    pub at: UnixMs,
    pub agent_id: String,
    pub kind: PastActivityKind,
}

/// `GET /api/v1/agents/activity-past`: the agents' activity before this backend began recording
/// it. `modelled`: the points come from the simulator's model (simulated, like its other
/// backfilled histories); otherwise there are none and the record starts at `starts_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActivityPast {
    /// Where the backend's own record of actions begins (wall clock, ms).
    pub starts_at: UnixMs,
    pub modelled: bool,
    /// The model is still being run (a few seconds after the start): ask again shortly.
    #[serde(default)]
    pub modelling: bool,
    /// Oldest first, all before `starts_at`.
    pub points: Vec<PastActivity>,
}

/// An autonomous network or industrial agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Agent {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub scope: AgentScope,
    pub industrial: bool,
    pub autonomy: AutonomyLevel,
    pub proposed: u64,
    pub executed: u64,
}

/// A sample of a time series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Sample {
    pub t: UnixMs,
    pub value: f64,
}

/// A plan target and how far along it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Target {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    /// `percent`, `count`, `ratio`.
    pub unit: String,
    pub target: f64,
    /// True when lower is better (PUE).
    pub lower_is_better: bool,
    pub deadline: String,
    pub current: f64,
    /// Simulated-time history, one sample per simulated day at most (bounded).
    pub series: Vec<Sample>,
}

/// `GET /api/v1/progress`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Progress {
    pub sim_time: UnixMs,
    pub targets: Vec<Target>,
    /// Upgraded enterprises per province.
    pub upgraded_by_province: Vec<KeyCount>,
    /// Upgraded enterprises per province over time, one sample per day (for the by-province
    /// scorecard's trend and projection). Empty from a backend that does not report it.
    #[serde(default)]
    pub upgraded_by_province_series: Vec<ProvinceSeries>,
    /// Enterprises in the upgrade programme per province (to share a national target out).
    #[serde(default)]
    pub enterprises_by_province: Vec<KeyCount>,
}

/// One province's history of a count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProvinceSeries {
    /// ISO 3166-2 code.
    pub key: String,
    /// Oldest first.
    pub series: Vec<Sample>,
}

/// Everything a console needs to draw its first frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    /// Id of the last event already folded into this snapshot; resume the stream after it.
    pub seq: u64,
    pub server_time: UnixMs,
    pub sim_time: UnixMs,
    /// Simulated seconds per real second.
    pub sim_speed: f64,
    /// True when the data comes from the simulator, not from the field.
    pub simulated: bool,
    pub hubs: Vec<Hub>,
    pub clusters: Vec<Cluster>,
    pub links: Vec<BackboneLink>,
    pub metros: Vec<MetroSummary>,
    pub factories: FactorySummary,
    pub agents: Vec<Agent>,
    /// Open actions (pending or inside a veto window).
    pub actions: Vec<Action>,
    /// Every source of figures and its health (see `GET /api/v1/sources`); empty from an older
    /// backend.
    #[serde(default)]
    pub sources: Vec<crate::SourceStatus>,
    /// What is still simulated (e.g. `enterprises`, `links.utilization`); empty when nothing is.
    /// An older backend sends none: `simulated` then says it all.
    #[serde(default)]
    pub simulated_parts: Vec<String>,
    /// Where the measured figures of hubs, clusters, links and metros came from; a figure not
    /// listed is the simulator's.
    #[serde(default)]
    pub origins: Vec<crate::FigureOrigin>,
}

/// Live figures of one cluster.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClusterLoad {
    pub index: u32,
    pub utilization: f64,
    pub pue: f64,
    pub green_power_share: f64,
    pub occupancy: f64,
}

/// Live figures of one link.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LinkLoad {
    pub index: u32,
    pub utilization: f64,
    /// From `from_cluster` to `to_cluster`, 0..1.
    #[serde(default)]
    pub utilization_forward: f64,
    /// From `to_cluster` to `from_cluster`, 0..1.
    #[serde(default)]
    pub utilization_reverse: f64,
    pub capacity_gbps: u32,
}

/// A factory that moved on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FactoryStageChange {
    pub id: u32,
    pub stage: UpgradeStage,
    /// Its technologies after the change.
    #[serde(default)]
    pub technologies: Vec<Technology>,
    /// Whether its network now meets its requirements (see `Factory::is_compliant`).
    #[serde(default)]
    pub compliant: bool,
}

/// What changed; one per event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Periodic figures: the simulated clock, clusters and links (by index into the snapshot).
    Tick {
        sim_time: UnixMs,
        clusters: Vec<ClusterLoad>,
        links: Vec<LinkLoad>,
    },
    MetroUpdated {
        metro: MetroSummary,
    },
    FactoriesProgressed {
        changes: Vec<FactoryStageChange>,
        summary: FactorySummary,
    },
    AgentUpdated {
        agent: Agent,
    },
    ActionProposed {
        action: Action,
    },
    ActionUpdated {
        action: Action,
    },
    Audit {
        entry: AuditEntry,
    },
    /// Measured latency (a Prometheus source) went stale, its last good figures kept
    /// (`stale_since` set), or is live again (`stale_since` null).
    LatencyStale {
        stale_since: Option<UnixMs>,
    },
    /// Sources changed health, or a world directory was (re)loaded or refused.
    SourcesChanged {
        sources: Vec<crate::SourceStatus>,
        simulated_parts: Vec<String>,
    },
    /// Figures of clusters, links or metros measured by a source (their values arrive with the
    /// next `tick` or `metro_updated`).
    FiguresMeasured {
        origins: Vec<crate::FigureOrigin>,
    },
    /// The stream cannot resume where asked (too far behind), or the world itself was replaced
    /// (a world directory reloaded): fetch a fresh snapshot.
    Resync,
    /// An event type this console does not know (a newer backend): skipped, the stream goes on.
    #[serde(other)]
    Unknown,
}

/// An event on the `/events` stream; `id` is also the SSE event id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub id: u64,
    pub server_time: UnixMs,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub simulated: bool,
    pub seq: u64,
    pub sim_time: UnixMs,
    /// Where metro latency comes from (see `/api/v1/latency/source`).
    #[serde(default)]
    pub latency_source: super::LatencySource,
    /// Set while measured latency is stale: since when (the last good figures are kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_stale_since: Option<UnixMs>,
}

/// The one error shape of the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    /// Stable machine-readable code, e.g. `not_found`, `stale_version`.
    pub code: String,
    pub message: String,
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}
