//! `NodesLayer`: markers (discs, rings, diamonds) at geographic positions, with labels that do not
//! collide, hover and click.
//!
//! Knows only points with an id, a radius, a colour, a shape and an optional label; what the points
//! stand for is the caller's business. Reports the hovered and clicked point ids through
//! out-params so the view can turn them into intents.
//!
//! Labels are placed greedily in the order of the points: each tries right, left, above and below
//! its marker, then the same four at a smaller size, and is left out (its tooltip still works)
//! when all of them would overlap a label already placed or another marker.

use egui::{
    Align2, Color32, FontId, Pos2, Rect, Response, Role, Stroke, TextStyle, Tooltip, Ui, Vec2,
};
use walkers::{MapMemory, Plugin, Position, Projector};

use super::mercator::{MercatorTransform, normalized_x};
use crate::{access::labeled_rect, text::font_for};

/// Outlines cost a second shape per point; only draw them on small sets.
pub const STROKE_NODE_LIMIT: usize = 200;

/// Give each visible point its own accessibility node only up to this many.
pub const ACCESSIBLE_NODE_LIMIT: usize = 200;

/// Gap between a marker and its label, points.
const LABEL_GAP: f32 = 3.0;
/// Size of the fallback label font relative to the normal one.
const SMALL_LABEL_SCALE: f32 = 0.82;

/// How a point is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NodeShape {
    /// Filled circle.
    #[default]
    Disc,
    /// Unfilled circle (e.g. a group around its members); does not hide what it encloses.
    Ring,
    /// Filled square standing on a corner.
    Diamond,
}

/// One point on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapNode {
    pub position: Position,
    /// Radius in points.
    pub radius: f32,
    pub color: Color32,
    pub label: Option<String>,
    pub id: u64,
}

/// Draws [`MapNode`]s as filled circles.
#[must_use = "add it to a map with `Map::with_plugin`"]
pub struct NodesLayer<'a> {
    nodes: &'a [MapNode],
    shapes: &'a [NodeShape],
    ring_width: f32,
    hovered: Option<&'a mut Option<u64>>,
    clicked: Option<&'a mut Option<u64>>,
    stroke: Option<Stroke>,
    highlight: Option<(u64, Stroke)>,
    label_font: Option<FontId>,
    label_color: Option<Color32>,
    label_background: Option<Color32>,
    label_min_zoom: f64,
    always_label_up_to: usize,
    label_budget: usize,
    hit_slop: f32,
    name: String,
}

impl<'a> NodesLayer<'a> {
    pub fn new(nodes: &'a [MapNode]) -> Self {
        Self {
            nodes,
            shapes: &[],
            ring_width: 2.5,
            hovered: None,
            clicked: None,
            stroke: None,
            highlight: None,
            label_font: None,
            label_color: None,
            label_background: None,
            label_min_zoom: 8.0,
            always_label_up_to: 12,
            label_budget: 400,
            hit_slop: 3.0,
            name: "Map points".to_owned(),
        }
    }

    /// Each frame, write the id of the point under the pointer (or `None`).
    pub fn hovered_into(mut self, out: &'a mut Option<u64>) -> Self {
        self.hovered = Some(out);
        self
    }

    /// Shape of each point, parallel to the points (missing entries are discs).
    pub fn with_shapes(mut self, shapes: &'a [NodeShape]) -> Self {
        self.shapes = shapes;
        self
    }

    /// Line width of [`NodeShape::Ring`] markers (default 2.5).
    pub fn with_ring_width(mut self, width: f32) -> Self {
        self.ring_width = width.max(0.5);
        self
    }

    /// Each frame, write the id of the point clicked this frame (or `None`).
    pub fn clicked_into(mut self, out: &'a mut Option<u64>) -> Self {
        self.clicked = Some(out);
        self
    }

    /// Outline for every point; only drawn while there are fewer than [`STROKE_NODE_LIMIT`].
    pub fn with_stroke(mut self, stroke: Stroke) -> Self {
        self.stroke = Some(stroke);
        self
    }

    /// Ring around one point (e.g. the selected one), drawn whatever the set size.
    pub fn with_highlight(mut self, id: Option<u64>, stroke: Stroke) -> Self {
        self.highlight = id.map(|id| (id, stroke));
        self
    }

    /// Label font (default: the app's [`TextStyle::Small`]).
    pub fn with_label_font(mut self, font: FontId) -> Self {
        self.label_font = Some(font);
        self
    }

    /// Label colour (default: the theme's text colour).
    pub fn with_label_color(mut self, color: Color32) -> Self {
        self.label_color = Some(color);
        self
    }

    /// Box behind labels, for contrast on busy tiles (default none).
    pub fn with_label_background(mut self, color: Color32) -> Self {
        self.label_background = Some(color);
        self
    }

    /// Show labels from this zoom level on (default 8).
    pub fn with_label_min_zoom(mut self, zoom: f64) -> Self {
        self.label_min_zoom = zoom;
        self
    }

    /// Always label sets of at most this many points (default 12).
    pub fn with_always_label_up_to(mut self, count: usize) -> Self {
        self.always_label_up_to = count;
        self
    }

    /// At most this many labels per frame (default 400).
    pub fn with_label_budget(mut self, budget: usize) -> Self {
        self.label_budget = budget;
        self
    }

    /// Accessible name of the layer (default "Map points").
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

/// Index of the point whose disc (plus `slop`) holds `pointer`, nearest centre first; on a tie
/// the later point wins, as it is drawn on top.
#[cfg(test)]
pub(crate) fn pick(visible: &[(usize, Pos2, f32)], pointer: Pos2, slop: f32) -> Option<usize> {
    pick_shaped(visible, &[], pointer, slop)
}

/// Like [`pick`], with shapes by point index: a [`NodeShape::Ring`] is hit only within `slop` of
/// its line, and any filled marker under the pointer beats a ring.
pub fn pick_shaped(
    visible: &[(usize, Pos2, f32)],
    shapes: &[NodeShape],
    pointer: Pos2,
    slop: f32,
) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    let mut best_ring: Option<(usize, f32)> = None;
    for &(index, center, radius) in visible {
        let d = (center - pointer).length();
        if shapes.get(index).copied().unwrap_or_default() == NodeShape::Ring {
            let off = (d - radius).abs();
            if off <= slop && best_ring.is_none_or(|(_, b)| off <= b) {
                best_ring = Some((index, off));
            }
        } else if d <= radius + slop && best.is_none_or(|(_, b)| d <= b) {
            best = Some((index, d));
        }
    }
    best.or(best_ring).map(|(index, _)| index)
}

/// Where a label may go around its marker, in the order they are tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelSide {
    Right,
    Left,
    Above,
    Below,
}

impl LabelSide {
    pub const ALL: [LabelSide; 4] = [
        LabelSide::Right,
        LabelSide::Left,
        LabelSide::Above,
        LabelSide::Below,
    ];

    /// The label's rectangle of `size` on this side of a marker at `center` with `radius`.
    pub fn rect(self, center: Pos2, radius: f32, size: Vec2) -> Rect {
        let reach = radius + LABEL_GAP;
        let (align, anchor) = match self {
            LabelSide::Right => (Align2::LEFT_CENTER, center + Vec2::new(reach, 0.0)),
            LabelSide::Left => (Align2::RIGHT_CENTER, center - Vec2::new(reach, 0.0)),
            LabelSide::Above => (Align2::CENTER_BOTTOM, center - Vec2::new(0.0, reach)),
            LabelSide::Below => (Align2::CENTER_TOP, center + Vec2::new(0.0, reach)),
        };
        align.anchor_size(anchor, size)
    }
}

/// A label to place next to its marker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelRequest {
    pub center: Pos2,
    pub radius: f32,
    /// Size at the normal font, with any background padding.
    pub size: Vec2,
    /// Size at the smaller fallback font.
    pub small_size: Vec2,
}

/// A placed label: its rectangle and whether it uses the smaller font.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlacedLabel {
    pub rect: Rect,
    pub small: bool,
}

/// Greedy label placement, first request first: each label takes the first of the four sides
/// (normal size, then small) whose rectangle stays inside `bounds` and overlaps neither a label
/// already placed nor any of the `obstacles` (other markers' boxes) except its own
/// (`own_obstacle[i]`, if any). `None` where every position collides.
pub fn place_labels(
    requests: &[LabelRequest],
    obstacles: &[Rect],
    own_obstacle: &[Option<usize>],
    bounds: Rect,
) -> Vec<Option<PlacedLabel>> {
    let mut placed: Vec<Rect> = Vec::with_capacity(requests.len());
    requests
        .iter()
        .enumerate()
        .map(|(i, request)| {
            let own = own_obstacle.get(i).copied().flatten();
            let fits = |rect: &Rect| {
                bounds.contains_rect(*rect)
                    && !placed.iter().any(|p| p.intersects(*rect))
                    && !obstacles
                        .iter()
                        .enumerate()
                        .any(|(k, o)| Some(k) != own && o.intersects(*rect))
            };
            let choice = [(request.size, false), (request.small_size, true)]
                .into_iter()
                .flat_map(|(size, small)| {
                    LabelSide::ALL
                        .into_iter()
                        .map(move |side| (side.rect(request.center, request.radius, size), small))
                })
                .find(|(rect, _)| fits(rect));
            choice.map(|(rect, small)| {
                placed.push(rect);
                PlacedLabel { rect, small }
            })
        })
        .collect()
}

impl Plugin for NodesLayer<'_> {
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

        // Cull on x first: it is linear in longitude, so most off-screen points skip the trig.
        let max_radius = this.nodes.iter().map(|n| n.radius).fold(0.0_f32, f32::max);
        let cull = clip.expand(max_radius + 2.0);
        let (x0, x1) = (
            transform.invert(cull.left_top())[0],
            transform.invert(cull.right_bottom())[0],
        );
        let mut visible: Vec<(usize, Pos2, f32)> = Vec::new();
        for (index, node) in this.nodes.iter().enumerate() {
            let nx = normalized_x(node.position.x());
            if !(x0..=x1).contains(&nx) {
                continue;
            }
            let center = transform.project(node.position);
            if cull.contains(center) {
                visible.push((index, center, node.radius));
            }
        }

        let shape_of = |index: usize| this.shapes.get(index).copied().unwrap_or_default();
        let stroke = this.stroke.filter(|_| this.nodes.len() < STROKE_NODE_LIMIT);
        for &(index, center, radius) in &visible {
            let node = &this.nodes[index];
            match (shape_of(index), stroke) {
                (NodeShape::Ring, _) => {
                    painter.circle_stroke(center, radius, Stroke::new(this.ring_width, node.color));
                }
                (NodeShape::Diamond, stroke) => {
                    let points = vec![
                        center + Vec2::new(0.0, -radius),
                        center + Vec2::new(radius, 0.0),
                        center + Vec2::new(0.0, radius),
                        center + Vec2::new(-radius, 0.0),
                    ];
                    let _ = painter.add(egui::Shape::convex_polygon(
                        points,
                        node.color,
                        stroke.unwrap_or(Stroke::NONE),
                    ));
                }
                (NodeShape::Disc, Some(stroke)) => {
                    painter.circle(center, radius, node.color, stroke);
                }
                (NodeShape::Disc, None) => {
                    painter.circle_filled(center, radius, node.color);
                }
            }
        }

        let pointer = if response.dragged() {
            None
        } else {
            response.hover_pos().filter(|p| clip.contains(*p))
        };
        let hovered = pointer.and_then(|p| pick_shaped(&visible, this.shapes, p, this.hit_slop));
        let clicked = if response.clicked() {
            response
                .interact_pointer_pos()
                .and_then(|p| pick_shaped(&visible, this.shapes, p, this.hit_slop))
        } else {
            None
        };

        let ring_for = |id: u64| {
            visible
                .iter()
                .find(|(index, _, _)| this.nodes[*index].id == id)
                .copied()
        };
        if let Some((id, ring)) = this.highlight
            && let Some((_, center, radius)) = ring_for(id)
        {
            painter.circle_stroke(center, radius + ring.width + 1.0, ring);
        }

        let label_color = this
            .label_color
            .unwrap_or_else(|| ui.visuals().text_color());
        let font = this
            .label_font
            .clone()
            .unwrap_or_else(|| font_for(ui.style(), &TextStyle::Small));
        let show_labels =
            this.nodes.len() <= this.always_label_up_to || projector.zoom() >= this.label_min_zoom;
        if show_labels {
            let small_font = FontId::new(font.size * SMALL_LABEL_SCALE, font.family.clone());
            let padding = if this.label_background.is_some() {
                Vec2::new(3.0, 1.0)
            } else {
                Vec2::ZERO
            };
            let mut labelled: Vec<(usize, Pos2, f32, &String)> = visible
                .iter()
                .filter_map(|&(index, center, radius)| {
                    Some((index, center, radius, this.nodes[index].label.as_ref()?))
                })
                .take(this.label_budget)
                .collect();
            // The highlighted point is labelled first, so it always gets its label.
            if let Some((id, _)) = this.highlight {
                labelled.sort_by_key(|(index, ..)| this.nodes[*index].id != id);
            }
            let galleys: Vec<_> = labelled
                .iter()
                .map(|(_, _, _, text)| {
                    (
                        painter.layout_no_wrap((*text).clone(), font.clone(), label_color),
                        painter.layout_no_wrap((*text).clone(), small_font.clone(), label_color),
                    )
                })
                .collect();
            let requests: Vec<LabelRequest> = labelled
                .iter()
                .zip(&galleys)
                .map(|((index, center, radius, _), (big, small))| LabelRequest {
                    center: *center,
                    radius: if shape_of(*index) == NodeShape::Ring {
                        radius + this.ring_width / 2.0
                    } else {
                        *radius
                    },
                    size: big.size() + 2.0 * padding,
                    small_size: small.size() + 2.0 * padding,
                })
                .collect();
            // Filled markers block labels; rings are hollow and do not.
            let mut obstacle_of = vec![None; this.nodes.len()];
            let mut obstacles = Vec::new();
            for &(index, center, radius) in &visible {
                if shape_of(index) != NodeShape::Ring {
                    obstacle_of[index] = Some(obstacles.len());
                    obstacles.push(Rect::from_center_size(center, Vec2::splat(2.0 * radius)));
                }
            }
            let own: Vec<Option<usize>> = labelled
                .iter()
                .map(|(index, ..)| obstacle_of[*index])
                .collect();
            let placements = place_labels(&requests, &obstacles, &own, clip);
            for (placement, (big, small)) in placements.into_iter().zip(galleys) {
                let Some(placement) = placement else {
                    continue;
                };
                let galley = if placement.small { small } else { big };
                if let Some(background) = this.label_background {
                    painter.rect_filled(placement.rect, 2.0, background);
                }
                painter.galley(placement.rect.min + padding, galley, label_color);
            }
        }

        if let Some(index) = hovered {
            let node = &this.nodes[index];
            if let Some(label) = &node.label {
                Tooltip::for_widget(response).at_pointer().show(|ui| {
                    ui.label(label);
                });
            }
        }
        if let Some(out) = this.hovered {
            *out = hovered.map(|i| this.nodes[i].id);
        }
        let clickable = this.clicked.is_some();
        if let Some(out) = this.clicked {
            *out = clicked.map(|i| this.nodes[i].id);
        }

        let layer_id = ui.scope_id().with("nodes_layer");
        let summary = format!(
            "{}: {} shown of {}",
            this.name,
            visible.len(),
            this.nodes.len()
        );
        labeled_rect(ui, layer_id, clip, Role::Image, &summary);
        if visible.len() <= ACCESSIBLE_NODE_LIMIT {
            let role = if clickable { Role::Button } else { Role::Label };
            for &(index, center, radius) in &visible {
                let node = &this.nodes[index];
                if let Some(label) = &node.label {
                    let rect = Rect::from_center_size(center, Vec2::splat(2.0 * radius.max(2.0)));
                    labeled_rect(
                        ui,
                        layer_id.with(node.id),
                        rect.intersect(clip),
                        role,
                        label,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
