//! `StatusPill`: a rounded label with a fill colour, for states such as "online" or "degraded".
//!
//! Still by default: a wall display must stay idle. Blinking is opt-in and schedules its own next
//! frame with `request_repaint_after`, never with an unbounded `request_repaint`.

use std::time::Duration;

use egui::{
    Align2, Color32, CornerRadius, Response, Role, Sense, Stroke, StrokeKind, TextStyle, Ui, Vec2,
    Widget, WidgetInfo,
};

use crate::text::font_for;

/// How much a blinking pill fades in its "off" half.
const BLINK_DIM: f32 = 0.35;

#[must_use = "add it with `ui.add(pill)`"]
pub struct StatusPill {
    text: String,
    fill: Color32,
    text_color: Color32,
    stroke: Stroke,
    text_style: TextStyle,
    padding: Vec2,
    blink: bool,
    blink_period: Duration,
    sense: Sense,
}

impl StatusPill {
    pub fn new(text: impl Into<String>, fill: Color32, text_color: Color32) -> Self {
        Self {
            text: text.into(),
            fill,
            text_color,
            stroke: Stroke::NONE,
            text_style: TextStyle::Small,
            padding: Vec2::new(8.0, 2.0),
            blink: false,
            blink_period: Duration::from_millis(1200),
            sense: Sense::hover(),
        }
    }

    /// What the pill answers to (default hover only; `Sense::click()` makes it a button).
    pub fn sense(mut self, sense: Sense) -> Self {
        self.sense = sense;
        self
    }

    /// Outline around the pill (default none).
    pub fn with_stroke(mut self, stroke: Stroke) -> Self {
        self.stroke = stroke;
        self
    }

    /// Text style registered by the app (default [`TextStyle::Small`]).
    pub fn with_text_style(mut self, text_style: TextStyle) -> Self {
        self.text_style = text_style;
        self
    }

    /// Space between text and edge, in points (default 8 × 2).
    pub fn with_padding(mut self, padding: Vec2) -> Self {
        self.padding = padding;
        self
    }

    /// Fade the fill in and out. Off by default; costs about two repaints per period.
    pub fn with_blink(mut self, blink: bool) -> Self {
        self.blink = blink;
        self
    }

    /// Full on + off cycle of a blinking pill (default 1.2 s).
    pub fn with_blink_period(mut self, period: Duration) -> Self {
        self.blink_period = period;
        self
    }
}

/// Whether a blinking pill is in its bright half at `time` seconds, and how long until it flips.
pub(crate) fn blink_phase(time: f64, period: Duration) -> (bool, Duration) {
    let half = (period.as_secs_f64() / 2.0).max(0.05);
    let phase = time.max(0.0) / half;
    let bright = (phase.floor() as u64).is_multiple_of(2);
    let until_flip = (phase.floor() + 1.0 - phase) * half;
    (bright, Duration::from_secs_f64(until_flip.max(0.001)))
}

impl Widget for StatusPill {
    fn ui(self, ui: &mut Ui) -> Response {
        let font = font_for(ui.style(), &self.text_style);
        let galley = ui
            .painter()
            .layout_no_wrap(self.text.clone(), font, self.text_color);
        let size = galley.size() + 2.0 * self.padding;
        let (rect, response) = ui.allocate_exact_size(size, self.sense);

        if ui.is_rect_visible(rect) {
            let mut fill = self.fill;
            if self.blink {
                let (bright, until_flip) = blink_phase(ui.input(|i| i.time), self.blink_period);
                if !bright {
                    fill = fill.gamma_multiply(BLINK_DIM);
                }
                ui.ctx().request_repaint_after(until_flip);
            }
            let radius = CornerRadius::from(rect.height() / 2.0);
            ui.painter()
                .rect(rect, radius, fill, self.stroke, StrokeKind::Inside);
            let text_pos = Align2::CENTER_CENTER
                .anchor_size(rect.center(), galley.size())
                .min;
            ui.painter().galley(text_pos, galley, self.text_color);
        }

        let enabled = ui.is_enabled();
        response.widget_info(|| WidgetInfo::labeled(Role::Label, enabled, &self.text));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blink_alternates_each_half_period() {
        let period = Duration::from_secs(2);
        let (bright, until) = blink_phase(0.25, period);
        assert!(bright);
        assert!((until.as_secs_f64() - 0.75).abs() < 1e-9);
        let (bright, until) = blink_phase(1.5, period);
        assert!(!bright);
        assert!((until.as_secs_f64() - 0.5).abs() < 1e-9);
        assert!(blink_phase(2.1, period).0);
    }
}
