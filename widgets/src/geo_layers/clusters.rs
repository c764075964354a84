//! `ClusteredPointsLayer`: tens of thousands of categorised points, grid-clustered in screen
//! space at low zoom (each cluster a disc with its count and a ring showing its category mix),
//! individual points at high zoom — all drawn as one mesh.
//!
//! The data and everything derived from it live in [`PointClusters`], owned by the caller across
//! frames: positions are projected once per data version, clusters once per (integer zoom level,
//! data version) and kept for a few levels.
//!
//! Two ways to draw the same picture:
//! - GPU (a wgpu renderer with [`super::install_gpu_shapes`]): points and clusters are instance
//!   sets (`discs_gpu.rs`) built once per data version (clusters: per level) and uploaded once;
//!   a frame writes one small uniform per set and lays out only the visible clusters' count labels.
//! - CPU (glow, test renderers, headless): one mesh refilled in place each frame (its vertex
//!   buffers keep their capacity).
//!
//! Either way only what can be on screen is visited: points through an index sorted by x, so a
//! frame allocates nothing and walks nothing in proportion to the whole data set.
//! Knows nothing of what the points or categories mean.
//!
//! Over 600 lines on purpose: the clustering, its per-zoom cache and both drawing paths (GPU instances and the CPU mesh) must agree to the pixel (tests/gpu_layers.rs compares them); kept in one file so a change to one path is seen beside the other.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use egui::epaint::Mesh;
use egui::{Color32, FontId, Pos2, Response, Role, Shape, Stroke, TextStyle, Ui};
use walkers::{MapMemory, Plugin, Position, Projector, lon_lat};

use super::discs_gpu::{Disc, DiscsCallback, GpuDiscs, PALETTE_SLOTS, RING_CATEGORIES};
use super::gpu::gpu_shapes_enabled;
use super::mercator::{MercatorTransform, normalized};
use crate::{access::labeled_rect, text::font_for};

/// Categories a point can have (more are folded into the last).
pub const MAX_CATEGORIES: usize = 8;
/// Clustering levels kept (each is one integer zoom level).
const LEVELS_KEPT: usize = 6;
/// Segments of a point's disc and of a cluster's disc and ring.
const POINT_SEGMENTS: usize = 8;
const CLUSTER_SEGMENTS: usize = 32;

/// One point handed to [`PointClusters::set_points`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClusterPoint {
    pub id: u64,
    pub position: Position,
    /// Index into the layer's palette.
    pub category: u8,
}

/// Points within one grid cell at one zoom level.
#[derive(Clone, Debug, PartialEq)]
pub struct PointCluster {
    /// Mean normalized Web-Mercator position of the members.
    pub center: [f64; 2],
    pub count: u32,
    /// Members per category.
    pub mix: [u32; MAX_CATEGORIES],
    /// Index (into the data) of one member: the only one when `count == 1`.
    pub first: u32,
}

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
fn footprint(c: &PointCluster) -> f64 {
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

/// What was hit on the layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClusterHit {
    /// A single point, by id.
    Point(u64),
    /// A cluster of `count` points around `position` (e.g. zoom in there).
    Cluster { position: Position, count: u32 },
}

/// Clusters at one zoom level, and their GPU instances once drawn through the GPU path.
struct Level {
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

/// The points of a [`ClusteredPointsLayer`] and what is derived from them, kept across frames.
#[derive(Default)]
pub struct PointClusters {
    version: Option<u64>,
    ids: Vec<u64>,
    norm: Vec<[f64; 2]>,
    categories: Vec<u8>,
    /// Indices of the points sorted by normalized x (built when points are first drawn).
    by_x: Vec<u32>,
    /// Most recently used last.
    levels: Vec<Level>,
    /// Every point as a GPU instance: (point radius bits, instances).
    gpu_points: Option<(u32, Arc<GpuDiscs>)>,
    /// Id and index of the selected point, for this version.
    selected: Option<(u64, Option<usize>)>,
    mesh: Arc<Mesh>,
    /// Indices of what was drawn last frame (points or clusters), for hit tests.
    drawn: Vec<(u32, Pos2, f32)>,
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
    fn clusters_in_rows(
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
    fn gpu_clusters(&mut self, level: i32, cell_px: f32, point_radius: f32) -> Arc<GpuDiscs> {
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
    fn gpu_points(&mut self, point_radius: f32) -> Arc<GpuDiscs> {
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
    fn index_by_x(&mut self) {
        if self.by_x.len() != self.norm.len() {
            self.by_x = (0..self.norm.len() as u32).collect();
            let norm = &self.norm;
            self.by_x
                .sort_by(|a, b| norm[*a as usize][0].total_cmp(&norm[*b as usize][0]));
        }
    }

    /// Indices of the points whose normalized x lies in `x0..=x1` (after [`Self::index_by_x`]).
    fn in_x_range(&self, x0: f64, x1: f64) -> &[u32] {
        let norm = &self.norm;
        let start = self.by_x.partition_point(|i| norm[*i as usize][0] < x0);
        let end = self.by_x.partition_point(|i| norm[*i as usize][0] <= x1);
        self.by_x.get(start..end.max(start)).unwrap_or(&[])
    }

    /// Index of the point `id` (looked up once per id and version).
    fn index_of(&mut self, id: u64) -> Option<usize> {
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

/// Categories beyond [`MAX_CATEGORIES`] fold into the last, as in a cluster's mix.
fn folded(category: u8) -> u8 {
    category.min(MAX_CATEGORIES as u8 - 1)
}

/// Ring width of a cluster disc of radius `r`.
fn ring_width(r: f32) -> f32 {
    (r * 0.28).clamp(3.0, 6.0)
}

/// A cluster as a disc instance: a lone point in its category's colour, else the cluster fill
/// (the palette's extra slot) with a ring split by the mix.
fn cluster_disc(c: &PointCluster, point_radius: f32) -> Disc {
    if c.count <= 1 {
        return Disc {
            norm: c.center,
            radius: point_radius,
            ring: 0.0,
            fill: folded(lone_category(c)),
            ring_ends: [1.0; RING_CATEGORIES],
        };
    }
    let r = cluster_radius(c.count);
    let mut ring_ends = [1.0f32; RING_CATEGORIES];
    let mut sum = 0u32;
    for (k, m) in c.mix.iter().enumerate().take(RING_CATEGORIES) {
        sum += m;
        ring_ends[k] = sum as f32 / c.count as f32;
    }
    Disc {
        norm: c.center,
        radius: r,
        ring: ring_width(r),
        fill: RING_CATEGORIES as u8,
        ring_ends,
    }
}

/// The category of a one-point cluster.
fn lone_category(c: &PointCluster) -> u8 {
    c.mix
        .iter()
        .position(|m| *m > 0)
        .unwrap_or(0)
        .min(u8::MAX as usize) as u8
}

/// Draws [`PointClusters`] on a walkers map.
#[must_use = "add it to a map with `Map::with_plugin`"]
pub struct ClusteredPointsLayer<'a> {
    data: &'a mut PointClusters,
    palette: &'a [Color32],
    cell_px: f32,
    points_from_zoom: f64,
    point_radius: f32,
    colors: ClusterColors,
    selected: Option<(u64, Stroke)>,
    hovered: Option<&'a mut Option<ClusterHit>>,
    clicked: Option<&'a mut Option<ClusterHit>>,
    name: String,
}

/// The colours of a clustered layer that are not a category's: the caller's theme decides them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterColors {
    /// Cluster counts.
    pub text: Color32,
    /// Cluster discs, under the count.
    pub cluster_fill: Color32,
    /// A category the palette does not cover.
    pub missing: Color32,
}

impl<'a> ClusteredPointsLayer<'a> {
    /// `palette[c]` colours category `c` (`colors.missing` where the palette has no entry).
    pub fn new(data: &'a mut PointClusters, palette: &'a [Color32], colors: ClusterColors) -> Self {
        Self {
            data,
            palette,
            cell_px: 60.0,
            points_from_zoom: 10.0,
            point_radius: 3.5,
            colors,
            selected: None,
            hovered: None,
            clicked: None,
            name: "Clustered points".to_owned(),
        }
    }

    /// Grid cell of the clustering, screen points (default 60).
    pub fn with_cell_size(mut self, px: f32) -> Self {
        self.cell_px = px.max(8.0);
        self
    }

    /// From this zoom on every point is drawn on its own (default 10).
    pub fn with_points_from_zoom(mut self, zoom: f64) -> Self {
        self.points_from_zoom = zoom;
        self
    }

    pub fn with_point_radius(mut self, radius: f32) -> Self {
        self.point_radius = radius.max(1.0);
        self
    }

    /// Ring around one point, drawn whatever the zoom.
    pub fn with_selected(mut self, id: Option<u64>, stroke: Stroke) -> Self {
        self.selected = id.map(|id| (id, stroke));
        self
    }

    pub fn hovered_into(mut self, out: &'a mut Option<ClusterHit>) -> Self {
        self.hovered = Some(out);
        self
    }

    pub fn clicked_into(mut self, out: &'a mut Option<ClusterHit>) -> Self {
        self.clicked = Some(out);
        self
    }

    /// Accessible name of the layer.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

fn colour_of(palette: &[Color32], category: u8, missing: Color32) -> Color32 {
    palette
        .get(usize::from(folded(category)))
        .copied()
        .unwrap_or(missing)
}

/// Radius of a cluster disc of `count` points.
pub fn cluster_radius(count: u32) -> f32 {
    9.0 + 4.0 * (count.max(1) as f32).log10()
}

fn add_disc(mesh: &mut Mesh, center: Pos2, radius: f32, color: Color32, segments: usize) {
    let base = mesh.vertices.len() as u32;
    mesh.colored_vertex(center, color);
    for k in 0..segments {
        let a = std::f32::consts::TAU * k as f32 / segments as f32;
        mesh.colored_vertex(center + radius * egui::vec2(a.cos(), a.sin()), color);
    }
    for k in 0..segments as u32 {
        mesh.add_triangle(base, base + 1 + k, base + 1 + (k + 1) % segments as u32);
    }
}

/// An annulus sector from `start` to `end` (fractions of a turn, from 12 o'clock clockwise).
fn add_ring_sector(
    mesh: &mut Mesh,
    center: Pos2,
    inner: f32,
    outer: f32,
    (start, end): (f32, f32),
    color: Color32,
) {
    let steps = (((end - start) * CLUSTER_SEGMENTS as f32).ceil() as usize).max(1);
    let base = mesh.vertices.len() as u32;
    for k in 0..=steps {
        let f = start + (end - start) * k as f32 / steps as f32;
        let a = std::f32::consts::TAU * f - std::f32::consts::FRAC_PI_2;
        let dir = egui::vec2(a.cos(), a.sin());
        mesh.colored_vertex(center + inner * dir, color);
        mesh.colored_vertex(center + outer * dir, color);
    }
    for k in 0..steps as u32 {
        let (i0, o0, i1, o1) = (
            base + 2 * k,
            base + 2 * k + 1,
            base + 2 * k + 2,
            base + 2 * k + 3,
        );
        mesh.add_triangle(i0, o0, o1);
        mesh.add_triangle(i0, o1, i1);
    }
}

/// The entry of `drawn` under `pointer`, nearest centre first.
fn pick(drawn: &[(u32, Pos2, f32)], pointer: Pos2, slop: f32) -> Option<(u32, Pos2)> {
    let mut best: Option<(u32, Pos2, f32)> = None;
    for &(index, center, radius) in drawn {
        let d2 = (center - pointer).length_sq();
        let reach = radius + slop;
        if d2 <= reach * reach && best.is_none_or(|(_, _, b)| d2 <= b) {
            best = Some((index, center, d2));
        }
    }
    best.map(|(i, c, _)| (i, c))
}

/// The uniform palette of the GPU path: the categories' colours, then the cluster fill.
fn gpu_palette(palette: &[Color32], colors: ClusterColors) -> [Color32; PALETTE_SLOTS] {
    const _: () = assert!(RING_CATEGORIES == MAX_CATEGORIES);
    let mut out = [colors.missing; PALETTE_SLOTS];
    for (k, slot) in out.iter_mut().enumerate().take(RING_CATEGORIES) {
        *slot = colour_of(palette, k as u8, colors.missing);
    }
    out[RING_CATEGORIES] = colors.cluster_fill;
    out
}

impl Plugin for ClusteredPointsLayer<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        response: &Response,
        projector: &Projector,
        _map_memory: &MapMemory,
    ) {
        let this = *self;
        let transform = MercatorTransform::from_projector(projector);
        let clip = projector.clip_rect();
        let painter = ui.painter().with_clip_rect(clip);
        let zoom = projector.zoom();
        let as_points = zoom >= this.points_from_zoom;
        let level = zoom.floor() as i32;
        let gpu = gpu_shapes_enabled(ui.ctx());
        let palette = this.palette;
        let point_radius = this.point_radius;
        let data = this.data;

        if gpu {
            // The instances are uploaded once; this frame only sends the view and the palette.
            let discs = if as_points {
                data.gpu_points(point_radius)
            } else {
                data.gpu_clusters(level, this.cell_px, point_radius)
            };
            painter.add(
                DiscsCallback {
                    discs,
                    transform,
                    rect: clip,
                    palette: gpu_palette(palette, this.colors),
                    feather: 1.0 / ui.ctx().pixels_per_point(),
                }
                .into_shape(),
            );
        }

        // Take the buffers out of `data` so clusters can be borrowed alongside them.
        let mut drawn = std::mem::take(&mut data.drawn);
        drawn.clear();
        let mut mesh_arc = std::mem::take(&mut data.mesh);
        // egui let go of last frame's mesh after painting it, so this reuses its buffers.
        let mesh = Arc::make_mut(&mut mesh_arc);
        mesh.clear();
        let mut labels: Vec<(Pos2, u32)> = Vec::new();

        if as_points {
            let cull = clip.expand(point_radius + 2.0);
            let (west, east) = (transform.invert(cull.min)[0], transform.invert(cull.max)[0]);
            data.index_by_x();
            for &i in data.in_x_range(west, east) {
                let p = transform.apply(data.norm[i as usize]);
                if cull.contains(p) {
                    if !gpu {
                        let color =
                            colour_of(palette, data.categories[i as usize], this.colors.missing);
                        add_disc(mesh, p, point_radius, color, POINT_SEGMENTS);
                    }
                    drawn.push((i, p, point_radius));
                }
            }
        } else {
            let cull = clip.expand(cluster_radius(u32::MAX) + 2.0);
            let (north, south) = (transform.invert(cull.min)[1], transform.invert(cull.max)[1]);
            let (first, clusters) = data.clusters_in_rows(level, this.cell_px, north, south);
            for (k, c) in clusters.iter().enumerate() {
                let ci = first + k;
                let p = transform.apply(c.center);
                if !cull.contains(p) {
                    continue;
                }
                if c.count == 1 {
                    if !gpu {
                        let color = colour_of(palette, lone_category(c), this.colors.missing);
                        add_disc(mesh, p, point_radius, color, POINT_SEGMENTS);
                    }
                    drawn.push((ci as u32, p, point_radius));
                    continue;
                }
                let r = cluster_radius(c.count);
                if !gpu {
                    add_disc(mesh, p, r, this.colors.cluster_fill, CLUSTER_SEGMENTS);
                    let ring = ring_width(r);
                    let mut start = 0.0f32;
                    for (cat, m) in c.mix.iter().enumerate() {
                        if *m == 0 {
                            continue;
                        }
                        let end = start + *m as f32 / c.count as f32;
                        let color = colour_of(palette, cat as u8, this.colors.missing);
                        add_ring_sector(mesh, p, r - ring, r, (start, end), color);
                        start = end;
                    }
                }
                labels.push((p, c.count));
                drawn.push((ci as u32, p, r));
            }
        }
        if !gpu {
            painter.add(Shape::Mesh(mesh_arc.clone()));
        }
        data.mesh = mesh_arc;

        let font = font_for(ui.style(), &TextStyle::Small);
        let small = FontId::new(font.size * 0.9, font.family.clone());
        for (p, count) in &labels {
            painter.text(
                *p,
                egui::Align2::CENTER_CENTER,
                compact_count(*count),
                small.clone(),
                this.colors.text,
            );
        }

        // Hits: a point's id, or a cluster's place and size.
        let cell_px = this.cell_px;
        let to_hit = |data: &mut PointClusters, index: u32| -> Option<ClusterHit> {
            if as_points {
                return data
                    .ids
                    .get(index as usize)
                    .map(|id| ClusterHit::Point(*id));
            }
            let c = data
                .clusters_at(level, cell_px)
                .get(index as usize)?
                .clone();
            if c.count == 1 {
                return data
                    .ids
                    .get(c.first as usize)
                    .map(|id| ClusterHit::Point(*id));
            }
            Some(ClusterHit::Cluster {
                position: denormalized(c.center),
                count: c.count,
            })
        };
        let pointer = if response.dragged() {
            None
        } else {
            response.hover_pos().filter(|p| clip.contains(*p))
        };
        let hovered = pointer
            .and_then(|p| pick(&drawn, p, 3.0))
            .and_then(|(i, _)| to_hit(data, i));
        let clicked = if response.clicked() {
            response
                .interact_pointer_pos()
                .and_then(|p| pick(&drawn, p, 3.0))
                .and_then(|(i, _)| to_hit(data, i))
        } else {
            None
        };

        if let Some((id, stroke)) = this.selected
            && let Some(i) = data.index_of(id)
        {
            let p = transform.apply(data.norm[i]);
            if clip.expand(10.0).contains(p) {
                painter.circle_stroke(p, point_radius + stroke.width + 2.0, stroke);
            }
        }

        if let Some(out) = this.hovered {
            *out = hovered;
        }
        if let Some(out) = this.clicked {
            *out = clicked;
        }
        let summary = format!(
            "{}: {} {} shown of {} points",
            this.name,
            drawn.len(),
            if as_points { "points" } else { "clusters" },
            data.ids.len()
        );
        data.drawn = drawn;
        labeled_rect(
            ui,
            ui.scope_id().with("clustered_points_layer"),
            clip,
            Role::Image,
            &summary,
        );
    }
}

/// `987`, `1.2k`, `12k`.
pub fn compact_count(count: u32) -> String {
    match count {
        0..=999 => count.to_string(),
        1000..=9_999 => format!("{:.1}k", f64::from(count) / 1000.0),
        _ => format!("{}k", (f64::from(count) / 1000.0).round()),
    }
}

#[cfg(test)]
mod tests;
