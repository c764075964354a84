//! The metro part: `metros.csv` or `metros.geojson`, and the computing access sites of each metro
//! from `sites.csv` or `sites.geojson`.

use std::collections::HashMap;

use csv::StringRecord;
use tianshu_api::GeoPoint;
use tianshu_api::inventory::MetroDef;

use crate::error::LoadError;
use crate::fields;
use crate::geojson::{self, GEOMETRY};
use crate::table::Table;

pub(crate) const METROS_CSV: &str = "metros.csv";
pub(crate) const METROS_GEOJSON: &str = "metros.geojson";
pub(crate) const SITES_CSV: &str = "sites.csv";
pub(crate) const SITES_GEOJSON: &str = "sites.geojson";

/// How far a site may lie from its metro's centre, km: the latency model's grid around a metro
/// is 100 km square.
pub(crate) const SITE_MAX_KM: f64 = 50.0;

/// The metros read so far, by id.
#[derive(Default)]
pub(crate) struct Metros {
    pub defs: Vec<MetroDef>,
    index: HashMap<String, usize>,
}

impl Metros {
    /// Adds `metro`, or answers why not (its id is taken).
    fn add(&mut self, metro: MetroDef) -> Result<(), String> {
        if self.index.contains_key(&metro.id) {
            return Err(format!("`{}` is used by an earlier metro", metro.id));
        }
        self.index.insert(metro.id.clone(), self.defs.len());
        self.defs.push(metro);
        Ok(())
    }

    /// The index of the metro `id`, or why there is none.
    fn find(&self, id: &str) -> Result<usize, String> {
        self.index
            .get(id)
            .copied()
            .ok_or_else(|| format!("no metro `{id}`"))
    }

    /// Adds a site to the `i`th metro, or answers why not (too far from its centre).
    fn add_site(&mut self, i: usize, site: GeoPoint) -> Result<(), String> {
        let Some(metro) = self.defs.get_mut(i) else {
            return Err("no such metro".into());
        };
        let km = fields::haversine_km(metro.center, site);
        if km > SITE_MAX_KM {
            return Err(format!(
                "the site is {km:.1} km from the centre of `{}`; at most {SITE_MAX_KM} km",
                metro.id
            ));
        }
        metro.sites.push(site);
        Ok(())
    }
}

/// Metros from `metros.csv` (columns id, name_en, name_zh, province, lat, lon, population).
pub(crate) fn metros_from_csv(text: &str) -> Result<Metros, LoadError> {
    let mut table = Table::open(METROS_CSV, text)?;
    let h = &table.header;
    let id = h.required("id")?;
    let name_en = h.required("name_en")?;
    let name_zh = h.required("name_zh")?;
    let province = h.required("province")?;
    let lat = h.required("lat")?;
    let lon = h.required("lon")?;
    let population = h.required("population")?;
    let mut metros = Metros::default();
    let mut record = StringRecord::new();
    while table.next(&mut record)? {
        let row = table.header.row(&record);
        let metro = MetroDef {
            id: row.parse(id, fields::id)?,
            name_en: row.parse(name_en, fields::name)?,
            name_zh: row.parse(name_zh, fields::name)?,
            province: row.parse(province, fields::province)?,
            center: GeoPoint {
                lat: row.parse(lat, |t| fields::number(t).and_then(fields::lat))?,
                lon: row.parse(lon, |t| fields::number(t).and_then(fields::lon))?,
            },
            population: row.parse(population, |t| fields::whole(t, 1))?,
            sites: Vec::new(),
        };
        metros.add(metro).map_err(|reason| row.error(id, reason))?;
    }
    Ok(metros)
}

/// Metros from `metros.geojson` (Point features).
pub(crate) fn metros_from_geojson(text: &str) -> Result<Metros, LoadError> {
    let mut metros = Metros::default();
    for f in geojson::features(METROS_GEOJSON, text)? {
        let metro = MetroDef {
            id: f.text("id", fields::id)?,
            name_en: f.text("name_en", fields::name)?,
            name_zh: f.text("name_zh", fields::name)?,
            province: f.text("province", fields::province)?,
            center: f.point()?,
            population: f.whole("population", 1)?,
            sites: Vec::new(),
        };
        metros.add(metro).map_err(|reason| f.error("id", reason))?;
    }
    Ok(metros)
}

/// Adds the sites of `sites.csv` (columns metro, lat, lon) to `metros`.
pub(crate) fn sites_from_csv(text: &str, metros: &mut Metros) -> Result<usize, LoadError> {
    let mut table = Table::open(SITES_CSV, text)?;
    let metro = table.header.required("metro")?;
    let lat = table.header.required("lat")?;
    let lon = table.header.required("lon")?;
    let mut record = StringRecord::new();
    let mut count = 0;
    while table.next(&mut record)? {
        let row = table.header.row(&record);
        let i = row.parse(metro, |t| metros.find(t))?;
        let site = GeoPoint {
            lat: row.parse(lat, |t| fields::number(t).and_then(fields::lat))?,
            lon: row.parse(lon, |t| fields::number(t).and_then(fields::lon))?,
        };
        metros
            .add_site(i, site)
            .map_err(|reason| row.error(lat, reason))?;
        count += 1;
    }
    Ok(count)
}

/// Adds the sites of `sites.geojson` (Point features with a `metro` property) to `metros`.
pub(crate) fn sites_from_geojson(text: &str, metros: &mut Metros) -> Result<usize, LoadError> {
    let features = geojson::features(SITES_GEOJSON, text)?;
    for f in &features {
        let i = f.text("metro", |t| metros.find(t))?;
        let site = f.point()?;
        metros
            .add_site(i, site)
            .map_err(|reason| f.error(GEOMETRY, reason))?;
    }
    Ok(features.len())
}
