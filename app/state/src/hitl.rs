//! What the console knows about human-in-the-loop control: who is signed in, the conflicts the
//! backend answered (409 with the action as it is now), the critical actions not yet seen, and the
//! last audit export. Pure data and reducers; the agents view and the shell draw it.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

use crate::api::Principal;
use crate::api::{Action, ActionState, Me, Risk, UnixMs};

/// Critical alerts kept (the newest); older ones are dropped, the actions stay in the queue.
pub const ALERTS_KEPT: usize = 20;
/// Conflicts remembered (one per action, the newest actions).
pub const CONFLICTS_KEPT: usize = 50;

/// A decision the backend refused because the action had changed: what the operator saw and what
/// it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub seen: Action,
    pub now: Action,
}

impl Conflict {
    /// What changed, one line per field: `(field, before, after)`.
    pub fn changes(&self) -> Vec<(String, String, String)> {
        let (a, b) = (&self.seen, &self.now);
        let mut out = Vec::new();
        if a.version != b.version {
            out.push((
                "version".into(),
                a.version.to_string(),
                b.version.to_string(),
            ));
        }
        if a.state != b.state {
            out.push((
                "state".into(),
                state_key(a.state).into(),
                state_key(b.state).into(),
            ));
        }
        if a.approvals != b.approvals {
            out.push((
                "approvals".into(),
                a.approvals.join(", "),
                b.approvals.join(", "),
            ));
        }
        if a.params != b.params {
            let keys: std::collections::BTreeSet<&String> = a
                .params
                .as_object()
                .into_iter()
                .chain(b.params.as_object())
                .flat_map(|m| m.keys())
                .collect();
            for key in keys {
                let (x, y) = (a.params.get(key), b.params.get(key));
                if x != y {
                    let show =
                        |v: Option<&serde_json::Value>| v.map_or("–".into(), |v| v.to_string());
                    out.push((format!("params.{key}"), show(x), show(y)));
                }
            }
        }
        if a.veto_until != b.veto_until {
            let show = |v: Option<UnixMs>| v.map_or("–".into(), |t| t.to_string());
            out.push(("veto_until".into(), show(a.veto_until), show(b.veto_until)));
        }
        if let (None, Some(who)) = (&a.decided_by, &b.decided_by) {
            out.push(("decided_by".into(), "–".into(), who.clone()));
        }
        out
    }
}

fn state_key(s: ActionState) -> &'static str {
    match s {
        ActionState::Pending => "pending",
        ActionState::Executed => "executed",
        ActionState::Rejected => "rejected",
        ActionState::Vetoed => "vetoed",
        ActionState::Expired => "expired",
        ActionState::RolledBack => "rolled_back",
        ActionState::Approved => "approved",
        ActionState::Failed => "failed",
        ActionState::RollbackPending => "rollback_pending",
        ActionState::Unknown => "unknown",
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HitlState {
    /// Who the backend says is signed in (`GET /me`); `None` until it answered.
    pub me: Option<Me>,
    /// Critical pending actions proposed while the console watched, newest last, until seen.
    pub alerts: VecDeque<u64>,
    pub conflicts: BTreeMap<u64, Conflict>,
    /// The last audit export: file and rows written, or why it failed.
    pub export: Option<(PathBuf, Result<u64, String>)>,
}

impl HitlState {
    /// The signed-in user as the decision rules take it (for explaining disabled buttons).
    pub fn principal(&self) -> Option<Principal> {
        let me = self.me.as_ref()?;
        let mut p = Principal::new(me.name.clone(), me.role);
        p.factory_ids = me.factory_ids.clone();
        p.factory_groups = me.factory_groups.iter().cloned().collect();
        Some(p)
    }

    /// A new action arrived on the stream: critical and pending ones raise an alert.
    pub fn note_proposed(&mut self, action: &Action) {
        if action.risk == Risk::Critical
            && action.state == ActionState::Pending
            && !self.alerts.contains(&action.id)
        {
            if self.alerts.len() == ALERTS_KEPT {
                self.alerts.pop_front();
            }
            self.alerts.push_back(action.id);
        }
    }

    /// Alerts whose action is still pending (closed ones fall away by themselves).
    pub fn live_alerts<'a>(
        &'a self,
        actions: &'a BTreeMap<u64, Action>,
    ) -> impl Iterator<Item = &'a Action> + 'a {
        self.alerts
            .iter()
            .filter_map(|id| actions.get(id))
            .filter(|a| a.state == ActionState::Pending)
    }

    pub fn dismiss_alerts(&mut self) {
        self.alerts.clear();
    }

    pub fn record_conflict(&mut self, seen: Action, now: Action) {
        if self.conflicts.len() >= CONFLICTS_KEPT
            && !self.conflicts.contains_key(&now.id)
            && let Some(oldest) = self.conflicts.keys().next().copied()
        {
            self.conflicts.remove(&oldest);
        }
        self.conflicts.insert(now.id, Conflict { seen, now });
    }
}
