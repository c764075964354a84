//! `RampLegend`: a horizontal gradient bar for a [`ColorRamp`], with end labels and a caption.
//!
//! Owns the layout and the gradient mesh; the ramp, the label texts (already formatted, with
//! units) and the colours come from the caller.

use egui::{
    Align2, Color32, Mesh, Rect, Response, Role, Sense, Shape, Stroke, StrokeKind, TextStyle, Ui,
    Vec2, Widget, WidgetInfo, pos2,
};

use crate::{ColorRamp, text::font_for};

/// Gradient columns in the bar; enough for smooth ramps with a handful of stops.
const GRADIENT_STEPS: usize = 48;

#[must_use = "add it with `ui.add(legend)`"]
pub struct RampLegend<'a> {
    ramp: &'a ColorRamp,
    min_label: String,
    max_label: String,
    caption: Option<String>,
    bar_size: Vec2,
    text_style: TextStyle,
    text_color: Option<Color32>,
    outline: Option<Stroke>,
}

impl<'a> RampLegend<'a> {
    /// `min_label` / `max_label` are shown under the ends of the bar, e.g. `"0 %"`, `"100 %"`.
    pub fn new(
        ramp: &'a ColorRamp,
        min_label: impl Into<String>,
        max_label: impl Into<String>,
    ) -> Self {
        Self {
            ramp,
            min_label: min_label.into(),
            max_label: max_label.into(),
            caption: None,
            bar_size: Vec2::new(160.0, 10.0),
            text_style: TextStyle::Small,
            text_color: None,
            outline: None,
        }
    }

    /// Text above the bar, e.g. "Utilization".
    pub fn with_caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// Size of the gradient bar (default 160 × 10).
    pub fn with_bar_size(mut self, size: Vec2) -> Self {
        self.bar_size = size;
        self
    }

    pub fn with_text_style(mut self, text_style: TextStyle) -> Self {
        self.text_style = text_style;
        self
    }

    /// Colour of caption and labels (default: the theme's text colour).
    pub fn with_text_color(mut self, color: Color32) -> Self {
        self.text_color = Some(color);
        self
    }

    /// Outline around the bar (default none).
    pub fn with_outline(mut self, stroke: Stroke) -> Self {
        self.outline = Some(stroke);
        self
    }
}

/// A mesh of vertical colour columns filling `rect` left (ramp 0) to right (ramp 1).
pub(crate) fn gradient_mesh(ramp: &ColorRamp, rect: Rect, steps: usize) -> Mesh {
    let steps = steps.max(1);
    let mut mesh = Mesh::default();
    mesh.reserve_vertices(2 * (steps + 1));
    mesh.reserve_triangles(2 * steps);
    for i in 0..=steps {
        let t = i as f32 / steps as f32;
        let x = rect.left() + rect.width() * t;
        let color = ramp.sample(t);
        mesh.colored_vertex(pos2(x, rect.top()), color);
        mesh.colored_vertex(pos2(x, rect.bottom()), color);
        if i > 0 {
            let base = 2 * i as u32;
            mesh.add_triangle(base - 2, base - 1, base);
            mesh.add_triangle(base - 1, base, base + 1);
        }
    }
    mesh
}

impl Widget for RampLegend<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let font = font_for(ui.style(), &self.text_style);
        let color = self.text_color.unwrap_or_else(|| ui.visuals().text_color());
        let row = ui.fonts_mut(|f| f.row_height(&font));
        let gap = 2.0;
        let caption_height = if self.caption.is_some() {
            row + gap
        } else {
            0.0
        };
        let size = Vec2::new(
            self.bar_size.x,
            caption_height + self.bar_size.y + gap + 3.0 + row,
        );
        let (rect, response) = ui.allocate_exact_size(size, Sense::hover());

        if ui.is_rect_visible(rect) {
            let painter = ui.painter();
            if let Some(caption) = &self.caption {
                painter.text(
                    rect.left_top(),
                    Align2::LEFT_TOP,
                    caption,
                    font.clone(),
                    color,
                );
            }
            let bar = Rect::from_min_size(
                rect.left_top() + Vec2::new(0.0, caption_height),
                self.bar_size,
            );
            painter.add(Shape::mesh(gradient_mesh(self.ramp, bar, GRADIENT_STEPS)));
            if let Some(outline) = self.outline {
                painter.rect_stroke(bar, 0.0, outline, StrokeKind::Outside);
            }
            let tick = Stroke::new(1.0, color);
            for x in [bar.left(), bar.right()] {
                painter.line_segment([pos2(x, bar.bottom()), pos2(x, bar.bottom() + 3.0)], tick);
            }
            let label_y = bar.bottom() + 3.0 + gap;
            painter.text(
                pos2(bar.left(), label_y),
                Align2::LEFT_TOP,
                &self.min_label,
                font.clone(),
                color,
            );
            painter.text(
                pos2(bar.right(), label_y),
                Align2::RIGHT_TOP,
                &self.max_label,
                font,
                color,
            );
        }

        let label = match &self.caption {
            Some(caption) => format!("{caption}: {} to {}", self.min_label, self.max_label),
            None => format!("Legend: {} to {}", self.min_label, self.max_label),
        };
        let enabled = ui.is_enabled();
        response.widget_info(|| WidgetInfo::labeled(Role::Image, enabled, &label));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_mesh_spans_rect_with_ramp_colours() {
        let ramp = ColorRamp::between(Color32::BLACK, Color32::WHITE);
        let rect = Rect::from_min_max(pos2(10.0, 0.0), pos2(110.0, 5.0));
        let mesh = gradient_mesh(&ramp, rect, 4);
        assert_eq!(mesh.vertices.len(), 10);
        assert_eq!(mesh.indices.len(), 4 * 6);
        assert_eq!(mesh.vertices[0].pos, pos2(10.0, 0.0));
        assert_eq!(mesh.vertices[0].color, Color32::BLACK);
        assert_eq!(mesh.vertices[9].pos, pos2(110.0, 5.0));
        assert_eq!(mesh.vertices[9].color, Color32::WHITE);
        assert!(mesh.is_valid());
    }
}
