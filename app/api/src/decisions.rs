//! The rules of deciding on an action: who may, when, and what it becomes.
//!
//! Pure functions over `Action` values; storage, idempotency records, the simulator and
//! publishing are the caller's (`world`). Every refusal is a `DecisionError` that maps to one
//! HTTP status. The console asks [`availability`] to explain a disabled button, so the console and
//! the backend cannot disagree on who may press it.
//!
//! Policies: low-risk actions of agents at L4+ run at once and stay vetoable until `veto_until`
//! (a veto rolls them back); medium risk needs one approval; high and critical two, from two
//! different people; an action nobody decided gets its declared `on_expiry` default.

use crate::{
    Action, ActionState, AuditEntry, Decision, DecisionRequest, ExpiryDefault, Policy, Role, UnixMs,
};

use crate::Principal;

/// Who the audit trail names for the clock's own changes.
pub const SYSTEM_ACTOR: &str = "system";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecisionError {
    #[error("a reason is required")]
    MissingReason,
    #[error("an override needs replacement parameters (a JSON object)")]
    MissingParams,
    #[error("the action changed since you saw it (you saw version {seen}, it is now {current})")]
    StaleVersion { seen: u64, current: u64 },
    #[error("the action is no longer open (it is {0:?})")]
    NotOpen(ActionState),
    #[error("the action expired before the decision arrived")]
    Expired,
    #[error("role {role} may not {decision}: it reads only")]
    Forbidden {
        role: &'static str,
        decision: &'static str,
    },
    #[error(
        "operators decide network actions; industrial actions are decided by the factory managers of their plants"
    )]
    IndustrialAction,
    #[error("{target} is outside the factories you manage")]
    OutOfScope { target: String },
    #[error("{0} already approved this action; a second approval must come from someone else")]
    AlreadyApproved(String),
    #[error("only an action that runs by itself can be vetoed")]
    NotVetoable,
    #[error("the veto window of this action has closed; it stays executed")]
    VetoWindowClosed,
    #[error("parameter {0:?} cannot be changed by an override")]
    ParamNotEditable(String),
    #[error("parameter {key:?} must be a number from {min} to {max}")]
    ParamOutOfBounds { key: String, min: f64, max: f64 },
}

impl DecisionError {
    /// Stable code for the API error body.
    pub fn code(&self) -> &'static str {
        match self {
            DecisionError::MissingReason => "missing_reason",
            DecisionError::MissingParams => "missing_params",
            DecisionError::StaleVersion { .. } => "stale_version",
            DecisionError::NotOpen(_) => "not_open",
            DecisionError::Expired => "expired",
            DecisionError::Forbidden { .. } => "forbidden",
            DecisionError::IndustrialAction => "industrial_action",
            DecisionError::OutOfScope { .. } => "out_of_scope",
            DecisionError::AlreadyApproved(_) => "already_approved",
            DecisionError::NotVetoable => "not_vetoable",
            DecisionError::VetoWindowClosed => "veto_window_closed",
            DecisionError::ParamNotEditable(_) => "param_not_editable",
            DecisionError::ParamOutOfBounds { .. } => "param_out_of_bounds",
        }
    }
}

/// What a valid decision (or the clock) does.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub action: Action,
    pub audit: AuditEntry,
    /// The action is to run now (the world applies its effect).
    pub executes: bool,
    /// The action ran already and is to be reverted (a veto inside the window).
    pub rolls_back: bool,
}

pub fn decision_name(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "approve",
        Decision::Reject => "reject",
        Decision::Override => "override",
        Decision::Veto => "veto",
    }
}

/// Approvals a policy needs before the action runs.
pub fn approvals_needed(policy: Policy) -> usize {
    match policy {
        // A policy this backend does not know can never gather enough approvals.
        Policy::TwoApprovals | Policy::Unknown => 2,
        Policy::OneApproval | Policy::AutoWithVeto => 1,
    }
}

/// May `who` decide on this action at all (role and scope)?
pub fn authority(
    who: &Principal,
    action: &Action,
    decision: Decision,
) -> Result<(), DecisionError> {
    match who.role {
        Role::Viewer | Role::Regulator => Err(DecisionError::Forbidden {
            role: who.role.as_str(),
            decision: decision_name(decision),
        }),
        Role::Admin => Ok(()),
        Role::Operator if action.industrial => Err(DecisionError::IndustrialAction),
        Role::Operator => Ok(()),
        Role::Agent | Role::Source => Err(DecisionError::Forbidden {
            role: who.role.as_str(),
            decision: decision_name(decision),
        }),
        Role::FactoryManager => {
            if action.industrial && in_factory_scope(who, &action.target) {
                Ok(())
            } else {
                Err(DecisionError::OutOfScope {
                    target: action.target.clone(),
                })
            }
        }
    }
}

/// Whether a plant-side target (`<province>/<industry>` from the simulator, or an agent's
/// `group:<province>/<industry>` or `factory:F…`) is among a factory manager's plants.
pub fn in_factory_scope(who: &Principal, target: &str) -> bool {
    if let Some(id) = target.strip_prefix("factory:") {
        let digits = id.trim_start_matches(['F', 'f']);
        return digits
            .parse::<u32>()
            .is_ok_and(|n| who.factory_ids.contains(&n));
    }
    let group = target.strip_prefix("group:").unwrap_or(target);
    who.factory_groups.contains(group)
}

/// Whether `decision` is open to `who` now, before a reason, version or parameters are looked
/// at: the console greys out a button with exactly this error.
pub fn availability(
    action: &Action,
    who: &Principal,
    decision: Decision,
    now: UnixMs,
) -> Result<(), DecisionError> {
    authority(who, action, decision)?;
    if decision == Decision::Veto {
        return match (action.state, action.veto_until) {
            (ActionState::Executed | ActionState::Approved, Some(until)) if now < until => Ok(()),
            (ActionState::Executed, _) if action.policy == Policy::AutoWithVeto => {
                Err(DecisionError::VetoWindowClosed)
            }
            // Stored before veto windows ran at once: vetoable while pending.
            (ActionState::Pending, _) if action.policy == Policy::AutoWithVeto => {
                if now >= action.expires_at {
                    Err(DecisionError::VetoWindowClosed)
                } else {
                    Ok(())
                }
            }
            (state, _) if !state.is_open() => Err(DecisionError::NotOpen(state)),
            _ => Err(DecisionError::NotVetoable),
        };
    }
    if !action.state.is_open() {
        return Err(DecisionError::NotOpen(action.state));
    }
    if now >= action.expires_at {
        return Err(DecisionError::Expired);
    }
    if decision == Decision::Approve && action.approvals.iter().any(|u| u == &who.user) {
        return Err(DecisionError::AlreadyApproved(who.user.clone()));
    }
    Ok(())
}

/// The parameters an override asks for, checked against the action's bounds and merged over its
/// current ones.
pub fn overridden_params(
    action: &Action,
    requested: Option<&serde_json::Value>,
) -> Result<serde_json::Value, DecisionError> {
    let requested = requested
        .and_then(serde_json::Value::as_object)
        .ok_or(DecisionError::MissingParams)?;
    let mut merged = action.params.clone();
    let Some(target) = merged.as_object_mut() else {
        return Err(DecisionError::ParamNotEditable(String::new()));
    };
    for (key, value) in requested {
        let Some(current) = target.get(key) else {
            return Err(DecisionError::ParamNotEditable(key.clone()));
        };
        match action.param_bounds.get(key) {
            Some(bound) => {
                let ok = value
                    .as_f64()
                    .is_some_and(|x| x.is_finite() && x >= bound.min && x <= bound.max);
                if !ok {
                    return Err(DecisionError::ParamOutOfBounds {
                        key: key.clone(),
                        min: bound.min,
                        max: bound.max,
                    });
                }
            }
            None if current != value => return Err(DecisionError::ParamNotEditable(key.clone())),
            None => {}
        }
        target.insert(key.clone(), value.clone());
    }
    Ok(merged)
}

/// What the audit trail keeps of an action before and after a change.
pub fn audit_view(action: &Action) -> serde_json::Value {
    serde_json::json!({
        "version": action.version,
        "state": action.state,
        "params": action.params,
        "approvals": action.approvals,
        "veto_until": action.veto_until,
    })
}

/// An audit entry for the change `before` → `after`.
pub fn entry(
    before: Option<&Action>,
    after: &Action,
    actor: &str,
    role: &str,
    event: &str,
    reason: String,
    at: UnixMs,
) -> AuditEntry {
    AuditEntry {
        id: 0,
        at,
        actor: actor.into(),
        role: role.into(),
        action_id: after.id,
        event: event.into(),
        reason,
        from_state: before.map_or(ActionState::Pending, |b| b.state),
        to_state: after.state,
        before: before.map_or(serde_json::Value::Null, audit_view),
        after: audit_view(after),
    }
}

/// Applies `request` by `who` to `action` at `now`.
pub fn decide(
    action: &Action,
    request: &DecisionRequest,
    who: &Principal,
    now: UnixMs,
) -> Result<Outcome, DecisionError> {
    availability(action, who, request.decision, now)?;
    if request.reason.trim().is_empty() {
        return Err(DecisionError::MissingReason);
    }
    if request.expected_version != action.version {
        return Err(DecisionError::StaleVersion {
            seen: request.expected_version,
            current: action.version,
        });
    }
    let mut next = action.clone();
    next.version += 1;
    let (mut executes, mut rolls_back) = (false, false);
    match request.decision {
        Decision::Approve => {
            next.approvals.push(who.user.clone());
            if next.approvals.len() >= approvals_needed(action.policy) {
                next.state = ActionState::Executed;
                executes = true;
            }
        }
        Decision::Reject => next.state = ActionState::Rejected,
        Decision::Veto => {
            if matches!(action.state, ActionState::Executed | ActionState::Approved) {
                next.state = ActionState::RolledBack;
                rolls_back = true;
            } else {
                next.state = ActionState::Vetoed;
            }
            next.veto_until = None;
        }
        Decision::Override => {
            next.params = overridden_params(action, request.params.as_ref())?;
            next.overridden = true;
            // Earlier approvals were for other parameters: this one counts, they do not.
            next.approvals = vec![who.user.clone()];
            if next.approvals.len() >= approvals_needed(action.policy) {
                next.state = ActionState::Executed;
                executes = true;
            }
        }
    }
    if next.state != action.state || rolls_back {
        next.decided_by = Some(who.user.clone());
        next.decided_at = Some(now);
    }
    let audit = entry(
        Some(action),
        &next,
        &who.user,
        who.role.as_str(),
        decision_name(request.decision),
        request.reason.trim().into(),
        now,
    );
    Ok(crate::gateway_rules::hand_to_agent(
        Outcome {
            action: next,
            audit,
            executes,
            rolls_back,
        },
        now,
    ))
}

/// The audit entries of a new action: its proposal, and its execution when it ran at once.
pub fn proposed(action: &Action, now: UnixMs) -> Vec<AuditEntry> {
    let mut as_proposed = action.clone();
    as_proposed.state = ActionState::Pending;
    as_proposed.veto_until = None;
    let reason = format!(
        "proposed at {:.0} % confidence, {:?} risk; policy {:?}; if nobody decides: {}",
        action.confidence * 100.0,
        action.risk,
        action.policy,
        match action.on_expiry {
            ExpiryDefault::NotExecuted => "not executed",
            ExpiryDefault::Executed => "executed",
        }
    );
    let mut out = vec![entry(
        None,
        &as_proposed,
        &action.agent_id,
        "agent",
        "propose",
        reason,
        now,
    )];
    if action.state == ActionState::Executed {
        out.push(entry(
            Some(&as_proposed),
            action,
            &action.agent_id,
            "agent",
            "auto_execute",
            "low risk at autonomy L4+: executed at once, vetoable until the window closes".into(),
            now,
        ));
    }
    out
}

/// What the clock does to an action whose time is up: a pending one gets its declared default,
/// an executed one leaves its veto window.
pub fn close_on_timeout(action: &Action, now: UnixMs) -> Option<Outcome> {
    if action.state == ActionState::RollbackPending {
        return crate::gateway_rules::flag_overdue_rollback(action, now);
    }
    let mut next = action.clone();
    next.version += 1;
    if matches!(action.state, ActionState::Executed | ActionState::Approved) {
        let until = action.veto_until?;
        if now < until {
            return None;
        }
        next.veto_until = None;
        let audit = entry(
            Some(action),
            &next,
            SYSTEM_ACTOR,
            SYSTEM_ACTOR,
            "veto_window_closed",
            "veto window closed without a veto; the action stays executed".into(),
            now,
        );
        return Some(Outcome {
            action: next,
            audit,
            executes: false,
            rolls_back: false,
        });
    }
    if !action.state.is_open() || now < action.expires_at {
        return None;
    }
    // Actions stored before veto windows ran at once still execute when theirs closes.
    let executes =
        action.on_expiry == ExpiryDefault::Executed || action.policy == Policy::AutoWithVeto;
    next.state = if executes {
        ActionState::Executed
    } else {
        ActionState::Expired
    };
    next.decided_by = Some(SYSTEM_ACTOR.into());
    next.decided_at = Some(now);
    let reason = if executes {
        "no decision before expiry; declared default applied: executed"
    } else {
        "no decision before expiry; declared default applied: not executed"
    };
    let executes_here = executes;
    let audit = entry(
        Some(action),
        &next,
        SYSTEM_ACTOR,
        SYSTEM_ACTOR,
        "expire",
        reason.into(),
        now,
    );
    Some(crate::gateway_rules::hand_to_agent(
        Outcome {
            action: next,
            audit,
            executes: executes_here,
            rolls_back: false,
        },
        now,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
mod tests;
