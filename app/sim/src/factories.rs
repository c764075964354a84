//! Enterprises on the industrial-network upgrade programme: where they are, what they make, how
//! far along they are, what their plant networks achieve and need. Stage changes are drawn as
//! counts from a per-plant hazard, so a step costs the same whatever the number of plants.
//! Owns the factory list, its roll-up and the (province, industry) groups; not the agents.
//!
//! Split by job: `generate.rs` makes the plants (simulated or from a registry), `plant.rs` models
//! one plant's stage, technologies and KPIs, `groups.rs` holds the (province, industry) groups and
//! what tuning does to them; this file keeps the book, its counts and the stage moves.

use std::collections::{BTreeMap, HashMap};

use crate::api::{
    Factory, FactoryStageChange, FactorySummary, Industry, KeyCount, NetworkKpis, Technology,
    UpgradeStage,
};

use super::draw::{self, SimRng};
use super::geo::City;
use super::labels::{self, industry_index, stage_index, technology_index, wire_key};

mod generate;
mod groups;
mod plant;

use groups::Group;
use plant::technologies_for;
pub(crate) use plant::{kpis_for, workloads};

/// Per-plant rate of moving on to the next stage, per simulated day (mean dwell ≈ 290 days per
/// stage): about 50,000 of 60,000 upgraded by the end of 2028 from a November 2026 start.
const STAGE_RATE_PER_DAY: f64 = 0.0035;

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
    pub(super) fn from_factories(factories: Vec<Factory>) -> Self {
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

    pub(super) fn get_mut(&mut self, id: u32) -> Option<&mut Factory> {
        let i = self.position(id)?;
        self.factories.get_mut(i)
    }

    pub fn summary(&self) -> &FactorySummary {
        &self.summary
    }

    pub fn upgraded(&self) -> u64 {
        self.stage_counts[stage_index(UpgradeStage::Upgraded)]
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
}

fn uses_edge_or_cloud(f: &Factory) -> bool {
    f.technologies
        .iter()
        .any(|t| matches!(t, Technology::EdgeComputing | Technology::CloudPlc))
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
