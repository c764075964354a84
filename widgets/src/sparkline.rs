//! `Sparkline`: a tiny unlabeled line chart of a series of numbers.
//!
//! Owns only the drawing; the series and its colour come from the caller. Non-finite samples are
//! skipped. Per frame it allocates one `Vec` of points and nothing else.

use egui::{Color32, Painter, Rect, Response, Role, Sense, Shape, Stroke, Ui, Vec2, Widget, pos2};

/// A polyline of `values`, oldest first, scaled to fit its rectangle.
#[must_use = "add it with `ui.add(sparkline)`"]
pub struct Sparkline<'a> {
    values: &'a [f32],
    color: Color32,
    size: Vec2,
    stroke_width: f32,
    min: Option<f32>,
    max: Option<f32>,
    label: Option<String>,
}

impl<'a> Sparkline<'a> {
    pub fn new(values: &'a [f32], color: Color32) -> Self {
        Self {
            values,
            color,
            size: Vec2::new(80.0, 20.0),
            stroke_width: 1.5,
            min: None,
            max: None,
            label: None,
        }
    }

    /// Size of the widget in points (default 80 × 20).
    pub fn with_size(mut self, size: Vec2) -> Self {
        self.size = size;
        self
    }

    pub fn with_stroke_width(mut self, width: f32) -> Self {
        self.stroke_width = width;
        self
    }

    /// Fix the bottom of the scale instead of using the smallest sample.
    pub fn with_min(mut self, min: f32) -> Self {
        self.min = Some(min);
        self
    }

    /// Fix the top of the scale instead of using the largest sample.
    pub fn with_max(mut self, max: f32) -> Self {
        self.max = Some(max);
        self
    }

    /// Accessible name; defaults to a summary of the series.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Paint into `rect` without allocating a widget (for use inside other widgets).
    pub fn paint(&self, painter: &Painter, rect: Rect) {
        let points = self.screen_points(rect);
        let stroke = Stroke::new(self.stroke_width, self.color);
        match points.len() {
            0 => {}
            1 => {
                painter.circle_filled(points[0], self.stroke_width, self.color);
            }
            _ => {
                painter.add(Shape::line(points, stroke));
            }
        }
    }

    /// The series mapped into `rect` (top = max). Non-finite samples are left out.
    pub fn screen_points(&self, rect: Rect) -> Vec<egui::Pos2> {
        let (lo, hi) = self.range();
        let count = self.values.len();
        let mut points = Vec::with_capacity(count);
        let dx = if count > 1 {
            rect.width() / (count - 1) as f32
        } else {
            0.0
        };
        for (i, &v) in self.values.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let t = if hi > lo {
                ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
            } else {
                0.5
            };
            let x = if count > 1 {
                rect.left() + dx * i as f32
            } else {
                rect.center().x
            };
            points.push(pos2(x, rect.bottom() - t * rect.height()));
        }
        points
    }

    fn range(&self) -> (f32, f32) {
        let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
        for &v in self.values.iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        (
            self.min.filter(|v| v.is_finite()).unwrap_or(lo),
            self.max.filter(|v| v.is_finite()).unwrap_or(hi),
        )
    }

    fn accessible_label(&self) -> String {
        if let Some(label) = &self.label {
            return label.clone();
        }
        match self.values.iter().rev().find(|v| v.is_finite()) {
            Some(last) => format!("Sparkline, {} samples, last {last}", self.values.len()),
            None => "Sparkline, no data".to_owned(),
        }
    }
}

impl Widget for Sparkline<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let (rect, response) = ui.allocate_exact_size(self.size, Sense::hover());
        if ui.is_rect_visible(rect) {
            self.paint(ui.painter(), rect);
        }
        let label = self.accessible_label();
        let enabled = ui.is_enabled();
        response.widget_info(|| egui::WidgetInfo::labeled(Role::Image, enabled, &label));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect() -> Rect {
        Rect::from_min_max(pos2(0.0, 0.0), pos2(100.0, 10.0))
    }

    #[test]
    fn maps_min_to_bottom_and_max_to_top() {
        let values = [1.0, 3.0, 2.0];
        let points = Sparkline::new(&values, Color32::RED).screen_points(rect());
        assert_eq!(
            points,
            vec![pos2(0.0, 10.0), pos2(50.0, 0.0), pos2(100.0, 5.0)]
        );
    }

    #[test]
    fn fixed_range_clamps() {
        let values = [-5.0, 5.0, 20.0];
        let points = Sparkline::new(&values, Color32::RED)
            .with_min(0.0)
            .with_max(10.0)
            .screen_points(rect());
        let ys: Vec<f32> = points.iter().map(|p| p.y).collect();
        assert_eq!(ys, vec![10.0, 5.0, 0.0]);
    }

    #[test]
    fn skips_non_finite_and_handles_flat_series() {
        let values = [2.0, f32::NAN, 2.0];
        let points = Sparkline::new(&values, Color32::RED).screen_points(rect());
        assert_eq!(points, vec![pos2(0.0, 5.0), pos2(100.0, 5.0)]);
        assert!(
            Sparkline::new(&[], Color32::RED)
                .screen_points(rect())
                .is_empty()
        );
        let single = Sparkline::new(&[4.0], Color32::RED).screen_points(rect());
        assert_eq!(single, vec![pos2(50.0, 5.0)]);
    }
}
