//! Making the plants: a simulated programme spread over the provinces by population and
//! industry, or the enterprises of a registry.

use std::collections::BTreeMap;

use crate::api::inventory::EnterpriseDef;
use crate::api::{Factory, GeoPoint, Industry};

use super::FactoryBook;
use super::plant::{initial_stage, kpis_for, required_kpis, round_to, technologies_for};
use crate::draw::{self, SimRng};
use crate::geo::{self, City};
use crate::labels::{industry_en, industry_index, industry_zh};

/// Farthest a plant lies from its city, km.
const MAX_OFFSET_KM: f64 = 40.0;

/// Relative number of enterprises per industry, in `Industry::ALL` order.
const INDUSTRY_WEIGHTS: [f64; 14] = [
    5.0, 5.0, 7.0, 8.0, 2.0, 2.0, 6.0, 4.0, 8.0, 10.0, 13.0, 10.0, 14.0, 6.0,
];

/// Industries concentrated in some provinces: (industry, provinces, multiplier there, elsewhere).
#[rustfmt::skip]
const CONCENTRATIONS: [(Industry, &[&str], f64, f64); 9] = [
    (Industry::Shipbuilding, &["CN-JS", "CN-SH", "CN-LN", "CN-SD", "CN-ZJ", "CN-GD", "CN-FJ", "CN-TJ"], 4.0, 0.2),
    (Industry::Aviation, &["CN-SN", "CN-SC", "CN-LN", "CN-GZ", "CN-JX", "CN-HL", "CN-TJ", "CN-SH"], 4.0, 0.4),
    (Industry::Steel, &["CN-HE", "CN-SD", "CN-JS", "CN-LN", "CN-SX"], 3.0, 1.0),
    (Industry::Petrochemicals, &["CN-LN", "CN-SD", "CN-ZJ", "CN-GD", "CN-XJ"], 2.0, 1.0),
    (Industry::Electronics, &["CN-GD", "CN-JS", "CN-ZJ", "CN-SH"], 2.0, 1.0),
    (Industry::Textiles, &["CN-ZJ", "CN-JS", "CN-FJ"], 2.0, 1.0),
    (Industry::NonFerrousMetals, &["CN-YN", "CN-GX", "CN-GS", "CN-JX", "CN-HN", "CN-NM"], 2.5, 1.0),
    (Industry::AgriculturalMachinery, &["CN-HA", "CN-SD", "CN-HL", "CN-JL"], 2.0, 1.0),
    (Industry::Automotive, &["CN-JL", "CN-HB", "CN-CQ", "CN-GD", "CN-SH"], 1.8, 1.0),
];

/// Industrial provinces weigh more than their city populations alone say.
fn province_boost(prov: &str) -> f64 {
    match prov {
        "CN-GD" | "CN-JS" => 2.0,
        "CN-ZJ" => 1.8,
        "CN-SD" => 1.6,
        _ => 1.0,
    }
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    weights
        .scan(0.0, |acc, w| {
            *acc += w.max(0.0);
            Some(*acc)
        })
        .collect()
}

fn industry_weight(industry: Industry, prov: &str) -> f64 {
    let base = INDUSTRY_WEIGHTS[industry_index(industry)];
    CONCENTRATIONS
        .iter()
        .filter(|(ind, ..)| *ind == industry)
        .map(|(_, provs, there, elsewhere)| {
            if provs.contains(&prov) {
                *there
            } else {
                *elsewhere
            }
        })
        .product::<f64>()
        * base
}

impl FactoryBook {
    /// `count` plants over the provinces of `cities` (mainland, any order).
    pub fn generate(cities: &[City], count: u32, rng: &mut SimRng) -> Self {
        let mut by_province: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, c) in cities.iter().enumerate().filter(|(_, c)| c.is_mainland()) {
            by_province.entry(c.prov.as_str()).or_default().push(i);
        }
        let provinces: Vec<(&str, Vec<usize>)> = by_province.into_iter().collect();
        let province_cumulative = cumulative(provinces.iter().map(|(prov, members)| {
            members
                .iter()
                .map(|i| cities[*i].population as f64)
                .sum::<f64>()
                * province_boost(prov)
        }));
        let city_cumulative: Vec<Vec<f64>> = provinces
            .iter()
            .map(|(_, members)| cumulative(members.iter().map(|i| cities[*i].population as f64)))
            .collect();
        let industry_cumulative: Vec<Vec<f64>> = provinces
            .iter()
            .map(|(prov, _)| {
                cumulative(Industry::ALL.iter().map(|ind| industry_weight(*ind, prov)))
            })
            .collect();

        let mut factories = Vec::with_capacity(count as usize);
        let mut serials: BTreeMap<(usize, usize), u32> = BTreeMap::new();
        for n in 0..count {
            if provinces.is_empty() {
                break;
            }
            let p = draw::weighted_cumulative(rng, &province_cumulative);
            let city_index = provinces[p].1[draw::weighted_cumulative(rng, &city_cumulative[p])];
            let city = &cities[city_index];
            let industry = Industry::ALL[draw::weighted_cumulative(rng, &industry_cumulative[p])];
            let r = MAX_OFFSET_KM * draw::uniform(rng, 0.0, 1.0).sqrt();
            let angle = draw::uniform(rng, 0.0, std::f64::consts::TAU);
            let location = geo::offset_km(city.location, r * angle.cos(), r * angle.sin());
            let stage = initial_stage(rng);
            let technologies = technologies_for(stage, industry, &[], rng);
            let kpis = kpis_for(stage, &technologies, None, rng);
            let serial = serials
                .entry((city_index, industry_index(industry)))
                .or_insert(0);
            *serial += 1;
            let city_en = city.name_en.replace('’', "'");
            factories.push(Factory {
                id: n + 1,
                name_en: format!("{city_en} {} Plant {:04}", industry_en(industry), serial),
                name_zh: format!("{}{}工厂{:04}", city.name_zh, industry_zh(industry), serial),
                province: city.prov.clone(),
                city_zh: city.name_zh.clone(),
                city_en,
                industry,
                stage,
                technologies,
                location: GeoPoint {
                    lat: round_to(location.lat, 1e5),
                    lon: round_to(location.lon, 1e5),
                },
                kpis,
                required: required_kpis(industry),
                agent_id: None,
                origins: Vec::new(),
            });
        }
        Self::from_factories(factories)
    }

    /// The enterprises of a registry. Their network figures (KPIs and requirements) are
    /// modelled from stage, technologies and industry until a source measures them.
    pub fn from_registry(defs: &[EnterpriseDef], rng: &mut SimRng) -> Self {
        // Stored by id, as paging and the console's point lookups expect.
        let mut sorted: Vec<&EnterpriseDef> = defs.iter().collect();
        sorted.sort_by_key(|d| d.id);
        let factories = sorted
            .into_iter()
            .map(|d| {
                let mut technologies = d.technologies.clone();
                technologies.sort_unstable();
                technologies.dedup();
                Factory {
                    id: d.id,
                    name_en: d.name_en.clone(),
                    name_zh: d.name_zh.clone(),
                    province: d.province.clone(),
                    city_zh: d.city_zh.clone(),
                    city_en: d.city_en.clone(),
                    industry: d.industry,
                    stage: d.stage,
                    kpis: kpis_for(d.stage, &technologies, None, rng),
                    technologies,
                    location: d.location,
                    required: required_kpis(d.industry),
                    agent_id: None,
                    origins: Vec::new(),
                }
            })
            .collect();
        let mut book = Self::from_factories(factories);
        book.simulate_stages = false;
        book
    }
}
