//! `ClusteredPointsLayer`: tens of thousands of categorised points, grid-clustered in screen
//! space at low zoom (each cluster a disc with its count and a ring showing its category mix),
//! individual points at high zoom — all drawn as one mesh.
//!
//! The data and everything derived from it live in [`PointClusters`], owned by the caller across
//! frames: positions are projected once per data version, clusters once per (integer zoom level,
//! data version) and kept for a few levels, and the mesh is refilled in place each frame (its
//! vertex buffers keep their capacity), so a frame allocates nothing in proportion to the data.
//! Knows nothing of what the points or categories mean.

use std::sync::Arc;

use egui::epaint::Mesh;
use egui::{Color32, FontId, Pos2, Response, Role, Shape, Stroke, TextStyle, Ui};
use walkers::{MapMemory, Plugin, Position, Projector, lon_lat};

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

/// The points of a [`ClusteredPointsLayer`] and what is derived from them, kept across frames.
#[derive(Default)]
pub struct PointClusters {
    version: Option<u64>,
    ids: Vec<u64>,
    norm: Vec<[f64; 2]>,
    categories: Vec<u8>,
    /// (zoom level, cell px, clusters), most recently used last.
    levels: Vec<(i32, u32, Vec<PointCluster>)>,
    mesh: Arc<Mesh>,
    /// Indices of what was drawn last frame (points or clusters), for hit tests.
    drawn: Vec<(u32, Pos2, f32)>,
    clusterings: u64,
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
        self.levels.clear();
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

    /// Clusters at integer zoom `level` with `cell_px` cells, computed once per level and version.
    pub fn clusters_at(&mut self, level: i32, cell_px: f32) -> &[PointCluster] {
        let cell_key = cell_px.to_bits();
        let found = self
            .levels
            .iter()
            .position(|(l, c, _)| *l == level && *c == cell_key);
        let entry = match found {
            Some(i) => self.levels.remove(i),
            None => {
                self.clusterings += 1;
                let cell = cell_at_level(cell_px, level);
                (
                    level,
                    cell_key,
                    cluster_grid(&self.norm, &self.categories, cell),
                )
            }
        };
        if self.levels.len() >= LEVELS_KEPT {
            self.levels.remove(0);
        }
        self.levels.push(entry);
        self.levels.last().map_or(&[], |(_, _, c)| c.as_slice())
    }
}

/// Draws [`PointClusters`] on a walkers map.
#[must_use = "add it to a map with `Map::with_plugin`"]
pub struct ClusteredPointsLayer<'a> {
    data: &'a mut PointClusters,
    palette: &'a [Color32],
    cell_px: f32,
    points_from_zoom: f64,
    point_radius: f32,
    text_color: Color32,
    cluster_fill: Color32,
    selected: Option<(u64, Stroke)>,
    hovered: Option<&'a mut Option<ClusterHit>>,
    clicked: Option<&'a mut Option<ClusterHit>>,
    name: String,
}

impl<'a> ClusteredPointsLayer<'a> {
    /// `palette[c]` colours category `c` (missing entries are grey).
    pub fn new(data: &'a mut PointClusters, palette: &'a [Color32]) -> Self {
        Self {
            data,
            palette,
            cell_px: 60.0,
            points_from_zoom: 10.0,
            point_radius: 3.5,
            text_color: Color32::WHITE,
            cluster_fill: Color32::from_black_alpha(200),
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

    /// Colour of cluster counts.
    pub fn with_text_color(mut self, color: Color32) -> Self {
        self.text_color = color;
        self
    }

    /// Fill of cluster discs (under the count).
    pub fn with_cluster_fill(mut self, color: Color32) -> Self {
        self.cluster_fill = color;
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

fn colour_of(palette: &[Color32], category: u8) -> Color32 {
    palette
        .get(usize::from(category))
        .copied()
        .unwrap_or(Color32::GRAY)
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
        let data = this.data;
        let cull = clip.expand(cluster_radius(u32::MAX) + 2.0);

        // Take the buffers out of `data` so clusters can be borrowed alongside them.
        let mut drawn = std::mem::take(&mut data.drawn);
        drawn.clear();
        let mut mesh_arc = std::mem::take(&mut data.mesh);
        // egui let go of last frame's mesh after painting it, so this reuses its buffers.
        let mesh = Arc::make_mut(&mut mesh_arc);
        mesh.clear();
        let mut labels: Vec<(Pos2, u32)> = Vec::new();

        if as_points {
            for (i, n) in data.norm.iter().enumerate() {
                let p = transform.apply(*n);
                if cull.contains(p) {
                    let color = colour_of(this.palette, data.categories[i]);
                    add_disc(mesh, p, this.point_radius, color, POINT_SEGMENTS);
                    drawn.push((i as u32, p, this.point_radius));
                }
            }
        } else {
            let level = zoom.floor() as i32;
            let palette = this.palette;
            let clusters = data.clusters_at(level, this.cell_px);
            for (ci, c) in clusters.iter().enumerate() {
                let p = transform.apply(c.center);
                if !cull.contains(p) {
                    continue;
                }
                if c.count == 1 {
                    let cat = c
                        .mix
                        .iter()
                        .position(|m| *m > 0)
                        .unwrap_or(0)
                        .min(u8::MAX as usize) as u8;
                    add_disc(
                        mesh,
                        p,
                        this.point_radius,
                        colour_of(palette, cat),
                        POINT_SEGMENTS,
                    );
                    drawn.push((ci as u32, p, this.point_radius));
                    continue;
                }
                let r = cluster_radius(c.count);
                add_disc(mesh, p, r, this.cluster_fill, CLUSTER_SEGMENTS);
                let ring = (r * 0.28).clamp(3.0, 6.0);
                let mut start = 0.0f32;
                for (cat, m) in c.mix.iter().enumerate() {
                    if *m == 0 {
                        continue;
                    }
                    let end = start + *m as f32 / c.count as f32;
                    let color = colour_of(palette, cat as u8);
                    add_ring_sector(mesh, p, r - ring, r, (start, end), color);
                    start = end;
                }
                labels.push((p, c.count));
                drawn.push((ci as u32, p, r));
            }
        }
        painter.add(Shape::Mesh(mesh_arc.clone()));
        data.mesh = mesh_arc;

        let font = font_for(ui.style(), &TextStyle::Small);
        let small = FontId::new(font.size * 0.9, font.family.clone());
        for (p, count) in &labels {
            painter.text(
                *p,
                egui::Align2::CENTER_CENTER,
                compact_count(*count),
                small.clone(),
                this.text_color,
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
            let level = zoom.floor() as i32;
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
            && let Some(i) = data.ids.iter().position(|x| *x == id)
        {
            let p = transform.apply(data.norm[i]);
            if clip.expand(10.0).contains(p) {
                painter.circle_stroke(p, this.point_radius + stroke.width + 2.0, stroke);
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
mod tests {
    use super::*;
    use egui::pos2;
    use walkers::lat_lon;

    fn points(list: &[(f64, f64, u8)]) -> Vec<ClusterPoint> {
        list.iter()
            .enumerate()
            .map(|(i, (lat, lon, c))| ClusterPoint {
                id: i as u64 + 100,
                position: lat_lon(*lat, *lon),
                category: *c,
            })
            .collect()
    }

    #[test]
    fn grid_groups_by_cell_and_keeps_every_point_once() {
        let norm = [[0.10, 0.10], [0.11, 0.12], [0.90, 0.90], [0.14, 0.10]];
        let cats = [0, 1, 1, 7];
        let clusters = cluster_grid(&norm, &cats, 0.25);
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].count, 3);
        assert_eq!(clusters[0].mix[..2], [1, 1]);
        assert_eq!(clusters[0].mix[7], 1);
        assert!((clusters[0].center[0] - 0.35 / 3.0).abs() < 1e-12);
        assert_eq!(clusters[1].count, 1);
        assert_eq!(clusters[1].first, 2);
        let total: u32 = clusters.iter().map(|c| c.count).sum();
        assert_eq!(total, 4);
        // Categories beyond the palette fold into the last slot; a bad cell never panics.
        assert_eq!(cluster_grid(&norm, &[9, 9, 9, 9], 0.25)[0].mix[7], 3);
        assert_eq!(cluster_grid(&norm, &cats, 0.0).len(), 1);
        assert!(cluster_grid(&[], &[], 0.1).is_empty());
    }

    #[test]
    fn finer_levels_split_clusters() {
        let mut data = PointClusters::default();
        // Two cities ~30 km apart with five points each.
        let mut list = Vec::new();
        for k in 0..5 {
            list.push((31.2 + 0.001 * k as f64, 121.4, 0));
            list.push((31.2 + 0.001 * k as f64, 121.75, 1));
        }
        data.set_points(1, points(&list));
        assert_eq!(data.len(), 10);
        let coarse = data.clusters_at(4, 60.0).to_vec();
        assert_eq!(coarse.len(), 1);
        assert_eq!(coarse[0].mix[..2], [5, 5]);
        let fine = data.clusters_at(12, 60.0).to_vec();
        assert!(fine.len() >= 2, "{fine:?}");
        assert!(fine.iter().all(|c| c.mix[0] == 0 || c.mix[1] == 0));
    }

    #[test]
    fn clustering_is_cached_per_level_and_version() {
        let mut data = PointClusters::default();
        data.set_points(1, points(&[(30.0, 110.0, 0), (30.1, 110.1, 1)]));
        data.clusters_at(5, 60.0);
        data.clusters_at(5, 60.0);
        assert_eq!(data.clusterings(), 1);
        data.clusters_at(6, 60.0);
        data.clusters_at(5, 60.0);
        assert_eq!(data.clusterings(), 2);
        // Same version: the points are not even looked at.
        data.set_points(1, std::iter::empty());
        assert_eq!(data.len(), 2);
        data.clusters_at(5, 60.0);
        assert_eq!(data.clusterings(), 2);
        // New version: recomputed.
        data.set_points(2, points(&[(30.0, 110.0, 0)]));
        data.clusters_at(5, 60.0);
        assert_eq!(data.clusterings(), 3);
        // Bounded: at most LEVELS_KEPT levels held.
        for level in 0..20 {
            data.clusters_at(level, 60.0);
        }
        assert!(data.levels.len() <= LEVELS_KEPT);
    }

    #[test]
    fn denormalized_round_trips() {
        for (lat, lon) in [(31.23, 121.47), (-33.9, 18.4), (0.0, 0.0)] {
            let p = denormalized(normalized(lat_lon(lat, lon)));
            assert!((p.y() - lat).abs() < 1e-9 && (p.x() - lon).abs() < 1e-9);
        }
    }

    #[test]
    fn meshes_and_counts() {
        let mut mesh = Mesh::default();
        add_disc(&mut mesh, pos2(0.0, 0.0), 3.0, Color32::RED, POINT_SEGMENTS);
        assert_eq!(mesh.vertices.len(), POINT_SEGMENTS + 1);
        assert_eq!(mesh.indices.len(), 3 * POINT_SEGMENTS);
        add_ring_sector(
            &mut mesh,
            pos2(0.0, 0.0),
            5.0,
            8.0,
            (0.0, 0.5),
            Color32::RED,
        );
        assert!(mesh.is_valid());
        assert_eq!(compact_count(999), "999");
        assert_eq!(compact_count(1234), "1.2k");
        assert_eq!(compact_count(52_400), "52k");
        assert!(cluster_radius(60_000) > cluster_radius(2));
        let hit = pick(
            &[(0, pos2(0.0, 0.0), 5.0), (1, pos2(9.0, 0.0), 5.0)],
            pos2(7.0, 0.0),
            1.0,
        );
        assert_eq!(hit.map(|h| h.0), Some(1));
    }
}
