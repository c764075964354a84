//! The offline basemap: province, neighbouring-country and South China Sea shapes from the
//! GeoJSON shipped in `assets/geo`, compiled into the binary and projected once.

use serde_json::Value;
use tianshu_widgets::ProjectedShapes;
use walkers::{Position, lon_lat};

/// The province shapes and their properties (code, names, label point), as shipped.
pub(crate) const PROVINCES: &str = include_str!("../../../assets/geo/china_provinces.geojson");
const COUNTRIES: &str = include_str!("../../../assets/geo/countries.geojson");
const NANHAI: &str = include_str!("../../../assets/geo/china_nanhai_dashes.geojson");

pub struct Basemap {
    pub provinces: ProjectedShapes,
    pub countries: ProjectedShapes,
    pub nanhai: ProjectedShapes,
}

impl Basemap {
    /// The basemap, parsed and projected once per process and shared by every map view.
    pub fn shared() -> std::sync::Arc<Basemap> {
        static SHARED: std::sync::OnceLock<std::sync::Arc<Basemap>> = std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| std::sync::Arc::new(Basemap::load()))
            .clone()
    }

    pub fn load() -> Basemap {
        Basemap {
            provinces: ProjectedShapes::from_rings(rings(PROVINCES)).with_fill_triangles(),
            countries: ProjectedShapes::from_rings(rings(COUNTRIES)).with_fill_triangles(),
            nanhai: ProjectedShapes::from_polylines(rings(NANHAI)),
        }
    }
}

/// Outer rings of every Polygon, MultiPolygon and LineString in a FeatureCollection. Anything
/// malformed is skipped (and logged), never a panic.
pub fn rings(geojson: &str) -> Vec<Vec<Position>> {
    let parsed: Value = match serde_json::from_str(geojson) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!("basemap is not valid GeoJSON: {e}");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let features = parsed["features"].as_array().cloned().unwrap_or_default();
    for feature in features {
        let geometry = &feature["geometry"];
        let coords = &geometry["coordinates"];
        match geometry["type"].as_str() {
            Some("Polygon") => out.extend(first_ring(coords)),
            Some("MultiPolygon") => {
                for polygon in coords.as_array().into_iter().flatten() {
                    out.extend(first_ring(polygon));
                }
            }
            Some("LineString") => out.push(points(coords)),
            Some("MultiLineString") => {
                for line in coords.as_array().into_iter().flatten() {
                    out.push(points(line));
                }
            }
            other => tracing::debug!("basemap: skipping geometry {other:?}"),
        }
    }
    out
}

fn first_ring(polygon: &Value) -> Option<Vec<Position>> {
    polygon.as_array()?.first().map(points)
}

fn points(line: &Value) -> Vec<Position> {
    line.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some(lon_lat(p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_basemap_has_all_provinces() {
        let provinces = rings(PROVINCES);
        assert!(provinces.len() >= 34, "{}", provinces.len());
        assert!(rings(COUNTRIES).len() >= 47);
        assert!(!rings(NANHAI).is_empty());
        // Every vertex is inside the map's frame.
        for ring in &provinces {
            for p in ring {
                assert!((70.0..=140.0).contains(&p.x()) && (0.0..=60.0).contains(&p.y()));
            }
        }
    }

    #[test]
    fn malformed_geojson_gives_nothing_not_a_panic() {
        assert!(rings("not json").is_empty());
        assert!(
            rings(r#"{"features":[{"geometry":{"type":"Polygon","coordinates":[[["a",1]]]}}]}"#)
                .iter()
                .all(|r| r.is_empty())
        );
    }
}
