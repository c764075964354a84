//! Metro computing networks: the most populous mainland cities, each with a 100 × 100 km grid of
//! 1 km cells, a population surface, the computing access points (edge sites) deployed, and the
//! round-trip time from every cell to the nearest one. Summaries are kept; full grids are built
//! on demand and never stored.
//!
//! RTT of a cell = access and processing (0.25 ms) + fibre (2 × 1.4 × d × 0.005 ms) + metro
//! aggregation hops (about one switching hop each way every few km, modelled per km) + last-mile
//! jitter per cell (fixed, from a hash) − any QoS gain. Fibre alone would put the whole grid
//! inside 1 ms (1 ms of fibre reaches ≈53 km); the hops are what make site density matter.
//!
//! `build.rs` makes the metros and their population surfaces, `cells.rs` holds the per-cell
//! maths (nearest site, coverage, median, best window); this file keeps the metros and what
//! changes them.

use crate::api::{GeoPoint, GridFigures, LatencyGrid, MetroSummary};

use super::draw::{self, SimRng};
use super::geo;

mod build;
mod cells;

use cells::{
    add_to_d2, best_window, clamp_site, coverage, nearest_d2, nearest_sites, weighted_median,
};

/// Metros simulated: the most populous mainland cities.
const METRO_COUNT: usize = 36;
/// Grid side, cells.
const GRID: usize = 100;
const CELL_KM: f64 = 1.0;
const HALF_KM: f64 = GRID as f64 * CELL_KM / 2.0;
/// Access network and processing at the edge site, ms.
const ACCESS_MS: f64 = 0.25;
/// Round trip in fibre per km of straight line: 2 × 1.4 × 0.005 ms.
const FIBRE_RTT_MS_PER_KM: f64 = 2.0 * 1.4 * 0.005;
/// Round trip through metro aggregation per km of straight line, ms.
const AGGREGATION_RTT_MS_PER_KM: f64 = 0.09;
/// Largest fixed last-mile addition of a cell, ms.
const LAST_MILE_MAX_MS: f64 = 0.3;
/// The latency tier that counts as covered, ms.
pub const COVERED_MS: f64 = 1.0;
/// A metro counts as having 1 ms access once this share of its people is covered.
pub const COVERAGE_THRESHOLD: f64 = 0.5;
/// Most hypothetical sites one what-if may add.
pub const MAX_WHATIF_SITES: usize = 20;
/// Edge sites a metro may hold.
const MAX_ACCESS_POINTS: usize = 160;
/// Sites added nationally per simulated month by the operators' own roll-out.
const ORGANIC_SITES_PER_MONTH: f64 = 5.0;
/// Largest QoS gain a metro can accumulate, ms.
const MAX_QOS_GAIN_MS: f64 = 0.12;

/// Hidden state of one metro.
#[derive(Debug, Clone)]
struct MetroState {
    /// People per cell, row-major from the south-west corner.
    population: Vec<f32>,
    /// Edge sites in grid kilometres (0..100 east, 0..100 north of the south-west corner).
    sites: Vec<(f64, f64)>,
    qos_gain_ms: f64,
    noise_key: u64,
}

/// All metros: public summaries plus what is needed to rebuild their grids.
#[derive(Debug, Clone)]
pub struct Metros {
    summaries: Vec<MetroSummary>,
    states: Vec<MetroState>,
    /// The operators' organic roll-out of new sites (the simulated metros only: an operator's
    /// own sites change when its inventory does).
    organic: bool,
}

impl Metros {
    /// The summaries of the `days` simulated days before now, oldest first, as the operators'
    /// organic roll-out would have left them: going back in time, sites leave at the roll-out's
    /// rate (a random site of a metro drawn by population), so coverage climbs towards today as
    /// it does going forward. Modelled history, like the progress scorecard's year; empty for an
    /// operator's own metros (their history starts when they are measured).
    pub fn backfill(&self, seed: u64, days: usize) -> Vec<Vec<MetroSummary>> {
        if !self.organic {
            return Vec::new();
        }
        let mut past = self.clone();
        let mut rng = <SimRng as rand::SeedableRng>::seed_from_u64(seed ^ 0x00BA_CF11);
        let per_day = ORGANIC_SITES_PER_MONTH * 86_400.0 / super::clock::SECONDS_PER_MONTH;
        let mut out = Vec::with_capacity(days);
        for _ in 0..days {
            for _ in 0..draw::poisson(&mut rng, per_day) {
                let weights: Vec<f64> = past
                    .summaries
                    .iter()
                    .zip(&past.states)
                    .map(|(m, s)| {
                        if s.sites.len() > 1 {
                            m.population as f64
                        } else {
                            0.0
                        }
                    })
                    .collect();
                if weights.iter().sum::<f64>() <= 0.0 {
                    break;
                }
                let i = draw::weighted(&mut rng, &weights);
                if let Some(state) = past.states.get_mut(i) {
                    let k = draw::index(&mut rng, state.sites.len());
                    if k < state.sites.len() {
                        state.sites.swap_remove(k);
                    }
                }
                past.refresh(i);
            }
            out.push(past.summaries.clone());
        }
        out.reverse();
        out
    }

    pub fn summaries(&self) -> &[MetroSummary] {
        &self.summaries
    }

    pub fn index(&self, id: &str) -> Option<usize> {
        self.summaries.iter().position(|m| m.id == id)
    }

    /// Population-weighted national 1 ms coverage, 0..1 (the targets use the share of metros).
    #[cfg(test)]
    pub fn national_coverage(&self) -> f64 {
        let people: f64 = self.summaries.iter().map(|m| m.population as f64).sum();
        let covered: f64 = self
            .summaries
            .iter()
            .map(|m| m.population as f64 * m.coverage_1ms)
            .sum();
        covered / people.max(1.0)
    }

    /// The operators' own roll-out over `dt_s` simulated seconds. Returns the metros that changed.
    pub fn grow(&mut self, dt_s: f64, rng: &mut SimRng) -> Vec<usize> {
        if !self.organic {
            return Vec::new();
        }
        let n = draw::poisson(
            rng,
            ORGANIC_SITES_PER_MONTH * dt_s / super::clock::SECONDS_PER_MONTH,
        );
        let mut changed = Vec::new();
        for _ in 0..n {
            let weights: Vec<f64> = self
                .summaries
                .iter()
                .zip(&self.states)
                .map(|(m, s)| {
                    let room = s.sites.len() < MAX_ACCESS_POINTS;
                    if room {
                        m.population as f64 * (1.0 - m.coverage_1ms)
                    } else {
                        0.0
                    }
                })
                .collect();
            if weights.iter().sum::<f64>() <= 0.0 {
                break;
            }
            let i = draw::weighted(rng, &weights);
            let sites = self.best_sites(i, 1);
            if self.add_sites(i, &sites) > 0 && !changed.contains(&i) {
                changed.push(i);
            }
        }
        changed.sort_unstable();
        changed
    }

    /// Where `k` new sites would cover the most people, greedily, as points.
    pub fn best_site_points(&self, i: usize, k: usize) -> Vec<GeoPoint> {
        self.best_sites(i, k)
            .iter()
            .map(|s| self.site_point(i, *s))
            .collect()
    }

    /// Coverage of metro `i` if sites were added at `points` and QoS gained `extra_qos_ms`.
    pub fn coverage_if(&self, i: usize, points: &[GeoPoint], extra_qos_ms: f64) -> f64 {
        let Some(state) = self.states.get(i) else {
            return 0.0;
        };
        let mut sites = state.sites.clone();
        sites.extend(points.iter().map(|p| self.site_km(i, *p)));
        let qos = (state.qos_gain_ms + extra_qos_ms.max(0.0)).min(MAX_QOS_GAIN_MS);
        let rtt = self.rtt_field(i, &sites, qos);
        coverage(&rtt, &state.population)
    }

    /// Deploy edge sites at `points` (clamped into the grid). Returns how many were added.
    pub fn deploy(&mut self, i: usize, points: &[GeoPoint]) -> usize {
        let sites: Vec<(f64, f64)> = points.iter().map(|p| self.site_km(i, *p)).collect();
        self.add_sites(i, &sites)
    }

    /// Raise the QoS gain of metro `i` by `gain_ms` (bounded).
    pub fn apply_qos(&mut self, i: usize, gain_ms: f64) {
        let Some(state) = self.states.get_mut(i) else {
            return;
        };
        state.qos_gain_ms =
            (state.qos_gain_ms + gain_ms.clamp(0.0, MAX_QOS_GAIN_MS)).min(MAX_QOS_GAIN_MS);
        self.refresh(i);
    }

    pub fn qos_gain_ms(&self, i: usize) -> f64 {
        self.states.get(i).map_or(0.0, |s| s.qos_gain_ms)
    }

    /// The full grid of metro `i`.
    pub fn grid(&self, i: usize) -> Option<LatencyGrid> {
        let (summary, state) = (self.summaries.get(i)?, self.states.get(i)?);
        let (nearest, d2) = nearest_sites(&state.sites);
        let rtt = self.rtt_from_distances(i, &d2, state.qos_gain_ms);
        Some(LatencyGrid {
            metro_id: summary.id.clone(),
            origin: geo::offset_km(summary.center, -HALF_KM, -HALF_KM),
            cell_km: CELL_KM,
            cols: GRID as u32,
            rows: GRID as u32,
            coverage_1ms: coverage(&rtt, &state.population),
            median_rtt_ms: weighted_median(&rtt, &state.population),
            rtt_ms: rtt,
            population: state.population.clone(),
            access_points: state.sites.iter().map(|s| self.site_point(i, *s)).collect(),
            nearest_site: nearest,
            site_distance_km: d2
                .iter()
                .map(|d2| {
                    if d2.is_finite() {
                        d2.sqrt() as f32
                    } else {
                        f32::NAN
                    }
                })
                .collect(),
            sim_time: 0,
            source: crate::api::LatencySource::Simulator,
            probes: Vec::new(),
        })
    }

    /// Figures of metro `i` as it is.
    pub fn figures(&self, i: usize) -> Option<GridFigures> {
        let m = self.summaries.get(i)?;
        Some(GridFigures {
            coverage_1ms: m.coverage_1ms,
            median_rtt_ms: m.median_rtt_ms,
            access_points: m.access_points,
            meets_threshold: m.coverage_1ms >= COVERAGE_THRESHOLD,
        })
    }

    /// Metro `i` with sites added at `add` and the sites at indices `remove` taken away, without
    /// changing anything: its figures and RTT per cell. `None` for an unknown metro.
    pub fn what_if(
        &self,
        i: usize,
        add: &[GeoPoint],
        remove: &[usize],
    ) -> Option<(GridFigures, Vec<f32>)> {
        let state = self.states.get(i)?;
        let mut sites: Vec<(f64, f64)> = state
            .sites
            .iter()
            .enumerate()
            .filter(|(k, _)| !remove.contains(k))
            .map(|(_, s)| *s)
            .collect();
        sites.extend(add.iter().map(|p| self.site_km(i, *p)));
        let rtt = self.rtt_field(i, &sites, state.qos_gain_ms);
        let cov = coverage(&rtt, &state.population);
        let figures = GridFigures {
            coverage_1ms: cov,
            median_rtt_ms: weighted_median(&rtt, &state.population),
            access_points: sites.len() as u32,
            meets_threshold: cov >= COVERAGE_THRESHOLD,
        };
        Some((figures, rtt))
    }

    /// Whether `p` lies inside the grid of metro `i`.
    pub fn contains(&self, i: usize, p: GeoPoint) -> bool {
        let Some(m) = self.summaries.get(i) else {
            return false;
        };
        let (east, north) = geo::to_local_km(m.center, p);
        east.is_finite() && north.is_finite() && east.abs() <= HALF_KM && north.abs() <= HALF_KM
    }

    /// Sites deployed in metro `i`.
    pub fn site_count(&self, i: usize) -> usize {
        self.states.get(i).map_or(0, |s| s.sites.len())
    }

    fn add_sites(&mut self, i: usize, sites: &[(f64, f64)]) -> usize {
        let Some(state) = self.states.get_mut(i) else {
            return 0;
        };
        let room = MAX_ACCESS_POINTS.saturating_sub(state.sites.len());
        let added = sites.len().min(room);
        state
            .sites
            .extend(sites.iter().take(added).map(|(x, y)| clamp_site(*x, *y)));
        if added > 0 {
            self.refresh(i);
        }
        added
    }

    fn site_point(&self, i: usize, (x, y): (f64, f64)) -> GeoPoint {
        let center = self
            .summaries
            .get(i)
            .map_or(GeoPoint { lat: 0.0, lon: 0.0 }, |m| m.center);
        geo::offset_km(center, x - HALF_KM, y - HALF_KM)
    }

    fn site_km(&self, i: usize, p: GeoPoint) -> (f64, f64) {
        let center = self.summaries.get(i).map_or(p, |m| m.center);
        let (east, north) = geo::to_local_km(center, p);
        let (x, y) = (east + HALF_KM, north + HALF_KM);
        if x.is_finite() && y.is_finite() {
            clamp_site(x, y)
        } else {
            (HALF_KM, HALF_KM)
        }
    }

    /// Recompute the cached summary of metro `i`.
    fn refresh(&mut self, i: usize) {
        let Some(state) = self.states.get(i) else {
            return;
        };
        let rtt = self.rtt_field(i, &state.sites, state.qos_gain_ms);
        let cov = coverage(&rtt, &state.population);
        let median = weighted_median(&rtt, &state.population);
        let n = state.sites.len() as u32;
        if let Some(summary) = self.summaries.get_mut(i) {
            summary.coverage_1ms = cov;
            summary.median_rtt_ms = median;
            summary.access_points = n;
        }
    }

    /// RTT per cell to the nearest of `sites`, ms.
    fn rtt_field(&self, i: usize, sites: &[(f64, f64)], qos_gain_ms: f64) -> Vec<f32> {
        self.rtt_from_distances(i, &nearest_d2(sites), qos_gain_ms)
    }

    /// RTT per cell from the squared distance (km²) of each cell to its nearest site, ms.
    fn rtt_from_distances(&self, i: usize, d2: &[f64], qos_gain_ms: f64) -> Vec<f32> {
        let key = self.states.get(i).map_or(0, |s| s.noise_key);
        d2.iter()
            .enumerate()
            .map(|(cell, d2)| {
                let d = if d2.is_finite() {
                    d2.sqrt()
                } else {
                    2.0 * HALF_KM
                };
                let last_mile = LAST_MILE_MAX_MS * draw::hash01(&[key, cell as u64]).powi(2);
                let ms =
                    ACCESS_MS + (FIBRE_RTT_MS_PER_KM + AGGREGATION_RTT_MS_PER_KM) * d + last_mile
                        - qos_gain_ms;
                ms.max(0.15) as f32
            })
            .collect()
    }

    /// Greedy choice of `k` sites: each at the centre of the window with the most uncovered people.
    fn best_sites(&self, i: usize, k: usize) -> Vec<(f64, f64)> {
        let Some(state) = self.states.get(i) else {
            return Vec::new();
        };
        let mut d2 = nearest_d2(&state.sites);
        let mut chosen = Vec::with_capacity(k);
        for _ in 0..k {
            let rtt = self.rtt_from_distances(i, &d2, state.qos_gain_ms);
            let uncovered: Vec<f64> = rtt
                .iter()
                .zip(&state.population)
                .map(|(ms, people)| {
                    if f64::from(*ms) > COVERED_MS {
                        f64::from(*people)
                    } else {
                        0.0
                    }
                })
                .collect();
            let Some(best) = best_window(&uncovered) else {
                break;
            };
            let site = ((best % GRID) as f64 + 0.5, (best / GRID) as f64 + 0.5);
            add_to_d2(&mut d2, site);
            chosen.push(site);
        }
        chosen
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
