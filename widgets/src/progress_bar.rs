//! `TargetBar`: a horizontal bar showing a value against a target, with a marker at the target.
//!
//! Owns the geometry only; the fill colour (good / warning / bad) is the caller's judgement.

use egui::{
    Color32, CornerRadius, Painter, Rect, Response, Role, Sense, Stroke, StrokeKind, Ui, Vec2,
    Widget, WidgetInfo, pos2,
};

/// How far past the target the default scale reaches, so the marker is not glued to the end.
const DEFAULT_HEADROOM: f32 = 1.25;

/// Value-versus-target bar.
///
/// The scale runs from 0 to [`TargetBar::with_max`], by default the larger of `value` and
/// `target × 1.25`.
#[must_use = "add it with `ui.add(bar)`"]
pub struct TargetBar {
    value: f32,
    target: f32,
    max: Option<f32>,
    fill: Color32,
    track: Option<Color32>,
    marker: Option<Stroke>,
    width: Option<f32>,
    height: f32,
    label: Option<String>,
}

impl TargetBar {
    pub fn new(value: f32, target: f32, fill: Color32) -> Self {
        Self {
            value,
            target,
            max: None,
            fill,
            track: None,
            marker: None,
            width: None,
            height: 8.0,
            label: None,
        }
    }

    /// Top of the scale.
    pub fn with_max(mut self, max: f32) -> Self {
        self.max = Some(max);
        self
    }

    /// Background of the unfilled part (default: the theme's `extreme_bg_color`).
    pub fn with_track_color(mut self, track: Color32) -> Self {
        self.track = Some(track);
        self
    }

    /// Stroke of the target marker (default: 2 pt in the theme's strong text colour).
    pub fn with_marker(mut self, marker: Stroke) -> Self {
        self.marker = Some(marker);
        self
    }

    /// Width in points (default: all available width).
    pub fn with_width(mut self, width: f32) -> Self {
        self.width = Some(width);
        self
    }

    /// Height in points (default 8).
    pub fn with_height(mut self, height: f32) -> Self {
        self.height = height;
        self
    }

    /// Accessible name; defaults to "value of target".
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    fn scale_max(&self) -> f32 {
        let default =
            finite_or_zero(self.value).max(finite_or_zero(self.target) * DEFAULT_HEADROOM);
        self.max
            .filter(|m| m.is_finite() && *m > 0.0)
            .unwrap_or(default)
    }

    /// Fraction of the bar the value fills, in `0..=1`.
    pub fn value_fraction(&self) -> f32 {
        fraction(self.value, self.scale_max())
    }

    /// Where along the bar the target marker sits, in `0..=1`.
    pub fn target_fraction(&self) -> f32 {
        fraction(self.target, self.scale_max())
    }

    /// Paint into `rect` without allocating a widget.
    pub fn paint(&self, painter: &Painter, rect: Rect, visuals: &egui::Visuals) {
        let radius = CornerRadius::from(rect.height() / 2.0);
        let track = self.track.unwrap_or(visuals.extreme_bg_color);
        painter.rect_filled(rect, radius, track);

        let value_x = rect.left() + rect.width() * self.value_fraction();
        if value_x > rect.left() {
            let filled = Rect::from_min_max(rect.min, pos2(value_x, rect.bottom()));
            painter.rect_filled(filled, radius, self.fill);
        }

        let marker = self
            .marker
            .unwrap_or_else(|| Stroke::new(2.0, visuals.strong_text_color()));
        let target_x = rect.left() + rect.width() * self.target_fraction();
        painter.line_segment(
            [
                pos2(target_x, rect.top() - 2.0),
                pos2(target_x, rect.bottom() + 2.0),
            ],
            marker,
        );
        painter.rect_stroke(rect, radius, Stroke::new(1.0, track), StrokeKind::Inside);
    }
}

impl Widget for TargetBar {
    fn ui(self, ui: &mut Ui) -> Response {
        let width = self.width.unwrap_or_else(|| ui.available_width());
        let (outer, response) =
            ui.allocate_exact_size(Vec2::new(width, self.height + 4.0), Sense::hover());
        if ui.is_rect_visible(outer) {
            let bar = outer.shrink2(Vec2::new(0.0, 2.0));
            self.paint(ui.painter(), bar, ui.visuals());
        }
        let label = self
            .label
            .clone()
            .unwrap_or_else(|| format!("{} of {}", self.value, self.target));
        let enabled = ui.is_enabled();
        let value = f64::from(self.value);
        response.widget_info(|| {
            let mut info = WidgetInfo::labeled(Role::ProgressIndicator, enabled, &label);
            info.value = Some(value);
            info
        });
        response
    }
}

fn finite_or_zero(v: f32) -> f32 {
    if v.is_finite() { v } else { 0.0 }
}

/// `value / max` clamped to `0..=1`; 0 for non-finite input or an empty scale.
pub(crate) fn fraction(value: f32, max: f32) -> f32 {
    if !(value.is_finite() && max.is_finite()) || max <= 0.0 {
        return 0.0;
    }
    (value / max).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_clamp_and_guard() {
        assert_eq!(fraction(5.0, 10.0), 0.5);
        assert_eq!(fraction(15.0, 10.0), 1.0);
        assert_eq!(fraction(-1.0, 10.0), 0.0);
        assert_eq!(fraction(1.0, 0.0), 0.0);
        assert_eq!(fraction(f32::NAN, 10.0), 0.0);
    }

    #[test]
    fn default_scale_leaves_headroom_past_target() {
        let bar = TargetBar::new(50.0, 100.0, Color32::RED);
        assert_eq!(bar.target_fraction(), 0.8);
        assert_eq!(bar.value_fraction(), 0.4);
        // A value past the headroom fills the bar.
        let over = TargetBar::new(200.0, 100.0, Color32::RED);
        assert_eq!(over.value_fraction(), 1.0);
        assert_eq!(over.target_fraction(), 0.5);
        let fixed = TargetBar::new(50.0, 100.0, Color32::RED).with_max(100.0);
        assert_eq!(fixed.target_fraction(), 1.0);
        assert_eq!(fixed.value_fraction(), 0.5);
    }
}
