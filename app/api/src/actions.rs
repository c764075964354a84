//! The wire types of actions: what an agent proposes (kind, risk, the policy that applies), its
//! lifecycle, an operator's decision on it and the audit trail of every change.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::UnixMs;

/// Kinds of action an agent proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Reroute,
    ScaleCompute,
    DeployEdge,
    QosSchedule,
    TsnSchedule,
    ProcessParameter,
    /// A kind this console does not know (a newer backend, or an agent's new kind): rendered
    /// generically with `kind_name`.
    #[default]
    #[serde(other)]
    Unknown,
}

/// Risk of an action, as the proposing agent assesses it.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
    /// A risk this console does not know (a newer backend): shown as "unknown".
    #[default]
    #[serde(other)]
    Unknown,
}

/// Who must agree before an action runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Runs by itself when the veto window closes unless an operator vetoes it.
    AutoWithVeto,
    OneApproval,
    /// Four eyes: two different operators.
    TwoApprovals,
    /// A policy this console does not know (a newer backend): shown as "unknown", never decided.
    #[default]
    #[serde(other)]
    Unknown,
}

/// Lifecycle of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    #[default]
    Pending,
    Executed,
    Rejected,
    Vetoed,
    Expired,
    /// Executed at once by an autonomous agent, then vetoed inside its window: the effect was
    /// reverted.
    RolledBack,
    /// Decided (approved or overridden) for an agent of the gateway, which applies `params` and
    /// reports the outcome; it is `executed` or `failed` once the agent says so.
    Approved,
    /// The agent reported that it could not carry the action out.
    Failed,
    /// Vetoed after the agent acted at once: the agent must roll back and report `rolled_back`.
    RollbackPending,
    /// A state this console does not know (a newer backend): shown as "unknown", not open.
    #[serde(other)]
    Unknown,
}

impl ActionState {
    pub fn is_open(self) -> bool {
        self == ActionState::Pending
    }
}

/// A proposal by an agent, and what became of it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct Action {
    pub id: u64,
    /// Bumped on every change; decisions must name the version they saw.
    pub version: u64,
    pub agent_id: String,
    pub kind: ActionKind,
    /// What it acts on: a link, cluster, metro or factory-group id.
    pub target: String,
    pub summary_en: String,
    pub summary_zh: String,
    pub rationale_en: String,
    pub rationale_zh: String,
    /// Agent's confidence, 0..1.
    pub confidence: f64,
    pub risk: Risk,
    pub policy: Policy,
    /// Predicted effect, e.g. "-18 % utilization on link X".
    pub predicted_impact_en: String,
    pub predicted_impact_zh: String,
    /// Parameters the action would apply; an override replaces them.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    pub state: ActionState,
    /// Wall-clock times: humans decide in real time, whatever the simulation speed.
    pub created_at: UnixMs,
    pub expires_at: UnixMs,
    /// Operators who approved so far.
    pub approvals: Vec<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<UnixMs>,
    pub overridden: bool,
    /// Proposed by an industrial agent: `target` is then a factory group `<province>/<industry>`.
    #[serde(default)]
    pub industrial: bool,
    /// While set, the action has run already (autonomous, low risk) and may still be vetoed —
    /// a veto rolls it back — until this time. Cleared when the window closes.
    #[serde(default)]
    pub veto_until: Option<UnixMs>,
    /// The numeric parameters an override may change, each within its range; other parameters
    /// cannot be changed.
    #[serde(default)]
    pub param_bounds: std::collections::BTreeMap<String, crate::ParamBound>,
    /// What happens when it expires without a decision.
    #[serde(default)]
    pub on_expiry: crate::ExpiryDefault,
    /// The open, namespaced kind the agent proposed (`backbone.reroute`); empty for actions
    /// stored before the gateway (then `kind` says it).
    #[serde(default)]
    pub kind_name: String,
    /// How the proposal arrived: the simulator, REST or MCP.
    #[serde(default)]
    pub protocol: crate::Protocol,
    /// The agent carries it out itself and reports the outcome (agents of the gateway): a
    /// decision makes it `approved`, not `executed`.
    #[serde(default)]
    pub awaits_outcome: bool,
    #[serde(default)]
    pub evidence: Vec<crate::Evidence>,
    /// Predicted effects, structured (the `predicted_impact_*` texts say them in words).
    #[serde(default)]
    pub predicted: Vec<crate::Effect>,
    /// How the agent undoes it.
    #[serde(default)]
    pub rollback_en: String,
    /// The last outcome the agent reported.
    #[serde(default)]
    pub outcome: Option<crate::ActionOutcome>,
    /// While `rollback_pending`: when the rollback report is due; past it the action is flagged
    /// (`rollback_overdue`) for the operators.
    #[serde(default)]
    pub rollback_due: Option<UnixMs>,
    #[serde(default)]
    pub rollback_overdue: bool,
}

impl Action {
    /// Awaiting a decision, executed and still inside its veto window, or awaiting the agent's
    /// outcome or rollback.
    pub fn is_open(&self) -> bool {
        self.state.is_open() || self.veto_until.is_some() || self.awaits_agent()
    }

    /// Decided, and now the agent's turn: to carry it out or to roll it back.
    pub fn awaits_agent(&self) -> bool {
        matches!(
            self.state,
            ActionState::Approved | ActionState::RollbackPending
        )
    }

    /// The kind as the agent named it (`backbone.reroute`), or the known kind's own name.
    pub fn kind_label(&self) -> String {
        if self.kind_name.is_empty() {
            crate::gateway_rules::kind_name(self.kind).to_owned()
        } else {
            self.kind_name.clone()
        }
    }
}

/// An operator's decision on an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    /// Approve with the operator's own parameters.
    Override,
    /// Stop an auto-executing action inside its veto window.
    Veto,
}

/// Body of `POST /api/v1/actions/{id}/decision`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub decision: Decision,
    /// Replacement parameters; required for `override`.
    #[schema(value_type = Option<Object>)]
    pub params: Option<serde_json::Value>,
    /// Why; required and not blank (else 422 `missing_reason`), shown in the audit trail.
    #[schema(min_length = 1)]
    pub reason: String,
    /// The action version the operator saw; a stale one gets 409.
    #[serde(deserialize_with = "crate::validate::integral_u64")]
    pub expected_version: u64,
    /// Unique per decision; a retry with the same key is answered from the record, never applied
    /// twice. 1..=200 visible ASCII characters (a UUID is typical).
    #[schema(min_length = 1, max_length = 200, pattern = r"^[!-~]{1,200}$")]
    pub idempotency_key: String,
}

/// Answer to a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecisionResponse {
    pub action: Action,
    pub audit_id: u64,
    /// True when this answers a retry of a decision already recorded.
    pub replayed: bool,
}

/// One line of the append-only audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: u64,
    pub at: UnixMs,
    pub actor: String,
    pub role: String,
    pub action_id: u64,
    /// `approve`, `reject`, `override`, `veto`, `auto_execute`, `expire`, …
    pub event: String,
    pub reason: String,
    pub from_state: ActionState,
    pub to_state: ActionState,
    /// The action before and after (version, state, parameters, approvals); null for entries
    /// that changed no action.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub before: serde_json::Value,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub after: serde_json::Value,
}

/// A page of the audit trail, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}
