//! The agent gateway inside the world: proposals and outcome reports from agents, each recorded
//! exactly once per idempotency key and committed before it is applied and published.
//!
//! The rules (scope, policy, transitions) are `tianshu_api::gateway_rules`; this module only
//! looks the world up (does the target exist?), asks the store to commit, and publishes.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::api::gateway_rules::{self, GatewayError};
use crate::api::{
    AgentGrant, ConnectedAgent, GatewayResponse, OutcomeRequest, Principal, ProposalRequest,
    Protocol, UnixMs, decisions,
};
use crate::auth::parse_factory_id;
use crate::store::StoreError;
use crate::world::World;

#[derive(Debug, thiserror::Error)]
pub enum GatewayFailure {
    #[error(transparent)]
    Rule(#[from] GatewayError),
    #[error("no action {0}")]
    NotFound(u64),
    #[error("idempotency key {0} was already used for a different request")]
    KeyReused(String),
    #[error("{0} actions are open already; try again when some are decided")]
    Full(usize),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Agents that have called the gateway since the backend started: when and over what.
#[derive(Debug, Default)]
pub struct AgentsSeen {
    seen: Mutex<BTreeMap<String, (UnixMs, Protocol)>>,
}

impl AgentsSeen {
    pub fn note(&self, agent_id: &str, protocol: Protocol, now: UnixMs) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.insert(agent_id.to_owned(), (now, protocol));
    }

    /// The agents of the users file with when each was last heard from.
    pub fn list(&self, grants: &[(String, AgentGrant)]) -> Vec<ConnectedAgent> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        grants
            .iter()
            .map(|(user, g)| {
                let last = seen.get(&g.agent_id);
                ConnectedAgent {
                    agent_id: g.agent_id.clone(),
                    user: user.clone(),
                    autonomy: g.autonomy,
                    kinds: g.kinds.clone(),
                    targets: g.targets.clone(),
                    last_seen: last.map(|l| l.0),
                    last_protocol: last.map(|l| l.1),
                }
            })
            .collect()
    }
}

/// Proposals the world keeps open at most from agents of the gateway (the simulator's have
/// their own budget).
pub const MAX_OPEN_AGENT_ACTIONS: usize = 500;

impl World {
    /// Whether `target` names an entity of this world, and whether it is a plant's (industrial).
    pub fn resolve_target(&self, target: &str) -> Result<bool, GatewayError> {
        let (kind, id) = gateway_rules::parse_target(target)?;
        let exists = match kind {
            "link" => self.sim.links().iter().any(|l| l.id == id),
            "cluster" => self.sim.clusters().iter().any(|c| c.id == id),
            "hub" => self.sim.hubs().iter().any(|h| h.id == id),
            "metro" => self.sim.metros().iter().any(|m| m.id == id),
            "factory" => parse_factory_id(id).is_some_and(|f| self.sim.factory(f).is_some()),
            "group" => self.sim.has_factory_group(id),
            _ => true,
        };
        if exists {
            Ok(matches!(kind, "factory" | "group"))
        } else {
            Err(GatewayError::UnknownTarget(target.to_owned()))
        }
    }

    /// The action a proposal becomes at `now` by the gateway's rules (scope, shape, a target of
    /// this world, policy), with id 0: the store's to assign. The one check of every proposal:
    /// REST, MCP, the simulator's agents, on a single backend or a replica.
    pub fn draft_proposal(
        &self,
        request: &ProposalRequest,
        who: &Principal,
        protocol: Protocol,
        now: UnixMs,
    ) -> Result<crate::api::Action, GatewayError> {
        let grant = gateway_rules::agent_of(who)?;
        gateway_rules::validate(request, who)?;
        let industrial = self.resolve_target(&request.target)?;
        Ok(gateway_rules::draft(
            request, grant, protocol, industrial, now,
        ))
    }

    /// Records a proposal from an agent, once per idempotency key, and publishes the action.
    pub fn propose_from_agent(
        &mut self,
        request: &ProposalRequest,
        who: &Principal,
        protocol: Protocol,
        now: UnixMs,
    ) -> Result<(GatewayResponse, bool), GatewayFailure> {
        let grant = gateway_rules::agent_of(who)?;
        gateway_rules::check_key(&request.idempotency_key)?;
        let body = serde_json::to_value(request).map_err(StoreError::from)?;
        if let Some(recorded) = self
            .store()
            .find_agent_request(&grant.agent_id, &request.idempotency_key)?
        {
            return self.replay(recorded, &body, &request.idempotency_key);
        }
        let mut action = self.draft_proposal(request, who, protocol, now)?;
        let open = self.open_agent_actions();
        if open >= MAX_OPEN_AGENT_ACTIONS {
            return Err(GatewayFailure::Full(open));
        }
        action.id = self.take_action_id();
        let audit = self.store().commit_agent_request(
            &grant.agent_id,
            &request.idempotency_key,
            &body,
            &action,
            decisions::proposed(&action, now),
        )?;
        self.publish_proposed(action.clone(), audit, now);
        Ok((
            GatewayResponse {
                action,
                replayed: false,
            },
            true,
        ))
    }

    /// Records an agent's outcome report, once per idempotency key, and publishes the change.
    pub fn report_outcome(
        &mut self,
        action_id: u64,
        request: &OutcomeRequest,
        who: &Principal,
        now: UnixMs,
    ) -> Result<GatewayResponse, GatewayFailure> {
        let grant = gateway_rules::agent_of(who)?;
        gateway_rules::check_key(&request.idempotency_key)?;
        let body = serde_json::to_value(request).map_err(StoreError::from)?;
        if let Some(recorded) = self
            .store()
            .find_agent_request(&grant.agent_id, &request.idempotency_key)?
        {
            if recorded.action_id != action_id {
                return Err(GatewayFailure::KeyReused(request.idempotency_key.clone()));
            }
            return self
                .replay(recorded, &body, &request.idempotency_key)
                .map(|(r, _)| r);
        }
        let action = self
            .action(action_id)
            .ok_or(GatewayFailure::NotFound(action_id))?;
        let (next, audit) = gateway_rules::report(&action, request, who, now)?;
        let audit = self.store().commit_agent_request(
            &grant.agent_id,
            &request.idempotency_key,
            &body,
            &next,
            vec![audit],
        )?;
        self.apply_reported(next.clone(), audit, now);
        Ok(GatewayResponse {
            action: next,
            replayed: false,
        })
    }

    /// The answer to a retry: the action as it is now, when the body is the same.
    fn replay(
        &self,
        recorded: crate::store::RecordedAgentRequest,
        body: &serde_json::Value,
        key: &str,
    ) -> Result<(GatewayResponse, bool), GatewayFailure> {
        if &recorded.request != body {
            return Err(GatewayFailure::KeyReused(key.to_owned()));
        }
        let action = match self.action(recorded.action_id) {
            Some(a) => a,
            None => self
                .store()
                .load_action(recorded.action_id)?
                .ok_or(GatewayFailure::NotFound(recorded.action_id))?,
        };
        Ok((
            GatewayResponse {
                action,
                replayed: true,
            },
            false,
        ))
    }

    fn open_agent_actions(&self) -> usize {
        self.count_open(|a| a.awaits_outcome)
    }
}
