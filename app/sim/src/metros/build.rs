//! Making the metros: the most populous cities as simulated metros, or an operator's own metros
//! and sites, each with a modelled population surface and (simulated) initial edge sites.

use crate::api::MetroSummary;
use crate::api::inventory::MetroDef;
use crate::draw::{self, SimRng};
use crate::geo::{self, City};

use super::cells::clamp_site;
use super::{CELL_KM, GRID, HALF_KM, MAX_ACCESS_POINTS, METRO_COUNT, MetroState, Metros};

/// A population centre of a metro, in grid kilometres.
#[derive(Debug, Clone, Copy)]
struct PopCenter {
    x: f64,
    y: f64,
    sigma: f64,
    mass: f64,
}

impl Metros {
    /// The most populous cities of `cities` (sorted, mainland) become metros.
    pub fn new(cities: &[City], rng: &mut SimRng, seed: u64) -> Self {
        let chosen: Vec<&City> = cities.iter().take(METRO_COUNT).collect();
        let max_pop = chosen.first().map_or(1.0, |c| c.population as f64);
        let min_pop = chosen.last().map_or(1.0, |c| c.population as f64);
        let mut summaries = Vec::with_capacity(chosen.len());
        let mut states = Vec::with_capacity(chosen.len());
        for (i, city) in chosen.iter().enumerate() {
            let pop = city.population as f64;
            let centers = pop_centers(pop, rng);
            let population = population_surface(&centers, pop);
            let span = (max_pop - min_pop).max(1.0);
            let n_sites = 6 + (34.0 * (pop - min_pop) / span).round() as usize;
            let sites = (0..n_sites).map(|_| initial_site(&centers, rng)).collect();
            let mut id = geo::slug(&city.name_en);
            if chosen[..i].iter().any(|c| geo::slug(&c.name_en) == id) {
                id = format!("{id}-{}", geo::slug(&city.prov));
            }
            summaries.push(fresh_summary(MetroDef {
                id,
                name_en: city.name_en.replace('’', "'"),
                name_zh: city.name_zh.clone(),
                province: city.prov.clone(),
                center: city.location,
                population: city.population,
                sites: Vec::new(),
            }));
            states.push(MetroState {
                population,
                sites,
                qos_gain_ms: 0.0,
                noise_key: seed ^ ((i as u64) << 20),
            });
        }
        let mut metros = Self {
            summaries,
            states,
            organic: true,
        };
        for i in 0..metros.summaries.len() {
            metros.refresh(i);
        }
        metros
    }

    /// The operator's metros and sites. Where people live inside each metro is modelled (a
    /// main centre at the metro's centre and secondary ones drawn from `rng`), so coverage and
    /// RTT are modelled figures until a source measures them.
    pub fn from_defs(defs: &[MetroDef], rng: &mut SimRng, seed: u64) -> Self {
        let mut summaries = Vec::with_capacity(defs.len());
        let mut states = Vec::with_capacity(defs.len());
        for (i, def) in defs.iter().enumerate() {
            let centers = pop_centers(def.population as f64, rng);
            let population = population_surface(&centers, def.population as f64);
            summaries.push(fresh_summary(def.clone()));
            states.push(MetroState {
                population,
                sites: Vec::new(),
                qos_gain_ms: 0.0,
                noise_key: seed ^ ((i as u64) << 20),
            });
        }
        let mut metros = Self {
            summaries,
            states,
            organic: false,
        };
        for (i, def) in defs.iter().enumerate() {
            let sites: Vec<(f64, f64)> = def
                .sites
                .iter()
                .take(MAX_ACCESS_POINTS)
                .map(|p| metros.site_km(i, *p))
                .collect();
            if let Some(state) = metros.states.get_mut(i) {
                state.sites = sites;
            }
            metros.refresh(i);
        }
        metros
    }
}

/// A metro's summary before its figures are computed.
fn fresh_summary(def: MetroDef) -> MetroSummary {
    MetroSummary {
        id: def.id,
        name_en: def.name_en,
        name_zh: def.name_zh,
        province: def.province,
        center: def.center,
        population: def.population,
        coverage_1ms: 0.0,
        median_rtt_ms: 0.0,
        access_points: 0,
        probes: None,
    }
}

/// A main centre and 2–4 secondary ones; bigger cities spread wider.
fn pop_centers(population: f64, rng: &mut SimRng) -> Vec<PopCenter> {
    let sigma = 5.0 + 3.5 * (population / 2.0e6).sqrt();
    let mut centers = vec![PopCenter {
        x: HALF_KM,
        y: HALF_KM,
        sigma,
        mass: 1.0,
    }];
    for _ in 0..(2 + draw::index(rng, 3)) {
        let angle = draw::uniform(rng, 0.0, std::f64::consts::TAU);
        let dist = draw::uniform(rng, 10.0, 30.0);
        centers.push(PopCenter {
            x: HALF_KM + dist * angle.cos(),
            y: HALF_KM + dist * angle.sin(),
            sigma: draw::uniform(rng, 3.0, 7.0),
            mass: draw::uniform(rng, 0.12, 0.4),
        });
    }
    centers
}

/// People per cell, summing to `population` over the grid.
fn population_surface(centers: &[PopCenter], population: f64) -> Vec<f32> {
    let mut density = Vec::with_capacity(GRID * GRID);
    for r in 0..GRID {
        let y = (r as f64 + 0.5) * CELL_KM;
        for c in 0..GRID {
            let x = (c as f64 + 0.5) * CELL_KM;
            let v: f64 = centers
                .iter()
                .map(|p| {
                    let d2 = (x - p.x).powi(2) + (y - p.y).powi(2);
                    p.mass / (p.sigma * p.sigma) * (-d2 / (2.0 * p.sigma * p.sigma)).exp()
                })
                .sum();
            density.push(v);
        }
    }
    let total: f64 = density.iter().sum();
    density
        .iter()
        .map(|v| (v / total.max(f64::MIN_POSITIVE) * population) as f32)
        .collect()
}

/// An initial edge site near one of the centres, drawn by the centres' weight.
fn initial_site(centers: &[PopCenter], rng: &mut SimRng) -> (f64, f64) {
    let masses: Vec<f64> = centers.iter().map(|c| c.mass).collect();
    let c = centers[draw::weighted(rng, &masses).min(centers.len() - 1)];
    let spread = 0.75 * c.sigma;
    clamp_site(
        c.x + spread * draw::gauss(rng),
        c.y + spread * draw::gauss(rng),
    )
}
