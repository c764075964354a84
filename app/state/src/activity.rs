//! What the agents did, as the console saw it: a bounded, time-ordered log of activity points
//! (proposals, executions, rejections, vetoes and rollbacks, expiries), one per action and kind,
//! fed by the actions and the audit entries that reach the state; the agent groups the timeline
//! draws as lanes; and each agent's health, derived from the log by the rule below.
//!
//! Pure data and rules: nothing here knows egui. Bounded: [`ACTIVITY_KEPT`] points.
//!
//! ## Health rule
//!
//! - **Degraded**: of the agent's last [`DEGRADED_LOOKBACK`] decided actions (executed, rejected,
//!   vetoed or rolled back; expiries are nobody's verdict and do not count), at least
//!   [`DEGRADED_MIN_DECIDED`] are known and at least half were rejected, vetoed or rolled back —
//!   people keep saying no to it.
//! - **Silent**: it proposed nothing during the last [`SILENT_WINDOW_SIM_HOURS`] simulated hours
//!   while the other agents of its group proposed at least one action each on average (and at
//!   least [`SILENT_MIN_PEER_PROPOSALS`]) in the same window. An agent alone in its group is never
//!   silent; nobody is silent before the console has watched for a whole window.
//! - **Healthy**: neither. Degraded wins over silent.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::api::{Action, ActionState, Agent, AgentScope, AuditEntry, Industry, UnixMs};

/// Activity points kept (the newest by time).
pub const ACTIVITY_KEPT: usize = 2_000;
/// Decided actions looked at for the degraded rule.
pub const DEGRADED_LOOKBACK: usize = 10;
/// Decided actions needed before an agent can be called degraded.
pub const DEGRADED_MIN_DECIDED: usize = 4;
/// Window of the silent rule, simulated hours.
pub const SILENT_WINDOW_SIM_HOURS: f64 = 12.0;
/// Proposals its peers must have made in the window before an agent can be called silent.
pub const SILENT_MIN_PEER_PROPOSALS: usize = 3;

/// What happened to an action at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActivityKind {
    Proposed,
    Executed,
    Rejected,
    /// Vetoed, or vetoed inside its window and rolled back.
    Vetoed,
    Expired,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 5] = [
        ActivityKind::Proposed,
        ActivityKind::Executed,
        ActivityKind::Rejected,
        ActivityKind::Vetoed,
        ActivityKind::Expired,
    ];

    /// The outcome an action in `state` has reached, if it reached one.
    pub fn outcome(state: ActionState) -> Option<Self> {
        match state {
            // Approved: the agent's turn, not an outcome yet; failed: nothing changed.
            ActionState::Pending
            | ActionState::Approved
            | ActionState::RollbackPending
            | ActionState::Failed
            | ActionState::Unknown => None,
            ActionState::Executed => Some(Self::Executed),
            ActionState::Rejected => Some(Self::Rejected),
            ActionState::Vetoed | ActionState::RolledBack => Some(Self::Vetoed),
            ActionState::Expired => Some(Self::Expired),
        }
    }

    /// What an audit entry records, if it is a point on the timeline (a first approval of two,
    /// or a veto window closing, is not).
    pub fn of_audit(entry: &AuditEntry) -> Option<Self> {
        match entry.event.as_str() {
            "propose" => Some(Self::Proposed),
            "expire" => Some(Self::Expired),
            _ if entry.from_state == entry.to_state => None,
            _ => Self::outcome(entry.to_state),
        }
    }
}

/// One thing an agent did or had done to its action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityPoint {
    /// Wall-clock time (actions are decided in real time).
    pub at: UnixMs,
    pub action_id: u64,
    pub agent_id: String,
    pub kind: ActivityKind,
    /// From the backend's model of the time before it recorded (simulated; never an action
    /// of its own: `action_id` is a placeholder).
    pub modelled: bool,
}

/// The bounded, time-ordered activity log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityLog {
    /// Oldest first.
    points: VecDeque<ActivityPoint>,
    keys: BTreeSet<(u64, ActivityKind)>,
    /// Agent of each action that has a point in the log (to place audit entries).
    agent_of: BTreeMap<u64, String>,
    /// Earliest time the console has watched from (first snapshot, or the oldest audit entry).
    observed_since: Option<UnixMs>,
    /// Bumped on every change (caches key on it).
    version: u64,
    /// Where the backend's own record begins, and whether a modelled past comes before it
    /// (`None`: not told yet).
    past: Option<(UnixMs, bool)>,
    /// The backend is still modelling its past: ask again shortly.
    past_pending: bool,
}

impl ActivityLog {
    pub fn points(&self) -> impl DoubleEndedIterator<Item = &ActivityPoint> + ExactSizeIterator {
        self.points.iter()
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn observed_since(&self) -> Option<UnixMs> {
        self.observed_since
    }

    /// The console starts watching at `at` (a snapshot's server time).
    pub fn watch_from(&mut self, at: UnixMs) {
        if self.observed_since.is_none_or(|t| at < t) {
            self.observed_since = Some(at);
        }
    }

    /// The points an action implies as it is now: its proposal, and its outcome once it has one.
    pub fn note_action(&mut self, action: &Action) {
        self.insert(ActivityPoint {
            at: action.created_at,
            action_id: action.id,
            agent_id: action.agent_id.clone(),
            kind: ActivityKind::Proposed,
            modelled: false,
        });
        if let (Some(kind), Some(at)) = (ActivityKind::outcome(action.state), action.decided_at) {
            self.insert(ActivityPoint {
                at,
                action_id: action.id,
                agent_id: action.agent_id.clone(),
                kind,
                modelled: false,
            });
        }
    }

    /// An audit entry, placed under the agent of its action when that is known (from `actions`
    /// or from the log itself); entries of unknown actions are skipped.
    pub fn note_audit(&mut self, entry: &AuditEntry, actions: &BTreeMap<u64, Action>) {
        let Some(kind) = ActivityKind::of_audit(entry) else {
            return;
        };
        let agent = actions
            .get(&entry.action_id)
            .map(|a| a.agent_id.clone())
            .or_else(|| self.agent_of.get(&entry.action_id).cloned());
        let Some(agent_id) = agent else {
            return;
        };
        self.watch_from(entry.at);
        self.insert(ActivityPoint {
            at: entry.at,
            action_id: entry.action_id,
            agent_id,
            kind,
            modelled: false,
        });
    }

    /// The backend's past before its own record: modelled points (placeholder ids counting
    /// down from `u64::MAX`, so a refetch after a resync adds nothing twice), and where the
    /// record begins.
    pub fn insert_past(&mut self, past: &crate::api::ActivityPast) {
        self.past_pending = past.modelling;
        if past.modelling {
            return;
        }
        // Another backend run (a restart): its past replaces the one shown.
        if self.past.is_some_and(|(t, _)| t != past.starts_at) {
            self.points.retain(|p| !p.modelled);
            self.keys = self.points.iter().map(|p| (p.action_id, p.kind)).collect();
            let kept: BTreeSet<u64> = self.points.iter().map(|p| p.action_id).collect();
            self.agent_of.retain(|id, _| kept.contains(id));
        }
        self.past = Some((past.starts_at, past.modelled));
        for (i, p) in past.points.iter().enumerate() {
            let kind = match p.kind {
                crate::api::PastActivityKind::Proposed => ActivityKind::Proposed,
                crate::api::PastActivityKind::Executed => ActivityKind::Executed,
                crate::api::PastActivityKind::Rejected => ActivityKind::Rejected,
                crate::api::PastActivityKind::Vetoed => ActivityKind::Vetoed,
                crate::api::PastActivityKind::Expired => ActivityKind::Expired,
                crate::api::PastActivityKind::Unknown => continue,
            };
            self.insert(ActivityPoint {
                at: p.at,
                action_id: u64::MAX - i as u64,
                agent_id: p.agent_id.clone(),
                kind,
                modelled: true,
            });
        }
        self.version += 1;
    }

    /// Where the backend's own record begins and whether a modelled past comes before it.
    pub fn past(&self) -> Option<(UnixMs, bool)> {
        self.past
    }

    /// The backend said it is still modelling its past.
    pub fn past_pending(&self) -> bool {
        self.past_pending
    }

    /// Adds a point unless the log has one for the same action and kind; drops the oldest points
    /// beyond [`ACTIVITY_KEPT`] (a point older than all of a full log is not added).
    pub fn insert(&mut self, point: ActivityPoint) {
        let key = (point.action_id, point.kind);
        if self.keys.contains(&key) {
            return;
        }
        if self.points.len() >= ACTIVITY_KEPT
            && self
                .points
                .front()
                .is_some_and(|oldest| point.at < oldest.at)
        {
            return;
        }
        let at = self.points.partition_point(|p| p.at <= point.at);
        self.agent_of
            .insert(point.action_id, point.agent_id.clone());
        self.keys.insert(key);
        self.points.insert(at, point);
        while self.points.len() > ACTIVITY_KEPT {
            if let Some(old) = self.points.pop_front() {
                self.keys.remove(&(old.action_id, old.kind));
                if !self.points.iter().any(|p| p.action_id == old.action_id) {
                    self.agent_of.remove(&old.action_id);
                }
            }
        }
        self.version += 1;
    }
}

/// The lanes of the activity timeline: network agents by what they look after, industrial
/// agents by industry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgentGroup {
    Hubs,
    Backbone,
    Metros,
    Industry(Industry),
    /// An industrial agent whose group names no known industry.
    OtherIndustrial,
}

impl AgentGroup {
    pub fn of(agent: &Agent) -> Self {
        match &agent.scope {
            AgentScope::Hub(_) => Self::Hubs,
            AgentScope::Backbone => Self::Backbone,
            AgentScope::Metro(_) => Self::Metros,
            AgentScope::FactoryGroup(group) => group
                .split_once('/')
                .and_then(|(_, key)| industry_from_key(key))
                .map_or(Self::OtherIndustrial, Self::Industry),
        }
    }
}

/// `automotive` → `Industry::Automotive` (the wire key of an industry).
pub fn industry_from_key(key: &str) -> Option<Industry> {
    Industry::ALL.into_iter().find(|i| {
        serde_json::to_value(i)
            .ok()
            .is_some_and(|v| v.as_str() == Some(key))
    })
}

/// An agent's health by the rule in the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgentHealth {
    #[default]
    Healthy,
    Degraded,
    Silent,
}

/// An agent's recent activity as the agents list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AgentActivity {
    pub health: AgentHealth,
    /// Its latest proposal the console knows of.
    pub last_proposal: Option<UnixMs>,
    /// Proposals in the silent window.
    pub proposals_in_window: usize,
    /// Of its last decided actions (up to [`DEGRADED_LOOKBACK`]): how many, and how many refused.
    pub decided: usize,
    pub refused: usize,
}

/// The silent window in wall-clock milliseconds at `sim_speed` simulated seconds per second.
pub fn silent_window_ms(sim_speed: f64) -> i64 {
    let speed = if sim_speed.is_finite() && sim_speed > 0.0 {
        sim_speed
    } else {
        1.0
    };
    (SILENT_WINDOW_SIM_HOURS * 3_600_000.0 / speed) as i64
}

/// Every agent's health and recent activity at `now` (wall clock), by the rule in the module
/// docs.
pub fn agent_activity(
    log: &ActivityLog,
    agents: &[Agent],
    now: UnixMs,
    sim_speed: f64,
) -> BTreeMap<String, AgentActivity> {
    let window_start = now - silent_window_ms(sim_speed);
    let mut out: BTreeMap<String, AgentActivity> = agents
        .iter()
        .map(|a| (a.id.clone(), AgentActivity::default()))
        .collect();
    // Newest first, so the lookback takes the latest decided actions.
    for p in log.points().rev() {
        // Health is what the console saw, not the model's past.
        if p.modelled {
            continue;
        }
        let Some(a) = out.get_mut(&p.agent_id) else {
            continue;
        };
        match p.kind {
            ActivityKind::Proposed => {
                a.last_proposal = Some(a.last_proposal.map_or(p.at, |t| t.max(p.at)));
                if p.at >= window_start && p.at <= now {
                    a.proposals_in_window += 1;
                }
            }
            ActivityKind::Executed | ActivityKind::Rejected | ActivityKind::Vetoed => {
                if a.decided < DEGRADED_LOOKBACK {
                    a.decided += 1;
                    if p.kind != ActivityKind::Executed {
                        a.refused += 1;
                    }
                }
            }
            ActivityKind::Expired => {}
        }
    }
    let mut group_size: BTreeMap<AgentGroup, usize> = BTreeMap::new();
    let mut group_proposals: BTreeMap<AgentGroup, usize> = BTreeMap::new();
    for agent in agents {
        let g = AgentGroup::of(agent);
        *group_size.entry(g).or_default() += 1;
        *group_proposals.entry(g).or_default() +=
            out.get(&agent.id).map_or(0, |a| a.proposals_in_window);
    }
    let watched_long_enough = log.observed_since().is_some_and(|t| t <= window_start);
    for agent in agents {
        let g = AgentGroup::of(agent);
        let Some(a) = out.get_mut(&agent.id) else {
            continue;
        };
        let peers = group_size.get(&g).copied().unwrap_or(1).saturating_sub(1);
        let peer_proposals = group_proposals.get(&g).copied().unwrap_or(0) - a.proposals_in_window;
        let silent = watched_long_enough
            && peers > 0
            && a.proposals_in_window == 0
            && peer_proposals >= peers.max(SILENT_MIN_PEER_PROPOSALS);
        let degraded = a.decided >= DEGRADED_MIN_DECIDED && a.refused * 2 >= a.decided;
        a.health = if degraded {
            AgentHealth::Degraded
        } else if silent {
            AgentHealth::Silent
        } else {
            AgentHealth::Healthy
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::AutonomyLevel;

    fn point(at: UnixMs, action_id: u64, agent: &str, kind: ActivityKind) -> ActivityPoint {
        ActivityPoint {
            at,
            action_id,
            agent_id: agent.into(),
            kind,
            modelled: false,
        }
    }

    fn agent(id: &str, scope: AgentScope) -> Agent {
        Agent {
            id: id.into(),
            name_en: id.into(),
            name_zh: id.into(),
            industrial: matches!(scope, AgentScope::FactoryGroup(_)),
            scope,
            autonomy: AutonomyLevel::L3,
            proposed: 0,
            executed: 0,
        }
    }

    #[test]
    fn the_log_is_bounded_time_ordered_and_free_of_duplicates() {
        let mut log = ActivityLog::default();
        // Newer points first, then older ones: the log keeps time order whatever the arrival.
        for i in (0..(ACTIVITY_KEPT as u64 + 500)).rev() {
            log.insert(point(1_000 + i as i64, i, "a", ActivityKind::Proposed));
        }
        assert_eq!(log.len(), ACTIVITY_KEPT);
        let times: Vec<i64> = log.points().map(|p| p.at).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        // The newest were kept; an older point than all of a full log is not taken.
        assert_eq!(
            times.last().copied(),
            Some(1_000 + ACTIVITY_KEPT as i64 + 499)
        );
        assert_eq!(times.first().copied(), Some(1_500));
        let v = log.version();
        log.insert(point(0, 99_999, "a", ActivityKind::Proposed));
        assert_eq!(log.len(), ACTIVITY_KEPT);
        assert_eq!(log.version(), v);
        // Same action and kind again: ignored; a new, newer point pushes out the oldest.
        log.insert(point(5_000, 2_400, "a", ActivityKind::Proposed));
        assert_eq!(log.version(), v);
        log.insert(point(9_000, 7, "a", ActivityKind::Executed));
        assert_eq!(log.len(), ACTIVITY_KEPT);
        assert_eq!(log.points().next().map(|p| p.at), Some(1_501));
        assert!(log.keys.len() == ACTIVITY_KEPT && log.agent_of.len() <= ACTIVITY_KEPT);
    }

    #[test]
    fn audit_entries_land_under_the_agent_of_their_action() {
        let mut log = ActivityLog::default();
        log.insert(point(10, 5, "agent-backbone", ActivityKind::Proposed));
        let entry = |event: &str, from, to| AuditEntry {
            id: 1,
            at: 20,
            actor: "li.wei".into(),
            role: "operator".into(),
            action_id: 5,
            event: event.into(),
            reason: String::new(),
            from_state: from,
            to_state: to,
            before: serde_json::Value::Null,
            after: serde_json::Value::Null,
        };
        let none = BTreeMap::new();
        // A first approval of two changes no state: not a point.
        log.note_audit(
            &entry("approve", ActionState::Pending, ActionState::Pending),
            &none,
        );
        assert_eq!(log.len(), 1);
        log.note_audit(
            &entry("veto", ActionState::Executed, ActionState::RolledBack),
            &none,
        );
        let last = log.points().last().cloned();
        assert_eq!(
            last,
            Some(point(20, 5, "agent-backbone", ActivityKind::Vetoed))
        );
        // An entry of an action nobody knows is skipped.
        let mut other = entry("reject", ActionState::Pending, ActionState::Rejected);
        other.action_id = 6;
        log.note_audit(&other, &none);
        assert_eq!(log.len(), 2);
        assert_eq!(log.observed_since(), Some(20));
    }

    #[test]
    fn industrial_agents_group_by_industry() {
        let a = agent("x", AgentScope::FactoryGroup("CN-GD/automotive".into()));
        assert_eq!(
            AgentGroup::of(&a),
            AgentGroup::Industry(Industry::Automotive)
        );
        let b = agent("y", AgentScope::FactoryGroup("CN-GD/nonsense".into()));
        assert_eq!(AgentGroup::of(&b), AgentGroup::OtherIndustrial);
        assert_eq!(
            AgentGroup::of(&agent("z", AgentScope::Backbone)),
            AgentGroup::Backbone
        );
    }

    #[test]
    fn health_rule_degraded_silent_healthy() {
        const HOUR_AT_60: i64 = 60_000; // one simulated hour at 60 simulated s per s
        let now = 100 * HOUR_AT_60;
        let agents = vec![
            agent("hub-a", AgentScope::Hub("a".into())),
            agent("hub-b", AgentScope::Hub("b".into())),
            agent("hub-c", AgentScope::Hub("c".into())),
            agent("backbone", AgentScope::Backbone),
        ];
        let mut log = ActivityLog::default();
        log.watch_from(0);
        let mut id = 0;
        let mut add = |log: &mut ActivityLog, at: i64, agent: &str, kind| {
            id += 1;
            log.insert(point(at, id, agent, kind));
        };
        // hub-a: proposes, and people refuse 3 of its last 5 decided actions.
        for (k, kind) in [
            ActivityKind::Executed,
            ActivityKind::Rejected,
            ActivityKind::Vetoed,
            ActivityKind::Executed,
            ActivityKind::Rejected,
        ]
        .into_iter()
        .enumerate()
        {
            add(
                &mut log,
                now - 2 * HOUR_AT_60 + k as i64,
                "hub-a",
                ActivityKind::Proposed,
            );
            add(&mut log, now - HOUR_AT_60 + k as i64, "hub-a", kind);
        }
        // hub-b proposes and is approved; hub-c proposed long ago only; the backbone never.
        for k in 0..3 {
            add(
                &mut log,
                now - 3 * HOUR_AT_60 + k,
                "hub-b",
                ActivityKind::Proposed,
            );
            add(
                &mut log,
                now - 3 * HOUR_AT_60 + k,
                "hub-b",
                ActivityKind::Executed,
            );
        }
        add(
            &mut log,
            now - 50 * HOUR_AT_60,
            "hub-c",
            ActivityKind::Proposed,
        );
        let health = agent_activity(&log, &agents, now, 60.0);
        assert_eq!(health["hub-a"].health, AgentHealth::Degraded);
        assert_eq!((health["hub-a"].decided, health["hub-a"].refused), (5, 3));
        assert_eq!(health["hub-b"].health, AgentHealth::Healthy);
        assert_eq!(health["hub-c"].health, AgentHealth::Silent);
        assert_eq!(health["hub-c"].last_proposal, Some(now - 50 * HOUR_AT_60));
        // Alone in its group: never silent.
        assert_eq!(health["backbone"].health, AgentHealth::Healthy);
        // Not watched for a whole window yet: nobody is silent.
        let mut young = log.clone();
        young.observed_since = Some(now - HOUR_AT_60);
        let health = agent_activity(&young, &agents, now, 60.0);
        assert_eq!(health["hub-c"].health, AgentHealth::Healthy);
        // Faster simulation, shorter wall-clock window: 12 simulated hours at 3600× are 12 s,
        // and nobody proposed in the last 12 s — no peers active, so nobody is silent.
        let health = agent_activity(&log, &agents, now, 3600.0);
        assert_eq!(health["hub-c"].health, AgentHealth::Healthy);
        assert_eq!(silent_window_ms(60.0), 12 * HOUR_AT_60);
    }
}
