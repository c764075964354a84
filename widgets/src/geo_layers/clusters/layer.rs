//! [`ClusteredPointsLayer`]: the walkers plugin that draws [`PointClusters`] — GPU instances or
//! the CPU mesh, whichever the renderer has — lays out the count labels and reports hits.

use std::sync::Arc;

use egui::{Color32, FontId, Pos2, Response, Role, Shape, Stroke, TextStyle, Ui};
use walkers::{MapMemory, Plugin, Projector};

use super::grid::{cluster_radius, denormalized};
use super::paint::{
    CLUSTER_SEGMENTS, POINT_SEGMENTS, add_disc, add_ring_sector, colour_of, compact_count,
    gpu_palette, lone_category, pick, ring_width,
};
use super::{ClusterHit, PointClusters};
use crate::access::labeled_rect;
use crate::geo_layers::discs_gpu::DiscsCallback;
use crate::geo_layers::gpu::gpu_shapes_enabled;
use crate::geo_layers::mercator::MercatorTransform;
use crate::text::font_for;

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
