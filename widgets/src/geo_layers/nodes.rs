//! `NodesLayer`: filled circles at geographic positions, with labels, hover and click.
//!
//! Knows only points with an id, a radius, a colour and an optional label; what the points stand
//! for is the caller's business. Reports the hovered and clicked point ids through out-params so
//! the view can turn them into intents.

use egui::{
    Align2, Color32, FontId, Pos2, Rect, Response, Role, Stroke, TextStyle, Tooltip, Ui, Vec2, pos2,
};
use walkers::{MapMemory, Plugin, Position, Projector};

use super::mercator::{MercatorTransform, normalized_x};
use crate::{access::labeled_rect, text::font_for};

/// Outlines cost a second shape per point; only draw them on small sets.
pub const STROKE_NODE_LIMIT: usize = 200;

/// Give each visible point its own accessibility node only up to this many.
pub const ACCESSIBLE_NODE_LIMIT: usize = 200;

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
pub(crate) fn pick(visible: &[(usize, Pos2, f32)], pointer: Pos2, slop: f32) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for &(index, center, radius) in visible {
        let d2 = (center - pointer).length_sq();
        let reach = radius + slop;
        if d2 <= reach * reach && best.is_none_or(|(_, b)| d2 <= b) {
            best = Some((index, d2));
        }
    }
    best.map(|(index, _)| index)
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

        let stroke = this.stroke.filter(|_| this.nodes.len() < STROKE_NODE_LIMIT);
        for &(index, center, radius) in &visible {
            let node = &this.nodes[index];
            match stroke {
                Some(stroke) => painter.circle(center, radius, node.color, stroke),
                None => painter.circle_filled(center, radius, node.color),
            };
        }

        let pointer = if response.dragged() {
            None
        } else {
            response.hover_pos().filter(|p| clip.contains(*p))
        };
        let hovered = pointer.and_then(|p| pick(&visible, p, this.hit_slop));
        let clicked = if response.clicked() {
            response
                .interact_pointer_pos()
                .and_then(|p| pick(&visible, p, this.hit_slop))
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
            for &(index, center, radius) in visible.iter().take(this.label_budget) {
                if let Some(label) = &this.nodes[index].label {
                    let anchor = center + Vec2::new(radius + 3.0, 0.0);
                    paint_label(
                        &painter,
                        anchor,
                        label,
                        &font,
                        label_color,
                        this.label_background,
                    );
                }
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

pub(crate) fn paint_label(
    painter: &egui::Painter,
    anchor: Pos2,
    text: &str,
    font: &FontId,
    color: Color32,
    background: Option<Color32>,
) {
    let galley = painter.layout_no_wrap(text.to_owned(), font.clone(), color);
    let rect = Align2::LEFT_CENTER.anchor_size(anchor, galley.size());
    if let Some(background) = background {
        painter.rect_filled(rect.expand2(Vec2::new(3.0, 1.0)), 2.0, background);
    }
    painter.galley(pos2(rect.left(), rect.top()), galley, color);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_nearest_and_respects_radius() {
        let visible = [
            (0, pos2(0.0, 0.0), 5.0),
            (1, pos2(8.0, 0.0), 5.0),
            (2, pos2(100.0, 100.0), 2.0),
        ];
        assert_eq!(pick(&visible, pos2(1.0, 0.0), 3.0), Some(0));
        assert_eq!(pick(&visible, pos2(6.0, 0.0), 3.0), Some(1));
        assert_eq!(
            pick(&visible, pos2(4.0, 0.0), 3.0),
            Some(1),
            "tie → later wins"
        );
        assert_eq!(pick(&visible, pos2(104.0, 100.0), 3.0), Some(2));
        assert_eq!(pick(&visible, pos2(106.0, 100.0), 3.0), None);
        assert_eq!(pick(&[], pos2(0.0, 0.0), 3.0), None);
    }
}
