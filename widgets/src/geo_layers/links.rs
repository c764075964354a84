//! `LinksLayer`: curved lines between two geographic positions, with hover and click.
//!
//! Each link is a quadratic Bézier whose bulge grows with its screen length, bending to the left
//! of its direction, so A→B and B→A links separate instead of overlapping. Knows nothing of what
//! a link carries.
//!
//! With a [`FlowStyle`] the layer draws dashes that travel from each link's `from` to its `to`,
//! and asks for its own next frame (`request_repaint_after`) only while it is drawn: a hidden map
//! stops animating by itself.

use egui::{Color32, Pos2, Rect, Response, Role, Shape, Stroke, Tooltip, Ui, Vec2};
use walkers::{MapMemory, Plugin, Position, Projector};

use super::mercator::MercatorTransform;
use crate::access::labeled_rect;

/// Pointer distance (points) within which a link counts as hovered.
pub const LINK_HIT_DISTANCE: f32 = 6.0;

/// Moving dashes along each link, showing its direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlowStyle {
    pub color: Color32,
    /// Dash and gap lengths, points.
    pub dash: f32,
    pub gap: f32,
    /// Dash width as a share of the link's width.
    pub width_share: f32,
    /// How fast the dashes travel, points per second (at most a quarter of their period per
    /// frame: see [`FlowStyle::effective_speed`]).
    pub speed: f32,
    /// Frames per second the animation asks for.
    pub fps: f32,
}

impl FlowStyle {
    pub fn new(color: Color32) -> Self {
        Self {
            color,
            dash: 6.0,
            gap: 14.0,
            width_share: 0.45,
            speed: 24.0,
            fps: 30.0,
        }
    }

    /// The speed drawn: `speed`, slowed so one frame never moves the dashes more than a quarter
    /// of their period — past half a period they would seem to run backwards.
    pub fn effective_speed(&self) -> f32 {
        let period = (self.dash + self.gap).max(1.0);
        if self.fps > 0.0 {
            self.speed.min(period * self.fps / 4.0)
        } else {
            self.speed
        }
    }
}

/// One link between two positions.
#[derive(Clone, Debug, PartialEq)]
pub struct MapLink {
    pub from: Position,
    pub to: Position,
    /// Line width in points.
    pub width: f32,
    pub color: Color32,
    pub id: u64,
    pub label: Option<String>,
}

/// Draws [`MapLink`]s as gentle arcs.
#[must_use = "add it to a map with `Map::with_plugin`"]
pub struct LinksLayer<'a> {
    links: &'a [MapLink],
    hovered: Option<&'a mut Option<u64>>,
    clicked: Option<&'a mut Option<u64>>,
    bulge: f32,
    segments: usize,
    hit_distance: f32,
    highlight: Vec<u64>,
    highlight_stroke: Stroke,
    lane_gap: Option<f32>,
    tooltips: bool,
    flow: Option<FlowStyle>,
    name: String,
}

impl<'a> LinksLayer<'a> {
    pub fn new(links: &'a [MapLink]) -> Self {
        Self {
            links,
            hovered: None,
            clicked: None,
            bulge: 0.15,
            segments: 16,
            hit_distance: LINK_HIT_DISTANCE,
            highlight: Vec::new(),
            highlight_stroke: Stroke::NONE,
            lane_gap: None,
            tooltips: true,
            flow: None,
            name: "Map links".to_owned(),
        }
    }

    /// Each frame, write the id of the link under the pointer (or `None`).
    pub fn hovered_into(mut self, out: &'a mut Option<u64>) -> Self {
        self.hovered = Some(out);
        self
    }

    /// Each frame, write the id of the link clicked this frame (or `None`).
    pub fn clicked_into(mut self, out: &'a mut Option<u64>) -> Self {
        self.clicked = Some(out);
        self
    }

    /// Control-point offset as a fraction of the link's length (default 0.15; 0 = straight).
    pub fn with_bulge(mut self, bulge: f32) -> Self {
        self.bulge = bulge;
        self
    }

    /// Line segments per arc (default 16).
    pub fn with_segments(mut self, segments: usize) -> Self {
        self.segments = segments.max(1);
        self
    }

    /// Extra stroke drawn under one link (e.g. the selected one).
    pub fn with_highlight(mut self, id: Option<u64>, stroke: Stroke) -> Self {
        self.highlight = id.into_iter().collect();
        self.highlight_stroke = stroke;
        self
    }

    /// Extra stroke drawn under several links (e.g. both directions of a selected channel).
    pub fn with_highlights(mut self, ids: &[u64], stroke: Stroke) -> Self {
        self.highlight = ids.to_vec();
        self.highlight_stroke = stroke;
        self
    }

    /// Shift every link sideways, to the left of its direction, by half its width plus half of
    /// `gap` points: a link A→B and its twin B→A become two lanes `gap` apart (default none).
    pub fn with_lanes(mut self, gap: Option<f32>) -> Self {
        self.lane_gap = gap;
        self
    }

    /// Animated dashes from `from` to `to` on every link (default none: a still picture).
    pub fn with_flow(mut self, flow: Option<FlowStyle>) -> Self {
        self.flow = flow;
        self
    }

    /// Show the hovered link's label as a tooltip (default true; switch off while a marker
    /// drawn above the links is hovered, so only one tooltip shows).
    pub fn with_tooltips(mut self, tooltips: bool) -> Self {
        self.tooltips = tooltips;
        self
    }

    /// Accessible name of the layer (default "Map links").
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

/// `from` and `to` moved `offset` points to the left of the direction from `from` to `to`.
pub fn lane_ends(from: Pos2, to: Pos2, offset: f32) -> (Pos2, Pos2) {
    let d = to - from;
    let len = d.length();
    if len <= f32::EPSILON {
        return (from, to);
    }
    let left = Vec2::new(d.y, -d.x) / len * offset;
    (from + left, to + left)
}

/// Control point of the arc from `from` to `to`: the midpoint pushed sideways by
/// `bulge × length`, to the left of the direction of travel (on screen, y down).
pub fn arc_control_point(from: Pos2, to: Pos2, bulge: f32) -> Pos2 {
    let d = to - from;
    let normal = Vec2::new(d.y, -d.x);
    from + d * 0.5 + normal * bulge
}

/// Sample the quadratic Bézier `from → control → to` into `segments + 1` points appended to `out`.
pub fn sample_quadratic_bezier(
    from: Pos2,
    control: Pos2,
    to: Pos2,
    segments: usize,
    out: &mut Vec<Pos2>,
) {
    let segments = segments.max(1);
    out.reserve(segments + 1);
    for k in 0..=segments {
        let t = k as f32 / segments as f32;
        let u = 1.0 - t;
        let p =
            from.to_vec2() * (u * u) + control.to_vec2() * (2.0 * u * t) + to.to_vec2() * (t * t);
        out.push(p.to_pos2());
    }
}

/// Dashes of length `dash` every `dash + gap` along `line`, the first starting `phase` points
/// from its start (dashes cut by either end are shortened), as `[start, end]` pairs.
pub fn dash_segments(line: &[Pos2], phase: f32, dash: f32, gap: f32) -> Vec<[Pos2; 2]> {
    let period = dash + gap;
    let mut out = Vec::new();
    if line.len() < 2 || dash <= 0.0 || period <= 0.0 || !phase.is_finite() {
        return out;
    }
    let point_at = |s: f32| -> Pos2 {
        let mut rest = s;
        for w in line.windows(2) {
            let len = (w[1] - w[0]).length();
            if rest <= len {
                let t = if len > 0.0 { rest / len } else { 0.0 };
                return w[0] + (w[1] - w[0]) * t;
            }
            rest -= len;
        }
        line[line.len() - 1]
    };
    let total: f32 = line.windows(2).map(|w| (w[1] - w[0]).length()).sum();
    let mut start = phase.rem_euclid(period) - period;
    while start < total {
        let (a, b) = (start.max(0.0), (start + dash).min(total));
        if b > a {
            out.push([point_at(a), point_at(b)]);
        }
        start += period;
    }
    out
}

/// Distance from `p` to the segment `a`–`b`.
pub fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len_sq = ab.length_sq();
    let t = if len_sq > 0.0 {
        ((p - a).dot(ab) / len_sq).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p - (a + ab * t)).length()
}

/// Distance from `p` to the nearest point of `line`; infinite for an empty line.
pub fn distance_to_polyline(p: Pos2, line: &[Pos2]) -> f32 {
    match line {
        [] => f32::INFINITY,
        [only] => (p - *only).length(),
        _ => line
            .windows(2)
            .map(|w| distance_to_segment(p, w[0], w[1]))
            .fold(f32::INFINITY, f32::min),
    }
}

impl Plugin for LinksLayer<'_> {
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
        let pointer = if response.dragged() {
            None
        } else {
            response.hover_pos().filter(|p| clip.contains(*p))
        };
        let click_pos = if response.clicked() {
            response.interact_pointer_pos()
        } else {
            None
        };

        let phase = this.flow.map_or(0.0, |f| {
            let period = f64::from((f.dash + f.gap).max(1.0));
            (ui.input(|i| i.time) * f64::from(f.effective_speed())).rem_euclid(period) as f32
        });
        let mut shapes = Vec::new();
        let mut hovered: Option<(usize, f32)> = None;
        let mut clicked: Option<(usize, f32)> = None;
        let mut shown = 0usize;
        let mut accessible: Vec<(usize, Pos2)> = Vec::new();
        for (index, link) in this.links.iter().enumerate() {
            let (a, b) = (transform.project(link.from), transform.project(link.to));
            if (b - a).length_sq() < 1.0 {
                continue;
            }
            let (a, b) = match this.lane_gap {
                Some(gap) => lane_ends(a, b, (link.width + gap) / 2.0),
                None => (a, b),
            };
            let control = arc_control_point(a, b, this.bulge);
            let reach = link.width / 2.0 + this.hit_distance;
            // A quadratic Bézier stays inside the triangle of its three points.
            let bounds = Rect::from_points(&[a, b, control]);
            if !bounds.expand(reach).intersects(clip) {
                continue;
            }
            let mut points = Vec::new();
            sample_quadratic_bezier(a, control, b, this.segments, &mut points);

            for (pos, best) in [(pointer, &mut hovered), (click_pos, &mut clicked)] {
                if let Some(pos) = pos
                    && bounds.expand(reach).contains(pos)
                {
                    let d = distance_to_polyline(pos, &points) - link.width / 2.0;
                    if d <= this.hit_distance && best.is_none_or(|(_, bd)| d <= bd) {
                        *best = Some((index, d));
                    }
                }
            }
            if this.highlight.contains(&link.id) {
                let ring = this.highlight_stroke;
                let halo = Stroke::new(link.width + 2.0 * ring.width, ring.color);
                shapes.push(Shape::line(points.clone(), halo));
            }
            if link.label.is_some() {
                accessible.push((index, points[points.len() / 2]));
            }
            if let Some(flow) = this.flow {
                let stroke = Stroke::new(link.width * flow.width_share, flow.color);
                let dashes = dash_segments(&points, phase, flow.dash, flow.gap);
                shapes.push(Shape::line(points, Stroke::new(link.width, link.color)));
                shapes.extend(dashes.into_iter().map(|d| Shape::line_segment(d, stroke)));
            } else {
                shapes.push(Shape::line(points, Stroke::new(link.width, link.color)));
            }
            shown += 1;
        }
        painter.extend(shapes);
        if let Some(flow) = this.flow
            && shown > 0
            && flow.fps > 0.0
        {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f32(1.0 / flow.fps));
        }

        if let Some((index, _)) = hovered
            && this.tooltips
            && let Some(label) = &this.links[index].label
        {
            Tooltip::for_widget(response).at_pointer().show(|ui| {
                ui.label(label);
            });
        }
        if let Some(out) = this.hovered {
            *out = hovered.map(|(i, _)| this.links[i].id);
        }
        let clickable = this.clicked.is_some();
        if let Some(out) = this.clicked {
            *out = clicked.map(|(i, _)| this.links[i].id);
        }

        let layer_id = ui.scope_id().with("links_layer");
        let summary = format!("{}: {} shown of {}", this.name, shown, this.links.len());
        labeled_rect(ui, layer_id, clip, Role::Image, &summary);
        if accessible.len() <= super::nodes::ACCESSIBLE_NODE_LIMIT {
            let role = if clickable { Role::Button } else { Role::Label };
            for (index, middle) in accessible {
                let link = &this.links[index];
                if let Some(label) = &link.label
                    && clip.contains(middle)
                {
                    let rect = Rect::from_center_size(middle, Vec2::splat(link.width.max(4.0)));
                    labeled_rect(ui, layer_id.with(link.id), rect, role, label);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::pos2;

    /// At a GPU's frame rate the dashes keep their speed; at a CPU's few frames a second they
    /// slow down so no step exceeds a quarter of their period (they never seem to run backwards).
    #[test]
    fn dashes_never_step_more_than_a_quarter_period() {
        let mut flow = FlowStyle::new(egui::Color32::TRANSPARENT);
        assert_eq!(flow.effective_speed(), flow.speed);
        for fps in [0.5, 1.5, 2.0, 5.0] {
            flow.fps = fps;
            let step = flow.effective_speed() / fps;
            assert!(step <= (flow.dash + flow.gap) / 4.0 + 1e-4, "{fps}: {step}");
            assert!(step > 0.0);
        }
    }

    #[test]
    fn bezier_samples_hit_ends_and_bulge_left() {
        let (a, b) = (pos2(0.0, 0.0), pos2(100.0, 0.0));
        let control = arc_control_point(a, b, 0.2);
        assert_eq!(control, pos2(50.0, -20.0));
        let mut points = Vec::new();
        sample_quadratic_bezier(a, control, b, 16, &mut points);
        assert_eq!(points.len(), 17);
        assert_eq!(points[0], a);
        assert_eq!(points[16], b);
        // The apex of a quadratic Bézier is halfway to its control point.
        assert!((points[8] - pos2(50.0, -10.0)).length() < 1e-4);
        // The reverse link bends to the other side.
        assert_eq!(arc_control_point(b, a, 0.2), pos2(50.0, 20.0));
    }

    #[test]
    fn straight_when_bulge_is_zero() {
        let mut points = Vec::new();
        let (a, b) = (pos2(0.0, 0.0), pos2(10.0, 10.0));
        sample_quadratic_bezier(a, arc_control_point(a, b, 0.0), b, 4, &mut points);
        for p in points {
            assert!((p.x - p.y).abs() < 1e-5);
        }
    }

    #[test]
    fn distances() {
        let (a, b) = (pos2(0.0, 0.0), pos2(10.0, 0.0));
        assert_eq!(distance_to_segment(pos2(5.0, 3.0), a, b), 3.0);
        assert_eq!(distance_to_segment(pos2(-4.0, 3.0), a, b), 5.0);
        assert_eq!(distance_to_segment(pos2(13.0, 4.0), a, b), 5.0);
        assert_eq!(distance_to_segment(pos2(3.0, 4.0), a, a), 5.0);
        let line = [a, b, pos2(10.0, 10.0)];
        assert_eq!(distance_to_polyline(pos2(12.0, 5.0), &line), 2.0);
        assert_eq!(distance_to_polyline(pos2(5.0, -1.0), &line), 1.0);
        assert!(distance_to_polyline(pos2(0.0, 0.0), &[]).is_infinite());
        assert_eq!(distance_to_polyline(pos2(3.0, 4.0), &[a]), 5.0);
    }

    #[test]
    fn dashes_march_along_the_line() {
        let line = [pos2(0.0, 0.0), pos2(50.0, 0.0), pos2(50.0, 50.0)];
        let dashes = dash_segments(&line, 0.0, 5.0, 5.0);
        assert_eq!(dashes.len(), 10);
        assert_eq!(dashes[0], [pos2(0.0, 0.0), pos2(5.0, 0.0)]);
        // The sixth dash turns the corner's next leg.
        assert_eq!(dashes[5], [pos2(50.0, 0.0), pos2(50.0, 5.0)]);
        // A phase moves every dash forward; a cut dash appears at the start.
        let moved = dash_segments(&line, 7.0, 5.0, 5.0);
        assert_eq!(moved[0], [pos2(0.0, 0.0), pos2(2.0, 0.0)]);
        assert_eq!(moved[1], [pos2(7.0, 0.0), pos2(12.0, 0.0)]);
        // Nothing for degenerate input.
        assert!(dash_segments(&line[..1], 0.0, 5.0, 5.0).is_empty());
        assert!(dash_segments(&line, f32::NAN, 5.0, 5.0).is_empty());
        assert!(dash_segments(&line, 0.0, 0.0, 5.0).is_empty());
    }

    #[test]
    fn lanes_sit_left_of_their_direction() {
        let (a, b) = (pos2(0.0, 0.0), pos2(10.0, 0.0));
        // Travelling east on screen (y down), left is up.
        assert_eq!(lane_ends(a, b, 2.0), (pos2(0.0, -2.0), pos2(10.0, -2.0)));
        // The twin going west sits on the other side.
        assert_eq!(lane_ends(b, a, 2.0), (pos2(10.0, 2.0), pos2(0.0, 2.0)));
        assert_eq!(lane_ends(a, a, 2.0), (a, a));
    }
}
