//! What the overview knows beyond the world: per-direction link and per-cluster PUE and green
//! histories for its charts, the replay frames fetched from `/history`, and the plants found by
//! its search box. Bounded like every history here.

use crate::api::{ClusterLoad, FactoryPage, LinkLoad, LoadHistory, Snapshot, UnixMs};

use super::{HISTORY_SAMPLES, History};

#[derive(Debug, Clone, Default)]
pub struct OverviewState {
    /// Per link, from `from_cluster` to `to_cluster`.
    pub link_forward: Vec<History>,
    /// Per link, the way back.
    pub link_reverse: Vec<History>,
    pub cluster_pue: Vec<History>,
    pub cluster_green: Vec<History>,
    /// The last replay frames fetched.
    pub history: Option<LoadHistory>,
    /// The last factory search: the text searched for and what came back.
    pub factory_hits: Option<(String, FactoryPage)>,
}

impl OverviewState {
    pub(super) fn reset(&mut self, clusters: usize, links: usize) {
        self.link_forward = vec![History::new(HISTORY_SAMPLES); links];
        self.link_reverse = vec![History::new(HISTORY_SAMPLES); links];
        self.cluster_pue = vec![History::new(HISTORY_SAMPLES); clusters];
        self.cluster_green = vec![History::new(HISTORY_SAMPLES); clusters];
    }

    pub(super) fn observe_snapshot(&mut self, s: &Snapshot) {
        let t = s.sim_time;
        for (i, c) in s.clusters.iter().enumerate() {
            push(&mut self.cluster_pue, i, t, c.pue);
            push(&mut self.cluster_green, i, t, c.green_power_share);
        }
        for (i, l) in s.links.iter().enumerate() {
            push(&mut self.link_forward, i, t, l.utilization_forward);
            push(&mut self.link_reverse, i, t, l.utilization_reverse);
        }
    }

    pub(super) fn observe_cluster(&mut self, t: UnixMs, load: &ClusterLoad) {
        let i = load.index as usize;
        push(&mut self.cluster_pue, i, t, load.pue);
        push(&mut self.cluster_green, i, t, load.green_power_share);
    }

    pub(super) fn observe_link(&mut self, t: UnixMs, load: &LinkLoad) {
        let i = load.index as usize;
        push(&mut self.link_forward, i, t, load.utilization_forward);
        push(&mut self.link_reverse, i, t, load.utilization_reverse);
    }
}

/// Frames of `/history` as one series per entity: `pick` reads (entity index, value) pairs of a
/// frame.
pub(super) fn series<F>(history: &LoadHistory, count: usize, pick: F) -> Vec<Vec<(i64, f32)>>
where
    F: Fn(&crate::api::LoadFrame) -> Vec<(usize, f64)>,
{
    let mut out = vec![Vec::new(); count];
    for frame in &history.frames {
        for (i, v) in pick(frame) {
            if let Some(s) = out.get_mut(i) {
                s.push((frame.sim_time, v as f32));
            }
        }
    }
    out
}

fn push(histories: &mut [History], i: usize, t: UnixMs, value: f64) {
    if let Some(h) = histories.get_mut(i) {
        h.push(t, value as f32);
    }
}
