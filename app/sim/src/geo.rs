//! Geography for the simulator: the embedded city table, great-circle distances and a flat
//! kilometre frame around a point. Knows nothing of hubs, metros or factories.

use serde::Deserialize;

use crate::api::GeoPoint;

use super::SimError;

/// Mean Earth radius, km.
const EARTH_RADIUS_KM: f64 = 6371.0;
/// Kilometres per degree of latitude.
const KM_PER_DEG_LAT: f64 = 111.32;

/// Cities over 1 M people (GeoNames, CC BY 4.0); see `assets/geo/README.md`.
const CITIES_CSV: &str = include_str!("../../../assets/geo/cn_cities.csv");

/// One row of the city table.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    pub name_en: String,
    pub name_zh: String,
    pub province_zh: String,
    pub province_en: String,
    /// ISO 3166-2 code, e.g. `CN-GD`.
    pub prov: String,
    pub location: GeoPoint,
    pub population: u64,
}

impl City {
    /// Mainland China: not Taiwan, Hong Kong or Macao.
    pub fn is_mainland(&self) -> bool {
        !matches!(self.prov.as_str(), "CN-TW" | "CN-HK" | "CN-MO")
    }
}

#[derive(Debug, Deserialize)]
struct CityRow {
    name_en: String,
    name_zh: String,
    province: String,
    province_en: String,
    prov: String,
    lat: f64,
    lon: f64,
    population: u64,
}

/// Mainland cities of the embedded table, most populous first (ties by English name).
pub fn mainland_cities() -> Result<Vec<City>, SimError> {
    parse_cities(CITIES_CSV).map(|cities| cities.into_iter().filter(City::is_mainland).collect())
}

fn parse_cities(text: &str) -> Result<Vec<City>, SimError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut cities = Vec::new();
    for (line, row) in reader.deserialize::<CityRow>().enumerate() {
        let row = row.map_err(|e| SimError::Cities(format!("row {}: {e}", line + 2)))?;
        let plausible = (15.0..=55.0).contains(&row.lat) && (70.0..=136.0).contains(&row.lon);
        if !plausible || row.population == 0 || !row.prov.starts_with("CN-") {
            return Err(SimError::Cities(format!(
                "row {}: {} has an implausible position, population or province",
                line + 2,
                row.name_en
            )));
        }
        cities.push(City {
            name_en: row.name_en,
            name_zh: row.name_zh,
            province_zh: row.province,
            province_en: row.province_en,
            prov: row.prov,
            location: GeoPoint {
                lat: row.lat,
                lon: row.lon,
            },
            population: row.population,
        });
    }
    cities.sort_by(|a, b| {
        b.population
            .cmp(&a.population)
            .then_with(|| a.name_en.cmp(&b.name_en))
    });
    Ok(cities)
}

/// Great-circle distance, km.
pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The point `east_km` east and `north_km` north of `p` (flat approximation, fine within ~100 km).
pub fn offset_km(p: GeoPoint, east_km: f64, north_km: f64) -> GeoPoint {
    GeoPoint {
        lat: p.lat + north_km / KM_PER_DEG_LAT,
        lon: p.lon + east_km / (KM_PER_DEG_LAT * p.lat.to_radians().cos()),
    }
}

/// Kilometres east and north of `origin` to `p` (inverse of [`offset_km`]).
pub fn to_local_km(origin: GeoPoint, p: GeoPoint) -> (f64, f64) {
    let east = (p.lon - origin.lon) * KM_PER_DEG_LAT * origin.lat.to_radians().cos();
    let north = (p.lat - origin.lat) * KM_PER_DEG_LAT;
    (east, north)
}

/// Lower-case ASCII slug of an English name: `Xi’an` → `xian`, `Huai'an` → `huaian`.
pub fn slug(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'ü' | 'Ü' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses_and_is_sorted() {
        let cities = mainland_cities().unwrap();
        assert!(cities.len() >= 140, "{} mainland cities", cities.len());
        assert!(cities.iter().all(City::is_mainland));
        assert!(
            cities
                .windows(2)
                .all(|w| w[0].population >= w[1].population)
        );
        assert_eq!(cities[0].name_en, "Shanghai");
    }

    #[test]
    fn distances_are_plausible() {
        let beijing = GeoPoint {
            lat: 39.9075,
            lon: 116.39723,
        };
        let shanghai = GeoPoint {
            lat: 31.22222,
            lon: 121.45806,
        };
        let d = haversine_km(beijing, shanghai);
        assert!((1050.0..1090.0).contains(&d), "{d}");
        let p = offset_km(beijing, 30.0, -20.0);
        let (e, n) = to_local_km(beijing, p);
        assert!((e - 30.0).abs() < 1e-9 && (n + 20.0).abs() < 1e-9);
        assert!((haversine_km(beijing, p) - 36.06).abs() < 0.2);
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Xi’an"), "xian");
        assert_eq!(slug("Ürümqi"), "urumqi");
        assert_eq!(slug("Bayan Nur"), "bayannur");
    }
}
