//! The rules of deciding on an action: who may, when, and what it becomes.
//!
//! Pure functions over `Action` values; storage, idempotency records and publishing are the
//! caller's (`world`). Every refusal is a `DecisionError` that maps to one HTTP status.

use crate::api::{Action, ActionState, AuditEntry, Decision, DecisionRequest, Policy, UnixMs};

use super::auth::{Principal, Role};

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
    #[error("role {role} may not {decision}")]
    Forbidden {
        role: &'static str,
        decision: &'static str,
    },
    #[error("{0} already approved this action; a second approval must come from someone else")]
    AlreadyApproved(String),
    #[error("only an auto-executing action inside its veto window can be vetoed")]
    NotVetoable,
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
            DecisionError::AlreadyApproved(_) => "already_approved",
            DecisionError::NotVetoable => "not_vetoable",
        }
    }
}

/// What a valid decision does.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub action: Action,
    pub audit: AuditEntry,
    /// The action is to run now (the world applies its effect).
    pub executes: bool,
}

pub fn decision_name(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "approve",
        Decision::Reject => "reject",
        Decision::Override => "override",
        Decision::Veto => "veto",
    }
}

/// Applies `request` by `who` to `action` at `now`.
pub fn decide(
    action: &Action,
    request: &DecisionRequest,
    who: &Principal,
    now: UnixMs,
) -> Result<Outcome, DecisionError> {
    let name = decision_name(request.decision);
    if who.role == Role::Viewer
        || (request.decision == Decision::Override && who.role < Role::Supervisor)
    {
        return Err(DecisionError::Forbidden {
            role: who.role.as_str(),
            decision: name,
        });
    }
    if request.reason.trim().is_empty() {
        return Err(DecisionError::MissingReason);
    }
    if !action.state.is_open() {
        return Err(DecisionError::NotOpen(action.state));
    }
    if request.expected_version != action.version {
        return Err(DecisionError::StaleVersion {
            seen: request.expected_version,
            current: action.version,
        });
    }
    if now >= action.expires_at {
        return Err(DecisionError::Expired);
    }

    let mut next = action.clone();
    next.version += 1;
    let mut executes = false;
    match request.decision {
        Decision::Approve => {
            if next.approvals.iter().any(|u| u == &who.user) {
                return Err(DecisionError::AlreadyApproved(who.user.clone()));
            }
            next.approvals.push(who.user.clone());
            let needed = if action.policy == Policy::TwoApprovals {
                2
            } else {
                1
            };
            if next.approvals.len() >= needed {
                next.state = ActionState::Executed;
                executes = true;
            }
        }
        Decision::Reject => next.state = ActionState::Rejected,
        Decision::Veto => {
            if action.policy != Policy::AutoWithVeto {
                return Err(DecisionError::NotVetoable);
            }
            next.state = ActionState::Vetoed;
        }
        Decision::Override => {
            let params = request
                .params
                .as_ref()
                .filter(|p| p.is_object())
                .ok_or(DecisionError::MissingParams)?;
            next.params = params.clone();
            next.overridden = true;
            next.state = ActionState::Executed;
            executes = true;
        }
    }
    if !next.state.is_open() {
        next.decided_by = Some(who.user.clone());
        next.decided_at = Some(now);
    }
    let audit = AuditEntry {
        id: 0,
        at: now,
        actor: who.user.clone(),
        role: who.role.as_str().into(),
        action_id: action.id,
        event: name.into(),
        reason: request.reason.trim().into(),
        from_state: action.state,
        to_state: next.state,
    };
    Ok(Outcome {
        action: next,
        audit,
        executes,
    })
}

/// What the clock does to an open action whose time is up: auto-execute or expire.
pub fn close_on_timeout(action: &Action, now: UnixMs) -> Option<Outcome> {
    if !action.state.is_open() || now < action.expires_at {
        return None;
    }
    let mut next = action.clone();
    next.version += 1;
    let auto = action.policy == Policy::AutoWithVeto;
    next.state = if auto {
        ActionState::Executed
    } else {
        ActionState::Expired
    };
    next.decided_by = Some("system".into());
    next.decided_at = Some(now);
    let audit = AuditEntry {
        id: 0,
        at: now,
        actor: "system".into(),
        role: "system".into(),
        action_id: action.id,
        event: if auto { "auto_execute" } else { "expire" }.into(),
        reason: if auto {
            "veto window closed without a veto".into()
        } else {
            "no decision before expiry".into()
        },
        from_state: action.state,
        to_state: next.state,
    };
    Some(Outcome {
        action: next,
        audit,
        executes: auto,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ActionKind, Risk};

    fn action(policy: Policy) -> Action {
        Action {
            id: 7,
            version: 1,
            agent_id: "a".into(),
            kind: ActionKind::Reroute,
            target: "l".into(),
            summary_en: String::new(),
            summary_zh: String::new(),
            rationale_en: String::new(),
            rationale_zh: String::new(),
            confidence: 0.9,
            risk: Risk::Medium,
            policy,
            predicted_impact_en: String::new(),
            predicted_impact_zh: String::new(),
            params: serde_json::json!({"shift_gbps": 100}),
            state: ActionState::Pending,
            created_at: 0,
            expires_at: 1_000,
            approvals: vec![],
            decided_by: None,
            decided_at: None,
            overridden: false,
        }
    }

    fn request(decision: Decision, version: u64) -> DecisionRequest {
        DecisionRequest {
            decision,
            params: None,
            reason: "checked the forecast".into(),
            expected_version: version,
            idempotency_key: "k".into(),
        }
    }

    fn op(user: &str) -> Principal {
        Principal {
            user: user.into(),
            role: Role::Operator,
        }
    }

    #[test]
    fn one_approval_executes() {
        let out = decide(
            &action(Policy::OneApproval),
            &request(Decision::Approve, 1),
            &op("li"),
            10,
        )
        .expect("valid");
        assert_eq!(out.action.state, ActionState::Executed);
        assert_eq!(out.action.version, 2);
        assert!(out.executes);
        assert_eq!(out.audit.event, "approve");
    }

    #[test]
    fn four_eyes_need_two_different_people() {
        let a = action(Policy::TwoApprovals);
        let first = decide(&a, &request(Decision::Approve, 1), &op("li"), 10).expect("valid");
        assert_eq!(first.action.state, ActionState::Pending);
        assert!(!first.executes);
        let again = decide(&first.action, &request(Decision::Approve, 2), &op("li"), 11);
        assert_eq!(again, Err(DecisionError::AlreadyApproved("li".into())));
        let second = decide(
            &first.action,
            &request(Decision::Approve, 2),
            &op("wang"),
            12,
        )
        .expect("valid");
        assert_eq!(second.action.state, ActionState::Executed);
        assert_eq!(
            second.action.approvals,
            vec!["li".to_string(), "wang".to_string()]
        );
    }

    #[test]
    fn stale_version_closed_and_expired_are_refused() {
        let a = action(Policy::OneApproval);
        assert!(matches!(
            decide(&a, &request(Decision::Approve, 0), &op("li"), 10),
            Err(DecisionError::StaleVersion {
                seen: 0,
                current: 1
            })
        ));
        assert_eq!(
            decide(&a, &request(Decision::Approve, 1), &op("li"), 1_000),
            Err(DecisionError::Expired)
        );
        let done = decide(&a, &request(Decision::Reject, 1), &op("li"), 10).expect("valid");
        assert_eq!(
            decide(&done.action, &request(Decision::Approve, 2), &op("li"), 10),
            Err(DecisionError::NotOpen(ActionState::Rejected))
        );
    }

    #[test]
    fn roles_reason_and_params_are_checked() {
        let a = action(Policy::OneApproval);
        let viewer = Principal {
            user: "wall".into(),
            role: Role::Viewer,
        };
        assert!(matches!(
            decide(&a, &request(Decision::Approve, 1), &viewer, 10),
            Err(DecisionError::Forbidden { .. })
        ));
        assert!(matches!(
            decide(&a, &request(Decision::Override, 1), &op("li"), 10),
            Err(DecisionError::Forbidden { .. })
        ));
        let mut blank = request(Decision::Reject, 1);
        blank.reason = "  ".into();
        assert_eq!(
            decide(&a, &blank, &op("li"), 10),
            Err(DecisionError::MissingReason)
        );
        let boss = Principal {
            user: "zhao".into(),
            role: Role::Supervisor,
        };
        assert_eq!(
            decide(&a, &request(Decision::Override, 1), &boss, 10),
            Err(DecisionError::MissingParams)
        );
        let mut with_params = request(Decision::Override, 1);
        with_params.params = Some(serde_json::json!({"shift_gbps": 40}));
        let out = decide(&a, &with_params, &boss, 10).expect("valid");
        assert!(out.action.overridden);
        assert_eq!(out.action.params["shift_gbps"], 40);
    }

    #[test]
    fn veto_only_for_auto_actions_and_timeout_rules() {
        let auto = action(Policy::AutoWithVeto);
        let vetoed = decide(&auto, &request(Decision::Veto, 1), &op("li"), 10).expect("valid");
        assert_eq!(vetoed.action.state, ActionState::Vetoed);
        assert_eq!(
            decide(
                &action(Policy::OneApproval),
                &request(Decision::Veto, 1),
                &op("li"),
                10
            ),
            Err(DecisionError::NotVetoable)
        );
        assert!(close_on_timeout(&auto, 999).is_none());
        let ran = close_on_timeout(&auto, 1_000).expect("due");
        assert_eq!(ran.action.state, ActionState::Executed);
        let lapsed = close_on_timeout(&action(Policy::OneApproval), 1_000).expect("due");
        assert_eq!(lapsed.action.state, ActionState::Expired);
        assert!(!lapsed.executes);
    }
}
