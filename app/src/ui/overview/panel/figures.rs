//! What the side panel computes from the world: shortest round-trip times over the backbone, a
//! hub's clusters, the roll-up rows of a set of clusters and the mean utilization history.

use crate::api::{Cluster, Hub};
use crate::i18n::I18n;
use crate::state::{State, World};
use crate::ui::format;

/// Shortest round-trip times over the backbone from cluster `from` to every cluster, ms.
pub fn rtt_from(world: &World, from: usize) -> Vec<f64> {
    let n = world.clusters.len();
    let index = |id: &str| world.clusters.iter().position(|c| c.id == id);
    let mut dist = vec![f64::INFINITY; n];
    let mut done = vec![false; n];
    if from >= n {
        return dist;
    }
    dist[from] = 0.0;
    for _ in 0..n {
        let Some(u) = (0..n)
            .filter(|i| !done[*i] && dist[*i].is_finite())
            .min_by(|a, b| dist[*a].total_cmp(&dist[*b]))
        else {
            break;
        };
        done[u] = true;
        for l in &world.links {
            let (Some(a), Some(b)) = (index(&l.from_cluster), index(&l.to_cluster)) else {
                continue;
            };
            let v = if a == u {
                b
            } else if b == u {
                a
            } else {
                continue;
            };
            dist[v] = dist[v].min(dist[u] + l.rtt_ms);
        }
    }
    dist
}

/// Round-trip time from any of `members` to each other hub (its nearest cluster), ms.
pub(super) fn rtt_to_hubs(world: &World, members: &[usize]) -> Vec<(usize, f64)> {
    let tables: Vec<Vec<f64>> = members.iter().map(|m| rtt_from(world, *m)).collect();
    world
        .hubs
        .iter()
        .enumerate()
        .filter(|(_, hub)| {
            !members
                .iter()
                .any(|m| world.clusters.get(*m).is_some_and(|c| c.hub_id == hub.id))
        })
        .map(|(h, hub)| {
            let best = world
                .clusters
                .iter()
                .enumerate()
                .filter(|(_, c)| c.hub_id == hub.id)
                .flat_map(|(c, _)| tables.iter().map(move |t| t[c]))
                .fold(f64::INFINITY, f64::min);
            (h, best)
        })
        .collect()
}

pub fn members_of(world: &World, hub: &Hub) -> Vec<usize> {
    world
        .clusters
        .iter()
        .enumerate()
        .filter(|(_, c)| c.hub_id == hub.id)
        .map(|(i, _)| i)
        .collect()
}

pub(super) fn cluster_rows(clusters: &[&Cluster], i18n: &I18n) -> Vec<(String, String)> {
    let eflops: f64 = clusters.iter().map(|c| c.compute_eflops).sum();
    let racks: f64 = clusters.iter().map(|c| f64::from(c.racks)).sum();
    let weighted = |f: &dyn Fn(&Cluster) -> f64, w: &dyn Fn(&Cluster) -> f64, total: f64| {
        clusters.iter().map(|c| f(c) * w(c)).sum::<f64>() / total.max(f64::EPSILON)
    };
    let by_compute = |c: &Cluster| c.compute_eflops;
    let by_racks = |c: &Cluster| f64::from(c.racks);
    vec![
        (
            i18n.tr("kpi-compute"),
            format!("{eflops:.1} {}", i18n.tr("unit-eflops")),
        ),
        (
            i18n.tr("overview-racks"),
            format!(
                "{} · {} %",
                format::millions(racks),
                format::percent(weighted(&|c| c.occupancy, &by_racks, racks))
            ),
        ),
        (
            i18n.tr("kpi-utilization"),
            format!(
                "{} %",
                format::percent(weighted(&|c| c.utilization, &by_compute, eflops))
            ),
        ),
        (
            i18n.tr("kpi-pue"),
            format!("{:.2}", weighted(&|c| c.pue, &by_racks, racks)),
        ),
        (
            i18n.tr("kpi-green"),
            format!(
                "{} %",
                format::percent(weighted(&|c| c.green_power_share, &by_compute, eflops))
            ),
        ),
    ]
}

/// Mean utilization over all clusters, sample by sample, for the headline sparkline.
pub(super) fn average_history(state: &State) -> Vec<f32> {
    let histories = &state.cluster_utilization;
    let len = histories.iter().map(|h| h.len()).min().unwrap_or(0);
    if len == 0 {
        return Vec::new();
    }
    let mut sums = vec![0.0f32; len];
    for h in histories {
        let values = h.values();
        for (sum, v) in sums.iter_mut().zip(&values[values.len() - len..]) {
            *sum += v;
        }
    }
    sums.iter().map(|s| s / histories.len() as f32).collect()
}
