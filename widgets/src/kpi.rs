//! `KpiTile`: one headline number with its caption, unit, change, target bar and trend.
//!
//! Owns the tile's layout only. Values arrive already formatted; colours and text styles are the
//! app's theme tokens. Nothing here animates or asks for a repaint.

use egui::{
    Color32, Galley, Rect, Response, Role, Sense, Stroke, StrokeKind, TextStyle, Ui, Vec2, Widget,
    WidgetInfo, pos2, vec2,
};
use std::sync::Arc;

use crate::{Sparkline, TargetBar, text::font_for};

const MIN_WIDTH: f32 = 140.0;
const BAR_HEIGHT: f32 = 6.0;

struct Target {
    value: f32,
    target: f32,
    fill: Color32,
    label: String,
}

#[must_use = "add it with `ui.add(tile)`"]
pub struct KpiTile<'a> {
    caption: String,
    value: String,
    unit: Option<String>,
    delta: Option<(String, Color32)>,
    target: Option<Target>,
    sparkline: Option<(&'a [f32], Color32)>,
    value_style: TextStyle,
    caption_style: TextStyle,
    unit_style: TextStyle,
    value_color: Option<Color32>,
    caption_color: Option<Color32>,
    fill: Option<Color32>,
    stroke: Stroke,
    width: Option<f32>,
    sparkline_height: f32,
    padding: f32,
}

impl<'a> KpiTile<'a> {
    /// `value` is shown as given, so format it (digits, thousands separators) before.
    pub fn new(caption: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            caption: caption.into(),
            value: value.into(),
            unit: None,
            delta: None,
            target: None,
            sparkline: None,
            value_style: TextStyle::Heading,
            caption_style: TextStyle::Small,
            unit_style: TextStyle::Body,
            value_color: None,
            caption_color: None,
            fill: None,
            stroke: Stroke::NONE,
            width: None,
            sparkline_height: 24.0,
            padding: 10.0,
        }
    }

    /// Unit after the value, e.g. `"Gbps"`.
    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Change since the last period, e.g. `"▲ 3.2 %"`, in its own colour.
    pub fn with_delta(mut self, delta: impl Into<String>, color: Color32) -> Self {
        self.delta = Some((delta.into(), color));
        self
    }

    /// A [`TargetBar`] of `value` against `target`, filled in `fill`.
    pub fn with_target(mut self, value: f32, target: f32, fill: Color32) -> Self {
        self.target = Some(Target {
            value,
            target,
            fill,
            label: format!("target {target}"),
        });
        self
    }

    /// Recent history drawn as a line across the bottom of the tile.
    pub fn with_sparkline(mut self, values: &'a [f32], color: Color32) -> Self {
        self.sparkline = Some((values, color));
        self
    }

    pub fn with_value_style(mut self, style: TextStyle) -> Self {
        self.value_style = style;
        self
    }

    pub fn with_caption_style(mut self, style: TextStyle) -> Self {
        self.caption_style = style;
        self
    }

    pub fn with_unit_style(mut self, style: TextStyle) -> Self {
        self.unit_style = style;
        self
    }

    /// Colour of value and unit (default: the theme's strong text colour).
    pub fn with_value_color(mut self, color: Color32) -> Self {
        self.value_color = Some(color);
        self
    }

    /// Colour of the caption (default: the theme's weak text colour).
    pub fn with_caption_color(mut self, color: Color32) -> Self {
        self.caption_color = Some(color);
        self
    }

    /// Tile background (default: the theme's `faint_bg_color`).
    pub fn with_fill(mut self, fill: Color32) -> Self {
        self.fill = Some(fill);
        self
    }

    pub fn with_stroke(mut self, stroke: Stroke) -> Self {
        self.stroke = stroke;
        self
    }

    /// Fixed outer width; by default the content width, at least 140 pt.
    pub fn with_width(mut self, width: f32) -> Self {
        self.width = Some(width);
        self
    }

    pub fn with_sparkline_height(mut self, height: f32) -> Self {
        self.sparkline_height = height;
        self
    }

    pub fn with_padding(mut self, padding: f32) -> Self {
        self.padding = padding;
        self
    }

    fn accessible_label(&self) -> String {
        let mut label = format!("{}: {}", self.caption, self.value);
        if let Some(unit) = &self.unit {
            label.push(' ');
            label.push_str(unit);
        }
        if let Some((delta, _)) = &self.delta {
            label.push_str(", ");
            label.push_str(delta);
        }
        if let Some(target) = &self.target {
            label.push_str(", ");
            label.push_str(&target.label);
        }
        label
    }
}

fn layout(ui: &Ui, text: &str, style: &TextStyle, color: Color32) -> Arc<Galley> {
    let font = font_for(ui.style(), style);
    ui.painter().layout_no_wrap(text.to_owned(), font, color)
}

impl Widget for KpiTile<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let visuals = ui.visuals().clone();
        let value_color = self
            .value_color
            .unwrap_or_else(|| visuals.strong_text_color());
        let caption_color = self
            .caption_color
            .unwrap_or_else(|| visuals.weak_text_color());
        let gap = ui.spacing().item_spacing.y.max(2.0);

        let caption = layout(ui, &self.caption, &self.caption_style, caption_color);
        let value = layout(ui, &self.value, &self.value_style, value_color);
        let unit = self
            .unit
            .as_deref()
            .map(|u| layout(ui, u, &self.unit_style, value_color));
        let delta = self
            .delta
            .as_ref()
            .map(|(d, c)| layout(ui, d, &self.caption_style, *c));

        let unit_gap = 4.0;
        let value_row_width = value.size().x
            + unit.as_ref().map_or(0.0, |u| unit_gap + u.size().x)
            + delta.as_ref().map_or(0.0, |d| 2.0 * unit_gap + d.size().x);
        let content_width = caption.size().x.max(value_row_width);
        let width = self
            .width
            .unwrap_or((content_width + 2.0 * self.padding).max(MIN_WIDTH));

        let mut height = self.padding + caption.size().y + gap + value.size().y;
        if self.target.is_some() {
            height += gap + BAR_HEIGHT + 4.0;
        }
        if self.sparkline.is_some() {
            height += gap + self.sparkline_height;
        }
        height += self.padding;

        let (rect, response) = ui.allocate_exact_size(vec2(width, height), Sense::hover());

        if ui.is_rect_visible(rect) {
            let painter = ui.painter();
            let radius = visuals.widgets.noninteractive.corner_radius;
            painter.rect(
                rect,
                radius,
                self.fill.unwrap_or(visuals.faint_bg_color),
                self.stroke,
                StrokeKind::Inside,
            );
            let inner = rect.shrink(self.padding);
            let mut y = inner.top();

            let caption_height = caption.size().y;
            painter.galley(pos2(inner.left(), y), caption, caption_color);
            y += caption_height + gap;

            // Unit and delta sit on the value's baseline-ish: bottom-aligned with it.
            let value_size = value.size();
            let value_bottom = y + value_size.y;
            painter.galley(pos2(inner.left(), y), value, value_color);
            let mut x = inner.left() + value_size.x + unit_gap;
            if let Some(unit) = unit {
                let size = unit.size();
                painter.galley(pos2(x, value_bottom - size.y), unit, value_color);
                x += size.x + unit_gap;
            }
            if let (Some(delta), Some((_, delta_color))) = (delta, &self.delta) {
                let size = delta.size();
                painter.galley(
                    pos2(x + unit_gap, value_bottom - size.y),
                    delta,
                    *delta_color,
                );
            }
            y = value_bottom;

            if let Some(target) = &self.target {
                y += gap;
                let bar = Rect::from_min_size(
                    pos2(inner.left(), y + 2.0),
                    vec2(inner.width(), BAR_HEIGHT),
                );
                TargetBar::new(target.value, target.target, target.fill)
                    .paint(painter, bar, &visuals);
                y += BAR_HEIGHT + 4.0;
            }
            if let Some((values, color)) = self.sparkline {
                y += gap;
                let area = Rect::from_min_size(
                    pos2(inner.left(), y),
                    Vec2::new(inner.width(), self.sparkline_height),
                );
                Sparkline::new(values, color).paint(painter, area);
            }
        }

        let label = self.accessible_label();
        let enabled = ui.is_enabled();
        response.widget_info(|| WidgetInfo::labeled(Role::Label, enabled, &label));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessible_label_reads_like_a_sentence() {
        let tile = KpiTile::new("Throughput", "42.0")
            .with_unit("Gbps")
            .with_delta("+3 %", Color32::GREEN)
            .with_target(42.0, 50.0, Color32::GREEN);
        assert_eq!(
            tile.accessible_label(),
            "Throughput: 42.0 Gbps, +3 %, target 50"
        );
    }
}
