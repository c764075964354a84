//! The agent gateway's view of the world: whether a proposal's target exists, the action it
//! becomes, the agents heard from. Proposals and reports are recorded by the store
//! (`action_store`, through `http::gateway`), exactly once per idempotency key.
//!
//! The rules (scope, policy, transitions) are `tianshu_api::gateway_rules`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::api::gateway_rules::{self, GatewayError};
use crate::api::{AgentGrant, ConnectedAgent, Principal, ProposalRequest, Protocol, UnixMs};
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

    /// How many actions of gateway agents are open (at most `MAX_OPEN_AGENT_ACTIONS`).
    pub fn open_agent_actions(&self) -> usize {
        self.count_open(|a| a.awaits_outcome)
    }
}
