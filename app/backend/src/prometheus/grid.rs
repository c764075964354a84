//! From probes to the metro latency the API serves: each ≈1 km cell of a metro's grid takes the
//! RTT of its nearest probe within `radius_km`; cells farther from every probe have no data
//! (RTT −1 on the wire). Nothing is modelled or filled in.
//!
//! A metro's `coverage_1ms` is the population share of the whole metro living in measured cells
//! at or under 1 ms, so unmeasured people never count as covered; its median is over measured
//! cells only. The population weights are the reference population surface (the same one the
//! simulator's grids use), not a latency model. Knows nothing of HTTP or of Prometheus' format.

use std::collections::BTreeMap;

use crate::api::{GeoPoint, LatencyGrid, LatencySource, MetroSummary, ProbeReading};
use crate::sim::COVERED_MS;

use super::parse::RawProbe;

const KM_PER_DEG_LAT: f64 = 111.32;
/// RTT of a cell without data, on the wire (`LatencyGrid.rtt_ms`).
pub const NO_DATA_MS: f32 = -1.0;
/// Probes kept per metro; more are counted as `too_many`.
pub const MAX_PROBES_PER_METRO: usize = 200;

/// The fixed geometry of one metro: who it is, where its grid lies, where its people live.
#[derive(Debug, Clone)]
pub struct MetroFrame {
    pub summary: MetroSummary,
    pub origin: GeoPoint,
    pub cell_km: f64,
    pub cols: u32,
    pub rows: u32,
    pub population: Vec<f32>,
}

impl MetroFrame {
    /// The frame of a grid (the simulator's, for its geometry and population only).
    pub fn from_grid(summary: &MetroSummary, grid: &LatencyGrid) -> Self {
        Self {
            summary: summary.clone(),
            origin: grid.origin,
            cell_km: grid.cell_km,
            cols: grid.cols,
            rows: grid.rows,
            population: grid.population.clone(),
        }
    }

    /// Kilometres east and north of the grid's south-west corner, on the grid's local frame.
    fn local_km(&self, p: GeoPoint) -> (f64, f64) {
        let centre_lat = self.summary.center.lat;
        let east = (p.lon - self.origin.lon) * KM_PER_DEG_LAT * centre_lat.to_radians().cos();
        let north = (p.lat - self.origin.lat) * KM_PER_DEG_LAT;
        (east, north)
    }

    fn width_km(&self) -> f64 {
        f64::from(self.cols) * self.cell_km
    }

    fn height_km(&self) -> f64 {
        f64::from(self.rows) * self.cell_km
    }

    /// Whether a probe at `p` can reach any cell within `radius_km`.
    fn reaches(&self, p: GeoPoint, radius_km: f64) -> bool {
        let (x, y) = self.local_km(p);
        x.is_finite()
            && y.is_finite()
            && (-radius_km..=self.width_km() + radius_km).contains(&x)
            && (-radius_km..=self.height_km() + radius_km).contains(&y)
    }
}

/// The metro a label names: its id, English name (any case) or Chinese name.
pub fn metro_index(frames: &[MetroFrame], label: &str) -> Option<usize> {
    let label = label.trim();
    frames.iter().position(|f| {
        let m = &f.summary;
        m.id == label || m.name_en.eq_ignore_ascii_case(label) || m.name_zh == label
    })
}

/// Probes sorted into metros; series that name no known metro or lie outside its reach are
/// counted in `skipped`.
pub fn assign(
    frames: &[MetroFrame],
    probes: &[RawProbe],
    radius_km: f64,
    skipped: &mut BTreeMap<&'static str, u64>,
) -> Vec<Vec<ProbeReading>> {
    let mut by_metro = vec![Vec::new(); frames.len()];
    for p in probes {
        let Some(i) = metro_index(frames, &p.metro) else {
            *skipped.entry("unknown_metro").or_default() += 1;
            continue;
        };
        let location = GeoPoint {
            lat: p.lat,
            lon: p.lon,
        };
        if !frames[i].reaches(location, radius_km) {
            *skipped.entry("outside_metro").or_default() += 1;
            continue;
        }
        let list: &mut Vec<ProbeReading> = &mut by_metro[i];
        if list.len() >= MAX_PROBES_PER_METRO {
            *skipped.entry("too_many").or_default() += 1;
            continue;
        }
        list.push(ProbeReading {
            location,
            rtt_ms: p.rtt_ms,
        });
    }
    by_metro
}

/// A metro's measured figures and, per cell, the RTT (−1: no data) and the probe used.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredGrid {
    pub rtt_ms: Vec<f32>,
    pub nearest_probe: Vec<u32>,
    pub probe_distance_km: Vec<f32>,
    pub coverage_1ms: f64,
    pub median_rtt_ms: f64,
}

/// Each cell takes its nearest probe's RTT if that probe is within `radius_km`.
pub fn measure(frame: &MetroFrame, probes: &[ProbeReading], radius_km: f64) -> MeasuredGrid {
    let cells = frame.cols as usize * frame.rows as usize;
    let local: Vec<(f64, f64)> = probes.iter().map(|p| frame.local_km(p.location)).collect();
    let mut rtt_ms = vec![NO_DATA_MS; cells];
    let mut nearest_probe = vec![u32::MAX; cells];
    let mut probe_distance_km = vec![NO_DATA_MS; cells];
    let r2 = radius_km * radius_km;
    for row in 0..frame.rows as usize {
        let y = (row as f64 + 0.5) * frame.cell_km;
        for col in 0..frame.cols as usize {
            let x = (col as f64 + 0.5) * frame.cell_km;
            let best = local
                .iter()
                .enumerate()
                .map(|(k, (px, py))| (k, (px - x).powi(2) + (py - y).powi(2)))
                .filter(|(_, d2)| *d2 <= r2)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((k, d2)) = best {
                let cell = row * frame.cols as usize + col;
                rtt_ms[cell] = probes[k].rtt_ms as f32;
                nearest_probe[cell] = k as u32;
                probe_distance_km[cell] = d2.sqrt() as f32;
            }
        }
    }
    let people: f64 = frame.population.iter().map(|p| f64::from(*p)).sum();
    let covered: f64 = rtt_ms
        .iter()
        .zip(&frame.population)
        .filter(|(ms, _)| **ms >= 0.0 && f64::from(**ms) <= COVERED_MS)
        .map(|(_, p)| f64::from(*p))
        .sum();
    MeasuredGrid {
        coverage_1ms: if people > 0.0 { covered / people } else { 0.0 },
        median_rtt_ms: measured_median(&rtt_ms, &frame.population),
        rtt_ms,
        nearest_probe,
        probe_distance_km,
    }
}

/// Population-weighted median over measured cells; 0 when none is measured.
fn measured_median(rtt_ms: &[f32], population: &[f32]) -> f64 {
    let mut cells: Vec<(f32, f32)> = rtt_ms
        .iter()
        .copied()
        .zip(population.iter().copied())
        .filter(|(ms, _)| *ms >= 0.0)
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = cells.iter().map(|c| f64::from(c.1)).sum::<f64>() / 2.0;
    let mut acc = 0.0;
    for (ms, people) in &cells {
        acc += f64::from(*people);
        if acc >= half && acc > 0.0 {
            return f64::from(*ms);
        }
    }
    cells.last().map_or(0.0, |c| f64::from(c.0))
}

/// The summary the API serves for a measured metro.
pub fn summary(
    frame: &MetroFrame,
    probes: &[ProbeReading],
    figures: &MeasuredGrid,
) -> MetroSummary {
    MetroSummary {
        coverage_1ms: round6(figures.coverage_1ms),
        median_rtt_ms: round6(figures.median_rtt_ms),
        access_points: 0,
        probes: Some(probes.len() as u32),
        ..frame.summary.clone()
    }
}

/// The full grid the API serves for a measured metro, from the figures `measure` gave.
pub fn grid(frame: &MetroFrame, probes: &[ProbeReading], m: &MeasuredGrid, at: i64) -> LatencyGrid {
    LatencyGrid {
        metro_id: frame.summary.id.clone(),
        origin: frame.origin,
        cell_km: frame.cell_km,
        cols: frame.cols,
        rows: frame.rows,
        coverage_1ms: round6(m.coverage_1ms),
        median_rtt_ms: round6(m.median_rtt_ms),
        rtt_ms: m.rtt_ms.clone(),
        population: frame.population.clone(),
        access_points: Vec::new(),
        nearest_site: m.nearest_probe.clone(),
        site_distance_km: m.probe_distance_km.clone(),
        sim_time: at,
        source: LatencySource::Prometheus,
        probes: probes.to_vec(),
    }
}

fn round6(x: f64) -> f64 {
    // `+ 0.0` turns −0 into 0 (no "−0.0 %" on screen).
    (x * 1e6).round() / 1e6 + 0.0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    /// A 10 × 10 km metro at the equator (1 km = 1/111.32°), one person per cell except a
    /// crowded north-east corner cell.
    fn frame() -> MetroFrame {
        let mut population = vec![1.0; 100];
        population[99] = 101.0;
        MetroFrame {
            summary: MetroSummary {
                id: "testville".into(),
                name_en: "Testville".into(),
                name_zh: "测试".into(),
                province: "CN-BJ".into(),
                center: GeoPoint { lat: 0.0, lon: 0.0 },
                population: 200,
                coverage_1ms: 0.0,
                median_rtt_ms: 0.0,
                access_points: 0,
                probes: None,
            },
            origin: GeoPoint { lat: 0.0, lon: 0.0 },
            cell_km: 1.0,
            cols: 10,
            rows: 10,
            population,
        }
    }

    fn at_km(x: f64, y: f64) -> GeoPoint {
        GeoPoint {
            lat: y / KM_PER_DEG_LAT,
            lon: x / KM_PER_DEG_LAT,
        }
    }

    fn probe(x: f64, y: f64, rtt_ms: f64) -> ProbeReading {
        ProbeReading {
            location: at_km(x, y),
            rtt_ms,
        }
    }

    #[test]
    fn cells_take_their_nearest_probe_within_reach_and_nothing_else() {
        let f = frame();
        // South-west probe fast, north-east probe slow; 2 km of reach each.
        let probes = [probe(0.5, 0.5, 0.4), probe(9.5, 9.5, 1.8)];
        let m = measure(&f, &probes, 2.0);
        assert_eq!(m.rtt_ms[0], 0.4);
        assert_eq!(m.nearest_probe[0], 0);
        assert!(m.probe_distance_km[0] < 1e-6);
        assert_eq!(m.rtt_ms[99], 1.8);
        assert_eq!(m.nearest_probe[99], 1);
        // Centre of the grid: 6.4 km from both probes, no data.
        assert_eq!(m.rtt_ms[55], NO_DATA_MS);
        assert_eq!(m.nearest_probe[55], u32::MAX);
        // Cells within 2 km of (0.5, 0.5): the cell itself, 2 on each axis, the diagonal (1,1).
        let fast = m.rtt_ms.iter().filter(|ms| **ms == 0.4).count();
        assert_eq!(fast, 6);
        // Coverage counts the whole metro's people: 6 covered of 200.
        assert!((m.coverage_1ms - 6.0 / 200.0).abs() < 1e-12);
        // Median over measured people: 6 at 0.4 ms, 106 at 1.8 ms.
        assert_eq!(m.median_rtt_ms, f64::from(1.8f32));
    }

    #[test]
    fn no_probes_means_no_data_not_zero() {
        let m = measure(&frame(), &[], 5.0);
        assert!(m.rtt_ms.iter().all(|ms| *ms == NO_DATA_MS));
        assert_eq!(m.coverage_1ms, 0.0);
        assert_eq!(m.median_rtt_ms, 0.0);
        let s = summary(&frame(), &[], &m);
        assert_eq!(s.probes, Some(0));
        assert_eq!(s.access_points, 0);
    }

    #[test]
    fn probes_are_sorted_into_metros_by_id_or_name_and_reach() {
        let frames = [frame()];
        let raw = |metro: &str, x: f64, y: f64| {
            let p = at_km(x, y);
            RawProbe {
                metro: metro.into(),
                lat: p.lat,
                lon: p.lon,
                rtt_ms: 0.5,
            }
        };
        let mut skipped = BTreeMap::new();
        let by_metro = assign(
            &frames,
            &[
                raw("testville", 1.0, 1.0),
                raw("TESTVILLE", 2.0, 1.0),
                raw("测试", 3.0, 1.0),
                raw("Atlantis", 1.0, 1.0),
                raw("testville", 40.0, 1.0),
                raw("testville", -1.5, 1.0),
            ],
            2.0,
            &mut skipped,
        );
        // The last probe is 1.5 km outside the grid but reaches into it.
        assert_eq!(by_metro[0].len(), 4);
        assert_eq!(skipped.get("unknown_metro"), Some(&1));
        assert_eq!(skipped.get("outside_metro"), Some(&1));
    }

    #[test]
    fn a_grid_on_the_wire_says_measured_and_keeps_no_data_cells_readable() {
        let f = frame();
        let probes = [probe(0.5, 0.5, 0.4)];
        let g = grid(&f, &probes, &measure(&f, &probes, 1.0), 1234);
        assert_eq!(g.source, LatencySource::Prometheus);
        assert!(g.access_points.is_empty());
        assert_eq!(g.probes, probes.to_vec());
        // −1 survives JSON (NaN would become null and break older readers).
        let json = serde_json::to_string(&g).unwrap();
        let back: LatencyGrid = serde_json::from_str(&json).unwrap();
        assert_eq!(back.rtt_ms, g.rtt_ms);
        assert!(back.rtt_ms.contains(&NO_DATA_MS));
    }
}
