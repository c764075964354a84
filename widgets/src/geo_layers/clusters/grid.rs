//! The clustering itself: points grouped into grid cells, overlapping clusters merged, and the
//! conversions between zoom levels, cells and positions it needs.

use walkers::{Position, lon_lat};

use super::{MAX_CATEGORIES, PointCluster};

/// Groups normalized positions into square cells of `cell` normalized units. Clusters come out
/// ordered by cell (row, then column) so drawing and tests are deterministic.
pub fn cluster_grid(norm: &[[f64; 2]], categories: &[u8], cell: f64) -> Vec<PointCluster> {
    let cell = if cell.is_finite() && cell > 0.0 {
        cell
    } else {
        1.0
    };
    let mut keyed: Vec<(i64, i64, u32)> = norm
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                (n[1] / cell).floor() as i64,
                (n[0] / cell).floor() as i64,
                i as u32,
            )
        })
        .collect();
    keyed.sort_unstable();
    let mut out: Vec<PointCluster> = Vec::new();
    let mut current: Option<(i64, i64)> = None;
    let mut sum = [0.0f64; 2];
    for (row, col, i) in keyed {
        let n = norm[i as usize];
        let cat = categories
            .get(i as usize)
            .map_or(0, |c| usize::from(*c).min(MAX_CATEGORIES - 1));
        if current != Some((row, col)) {
            finish(&mut out, sum);
            current = Some((row, col));
            sum = [0.0; 2];
            out.push(PointCluster {
                center: n,
                count: 0,
                mix: [0; MAX_CATEGORIES],
                first: i,
            });
        }
        if let Some(c) = out.last_mut() {
            c.count += 1;
            c.mix[cat] += 1;
        }
        sum[0] += n[0];
        sum[1] += n[1];
    }
    finish(&mut out, sum);
    out
}

/// Radius, in points, that a one-point cluster is given when looking for overlaps.
const LONE_RADIUS: f32 = 4.0;

/// Screen radius of a cluster's disc (a lone point's: [`LONE_RADIUS`]).
pub(super) fn footprint(c: &PointCluster) -> f64 {
    f64::from(if c.count > 1 {
        cluster_radius(c.count)
    } else {
        LONE_RADIUS
    })
}

/// Merges a cluster of a `cell`-sized grid into the biggest one whose disc covers its centre at
/// integer zoom `level` (and so possibly at every zoom up to the next level, as distances only
/// grow): two cities in neighbouring cells no longer show two counts on top of each other.
/// Discs that merely touch stay apart, so the picture does not lump distinct places together
/// when the view is zoomed between levels. Counts and mixes add up, centres are weighted by
/// count; the kept clusters stay in their input order ([`cluster_grid`]'s: by cell).
pub fn merge_overlapping(
    mut clusters: Vec<PointCluster>,
    level: i32,
    cell: f64,
) -> Vec<PointCluster> {
    let scale = 256.0 * 2f64.powi(level);
    let cell_px = cell * scale;
    let n = clusters.len();
    if n < 2 || !(cell_px.is_finite() && cell_px > 0.0) {
        return clusters;
    }
    let reach = (f64::from(cluster_radius(u32::MAX)) / cell_px)
        .ceil()
        .min(8.0) as i64;
    let keys: Vec<(i64, i64)> = clusters
        .iter()
        .map(|c| {
            (
                (c.center[1] / cell).floor() as i64,
                (c.center[0] / cell).floor() as i64,
            )
        })
        .collect();
    let mut by_cell: Vec<usize> = (0..n).collect();
    by_cell.sort_by_key(|i| keys[*i]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| clusters[*b].count.cmp(&clusters[*a].count).then(a.cmp(b)));
    // owner[i]: the kept cluster `i` went into (itself when kept); usize::MAX until visited.
    let mut owner = vec![usize::MAX; n];
    for i in order {
        let c = clusters[i].clone();
        let r = footprint(&c);
        let (row, col) = keys[i];
        let mut into: Option<usize> = None;
        for dr in -reach..=reach {
            for dc in -reach..=reach {
                let key = (row + dr, col + dc);
                let start = by_cell.partition_point(|j| keys[*j] < key);
                for &j in by_cell[start..].iter().take_while(|j| keys[**j] == key) {
                    if owner[j] != j {
                        continue;
                    }
                    let other = &clusters[j];
                    let d = (c.center[0] - other.center[0]).hypot(c.center[1] - other.center[1]);
                    if d * scale < r.max(footprint(other))
                        && into.is_none_or(|k| clusters[k].count < other.count)
                    {
                        into = Some(j);
                    }
                }
            }
        }
        match into {
            Some(k) => {
                let big = &mut clusters[k];
                let total = f64::from(big.count + c.count);
                for axis in 0..2 {
                    big.center[axis] = (big.center[axis] * f64::from(big.count)
                        + c.center[axis] * f64::from(c.count))
                        / total;
                }
                big.count += c.count;
                for (m, add) in big.mix.iter_mut().zip(c.mix) {
                    *m += add;
                }
                owner[i] = k;
            }
            None => owner[i] = i,
        }
    }
    clusters
        .into_iter()
        .enumerate()
        .filter(|(i, _)| owner[*i] == *i)
        .map(|(_, c)| c)
        .collect()
}

fn finish(out: &mut [PointCluster], sum: [f64; 2]) {
    if let Some(c) = out.last_mut()
        && c.count > 0
    {
        c.center = [sum[0] / f64::from(c.count), sum[1] / f64::from(c.count)];
    }
}

/// Geographic position of a normalized Web-Mercator point.
pub fn denormalized(n: [f64; 2]) -> Position {
    let lon = n[0] * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * n[1]))
        .sinh()
        .atan()
        .to_degrees();
    lon_lat(lon, lat)
}

/// Normalized cell size of a `cell_px` grid at integer zoom `level`.
pub fn cell_at_level(cell_px: f32, level: i32) -> f64 {
    f64::from(cell_px) / (256.0 * 2f64.powi(level))
}

/// Radius of a cluster disc of `count` points.
pub fn cluster_radius(count: u32) -> f32 {
    9.0 + 4.0 * (count.max(1) as f32).log10()
}
