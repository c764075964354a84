//! The rules of the agent gateway: who may propose what, what a proposal becomes (policy, veto
//! window, expiry), and what an agent's outcome report does to its action.
//!
//! Pure functions over `Action` values, like `decisions`; storage, idempotency records and
//! publishing are the backend's. Every refusal is a [`GatewayError`] with a stable code and one
//! HTTP status.

use crate::decisions::{self, SYSTEM_ACTOR};
use crate::{
    Action, ActionKind, ActionOutcome, ActionState, AuditEntry, AutonomyLevel, ExpiryDefault,
    MAX_LIST_ITEMS, MAX_PARAMS, MAX_TEXT_CHARS, OutcomeRequest, OutcomeStatus, Policy, Principal,
    ProposalRequest, ProposeMode, Protocol, Risk, Role, UnixMs,
};

/// The parameters of one proposal, as JSON, at most.
pub const MAX_PARAMS_BYTES: usize = 16 * 1024;
/// How long a proposal stays open for a decision when the agent does not say.
pub const DEFAULT_EXPIRY_S: u32 = 900;
/// The veto window of an action an agent ran at once.
pub const DEFAULT_VETO_WINDOW_S: u32 = 300;
/// How long an agent has to report `rolled_back` after a veto.
pub const ROLLBACK_DEADLINE_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GatewayError {
    #[error("only agents propose actions and report outcomes (you are {0})")]
    NotAnAgent(&'static str),
    #[error(
        "agent {agent} may not propose {kind} for {target}: outside its scope (kinds {kinds:?}, targets {targets:?})"
    )]
    OutOfScope {
        agent: String,
        kind: String,
        target: String,
        kinds: Vec<String>,
        targets: Vec<String>,
    },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("unknown target {0:?}: no such entity in this world")]
    UnknownTarget(String),
    #[error("action {action} was proposed by {owner}; only that agent reports its outcome")]
    NotYourAction { action: u64, owner: String },
    #[error("an outcome {status} is not allowed while the action is {state:?}")]
    OutcomeNotAllowed {
        status: &'static str,
        state: ActionState,
    },
}

impl GatewayError {
    pub fn code(&self) -> &'static str {
        match self {
            GatewayError::NotAnAgent(_) => "not_an_agent",
            GatewayError::OutOfScope { .. } => "out_of_scope",
            GatewayError::Invalid { .. } => "invalid_proposal",
            GatewayError::UnknownTarget(_) => "unknown_target",
            GatewayError::NotYourAction { .. } => "not_your_action",
            GatewayError::OutcomeNotAllowed { .. } => "outcome_not_allowed",
        }
    }

    /// The HTTP status the API answers with.
    pub fn status(&self) -> u16 {
        match self {
            GatewayError::NotAnAgent(_)
            | GatewayError::OutOfScope { .. }
            | GatewayError::NotYourAction { .. } => 403,
            GatewayError::Invalid { .. } | GatewayError::UnknownTarget(_) => 422,
            GatewayError::OutcomeNotAllowed { .. } => 409,
        }
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> GatewayError {
    GatewayError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// The namespaced name of a kind the console knows.
pub fn kind_name(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Reroute => "backbone.reroute",
        ActionKind::ScaleCompute => "compute.scale",
        ActionKind::DeployEdge => "metro.deploy_edge",
        ActionKind::QosSchedule => "metro.qos_schedule",
        ActionKind::TsnSchedule => "factory.tsn_schedule",
        ActionKind::ProcessParameter => "factory.process_parameter",
        ActionKind::Unknown => "unknown",
    }
}

/// The known kind behind a namespaced name, `Unknown` for a new one (rendered generically).
pub fn known_kind(name: &str) -> ActionKind {
    [
        ActionKind::Reroute,
        ActionKind::ScaleCompute,
        ActionKind::DeployEdge,
        ActionKind::QosSchedule,
        ActionKind::TsnSchedule,
        ActionKind::ProcessParameter,
    ]
    .into_iter()
    .find(|k| kind_name(*k) == name)
    .unwrap_or(ActionKind::Unknown)
}

/// The agent behind `who`, or why `who` may not propose.
pub fn agent_of(who: &Principal) -> Result<&crate::AgentGrant, GatewayError> {
    match (&who.agent, who.role) {
        (Some(grant), Role::Agent) => Ok(grant),
        _ => Err(GatewayError::NotAnAgent(who.role.as_str())),
    }
}

fn check_text(field: &str, text: &str, required: bool) -> Result<(), GatewayError> {
    if required && text.trim().is_empty() {
        return Err(invalid(field, "must not be blank"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(invalid(
            field,
            format!("at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(invalid(field, "control characters are not allowed"));
    }
    Ok(())
}

/// An idempotency key: 1..=200 visible ASCII characters.
pub fn check_key(key: &str) -> Result<(), GatewayError> {
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| (b'!'..=b'~').contains(&b)) {
        return Err(invalid(
            "idempotency_key",
            "1 to 200 visible ASCII characters (a UUID is typical)",
        ));
    }
    Ok(())
}

/// `backbone.reroute`: lower-case words of `[a-z0-9_-]` joined by at least one dot.
fn check_kind(kind: &str) -> Result<(), GatewayError> {
    let words: Vec<&str> = kind.split('.').collect();
    let ok = (3..=64).contains(&kind.len())
        && words.len() >= 2
        && words.iter().all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "kind",
            "a namespaced kind such as backbone.reroute (lower-case letters, digits, _ and -, words joined by dots, 3 to 64 characters)",
        ))
    }
}

/// Kinds of entity a target may name.
pub const TARGET_KINDS: [&str; 7] = [
    "link", "cluster", "hub", "metro", "factory", "group", "point",
];

/// The entity kind a known action kind acts on (`link` for a reroute, …).
pub fn target_kind(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Reroute => "link",
        ActionKind::ScaleCompute => "cluster",
        ActionKind::DeployEdge | ActionKind::QosSchedule => "metro",
        ActionKind::TsnSchedule | ActionKind::ProcessParameter | ActionKind::Unknown => "group",
    }
}

/// The id inside a target: `link:a-b` → `a-b`; a bare id (stored before the gateway) as it is.
pub fn entity_id(target: &str) -> &str {
    match target.split_once(':') {
        Some((kind, id)) if TARGET_KINDS.contains(&kind) => id,
        _ => target,
    }
}

/// Splits `link:ID` into its kind and id, checking the shape (not whether it exists).
pub fn parse_target(target: &str) -> Result<(&str, &str), GatewayError> {
    let shape = || {
        invalid(
            "target",
            "an entity as KIND:ID with KIND one of link, cluster, hub, metro, factory, group, or point:LAT,LON",
        )
    };
    let (kind, id) = target.split_once(':').ok_or_else(shape)?;
    if !TARGET_KINDS.contains(&kind) || id.is_empty() || id.len() > 200 {
        return Err(shape());
    }
    if kind == "point" {
        let (lat, lon) = id.split_once(',').ok_or_else(shape)?;
        let ok = |t: &str, limit: f64| {
            t.trim()
                .parse::<f64>()
                .is_ok_and(|x| x.is_finite() && x.abs() <= limit)
        };
        if !ok(lat, 90.0) || !ok(lon, 180.0) {
            return Err(shape());
        }
    }
    Ok((kind, id))
}

/// Checks a proposal's shape and the agent's scope. Whether the target exists is the world's
/// question (`UnknownTarget`).
pub fn validate(request: &ProposalRequest, who: &Principal) -> Result<(), GatewayError> {
    let grant = agent_of(who)?;
    check_key(&request.idempotency_key)?;
    check_kind(&request.kind)?;
    parse_target(&request.target)?;
    if !grant.allows(&request.kind, &request.target) {
        return Err(GatewayError::OutOfScope {
            agent: grant.agent_id.clone(),
            kind: request.kind.clone(),
            target: request.target.clone(),
            kinds: grant.kinds.clone(),
            targets: grant.targets.clone(),
        });
    }
    check_text("summary_en", &request.summary_en, true)?;
    check_text("summary_zh", &request.summary_zh, false)?;
    check_text("rationale_en", &request.rationale_en, true)?;
    check_text("rationale_zh", &request.rationale_zh, false)?;
    check_text("rollback_en", &request.rollback_en, false)?;
    check_text("predicted_impact_en", &request.predicted_impact_en, false)?;
    check_text("predicted_impact_zh", &request.predicted_impact_zh, false)?;
    if !(request.confidence.is_finite() && (0.0..=1.0).contains(&request.confidence)) {
        return Err(invalid("confidence", "a number from 0 to 1"));
    }
    if request.risk == Risk::Unknown {
        return Err(invalid("risk", "one of low, medium, high, critical"));
    }
    if request.evidence.len() > MAX_LIST_ITEMS || request.predicted.len() > MAX_LIST_ITEMS {
        return Err(invalid(
            "evidence",
            format!(
                "at most {MAX_LIST_ITEMS} evidence items and {MAX_LIST_ITEMS} predicted effects"
            ),
        ));
    }
    for (i, e) in request.evidence.iter().enumerate() {
        check_text(&format!("evidence[{i}].label"), &e.label, true)?;
        check_text(&format!("evidence[{i}].value"), &e.value, false)?;
    }
    for (i, e) in request.predicted.iter().enumerate() {
        check_effect(&format!("predicted[{i}]"), e)?;
    }
    let params = request
        .params
        .as_object()
        .ok_or_else(|| invalid("params", "an object of name → value"))?;
    if params.len() > MAX_PARAMS {
        return Err(invalid(
            "params",
            format!("at most {MAX_PARAMS} parameters"),
        ));
    }
    for (key, value) in params {
        if key.is_empty() || key.len() > 64 || value.is_null() {
            return Err(invalid(
                &format!("params.{key}"),
                "names of 1 to 64 characters and a value (a number, text, or a list or object \
                 such as the sites of a deployment)",
            ));
        }
    }
    if request.params.to_string().len() > MAX_PARAMS_BYTES {
        return Err(invalid(
            "params",
            format!("at most {MAX_PARAMS_BYTES} bytes of JSON in all"),
        ));
    }
    for (key, bound) in &request.param_bounds {
        let field = format!("param_bounds.{key}");
        let Some(value) = params.get(key).and_then(serde_json::Value::as_f64) else {
            return Err(invalid(
                &field,
                "bounds only for numeric parameters in params",
            ));
        };
        if !(bound.min.is_finite() && bound.max.is_finite() && bound.min <= bound.max) {
            return Err(invalid(&field, "min and max finite, min ≤ max"));
        }
        if value < bound.min || value > bound.max {
            return Err(invalid(
                &field,
                "the proposed value lies outside its own bounds",
            ));
        }
    }
    if let Some(s) = request.expires_in_s
        && !(1..=86_400).contains(&s)
    {
        return Err(invalid("expires_in_s", "from 1 to 86400 seconds"));
    }
    Ok(())
}

fn check_effect(field: &str, e: &crate::Effect) -> Result<(), GatewayError> {
    check_text(&format!("{field}.metric"), &e.metric, true)?;
    check_text(&format!("{field}.unit"), &e.unit, false)?;
    if !(e.before.is_finite() && e.after.is_finite()) {
        return Err(invalid(field, "before and after must be finite numbers"));
    }
    Ok(())
}

/// Who must agree, from the agent's autonomy, the risk and the mode it asks for: acting at once
/// (vetoable) only at L4+ for low risk; medium and low risk one approval; high and critical four
/// eyes.
pub fn policy_for(autonomy: AutonomyLevel, risk: Risk, mode: ProposeMode) -> Policy {
    let autonomous = matches!(autonomy, AutonomyLevel::L4 | AutonomyLevel::L5);
    match risk {
        Risk::Low if mode == ProposeMode::ActNow && autonomous => Policy::AutoWithVeto,
        Risk::Low | Risk::Medium => Policy::OneApproval,
        Risk::High | Risk::Critical | Risk::Unknown => Policy::TwoApprovals,
    }
}

/// The action a valid proposal becomes at `now` (id 0: the store assigns it). `industrial`
/// says whether the target is a plant's (decided by its factory managers).
pub fn draft(
    request: &ProposalRequest,
    grant: &crate::AgentGrant,
    protocol: Protocol,
    industrial: bool,
    now: UnixMs,
) -> Action {
    let policy = policy_for(grant.autonomy, request.risk, request.mode);
    let auto = policy == Policy::AutoWithVeto;
    let window_s = request.expires_in_s.unwrap_or(if auto {
        DEFAULT_VETO_WINDOW_S
    } else {
        DEFAULT_EXPIRY_S
    });
    let expires_at = now + i64::from(window_s) * 1000;
    let predicted_text = request
        .predicted
        .iter()
        .map(|e| {
            format!("{} {} → {} {}", e.metric, e.before, e.after, e.unit)
                .trim()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("; ");
    let text_or = |text: &str, fallback: &str| {
        if text.trim().is_empty() {
            fallback.to_owned()
        } else {
            text.trim().to_owned()
        }
    };
    Action {
        id: 0,
        version: 1,
        agent_id: grant.agent_id.clone(),
        kind: known_kind(&request.kind),
        target: request.target.clone(),
        summary_en: request.summary_en.trim().to_owned(),
        summary_zh: request.summary_zh.trim().to_owned(),
        rationale_en: request.rationale_en.trim().to_owned(),
        rationale_zh: request.rationale_zh.trim().to_owned(),
        confidence: request.confidence,
        risk: request.risk,
        policy,
        predicted_impact_en: text_or(&request.predicted_impact_en, &predicted_text),
        predicted_impact_zh: text_or(&request.predicted_impact_zh, &predicted_text),
        params: request.params.clone(),
        state: if auto {
            ActionState::Approved
        } else {
            ActionState::Pending
        },
        created_at: now,
        expires_at,
        approvals: vec![],
        decided_by: auto.then(|| grant.agent_id.clone()),
        decided_at: auto.then_some(now),
        overridden: false,
        industrial,
        veto_until: auto.then_some(expires_at),
        param_bounds: request.param_bounds.clone(),
        on_expiry: ExpiryDefault::NotExecuted,
        kind_name: request.kind.clone(),
        protocol,
        awaits_outcome: true,
        evidence: request.evidence.clone(),
        predicted: request.predicted.clone(),
        rollback_en: request.rollback_en.trim().to_owned(),
        outcome: None,
        rollback_due: None,
        rollback_overdue: false,
    }
}

/// What an agent's outcome report does: the action as it becomes and its audit entry.
pub fn report(
    action: &Action,
    request: &OutcomeRequest,
    who: &Principal,
    now: UnixMs,
) -> Result<(Action, AuditEntry), GatewayError> {
    let grant = agent_of(who)?;
    check_key(&request.idempotency_key)?;
    check_text("details", &request.details, false)?;
    if request.effects.len() > MAX_LIST_ITEMS {
        return Err(invalid(
            "effects",
            format!("at most {MAX_LIST_ITEMS} effects"),
        ));
    }
    for (i, e) in request.effects.iter().enumerate() {
        check_effect(&format!("effects[{i}]"), e)?;
    }
    if let Some(m) = &request.measured
        && !m.is_object()
    {
        return Err(invalid("measured", "an object of name → value"));
    }
    if action.agent_id != grant.agent_id {
        return Err(GatewayError::NotYourAction {
            action: action.id,
            owner: action.agent_id.clone(),
        });
    }
    let executed_in_window = action.state == ActionState::Executed && action.veto_until.is_some();
    let last = action.outcome.as_ref().map(|o| o.status);
    let next_state = match (action.state, request.status) {
        (ActionState::Approved, OutcomeStatus::Executing) => ActionState::Approved,
        (ActionState::Approved, OutcomeStatus::Executed) => ActionState::Executed,
        (ActionState::Approved, OutcomeStatus::Failed) => ActionState::Failed,
        // A late report of an action vetoed while it ran: the agent says it undid it.
        (ActionState::RollbackPending, OutcomeStatus::RolledBack) => ActionState::RolledBack,
        (ActionState::RollbackPending, OutcomeStatus::Failed) => ActionState::RollbackPending,
        // Measured effect added after the fact, once, while the veto window is still open.
        (ActionState::Executed, OutcomeStatus::Executed)
            if executed_in_window && last != Some(OutcomeStatus::Executed) =>
        {
            ActionState::Executed
        }
        (state, status) => {
            return Err(GatewayError::OutcomeNotAllowed {
                status: status.as_str(),
                state,
            });
        }
    };
    let mut next = action.clone();
    next.version += 1;
    next.state = next_state;
    next.outcome = Some(ActionOutcome {
        status: request.status,
        details: request.details.trim().to_owned(),
        measured: request.measured.clone(),
        effects: request.effects.clone(),
        at: now,
    });
    if next_state == ActionState::RolledBack {
        next.rollback_due = None;
        next.rollback_overdue = false;
    }
    let reason = if request.details.trim().is_empty() {
        format!("agent reported {}", request.status.as_str())
    } else {
        format!(
            "agent reported {}: {}",
            request.status.as_str(),
            request.details.trim()
        )
    };
    let audit = decisions::entry(
        Some(action),
        &next,
        &grant.agent_id,
        Role::Agent.as_str(),
        &format!("outcome_{}", request.status.as_str()),
        reason,
        now,
    );
    Ok((next, audit))
}

/// An agent of the gateway carries decisions out itself: what the rules would execute becomes
/// `approved` (the agent's turn), and what they would roll back becomes `rollback_pending`.
pub fn hand_to_agent(mut outcome: decisions::Outcome, now: UnixMs) -> decisions::Outcome {
    if !outcome.action.awaits_outcome {
        return outcome;
    }
    if outcome.executes {
        outcome.action.state = ActionState::Approved;
        outcome.executes = false;
    }
    if outcome.rolls_back {
        outcome.action.state = ActionState::RollbackPending;
        outcome.action.rollback_due = Some(now + ROLLBACK_DEADLINE_MS);
        outcome.rolls_back = false;
    }
    outcome.audit.to_state = outcome.action.state;
    outcome.audit.after = decisions::audit_view(&outcome.action);
    outcome
}

/// A rollback the agent has not reported by its deadline: flagged for the operators (it stays
/// `rollback_pending`; only the agent can say it undid the action).
pub fn flag_overdue_rollback(action: &Action, now: UnixMs) -> Option<decisions::Outcome> {
    let due = action.rollback_due?;
    if action.state != ActionState::RollbackPending || now < due || action.rollback_overdue {
        return None;
    }
    let mut next = action.clone();
    next.version += 1;
    next.rollback_overdue = true;
    let audit = decisions::entry(
        Some(action),
        &next,
        SYSTEM_ACTOR,
        SYSTEM_ACTOR,
        "rollback_overdue",
        "the agent has not reported the rollback by its deadline".into(),
        now,
    );
    Some(decisions::Outcome {
        action: next,
        audit,
        executes: false,
        rolls_back: false,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
