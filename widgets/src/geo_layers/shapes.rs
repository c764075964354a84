//! `ProjectedShapes` (outlines pre-projected once) and the `OutlineLayer` plugin that draws them.
//!
//! Building does the trig, bounding boxes and (optionally) fill triangulation once; each frame
//! only culls by bounding box, applies the [`MercatorTransform`] and drops vertices closer than a
//! pixel to their predecessor. Shapes are anonymous: callers map shape indices to meaning.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use egui::{Color32, Mesh, Pos2, Rect, Response, Role, Shape, Stroke, Ui};
use walkers::{MapMemory, Plugin, Position, Projector};

use super::earcut::ear_clip;
use super::gpu::{GpuGeometry, ShapesCallback, gpu_shapes_enabled};
use super::mercator::{MercatorTransform, normalized};
use crate::access::labeled_rect;
use tianshu_raster::Rings;

/// Vertices closer than this on screen (points) are merged while drawing outlines.
const MIN_SEGMENT: f32 = 0.75;

#[derive(Clone, Debug)]
struct Span {
    points: Range<usize>,
    min: [f64; 2],
    max: [f64; 2],
    closed: bool,
    convex: bool,
    /// Indices into `ProjectedShapes::triangles`.
    triangles: Range<usize>,
}

/// Polylines and closed rings in normalized Web-Mercator space (see [`super::mercator`]).
///
/// Shape `i` is the `i`-th ring or line pushed, even when it was too short to draw, so indices
/// stay aligned with the caller's data.
#[derive(Clone, Debug, Default)]
pub struct ProjectedShapes {
    points: Vec<[f64; 2]>,
    spans: Vec<Span>,
    triangles: Vec<[u32; 3]>,
    /// Fills and outline quads for the GPU path, built on first use.
    gpu: OnceLock<Arc<GpuGeometry>>,
}

impl ProjectedShapes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Closed rings (GeoJSON-style, the repeated closing point is optional).
    pub fn from_rings<I, R>(rings: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: AsRef<[Position]>,
    {
        let mut shapes = Self::new();
        for ring in rings {
            shapes.push_ring(ring.as_ref());
        }
        shapes
    }

    /// Open polylines (rivers, routes, borders that are not closed).
    pub fn from_polylines<I, R>(lines: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: AsRef<[Position]>,
    {
        let mut shapes = Self::new();
        for line in lines {
            shapes.push_polyline(line.as_ref());
        }
        shapes
    }

    /// Add a closed ring; returns its shape index.
    pub fn push_ring(&mut self, ring: &[Position]) -> usize {
        self.push(ring, true)
    }

    /// Add an open polyline; returns its shape index.
    pub fn push_polyline(&mut self, line: &[Position]) -> usize {
        self.push(line, false)
    }

    /// Triangulate every non-convex ring so [`OutlineLayer::with_fill`] can fill it.
    ///
    /// Convex rings are fan-filled without this. Cost is O(n²) per ring, once.
    pub fn with_fill_triangles(mut self) -> Self {
        for index in 0..self.spans.len() {
            let span = &self.spans[index];
            if !span.closed || span.convex || !span.triangles.is_empty() {
                continue;
            }
            let ring = &self.points[span.points.clone()];
            let triangles = ear_clip(ring);
            let start = self.triangles.len();
            self.triangles.extend(triangles);
            self.spans[index].triangles = start..self.triangles.len();
        }
        self.gpu = OnceLock::new();
        self
    }

    /// The GPU geometry (all fills, then all outline quads), built once.
    fn gpu_geometry(&self) -> Arc<GpuGeometry> {
        Arc::clone(self.gpu.get_or_init(|| {
            let origin = self.bounds().map_or([0.0, 0.0], |(min, max)| {
                [(min[0] + max[0]) * 0.5, (min[1] + max[1]) * 0.5]
            });
            let shapes = self.spans.iter().map(|span| {
                let ring = &self.points[span.points.clone()];
                let fill = if !span.closed || ring.len() < 3 {
                    None
                } else if span.convex {
                    Some((1..ring.len() as u32 - 1).map(|k| [0, k, k + 1]).collect())
                } else if !span.triangles.is_empty() {
                    Some(self.triangles[span.triangles.clone()].to_vec())
                } else {
                    None
                };
                (ring, span.closed, fill)
            });
            Arc::new(GpuGeometry::build(shapes, origin))
        }))
    }

    fn push(&mut self, positions: &[Position], closed: bool) -> usize {
        self.gpu = OnceLock::new();
        let start = self.points.len();
        for p in positions {
            if !(p.x().is_finite() && p.y().is_finite()) {
                continue;
            }
            let n = normalized(*p);
            if self.points.len() > start && self.points.last() == Some(&n) {
                continue;
            }
            self.points.push(n);
        }
        if closed && self.points.len() > start + 1 && self.points.last() == self.points.get(start) {
            self.points.pop();
        }
        let minimum = if closed { 3 } else { 2 };
        if self.points.len() - start < minimum {
            self.points.truncate(start);
        }
        let range = start..self.points.len();
        let ring = &self.points[range.clone()];
        let (min, max) = bounds(ring);
        let convex = closed && is_convex(ring);
        self.spans.push(Span {
            points: range,
            min,
            max,
            closed,
            convex,
            triangles: 0..0,
        });
        self.spans.len() - 1
    }

    /// Number of shapes, drawable or not.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Total stored vertices.
    pub fn vertex_count(&self) -> usize {
        self.points.len()
    }

    /// Normalized vertices of shape `index` (empty if it was too short or does not exist).
    pub fn shape_points(&self, index: usize) -> &[[f64; 2]] {
        self.spans
            .get(index)
            .map_or(&[][..], |span| &self.points[span.points.clone()])
    }

    /// Normalized bounding box of everything, `(min, max)`.
    pub fn bounds(&self) -> Option<([f64; 2], [f64; 2])> {
        (!self.points.is_empty()).then(|| bounds(&self.points))
    }

    /// The last-pushed closed ring containing normalized point `n`, if any.
    pub fn ring_at(&self, n: [f64; 2]) -> Option<usize> {
        self.spans
            .iter()
            .enumerate()
            .rev()
            .find_map(|(index, span)| {
                let inside_box = span.closed
                    && !span.points.is_empty()
                    && (span.min[0]..=span.max[0]).contains(&n[0])
                    && (span.min[1]..=span.max[1]).contains(&n[1]);
                (inside_box && point_in_ring(&self.points[span.points.clone()], n)).then_some(index)
            })
    }
}

fn bounds(points: &[[f64; 2]]) -> ([f64; 2], [f64; 2]) {
    let mut min = [f64::INFINITY; 2];
    let mut max = [f64::NEG_INFINITY; 2];
    for p in points {
        min = [min[0].min(p[0]), min[1].min(p[1])];
        max = [max[0].max(p[0]), max[1].max(p[1])];
    }
    (min, max)
}

/// Convex and simple: every turn goes the same way and x reverses direction at most twice.
pub(crate) fn is_convex(ring: &[[f64; 2]]) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut sign = 0.0;
    let mut x_flips = 0;
    let mut last_dx = 0.0;
    for i in 0..n {
        let (a, b, c) = (ring[i], ring[(i + 1) % n], ring[(i + 2) % n]);
        let turn = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
        if turn != 0.0 {
            if sign == 0.0 {
                sign = turn.signum();
            } else if turn.signum() != sign {
                return false;
            }
        }
        let dx: f64 = b[0] - a[0];
        if dx != 0.0 {
            if last_dx != 0.0 && dx.signum() != f64::signum(last_dx) {
                x_flips += 1;
            }
            last_dx = dx;
        }
    }
    // The wrap-around from the last edge to the first may add one more flip.
    if let Some(first_dx) = (0..n)
        .map(|i| ring[(i + 1) % n][0] - ring[i][0])
        .find(|d| *d != 0.0)
        && last_dx != 0.0
        && first_dx.signum() != f64::signum(last_dx)
    {
        x_flips += 1;
    }
    sign != 0.0 && x_flips <= 2
}

/// Even-odd test of `p` against a closed ring.
pub(crate) fn point_in_ring(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    let mut j = ring.len().saturating_sub(1);
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[j]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            if p[0] < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

/// Draws [`ProjectedShapes`] as outlines, optionally filled.
#[must_use = "add it to a map with `Map::with_plugin`"]
pub struct OutlineLayer<'a> {
    shapes: &'a ProjectedShapes,
    stroke: Stroke,
    fill: Option<Color32>,
    label: String,
    hovered: Option<&'a mut Option<usize>>,
    clicked: Option<&'a mut Option<usize>>,
}

impl<'a> OutlineLayer<'a> {
    pub fn new(shapes: &'a ProjectedShapes, stroke: Stroke) -> Self {
        Self {
            shapes,
            stroke,
            fill: None,
            label: "Outlines".to_owned(),
            hovered: None,
            clicked: None,
        }
    }

    /// Fill closed rings. Convex rings always fill; others only after
    /// [`ProjectedShapes::with_fill_triangles`].
    pub fn with_fill(mut self, fill: Option<Color32>) -> Self {
        self.fill = fill;
        self
    }

    /// Accessible name of the layer (default "Outlines").
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Each frame, write the index of the ring under the pointer (or `None`).
    pub fn hovered_into(mut self, out: &'a mut Option<usize>) -> Self {
        self.hovered = Some(out);
        self
    }

    /// Each frame, write the index of the ring clicked this frame (or `None`).
    pub fn clicked_into(mut self, out: &'a mut Option<usize>) -> Self {
        self.clicked = Some(out);
        self
    }
}

impl Plugin for OutlineLayer<'_> {
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
        let cull = clip.expand(this.stroke.width + 1.0);

        if gpu_shapes_enabled(ui.ctx()) {
            let (offset, scale) = transform.parts();
            let min_width = 1.0 / ui.ctx().pixels_per_point();
            painter.add(
                ShapesCallback {
                    geometry: this.shapes.gpu_geometry(),
                    offset,
                    scale,
                    rect: clip,
                    fill: this.fill,
                    stroke: (this.stroke.width > 0.0)
                        .then(|| (this.stroke.color, this.stroke.width.max(min_width))),
                }
                .into_shape(),
            );
        } else {
            draw_on_cpu(&this, &painter, &transform, cull);
        }

        let pointer = if response.dragged() {
            None
        } else {
            response.hover_pos().filter(|p| clip.contains(*p))
        };
        let hovered = pointer.and_then(|p| this.shapes.ring_at(transform.invert(p)));
        if let Some(out) = this.hovered {
            *out = hovered;
        }
        if let Some(out) = this.clicked {
            *out = if response.clicked() {
                response
                    .interact_pointer_pos()
                    .and_then(|p| this.shapes.ring_at(transform.invert(p)))
            } else {
                None
            };
        }
        labeled_rect(
            ui,
            ui.scope_id().with("outline_layer"),
            clip,
            Role::Image,
            &this.label,
        );
    }
}

/// The CPU path: cull, transform, decimate and tessellate every frame. Where the raster draws
/// the frame, closed rings go to it as [`Rings`] (their fill and outline drawn from the rings
/// themselves) instead of egui's triangles for them.
fn draw_on_cpu(
    this: &OutlineLayer<'_>,
    painter: &egui::Painter,
    transform: &MercatorTransform,
    cull: Rect,
) {
    let transform = *transform;
    let mut fill_mesh = Mesh::default();
    let mut lines = Vec::new();
    let mut rings = tianshu_raster::rings::enabled(painter.ctx())
        .then(|| Rings::new(this.fill.unwrap_or(Color32::TRANSPARENT), this.stroke));
    for span in &this.shapes.spans {
        if span.points.is_empty() {
            continue;
        }
        let screen = transform.screen_rect(span.min, span.max);
        if !screen.intersects(cull) || screen.width().max(screen.height()) < MIN_SEGMENT {
            continue;
        }
        let ring = &this.shapes.points[span.points.clone()];
        if let (Some(fill), true) = (this.fill, span.closed) {
            match &mut rings {
                // Filled where egui's mesh would have triangles for it.
                Some(rings) if span.convex || !span.triangles.is_empty() => {
                    rings.fill_ring(ring.iter().map(|&n| transform.apply(n)));
                }
                Some(_) => {}
                None => add_fill(
                    &mut fill_mesh,
                    &transform,
                    ring,
                    span,
                    &this.shapes.triangles,
                    fill,
                ),
            }
        }
        if this.stroke.width > 0.0 {
            let points = decimated(&transform, ring, span.closed);
            match &mut rings {
                Some(rings) if span.closed => rings.outline_ring(points),
                _ if points.len() >= 2 => lines.push(if span.closed {
                    Shape::closed_line(points, this.stroke)
                } else {
                    Shape::line(points, this.stroke)
                }),
                _ => {}
            }
        }
    }
    if !fill_mesh.is_empty() {
        painter.add(Shape::mesh(fill_mesh));
    }
    if let Some(rings) = rings.filter(|r| !r.is_empty()) {
        painter.add(rings.into_shape(painter.clip_rect()));
    }
    painter.extend(lines);
}

fn add_fill(
    mesh: &mut Mesh,
    transform: &MercatorTransform,
    ring: &[[f64; 2]],
    span: &Span,
    triangles: &[[u32; 3]],
    fill: Color32,
) {
    let Ok(base) = u32::try_from(mesh.vertices.len()) else {
        return;
    };
    if span.convex {
        for &n in ring {
            mesh.colored_vertex(transform.apply(n), fill);
        }
        for k in 1..ring.len().saturating_sub(1) as u32 {
            mesh.add_triangle(base, base + k, base + k + 1);
        }
    } else if !span.triangles.is_empty() {
        for &n in ring {
            mesh.colored_vertex(transform.apply(n), fill);
        }
        for t in &triangles[span.triangles.clone()] {
            mesh.add_triangle(base + t[0], base + t[1], base + t[2]);
        }
    }
}

/// Screen points of a ring, skipping vertices within [`MIN_SEGMENT`] of the last one kept.
pub(crate) fn decimated(
    transform: &MercatorTransform,
    ring: &[[f64; 2]],
    closed: bool,
) -> Vec<Pos2> {
    let mut points: Vec<Pos2> = Vec::with_capacity(ring.len());
    let min_sq = MIN_SEGMENT * MIN_SEGMENT;
    for &n in ring {
        let p = transform.apply(n);
        match points.last() {
            Some(last) if (p - *last).length_sq() < min_sq => {}
            _ => points.push(p),
        }
    }
    if !closed && let (Some(&end), Some(kept)) = (ring.last(), points.last_mut()) {
        // Open lines must still reach their true end.
        *kept = transform.apply(end);
    }
    points
}

/// Screen bounding box of shape `index` under `transform`, if drawable.
pub fn shape_screen_rect(
    shapes: &ProjectedShapes,
    transform: &MercatorTransform,
    index: usize,
) -> Option<Rect> {
    let span = shapes.spans.get(index)?;
    (!span.points.is_empty()).then(|| transform.screen_rect(span.min, span.max))
}

#[cfg(test)]
mod tests {
    use super::*;
    use walkers::lat_lon;

    fn square(lat: f64, lon: f64, size: f64) -> Vec<Position> {
        vec![
            lat_lon(lat, lon),
            lat_lon(lat, lon + size),
            lat_lon(lat + size, lon + size),
            lat_lon(lat + size, lon),
            lat_lon(lat, lon),
        ]
    }

    #[test]
    fn rings_drop_closing_point_and_keep_indices() {
        let shapes = ProjectedShapes::from_rings(vec![
            square(0.0, 0.0, 1.0),
            vec![lat_lon(1.0, 1.0)],
            square(10.0, 10.0, 2.0),
        ]);
        assert_eq!(shapes.len(), 3);
        assert_eq!(shapes.shape_points(0).len(), 4);
        assert!(shapes.shape_points(1).is_empty());
        assert_eq!(shapes.shape_points(2).len(), 4);
        assert_eq!(shapes.vertex_count(), 8);
    }

    #[test]
    fn convexity() {
        assert!(is_convex(&[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]));
        assert!(!is_convex(&[
            [0.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 2.0],
            [0.0, 2.0]
        ]));
        // A pentagram turns the same way at every vertex but is not simple.
        let pentagram: Vec<[f64; 2]> = (0..5)
            .map(|k| {
                let a = std::f64::consts::PI * 2.0 * (2 * k) as f64 / 5.0;
                [a.cos(), a.sin()]
            })
            .collect();
        assert!(!is_convex(&pentagram));
    }

    #[test]
    fn ring_hit_testing() {
        let shapes =
            ProjectedShapes::from_rings(vec![square(0.0, 0.0, 10.0), square(2.0, 2.0, 2.0)]);
        let inner = normalized(lat_lon(3.0, 3.0));
        let outer_only = normalized(lat_lon(8.0, 8.0));
        let outside = normalized(lat_lon(20.0, 20.0));
        // Later rings win: they are drawn on top.
        assert_eq!(shapes.ring_at(inner), Some(1));
        assert_eq!(shapes.ring_at(outer_only), Some(0));
        assert_eq!(shapes.ring_at(outside), None);
    }

    #[test]
    fn decimation_merges_sub_pixel_vertices() {
        let transform = MercatorTransform::from_parts([0.0, 0.0], [100.0, 100.0]);
        let ring = [
            [0.0, 0.0],
            [0.001, 0.0],
            [0.002, 0.0],
            [0.5, 0.0],
            [0.5, 0.5],
        ];
        let points = decimated(&transform, &ring, false);
        assert_eq!(points.len(), 3);
        assert_eq!(points[2], egui::pos2(50.0, 50.0));
    }

    #[test]
    fn non_convex_rings_get_triangles_on_request() {
        let l_shape = vec![
            lat_lon(0.0, 0.0),
            lat_lon(0.0, 2.0),
            lat_lon(1.0, 2.0),
            lat_lon(1.0, 1.0),
            lat_lon(2.0, 1.0),
            lat_lon(2.0, 0.0),
        ];
        let shapes = ProjectedShapes::from_rings(vec![l_shape, square(5.0, 5.0, 1.0)]);
        assert!(shapes.triangles.is_empty());
        let shapes = shapes.with_fill_triangles();
        assert_eq!(shapes.spans[0].triangles.len(), 4);
        assert!(shapes.spans[1].convex && shapes.spans[1].triangles.is_empty());
    }
}
