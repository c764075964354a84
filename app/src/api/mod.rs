//! API v1: the wire contract shared by the reference backend and the console's client.
//!
//! Paths live here too, so client and server cannot disagree on them.

mod factories;
mod hitl;
mod latency;
mod overview;
mod types;

pub use factories::*;
pub use hitl::*;
pub use latency::*;
pub use overview::*;
pub use types::*;

use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// Prefix of every versioned path.
pub const API_PREFIX: &str = "/api/v1";

/// Query of `GET /api/v1/factories`. All filters are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FactoryQuery {
    /// ISO 3166-2 province code, e.g. `CN-GD`.
    pub province: Option<String>,
    pub industry: Option<Industry>,
    pub stage: Option<UpgradeStage>,
    /// Plants that use this technology.
    pub tech: Option<Technology>,
    /// `min_lon,min_lat,max_lon,max_lat` in degrees.
    pub bbox: Option<String>,
    /// Case-insensitive text in the name (Chinese or English) or city, or the id (`123`, `#123`).
    pub q: Option<String>,
    /// Only plants whose network meets (true) or misses (false) its latency, jitter and
    /// reliability requirements.
    pub compliant: Option<bool>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1..=1000 (default 100).
    pub limit: Option<u32>,
}

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Opaque cursor from the previous page (entries older than it).
    pub cursor: Option<String>,
    /// Page size, 1..=500 (default 100).
    pub limit: Option<u32>,
}

/// Query of `GET /api/v1/actions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// Only actions in this state; all recent ones when absent.
    pub state: Option<ActionState>,
}
