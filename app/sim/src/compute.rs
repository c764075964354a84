//! The national computing backbone: 8 hub nodes, their 10 data-center clusters and the backbone
//! channels between clusters, with their live load. Owns nothing outside that (no metros, no
//! agents); actions reach it through [`Backbone::reroute`] and [`Backbone::scale_compute`].
//!
//! `build.rs` holds the built-in backbone and what is modelled for an operator's inventory;
//! `actions.rs` the detours and the actions (and their undoing); this file the live load model.

use crate::api::{BackboneLink, Cluster, ClusterLoad, Hub, LinkLoad, UnixMs};

use super::clock::{self, MS_PER_HOUR};
use super::draw::{self, SimRng};

mod actions;
mod build;

/// Correlation time of load noise, s.
const NOISE_TAU_S: f64 = 1800.0;
/// A rerouted flow drifts back to its shortest path with this time constant, s.
const SHIFT_TAU_S: f64 = 24.0 * 3600.0;
/// A 400G channel is upgraded to 800G every this many simulated days (busiest first).
const UPGRADE_EVERY_DAYS: f64 = 150.0;
/// Demand growth per simulated month (≈6 % a year).
const GROWTH_PER_MONTH: f64 = 0.005;
/// Largest imbalance between the two directions of a channel, as a share of its mean load.
const DIRECTION_SWING: f64 = 0.14;

/// Slowly moving and hidden figures of a cluster.
#[derive(Debug, Clone)]
struct ClusterState {
    base_util: f64,
    /// Compute the demand was sized against, EFLOPS.
    base_eflops: f64,
    base_pue: f64,
    base_green: f64,
    base_occupancy: f64,
    /// Occupancy gained by executed scale-ups.
    occupancy_gain: f64,
    noise: f64,
}

#[derive(Debug, Clone)]
struct LinkState {
    from: usize,
    to: usize,
    base_util: f64,
    /// Capacity the demand was sized against, Gbit/s.
    base_capacity: f64,
    /// Traffic moved onto (+) or off (−) this channel by reroutes, Gbit/s.
    shift_gbps: f64,
    noise: f64,
}

/// Hubs, clusters and backbone channels with their live figures.
#[derive(Debug, Clone)]
pub struct Backbone {
    hubs: Vec<Hub>,
    clusters: Vec<Cluster>,
    links: Vec<BackboneLink>,
    cluster_state: Vec<ClusterState>,
    link_state: Vec<LinkState>,
    /// Scheduled 400G → 800G upgrades (the built-in backbone only).
    upgrades: bool,
    upgrades_done: u32,
    start: UnixMs,
}

impl Backbone {
    pub fn hubs(&self) -> &[Hub] {
        &self.hubs
    }

    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    pub fn links(&self) -> &[BackboneLink] {
        &self.links
    }

    /// Advance to `t` after `dt_s` simulated seconds: noise, drift, scheduled 800G upgrades.
    pub fn advance(&mut self, t: UnixMs, dt_s: f64, rng: &mut SimRng) {
        let keep = (-dt_s / NOISE_TAU_S).exp();
        let fresh = (1.0 - keep * keep).sqrt();
        for state in &mut self.cluster_state {
            state.noise = keep * state.noise + fresh * 0.02 * draw::gauss(rng);
        }
        let shift_keep = (-dt_s / SHIFT_TAU_S).exp();
        for state in &mut self.link_state {
            state.noise = keep * state.noise + fresh * 0.025 * draw::gauss(rng);
            state.shift_gbps *= shift_keep;
        }
        let due = ((t - self.start) as f64 / clock::MS_PER_DAY as f64 / UPGRADE_EVERY_DAYS).floor();
        while self.upgrades && f64::from(self.upgrades_done) < due && self.upgrade_busiest_400g() {
            self.upgrades_done += 1;
        }
        self.refresh(t);
    }

    fn upgrade_busiest_400g(&mut self) -> bool {
        let busiest = (0..self.links.len())
            .filter(|i| self.links[*i].capacity_gbps < 800)
            .max_by(|a, b| {
                self.link_state[*a]
                    .base_util
                    .total_cmp(&self.link_state[*b].base_util)
            });
        match busiest {
            Some(i) => {
                self.links[i].capacity_gbps = 800;
                true
            }
            None => false,
        }
    }

    fn growth(&self, t: UnixMs) -> f64 {
        1.0 + GROWTH_PER_MONTH * clock::months_since(self.start, t)
    }

    fn refresh(&mut self, t: UnixMs) {
        let months = clock::months_since(self.start, t);
        let rhythm = clock::diurnal(t);
        let sun = clock::daylight(t);
        for i in 0..self.clusters.len() {
            let utilization = self.cluster_utilization_at(i, t, true);
            let state = &self.cluster_state[i];
            let cluster = &mut self.clusters[i];
            cluster.utilization = utilization;
            cluster.occupancy =
                (state.base_occupancy + 0.0008 * months + state.occupancy_gain).min(0.92);
            cluster.pue = (state.base_pue - 0.001 * months).max(1.10) + 0.012 * rhythm.max(0.0);
            cluster.green_power_share = (state.base_green + 0.003 * months + 0.05 * sun).min(0.9);
        }
        for i in 0..self.links.len() {
            let utilization = self.link_utilization_at(i, t, true);
            let (forward, reverse) = split_directions(utilization, direction_bias(i, t));
            let link = &mut self.links[i];
            link.utilization = utilization;
            link.utilization_forward = forward;
            link.utilization_reverse = reverse;
        }
    }

    /// Cluster and link figures of the noise-free model at `t` (used to backfill history).
    pub fn model_loads_at(&self, t: UnixMs) -> (Vec<ClusterLoad>, Vec<LinkLoad>) {
        let (mut clusters, mut links) = self.loads();
        for (i, load) in clusters.iter_mut().enumerate() {
            load.utilization = self.cluster_utilization_at(i, t, false);
        }
        for (i, load) in links.iter_mut().enumerate() {
            let utilization = self.link_utilization_at(i, t, false);
            let (forward, reverse) = split_directions(utilization, direction_bias(i, t));
            load.utilization = utilization;
            load.utilization_forward = forward;
            load.utilization_reverse = reverse;
        }
        (clusters, links)
    }

    /// Utilization of cluster `i` at `t`, with today's noise or on the noise-free model.
    pub fn cluster_utilization_at(&self, i: usize, t: UnixMs, noisy: bool) -> f64 {
        let Some(state) = self.cluster_state.get(i) else {
            return 0.0;
        };
        let noise = if noisy { state.noise } else { 0.0 };
        let load = (state.base_util + 0.13 * clock::diurnal(t) + noise).max(0.05);
        let demand_eflops = state.base_eflops * load * self.growth(t);
        (demand_eflops / self.clusters[i].compute_eflops.max(0.1)).clamp(0.02, 0.99)
    }

    /// Utilization of link `i` at `t`, with today's noise or on the noise-free model.
    pub fn link_utilization_at(&self, i: usize, t: UnixMs, noisy: bool) -> f64 {
        let Some(state) = self.link_state.get(i) else {
            return 0.0;
        };
        let noise = if noisy { state.noise } else { 0.0 };
        let load = (state.base_util + 0.16 * clock::diurnal(t) + noise).max(0.05);
        let demand_gbps = state.base_capacity * load * self.growth(t) + state.shift_gbps;
        (demand_gbps / f64::from(self.links[i].capacity_gbps.max(1))).clamp(0.02, 0.99)
    }

    /// Highest noise-free utilization of link `i` over the next `hours` whole hours, and when.
    pub fn link_peak_ahead(&self, i: usize, t: UnixMs, hours: i64) -> (f64, UnixMs) {
        let first = (t / MS_PER_HOUR + 1) * MS_PER_HOUR;
        (0..hours)
            .map(|h| first + h * MS_PER_HOUR)
            .map(|at| (self.link_utilization_at(i, at, false), at))
            .fold((0.0, first), |best, x| if x.0 > best.0 { x } else { best })
    }

    /// Highest noise-free utilization of cluster `i` over the next `hours` whole hours, and when.
    pub fn cluster_peak_ahead(&self, i: usize, t: UnixMs, hours: i64) -> (f64, UnixMs) {
        let first = (t / MS_PER_HOUR + 1) * MS_PER_HOUR;
        (0..hours)
            .map(|h| first + h * MS_PER_HOUR)
            .map(|at| (self.cluster_utilization_at(i, at, false), at))
            .fold((0.0, first), |best, x| if x.0 > best.0 { x } else { best })
    }

    /// Figures for the `Tick` event.
    pub fn loads(&self) -> (Vec<ClusterLoad>, Vec<LinkLoad>) {
        let clusters = self
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| ClusterLoad {
                index: i as u32,
                utilization: c.utilization,
                pue: c.pue,
                green_power_share: c.green_power_share,
                occupancy: c.occupancy,
            })
            .collect();
        let links = self
            .links
            .iter()
            .enumerate()
            .map(|(i, l)| LinkLoad {
                index: i as u32,
                utilization: l.utilization,
                utilization_forward: l.utilization_forward,
                utilization_reverse: l.utilization_reverse,
                capacity_gbps: l.capacity_gbps,
            })
            .collect();
        (clusters, links)
    }

    pub fn cluster_index(&self, id: &str) -> Option<usize> {
        self.clusters.iter().position(|c| c.id == id)
    }

    pub fn link_index(&self, id: &str) -> Option<usize> {
        self.links.iter().position(|l| l.id == id)
    }

    /// Index of the hub owning cluster `i`.
    pub fn hub_of_cluster(&self, i: usize) -> Option<usize> {
        let hub_id = &self.clusters.get(i)?.hub_id;
        self.hubs.iter().position(|h| &h.id == hub_id)
    }

    /// Rack-weighted mean PUE of the clusters.
    pub fn mean_pue(&self) -> f64 {
        self.rack_weighted(|c| c.pue)
    }

    /// Rack-weighted occupancy of the clusters, 0..1.
    pub fn mean_occupancy(&self) -> f64 {
        self.rack_weighted(|c| c.occupancy)
    }

    fn rack_weighted(&self, f: impl Fn(&Cluster) -> f64) -> f64 {
        let racks: f64 = self.clusters.iter().map(|c| f64::from(c.racks)).sum();
        self.clusters
            .iter()
            .map(|c| f64::from(c.racks) * f(c))
            .sum::<f64>()
            / racks.max(1.0)
    }

    /// Share of backbone channels at 800G, 0..1.
    pub fn share_800g(&self) -> f64 {
        let n = self.links.iter().filter(|l| l.capacity_gbps >= 800).count();
        n as f64 / self.links.len().max(1) as f64
    }
}

/// Imbalance between the directions of channel `i` at `t`, −1..1: each channel has its own phase
/// in the day (batch jobs go west at night, results come back east by day).
fn direction_bias(i: usize, t: UnixMs) -> f64 {
    let day = (t.rem_euclid(clock::MS_PER_DAY)) as f64 / clock::MS_PER_DAY as f64;
    (std::f64::consts::TAU * day + 0.9 * i as f64).sin()
}

/// Forward and reverse utilization whose mean is `utilization` (as far as the 0.02..0.99 bounds
/// allow), apart by `bias × DIRECTION_SWING` of it.
fn split_directions(utilization: f64, bias: f64) -> (f64, f64) {
    let swing = utilization * DIRECTION_SWING * bias.clamp(-1.0, 1.0);
    (
        (utilization + swing).clamp(0.02, 0.99),
        (utilization - swing).clamp(0.02, 0.99),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
