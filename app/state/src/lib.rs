//! What the console knows: the latest snapshot folded with the event stream, bounded histories,
//! open actions, the operator's decisions in flight, and the connection's health.
//!
//! Pure reducers (`apply`) over `ClientEvent`s; nothing here knows egui or the network, so every
//! rule is unit-tested. Memory is bounded everywhere: a wall display runs for months.

use tianshu_api as api;
use tianshu_client as client;

mod activity;
pub mod attention;
mod history;
mod hitl;
mod latency;
mod notices;
mod overview;
pub mod provenance;
mod rate;
mod sanitize;
mod trends;

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

pub use self::activity::{
    ActivityKind, ActivityLog, ActivityPoint, AgentActivity, AgentGroup, AgentHealth,
    SILENT_WINDOW_SIM_HOURS, agent_activity, industry_from_key, silent_window_ms,
};
pub use self::history::History;
pub use self::hitl::{Conflict, HitlState};
pub use self::latency::{GridSample, LatencyState};
pub use self::notices::{DecisionInFlight, Notice, NoticeKind};
pub use self::overview::OverviewState;
pub use self::rate::RateMeter;
use crate::api::{
    Action, Agent, AuditEntry, BackboneLink, Cluster, DecisionRequest, EventKind, FactoryDetail,
    FactoryPage, FactoryPoints, FactoryStageChange, FactorySummary, Hub, LatencyGrid, MetroSummary,
    Progress, Snapshot, UnixMs, stage_code, tech_mask,
};
use crate::client::{ClientEvent, ConnectionState, RequestKind};

/// Samples kept per cluster and link: one hour at one tick a second.
pub const HISTORY_SAMPLES: usize = 3600;
/// Closed actions kept for the agents view.
pub const CLOSED_ACTIONS_KEPT: usize = 200;
pub const AUDIT_KEPT: usize = 500;
pub const NOTICES_KEPT: usize = 20;
/// Nothing at all from the backend (events or keep-alives) for this long ends the event stream
/// (the client's watchdog), and the console is then stale; data that merely did not change is not.
pub const STALE_AFTER: Duration = crate::client::STREAM_IDLE_TIMEOUT;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct World {
    pub hubs: Vec<Hub>,
    pub clusters: Vec<Cluster>,
    pub links: Vec<BackboneLink>,
    pub metros: Vec<MetroSummary>,
    pub agents: Vec<Agent>,
    pub factories: FactorySummary,
    pub sim_time: UnixMs,
    pub sim_speed: f64,
    pub simulated: bool,
    /// Every source of figures and its health (empty from an older backend).
    pub sources: Vec<crate::api::SourceStatus>,
    /// What is still simulated (empty: nothing; an older backend sends none, then
    /// `simulated` says it all).
    pub simulated_parts: Vec<String>,
    /// Where the measured figures of clusters, links and metros came from.
    pub origins: provenance::Origins,
}

#[derive(Debug)]
pub struct State {
    pub backend_url: String,
    frozen_clock: Option<Instant>,
    pub world: Option<World>,
    pub connection: ConnectionState,
    /// When the last snapshot or event arrived (monotonic).
    pub last_data_at: Option<Instant>,
    /// Server clock at the last event, and when we heard it.
    pub server_time: Option<(UnixMs, Instant)>,
    pub last_event_id: u64,
    /// Bench probe: when `Some`, the server time of every stream event applied (bounded).
    pub applied_event_times: Option<Vec<UnixMs>>,
    pub event_rate: RateMeter,
    pub cluster_utilization: Vec<History>,
    pub link_utilization: Vec<History>,
    /// Per-direction, PUE and green histories, replay frames and search hits of the overview.
    pub overview: OverviewState,
    pub actions: BTreeMap<u64, Action>,
    pub audit: VecDeque<AuditEntry>,
    pub in_flight: BTreeMap<String, DecisionInFlight>,
    /// Signed-in user, conflicts, critical alerts and the audit export (agents view, shell).
    pub hitl: HitlState,
    /// What the agents did (bounded): the activity timeline and agent health read it.
    pub activity: ActivityLog,
    pub metro_grid: Option<LatencyGrid>,
    /// National 1 ms roll-up, what-if answers and the selected metro's grid history.
    pub latency: LatencyState,
    pub factory_page: Option<FactoryPage>,
    /// Every plant as compact arrays, kept current by `FactoriesProgressed` events.
    pub factory_points: Option<FactoryPoints>,
    /// Bumped on every change to `factory_points` (caches key on it).
    pub factory_points_version: u64,
    pub factory_detail: Option<FactoryDetail>,
    /// The last CSV export: file and size, or why it failed.
    pub factory_export: Option<(std::path::PathBuf, Result<u64, String>)>,
    pub progress: Option<Progress>,
    /// The last scorecard export: the file written, or why not.
    pub scorecard_export: Option<Result<std::path::PathBuf, String>>,
    /// Scorecard exports finished so far (a view waiting for one compares counts).
    pub scorecard_exports_done: u64,
    /// The agents of the backend's gateway (`GET /gateway/agents`), once asked for.
    pub gateway_agents: Option<Vec<crate::api::ConnectedAgent>>,
    /// Bumped by every event applied (`apply`): views cache what they build from the state
    /// (map scenes) under it and rebuild only when it moved.
    pub revision: u64,
    /// Snapshots applied so far: a view whose data comes from a separate fetch asks again after a
    /// new snapshot (a resync may have skipped the events that would have told it).
    pub snapshots_applied: u64,
    pub notices: VecDeque<Notice>,
}

impl State {
    pub fn new(backend_url: impl Into<String>) -> Self {
        Self {
            backend_url: backend_url.into(),
            frozen_clock: None,
            world: None,
            connection: ConnectionState::Connecting,
            last_data_at: None,
            server_time: None,
            last_event_id: 0,
            applied_event_times: None,
            event_rate: RateMeter::default(),
            cluster_utilization: Vec::new(),
            link_utilization: Vec::new(),
            overview: OverviewState::default(),
            actions: BTreeMap::new(),
            audit: VecDeque::new(),
            in_flight: BTreeMap::new(),
            hitl: HitlState::default(),
            activity: ActivityLog::default(),
            metro_grid: None,
            latency: LatencyState::default(),
            factory_page: None,
            factory_points: None,
            factory_points_version: 0,
            factory_detail: None,
            factory_export: None,
            progress: None,
            scorecard_export: None,
            scorecard_exports_done: 0,
            gateway_agents: None,
            revision: 0,
            snapshots_applied: 0,
            notices: VecDeque::new(),
        }
    }

    /// The console's clock: real time, or a fixed instant in tests and snapshots so that
    /// countdowns, clocks and staleness render the same on every run.
    pub fn now(&self) -> Instant {
        self.frozen_clock.unwrap_or_else(Instant::now)
    }

    /// Stops the clock at `at` (tests, snapshot images).
    pub fn freeze_clock(&mut self, at: Instant) {
        self.frozen_clock = Some(at);
    }

    /// Whether the clock stands still (a copy of this state, like a wall screen's, stops too).
    pub fn clock_frozen(&self) -> bool {
        self.frozen_clock.is_some()
    }

    /// True when what is on screen may no longer be true: no live connection (the client ends a
    /// stream silent — not even a keep-alive — for `STALE_AFTER`), or no data yet. A live backend
    /// whose data does not change is not stale: an idle console needs no clock to notice it.
    pub fn is_stale(&self, _now: Instant) -> bool {
        self.connection != ConnectionState::Connected || self.last_data_at.is_none()
    }

    /// Seconds since data last arrived.
    pub fn data_age(&self, now: Instant) -> Option<Duration> {
        self.last_data_at.map(|t| now.saturating_duration_since(t))
    }

    /// Server clock now, extrapolated from the last event.
    pub fn server_now(&self, now: Instant) -> Option<UnixMs> {
        self.server_time
            .map(|(t, at)| t + now.saturating_duration_since(at).as_millis() as i64)
    }

    pub fn open_actions(&self) -> impl Iterator<Item = &Action> {
        self.actions.values().filter(|a| a.is_open())
    }

    /// Records a decision about to be sent; the UI then sends the matching command.
    pub fn begin_decision(&mut self, action_id: u64, request: &DecisionRequest, now: Instant) {
        self.in_flight.insert(
            request.idempotency_key.clone(),
            DecisionInFlight {
                action_id,
                decision: request.decision,
                sent_at: now,
                unconfirmed: None,
            },
        );
    }

    pub fn decision_in_flight(&self, action_id: u64) -> Option<&DecisionInFlight> {
        self.in_flight.values().find(|d| d.action_id == action_id)
    }

    pub fn notify(&mut self, now: Instant, kind: NoticeKind, detail: impl Into<String>) {
        if self.notices.len() == NOTICES_KEPT {
            self.notices.pop_front();
        }
        self.notices.push_back(Notice {
            at: now,
            kind,
            detail: detail.into(),
        });
    }

    /// Folds one message from the client into the state.
    pub fn apply(&mut self, event: ClientEvent, now: Instant) {
        self.revision = self.revision.wrapping_add(1);
        match event {
            ClientEvent::Connection(c) => self.connection = c,
            ClientEvent::Snapshot(s) => self.apply_snapshot(*s, now),
            ClientEvent::Stream(e) => {
                if e.id <= self.last_event_id && e.kind != EventKind::Resync {
                    return; // already applied: a resumed stream never double-counts
                }
                self.last_event_id = e.id;
                self.last_data_at = Some(now);
                self.server_time = Some((e.server_time, now));
                if let Some(times) = &mut self.applied_event_times
                    && times.len() < 100_000
                {
                    times.push(e.server_time);
                }
                self.event_rate.record(now);
                self.apply_event(e.kind);
            }
            ClientEvent::MetroLatency(g) => {
                self.latency.record_grid(&g);
                self.metro_grid = Some(*g);
            }
            ClientEvent::LatencySummary(s) => self.latency.summary = Some(*s),
            ClientEvent::WhatIf(w) => {
                self.latency.what_if_error = None;
                self.latency.what_if = Some(*w);
            }
            ClientEvent::RequestFailed {
                what: RequestKind::WhatIf,
                error,
            } => self.latency.what_if_error = Some(error.to_string()),
            ClientEvent::Factories(p) => self.factory_page = Some(*p),
            ClientEvent::FactoryPoints(p) => {
                if p.is_consistent() {
                    self.factory_points = Some(*p);
                    self.factory_points_version += 1;
                } else {
                    let detail = "the backend sent factory points with arrays of unequal length";
                    self.notify(
                        now,
                        NoticeKind::RequestFailed(RequestKind::Factories),
                        detail,
                    );
                }
            }
            ClientEvent::FactoryDetail(d) => self.factory_detail = Some(*d),
            ClientEvent::FactoriesExported { path, result } => {
                self.factory_export = Some((path, result));
            }
            ClientEvent::Progress(p) => self.progress = Some(*p),
            ClientEvent::ActivityPast(past) => self.activity.insert_past(&past),
            ClientEvent::History(h) => {
                self.backfill_trends(&h);
                self.overview.history = Some(*h);
            }
            ClientEvent::FactorySearch { query, page } => {
                self.overview.factory_hits = Some((query, *page));
            }
            ClientEvent::GatewayAgents(agents) => self.gateway_agents = Some(agents),
            ClientEvent::Audit(page) => {
                for entry in page.items.into_iter().rev() {
                    self.push_audit(entry);
                }
            }
            ClientEvent::DecisionDone {
                action_id,
                idempotency_key,
                result,
            } => {
                self.in_flight.remove(&idempotency_key);
                // The backend answered: its word replaces "not confirmed".
                self.notices
                    .retain(|n| n.kind != NoticeKind::DecisionUnconfirmed { action_id });
                match result {
                    Ok(response) => {
                        let action = response.action;
                        self.upsert_action(action);
                    }
                    Err(error) => {
                        self.note_conflict(action_id, &error);
                        self.notify(
                            now,
                            NoticeKind::DecisionFailed { action_id },
                            error.to_string(),
                        );
                    }
                }
            }
            ClientEvent::DecisionUnconfirmed {
                action_id,
                idempotency_key,
                reason,
            } => {
                if let Some(flight) = self.in_flight.get_mut(&idempotency_key) {
                    flight.unconfirmed = Some(reason.clone());
                }
                self.notify(now, NoticeKind::DecisionUnconfirmed { action_id }, reason);
            }
            ClientEvent::Me(me) => self.hitl.me = Some(*me),
            ClientEvent::DocumentExported(result) => {
                self.scorecard_export = Some(result);
                self.scorecard_exports_done += 1;
            }
            ClientEvent::AuditExported { path, result } => {
                self.hitl.export = Some((path, result));
            }
            ClientEvent::RequestFailed { what, error } => {
                self.notify(now, NoticeKind::RequestFailed(what), error.to_string());
            }
        }
    }

    fn apply_snapshot(&mut self, mut s: Snapshot, now: Instant) {
        sanitize::snapshot(&mut s);
        self.snapshots_applied += 1;
        // Histories follow entities by index: any change of the ids (a reloaded world directory)
        // starts them afresh rather than carrying one cluster's past over to another.
        let fresh_topology = self.world.as_ref().is_none_or(|w| {
            !w.clusters
                .iter()
                .map(|c| &c.id)
                .eq(s.clusters.iter().map(|c| &c.id))
                || !w
                    .links
                    .iter()
                    .map(|l| &l.id)
                    .eq(s.links.iter().map(|l| &l.id))
        });
        if fresh_topology {
            self.cluster_utilization = vec![History::new(HISTORY_SAMPLES); s.clusters.len()];
            self.link_utilization = vec![History::new(HISTORY_SAMPLES); s.links.len()];
            self.overview.reset(s.clusters.len(), s.links.len());
        }
        self.overview.observe_snapshot(&s);
        for (h, c) in self.cluster_utilization.iter_mut().zip(&s.clusters) {
            h.push(s.sim_time, c.utilization as f32);
        }
        for (h, l) in self.link_utilization.iter_mut().zip(&s.links) {
            h.push(s.sim_time, l.utilization as f32);
        }
        // Open actions come from the snapshot; closed ones we saw stay for the record.
        self.actions.retain(|_, a| !a.is_open());
        self.activity.watch_from(s.server_time);
        for action in s.actions {
            self.activity.note_action(&action);
            self.actions.insert(action.id, action);
        }
        self.trim_actions();
        self.last_event_id = s.seq;
        self.last_data_at = Some(now);
        self.server_time = Some((s.server_time, now));
        self.world = Some(World {
            hubs: s.hubs,
            clusters: s.clusters,
            links: s.links,
            metros: s.metros,
            agents: s.agents,
            factories: s.factories,
            sim_time: s.sim_time,
            sim_speed: s.sim_speed,
            simulated: s.simulated,
            sources: s.sources,
            simulated_parts: s.simulated_parts,
            origins: provenance::Origins::from_list(s.origins),
        });
    }

    fn apply_event(&mut self, kind: EventKind) {
        match kind {
            EventKind::ActionProposed { action } => {
                self.hitl.note_proposed(&action);
                self.upsert_action(action);
                return;
            }
            EventKind::ActionUpdated { action } => {
                self.upsert_action(action);
                return;
            }
            EventKind::Audit { entry } => {
                self.push_audit(entry);
                return;
            }
            EventKind::LatencyStale { stale_since } => {
                // The LIVE / STALE pill follows the feed without polling.
                if let Some(s) = self.latency.summary.as_mut() {
                    s.stale_since = stale_since;
                }
                return;
            }
            _ => {}
        }
        let Some(world) = self.world.as_mut() else {
            return;
        };
        match kind {
            EventKind::Tick {
                sim_time,
                clusters,
                links,
            } => {
                world.sim_time = sim_time;
                for mut load in clusters {
                    let i = load.index as usize;
                    sanitize::cluster_load(&mut load, world.clusters.get(i));
                    if let Some(c) = world.clusters.get_mut(i) {
                        c.utilization = load.utilization;
                        c.pue = load.pue;
                        c.green_power_share = load.green_power_share;
                        c.occupancy = load.occupancy;
                    }
                    if let Some(h) = self.cluster_utilization.get_mut(i) {
                        h.push(sim_time, load.utilization as f32);
                    }
                    self.overview.observe_cluster(sim_time, &load);
                }
                for mut load in links {
                    let i = load.index as usize;
                    sanitize::link_load(&mut load, world.links.get(i));
                    if let Some(l) = world.links.get_mut(i) {
                        l.utilization = load.utilization;
                        l.utilization_forward = load.utilization_forward;
                        l.utilization_reverse = load.utilization_reverse;
                        l.capacity_gbps = load.capacity_gbps;
                    }
                    self.overview.observe_link(sim_time, &load);
                    if let Some(h) = self.link_utilization.get_mut(i) {
                        h.push(sim_time, load.utilization as f32);
                    }
                }
            }
            EventKind::MetroUpdated { metro } => {
                match world.metros.iter_mut().find(|m| m.id == metro.id) {
                    Some(m) => *m = metro,
                    None => world.metros.push(metro),
                }
            }
            EventKind::FactoriesProgressed { summary, changes } => {
                world.factories = summary;
                if let Some(points) = self.factory_points.as_mut() {
                    apply_factory_changes(points, &changes);
                    self.factory_points_version += 1;
                }
                if let Some(detail) = self.factory_detail.as_mut()
                    && let Some(c) = changes.iter().find(|c| c.id == detail.factory.id)
                {
                    detail.factory.stage = c.stage;
                    detail.factory.technologies.clone_from(&c.technologies);
                }
            }
            EventKind::AgentUpdated { agent } => {
                match world.agents.iter_mut().find(|a| a.id == agent.id) {
                    Some(a) => *a = agent,
                    None => world.agents.push(agent),
                }
            }
            // The client answers a resync with a new snapshot; nothing to fold here.
            // Resync: the client answers with a new snapshot. Unknown: a newer backend's event
            // this console cannot fold; skipping it keeps the stream alive.
            EventKind::SourcesChanged {
                sources,
                simulated_parts,
            } => {
                world.simulated = !simulated_parts.is_empty();
                world.sources = sources;
                world.simulated_parts = simulated_parts;
            }
            EventKind::FiguresMeasured { origins } => {
                for o in &origins {
                    if let Some(v) = o.value {
                        provenance::apply_value(world, &o.entity, &o.metric, v);
                    }
                }
                world.origins.extend(origins);
            }
            EventKind::Resync
            | EventKind::Unknown
            | EventKind::LatencyStale { .. }
            | EventKind::ActionProposed { .. }
            | EventKind::ActionUpdated { .. }
            | EventKind::Audit { .. } => {}
        }
    }

    /// A refused decision that carries the action as it is now (409): remember what changed
    /// against what the operator saw, and show the action as it is.
    fn note_conflict(&mut self, action_id: u64, error: &crate::client::ClientError) {
        let crate::client::ClientError::Api { status: 409, body } = error else {
            return;
        };
        let current = body
            .details
            .as_ref()
            .and_then(|d| d.get("action"))
            .and_then(|a| serde_json::from_value::<Action>(a.clone()).ok());
        let (Some(current), Some(seen)) = (current, self.actions.get(&action_id).cloned()) else {
            return;
        };
        self.hitl.record_conflict(seen, current.clone());
        self.upsert_action(current);
    }

    /// Keeps the newest version of an action; an older version arriving late changes nothing.
    fn upsert_action(&mut self, action: Action) {
        match self.actions.get(&action.id) {
            Some(known) if known.version >= action.version => {}
            _ => {
                self.activity.note_action(&action);
                self.actions.insert(action.id, action);
                self.trim_actions();
            }
        }
    }

    fn push_audit(&mut self, entry: AuditEntry) {
        if self.audit.iter().any(|e| e.id == entry.id) {
            return;
        }
        self.activity.note_audit(&entry, &self.actions);
        if self.audit.len() == AUDIT_KEPT {
            self.audit.pop_front();
        }
        self.audit.push_back(entry);
    }

    fn trim_actions(&mut self) {
        let closed: Vec<u64> = self
            .actions
            .values()
            .filter(|a| !a.is_open())
            .map(|a| a.id)
            .collect();
        if closed.len() > CLOSED_ACTIONS_KEPT {
            for id in &closed[..closed.len() - CLOSED_ACTIONS_KEPT] {
                self.actions.remove(id);
            }
        }
    }
}

/// Folds stage changes into the point list (plants it does not hold are ignored).
pub fn apply_factory_changes(points: &mut FactoryPoints, changes: &[FactoryStageChange]) {
    for c in changes {
        let Some(i) = points.index_of(c.id) else {
            continue;
        };
        points.stage[i] = stage_code(c.stage);
        points.tech[i] = tech_mask(&c.technologies);
        points.compliant[i] = c.compliant;
    }
}

#[cfg(test)]
mod tests;
