//! `LaneTimeline`: markers on horizontal lanes over time, zoomable and pannable, with hover and
//! click.
//!
//! Knows only lanes (names), markers (lane, time in seconds, glyph, colour, id, label) and a
//! [`TimeWindow`] the caller keeps between frames; what the markers stand for is the caller's
//! business. The window follows "now" until the user pans into the past; ctrl + scroll (or a
//! pinch) zooms around the pointer, dragging or shift + scroll pans, a double click returns to
//! now. Markers are filled shapes without outlines (cheap in any number); each visible marker
//! gets an accessibility node up to [`ACCESSIBLE_MARKER_LIMIT`].

use egui::{
    Align2, Color32, FontId, Pos2, Rect, Response, Role, Sense, Shape, Stroke, TextStyle, Ui, Vec2,
    pos2, vec2,
};

use crate::{access::labeled_rect, text::font_for};

/// Give each visible marker its own accessibility node only up to this many.
pub const ACCESSIBLE_MARKER_LIMIT: usize = 300;
/// Distance within which the pointer hovers a marker, points.
const HIT_DISTANCE: f32 = 7.0;
const AXIS_HEIGHT: f32 = 18.0;
/// Tick spacing candidates, seconds.
const TICK_STEPS: [f64; 17] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
    10800.0, 21600.0, 43200.0,
];

/// How a marker is drawn; pick one per kind of event so colour is never the only cue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Glyph {
    #[default]
    Circle,
    Diamond,
    Square,
    TriangleUp,
    TriangleDown,
    Cross,
}

/// One event on a lane.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineMarker {
    /// Index into the lanes.
    pub lane: usize,
    /// Time, seconds (any epoch, the same as `now` and the window).
    pub t: f64,
    pub glyph: Glyph,
    pub color: Color32,
    pub id: u64,
    /// Hover text and accessible name.
    pub label: String,
}

/// The time span shown; keep it between frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWindow {
    /// Seconds shown.
    pub span: f64,
    /// Right edge, seconds; `None` follows now.
    pub end: Option<f64>,
}

impl TimeWindow {
    pub fn new(span: f64) -> Self {
        Self { span, end: None }
    }

    pub fn follows_now(&self) -> bool {
        self.end.is_none()
    }

    /// Back to following now, keeping the span.
    pub fn follow(&mut self) {
        self.end = None;
    }

    /// `(start, end)` at `now`.
    pub fn range(&self, now: f64) -> (f64, f64) {
        let end = self.end.unwrap_or(now);
        (end - self.span, end)
    }

    /// Shows `factor` times the span (below 1 zooms in) keeping `anchor` (seconds) where it is on
    /// screen; the span stays within `min..=max`.
    pub fn zoom(&mut self, factor: f64, anchor: f64, now: f64, min: f64, max: f64) {
        let (start, end) = self.range(now);
        let span = (self.span * factor).clamp(min, max);
        let frac = if end > start {
            ((anchor - start) / (end - start)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let new_end = anchor + (1.0 - frac) * span;
        self.span = span;
        self.end = if self.end.is_none() && frac >= 0.999 {
            None
        } else {
            Some(new_end)
        };
        self.clamp_to(now);
    }

    /// Moves the window by `dt` seconds (negative: into the past).
    pub fn pan(&mut self, dt: f64, now: f64) {
        let (_, end) = self.range(now);
        self.end = Some(end + dt);
        self.clamp_to(now);
    }

    /// A window that reaches now follows it again.
    fn clamp_to(&mut self, now: f64) {
        if self.end.is_some_and(|e| e >= now) {
            self.end = None;
        }
    }
}

/// What happened this frame.
pub struct TimelineOutput {
    pub response: Response,
    pub hovered: Option<u64>,
    pub clicked: Option<u64>,
}

/// Markers on lanes over time.
#[must_use = "call `show`"]
pub struct LaneTimeline<'a> {
    lanes: &'a [String],
    markers: &'a [TimelineMarker],
    window: &'a mut TimeWindow,
    now: f64,
    selected: Option<u64>,
    lane_height: f32,
    label_width: f32,
    marker_radius: f32,
    min_span: f64,
    max_span: f64,
    colors: TimelineColors,
    highlight: Stroke,
    tick_label: Box<dyn Fn(f64) -> String + 'a>,
    name: String,
}

/// The timeline's own colours (the markers carry theirs): the caller's theme decides them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimelineColors {
    /// Lane names and tick labels.
    pub text: Color32,
    /// Lane bands and tick lines.
    pub grid: Color32,
    /// The "now" line.
    pub now: Color32,
}

impl<'a> LaneTimeline<'a> {
    pub fn new(
        lanes: &'a [String],
        markers: &'a [TimelineMarker],
        window: &'a mut TimeWindow,
        now: f64,
        colors: TimelineColors,
    ) -> Self {
        Self {
            lanes,
            markers,
            window,
            now,
            selected: None,
            lane_height: 20.0,
            label_width: 150.0,
            marker_radius: 5.0,
            min_span: 10.0,
            max_span: 7.0 * 86_400.0,
            colors,
            highlight: Stroke::new(2.0, colors.text),
            tick_label: Box::new(|t| format!("{t:.0}")),
            name: "Timeline".to_owned(),
        }
    }

    /// Ring around every marker with this id.
    pub fn with_selected(mut self, id: Option<u64>, stroke: Stroke) -> Self {
        self.selected = id;
        self.highlight = stroke;
        self
    }

    pub fn with_lane_height(mut self, height: f32) -> Self {
        self.lane_height = height.max(8.0);
        self
    }

    pub fn with_label_width(mut self, width: f32) -> Self {
        self.label_width = width.max(0.0);
        self
    }

    pub fn with_marker_radius(mut self, radius: f32) -> Self {
        self.marker_radius = radius.max(1.5);
        self
    }

    /// Narrowest and widest span the user may zoom to, seconds.
    pub fn with_span_limits(mut self, min: f64, max: f64) -> Self {
        self.min_span = min.max(1e-3);
        self.max_span = max.max(self.min_span);
        self
    }

    /// Text under a tick at time `t` (seconds).
    pub fn with_tick_label(mut self, format: impl Fn(f64) -> String + 'a) -> Self {
        self.tick_label = Box::new(format);
        self
    }

    /// Accessible name of the whole timeline.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    pub fn show(self, ui: &mut Ui) -> TimelineOutput {
        let height = self.lanes.len().max(1) as f32 * self.lane_height + AXIS_HEIGHT;
        let (rect, response) =
            ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::click_and_drag());
        let plot = Rect::from_min_max(
            pos2(rect.left() + self.label_width, rect.top()),
            pos2(rect.right() - 4.0, rect.bottom() - AXIS_HEIGHT),
        );
        let width = f64::from(plot.width().max(1.0));
        let now = self.now;

        // Interaction first, so this frame draws the window it leaves.
        let pointer = ui.input(|i| i.pointer.hover_pos());
        let over = pointer.filter(|p| rect.contains(*p));
        if let Some(p) = over {
            let (start, end) = self.window.range(now);
            let anchor = start + f64::from(p.x - plot.left()) / width * (end - start);
            let (zoom, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta));
            if (zoom - 1.0).abs() > 1e-4 {
                let factor = 1.0 / f64::from(zoom);
                self.window
                    .zoom(factor, anchor, now, self.min_span, self.max_span);
            }
            if scroll.x.abs() > 0.0 {
                self.window
                    .pan(-f64::from(scroll.x) / width * self.window.span, now);
            }
        }
        if response.dragged() {
            let dx = response.drag_delta().x;
            if dx != 0.0 {
                self.window
                    .pan(-f64::from(dx) / width * self.window.span, now);
            }
        }
        if response.double_clicked() {
            self.window.follow();
        }

        let (start, end) = self.window.range(now);
        let x_of = |t: f64| plot.left() + ((t - start) / (end - start).max(1e-9) * width) as f32;
        let painter = ui.painter_at(rect);
        let small = font_for(ui.style(), &TextStyle::Small);

        // Lanes: stripes and names.
        for (i, name) in self.lanes.iter().enumerate() {
            let top = plot.top() + i as f32 * self.lane_height;
            let lane = Rect::from_min_max(
                pos2(rect.left(), top),
                pos2(plot.right(), top + self.lane_height),
            );
            if i % 2 == 0 {
                painter.rect_filled(lane, 0.0, self.colors.grid.gamma_multiply(0.25));
            }
            painter.text(
                pos2(rect.left() + 4.0, lane.center().y),
                Align2::LEFT_CENTER,
                truncate(name, self.label_width - 8.0, &small, ui),
                small.clone(),
                self.colors.text,
            );
        }

        // Time axis.
        let step = tick_step(end - start, f64::from(plot.width()) / 110.0);
        let mut t = (start / step).ceil() * step;
        while t <= end {
            let x = x_of(t);
            painter.line_segment(
                [pos2(x, plot.top()), pos2(x, plot.bottom())],
                Stroke::new(1.0, self.colors.grid),
            );
            painter.text(
                pos2(x, plot.bottom() + 2.0),
                Align2::CENTER_TOP,
                (self.tick_label)(t),
                small.clone(),
                self.colors.text,
            );
            t += step;
        }
        if (start..=end).contains(&now) {
            let x = x_of(now);
            painter.line_segment(
                [pos2(x, plot.top()), pos2(x, plot.bottom())],
                Stroke::new(1.5, self.colors.now),
            );
        }

        // Markers.
        let r = self.marker_radius;
        let mut visible: Vec<(usize, Pos2)> = Vec::new();
        let mut shapes: Vec<Shape> = Vec::new();
        for (k, m) in self.markers.iter().enumerate() {
            if m.lane >= self.lanes.len() || m.t < start || m.t > end {
                continue;
            }
            let center = pos2(
                x_of(m.t),
                plot.top() + (m.lane as f32 + 0.5) * self.lane_height,
            );
            glyph_shapes(&mut shapes, m.glyph, center, r, m.color);
            visible.push((k, center));
        }
        let hovered = over.and_then(|p| {
            visible
                .iter()
                .map(|(k, c)| (*k, c.distance(p)))
                .filter(|(_, d)| *d <= HIT_DISTANCE)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(k, _)| k)
        });
        for (k, center) in &visible {
            let m = &self.markers[*k];
            if Some(m.id) == self.selected || Some(*k) == hovered {
                shapes.push(Shape::circle_stroke(*center, r + 2.5, self.highlight));
            }
        }
        painter.extend(shapes);

        let id = response.id;
        labeled_rect(
            ui,
            id.with("summary"),
            plot,
            Role::Image,
            &format!(
                "{}: {} of {} shown",
                self.name,
                visible.len(),
                self.markers.len()
            ),
        );
        if visible.len() <= ACCESSIBLE_MARKER_LIMIT {
            for (k, center) in &visible {
                let m = &self.markers[*k];
                labeled_rect(
                    ui,
                    id.with(("marker", *k)),
                    Rect::from_center_size(*center, Vec2::splat(2.0 * r)),
                    Role::Button,
                    &m.label,
                );
            }
        }

        let hovered_marker = hovered.map(|k| &self.markers[k]);
        let clicked = hovered_marker.filter(|_| response.clicked()).map(|m| m.id);
        let response = match hovered_marker {
            Some(m) => response.on_hover_text_at_pointer(m.label.clone()),
            None => response,
        };
        TimelineOutput {
            response,
            hovered: hovered_marker.map(|m| m.id),
            clicked,
        }
    }
}

/// The smallest tick step (from a fixed list of round durations) that leaves at most
/// `max_ticks` ticks in `span` seconds.
pub fn tick_step(span: f64, max_ticks: f64) -> f64 {
    let max_ticks = max_ticks.max(1.0);
    TICK_STEPS
        .iter()
        .copied()
        .find(|s| span / s <= max_ticks)
        .unwrap_or_else(|| (span / max_ticks / 86_400.0).ceil().max(1.0) * 86_400.0)
}

fn glyph_shapes(out: &mut Vec<Shape>, glyph: Glyph, c: Pos2, r: f32, color: Color32) {
    match glyph {
        Glyph::Circle => out.push(Shape::circle_filled(c, r, color)),
        Glyph::Square => out.push(Shape::rect_filled(
            Rect::from_center_size(c, Vec2::splat(1.6 * r)),
            0.0,
            color,
        )),
        Glyph::Diamond => out.push(Shape::convex_polygon(
            vec![
                c + vec2(0.0, -r * 1.2),
                c + vec2(r * 1.2, 0.0),
                c + vec2(0.0, r * 1.2),
                c + vec2(-r * 1.2, 0.0),
            ],
            color,
            Stroke::NONE,
        )),
        Glyph::TriangleUp => out.push(Shape::convex_polygon(
            vec![
                c + vec2(0.0, -r * 1.2),
                c + vec2(r * 1.1, r * 0.9),
                c + vec2(-r * 1.1, r * 0.9),
            ],
            color,
            Stroke::NONE,
        )),
        Glyph::TriangleDown => out.push(Shape::convex_polygon(
            vec![
                c + vec2(-r * 1.1, -r * 0.9),
                c + vec2(r * 1.1, -r * 0.9),
                c + vec2(0.0, r * 1.2),
            ],
            color,
            Stroke::NONE,
        )),
        Glyph::Cross => {
            let s = Stroke::new(r * 0.6, color);
            out.push(Shape::line_segment([c + vec2(-r, -r), c + vec2(r, r)], s));
            out.push(Shape::line_segment([c + vec2(-r, r), c + vec2(r, -r)], s));
        }
    }
}

/// A small swatch of `glyph` for legends: allocates `size` and draws the glyph in it.
pub fn glyph_swatch(ui: &mut Ui, glyph: Glyph, color: Color32, size: f32) -> Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    let mut shapes = Vec::new();
    glyph_shapes(&mut shapes, glyph, rect.center(), size * 0.35, color);
    ui.painter().extend(shapes);
    response
}

/// `text` cut with an ellipsis to fit `width` in `font`.
fn truncate(text: &str, width: f32, font: &FontId, ui: &Ui) -> String {
    let fits = |s: &str| {
        ui.fonts_mut(|f| {
            // Measured only: the colour plays no part in the width.
            f.layout_no_wrap(s.to_owned(), font.clone(), Color32::PLACEHOLDER)
                .size()
                .x
        }) <= width
    };
    if fits(text) {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (1..chars.len()).rev() {
        let s: String = chars[..n].iter().chain(std::iter::once(&'…')).collect();
        if fits(&s) {
            return s;
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_anchor_and_follows_now_from_the_right_edge() {
        let mut w = TimeWindow::new(600.0);
        // Zooming in at now keeps following now.
        w.zoom(0.5, 1_000.0, 1_000.0, 10.0, 10_000.0);
        assert_eq!(w.span, 300.0);
        assert!(w.follows_now());
        // Zooming in around the middle keeps the middle where it was (half way across).
        let mut w = TimeWindow::new(600.0);
        w.zoom(0.5, 700.0, 1_000.0, 10.0, 10_000.0);
        let (start, end) = w.range(1_000.0);
        assert!((start - 550.0).abs() < 1e-9 && (end - 850.0).abs() < 1e-9);
        // Limits hold.
        w.zoom(1e-6, 700.0, 1_000.0, 10.0, 10_000.0);
        assert_eq!(w.span, 10.0);
    }

    #[test]
    fn panning_into_the_past_stops_following_and_back_to_now_follows_again() {
        let mut w = TimeWindow::new(600.0);
        w.pan(-100.0, 1_000.0);
        assert_eq!(w.range(1_000.0), (300.0, 900.0));
        assert_eq!(
            w.range(5_000.0),
            (300.0, 900.0),
            "a panned window stays put"
        );
        w.pan(500.0, 1_000.0);
        assert!(w.follows_now());
    }

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(tick_step(60.0, 10.0), 10.0);
        assert_eq!(tick_step(3600.0, 10.0), 600.0);
        assert_eq!(tick_step(30.0 * 86_400.0, 10.0), 3.0 * 86_400.0);
    }
}
