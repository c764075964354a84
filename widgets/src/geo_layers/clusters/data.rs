//! [`PointClusters`]: the points of a clustered layer and what is derived from them (projected
//! positions, clusters per zoom level, GPU instance sets, an index by x), kept across frames.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use egui::Pos2;
use egui::epaint::Mesh;
use walkers::Position;

use super::grid::{cell_at_level, cluster_grid, denormalized, merge_overlapping};
use super::paint::{cluster_disc, folded};
use super::{ClusterPoint, PointCluster};
use crate::geo_layers::discs_gpu::{Disc, GpuDiscs, RING_CATEGORIES};
use crate::geo_layers::mercator::normalized;

/// Clustering levels kept (each is one integer zoom level).
pub(super) const LEVELS_KEPT: usize = 6;

/// Clusters at one zoom level, and their GPU instances once drawn through the GPU path.
pub(super) struct Level {
    level: i32,
    cell_key: u32,
    /// Normalized size of the grid cell.
    cell: f64,
    /// Ordered by `rows`, then by x.
    clusters: Vec<PointCluster>,
    /// Grid row of each cluster's centre, ascending: visible clusters are one range of rows.
    rows: Vec<i64>,
    /// (point radius bits, instances).
    gpu: Option<(u32, Arc<GpuDiscs>)>,
}

/// The points of a [`ClusteredPointsLayer`](super::ClusteredPointsLayer) and what is derived from them, kept across frames.
#[derive(Default)]
pub struct PointClusters {
    version: Option<u64>,
    pub(super) ids: Vec<u64>,
    pub(super) norm: Vec<[f64; 2]>,
    pub(super) categories: Vec<u8>,
    /// Indices of the points sorted by normalized x (built when points are first drawn).
    by_x: Vec<u32>,
    /// Most recently used last.
    pub(super) levels: Vec<Level>,
    /// Every point as a GPU instance: (point radius bits, instances).
    gpu_points: Option<(u32, Arc<GpuDiscs>)>,
    /// Id and index of the selected point, for this version.
    selected: Option<(u64, Option<usize>)>,
    pub(super) mesh: Arc<Mesh>,
    /// Indices of what was drawn last frame (points or clusters), for hit tests.
    pub(super) drawn: Vec<(u32, Pos2, f32)>,
    clusterings: u64,
    instance_builds: u64,
    uploads: Arc<AtomicU64>,
}

impl PointClusters {
    /// Replaces the points unless `version` is the one already held (then `points` is not
    /// consumed). Bump the version whenever the points or their categories change.
    pub fn set_points(&mut self, version: u64, points: impl IntoIterator<Item = ClusterPoint>) {
        if self.version == Some(version) {
            return;
        }
        self.version = Some(version);
        self.ids.clear();
        self.norm.clear();
        self.categories.clear();
        self.by_x.clear();
        self.levels.clear();
        self.gpu_points = None;
        self.selected = None;
        for p in points {
            self.ids.push(p.id);
            self.norm.push(normalized(p.position));
            self.categories.push(p.category);
        }
    }

    pub fn version(&self) -> Option<u64> {
        self.version
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Normalized position of the point with `id` (a linear search).
    pub fn position_of(&self, id: u64) -> Option<Position> {
        let i = self.ids.iter().position(|x| *x == id)?;
        Some(denormalized(self.norm[i]))
    }

    /// How many times clusters were computed (for tests of the cache).
    pub fn clusterings(&self) -> u64 {
        self.clusterings
    }

    /// How many GPU instance sets were built from the data (points: once per version and
    /// radius; clusters: once per level) — for tests of the cache.
    pub fn instance_builds(&self) -> u64 {
        self.instance_builds
    }

    /// How many times this data's instance sets were uploaded to a GPU: one per build when the
    /// cache works, however many frames are drawn.
    pub fn gpu_uploads(&self) -> u64 {
        self.uploads.load(Ordering::Relaxed)
    }

    /// The level's entry, computed once per level and version, moved to the most recent place.
    fn level_entry(&mut self, level: i32, cell_px: f32) -> &mut Level {
        let cell_key = cell_px.to_bits();
        let found = self
            .levels
            .iter()
            .position(|l| l.level == level && l.cell_key == cell_key);
        let entry = match found {
            Some(i) => self.levels.remove(i),
            None => {
                self.clusterings += 1;
                let cell = cell_at_level(cell_px, level);
                let mut clusters = merge_overlapping(
                    cluster_grid(&self.norm, &self.categories, cell),
                    level,
                    cell,
                );
                let row_of = |c: &PointCluster| (c.center[1] / cell).floor() as i64;
                clusters.sort_by(|a, b| {
                    row_of(a)
                        .cmp(&row_of(b))
                        .then(a.center[0].total_cmp(&b.center[0]))
                });
                let rows = clusters.iter().map(row_of).collect();
                Level {
                    level,
                    cell_key,
                    cell,
                    clusters,
                    rows,
                    gpu: None,
                }
            }
        };
        if self.levels.len() >= LEVELS_KEPT {
            self.levels.remove(0);
        }
        self.levels.push(entry);
        let last = self.levels.len() - 1;
        &mut self.levels[last]
    }

    /// Clusters at integer zoom `level` with `cell_px` cells, computed once per level and version.
    pub fn clusters_at(&mut self, level: i32, cell_px: f32) -> &[PointCluster] {
        &self.level_entry(level, cell_px).clusters
    }

    /// The clusters of `level` whose centre's normalized y lies in `y0..=y1` (a superset: whole
    /// grid rows), with the index of the first one.
    pub(super) fn clusters_in_rows(
        &mut self,
        level: i32,
        cell_px: f32,
        y0: f64,
        y1: f64,
    ) -> (usize, &[PointCluster]) {
        let entry = self.level_entry(level, cell_px);
        let (first, last) = ((y0 / entry.cell).floor(), (y1 / entry.cell).floor());
        if !(first.is_finite() && last.is_finite()) {
            return (0, &entry.clusters);
        }
        let (first, last) = (first as i64, last as i64);
        let start = entry.rows.partition_point(|r| *r < first);
        let end = entry.rows.partition_point(|r| *r <= last).max(start);
        (start, entry.clusters.get(start..end).unwrap_or(&[]))
    }

    /// The clusters of `level` as GPU instances, built once per level, version and radius.
    pub(super) fn gpu_clusters(
        &mut self,
        level: i32,
        cell_px: f32,
        point_radius: f32,
    ) -> Arc<GpuDiscs> {
        let uploads = Arc::clone(&self.uploads);
        let key = point_radius.to_bits();
        let entry = self.level_entry(level, cell_px);
        if let Some((k, discs)) = &entry.gpu
            && *k == key
        {
            return Arc::clone(discs);
        }
        let discs = Arc::new(GpuDiscs::build(
            entry.clusters.iter().map(|c| cluster_disc(c, point_radius)),
            uploads,
        ));
        entry.gpu = Some((key, Arc::clone(&discs)));
        self.instance_builds += 1;
        discs
    }

    /// Every point as GPU instances, built once per version and radius.
    pub(super) fn gpu_points(&mut self, point_radius: f32) -> Arc<GpuDiscs> {
        let key = point_radius.to_bits();
        if let Some((k, discs)) = &self.gpu_points
            && *k == key
        {
            return Arc::clone(discs);
        }
        let discs = Arc::new(GpuDiscs::build(
            self.norm.iter().zip(&self.categories).map(|(n, c)| Disc {
                norm: *n,
                radius: point_radius,
                ring: 0.0,
                fill: folded(*c),
                ring_ends: [1.0; RING_CATEGORIES],
            }),
            Arc::clone(&self.uploads),
        ));
        self.gpu_points = Some((key, Arc::clone(&discs)));
        self.instance_builds += 1;
        discs
    }

    /// Sort the points by normalized x, once per version.
    pub(super) fn index_by_x(&mut self) {
        if self.by_x.len() != self.norm.len() {
            self.by_x = (0..self.norm.len() as u32).collect();
            let norm = &self.norm;
            self.by_x
                .sort_by(|a, b| norm[*a as usize][0].total_cmp(&norm[*b as usize][0]));
        }
    }

    /// Indices of the points whose normalized x lies in `x0..=x1` (after [`Self::index_by_x`]).
    pub(super) fn in_x_range(&self, x0: f64, x1: f64) -> &[u32] {
        let norm = &self.norm;
        let start = self.by_x.partition_point(|i| norm[*i as usize][0] < x0);
        let end = self.by_x.partition_point(|i| norm[*i as usize][0] <= x1);
        self.by_x.get(start..end.max(start)).unwrap_or(&[])
    }

    /// Index of the point `id` (looked up once per id and version).
    pub(super) fn index_of(&mut self, id: u64) -> Option<usize> {
        match self.selected {
            Some((held, index)) if held == id => index,
            _ => {
                let index = self.ids.iter().position(|x| *x == id);
                self.selected = Some((id, index));
                index
            }
        }
    }
}
