//! The (province, industry) groups of plants: what a group is, how its upgraded plants fare
//! against their requirement, and what a network or process change does to them.

use crate::api::{Factory, Industry, UpgradeStage};

use super::FactoryBook;
use super::plant::round_to;

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

impl FactoryBook {
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
