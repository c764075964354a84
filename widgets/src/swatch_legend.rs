//! `SwatchLegend`: a legend of discrete classes — one colour swatch and one label each, laid out
//! in a row — for banded colour scales where a gradient bar would suggest values in between.
//!
//! Owns the layout only; classes, colours and texts come from the caller.

use egui::{
    Align2, Color32, Response, Role, Sense, Stroke, StrokeKind, TextStyle, Ui, Vec2, Widget,
    WidgetInfo, pos2,
};

use crate::text::font_for;

#[must_use = "add it with `ui.add(legend)`"]
pub struct SwatchLegend<'a> {
    classes: &'a [(Color32, String)],
    caption: Option<String>,
    swatch: Vec2,
    text_style: TextStyle,
    text_color: Option<Color32>,
    outline: Option<Stroke>,
}

impl<'a> SwatchLegend<'a> {
    /// `classes` in reading order, e.g. `[(blue, "≤ 1 ms"), (orange, "> 5 ms")]`.
    pub fn new(classes: &'a [(Color32, String)]) -> Self {
        Self {
            classes,
            caption: None,
            swatch: Vec2::new(14.0, 10.0),
            text_style: TextStyle::Small,
            text_color: None,
            outline: None,
        }
    }

    /// Text above the swatches.
    pub fn with_caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// Colour of caption and labels (default: the theme's text colour).
    pub fn with_text_color(mut self, color: Color32) -> Self {
        self.text_color = Some(color);
        self
    }

    /// Outline around each swatch, so light swatches stay visible on light panels.
    pub fn with_outline(mut self, stroke: Stroke) -> Self {
        self.outline = Some(stroke);
        self
    }
}

impl Widget for SwatchLegend<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let font = font_for(ui.style(), &self.text_style);
        let color = self.text_color.unwrap_or_else(|| ui.visuals().text_color());
        let (gap, spacing) = (4.0, 12.0);
        let galleys: Vec<_> = self
            .classes
            .iter()
            .map(|(_, label)| {
                ui.painter()
                    .layout_no_wrap(label.clone(), font.clone(), color)
            })
            .collect();
        let row = galleys
            .iter()
            .map(|g| g.size().y)
            .fold(self.swatch.y, f32::max);
        let width: f32 = galleys
            .iter()
            .map(|g| self.swatch.x + gap + g.size().x + spacing)
            .sum::<f32>()
            - spacing;
        let caption = self
            .caption
            .as_ref()
            .map(|c| ui.painter().layout_no_wrap(c.clone(), font.clone(), color));
        let caption_h = caption.as_ref().map_or(0.0, |g| g.size().y + 2.0);
        let caption_w = caption.as_ref().map_or(0.0, |g| g.size().x);
        let (rect, response) = ui.allocate_exact_size(
            Vec2::new(width.max(caption_w).max(0.0), caption_h + row),
            Sense::hover(),
        );
        if ui.is_rect_visible(rect) {
            let painter = ui.painter();
            if let Some(caption) = caption {
                painter.galley(rect.left_top(), caption, color);
            }
            let mut x = rect.left();
            let mid = rect.top() + caption_h + row / 2.0;
            for ((fill, _), galley) in self.classes.iter().zip(galleys) {
                let swatch =
                    egui::Rect::from_min_size(pos2(x, mid - self.swatch.y / 2.0), self.swatch);
                painter.rect_filled(swatch, 1.0, *fill);
                if let Some(outline) = self.outline {
                    painter.rect_stroke(swatch, 1.0, outline, StrokeKind::Inside);
                }
                x += self.swatch.x + gap;
                let at = Align2::LEFT_CENTER.anchor_size(pos2(x, mid), galley.size());
                x += galley.size().x + spacing;
                painter.galley(at.min, galley, color);
            }
        }
        let mut label = self.caption.clone().unwrap_or_else(|| "Legend".to_owned());
        label.push_str(": ");
        label.push_str(
            &self
                .classes
                .iter()
                .map(|(_, l)| l.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
        let enabled = ui.is_enabled();
        response.widget_info(|| WidgetInfo::labeled(Role::Image, enabled, &label));
        response
    }
}
