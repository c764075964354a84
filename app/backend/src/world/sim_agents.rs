//! The simulator's agents as clients of the agent gateway, in process: what they propose and
//! what they owe (an approved action carried out, a vetoed one undone), as their own principals.
//! The clock (`ticker`) sends both through the store — the same rules, records and audit as any
//! agent's.

use crate::api::{Action, ActionState, Principal, ProposalRequest, UnixMs};
use crate::sim::Proposal;
use crate::world::World;

impl World {
    /// The principal one of the simulator's agents speaks as.
    pub fn sim_agent(&self, agent_id: &str) -> Option<Principal> {
        let grant = self.sim.agent_grant(agent_id)?;
        let mut who = Principal::new(agent_id, crate::api::Role::Agent);
        who.agent = Some(grant);
        Some(who)
    }

    /// A proposal of the simulator's agents as its agent sends it to the gateway: the agent's
    /// principal and the request, under a fresh idempotency key. `None` (logged) for an agent
    /// this simulator does not run.
    pub fn sim_proposal(&self, p: Proposal) -> Option<(Principal, ProposalRequest)> {
        let Some(who) = self.sim_agent(&p.agent_id) else {
            tracing::warn!("proposal of unknown simulator agent {} dropped", p.agent_id);
            return None;
        };
        Some((who, self.sim.request_for(p, sim_request_key())))
    }

    /// The action a proposal of the simulator's agents becomes at `now` (id 0, the store's to
    /// assign), by the gateway's rules; `None` when the gateway would refuse it.
    pub fn draft_action(&self, p: Proposal, now: UnixMs) -> Option<Action> {
        let (who, request) = self.sim_proposal(p)?;
        self.draft_proposal(&request, &who, crate::api::Protocol::Simulator, now)
            .ok()
    }

    /// The reports the simulator's agents have to make now: action id, report, the agent.
    pub fn sim_agent_work(&self) -> Vec<(u64, crate::api::OutcomeRequest, Principal)> {
        self.actions
            .values()
            .filter(|a| self.sim.runs_agent(&a.agent_id))
            .filter_map(|a| {
                let report = sim_agent_report(a)?;
                Some((a.id, report, self.sim_agent(&a.agent_id)?))
            })
            .collect()
    }
}

/// A fresh idempotency key for a proposal of the simulator's agents (never reused, also across
/// restarts on the same store).
fn sim_request_key() -> String {
    format!("sim-{}", uuid::Uuid::new_v4())
}

/// What one of the simulator's agents reports about its action now, if anything: an approved
/// action done, a vetoed one undone. One key per action and report, so a report that reached
/// the store is never made twice.
fn sim_agent_report(action: &Action) -> Option<crate::api::OutcomeRequest> {
    let status = match action.state {
        ActionState::Approved if action.outcome.is_none() => crate::api::OutcomeStatus::Executed,
        ActionState::RollbackPending => crate::api::OutcomeStatus::RolledBack,
        _ => return None,
    };
    Some(crate::api::OutcomeRequest {
        idempotency_key: format!("sim-{}-{}", action.id, status.as_str()),
        status,
        details: match status {
            crate::api::OutcomeStatus::RolledBack => "undone in the simulated world".into(),
            _ => "applied to the simulated world".into(),
        },
        measured: Some(action.params.clone()),
        effects: Vec::new(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use crate::sim::{SimConfig, Simulator};
    use crate::world::World;

    /// Every kind of proposal the simulator's agents make passes the gateway's rules (scope,
    /// target, params): none is silently dropped.
    #[test]
    fn the_gateway_takes_every_kind_of_simulated_proposal() {
        let sim = Simulator::new(SimConfig {
            seed: 5,
            factory_count: 2_000,
            ..SimConfig::default()
        })
        .unwrap();
        let mut world = World::new(sim, Vec::new(), 60.0, 100, 0);
        let mut kinds = std::collections::BTreeSet::new();
        for step in 0..3_000 {
            for p in world.step(600.0, 1_000 + step) {
                let kind = p.kind;
                assert!(
                    world.draft_action(p.clone(), 1_000).is_some(),
                    "refused: {p:?}"
                );
                kinds.insert(format!("{kind:?}"));
            }
            if kinds.len() == 6 {
                break;
            }
        }
        assert!(kinds.len() >= 5, "kinds seen: {kinds:?}");
    }
}
