//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::*;
use crate::{AgentGrant, Effect, ParamBound};

fn agent(autonomy: AutonomyLevel) -> Principal {
    let mut who = Principal::new("ctl", Role::Agent);
    who.agent = Some(AgentGrant {
        agent_id: "agent-ctl".into(),
        autonomy,
        kinds: vec!["backbone.*".into()],
        targets: vec!["link:*".into()],
    });
    who
}

fn request() -> ProposalRequest {
    ProposalRequest {
        idempotency_key: "k1".into(),
        kind: "backbone.reroute".into(),
        target: "link:a-b".into(),
        summary_en: "shift".into(),
        summary_zh: String::new(),
        rationale_en: "load".into(),
        rationale_zh: String::new(),
        evidence: Vec::new(),
        confidence: 0.8,
        risk: Risk::Medium,
        predicted: vec![Effect {
            metric: "utilisation".into(),
            before: 91.0,
            after: 81.0,
            unit: "%".into(),
            r#where: None,
        }],
        predicted_impact_en: String::new(),
        predicted_impact_zh: String::new(),
        params: serde_json::json!({ "shift_pct": 10, "sites": [[30.1, 120.2]] }),
        param_bounds: [(
            "shift_pct".to_owned(),
            ParamBound {
                min: 0.0,
                max: 30.0,
            },
        )]
        .into_iter()
        .collect(),
        rollback_en: String::new(),
        mode: ProposeMode::AskFirst,
        expires_in_s: None,
    }
}

#[test]
fn policy_follows_autonomy_risk_and_mode() {
    use AutonomyLevel::{L3, L4};
    use ProposeMode::{ActNow, AskFirst};
    assert_eq!(policy_for(L4, Risk::Low, ActNow), Policy::AutoWithVeto);
    assert_eq!(policy_for(L3, Risk::Low, ActNow), Policy::OneApproval);
    assert_eq!(policy_for(L4, Risk::Low, AskFirst), Policy::OneApproval);
    assert_eq!(policy_for(L4, Risk::Medium, ActNow), Policy::OneApproval);
    assert_eq!(policy_for(L4, Risk::High, ActNow), Policy::TwoApprovals);
    assert_eq!(
        policy_for(L4, Risk::Critical, AskFirst),
        Policy::TwoApprovals
    );
}

#[test]
fn proposals_are_checked_for_scope_shape_and_bounds() {
    let who = agent(AutonomyLevel::L3);
    assert_eq!(validate(&request(), &who), Ok(()));
    let mut r = request();
    r.kind = "compute.scale".into();
    assert_eq!(validate(&r, &who).unwrap_err().code(), "out_of_scope");
    let mut r = request();
    r.target = "cluster:x".into();
    assert_eq!(validate(&r, &who).unwrap_err().status(), 403);
    let field = |r: ProposalRequest| match validate(&r, &who) {
        Err(GatewayError::Invalid { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    let mut r = request();
    r.kind = "Reroute".into();
    assert_eq!(field(r), "kind");
    let mut r = request();
    r.target = "point:95,200".into();
    assert_eq!(field(r), "target");
    let mut r = request();
    r.confidence = f64::NAN;
    assert_eq!(field(r), "confidence");
    let mut r = request();
    r.param_bounds.insert(
        "shift_pct".into(),
        ParamBound {
            min: 20.0,
            max: 30.0,
        },
    );
    assert_eq!(
        field(r),
        "param_bounds.shift_pct",
        "the proposal is outside its own bounds"
    );
    let mut r = request();
    r.summary_en = "  ".into();
    assert_eq!(field(r), "summary_en");
    let mut r = request();
    r.params = serde_json::json!({ "blob": "x".repeat(MAX_PARAMS_BYTES) });
    assert_eq!(field(r), "params");
    // Operators do not propose.
    let operator = Principal::new("li", Role::Operator);
    assert_eq!(
        validate(&request(), &operator).unwrap_err().code(),
        "not_an_agent"
    );
}

#[test]
fn an_approved_action_moves_only_by_its_agents_reports_in_turn() {
    let who = agent(AutonomyLevel::L3);
    let grant = who.agent.clone().unwrap();
    let mut action = draft(&request(), &grant, Protocol::Rest, false, 1_000);
    assert_eq!(
        (action.state, action.policy),
        (ActionState::Pending, Policy::OneApproval)
    );
    assert!(action.awaits_outcome);
    let report = |status| OutcomeRequest {
        idempotency_key: "o".into(),
        status,
        details: String::new(),
        measured: None,
        effects: Vec::new(),
    };
    // Not yet approved: no report is in turn.
    let err = super::report(&action, &report(OutcomeStatus::Executed), &who, 2_000);
    assert_eq!(err.unwrap_err().code(), "outcome_not_allowed");
    action.state = ActionState::Approved;
    let (running, _) =
        super::report(&action, &report(OutcomeStatus::Executing), &who, 2_000).unwrap();
    assert_eq!(running.state, ActionState::Approved);
    let (done, audit) =
        super::report(&running, &report(OutcomeStatus::Executed), &who, 3_000).unwrap();
    assert_eq!(
        (done.state, done.version),
        (ActionState::Executed, action.version + 2)
    );
    assert_eq!(
        (audit.actor.as_str(), audit.event.as_str()),
        ("agent-ctl", "outcome_executed")
    );
    // Another agent's report is refused.
    let mut other = agent(AutonomyLevel::L3);
    if let Some(g) = other.agent.as_mut() {
        g.agent_id = "agent-other".into();
    }
    let err = super::report(&running, &report(OutcomeStatus::Executed), &other, 3_000);
    assert_eq!(err.unwrap_err().code(), "not_your_action");
}

#[test]
fn a_veto_of_an_action_that_ran_waits_for_the_rollback_and_is_flagged_when_late() {
    let mut r = request();
    r.risk = Risk::Low;
    r.mode = ProposeMode::ActNow;
    let who = agent(AutonomyLevel::L4);
    let action = draft(&r, who.agent.as_ref().unwrap(), Protocol::Mcp, false, 1_000);
    assert_eq!(action.state, ActionState::Approved);
    assert_eq!(
        action.veto_until,
        Some(1_000 + i64::from(DEFAULT_VETO_WINDOW_S) * 1000)
    );
    let veto = crate::DecisionRequest {
        decision: crate::Decision::Veto,
        params: None,
        reason: "no".into(),
        expected_version: 1,
        idempotency_key: "v".into(),
    };
    let operator = Principal::new("li", Role::Operator);
    let vetoed = decisions::decide(&action, &veto, &operator, 2_000).unwrap();
    assert_eq!(vetoed.action.state, ActionState::RollbackPending);
    assert!(!vetoed.rolls_back, "the agent undoes it, not the backend");
    let due = vetoed.action.rollback_due.unwrap();
    assert!(flag_overdue_rollback(&vetoed.action, due - 1).is_none());
    let flagged = flag_overdue_rollback(&vetoed.action, due).unwrap();
    assert!(flagged.action.rollback_overdue);
    assert!(
        flag_overdue_rollback(&flagged.action, due + 1).is_none(),
        "flagged once"
    );
}
