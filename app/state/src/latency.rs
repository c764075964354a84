//! What the console knows about metro 1 ms access beyond the snapshot: the national roll-up, the
//! last what-if answer (kept apart from every live figure), and a bounded history of the selected
//! metro's grid so a cell can show how its RTT moved.

use std::collections::VecDeque;

use crate::api::{LatencyGrid, LatencySummary, UnixMs, WhatIfResponse};

/// Grids of the selected metro kept for cell histories (≈40 KB each).
pub const GRID_HISTORY_KEPT: usize = 48;

/// One version of the selected metro's grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GridSample {
    /// Simulated time the grid was computed.
    pub t: UnixMs,
    pub rtt_ms: Vec<f32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatencyState {
    pub summary: Option<LatencySummary>,
    /// The last what-if answer; hypothetical, never folded into live figures.
    pub what_if: Option<WhatIfResponse>,
    /// Why the last what-if was refused.
    pub what_if_error: Option<String>,
    history_metro: Option<String>,
    history: VecDeque<GridSample>,
}

impl LatencyState {
    /// Keeps `grid` in the history of its metro: a new metro starts a new history; a grid equal
    /// to the last one only moves nothing (the cells did not change).
    pub fn record_grid(&mut self, grid: &LatencyGrid) {
        if self.history_metro.as_deref() != Some(grid.metro_id.as_str()) {
            self.history.clear();
            self.history_metro = Some(grid.metro_id.clone());
        }
        if self
            .history
            .back()
            .is_some_and(|last| last.rtt_ms == grid.rtt_ms || last.t > grid.sim_time)
        {
            return;
        }
        if self.history.len() == GRID_HISTORY_KEPT {
            self.history.pop_front();
        }
        self.history.push_back(GridSample {
            t: grid.sim_time,
            rtt_ms: grid.rtt_ms.clone(),
        });
    }

    /// RTT of `cell` of `metro_id` at each recorded change, oldest first.
    pub fn cell_history(&self, metro_id: &str, cell: usize) -> Vec<(UnixMs, f32)> {
        if self.history_metro.as_deref() != Some(metro_id) {
            return Vec::new();
        }
        self.history
            .iter()
            .filter_map(|g| g.rtt_ms.get(cell).map(|ms| (g.t, *ms)))
            .collect()
    }

    pub fn grids_recorded(&self) -> usize {
        self.history.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::api::GeoPoint;

    fn grid(id: &str, t: UnixMs, ms: f32) -> LatencyGrid {
        LatencyGrid {
            metro_id: id.into(),
            origin: GeoPoint { lat: 0.0, lon: 0.0 },
            cell_km: 1.0,
            cols: 2,
            rows: 1,
            rtt_ms: vec![ms, 2.0],
            population: vec![1.0, 1.0],
            coverage_1ms: 0.5,
            access_points: vec![],
            median_rtt_ms: ms.into(),
            nearest_site: vec![],
            site_distance_km: vec![],
            sim_time: t,
            source: Default::default(),
            probes: vec![],
        }
    }

    #[test]
    fn grid_history_keeps_changes_of_one_metro_and_is_bounded() {
        let mut s = LatencyState::default();
        s.record_grid(&grid("bj", 1, 1.5));
        s.record_grid(&grid("bj", 2, 1.5)); // unchanged: nothing new
        s.record_grid(&grid("bj", 3, 0.8));
        assert_eq!(s.cell_history("bj", 0), vec![(1, 1.5), (3, 0.8)]);
        assert!(s.cell_history("sh", 0).is_empty());
        assert!(s.cell_history("bj", 7).is_empty());
        s.record_grid(&grid("sh", 4, 1.0));
        assert_eq!(s.grids_recorded(), 1);
        for t in 5..500 {
            s.record_grid(&grid("sh", t, t as f32));
        }
        assert_eq!(s.grids_recorded(), GRID_HISTORY_KEPT);
        assert_eq!(s.cell_history("sh", 0).last(), Some(&(499, 499.0)));
    }
}
