//! The action store: one interface over the two places actions, decisions and the audit trail
//! live — SQLite for a single backend (`store`), PostgreSQL for replicas (`pg`).
//!
//! Every change goes the same way on both: the store reads the action as stored inside its
//! transaction, runs the pure rules (`api::decisions`, `api::gateway_rules`) on it, commits,
//! and only then is the committed change applied to the in-memory `World` (which never writes a
//! store itself). On SQLite the connection's lock orders commits, and each change is applied
//! before the next commits; on PostgreSQL the other replicas apply it from its notification
//! (`World::apply_stored` takes every version once, whichever path brings it first).

use std::sync::{Arc, Mutex, MutexGuard};

use crate::api::gateway_rules::GatewayError;
use crate::api::{Action, AuditEntry, DecisionRequest, DecisionResponse, OutcomeRequest, UnixMs};
use crate::auth::Principal;
use crate::decisions::DecisionError;
use crate::lock;
use crate::pg::Shared;
use crate::store::{Store, StoreError};
use crate::world::World;

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no action {0}")]
    NotFound(u64),
    #[error(transparent)]
    Rule(#[from] DecisionError),
    #[error("idempotency key {0} was already used for a different decision")]
    KeyReused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store stopped answering while committing (a shared store): the decision may or may
    /// not be recorded. A retry with the same idempotency key is safe (it replays if recorded).
    #[error("the shared database did not confirm the commit: {0}")]
    OutcomeUnknown(String),
}

/// A decision as the store recorded it.
pub enum Decided {
    /// The idempotency key was already used for this very decision: its recorded answer.
    Replayed(DecisionResponse),
    /// Newly recorded (and applied to the world): the answer, with the action as it is now,
    /// and the audit entry.
    Applied {
        response: DecisionResponse,
        audit: Box<AuditEntry>,
    },
}

/// A refused decision, with the action as stored when the refusal was a conflict.
pub struct Refused {
    pub error: DecideError,
    pub current: Option<Box<Action>>,
}

impl From<DecideError> for Refused {
    fn from(error: DecideError) -> Self {
        Self {
            error,
            current: None,
        }
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        DecideError::Store(e).into()
    }
}

impl From<serde_json::Error> for Refused {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e).into()
    }
}

/// What an agent's request asks of the store.
pub enum AgentWrite<'a> {
    /// A new action, drafted (and checked) by the caller: id 0, the store's to assign.
    Propose(Box<Action>),
    /// An outcome report on an action.
    Report {
        action_id: u64,
        request: &'a OutcomeRequest,
        who: &'a Principal,
    },
}

impl AgentWrite<'_> {
    /// Whether the request recorded under the same key (for `action_id`, with `recorded_body`)
    /// is this one: then it is answered as a retry, else the key was reused.
    pub fn is_recorded_as(
        &self,
        action_id: u64,
        recorded_body: &serde_json::Value,
        body: &serde_json::Value,
    ) -> bool {
        let same_action = match self {
            Self::Report { action_id: id, .. } => *id == action_id,
            Self::Propose(_) => true,
        };
        same_action && recorded_body == body
    }
}

/// An outcome report applied to the action as stored by the gateway's rules: the action moved
/// on with its audit entry, or why the rules refuse it (answered as `AgentWritten::Refused`).
pub fn report_on(
    action: &Action,
    request: &OutcomeRequest,
    who: &Principal,
    now: UnixMs,
) -> Result<(Action, AuditEntry), GatewayError> {
    crate::api::gateway_rules::report(action, request, who, now)
}

/// What became of it.
pub enum AgentWritten {
    /// Recorded now (and applied to the world): the action as written and its audit entries.
    Applied(Action, Vec<AuditEntry>),
    /// A retry: the action as it is now.
    Replayed(Action),
    /// The same key carried another request, or (for a report) another action.
    KeyReused,
    NotFound(u64),
    Refused(GatewayError),
    /// This many actions of agents are open already (`gateway::MAX_OPEN_AGENT_ACTIONS`).
    Full(usize),
}

/// What a world starts from.
pub struct Loaded {
    /// The open actions and the newest closed ones (all of them on SQLite), oldest first.
    pub actions: Vec<Action>,
    /// The newest change number (where a replica's listener starts; 0 on SQLite).
    pub newest_change: i64,
    /// Every closed action with a lower id was left in the store (`World::closed_below`).
    pub closed_below: u64,
}

/// Where actions are recorded: the one interface of proposing, deciding, reporting, closing
/// on the clock and reading the audit trail.
#[derive(Clone)]
pub enum ActionStore {
    /// A single backend's SQLite file (or memory). The lock orders commits.
    Local(Arc<Mutex<Store>>),
    /// PostgreSQL shared by several replicas.
    Shared(Arc<Shared>),
}

impl ActionStore {
    pub fn local(store: Store) -> Self {
        Self::Local(Arc::new(Mutex::new(store)))
    }

    /// The SQLite store, locked (fault tests make it refuse writes); `None` on PostgreSQL.
    pub fn sqlite(&self) -> Option<MutexGuard<'_, Store>> {
        match self {
            Self::Local(store) => Some(lock(store)),
            Self::Shared(_) => None,
        }
    }

    /// The PostgreSQL store; `None` on SQLite.
    pub fn shared(&self) -> Option<&Arc<Shared>> {
        match self {
            Self::Local(_) => None,
            Self::Shared(shared) => Some(shared),
        }
    }

    /// Whether this backend proposes and runs the action clock: always on SQLite, on
    /// PostgreSQL while it holds the leader lock.
    pub fn leads(&self) -> bool {
        match self {
            Self::Local(_) => true,
            Self::Shared(shared) => shared.is_leader(),
        }
    }

    pub async fn load_actions(&self) -> Result<Loaded, StoreError> {
        match self {
            Self::Local(store) => lock(store).load(),
            Self::Shared(shared) => shared.load_actions().await,
        }
    }

    /// Records an operator's decision exactly once per idempotency key, then applies it.
    pub async fn decide(
        &self,
        world: &Mutex<World>,
        action_id: u64,
        request: &DecisionRequest,
        who: &Principal,
        now: UnixMs,
    ) -> Result<Decided, Refused> {
        match self {
            Self::Local(store) => {
                let store = lock(store);
                let decided = store.decide(action_id, request, who, now)?;
                apply_decided(world, &decided, now);
                Ok(decided)
            }
            Self::Shared(shared) => {
                let decided = shared.decide(action_id, request, who, now).await?;
                apply_decided(world, &decided, now);
                Ok(decided)
            }
        }
    }

    /// A recorded request of this agent under this key, answered as a retry (or refused as a
    /// reused key); `None` when nothing is recorded.
    pub async fn agent_lookup(
        &self,
        world: &Mutex<World>,
        agent: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> Result<Option<AgentWritten>, StoreError> {
        let found = match self {
            Self::Local(store) => lock(store).agent_lookup(agent, key, body)?,
            Self::Shared(shared) => shared.agent_lookup(agent, key, body).await?,
        };
        if let Some(AgentWritten::Replayed(action)) = &found {
            self.catch_up(world, action.id).await;
        }
        Ok(found)
    }

    /// Records an agent's request (a proposal or an outcome report) exactly once per
    /// (agent, key), then applies it.
    pub async fn agent_write(
        &self,
        world: &Mutex<World>,
        agent: &str,
        key: &str,
        body: &serde_json::Value,
        write: AgentWrite<'_>,
        now: UnixMs,
    ) -> Result<AgentWritten, StoreError> {
        let written = match self {
            Self::Local(store) => {
                let store = lock(store);
                // A new proposal counts against the open budget under the same lock as its
                // write, so concurrent proposals never overshoot it (a retry is answered first).
                if matches!(write, AgentWrite::Propose(_)) {
                    let open = lock(world).open_agent_actions();
                    if open >= crate::gateway::MAX_OPEN_AGENT_ACTIONS
                        && store.agent_lookup(agent, key, body)?.is_none()
                    {
                        return Ok(AgentWritten::Full(open));
                    }
                }
                let written = store.agent_write(agent, key, body, write, now)?;
                apply_written(world, &written, now);
                written
            }
            Self::Shared(shared) => {
                let written = shared.agent_write(agent, key, body, write, now).await?;
                apply_written(world, &written, now);
                written
            }
        };
        if let AgentWritten::Replayed(action) = &written {
            self.catch_up(world, action.id).await;
        }
        Ok(written)
    }

    /// Applies the action clock to one action (expiry, the end of a veto window) on the row as
    /// stored, then to the world. `None`: not due (any more).
    pub async fn close_due(
        &self,
        world: &Mutex<World>,
        action_id: u64,
        now: UnixMs,
    ) -> Result<Option<Action>, StoreError> {
        let closed = match self {
            Self::Local(store) => {
                let store = lock(store);
                let closed = store.close_due(action_id, now)?;
                if let Some((action, audit)) = &closed {
                    lock(world).apply_stored(action.clone(), audit.clone(), now);
                }
                closed
            }
            Self::Shared(shared) => {
                let closed = shared.close_due(action_id, now).await?;
                if let Some((action, audit)) = &closed {
                    lock(world).apply_stored(action.clone(), audit.clone(), now);
                }
                closed
            }
        };
        Ok(closed.map(|(action, _)| action))
    }

    /// Audit entries older than `before` (all when `None`), newest first.
    pub async fn audit_page(
        &self,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        match self {
            Self::Local(store) => lock(store).audit_page(before, limit),
            Self::Shared(shared) => shared.audit_page(before, limit).await,
        }
    }

    /// Brings one action of the world up to the store's version, for a request that must see
    /// another replica's change now (on SQLite the world always has it).
    pub async fn catch_up(&self, world: &Mutex<World>, action_id: u64) {
        if let Self::Shared(shared) = self {
            crate::pg::catch_up(shared, world, action_id).await;
        }
    }
}

fn apply_decided(world: &Mutex<World>, decided: &Decided, now: UnixMs) {
    if let Decided::Applied { response, audit } = decided {
        lock(world).apply_stored(response.action.clone(), vec![(**audit).clone()], now);
    }
}

fn apply_written(world: &Mutex<World>, written: &AgentWritten, now: UnixMs) {
    if let AgentWritten::Applied(action, audit) = written {
        lock(world).apply_stored(action.clone(), audit.clone(), now);
    }
}
