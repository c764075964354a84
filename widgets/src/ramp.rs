//! Colour ramps: a sorted list of colour stops sampled by a number in `0..=1`.
//!
//! This module owns the interpolation maths only; every ramp's colours (utilization, latency, …)
//! are the caller's theme decision.

use egui::Color32;

/// A piecewise-linear colour ramp.
///
/// Stops are `(position, colour)` with positions in `0..=1`. Sampling clamps to the first and last
/// stop and interpolates the premultiplied sRGB channels linearly in between — cheap and good
/// enough for data colouring.
#[derive(Clone, Debug, PartialEq)]
pub struct ColorRamp {
    stops: Vec<(f32, Color32)>,
}

impl ColorRamp {
    /// Build a ramp from stops in any order.
    ///
    /// Positions are clamped to `0..=1` and sorted; stops with a non-finite position are dropped.
    /// An empty ramp samples as [`Color32::TRANSPARENT`].
    pub fn from_stops(stops: Vec<(f32, Color32)>) -> Self {
        let mut stops: Vec<(f32, Color32)> = stops
            .into_iter()
            .filter(|(t, _)| t.is_finite())
            .map(|(t, color)| (t.clamp(0.0, 1.0), color))
            .collect();
        // Stable sort keeps the caller's order for equal positions, which makes hard steps
        // (two stops at the same position) behave predictably.
        stops.sort_by(|a, b| a.0.total_cmp(&b.0));
        Self { stops }
    }

    /// A two-colour ramp from `low` at 0 to `high` at 1.
    pub fn between(low: Color32, high: Color32) -> Self {
        Self::from_stops(vec![(0.0, low), (1.0, high)])
    }

    /// Evenly spaced stops, first at 0, last at 1.
    pub fn evenly_spaced(colors: &[Color32]) -> Self {
        let last = colors.len().saturating_sub(1).max(1) as f32;
        Self::from_stops(
            colors
                .iter()
                .enumerate()
                .map(|(i, &color)| (i as f32 / last, color))
                .collect(),
        )
    }

    /// The stops, sorted by position.
    pub fn stops(&self) -> &[(f32, Color32)] {
        &self.stops
    }

    /// The same ramp running the other way.
    pub fn reversed(&self) -> Self {
        Self::from_stops(
            self.stops
                .iter()
                .rev()
                .map(|&(t, c)| (1.0 - t, c))
                .collect(),
        )
    }

    /// Colour at `t`, clamped to `0..=1`. `NaN` samples as 0.
    pub fn sample(&self, t: f32) -> Color32 {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let (Some(&(first_t, first)), Some(&(last_t, last))) =
            (self.stops.first(), self.stops.last())
        else {
            return Color32::TRANSPARENT;
        };
        if t <= first_t {
            return first;
        }
        if t >= last_t {
            return last;
        }
        // Index of the first stop strictly after `t`; it exists because `t < last_t`.
        let upper = self.stops.partition_point(|&(s, _)| s <= t);
        let (t0, c0) = self.stops[upper - 1];
        let (t1, c1) = self.stops[upper];
        let span = t1 - t0;
        if span <= f32::EPSILON {
            return c1;
        }
        lerp_color(c0, c1, (t - t0) / span)
    }

    /// Colour of `value` on a scale running from `min` (ramp start) to `max` (ramp end).
    ///
    /// `min > max` flips the ramp. A zero-width or non-finite range samples the ramp start.
    pub fn sample_in(&self, value: f32, min: f32, max: f32) -> Color32 {
        self.sample(normalize(value, min, max))
    }
}

/// Where `value` sits between `min` (0) and `max` (1), unclamped; 0 for a degenerate range.
pub(crate) fn normalize(value: f32, min: f32, max: f32) -> f32 {
    let span = max - min;
    if !span.is_finite() || span == 0.0 || !value.is_finite() {
        return 0.0;
    }
    (value - min) / span
}

// Mixes the caller's two colours; it chooses none of its own.
#[allow(clippy::disallowed_methods)]
fn lerp_color(a: Color32, b: Color32, t: f32) -> Color32 {
    let channel = |x: u8, y: u8| -> u8 {
        let v = f32::from(x) + (f32::from(y) - f32::from(x)) * t;
        v.round().clamp(0.0, 255.0) as u8
    };
    Color32::from_rgba_premultiplied(
        channel(a.r(), b.r()),
        channel(a.g(), b.g()),
        channel(a.b(), b.b()),
        channel(a.a(), b.a()),
    )
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // test colours
mod tests {
    use super::*;

    fn black_white() -> ColorRamp {
        ColorRamp::between(Color32::BLACK, Color32::WHITE)
    }

    #[test]
    fn endpoints_and_clamping() {
        let ramp = black_white();
        assert_eq!(ramp.sample(0.0), Color32::BLACK);
        assert_eq!(ramp.sample(1.0), Color32::WHITE);
        assert_eq!(ramp.sample(-3.0), Color32::BLACK);
        assert_eq!(ramp.sample(7.0), Color32::WHITE);
        assert_eq!(ramp.sample(f32::NAN), Color32::BLACK);
        assert_eq!(ramp.sample(f32::INFINITY), Color32::WHITE);
    }

    #[test]
    fn interpolates_linearly_in_srgb() {
        let ramp = black_white();
        assert_eq!(ramp.sample(0.5), Color32::from_gray(128));
        assert_eq!(ramp.sample(0.25), Color32::from_gray(64));
    }

    #[test]
    fn unsorted_stops_are_sorted() {
        let ramp = ColorRamp::from_stops(vec![
            (1.0, Color32::WHITE),
            (0.0, Color32::BLACK),
            (0.5, Color32::RED),
        ]);
        assert_eq!(ramp.stops()[1].1, Color32::RED);
        assert_eq!(ramp.sample(0.5), Color32::RED);
        let quarter = ramp.sample(0.25);
        assert_eq!((quarter.r(), quarter.g(), quarter.b()), (128, 0, 0));
    }

    #[test]
    fn stops_inside_the_range_clamp_outside_them() {
        let ramp = ColorRamp::from_stops(vec![(0.2, Color32::BLACK), (0.8, Color32::WHITE)]);
        assert_eq!(ramp.sample(0.1), Color32::BLACK);
        assert_eq!(ramp.sample(0.9), Color32::WHITE);
        assert_eq!(ramp.sample(0.5), Color32::from_gray(128));
    }

    #[test]
    fn hard_step_at_equal_positions() {
        let ramp = ColorRamp::from_stops(vec![
            (0.0, Color32::BLACK),
            (0.5, Color32::BLACK),
            (0.5, Color32::WHITE),
            (1.0, Color32::WHITE),
        ]);
        assert_eq!(ramp.sample(0.49), Color32::BLACK);
        assert_eq!(ramp.sample(0.5), Color32::WHITE);
        assert_eq!(ramp.sample(0.51), Color32::WHITE);
    }

    #[test]
    fn degenerate_ramps() {
        assert_eq!(
            ColorRamp::from_stops(vec![]).sample(0.5),
            Color32::TRANSPARENT
        );
        let single = ColorRamp::from_stops(vec![(0.3, Color32::RED)]);
        assert_eq!(single.sample(0.0), Color32::RED);
        assert_eq!(single.sample(1.0), Color32::RED);
        let dropped = ColorRamp::from_stops(vec![(f32::NAN, Color32::RED), (2.0, Color32::BLUE)]);
        assert_eq!(dropped.stops(), &[(1.0, Color32::BLUE)]);
    }

    #[test]
    fn sample_in_maps_value_range() {
        let ramp = black_white();
        assert_eq!(ramp.sample_in(50.0, 0.0, 100.0), Color32::from_gray(128));
        assert_eq!(ramp.sample_in(150.0, 0.0, 100.0), Color32::WHITE);
        // Reversed range flips the ramp.
        assert_eq!(ramp.sample_in(100.0, 100.0, 0.0), Color32::BLACK);
        assert_eq!(ramp.sample_in(0.0, 100.0, 0.0), Color32::WHITE);
        // Degenerate ranges sample the start.
        assert_eq!(ramp.sample_in(5.0, 3.0, 3.0), Color32::BLACK);
        assert_eq!(ramp.sample_in(f32::NAN, 0.0, 1.0), Color32::BLACK);
    }

    #[test]
    fn reversed_and_evenly_spaced() {
        let ramp = ColorRamp::evenly_spaced(&[Color32::BLACK, Color32::RED, Color32::WHITE]);
        assert_eq!(ramp.stops()[1].0, 0.5);
        let reversed = ramp.reversed();
        assert_eq!(reversed.sample(0.0), Color32::WHITE);
        assert_eq!(reversed.sample(1.0), Color32::BLACK);
        assert_eq!(reversed.sample(0.5), Color32::RED);
    }
}
