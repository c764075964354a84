//! Everything the backend knows, in memory, behind one lock: the simulator, the actions as the
//! store committed them, the event log, the sources and their figures.
//!
//! Every change happens here, under the lock, and publishes its events in order, so a snapshot's
//! `seq` and the event stream always agree. Actions change only by `apply_stored`, after the
//! store committed (`action_store`); HTTP lives in `http`, the clock in `ticker`.

use std::collections::BTreeMap;

use crate::api::{
    Action, ActionState, AuditEntry, EventKind, Health, LoadHistory, Snapshot, UnixMs,
};

use super::auth::Principal;
use super::decisions;
use super::events::{EventLog, Subscription};
use super::history::BackboneHistory;
use super::sim::{Proposal, Simulator};
use super::sources::SourceBook;
use super::sources::ingest::BatchLog;
use super::sources::telemetry::Telemetry;

/// How many closed actions stay in memory for `GET /actions` (all stay in the store).
pub(crate) const CLOSED_ACTIONS_KEPT: usize = 500;
/// The simulator stops proposing while this many actions are open.
const MAX_OPEN_ACTIONS: usize = 60;
/// Ids (with versions) of closed actions trimmed from memory that a replica remembers one by one
/// (`Trimmed`); older ones are remembered only as "below `Trimmed::below`".
const TRIMMED_KEPT: usize = 20_000;

/// Closed actions that left memory (`trim_closed`), so a replica that hears of them again (a
/// late notification, a sweep after a reconnect) knows it already has them and does not publish
/// their events a second time. Closed actions are final: a remembered id is known at any
/// version up to the one it left with, an id below `below` at every version. Bounded.
#[derive(Default)]
struct Trimmed {
    versions: BTreeMap<u64, u64>,
    below: u64,
}

impl Trimmed {
    fn remember(&mut self, id: u64, version: u64) {
        self.versions.insert(id, version);
        while self.versions.len() > TRIMMED_KEPT {
            if let Some((oldest, _)) = self.versions.pop_first() {
                self.below = self.below.max(oldest.saturating_add(1));
            }
        }
    }

    /// The version an action left memory with (`u64::MAX`: long gone, final).
    fn version(&self, id: u64) -> Option<u64> {
        if id < self.below {
            return Some(u64::MAX);
        }
        self.versions.get(&id).copied()
    }
}

mod polled;
mod sim_agents;
mod sources;
pub use sources::LATENCY_SOURCE;

pub struct World {
    pub sim: Simulator,
    pub simulated: bool,
    pub sim_speed: f64,
    actions: BTreeMap<u64, Action>,
    log: EventLog,
    /// The last simulated day of cluster and link figures, for replay.
    history: BackboneHistory,
    /// Closed actions trimmed from memory (or never loaded), for `apply_stored`.
    trimmed: Trimmed,
    /// The agents' activity before this backend began recording (modelled, or none).
    pub activity_past: crate::api::ActivityPast,
    /// Measured metro latency (a Prometheus source) served instead of the simulator's.
    pub measured: Option<Box<super::prometheus::Measured>>,
    /// Every source of figures and its health.
    pub sources: SourceBook,
    /// Measured figures laid over the simulator's.
    pub telemetry: Telemetry,
    /// Answers of recent pushed batches (replays).
    batches: BatchLog,
    /// The newest stage pushed for each plant, with its time: re-applied when the world is
    /// rebuilt, and an older push never undoes a newer one.
    pushed_stages: std::collections::HashMap<u32, PushedStage>,
}

/// A plant's stage as its registry's owner last pushed it.
#[derive(Debug, Clone)]
struct PushedStage {
    stage: crate::api::UpgradeStage,
    technologies: Option<Vec<crate::api::Technology>>,
    t: UnixMs,
}

impl World {
    /// A world over the actions its store holds (`action_store::Loaded`); `first_event_after`
    /// seeds event ids (see `EventLog::starting_after`).
    pub fn new(
        sim: Simulator,
        actions: Vec<Action>,
        sim_speed: f64,
        replay_capacity: usize,
        first_event_after: u64,
    ) -> Self {
        let history = BackboneHistory::backfilled(&sim);
        let sim_seed = sim.config().seed;
        let mut world = Self {
            history,
            sim,
            simulated: true,
            sim_speed,
            actions: actions.into_iter().map(|a| (a.id, a)).collect(),
            log: EventLog::starting_after(replay_capacity, first_event_after),
            trimmed: Trimmed::default(),
            activity_past: crate::api::ActivityPast {
                starts_at: 0,
                modelled: false,
                modelling: false,
                points: Vec::new(),
            },
            measured: None,
            sources: SourceBook::new(sim_seed),
            telemetry: Telemetry::default(),
            batches: BatchLog::default(),
            pushed_stages: std::collections::HashMap::new(),
        };
        world.trim_closed();
        world
    }

    pub fn last_event_id(&self) -> u64 {
        self.log.last_id()
    }

    pub fn subscribe(&self, after: Option<u64>, now: UnixMs) -> Subscription {
        self.log.subscribe(after, now)
    }

    pub fn health(&self) -> Health {
        Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            simulated: self.simulated,
            seq: self.log.last_id(),
            sim_time: self.sim.sim_time(),
            latency_source: self.latency_feed().source,
            latency_stale_since: self.measured.as_ref().and_then(|m| m.feed().stale_since),
        }
    }

    pub fn snapshot(&self, now: UnixMs) -> Snapshot {
        let sources = self.sources_report();
        Snapshot {
            seq: self.log.last_id(),
            server_time: now,
            sim_time: self.sim.sim_time(),
            sim_speed: self.sim_speed,
            simulated: self.simulated,
            hubs: self.sim.hubs().to_vec(),
            clusters: self
                .sim
                .clusters()
                .iter()
                .cloned()
                .map(|mut c| {
                    self.telemetry.overlay_cluster(&mut c);
                    c
                })
                .collect(),
            links: self
                .sim
                .links()
                .iter()
                .cloned()
                .map(|mut l| {
                    self.telemetry.overlay_link(&mut l);
                    l
                })
                .collect(),
            metros: self.metro_summaries(),
            factories: self.sim.factory_summary(),
            agents: self.sim.agents().to_vec(),
            actions: self.open_actions(),
            sources: sources.sources,
            simulated_parts: sources.simulated,
            origins: self.figure_origins(),
        }
    }

    /// Backbone frames between `from` and `to` (simulated ms; defaults: the last 24 hours).
    pub fn load_history(&self, from: Option<UnixMs>, to: Option<UnixMs>) -> LoadHistory {
        let to = to.unwrap_or_else(|| self.sim.sim_time());
        let from = from.unwrap_or(to.saturating_sub(super::history::HISTORY_SPAN_MS));
        self.history.range(from, to)
    }

    pub fn open_actions(&self) -> Vec<Action> {
        self.actions
            .values()
            .filter(|a| a.is_open())
            .cloned()
            .collect()
    }

    /// Fills in what a caller's scope means in this world: the factory groups of a factory
    /// manager's plants.
    pub fn scoped(&self, mut who: Principal) -> Principal {
        who.factory_groups = who
            .factory_ids
            .iter()
            .filter_map(|id| self.sim.factory_group(*id))
            .collect();
        who
    }

    /// Whether `who` may see this action: factory managers see only their factories' actions.
    pub fn visible_to(who: &Principal, action: &Action) -> bool {
        if let Some(grant) = &who.agent {
            // An agent sees its own actions only.
            return action.agent_id == grant.agent_id;
        }
        who.role != crate::api::Role::FactoryManager
            || (action.industrial && decisions::in_factory_scope(who, &action.target))
    }

    /// Whether `who` may read this audit entry: factory managers only those of actions they may
    /// see (and that are still in memory).
    pub fn audit_visible_to(&self, who: &Principal, entry: &crate::api::AuditEntry) -> bool {
        who.role != crate::api::Role::FactoryManager
            || self
                .actions
                .get(&entry.action_id)
                .is_some_and(|a| Self::visible_to(who, a))
    }

    /// Who is calling, as `GET /me` answers.
    pub fn me(&self, who: &Principal, open_mode: bool) -> crate::api::Me {
        crate::api::Me {
            name: who.user.clone(),
            role: who.role,
            factory_ids: who.factory_ids.clone(),
            factory_groups: who.factory_groups.iter().cloned().collect(),
            open_mode,
        }
    }

    /// One action, if still in memory.
    pub fn action(&self, id: u64) -> Option<Action> {
        self.actions.get(&id).cloned()
    }

    /// Recent actions, newest first, optionally in one state.
    pub fn actions(&self, state: Option<ActionState>) -> Vec<Action> {
        self.actions
            .values()
            .rev()
            .filter(|a| state.is_none_or(|s| a.state == s))
            .cloned()
            .collect()
    }

    /// Advances the simulation only: publishes its events and returns the agents' proposals
    /// (which the leading backend's clock records through the store, `ticker`).
    pub fn step(&mut self, dt_sim_s: f64, now: UnixMs) -> Vec<Proposal> {
        let mut out = self.sim.step(dt_sim_s);
        self.age_sources(now);
        if self.telemetry.any_factory() {
            let changed: Vec<u32> = out
                .events
                .iter()
                .filter_map(|e| match e {
                    EventKind::FactoriesProgressed { changes, .. } => Some(changes),
                    _ => None,
                })
                .flatten()
                .map(|c| c.id)
                .filter(|id| self.telemetry.factory_latest(*id).is_some())
                .collect();
            self.apply_factory_kpis(changed, now);
        }
        for event in &mut out.events {
            self.overlay_event(event);
        }
        for event in &out.events {
            if let EventKind::Tick {
                sim_time,
                clusters,
                links,
            } = event
            {
                self.history.record(*sim_time, clusters, links);
            }
        }
        for event in out.events {
            // Measured latency replaces the simulator's metros: their modelled changes stay inside.
            if self.measured.is_some() && matches!(event, EventKind::MetroUpdated { .. }) {
                continue;
            }
            self.log.publish(event, now);
        }
        out.proposals
    }

    /// Measured figures in place of the simulator's in one of its events.
    fn overlay_event(&self, event: &mut EventKind) {
        if self.telemetry.is_empty() {
            return;
        }
        match event {
            EventKind::Tick {
                clusters, links, ..
            } => {
                for load in clusters {
                    if let Some(c) = self.sim.clusters().get(load.index as usize) {
                        self.telemetry.overlay_cluster_load(&c.id, load);
                    }
                }
                for load in links {
                    if let Some(l) = self.sim.links().get(load.index as usize) {
                        self.telemetry.overlay_link_load(&l.id, load);
                    }
                }
            }
            EventKind::MetroUpdated { metro } => self.telemetry.overlay_metro(metro),
            _ => {}
        }
    }

    /// How many open actions `pick` keeps (no copies made).
    pub(crate) fn count_open(&self, pick: impl Fn(&Action) -> bool) -> usize {
        self.actions
            .values()
            .filter(|a| a.is_open() && pick(a))
            .count()
    }

    /// How many more actions may open before the simulator's proposals are dropped.
    pub fn room_for_proposals(&self) -> usize {
        MAX_OPEN_ACTIONS.saturating_sub(self.count_open(|_| true))
    }

    /// Ids of the actions whose time is up (expiry or the end of a veto window) at `now`.
    pub fn due(&self, now: UnixMs) -> Vec<u64> {
        self.actions
            .values()
            .filter(|a| decisions::close_on_timeout(a, now).is_some())
            .map(|a| a.id)
            .collect()
    }

    /// Whether a change of one of the simulator's own agents' actions runs or undoes it in the
    /// simulated world (other agents act on their own networks, not on the simulator's).
    fn sim_effects(&self, action: &Action, before: Option<ActionState>) -> (bool, bool) {
        if !self.sim.runs_agent(&action.agent_id) {
            return (false, false);
        }
        let executes =
            action.state == ActionState::Executed && before != Some(ActionState::Executed);
        let rolls_back = action.state == ActionState::RolledBack
            && matches!(
                before,
                Some(ActionState::Executed | ActionState::RollbackPending)
            );
        (executes, rolls_back)
    }

    /// Applies a stored new action to the simulator and publishes it with its audit entries.
    fn publish_proposed(&mut self, action: Action, audit: Vec<AuditEntry>, now: UnixMs) {
        let auto = self.sim_effects(&action, None).0;
        self.sim.note_proposed(&action.agent_id);
        if auto {
            self.sim.apply_executed(&action);
            self.reapply_measured(now);
        }
        self.publish_agent(&action.agent_id, now);
        self.log.publish(
            EventKind::ActionProposed {
                action: action.clone(),
            },
            now,
        );
        for entry in audit {
            self.log.publish(EventKind::Audit { entry }, now);
        }
        self.actions.insert(action.id, action);
    }

    /// Applies an action as the store now holds it (committed by this backend or, on a shared
    /// store, another replica) — the only way actions change in a world —
    /// with the audit entries of that change: new actions are proposed, newer versions take
    /// effect (the simulator runs or reverts its agents' actions) and are published. An action
    /// already at this version or newer is left alone, so a change reported twice (by the
    /// committing request and by the notification) is applied once. Returns whether it applied.
    ///
    /// Audit entries of versions this world already has are dropped (two paths — the committing
    /// request and the listener — may race with overlapping changes), and so are changes of
    /// closed actions that already left memory (`trim_closed`).
    pub fn apply_stored(&mut self, action: Action, audit: Vec<AuditEntry>, now: UnixMs) -> bool {
        let Some(old) = self.actions.get(&action.id) else {
            if self
                .trimmed
                .version(action.id)
                .is_some_and(|v| v >= action.version)
            {
                return false;
            }
            let audit = newer_audit(audit, 0);
            if action.version <= 1 {
                self.publish_proposed(action, audit, now);
            } else {
                // Changed before this replica saw it open: it was proposed all the same, and it
                // runs on this replica's simulator too if it stands executed now.
                self.sim.note_proposed(&action.agent_id);
                let executes = self.sim_effects(&action, None).0;
                if !executes {
                    self.publish_agent(&action.agent_id, now);
                }
                self.apply_effects(action, executes, false, audit, now);
            }
            self.trim_closed();
            return true;
        };
        if old.version >= action.version {
            return false;
        }
        let audit = newer_audit(audit, old.version);
        let (executes, rolls_back) = self.sim_effects(&action, Some(old.state));
        self.apply_effects(action, executes, rolls_back, audit, now);
        self.trim_closed();
        true
    }

    /// The version of an action this world has: in memory, or closed and trimmed from memory
    /// (then the version it left with, `u64::MAX` when only known to be long gone).
    pub fn action_version(&self, id: u64) -> Option<u64> {
        self.actions
            .get(&id)
            .map(|a| a.version)
            .or_else(|| self.trimmed.version(id))
    }

    /// Every closed action with an id below `id` is known to be stored and final, though not in
    /// memory (a replica loads only the newest closed actions).
    pub fn closed_below(&mut self, id: u64) {
        self.trimmed.below = self.trimmed.below.max(id);
    }

    fn apply_effects(
        &mut self,
        action: Action,
        executes: bool,
        rolls_back: bool,
        audit: Vec<AuditEntry>,
        now: UnixMs,
    ) {
        if executes {
            self.sim.apply_executed(&action);
            self.publish_agent(&action.agent_id, now);
        }
        if rolls_back && !self.sim.revert_executed(&action) {
            tracing::warn!(
                "action {} was vetoed but its kind cannot be undone in the simulator",
                action.id
            );
        }
        if executes || rolls_back {
            // The model moved plants' figures; measured ones stand.
            self.reapply_measured(now);
        }
        self.log.publish(
            EventKind::ActionUpdated {
                action: action.clone(),
            },
            now,
        );
        for entry in audit {
            self.log.publish(EventKind::Audit { entry }, now);
        }
        self.actions.insert(action.id, action);
    }

    fn publish_agent(&mut self, agent_id: &str, now: UnixMs) {
        if let Some(agent) = self.sim.agents().iter().find(|a| a.id == agent_id) {
            let agent = agent.clone();
            self.log.publish(EventKind::AgentUpdated { agent }, now);
        }
    }

    /// Publishes an event that did not come from the simulator (a measured metro).
    pub fn publish(&mut self, kind: EventKind, now: UnixMs) {
        self.log.publish(kind, now);
    }

    /// Keeps memory flat: old closed actions leave memory (the store keeps them).
    fn trim_closed(&mut self) {
        let closed: Vec<u64> = self
            .actions
            .values()
            .filter(|a| !a.is_open())
            .map(|a| a.id)
            .collect();
        if closed.len() > CLOSED_ACTIONS_KEPT {
            for id in &closed[..closed.len() - CLOSED_ACTIONS_KEPT] {
                if let Some(gone) = self.actions.remove(id) {
                    self.trimmed.remember(gone.id, gone.version);
                }
            }
        }
    }
}

/// The audit entries of versions after `known` (an entry's version is that of its `after`).
fn newer_audit(audit: Vec<AuditEntry>, known: u64) -> Vec<AuditEntry> {
    audit
        .into_iter()
        .filter(|entry| {
            entry
                .after
                .get("version")
                .and_then(serde_json::Value::as_u64)
                .is_none_or(|v| v > known)
        })
        .collect()
}
