//! Normalized Web-Mercator coordinates and the per-frame affine map from them to the screen.
//!
//! walkers projects a position to `normalized × 256 × 2^zoom` pixels and then shifts so the map
//! centre lands on the widget centre. Both steps are linear in the normalized coordinates, so
//! after two projections per frame every vertex costs one multiply-add per axis and no trig.
//! This module knows nothing of what the points mean.

use egui::{Pos2, Rect, Vec2, pos2};
use walkers::{Position, Projector};

/// Latitude where Web Mercator's square world ends (≈ 85.0511°).
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// Pixels per normalized unit at zoom 0: walkers' world is one 256-pixel tile there.
const TILE_SIZE: f64 = 256.0;

/// Screen distance between the two reference positions used to fit the transform.
const FIT_STEP: f32 = 128.0;

/// Web-Mercator position in `0..=1` (x east from −180°, y south from the north edge).
///
/// Matches walkers' `MercatorProjection` at zoom 0 divided by 256. Latitude is clamped to
/// ±[`MAX_LATITUDE`] so poles map to the edge of the world instead of to infinity.
pub fn normalized(position: Position) -> [f64; 2] {
    let lat = position.y().clamp(-MAX_LATITUDE, MAX_LATITUDE);
    [normalized_x(position.x()), normalized_y_unclamped(lat)]
}

/// Normalized x of a longitude; linear, so cheap enough for culling before any trig.
pub(crate) fn normalized_x(lon: f64) -> f64 {
    (1.0 + lon.to_radians() / std::f64::consts::PI) / 2.0
}

fn normalized_y_unclamped(lat: f64) -> f64 {
    let y = lat.to_radians().tan().asinh();
    (1.0 - y / std::f64::consts::PI) / 2.0
}

fn normalized_unclamped(position: Position) -> [f64; 2] {
    [
        normalized_x(position.x()),
        normalized_y_unclamped(position.y()),
    ]
}

/// `screen = offset + scale × normalized`, fitted to one frame's [`Projector`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MercatorTransform {
    offset: [f64; 2],
    scale: [f64; 2],
}

impl MercatorTransform {
    /// Fit to `projector`, which must use walkers' `MercatorProjection` (the `Map` default).
    ///
    /// Projects two positions near the view centre — where `Projector::project`'s `f32` output is
    /// exact to a fraction of a pixel even at high zoom — and solves for offset and scale in f64.
    pub fn from_projector(projector: &Projector) -> Self {
        let center = projector.clip_rect().center().to_vec2();
        let a = projector.unproject(center);
        let b = projector.unproject(center + Vec2::splat(FIT_STEP));
        let (na, nb) = (normalized_unclamped(a), normalized_unclamped(b));
        let (sa, sb) = (projector.project(a), projector.project(b));

        let fallback = TILE_SIZE * 2f64.powf(projector.zoom());
        let fit = |s0: f32, s1: f32, n0: f64, n1: f64| {
            let dn = n1 - n0;
            let scale = f64::from(s1 - s0) / dn;
            if dn.abs() > f64::EPSILON && scale.is_finite() && scale > 0.0 {
                scale
            } else {
                fallback
            }
        };
        let scale = [fit(sa.x, sb.x, na[0], nb[0]), fit(sa.y, sb.y, na[1], nb[1])];
        let offset = [
            f64::from(sa.x) - scale[0] * na[0],
            f64::from(sa.y) - scale[1] * na[1],
        ];
        Self { offset, scale }
    }

    /// Build from explicit parts (mostly for tests and custom views).
    pub fn from_parts(offset: [f64; 2], scale: [f64; 2]) -> Self {
        Self { offset, scale }
    }

    /// `(offset, scale)`: screen = offset + scale × normalized.
    pub fn parts(&self) -> ([f64; 2], [f64; 2]) {
        (self.offset, self.scale)
    }

    /// Screen position of a normalized point.
    #[inline]
    pub fn apply(&self, n: [f64; 2]) -> Pos2 {
        pos2(
            (self.offset[0] + self.scale[0] * n[0]) as f32,
            (self.offset[1] + self.scale[1] * n[1]) as f32,
        )
    }

    /// Screen position of a geographic position (does the trig; use [`Self::apply`] in loops).
    pub fn project(&self, position: Position) -> Pos2 {
        self.apply(normalized(position))
    }

    /// Normalized point under a screen position.
    pub fn invert(&self, screen: Pos2) -> [f64; 2] {
        [
            (f64::from(screen.x) - self.offset[0]) / self.scale[0],
            (f64::from(screen.y) - self.offset[1]) / self.scale[1],
        ]
    }

    /// Screen rectangle of a normalized bounding box.
    pub fn screen_rect(&self, min: [f64; 2], max: [f64; 2]) -> Rect {
        Rect::from_two_pos(self.apply(min), self.apply(max))
    }

    /// Screen pixels per normalized unit (x, y); equal for Mercator.
    pub fn scale(&self) -> [f64; 2] {
        self.scale
    }

    /// Screen position of normalized (0, 0), the world's north-west corner.
    pub fn offset(&self) -> [f64; 2] {
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::Vec2;
    use walkers::{MapMemory, MercatorProjection, lat_lon};

    fn projector_at(center: Position, zoom: f64, memory: &mut MapMemory) -> Projector<'_> {
        let _ = memory.set_zoom(zoom);
        let rect = Rect::from_min_size(pos2(30.0, 40.0), Vec2::new(1280.0, 720.0));
        Projector::new(rect, &MercatorProjection, memory, center)
    }

    #[test]
    fn normalized_matches_walkers_at_zoom_zero() {
        let mut memory = MapMemory::default();
        // Centred on (0, 0): screen = rect centre + project(p, 0) − (128, 128).
        let projector = projector_at(lat_lon(0.0, 0.0), 0.0, &mut memory);
        let center = projector.clip_rect().center();
        for p in [
            lat_lon(31.23, 121.47),
            lat_lon(-33.9, 18.4),
            lat_lon(60.0, -150.0),
        ] {
            let n = normalized(p);
            let expected = projector.project(p);
            let from_n = center
                + Vec2::new(
                    (n[0] * TILE_SIZE - 128.0) as f32,
                    (n[1] * TILE_SIZE - 128.0) as f32,
                );
            assert!((from_n.to_vec2() - expected).length() < 1e-3, "{p:?}");
        }
    }

    #[test]
    fn transform_matches_projector_within_half_a_pixel() {
        let positions = [
            lat_lon(31.23, 121.47),
            lat_lon(39.9, 116.4),
            lat_lon(22.54, 114.06),
            lat_lon(31.3, 121.6),
            lat_lon(-33.9, 18.4),
            lat_lon(0.0, 0.0),
        ];
        for (center, zoom) in [
            (lat_lon(31.23, 121.47), 4.0),
            (lat_lon(31.23, 121.47), 11.5),
            (lat_lon(31.23, 121.47), 18.0),
            (lat_lon(-10.0, -60.0), 1.0),
            (lat_lon(0.0, 0.0), 0.0),
        ] {
            let mut memory = MapMemory::default();
            let projector = projector_at(center, zoom, &mut memory);
            let transform = MercatorTransform::from_projector(&projector);
            let ideal = TILE_SIZE * 2f64.powf(zoom);
            assert!(
                (transform.scale()[0] / ideal - 1.0).abs() < 1e-4,
                "zoom {zoom}"
            );
            assert!(
                (transform.scale()[1] / ideal - 1.0).abs() < 1e-4,
                "zoom {zoom}"
            );
            for p in positions {
                let expected = projector.project(p).to_pos2();
                // Far-away points land millions of pixels off-screen at high zoom, where f32
                // itself cannot hold half a pixel; compare only what can matter on screen.
                if expected.to_vec2().length() > 1e5 {
                    continue;
                }
                let got = transform.project(p);
                assert!(
                    (got - expected).length() < 0.5,
                    "zoom {zoom}: {p:?} → {got:?}, walkers {expected:?}"
                );
            }
        }
    }

    #[test]
    fn invert_round_trips_and_poles_clamp() {
        let transform = MercatorTransform::from_parts([10.0, 20.0], [512.0, 512.0]);
        let n = [0.3, 0.7];
        let back = transform.invert(transform.apply(n));
        assert!((back[0] - n[0]).abs() < 1e-6 && (back[1] - n[1]).abs() < 1e-6);
        assert!(normalized(lat_lon(90.0, 0.0))[1].abs() < 1e-9);
        assert!((normalized(lat_lon(-90.0, 0.0))[1] - 1.0).abs() < 1e-9);
    }
}
