//! Detours around a channel and the actions on the backbone: rerouting traffic, adding compute,
//! and undoing either when an action is vetoed.

use crate::api::UnixMs;

use super::Backbone;

/// A two-hop detour around a channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detour {
    pub via: usize,
    pub legs: [usize; 2],
    /// Traffic the detour takes before either leg passes 75 %, Gbit/s.
    pub headroom_gbps: f64,
}

impl Backbone {
    /// Endpoints (cluster indices) of link `i`.
    pub fn endpoints(&self, i: usize) -> Option<(usize, usize)> {
        self.link_state.get(i).map(|s| (s.from, s.to))
    }

    fn link_between(&self, a: usize, b: usize) -> Option<usize> {
        self.link_state
            .iter()
            .position(|s| (s.from == a && s.to == b) || (s.from == b && s.to == a))
    }

    /// Gbit/s link `i` carries now.
    pub fn link_load_gbps(&self, i: usize) -> f64 {
        self.links
            .get(i)
            .map_or(0.0, |l| l.utilization * f64::from(l.capacity_gbps))
    }

    /// The two-hop detour around link `i` with the most headroom, if any.
    pub fn best_detour(&self, i: usize) -> Option<Detour> {
        let (a, b) = self.endpoints(i)?;
        (0..self.clusters.len())
            .filter(|v| *v != a && *v != b)
            .filter_map(|via| self.detour_via(i, via))
            .max_by(|x, y| x.headroom_gbps.total_cmp(&y.headroom_gbps))
    }

    /// The detour around link `i` through cluster `via`, if both legs exist.
    pub fn detour_via(&self, i: usize, via: usize) -> Option<Detour> {
        let (a, b) = self.endpoints(i)?;
        let legs = [self.link_between(a, via)?, self.link_between(via, b)?];
        let headroom_gbps = legs
            .iter()
            .map(|l| {
                (0.75 - self.links[*l].utilization).max(0.0)
                    * f64::from(self.links[*l].capacity_gbps)
            })
            .fold(f64::INFINITY, f64::min);
        Some(Detour {
            via,
            legs,
            headroom_gbps,
        })
    }

    /// Move `shift_gbps` off link `i` onto the detour through `via`. Returns what was moved.
    pub fn reroute(&mut self, i: usize, via: usize, shift_gbps: f64, t: UnixMs) -> f64 {
        let Some(detour) = self.detour_via(i, via) else {
            return 0.0;
        };
        let moved = shift_gbps.clamp(0.0, self.link_load_gbps(i));
        self.link_state[i].shift_gbps -= moved;
        for leg in detour.legs {
            self.link_state[leg].shift_gbps += moved;
        }
        self.refresh(t);
        moved
    }

    /// Add `add_eflops` of compute to cluster `i` (at most doubling it).
    pub fn scale_compute(&mut self, i: usize, add_eflops: f64, t: UnixMs) {
        let Some(cluster) = self.clusters.get_mut(i) else {
            return;
        };
        let added = add_eflops.clamp(0.0, cluster.compute_eflops);
        cluster.compute_eflops += added;
        // New accelerators fill racks that stood empty.
        let state = &mut self.cluster_state[i];
        state.occupancy_gain += 0.02 * added / state.base_eflops.max(1.0);
        self.refresh(t);
    }

    /// Undo a reroute of `moved` Gbit/s off link `i` through `via` (a vetoed action): the traffic
    /// goes back, as far as what the detour still carries for it.
    pub fn undo_reroute(&mut self, i: usize, via: usize, moved: f64, t: UnixMs) {
        let Some(detour) = self.detour_via(i, via) else {
            return;
        };
        let back = detour
            .legs
            .iter()
            .map(|&leg| self.link_state[leg].shift_gbps)
            .fold(moved.max(0.0), f64::min)
            .max(0.0);
        self.link_state[i].shift_gbps += back;
        for leg in detour.legs {
            self.link_state[leg].shift_gbps -= back;
        }
        self.refresh(t);
    }

    /// Undo a scale-up of `added` EFLOPS on cluster `i` (a vetoed action).
    pub fn undo_scale_compute(&mut self, i: usize, added: f64, t: UnixMs) {
        let Some(cluster) = self.clusters.get_mut(i) else {
            return;
        };
        let state = &mut self.cluster_state[i];
        let removed = added.clamp(0.0, (cluster.compute_eflops - state.base_eflops).max(0.0));
        cluster.compute_eflops -= removed;
        state.occupancy_gain =
            (state.occupancy_gain - 0.02 * removed / state.base_eflops.max(1.0)).max(0.0);
        self.refresh(t);
    }
}
