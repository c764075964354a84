//! Maths over a metro's 100 × 100 grid of cells: distances to the nearest site, population-weighted
//! coverage and median RTT, and the window of cells holding the most uncovered people.

use super::{CELL_KM, COVERED_MS, GRID, HALF_KM};

/// Half-width of the window that scores a candidate site, cells.
const SITE_WINDOW: usize = 5;

/// Centre of cell `index`, grid km.
pub(super) fn cell_center(index: usize) -> (f64, f64) {
    (
        ((index % GRID) as f64 + 0.5) * CELL_KM,
        ((index / GRID) as f64 + 0.5) * CELL_KM,
    )
}

/// Squared distance of every cell to the nearest of `sites`, km² (∞ without sites).
pub(super) fn nearest_d2(sites: &[(f64, f64)]) -> Vec<f64> {
    let mut d2 = vec![f64::INFINITY; GRID * GRID];
    for site in sites {
        add_to_d2(&mut d2, *site);
    }
    d2
}

/// Index of the nearest of `sites` (`u32::MAX` without sites) and its squared distance, per cell.
pub(super) fn nearest_sites(sites: &[(f64, f64)]) -> (Vec<u32>, Vec<f64>) {
    let mut nearest = vec![u32::MAX; GRID * GRID];
    let mut d2 = vec![f64::INFINITY; GRID * GRID];
    for (k, (sx, sy)) in sites.iter().enumerate() {
        for (cell, (best, index)) in d2.iter_mut().zip(nearest.iter_mut()).enumerate() {
            let (x, y) = cell_center(cell);
            let here = (sx - x).powi(2) + (sy - y).powi(2);
            if here < *best {
                *best = here;
                *index = k as u32;
            }
        }
    }
    (nearest, d2)
}

pub(super) fn add_to_d2(d2: &mut [f64], (sx, sy): (f64, f64)) {
    for (cell, best) in d2.iter_mut().enumerate() {
        let (x, y) = cell_center(cell);
        *best = best.min((sx - x).powi(2) + (sy - y).powi(2));
    }
}

pub(super) fn clamp_site(x: f64, y: f64) -> (f64, f64) {
    (x.clamp(0.0, 2.0 * HALF_KM), y.clamp(0.0, 2.0 * HALF_KM))
}

/// Population-weighted share of cells within the 1 ms tier.
pub(super) fn coverage(rtt: &[f32], population: &[f32]) -> f64 {
    let total: f64 = population.iter().map(|p| f64::from(*p)).sum();
    let covered: f64 = rtt
        .iter()
        .zip(population)
        .filter(|(ms, _)| f64::from(**ms) <= COVERED_MS)
        .map(|(_, p)| f64::from(*p))
        .sum();
    if total > 0.0 { covered / total } else { 0.0 }
}

/// Population-weighted median RTT, ms.
pub(super) fn weighted_median(rtt: &[f32], population: &[f32]) -> f64 {
    let mut cells: Vec<(f32, f32)> = rtt
        .iter()
        .copied()
        .zip(population.iter().copied())
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = cells.iter().map(|c| f64::from(c.1)).sum::<f64>() / 2.0;
    let mut acc = 0.0;
    for (ms, people) in &cells {
        acc += f64::from(*people);
        if acc >= half {
            return f64::from(*ms);
        }
    }
    cells.last().map_or(0.0, |c| f64::from(c.0))
}

/// Index of the cell whose (2w+1)² window holds the most of `values`; `None` if all are zero.
pub(super) fn best_window(values: &[f64]) -> Option<usize> {
    // Summed-area table with a zero border.
    let n = GRID + 1;
    let mut sat = vec![0.0; n * n];
    for r in 0..GRID {
        for c in 0..GRID {
            sat[(r + 1) * n + c + 1] =
                values[r * GRID + c] + sat[r * n + c + 1] + sat[(r + 1) * n + c] - sat[r * n + c];
        }
    }
    let mut best = None;
    let mut best_sum = 0.0;
    for r in 0..GRID {
        let (r0, r1) = (
            r.saturating_sub(SITE_WINDOW),
            (r + SITE_WINDOW + 1).min(GRID),
        );
        for c in 0..GRID {
            let (c0, c1) = (
                c.saturating_sub(SITE_WINDOW),
                (c + SITE_WINDOW + 1).min(GRID),
            );
            let sum = sat[r1 * n + c1] - sat[r0 * n + c1] - sat[r1 * n + c0] + sat[r0 * n + c0];
            if sum > best_sum {
                best_sum = sum;
                best = Some(r * GRID + c);
            }
        }
    }
    best
}
