//! What human-in-the-loop control needs from the simulated world: the bounds an override of a
//! proposal may move within, which kinds of action can be undone (and so may run before anyone
//! approves them), undoing an executed action after a veto, and which factory group a plant is in.
//!
//! Reverting is the inverse of `Simulator::apply_executed` for the same parameters; plant KPIs
//! come back to within their rounding (0.01 ms, 1e-7, 10 Mbit/s).

use std::collections::BTreeMap;

use crate::api::gateway_rules::{self, entity_id};
use crate::api::{
    Action, ActionKind, AgentGrant, AgentScope, ParamBound, Policy, ProposalRequest, ProposeMode,
};
use crate::proposals::Proposal;

use super::Simulator;
use super::factories::industry_key;

/// Kinds whose effect the simulator can undo: only these may execute before a human decides.
/// Building edge sites and metro QoS changes wait for an approval.
pub fn reversible(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::Reroute
            | ActionKind::ScaleCompute
            | ActionKind::TsnSchedule
            | ActionKind::ProcessParameter
    )
}

fn bound(min: f64, max: f64) -> ParamBound {
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    ParamBound {
        min: round(min.min(max)),
        max: round(max.max(min)),
    }
}

/// The numeric parameters an operator may change in an override, and how far: around what the
/// agent proposed, never past what the simulator would accept anyway.
pub fn param_bounds(kind: ActionKind, params: &serde_json::Value) -> BTreeMap<String, ParamBound> {
    let number = |key: &str| {
        params
            .get(key)
            .and_then(serde_json::Value::as_f64)
            .filter(|x| x.is_finite())
    };
    let mut out = BTreeMap::new();
    match kind {
        ActionKind::Reroute => {
            if let Some(shift) = number("shift_gbps") {
                out.insert("shift_gbps".into(), bound(10.0, (shift * 1.5).max(10.0)));
            }
        }
        ActionKind::ScaleCompute => {
            if let Some(add) = number("add_eflops") {
                out.insert("add_eflops".into(), bound(0.5, (add * 2.0).max(0.5)));
            }
        }
        ActionKind::QosSchedule => {
            if number("latency_gain_ms").is_some() {
                out.insert("latency_gain_ms".into(), bound(0.01, 0.04));
            }
        }
        ActionKind::TsnSchedule => {
            if number("cycle_us").is_some() {
                out.insert("cycle_us".into(), bound(125.0, 1000.0));
            }
            if number("jitter_factor").is_some() {
                out.insert("jitter_factor".into(), bound(0.3, 1.0));
            }
        }
        ActionKind::ProcessParameter => {
            if let (Some(from), Some(to)) = (number("from"), number("to")) {
                let step = (to - from).abs().max(from.abs() * 0.005);
                out.insert("to".into(), bound(from - 1.5 * step, from + 1.5 * step));
            }
        }
        ActionKind::DeployEdge | ActionKind::Unknown => {}
    }
    out
}

use super::ActionParams;

impl Simulator {
    /// Undo an action that ran (a veto inside its window). Returns false for kinds that cannot
    /// be undone (see [`reversible`]); those never run before an approval.
    pub fn revert_executed(&mut self, action: &Action) -> bool {
        let params = ActionParams(&action.params);
        let text = |key: &str| params.text(key);
        let number = |key: &str| params.number(key);
        match action.kind {
            ActionKind::Reroute => {
                let link = text("from_link").and_then(|id| self.backbone.link_index(id));
                let Some(i) = link.or_else(|| self.backbone.link_index(entity_id(&action.target)))
                else {
                    return true;
                };
                if let Some(via) = text("via").and_then(|id| self.backbone.cluster_index(id)) {
                    let moved = number("shift_gbps").unwrap_or(100.0);
                    self.backbone.undo_reroute(i, via, moved, self.now);
                }
            }
            ActionKind::ScaleCompute => {
                let cluster = text("cluster").and_then(|id| self.backbone.cluster_index(id));
                if let Some(i) =
                    cluster.or_else(|| self.backbone.cluster_index(entity_id(&action.target)))
                {
                    let added = number("add_eflops").unwrap_or(5.0);
                    self.backbone.undo_scale_compute(i, added, self.now);
                }
            }
            ActionKind::TsnSchedule => {
                if let Some(g) = self.book.group_index(entity_id(&action.target)) {
                    let factor = number("jitter_factor")
                        .unwrap_or_else(|| match number("cycle_us") {
                            Some(c) if c <= 250.0 => 0.55,
                            Some(c) if c <= 500.0 => 0.6,
                            _ => 0.7,
                        })
                        .clamp(0.3, 1.0);
                    self.book.tune_network(g, 1.0 / factor, 1.0 / 0.9);
                }
            }
            ActionKind::ProcessParameter => {
                if let Some(g) = self.book.group_index(entity_id(&action.target)) {
                    self.book.tune_process(g, 1.0 / 0.7, 1.0 / 1.05);
                }
            }
            ActionKind::DeployEdge | ActionKind::QosSchedule | ActionKind::Unknown => return false,
        }
        if let Some(i) = self.agents.index(&action.agent_id) {
            self.dirty_agents.insert(i);
        }
        true
    }

    /// What an override of a proposal of this kind may change (see [`param_bounds`]).
    pub fn override_bounds(
        &self,
        kind: ActionKind,
        params: &serde_json::Value,
    ) -> BTreeMap<String, ParamBound> {
        param_bounds(kind, params)
    }

    /// Whether the agent is an industrial one (its actions target factory groups).
    /// What one of this simulator's agents may propose, from its scope: the backbone agent
    /// reroutes links, a hub agent scales clusters, a metro agent acts on its metro, an
    /// industrial agent on its factory group. `None` for an agent this simulator does not run.
    pub fn agent_grant(&self, agent_id: &str) -> Option<AgentGrant> {
        let agent = self
            .agents
            .index(agent_id)
            .and_then(|i| self.agents.get(i))?;
        let (kinds, targets): (&[&str], Vec<String>) = match &agent.scope {
            AgentScope::Backbone => (&["backbone.*"], vec!["link:*".into()]),
            AgentScope::Hub(_) => (
                &["compute.*", "backbone.*"],
                vec!["cluster:*".into(), "link:*".into()],
            ),
            AgentScope::Metro(id) => (&["metro.*"], vec![format!("metro:{id}")]),
            AgentScope::FactoryGroup(g) => (&["factory.*"], vec![format!("group:{g}")]),
        };
        Some(AgentGrant {
            agent_id: agent.id.clone(),
            autonomy: agent.autonomy,
            kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
            targets,
        })
    }

    /// A proposal of this simulator's agents as any agent sends it to the gateway: the
    /// namespaced kind, the target as `KIND:ID`, the bounds an override may use, act now where
    /// the agent would (low risk, L4+, reversible), the proposal's lifetime.
    pub fn request_for(&self, p: Proposal, idempotency_key: String) -> ProposalRequest {
        ProposalRequest {
            idempotency_key,
            kind: gateway_rules::kind_name(p.kind).to_owned(),
            target: format!("{}:{}", gateway_rules::target_kind(p.kind), p.target),
            param_bounds: param_bounds(p.kind, &p.params),
            summary_en: p.summary_en,
            summary_zh: p.summary_zh,
            rationale_en: p.rationale_en,
            rationale_zh: p.rationale_zh,
            evidence: Vec::new(),
            confidence: p.confidence.clamp(0.0, 1.0),
            risk: p.risk,
            predicted: Vec::new(),
            predicted_impact_en: p.predicted_impact_en,
            predicted_impact_zh: p.predicted_impact_zh,
            params: p.params,
            rollback_en: String::new(),
            mode: if p.policy == Policy::AutoWithVeto {
                ProposeMode::ActNow
            } else {
                ProposeMode::AskFirst
            },
            expires_in_s: Some(p.ttl_s.clamp(1, 86_400)),
        }
    }

    /// Whether a factory group `<province>/<industry>` exists.
    pub fn has_factory_group(&self, group: &str) -> bool {
        self.book.group_index(group).is_some()
    }

    /// Whether this simulator runs the agent (and so carries out its approved actions).
    pub fn runs_agent(&self, agent_id: &str) -> bool {
        self.agents.index(agent_id).is_some()
    }

    pub fn is_industrial_agent(&self, agent_id: &str) -> bool {
        self.agents
            .index(agent_id)
            .and_then(|i| self.agents.get(i))
            .is_some_and(|a| a.industrial)
    }

    /// The factory group (`<province>/<industry>`, the target of its industrial agent's actions)
    /// of a plant.
    pub fn factory_group(&self, factory_id: u32) -> Option<String> {
        let f = self.book.get(factory_id)?;
        Some(format!("{}/{}", f.province, industry_key(f.industry)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::SimConfig;
    use serde_json::json;

    #[test]
    fn bounds_surround_the_proposal() {
        let b = param_bounds(ActionKind::Reroute, &json!({"shift_gbps": 60.0}));
        assert_eq!(
            b["shift_gbps"],
            ParamBound {
                min: 10.0,
                max: 90.0
            }
        );
        let b = param_bounds(
            ActionKind::ProcessParameter,
            &json!({"from": 245.0, "to": 241.0}),
        );
        assert!(b["to"].min < 241.0 && b["to"].max > 245.0);
        assert!(param_bounds(ActionKind::DeployEdge, &json!({"sites": []})).is_empty());
    }

    #[test]
    fn scale_and_reroute_come_back_after_revert() {
        let mut sim = Simulator::new(SimConfig {
            factory_count: 3_000,
            ..SimConfig::default()
        })
        .unwrap();
        let cluster = sim.clusters()[0].clone();
        let action = Action {
            id: 1,
            version: 1,
            agent_id: "agent-backbone".into(),
            kind: ActionKind::ScaleCompute,
            target: cluster.id.clone(),
            summary_en: String::new(),
            summary_zh: String::new(),
            rationale_en: String::new(),
            rationale_zh: String::new(),
            confidence: 0.9,
            risk: crate::api::Risk::Low,
            policy: crate::api::Policy::AutoWithVeto,
            predicted_impact_en: String::new(),
            predicted_impact_zh: String::new(),
            params: json!({"cluster": cluster.id, "add_eflops": 2.0}),
            state: crate::api::ActionState::Executed,
            created_at: 0,
            expires_at: 0,
            approvals: vec![],
            decided_by: None,
            decided_at: None,
            overridden: false,
            industrial: false,
            veto_until: None,
            param_bounds: BTreeMap::new(),
            on_expiry: crate::api::ExpiryDefault::NotExecuted,
            ..Default::default()
        };
        sim.apply_executed(&action);
        assert!((sim.clusters()[0].compute_eflops - cluster.compute_eflops - 2.0).abs() < 1e-9);
        assert!(sim.revert_executed(&action));
        assert!((sim.clusters()[0].compute_eflops - cluster.compute_eflops).abs() < 1e-9);
        let mut edge = action.clone();
        edge.kind = ActionKind::DeployEdge;
        assert!(!sim.revert_executed(&edge));
        let f = sim.factories()[0].clone();
        assert_eq!(
            sim.factory_group(f.id).unwrap(),
            format!("{}/{}", f.province, industry_key(f.industry))
        );
    }
}
