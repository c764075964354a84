//! Map corner overlays: `Attribution` text (bottom-right) and a `ScaleBar` (bottom-left).
//!
//! Screen-space furniture for a map; colours default to the theme's visuals and can be passed in.

use egui::{Align2, Color32, Response, Role, Stroke, TextStyle, Ui, Vec2, pos2};
use walkers::{MapMemory, Plugin, Projector};

use crate::{access::labeled_rect, text::font_for};

const MARGIN: f32 = 6.0;

/// Tile-source credit in the bottom-right corner of the map.
#[must_use = "add it to a map with `Map::with_plugin`"]
pub struct Attribution {
    text: String,
    text_color: Option<Color32>,
    background: Option<Color32>,
    text_style: TextStyle,
    /// Widest the box may be, as a share of the map's width (it wraps beyond).
    max_width_share: f32,
}

impl Attribution {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            text_color: None,
            background: None,
            text_style: TextStyle::Small,
            max_width_share: 0.45,
        }
    }

    /// Widest the box may be, as a share of the map's width (default 0.45: the bottom-left
    /// corner stays free for a legend or a scale).
    pub fn with_max_width_share(mut self, share: f32) -> Self {
        self.max_width_share = share.clamp(0.1, 1.0);
        self
    }

    /// Text colour (default: the theme's weak text colour).
    pub fn with_text_color(mut self, color: Color32) -> Self {
        self.text_color = Some(color);
        self
    }

    /// Box colour (default: the theme's window fill); opaque, so the map's own labels never show
    /// through the text.
    pub fn with_background(mut self, color: Color32) -> Self {
        self.background = Some(color);
        self
    }

    pub fn with_text_style(mut self, style: TextStyle) -> Self {
        self.text_style = style;
        self
    }
}

impl Plugin for Attribution {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &Response,
        projector: &Projector,
        _map_memory: &MapMemory,
    ) {
        let clip = projector.clip_rect();
        let visuals = ui.visuals();
        let color = self.text_color.unwrap_or_else(|| visuals.weak_text_color());
        let background = self.background.unwrap_or(visuals.window_fill);
        let font = font_for(ui.style(), &self.text_style);
        let painter = ui.painter().with_clip_rect(clip);
        let padding = Vec2::new(4.0, 2.0);
        let wrap = (clip.width() * self.max_width_share - 2.0 * padding.x).max(40.0);
        let galley = painter.layout(self.text.clone(), font, color, wrap);
        let rect = Align2::RIGHT_BOTTOM.anchor_size(
            clip.right_bottom() - Vec2::splat(MARGIN),
            galley.size() + 2.0 * padding,
        );
        painter.rect_filled(rect, 3.0, background);
        painter.galley(rect.min + padding, galley, color);
        labeled_rect(
            ui,
            ui.scope_id().with("attribution"),
            rect,
            Role::Label,
            &self.text,
        );
    }
}

/// Distance scale in the bottom-left corner, in metres or kilometres.
#[must_use = "add it to a map with `Map::with_plugin`"]
pub struct ScaleBar {
    max_width: f32,
    color: Option<Color32>,
    background: Option<Color32>,
    text_style: TextStyle,
}

impl Default for ScaleBar {
    fn default() -> Self {
        Self::new()
    }
}

impl ScaleBar {
    pub fn new() -> Self {
        Self {
            max_width: 120.0,
            color: None,
            background: None,
            text_style: TextStyle::Small,
        }
    }

    /// Longest the bar may get, in points (default 120).
    pub fn with_max_width(mut self, width: f32) -> Self {
        self.max_width = width;
        self
    }

    /// Line and text colour (default: the theme's text colour).
    pub fn with_color(mut self, color: Color32) -> Self {
        self.color = Some(color);
        self
    }

    /// Box colour (default: the theme's window fill, slightly transparent).
    pub fn with_background(mut self, color: Color32) -> Self {
        self.background = Some(color);
        self
    }

    pub fn with_text_style(mut self, style: TextStyle) -> Self {
        self.text_style = style;
        self
    }
}

/// The largest 1-2-5 × 10ⁿ length not above `max_meters`.
pub fn nice_scale_length(max_meters: f64) -> f64 {
    if !(max_meters.is_finite() && max_meters > 0.0) {
        return 0.0;
    }
    let mut magnitude = 10f64.powi(max_meters.log10().floor() as i32);
    // log10 can land a hair under an exact power of ten.
    if magnitude * 10.0 <= max_meters {
        magnitude *= 10.0;
    }
    let leading = max_meters / magnitude;
    let step = if leading >= 5.0 {
        5.0
    } else if leading >= 2.0 {
        2.0
    } else {
        1.0
    };
    step * magnitude
}

/// `"500 m"`, `"2 km"`, `"1500 km"`.
pub fn format_distance(meters: f64) -> String {
    if meters >= 1000.0 {
        format!("{} km", trim(meters / 1000.0))
    } else if meters >= 1.0 {
        format!("{} m", trim(meters))
    } else {
        format!("{} cm", trim(meters * 100.0))
    }
}

fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round())
    } else {
        format!("{v:.1}")
    }
}

impl Plugin for ScaleBar {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &Response,
        projector: &Projector,
        _map_memory: &MapMemory,
    ) {
        let clip = projector.clip_rect();
        let center = projector.unproject(clip.center().to_vec2());
        let px_per_m = f64::from(projector.scale_pixel_per_meter(center));
        let meters = nice_scale_length(f64::from(self.max_width) / px_per_m);
        let width = (meters * px_per_m) as f32;
        if !(meters > 0.0 && width.is_finite() && width >= 1.0) {
            return;
        }
        let visuals = ui.visuals();
        let color = self.color.unwrap_or_else(|| visuals.text_color());
        let background = self
            .background
            .unwrap_or_else(|| visuals.window_fill.gamma_multiply(0.8));
        let font = font_for(ui.style(), &self.text_style);
        let label = format_distance(meters);
        let painter = ui.painter().with_clip_rect(clip);
        let galley = painter.layout_no_wrap(label.clone(), font, color);

        let padding = Vec2::new(4.0, 2.0);
        let size = Vec2::new(width.max(galley.size().x), galley.size().y + 6.0) + 2.0 * padding;
        let rect =
            Align2::LEFT_BOTTOM.anchor_size(clip.left_bottom() + Vec2::new(MARGIN, -MARGIN), size);
        painter.rect_filled(rect, 3.0, background);
        painter.galley(rect.min + padding, galley, color);
        let y = rect.bottom() - padding.y - 1.0;
        let (x0, x1) = (rect.left() + padding.x, rect.left() + padding.x + width);
        let stroke = Stroke::new(1.5, color);
        painter.line_segment([pos2(x0, y), pos2(x1, y)], stroke);
        for x in [x0, x1] {
            painter.line_segment([pos2(x, y - 4.0), pos2(x, y)], stroke);
        }
        labeled_rect(
            ui,
            ui.scope_id().with("scale_bar"),
            rect,
            Role::Label,
            &format!("Scale: {label}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_lengths() {
        assert_eq!(nice_scale_length(123.0), 100.0);
        assert_eq!(nice_scale_length(260.0), 200.0);
        assert_eq!(nice_scale_length(999.0), 500.0);
        assert_eq!(nice_scale_length(1000.0), 1000.0);
        assert!((nice_scale_length(0.37) - 0.2).abs() < 1e-12);
        assert_eq!(nice_scale_length(10_000.0), 10_000.0);
        assert_eq!(nice_scale_length(0.0), 0.0);
        assert_eq!(nice_scale_length(f64::NAN), 0.0);
    }

    #[test]
    fn distance_labels() {
        assert_eq!(format_distance(500.0), "500 m");
        assert_eq!(format_distance(2000.0), "2 km");
        assert_eq!(format_distance(1_500_000.0), "1500 km");
        assert_eq!(format_distance(0.2), "20 cm");
    }
}
