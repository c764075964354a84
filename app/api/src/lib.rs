//! API v1: the wire contract shared by the reference backend and the console's client, and the
//! pure rules both sides apply to it (`decisions`, `review`, `Principal`).
//!
//! Paths live here too, so client and server cannot disagree on them. Nothing here knows egui,
//! tokio or storage: Cargo keeps it that way (see Cargo.toml).

mod actions;
pub mod decisions;
mod factories;
pub mod filters;
mod gateway;
pub mod gateway_rules;
mod hitl;
pub mod inventory;
mod lang;
mod latency;
mod latency_source;
mod overview;
mod principal;
pub mod review;
mod sources;
mod types;
pub mod validate;

pub use actions::*;
pub use factories::*;
pub use gateway::*;
pub use hitl::*;
pub use lang::Lang;
pub use latency::*;
pub use latency_source::*;
pub use overview::*;
pub use principal::{AgentGrant, Principal, glob_match};
pub use sources::*;
pub use types::*;

use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// Prefix of every versioned path.
pub const API_PREFIX: &str = "/api/v1";

/// Query of `GET /api/v1/factories`. All filters are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FactoryQuery {
    /// ISO 3166-2 province code, e.g. `CN-GD` (empty: any).
    pub province: Option<String>,
    #[param(value_type = Option<crate::filters::IndustryFilter>, inline)]
    pub industry: Option<Industry>,
    #[param(value_type = Option<crate::filters::UpgradeStageFilter>, inline)]
    pub stage: Option<UpgradeStage>,
    /// Plants that use this technology.
    #[param(value_type = Option<crate::filters::TechnologyFilter>, inline)]
    pub tech: Option<Technology>,
    /// `min_lon,min_lat,max_lon,max_lat` in degrees: four plain decimals, no spaces, longitudes
    /// -180..=180, latitudes -90..=90 (the pattern says all that), min ≤ max (else 422
    /// `bad_filter`).
    #[param(
        pattern = r"^-?((1[0-7][0-9]|0?[0-9]?[0-9])(\.[0-9]{1,20})?|180(\.0{1,20})?),-?([0-8]?[0-9](\.[0-9]{1,20})?|90(\.0{1,20})?),-?((1[0-7][0-9]|0?[0-9]?[0-9])(\.[0-9]{1,20})?|180(\.0{1,20})?),-?([0-8]?[0-9](\.[0-9]{1,20})?|90(\.0{1,20})?)$"
    )]
    pub bbox: Option<String>,
    /// Case-insensitive text in the name (Chinese or English) or city, or the id (`123`, `#123`).
    pub q: Option<String>,
    /// Only plants whose network meets (true) or misses (false) its latency, jitter and
    /// reliability requirements.
    pub compliant: Option<bool>,
    /// Cursor from the previous page's `next_cursor` (decimal digits; one this server did not
    /// hand out gets 422 `bad_filter`).
    #[param(pattern = r"^[0-9]{1,10}$")]
    pub cursor: Option<String>,
    /// Page size, 1..=1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Cursor from the previous page's `next_cursor` (entries older than it; decimal digits).
    #[param(pattern = r"^[0-9]{1,19}$")]
    pub cursor: Option<String>,
    /// Page size, 1..=500 (default 100); outside that, 400 `bad_query`.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Query of `GET /api/v1/actions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// Only actions in this state; all recent ones when absent.
    #[param(value_type = Option<crate::filters::ActionStateFilter>, inline)]
    pub state: Option<ActionState>,
}
