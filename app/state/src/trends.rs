//! The trend charts' past on first start (issue 18): the backend's `/history` frames — its
//! model's last simulated day of cluster and link loads — put before the live samples of every
//! cluster's and link's histories, so no chart starts empty. A figure a real source measures
//! gets none of the model's past: its chart starts at its first measurement, and says so.

use crate::api::LoadHistory;
use crate::{History, State};

impl State {
    /// Puts the frames of `history` before the live samples of the trend histories (entities
    /// with measured figures are left to their measurements).
    pub(crate) fn backfill_trends(&mut self, history: &LoadHistory) {
        let Some(world) = &self.world else {
            return;
        };
        let measured =
            |entity: String, metrics: &[&str]| world.origins.any_of(&entity, metrics).is_some();
        let cluster_measured: Vec<bool> = world
            .clusters
            .iter()
            .map(|c| {
                measured(
                    format!("cluster:{}", c.id),
                    &["utilization", "pue", "green_power_share"],
                )
            })
            .collect();
        let link_measured: Vec<bool> = world
            .links
            .iter()
            .map(|l| {
                measured(
                    format!("link:{}", l.id),
                    &["utilization_forward", "utilization_reverse"],
                )
            })
            .collect();
        let (clusters, links) = (world.clusters.len(), world.links.len());
        let cluster_series = |f: fn(&crate::api::ClusterLoad) -> f64| {
            crate::overview::series(history, clusters, |frame| {
                frame
                    .clusters
                    .iter()
                    .map(|c| (c.index as usize, f(c)))
                    .collect()
            })
        };
        let link_series = |f: fn(&crate::api::LinkLoad) -> f64| {
            crate::overview::series(history, links, |frame| {
                frame
                    .links
                    .iter()
                    .map(|l| (l.index as usize, f(l)))
                    .collect()
            })
        };
        fill(
            &mut self.cluster_utilization,
            &cluster_series(|c| c.utilization),
            &cluster_measured,
        );
        fill(
            &mut self.overview.cluster_pue,
            &cluster_series(|c| c.pue),
            &cluster_measured,
        );
        fill(
            &mut self.overview.cluster_green,
            &cluster_series(|c| c.green_power_share),
            &cluster_measured,
        );
        fill(
            &mut self.link_utilization,
            &link_series(|l| l.utilization),
            &link_measured,
        );
        fill(
            &mut self.overview.link_forward,
            &link_series(|l| l.utilization_forward),
            &link_measured,
        );
        fill(
            &mut self.overview.link_reverse,
            &link_series(|l| l.utilization_reverse),
            &link_measured,
        );
    }
}

fn fill(histories: &mut [History], series: &[Vec<(i64, f32)>], measured: &[bool]) {
    for (i, h) in histories.iter_mut().enumerate() {
        if measured.get(i).copied().unwrap_or(false) {
            continue;
        }
        if let Some(s) = series.get(i) {
            h.backfill(s);
        }
    }
}
