//! Camera fitting for Web Mercator maps of 256-px tiles: the zoom at which a span of longitude or
//! a box of the world fills a map's pixels.

use tianshu_widgets::geo_layers::normalized;
use walkers::Position;

/// Tile size of the zoom levels (walkers' and every XYZ tile server's).
const TILE_PX: f64 = 256.0;

/// How a box is fitted: the margin kept free around it, and the zoom range allowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Pixels (width, height) kept free around the box.
    pub margin: egui::Vec2,
    /// The smallest usable area, however small the map.
    pub min_area: egui::Vec2,
    pub min_zoom: f64,
    pub max_zoom: f64,
}

/// Zoom at which `span_lon` degrees of longitude fill `width_px`, within `min_zoom..=max_zoom`.
pub fn zoom_to_span(width_px: f32, span_lon: f64, min_zoom: f64, max_zoom: f64) -> f64 {
    let world_px = f64::from(width_px.max(64.0)) * 360.0 / span_lon.max(1e-6);
    (world_px / TILE_PX).log2().clamp(min_zoom, max_zoom)
}

/// Zoom at which the box from `sw` to `ne` fills `size` less the fit's margin.
pub fn zoom_to_bounds(size: egui::Vec2, sw: Position, ne: Position, fit: Fit) -> f64 {
    let a = normalized(sw);
    let b = normalized(ne);
    let w = (a[0] - b[0]).abs().max(1e-6);
    let h = (a[1] - b[1]).abs().max(1e-6);
    let usable = (size - fit.margin).max(fit.min_area);
    let zoom_x = (f64::from(usable.x) / (w * TILE_PX)).log2();
    let zoom_y = (f64::from(usable.y) / (h * TILE_PX)).log2();
    zoom_x.min(zoom_y).clamp(fit.min_zoom, fit.max_zoom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use walkers::lat_lon;

    #[test]
    fn a_wider_map_or_a_narrower_span_zooms_in() {
        let china = zoom_to_span(1200.0, 50.0, 2.0, 18.0);
        assert!(zoom_to_span(2400.0, 50.0, 2.0, 18.0) > china);
        assert!(zoom_to_span(1200.0, 25.0, 2.0, 18.0) > china);
        // One tile's worth of the world in 256 px is zoom 0, clamped.
        assert_eq!(zoom_to_span(256.0, 360.0, 2.0, 18.0), 2.0);
        assert!((zoom_to_span(512.0, 360.0, 0.0, 18.0) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_box_fits_by_its_tighter_side_within_the_range() {
        let fit = Fit {
            margin: egui::vec2(80.0, 80.0),
            min_area: egui::vec2(60.0, 60.0),
            min_zoom: 3.0,
            max_zoom: 9.0,
        };
        let size = egui::vec2(800.0, 600.0);
        let wide = zoom_to_bounds(size, lat_lon(30.0, 100.0), lat_lon(31.0, 120.0), fit);
        let narrow = zoom_to_bounds(size, lat_lon(30.0, 110.0), lat_lon(31.0, 111.0), fit);
        assert!(narrow > wide);
        let point = lat_lon(30.0, 110.0);
        assert_eq!(zoom_to_bounds(size, point, point, fit), 9.0, "clamped");
    }
}
