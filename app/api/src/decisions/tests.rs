//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::*;
use crate::{ActionKind, ParamBound, Risk};

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
        params: serde_json::json!({"shift_gbps": 100, "via": "x"}),
        state: ActionState::Pending,
        created_at: 0,
        expires_at: 1_000,
        approvals: vec![],
        decided_by: None,
        decided_at: None,
        overridden: false,
        industrial: false,
        veto_until: None,
        param_bounds: [(
            "shift_gbps".to_string(),
            ParamBound {
                min: 10.0,
                max: 150.0,
            },
        )]
        .into_iter()
        .collect(),
        on_expiry: ExpiryDefault::NotExecuted,
        ..Default::default()
    }
}

fn auto_executed() -> Action {
    let mut a = action(Policy::AutoWithVeto);
    a.state = ActionState::Executed;
    a.veto_until = Some(1_000);
    a
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
    Principal::new(user, Role::Operator)
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
    assert_eq!(out.audit.before["version"], 1);
    assert_eq!(out.audit.after["state"], "executed");
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
fn roles_and_scopes() {
    let network = action(Policy::OneApproval);
    let mut industrial = action(Policy::OneApproval);
    industrial.industrial = true;
    industrial.target = "CN-GD/automotive".into();
    let approve = request(Decision::Approve, 1);
    for role in [Role::Viewer, Role::Regulator] {
        let who = Principal::new("wall", role);
        assert!(matches!(
            decide(&network, &approve, &who, 10),
            Err(DecisionError::Forbidden { .. })
        ));
    }
    assert_eq!(
        decide(&industrial, &approve, &op("li"), 10),
        Err(DecisionError::IndustrialAction)
    );
    let mut manager = Principal::new("zhang", Role::FactoryManager);
    manager.factory_groups.insert("CN-JS/steel".into());
    assert!(matches!(
        decide(&industrial, &approve, &manager, 10),
        Err(DecisionError::OutOfScope { .. })
    ));
    assert!(matches!(
        decide(&network, &approve, &manager, 10),
        Err(DecisionError::OutOfScope { .. })
    ));
    manager.factory_groups.insert("CN-GD/automotive".into());
    assert!(decide(&industrial, &approve, &manager, 10).is_ok());
    let admin = Principal::new("root", Role::Admin);
    assert!(decide(&industrial, &approve, &admin, 10).is_ok());
}

#[test]
fn reason_and_override_bounds_are_checked() {
    let a = action(Policy::OneApproval);
    let mut blank = request(Decision::Reject, 1);
    blank.reason = "  ".into();
    assert_eq!(
        decide(&a, &blank, &op("li"), 10),
        Err(DecisionError::MissingReason)
    );
    assert_eq!(
        decide(&a, &request(Decision::Override, 1), &op("li"), 10),
        Err(DecisionError::MissingParams)
    );
    let with = |params: serde_json::Value| {
        let mut r = request(Decision::Override, 1);
        r.params = Some(params);
        decide(&a, &r, &op("li"), 10)
    };
    assert!(matches!(
        with(serde_json::json!({"shift_gbps": 400})),
        Err(DecisionError::ParamOutOfBounds { .. })
    ));
    assert!(matches!(
        with(serde_json::json!({"shift_gbps": "lots"})),
        Err(DecisionError::ParamOutOfBounds { .. })
    ));
    assert_eq!(
        with(serde_json::json!({"via": "y"})),
        Err(DecisionError::ParamNotEditable("via".into()))
    );
    assert_eq!(
        with(serde_json::json!({"color": 1})),
        Err(DecisionError::ParamNotEditable("color".into()))
    );
    let out = with(serde_json::json!({"shift_gbps": 40, "via": "x"})).expect("valid");
    assert!(out.action.overridden && out.executes);
    assert_eq!(out.action.params["shift_gbps"], 40);
    assert_eq!(out.action.params["via"], "x");
}

#[test]
fn veto_rolls_back_inside_the_window_only() {
    let auto = auto_executed();
    let vetoed = decide(&auto, &request(Decision::Veto, 1), &op("li"), 10).expect("valid");
    assert_eq!(vetoed.action.state, ActionState::RolledBack);
    assert!(vetoed.rolls_back && !vetoed.executes);
    assert!(!vetoed.action.is_open());
    assert_eq!(
        decide(&auto, &request(Decision::Veto, 1), &op("li"), 1_000),
        Err(DecisionError::VetoWindowClosed)
    );
    assert_eq!(
        decide(&auto, &request(Decision::Approve, 1), &op("li"), 10),
        Err(DecisionError::NotOpen(ActionState::Executed))
    );
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
    let closed = close_on_timeout(&auto, 1_000).expect("due");
    assert_eq!(closed.action.state, ActionState::Executed);
    assert_eq!(closed.action.veto_until, None);
    assert_eq!(closed.audit.event, "veto_window_closed");
    assert!(!closed.executes);
    assert_eq!(
        decide(
            &closed.action,
            &request(Decision::Veto, 2),
            &op("li"),
            1_001
        ),
        Err(DecisionError::VetoWindowClosed)
    );
}

#[test]
fn expiry_applies_the_declared_default() {
    let lapsed = close_on_timeout(&action(Policy::OneApproval), 1_000).expect("due");
    assert_eq!(lapsed.action.state, ActionState::Expired);
    assert!(!lapsed.executes);
    assert!(lapsed.audit.reason.contains("not executed"));
    let mut runs = action(Policy::OneApproval);
    runs.on_expiry = ExpiryDefault::Executed;
    let ran = close_on_timeout(&runs, 1_000).expect("due");
    assert_eq!(ran.action.state, ActionState::Executed);
    assert!(ran.executes);
}

#[test]
fn proposals_are_audited_with_their_execution() {
    let entries = proposed(&auto_executed(), 5);
    let events: Vec<&str> = entries.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["propose", "auto_execute"]);
    assert_eq!(entries[1].to_state, ActionState::Executed);
    assert_eq!(proposed(&action(Policy::OneApproval), 5).len(), 1);
}
