//! The agents: one per hub node, one for the backbone, one per metro (network agents), and one per
//! province-and-industry group of at least [`MIN_GROUP_PLANTS`] plants (industrial agents). Keeps
//! their autonomy levels and counters; what they propose lives in `proposals`.

use std::collections::BTreeMap;

use crate::api::{Agent, AgentScope, AutonomyLevel};

use super::clock::SECONDS_PER_MONTH;
use super::compute::Backbone;
use super::draw::{self, SimRng};
use super::factories::{FactoryBook, industry_key};
use super::labels::{industry_en, industry_zh};
use super::metros::Metros;

/// A group needs this many plants to get its own agent.
pub const MIN_GROUP_PLANTS: usize = 40;
/// Network agents gaining a level per simulated month, nationally.
const NETWORK_LEVEL_UPS_PER_MONTH: f64 = 1.2;
/// Industrial agents gaining a level per simulated month, nationally.
const INDUSTRIAL_LEVEL_UPS_PER_MONTH: f64 = 10.0;
/// Executed actions after which an agent is trusted with one more level.
const TRUST_MILESTONES: [u64; 2] = [10, 30];

/// All agents and who looks after what.
#[derive(Debug, Clone)]
pub struct AgentBook {
    agents: Vec<Agent>,
    hub_agents: Vec<usize>,
    backbone_agent: usize,
    metro_agents: Vec<usize>,
    /// (group index, agent index) for groups with an agent, by group index.
    group_agents: Vec<(usize, usize)>,
    by_id: BTreeMap<String, usize>,
}

impl AgentBook {
    /// Create the agents and put the plants of each agent's group under it.
    pub fn new(
        backbone: &Backbone,
        metros: &Metros,
        book: &mut FactoryBook,
        provinces: &BTreeMap<String, (String, String)>,
        rng: &mut SimRng,
    ) -> Self {
        let mut agents = Vec::new();
        let mut hub_agents = Vec::new();
        for hub in backbone.hubs() {
            hub_agents.push(agents.len());
            agents.push(agent(
                format!("agent-hub-{}", hub.id),
                format!("Hub agent · {}", hub.name_en),
                format!("{}枢纽智能体", hub.name_zh),
                AgentScope::Hub(hub.id.clone()),
                false,
                pick_level(
                    rng,
                    &[
                        (AutonomyLevel::L2, 0.2),
                        (AutonomyLevel::L3, 0.5),
                        (AutonomyLevel::L4, 0.3),
                    ],
                ),
            ));
        }
        let backbone_agent = agents.len();
        agents.push(agent(
            "agent-backbone".to_owned(),
            "Backbone agent".to_owned(),
            "骨干网智能体".to_owned(),
            AgentScope::Backbone,
            false,
            AutonomyLevel::L3,
        ));
        let mut metro_agents = Vec::new();
        for metro in metros.summaries() {
            metro_agents.push(agents.len());
            agents.push(agent(
                format!("agent-metro-{}", metro.id),
                format!("Metro agent · {}", metro.name_en),
                format!("{}城域网智能体", metro.name_zh),
                AgentScope::Metro(metro.id.clone()),
                false,
                pick_level(
                    rng,
                    &[
                        (AutonomyLevel::L2, 0.4),
                        (AutonomyLevel::L3, 0.45),
                        (AutonomyLevel::L4, 0.15),
                    ],
                ),
            ));
        }
        let mut group_agents = Vec::new();
        let eligible: Vec<usize> = (0..book.groups().len())
            .filter(|g| book.groups()[*g].members.len() >= MIN_GROUP_PLANTS)
            .collect();
        for g in eligible {
            let group = &book.groups()[g];
            let (prov_zh, prov_en) = provinces
                .get(&group.prov)
                .cloned()
                .unwrap_or_else(|| (group.prov.clone(), group.prov.clone()));
            let id = format!("agent-fg-{}-{}", group.prov, industry_key(group.industry));
            let level = pick_level(
                rng,
                &[
                    (AutonomyLevel::L1, 0.12),
                    (AutonomyLevel::L2, 0.46),
                    (AutonomyLevel::L3, 0.36),
                    (AutonomyLevel::L4, 0.06),
                ],
            );
            let new_agent = agent(
                id.clone(),
                format!("{prov_en} {} agent", industry_en(group.industry)),
                format!("{prov_zh}{}行业智能体", industry_zh(group.industry)),
                AgentScope::FactoryGroup(group.id.clone()),
                true,
                level,
            );
            group_agents.push((g, agents.len()));
            agents.push(new_agent);
            book.assign_agent(g, &id);
        }
        let by_id = agents
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        Self {
            agents,
            hub_agents,
            backbone_agent,
            metro_agents,
            group_agents,
            by_id,
        }
    }

    pub fn all(&self) -> &[Agent] {
        &self.agents
    }

    pub fn get(&self, i: usize) -> Option<&Agent> {
        self.agents.get(i)
    }

    pub fn index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn hub_agent(&self, hub: usize) -> Option<usize> {
        self.hub_agents.get(hub).copied()
    }

    pub fn backbone_agent(&self) -> usize {
        self.backbone_agent
    }

    pub fn metro_agent(&self, metro: usize) -> Option<usize> {
        self.metro_agents.get(metro).copied()
    }

    /// (group index, agent index) of every industrial agent.
    pub fn group_agents(&self) -> &[(usize, usize)] {
        &self.group_agents
    }

    /// Agents that grew in autonomy over `dt_s` simulated seconds. Returns their indices.
    pub fn advance(&mut self, dt_s: f64, rng: &mut SimRng) -> Vec<usize> {
        let months = dt_s / SECONDS_PER_MONTH;
        let mut changed = Vec::new();
        for (industrial, rate) in [
            (false, NETWORK_LEVEL_UPS_PER_MONTH),
            (true, INDUSTRIAL_LEVEL_UPS_PER_MONTH),
        ] {
            for _ in 0..draw::poisson(rng, rate * months) {
                let candidates: Vec<usize> = (0..self.agents.len())
                    .filter(|i| {
                        self.agents[*i].industrial == industrial
                            && self.agents[*i].autonomy < AutonomyLevel::L4
                    })
                    .collect();
                if candidates.is_empty() {
                    break;
                }
                let i = candidates[draw::index(rng, candidates.len())];
                self.agents[i].autonomy = next_level(self.agents[i].autonomy);
                changed.push(i);
            }
        }
        changed.sort_unstable();
        changed.dedup();
        changed
    }

    pub fn note_proposed(&mut self, i: usize) {
        if let Some(a) = self.agents.get_mut(i) {
            a.proposed += 1;
        }
    }

    /// Count an executed action; trust grows with a record of them.
    pub fn note_executed(&mut self, i: usize) {
        if let Some(a) = self.agents.get_mut(i) {
            a.executed += 1;
            if TRUST_MILESTONES.contains(&a.executed) && a.autonomy < AutonomyLevel::L4 {
                a.autonomy = next_level(a.autonomy);
            }
        }
    }

    /// Share of network agents at L4 or above, 0..1.
    pub fn network_l4_share(&self) -> f64 {
        let network: Vec<&Agent> = self.agents.iter().filter(|a| !a.industrial).collect();
        let high = network
            .iter()
            .filter(|a| a.autonomy >= AutonomyLevel::L4)
            .count();
        high as f64 / network.len().max(1) as f64
    }

    /// Groups whose agent is at L3 or above.
    pub fn groups_at_l3_plus(&self) -> impl Iterator<Item = usize> + '_ {
        self.group_agents
            .iter()
            .filter(|(_, a)| self.agents[*a].autonomy >= AutonomyLevel::L3)
            .map(|(g, _)| *g)
    }
}

fn agent(
    id: String,
    name_en: String,
    name_zh: String,
    scope: AgentScope,
    industrial: bool,
    autonomy: AutonomyLevel,
) -> Agent {
    Agent {
        id,
        name_en,
        name_zh,
        scope,
        industrial,
        autonomy,
        proposed: 0,
        executed: 0,
    }
}

fn pick_level(rng: &mut SimRng, choices: &[(AutonomyLevel, f64)]) -> AutonomyLevel {
    let weights: Vec<f64> = choices.iter().map(|c| c.1).collect();
    choices
        .get(draw::weighted(rng, &weights))
        .map_or(AutonomyLevel::L2, |c| c.0)
}

pub fn next_level(level: AutonomyLevel) -> AutonomyLevel {
    match level {
        AutonomyLevel::L0 => AutonomyLevel::L1,
        AutonomyLevel::L1 => AutonomyLevel::L2,
        AutonomyLevel::L2 => AutonomyLevel::L3,
        AutonomyLevel::L3 => AutonomyLevel::L4,
        AutonomyLevel::L4 | AutonomyLevel::L5 => AutonomyLevel::L5,
        AutonomyLevel::Unknown => AutonomyLevel::Unknown,
    }
}
