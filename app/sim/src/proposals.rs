//! What the agents propose: each step they look at the world and, within a budget of about one
//! proposal per four simulated minutes, propose actions with bilingual texts and concrete numbers.
//! Alarms (a hot channel or cluster) come first; metro and industrial agents fill the rest now and
//! then. An (agent, target) pair proposed recently is held back, since the backend does not say
//! when a proposal closes: see [`HOLD_MS`] and [`HOLD_STEPS`].
//!
//! Each kind of agent's proposal rule is one function in `rules.rs`, side by side; this file holds
//! the budget and hold rules they all share and what goes into every proposal.

use std::collections::BTreeMap;

use crate::api::{ActionKind, AutonomyLevel, Policy, Risk, UnixMs};

use super::agents::AgentBook;
use super::clock::MS_PER_HOUR;
use super::compute::Backbone;
use super::draw::{self, SimRng};
use super::factories::FactoryBook;
use super::metros::Metros;

mod rules;

use rules::{group_action, metro_action, reroute, scale_compute};

/// A proposal budget token accrues every this many simulated seconds.
const TOKEN_EVERY_S: f64 = 240.0;
/// Tokens saved up at most, and proposals per step at most.
const MAX_TOKENS: f64 = 3.0;
const MAX_PER_STEP: usize = 3;
/// A proposed (agent, target) pair is held back for this long in simulated time…
const HOLD_MS: i64 = 36 * MS_PER_HOUR;
/// …and at least this many steps, whichever ends later. Together they outlast the longest TTL
/// (1,800 s of real time) at speeds up to 60 simulated seconds per step, and at any speed when
/// the backend steps at most once a real second.
const HOLD_STEPS: u64 = 1800;
/// After an executed action the pair may be proposed again this much later.
const COOL_DOWN_MS: i64 = 6 * MS_PER_HOUR;
/// Utilization above which a channel or cluster raises an alarm.
const LINK_ALARM: f64 = 0.8;
const CLUSTER_ALARM: f64 = 0.85;

/// An action an agent wants taken; the backend turns it into an `Action`.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub agent_id: String,
    pub kind: ActionKind,
    /// A link, cluster, metro or factory-group id.
    pub target: String,
    pub summary_en: String,
    pub summary_zh: String,
    pub rationale_en: String,
    pub rationale_zh: String,
    /// 0.55..0.98.
    pub confidence: f64,
    pub risk: Risk,
    pub policy: Policy,
    pub predicted_impact_en: String,
    pub predicted_impact_zh: String,
    pub params: serde_json::Value,
    /// Real seconds the proposal stays open, 300..=1800.
    pub ttl_s: u32,
}

/// What the agents see.
pub struct World<'a> {
    pub now: UnixMs,
    pub backbone: &'a Backbone,
    pub metros: &'a Metros,
    pub book: &'a FactoryBook,
    pub agents: &'a AgentBook,
    pub provinces: &'a BTreeMap<String, (String, String)>,
}

#[derive(Debug, Clone, Copy)]
struct Hold {
    until_ms: UnixMs,
    until_step: u64,
}

/// The proposal budget and the pairs held back.
#[derive(Debug, Clone)]
pub struct Proposer {
    tokens: f64,
    steps: u64,
    holds: BTreeMap<(String, String), Hold>,
}

#[derive(Debug, Clone, Copy)]
enum Alarm {
    Link(usize, f64),
    Cluster(usize, f64),
}

impl Proposer {
    pub fn new() -> Self {
        Self {
            tokens: 0.0,
            steps: 0,
            holds: BTreeMap::new(),
        }
    }

    /// Proposals for this step.
    pub fn step(&mut self, world: &World<'_>, dt_s: f64, rng: &mut SimRng) -> Vec<Proposal> {
        self.steps += 1;
        let (now, steps) = (world.now, self.steps);
        self.holds
            .retain(|_, h| h.until_ms > now || h.until_step > steps);
        self.tokens = (self.tokens + dt_s / TOKEN_EVERY_S).min(MAX_TOKENS);

        let mut out = Vec::new();
        for alarm in alarms(world) {
            if self.tokens < 1.0 || out.len() >= MAX_PER_STEP {
                break;
            }
            let proposal = match alarm {
                Alarm::Link(i, _) => self.unless_held(
                    world,
                    world.agents.backbone_agent(),
                    link_id(world, i),
                    |w| reroute(w, i, rng),
                ),
                Alarm::Cluster(i, _) => {
                    let Some(agent) = world
                        .backbone
                        .hub_of_cluster(i)
                        .and_then(|h| world.agents.hub_agent(h))
                    else {
                        continue;
                    };
                    let target = world.backbone.clusters()[i].id.clone();
                    self.unless_held(world, agent, target, |w| scale_compute(w, i, rng))
                }
            };
            if let Some(p) = proposal {
                self.take(p, now, &mut out);
            }
        }
        if self.tokens >= 1.0 && out.len() < MAX_PER_STEP && draw::chance(rng, 0.5) {
            let industrial = !world.agents.group_agents().is_empty() && draw::chance(rng, 0.65);
            let proposal = if industrial {
                let (g, agent) = world.agents.group_agents()
                    [draw::index(rng, world.agents.group_agents().len())];
                let target = world.book.groups()[g].id.clone();
                self.unless_held(world, agent, target, |w| group_action(w, g, agent, rng))
            } else {
                let m = draw::index(rng, world.metros.summaries().len());
                match world
                    .metros
                    .summaries()
                    .get(m)
                    .zip(world.agents.metro_agent(m))
                {
                    Some((metro, agent)) => self.unless_held(world, agent, metro.id.clone(), |w| {
                        metro_action(w, m, agent, rng)
                    }),
                    None => None,
                }
            };
            if let Some(p) = proposal {
                self.take(p, now, &mut out);
            }
        }
        out
    }

    fn unless_held(
        &self,
        world: &World<'_>,
        agent: usize,
        target: String,
        build: impl FnOnce(&World<'_>) -> Option<Proposal>,
    ) -> Option<Proposal> {
        let agent_id = world.agents.get(agent)?.id.clone();
        if self.holds.contains_key(&(agent_id, target)) {
            None
        } else {
            build(world)
        }
    }

    fn take(&mut self, p: Proposal, now: UnixMs, out: &mut Vec<Proposal>) {
        self.tokens -= 1.0;
        let hold = Hold {
            until_ms: now.saturating_add(HOLD_MS),
            until_step: self.steps + HOLD_STEPS,
        };
        self.holds
            .insert((p.agent_id.clone(), p.target.clone()), hold);
        out.push(p);
    }

    /// An action on (agent, target) was executed: it may come up again after a cool-down.
    pub fn executed(&mut self, agent_id: &str, target: &str, now: UnixMs) {
        self.holds.insert(
            (agent_id.to_owned(), target.to_owned()),
            Hold {
                until_ms: now.saturating_add(COOL_DOWN_MS),
                until_step: 0,
            },
        );
    }
}

fn link_id(world: &World<'_>, i: usize) -> String {
    world
        .backbone
        .links()
        .get(i)
        .map(|l| l.id.clone())
        .unwrap_or_default()
}

/// Hot channels and clusters, worst first.
fn alarms(world: &World<'_>) -> Vec<Alarm> {
    let mut alarms: Vec<Alarm> = Vec::new();
    for (i, l) in world.backbone.links().iter().enumerate() {
        if l.utilization > LINK_ALARM {
            alarms.push(Alarm::Link(i, l.utilization - LINK_ALARM));
        }
    }
    for (i, c) in world.backbone.clusters().iter().enumerate() {
        if c.utilization > CLUSTER_ALARM {
            alarms.push(Alarm::Cluster(i, c.utilization - CLUSTER_ALARM));
        }
    }
    let excess = |a: &Alarm| match a {
        Alarm::Link(_, e) | Alarm::Cluster(_, e) => *e,
    };
    alarms.sort_by(|a, b| excess(b).total_cmp(&excess(a)));
    alarms
}

/// Who must agree, from risk and the agent's autonomy.
pub fn policy_for(risk: Risk, autonomy: AutonomyLevel) -> Policy {
    match risk {
        Risk::High | Risk::Critical => Policy::TwoApprovals,
        Risk::Low if autonomy >= AutonomyLevel::L4 => Policy::AutoWithVeto,
        _ => Policy::OneApproval,
    }
}

/// The policy of a proposal: as [`policy_for`], except that what cannot be undone never runs
/// before an approval (a veto could not roll it back).
pub fn policy_for_action(kind: ActionKind, risk: Risk, autonomy: AutonomyLevel) -> Policy {
    match policy_for(risk, autonomy) {
        Policy::AutoWithVeto if !super::hitl::reversible(kind) => Policy::OneApproval,
        policy => policy,
    }
}

fn ttl_for(risk: Risk, rng: &mut SimRng) -> u32 {
    let (lo, hi) = match risk {
        Risk::Low => (300.0, 600.0),
        Risk::Medium => (600.0, 1200.0),
        Risk::High => (900.0, 1800.0),
        Risk::Critical | Risk::Unknown => (600.0, 900.0),
    };
    ((draw::uniform(rng, lo, hi) / 30.0).round() * 30.0) as u32
}

fn confidence(base: f64, rng: &mut SimRng) -> f64 {
    ((base + 0.04 * draw::gauss(rng)).clamp(0.55, 0.98) * 100.0).round() / 100.0
}

fn pct(x: f64) -> String {
    format!("{:.0}", x * 100.0)
}

/// Texts and figures of a proposal, before the agent's details are added.
struct Draft {
    kind: ActionKind,
    target: String,
    summary: (String, String),
    rationale: (String, String),
    impact: (String, String),
    params: serde_json::Value,
    risk: Risk,
    confidence: f64,
}

fn finish(world: &World<'_>, agent: usize, draft: Draft, rng: &mut SimRng) -> Option<Proposal> {
    let a = world.agents.get(agent)?;
    Some(Proposal {
        agent_id: a.id.clone(),
        kind: draft.kind,
        target: draft.target,
        summary_en: draft.summary.0,
        summary_zh: draft.summary.1,
        rationale_en: draft.rationale.0,
        rationale_zh: draft.rationale.1,
        confidence: draft.confidence,
        risk: draft.risk,
        policy: policy_for_action(draft.kind, draft.risk, a.autonomy),
        predicted_impact_en: draft.impact.0,
        predicted_impact_zh: draft.impact.1,
        params: draft.params,
        ttl_s: ttl_for(draft.risk, rng),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
