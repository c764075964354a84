//! Enterprises on the industrial-network upgrade programme: where they are, what they make, how
//! far along they are, what their plant networks achieve and need. Stage changes are drawn as
//! counts from a per-plant hazard, so a step costs the same whatever the number of plants.
//! Owns the factory list, its roll-up and the (province, industry) groups; not the agents.
//!
//! Over 600 lines on purpose: the enterprise book is one model — generating the plants, their upgrade trajectories and their KPIs use the same tables and must stay in step.

use std::collections::{BTreeMap, HashMap};

use crate::api::inventory::EnterpriseDef;
use crate::api::{
    Factory, FactoryStageChange, FactorySummary, GeoPoint, Industry, KeyCount, NetworkKpis,
    Technology, UpgradeStage,
};

use super::draw::{self, SimRng};
use super::geo::{self, City};
use super::labels::{
    self, industry_en, industry_index, industry_zh, stage_index, technology_index, wire_key,
};

/// Per-plant rate of moving on to the next stage, per simulated day (mean dwell ≈ 290 days per
/// stage): about 50,000 of 60,000 upgraded by the end of 2028 from a November 2026 start.
const STAGE_RATE_PER_DAY: f64 = 0.0035;
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

/// What the plant's workloads need, by industry.
fn required_kpis(industry: Industry) -> NetworkKpis {
    let (latency_ms, jitter_ms, reliability, throughput_mbps) = match industry {
        Industry::Electronics => (4.0, 1.0, 0.99999, 1000.0),
        Industry::Automotive => (4.0, 1.0, 0.99999, 800.0),
        Industry::Aviation => (5.0, 1.0, 0.99999, 500.0),
        Industry::PowerEquipment => (6.0, 1.5, 0.99999, 400.0),
        Industry::Steel => (8.0, 2.0, 0.99999, 400.0),
        Industry::Pharmaceuticals => (8.0, 2.0, 0.99999, 300.0),
        Industry::ConstructionMachinery => (8.0, 2.0, 0.9999, 300.0),
        Industry::NonFerrousMetals => (10.0, 2.0, 0.99999, 300.0),
        Industry::Petrochemicals => (10.0, 2.0, 0.999999, 300.0),
        Industry::Shipbuilding => (10.0, 2.0, 0.9999, 300.0),
        Industry::AgriculturalMachinery => (10.0, 2.0, 0.9999, 200.0),
        Industry::Textiles => (10.0, 3.0, 0.9999, 200.0),
        Industry::LightIndustry | Industry::Unknown => (10.0, 3.0, 0.9999, 300.0),
        Industry::BuildingMaterials => (12.0, 3.0, 0.9999, 200.0),
    };
    NetworkKpis {
        latency_ms,
        jitter_ms,
        reliability,
        throughput_mbps,
    }
}

/// How likely an industry picks each technology, in `Technology::ALL` order.
fn technology_weights(industry: Industry) -> [f64; 7] {
    use Industry::*;
    let precise = matches!(
        industry,
        Electronics | Automotive | Aviation | PowerEquipment
    );
    let heavy = matches!(
        industry,
        Steel | Petrochemicals | NonFerrousMetals | BuildingMaterials | Shipbuilding
    );
    let light = matches!(industry, LightIndustry | Textiles | Electronics);
    let plc = matches!(industry, Automotive | Electronics | Pharmaceuticals);
    [
        1.0,
        if precise { 1.0 } else { 0.5 },
        if precise { 1.0 } else { 0.3 },
        if light { 0.6 } else { 0.3 },
        if heavy { 0.9 } else { 0.4 },
        0.8,
        if plc { 0.7 } else { 0.4 },
    ]
}

/// A province-and-industry group of plants.
#[derive(Debug, Clone)]
pub struct Group {
    /// `<prov>/<industry>`, e.g. `CN-GD/automotive`.
    pub id: String,
    pub prov: String,
    pub industry: Industry,
    pub members: Vec<u32>,
}

/// Upgraded plants of a group against a requirement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupFit {
    /// Plants deploying or upgraded: those a network or process change reaches.
    pub networked: usize,
    pub upgraded: usize,
    /// Upgraded plants whose jitter misses the requirement.
    pub jitter_misses: usize,
    /// Those that would meet it with jitter × `factor`.
    pub fixed_by: usize,
    pub median_jitter_ms: f64,
}

/// All plants, their roll-up and groups.
#[derive(Debug, Clone)]
pub struct FactoryBook {
    factories: Vec<Factory>,
    /// Lower-case name and city text per plant, for text search.
    haystacks: Vec<String>,
    /// Ids waiting in Planned, Assessing, Deploying.
    pools: [Vec<u32>; 3],
    stage_counts: [u64; 4],
    tech_counts: [u64; 7],
    industry_counts: [u64; 14],
    upgraded_by_province: BTreeMap<String, u64>,
    groups: Vec<Group>,
    /// Group index of each plant, by id − 1.
    group_of: Vec<usize>,
    /// Upgraded plants on edge computing or cloud PLC, by group.
    group_edge_or_cloud: Vec<u64>,
    summary: FactorySummary,
    /// Position of each plant by id where ids are not simply 1..=n (a registry's).
    positions: Option<HashMap<u32, usize>>,
    /// Plants move through the stages on their own (the simulated programme only: a
    /// registry's stages change when the registry or a push says so).
    simulate_stages: bool,
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

    fn from_factories(factories: Vec<Factory>) -> Self {
        let dense = factories
            .iter()
            .enumerate()
            .all(|(i, f)| f.id as usize == i + 1);
        let positions = (!dense).then(|| {
            factories
                .iter()
                .enumerate()
                .map(|(i, f)| (f.id, i))
                .collect()
        });
        let haystacks = factories
            .iter()
            .map(|f| {
                format!("{}\n{}\n{}\n{}", f.name_en, f.name_zh, f.city_en, f.city_zh).to_lowercase()
            })
            .collect();
        let mut book = Self {
            factories,
            haystacks,
            pools: [Vec::new(), Vec::new(), Vec::new()],
            stage_counts: [0; 4],
            tech_counts: [0; 7],
            industry_counts: [0; 14],
            upgraded_by_province: BTreeMap::new(),
            groups: Vec::new(),
            group_of: Vec::new(),
            group_edge_or_cloud: Vec::new(),
            summary: FactorySummary::default(),
            positions,
            simulate_stages: true,
        };
        let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
        for f in &book.factories {
            let industry_key = wire_key(&f.industry);
            groups
                .entry((f.province.clone(), industry_key.clone()))
                .or_insert_with(|| Group {
                    id: format!("{}/{industry_key}", f.province),
                    prov: f.province.clone(),
                    industry: f.industry,
                    members: Vec::new(),
                })
                .members
                .push(f.id);
        }
        book.groups = groups.into_values().collect();
        book.group_of = vec![0; book.factories.len()];
        for (g, group) in book.groups.iter().enumerate() {
            for id in &group.members {
                if let Some(i) = book.position(*id) {
                    book.group_of[i] = g;
                }
            }
        }
        book.recount();
        book
    }

    /// Counts, stage pools and the summary from the plants as they are.
    fn recount(&mut self) {
        self.pools = [Vec::new(), Vec::new(), Vec::new()];
        self.stage_counts = [0; 4];
        self.tech_counts = [0; 7];
        self.industry_counts = [0; 14];
        self.upgraded_by_province.clear();
        self.group_edge_or_cloud = vec![0; self.groups.len()];
        for (i, f) in self.factories.iter().enumerate() {
            let s = stage_index(f.stage);
            self.stage_counts[s] += 1;
            if let Some(pool) = self.pools.get_mut(s) {
                pool.push(f.id);
            }
            for t in &f.technologies {
                self.tech_counts[technology_index(*t)] += 1;
            }
            self.industry_counts[industry_index(f.industry)] += 1;
            let upgraded = self
                .upgraded_by_province
                .entry(f.province.clone())
                .or_insert(0);
            if f.stage == UpgradeStage::Upgraded {
                *upgraded += 1;
                if uses_edge_or_cloud(f)
                    && let Some(g) = self.group_of.get(i)
                {
                    self.group_edge_or_cloud[*g] += 1;
                }
            }
        }
        self.rebuild_summary();
    }

    /// Stages reported by the registry's owner (a push or an upload), in order. Unknown plants
    /// are skipped; returns the changes as events carry them.
    pub fn set_stages(
        &mut self,
        changes: &[(u32, UpgradeStage, Option<Vec<Technology>>)],
    ) -> Vec<FactoryStageChange> {
        let mut out = Vec::with_capacity(changes.len());
        for (id, stage, technologies) in changes {
            let Some(f) = self.get_mut(*id) else { continue };
            f.stage = *stage;
            if let Some(t) = technologies {
                let mut t = t.clone();
                t.sort_unstable();
                t.dedup();
                f.technologies = t;
            }
            out.push(FactoryStageChange {
                id: *id,
                stage: *stage,
                technologies: f.technologies.clone(),
                compliant: f.is_compliant(),
            });
        }
        if !out.is_empty() {
            self.recount();
        }
        out
    }

    /// Measured network figures of plant `id` replace the modelled ones.
    pub fn set_kpis(&mut self, id: u32, kpis: NetworkKpis) -> bool {
        match self.get_mut(id) {
            Some(f) => {
                f.kpis = kpis;
                true
            }
            None => false,
        }
    }

    pub fn all(&self) -> &[Factory] {
        &self.factories
    }

    pub fn haystacks(&self) -> &[String] {
        &self.haystacks
    }

    /// Where plant `id` sits in `all()`.
    pub fn position(&self, id: u32) -> Option<usize> {
        match &self.positions {
            Some(map) => map.get(&id).copied(),
            None => (id as usize).checked_sub(1),
        }
    }

    pub fn get(&self, id: u32) -> Option<&Factory> {
        self.factories.get(self.position(id)?)
    }

    fn get_mut(&mut self, id: u32) -> Option<&mut Factory> {
        let i = self.position(id)?;
        self.factories.get_mut(i)
    }

    pub fn summary(&self) -> &FactorySummary {
        &self.summary
    }

    pub fn upgraded(&self) -> u64 {
        self.stage_counts[stage_index(UpgradeStage::Upgraded)]
    }

    /// Upgraded plants of group `g` running edge computing or cloud PLC.
    pub fn group_edge_or_cloud(&self, g: usize) -> u64 {
        self.group_edge_or_cloud.get(g).copied().unwrap_or(0)
    }

    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    pub fn group_index(&self, id: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.id == id)
    }

    /// Put the plants of group `g` under `agent_id`.
    pub fn assign_agent(&mut self, g: usize, agent_id: &str) {
        let members = self
            .groups
            .get(g)
            .map(|g| g.members.clone())
            .unwrap_or_default();
        for id in members {
            if let Some(f) = self.get_mut(id) {
                f.agent_id = Some(agent_id.to_owned());
            }
        }
    }

    /// Move plants on by `dt_s` simulated seconds. Returns every change, in order.
    pub fn advance(&mut self, dt_s: f64, rng: &mut SimRng) -> Vec<FactoryStageChange> {
        if !self.simulate_stages {
            return Vec::new();
        }
        let p = 1.0 - (-STAGE_RATE_PER_DAY * dt_s / 86_400.0).exp();
        let mut changes = Vec::new();
        // Latest stage first, so a plant moves at most one stage per step.
        for from in (0..3).rev() {
            let n = draw::count(rng, self.pools[from].len(), p);
            for _ in 0..n {
                let k = draw::index(rng, self.pools[from].len());
                if k >= self.pools[from].len() {
                    break;
                }
                let id = self.pools[from].swap_remove(k);
                let to = UpgradeStage::ALL[from + 1];
                self.promote(id, to, rng);
                if let Some(pool) = self.pools.get_mut(from + 1) {
                    pool.push(id);
                }
                let (technologies, compliant) = self
                    .get(id)
                    .map(|f| (f.technologies.clone(), f.is_compliant()))
                    .unwrap_or_default();
                changes.push(FactoryStageChange {
                    id,
                    stage: to,
                    technologies,
                    compliant,
                });
            }
        }
        if !changes.is_empty() {
            self.rebuild_summary();
        }
        changes
    }

    fn promote(&mut self, id: u32, to: UpgradeStage, rng: &mut SimRng) {
        let Some(f) = self.get_mut(id) else { return };
        let old_techs = f.technologies.clone();
        let from = f.stage;
        f.stage = to;
        if to != UpgradeStage::Assessing {
            f.technologies = technologies_for(to, f.industry, &old_techs, rng);
            let previous = f.kpis;
            f.kpis = kpis_for(to, &f.technologies, Some(previous), rng);
        }
        let new_techs = f.technologies.clone();
        let province = f.province.clone();
        let edge_or_cloud = uses_edge_or_cloud(f);
        self.stage_counts[stage_index(from)] -= 1;
        self.stage_counts[stage_index(to)] += 1;
        for t in old_techs {
            self.tech_counts[technology_index(t)] -= 1;
        }
        for t in new_techs {
            self.tech_counts[technology_index(t)] += 1;
        }
        if to == UpgradeStage::Upgraded {
            *self.upgraded_by_province.entry(province).or_insert(0) += 1;
            if edge_or_cloud && let Some(g) = self.position(id).and_then(|i| self.group_of.get(i)) {
                self.group_edge_or_cloud[*g] += 1;
            }
        }
    }

    fn rebuild_summary(&mut self) {
        let keyed = |keys: Vec<String>, counts: &[u64]| {
            let mut v: Vec<KeyCount> = keys
                .into_iter()
                .zip(counts)
                .map(|(key, count)| KeyCount { key, count: *count })
                .collect();
            v.sort_by(|a, b| a.key.cmp(&b.key));
            v
        };
        self.summary = FactorySummary {
            total: self.factories.len() as u64,
            upgraded: self.upgraded(),
            by_stage: keyed(
                UpgradeStage::ALL.iter().map(wire_key).collect(),
                &self.stage_counts,
            ),
            by_technology: keyed(
                Technology::ALL.iter().map(wire_key).collect(),
                &self.tech_counts,
            ),
            by_industry: keyed(
                Industry::ALL.iter().map(wire_key).collect(),
                &self.industry_counts,
            ),
            upgraded_by_province: self
                .upgraded_by_province
                .iter()
                .map(|(key, count)| KeyCount {
                    key: key.clone(),
                    count: *count,
                })
                .collect(),
        };
    }

    /// How the upgraded plants of group `g` fare on jitter, and how many a jitter cut by
    /// `factor` would bring within requirement.
    pub fn group_fit(&self, g: usize, factor: f64) -> GroupFit {
        let mut jitters = Vec::new();
        let (mut misses, mut fixed) = (0, 0);
        let networked = self
            .group_members(g)
            .filter(|f| f.stage >= UpgradeStage::Deploying)
            .count();
        for f in self
            .group_members(g)
            .filter(|f| f.stage == UpgradeStage::Upgraded)
        {
            jitters.push(f.kpis.jitter_ms);
            if f.kpis.jitter_ms > f.required.jitter_ms {
                misses += 1;
                if f.kpis.jitter_ms * factor <= f.required.jitter_ms {
                    fixed += 1;
                }
            }
        }
        jitters.sort_by(f64::total_cmp);
        let median_jitter_ms = jitters.get(jitters.len() / 2).copied().unwrap_or(0.0);
        GroupFit {
            networked,
            upgraded: jitters.len(),
            jitter_misses: misses,
            fixed_by: fixed,
            median_jitter_ms,
        }
    }

    fn group_members(&self, g: usize) -> impl Iterator<Item = &Factory> {
        self.groups
            .get(g)
            .map(|g| g.members.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|id| self.get(*id))
    }

    /// A TSN schedule on group `g`: jitter × `jitter_factor`, latency × `latency_factor` for plants
    /// past assessment.
    pub fn tune_network(&mut self, g: usize, jitter_factor: f64, latency_factor: f64) {
        let members = self
            .groups
            .get(g)
            .map(|g| g.members.clone())
            .unwrap_or_default();
        for id in members {
            if let Some(f) = self
                .get_mut(id)
                .filter(|f| f.stage >= UpgradeStage::Deploying)
            {
                f.kpis.jitter_ms = round_to((f.kpis.jitter_ms * jitter_factor).max(0.05), 100.0);
                f.kpis.latency_ms = round_to((f.kpis.latency_ms * latency_factor).max(1.0), 100.0);
            }
        }
    }

    /// A process-parameter change on group `g`: fewer losses (unreliability × `loss_factor`) and a
    /// little more throughput, for plants past assessment.
    pub fn tune_process(&mut self, g: usize, loss_factor: f64, throughput_factor: f64) {
        let members = self
            .groups
            .get(g)
            .map(|g| g.members.clone())
            .unwrap_or_default();
        for id in members {
            if let Some(f) = self
                .get_mut(id)
                .filter(|f| f.stage >= UpgradeStage::Deploying)
            {
                let loss = (1.0 - f.kpis.reliability) * loss_factor;
                f.kpis.reliability = round_to(1.0 - loss.max(1e-7), 1e7);
                f.kpis.throughput_mbps = round_to(
                    (f.kpis.throughput_mbps * throughput_factor).min(2500.0),
                    10.0,
                );
            }
        }
    }
}

fn uses_edge_or_cloud(f: &Factory) -> bool {
    f.technologies
        .iter()
        .any(|t| matches!(t, Technology::EdgeComputing | Technology::CloudPlc))
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

/// 38 % upgraded, 20 % deploying, 22 % assessing, 20 % planned.
fn initial_stage(rng: &mut SimRng) -> UpgradeStage {
    let u = draw::uniform(rng, 0.0, 1.0);
    match u {
        u if u < 0.38 => UpgradeStage::Upgraded,
        u if u < 0.58 => UpgradeStage::Deploying,
        u if u < 0.80 => UpgradeStage::Assessing,
        _ => UpgradeStage::Planned,
    }
}

/// Technologies for a plant reaching `stage`, keeping what it already has.
fn technologies_for(
    stage: UpgradeStage,
    industry: Industry,
    have: &[Technology],
    rng: &mut SimRng,
) -> Vec<Technology> {
    let wanted = match stage {
        // A legacy public 5G link at some plants before the programme.
        UpgradeStage::Planned | UpgradeStage::Assessing | UpgradeStage::Unknown => {
            usize::from(draw::chance(rng, 0.15))
        }
        UpgradeStage::Deploying => 1 + draw::index(rng, 2),
        UpgradeStage::Upgraded => 1 + draw::weighted(rng, &[0.25, 0.35, 0.25, 0.15]),
    };
    let mut techs: Vec<Technology> = have.to_vec();
    let mut weights = technology_weights(industry);
    if matches!(stage, UpgradeStage::Planned | UpgradeStage::Assessing) {
        weights = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    }
    for t in &techs {
        weights[technology_index(*t)] = 0.0;
    }
    while techs.len() < wanted && weights.iter().any(|w| *w > 0.0) {
        let k = draw::weighted(rng, &weights);
        weights[k] = 0.0;
        techs.push(Technology::ALL[k]);
    }
    techs.sort_unstable();
    techs
}

/// Network figures for a plant at `stage` with `techs`; never worse than `previous`.
pub(crate) fn kpis_for(
    stage: UpgradeStage,
    techs: &[Technology],
    previous: Option<NetworkKpis>,
    rng: &mut SimRng,
) -> NetworkKpis {
    let has = |t: Technology| techs.contains(&t);
    let fresh = match stage {
        UpgradeStage::Upgraded => {
            let deterministic = has(Technology::Tsn) || has(Technology::FiveGA);
            NetworkKpis {
                latency_ms: if deterministic {
                    draw::log_uniform(rng, 2.0, 6.0)
                } else {
                    draw::log_uniform(rng, 2.5, 10.0)
                },
                jitter_ms: if has(Technology::Tsn) {
                    draw::log_uniform(rng, 0.1, 0.6)
                } else {
                    draw::log_uniform(rng, 0.2, 2.0)
                },
                reliability: 1.0 - 10f64.powf(-draw::uniform(rng, 4.0, 6.0)),
                throughput_mbps: if has(Technology::IndustrialOptical) {
                    draw::log_uniform(rng, 300.0, 2000.0)
                } else {
                    draw::log_uniform(rng, 100.0, 1500.0)
                },
            }
        }
        UpgradeStage::Deploying => NetworkKpis {
            latency_ms: draw::log_uniform(rng, 6.0, 20.0),
            jitter_ms: draw::log_uniform(rng, 1.0, 5.0),
            reliability: 1.0 - 10f64.powf(-draw::uniform(rng, 3.0, 4.0)),
            throughput_mbps: draw::log_uniform(rng, 50.0, 800.0),
        },
        UpgradeStage::Planned | UpgradeStage::Assessing | UpgradeStage::Unknown => NetworkKpis {
            latency_ms: draw::log_uniform(rng, 10.0, 40.0),
            jitter_ms: draw::log_uniform(rng, 2.0, 10.0),
            reliability: 1.0 - 10f64.powf(-draw::uniform(rng, 2.0, 3.0)),
            throughput_mbps: draw::log_uniform(rng, 20.0, 300.0),
        },
    };
    let best = match previous {
        Some(p) => NetworkKpis {
            latency_ms: fresh.latency_ms.min(p.latency_ms),
            jitter_ms: fresh.jitter_ms.min(p.jitter_ms),
            reliability: fresh.reliability.max(p.reliability),
            throughput_mbps: fresh.throughput_mbps.max(p.throughput_mbps),
        },
        None => fresh,
    };
    NetworkKpis {
        latency_ms: round_to(best.latency_ms, 100.0),
        jitter_ms: round_to(best.jitter_ms, 100.0),
        reliability: round_to(best.reliability, 1e7),
        throughput_mbps: round_to(best.throughput_mbps, 10.0),
    }
}

fn round_to(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

/// The province's names, for agents and texts: (`zh`, `en`) by ISO code.
pub fn province_names(cities: &[City]) -> BTreeMap<String, (String, String)> {
    let mut names = BTreeMap::new();
    for c in cities {
        names
            .entry(c.prov.clone())
            .or_insert_with(|| (c.province_zh.clone(), c.province_en.clone()));
    }
    names
}

/// Wire key of an industry (used in group ids and agent ids).
pub fn industry_key(industry: Industry) -> String {
    labels::wire_key(&industry)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
