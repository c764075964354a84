//! Where every figure comes from (issue 16): the sources a backend reads (the simulator, a world
//! directory, Prometheus, pushes) with their health, and the origin of each measured figure.
//!
//! A figure without an origin entry is the simulator's. A figure whose source is stale keeps its
//! last value and is shown greyed with its age.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::UnixMs;

/// What kind of system a source is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The backend's own model: simulated figures.
    Simulator,
    /// Inventory files (`serve --world DIR`).
    World,
    /// A Prometheus server, queried on an interval.
    Prometheus,
    /// Samples pushed to `POST /api/v1/ingest`.
    Push,
    /// A kind this console does not know (a newer backend).
    #[serde(other)]
    Unknown,
}

/// How a source is doing.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SourceHealth {
    /// Answering; its figures are live.
    Ok,
    /// Not answered yet (starting).
    Pending,
    /// Stopped answering: its figures are stale since `stale_since`.
    Stale,
    /// A health this console does not know (a newer backend).
    #[serde(other)]
    Unknown,
}

/// A change of a world file that was refused (the last good world stays in service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefusedChange {
    pub at: UnixMs,
    /// File name inside the world directory.
    pub file: String,
    /// 1-based; 0 when the error is about the whole file.
    pub line: u64,
    pub column: u64,
    /// The field (column or property) at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

/// One source of figures, as `GET /api/v1/sources` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SourceStatus {
    /// Stable id, e.g. `simulator`, `world`, `prometheus-links`, `push`.
    pub id: String,
    pub kind: SourceKind,
    /// Where it reads from (a directory, a URL without credentials), for people.
    pub location: String,
    pub health: SourceHealth,
    /// What it provides, e.g. `links.utilization`, `enterprises`, `metros`.
    pub provides: Vec<String>,
    /// Last successful read, load or push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ok: Option<UnixMs>,
    /// Since when it has been failing (its figures are stale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_since: Option<UnixMs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// World directories: the last change refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_refused: Option<RefusedChange>,
    /// Poll interval, seconds (polled sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_s: Option<f64>,
    /// Figures or records it delivered in all.
    #[serde(default)]
    pub delivered: u64,
}

impl SourceStatus {
    /// A source as first seen: nothing read, delivered or refused yet.
    pub fn new(
        id: impl Into<String>,
        kind: SourceKind,
        location: impl Into<String>,
        health: SourceHealth,
    ) -> Self {
        Self {
            id: id.into(),
            kind,
            location: location.into(),
            health,
            provides: Vec::new(),
            last_ok: None,
            stale_since: None,
            last_error: None,
            last_refused: None,
            interval_s: None,
            delivered: 0,
        }
    }
}

/// Where one figure came from: the source's id and when it was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FigureOrigin {
    /// `link:ID`, `cluster:ID`, `metro:ID` or `factory:ID`.
    pub entity: String,
    /// E.g. `utilization_forward`, `pue`, `median_rtt_ms`, `latency_ms`.
    pub metric: String,
    pub source: String,
    pub measured_at: UnixMs,
    /// The value measured (in `figures_measured` events, so consoles show it at once rather
    /// than at the next tick); absent in snapshots, whose entities carry their values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// `GET /api/v1/sources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Sources {
    pub sources: Vec<SourceStatus>,
    /// Parts still simulated (e.g. `metros`, `links.utilization`); empty when nothing is.
    pub simulated: Vec<String>,
}

/// One pushed sample (`POST /api/v1/ingest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IngestSample {
    /// `link:ID`, `cluster:ID`, `metro:ID` or `factory:ID`.
    pub entity: String,
    /// See `GET /api/v1/sources` → the push source's `provides`.
    pub metric: String,
    pub value: f64,
    /// When it was measured (default: when it arrived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<UnixMs>,
}

/// `POST /api/v1/ingest`: a batch of samples, at most `MAX_INGEST_SAMPLES`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IngestBatch {
    /// Unique per batch (1–128 characters): a batch sent again is answered from the record.
    pub batch_id: String,
    #[serde(default)]
    pub samples: Vec<IngestSample>,
    /// Enterprise stage changes (the progress data).
    #[serde(default)]
    pub stages: Vec<StagePush>,
}

/// An enterprise that moved to another stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StagePush {
    pub factory_id: u32,
    pub stage: crate::UpgradeStage,
    /// Technologies after the change (absent: unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technologies: Option<Vec<crate::Technology>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<UnixMs>,
}

/// Most samples plus stage changes in one batch.
pub const MAX_INGEST_SAMPLES: usize = 50_000;

/// A refused sample: its index in the batch and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SampleError {
    /// Index into `samples`, or into `stages` when `in_stages`.
    pub index: usize,
    #[serde(default)]
    pub in_stages: bool,
    pub code: String,
    pub message: String,
}

/// The answer to `POST /api/v1/ingest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IngestReceipt {
    pub batch_id: String,
    pub accepted: u64,
    pub rejected: Vec<SampleError>,
    /// True when this batch id was seen before: the first answer, nothing applied again.
    pub replayed: bool,
}
