//! Wire types of the overview's replay: the backbone's load over the last simulated day.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ClusterLoad, LinkLoad, UnixMs};

/// Clusters and links at one simulated instant (indices as in the snapshot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LoadFrame {
    pub sim_time: UnixMs,
    pub clusters: Vec<ClusterLoad>,
    pub links: Vec<LinkLoad>,
}

/// `GET /api/v1/history`: frames oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LoadHistory {
    /// The range asked for (simulated time, ms).
    pub from: UnixMs,
    pub to: UnixMs,
    /// Simulated time between frames the backend keeps, ms (at least; a coarse clock gives
    /// one frame per step).
    pub step_ms: i64,
    /// Oldest frame the backend still keeps; nothing before it can be replayed.
    pub kept_from: Option<UnixMs>,
    pub frames: Vec<LoadFrame>,
}

impl LoadHistory {
    /// The last frame at or before `t`, else the first one.
    pub fn frame_at(&self, t: UnixMs) -> Option<&LoadFrame> {
        let after = self.frames.partition_point(|f| f.sim_time <= t);
        self.frames.get(after.saturating_sub(1))
    }
}

/// Query of `GET /api/v1/history` (simulated time, ms since the epoch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Oldest instant wanted (default: 24 simulated hours before `to`).
    pub from: Option<UnixMs>,
    /// Newest instant wanted (default: the simulated clock now).
    pub to: Option<UnixMs>,
}
