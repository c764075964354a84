//! Wire types of the agent gateway: what an autonomous agent sends to propose an action, how it
//! waits for the operator's decision, and how it reports what happened.
//!
//! The protocol, in order: `POST /api/v1/actions` (a [`ProposalRequest`], idempotent by key) →
//! `GET /api/v1/actions/{id}?wait=S&version=V` until the state moves → the agent applies exactly
//! `action.params` when the state is `approved` → `POST /api/v1/actions/{id}/outcome` (an
//! [`OutcomeRequest`]). A veto of an action that ran at once turns it `rollback_pending`: the agent
//! rolls back and reports `rolled_back`. The rules are in `crate::gateway_rules`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ParamBound, Risk, UnixMs};

/// The largest proposal or outcome body the gateway reads (the HTTP layer refuses larger ones).
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Evidence items and predicted effects kept per proposal.
pub const MAX_LIST_ITEMS: usize = 32;
/// Parameters per proposal.
pub const MAX_PARAMS: usize = 32;
/// The longest `?wait=` the backend holds a request.
pub const MAX_WAIT_S: u64 = 60;

/// What the agent asks for: decide first, or act at once and stay vetoable.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposeMode {
    /// Wait for an operator's decision before acting.
    #[default]
    AskFirst,
    /// Act now; an operator may veto (the agent then rolls back) until the veto window closes.
    /// Granted only where the policy allows it (autonomy L4+ and low risk); otherwise the action
    /// waits for a decision like `ask_first`, and the answer says so (`policy`).
    ActNow,
}

/// One piece of evidence behind a proposal, shown beside its rationale.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    /// What it is, e.g. "east-bound utilisation, 15 min p95".
    pub label: String,
    /// Its value as the agent read it, e.g. "91 %".
    pub value: String,
}

/// A predicted (or measured) effect on one metric.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Effect {
    /// e.g. `utilisation`, `rtt_ms`, `coverage_1ms`.
    pub metric: String,
    pub before: f64,
    pub after: f64,
    /// e.g. `%`, `ms`.
    #[serde(default)]
    pub unit: String,
    /// Where, when it is not the action's target (an entity id such as `link:…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#where: Option<String>,
}

/// Body of `POST /api/v1/actions` (role `agent`).
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalRequest {
    /// Unique per proposal; a retry with the same key returns the same action, the same key
    /// with another body is 422. 1..=200 visible ASCII characters (a UUID is typical).
    #[schema(min_length = 1, max_length = 200, pattern = r"^[!-~]{1,200}$")]
    pub idempotency_key: String,
    /// Open, namespaced kind such as `backbone.reroute`, `compute.scale`, `factory.tsn_schedule`:
    /// lower-case letters, digits, `_`, `-`, at least one `.`. Kinds the console knows get their
    /// rich rendering; others a generic one. Nothing is refused for being new.
    #[schema(
        min_length = 3,
        max_length = 64,
        pattern = r"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$"
    )]
    pub kind: String,
    /// An entity of the world: `link:ID`, `cluster:ID`, `hub:ID`, `metro:ID`, `factory:ID`,
    /// `group:<province>/<industry>`, or a point `point:LAT,LON`.
    pub target: String,
    pub summary_en: String,
    #[serde(default)]
    pub summary_zh: String,
    pub rationale_en: String,
    #[serde(default)]
    pub rationale_zh: String,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// 0..=1.
    pub confidence: f64,
    pub risk: Risk,
    #[serde(default)]
    pub predicted: Vec<Effect>,
    /// The predicted effect in words (English, Chinese), when the structured effects do not say
    /// it all; generated from `predicted` when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub predicted_impact_en: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub predicted_impact_zh: String,
    /// Name → value (numbers, text, or lists and objects such as a deployment's sites; ≤ 16 KiB
    /// of JSON): what the agent will apply if approved as proposed.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// The numeric parameters an operator's override may change, each within its range.
    #[serde(default)]
    pub param_bounds: BTreeMap<String, ParamBound>,
    /// How the agent undoes the action (shown to the operator who vetoes).
    #[serde(default)]
    pub rollback_en: String,
    #[serde(default)]
    pub mode: ProposeMode,
    /// Seconds the proposal stays open for a decision, or (acting now) vetoable (1..=86,400;
    /// 900, or 300 to veto, when absent).
    #[serde(default)]
    pub expires_in_s: Option<u32>,
}

/// Answer to a proposal or an outcome report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GatewayResponse {
    pub action: crate::Action,
    /// True when this answers a retry of a request already recorded.
    pub replayed: bool,
}

/// What the agent reports about an approved action.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    /// Started; more to come.
    Executing,
    /// Done; `measured` holds the effect.
    Executed,
    /// Could not be done (nothing changed, or the agent restored the previous state).
    Failed,
    /// Undone after a veto.
    RolledBack,
}

impl OutcomeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeStatus::Executing => "executing",
            OutcomeStatus::Executed => "executed",
            OutcomeStatus::Failed => "failed",
            OutcomeStatus::RolledBack => "rolled_back",
        }
    }
}

/// Body of `POST /api/v1/actions/{id}/outcome` (the proposing agent only).
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    #[schema(min_length = 1, max_length = 200, pattern = r"^[!-~]{1,200}$")]
    pub idempotency_key: String,
    pub status: OutcomeStatus,
    #[serde(default)]
    pub details: String,
    /// The measured effect, name → number, in the same shape as `params` or the prediction.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub measured: Option<serde_json::Value>,
    /// Measured effects in the prediction's shape (metric, before, after, unit).
    #[serde(default)]
    pub effects: Vec<Effect>,
}

/// The last outcome an agent reported, kept on the action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionOutcome {
    pub status: OutcomeStatus,
    pub details: String,
    #[schema(value_type = Option<Object>)]
    pub measured: Option<serde_json::Value>,
    #[serde(default)]
    pub effects: Vec<Effect>,
    pub at: UnixMs,
}

/// How a proposal reached the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// The built-in simulator's agents.
    #[default]
    Simulator,
    Rest,
    Mcp,
    #[serde(other)]
    Unknown,
}

/// `GET /api/v1/actions/{id}` query: long-poll for a change.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitQuery {
    /// Hold the request up to this many seconds (≤ 60) until the action changes.
    pub wait: Option<u64>,
    /// The version the caller has; the request returns as soon as the action's differs. Without
    /// it, any change after the request arrived.
    pub version: Option<u64>,
}

/// An agent the gateway has heard from (or that the users file declares).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConnectedAgent {
    pub agent_id: String,
    pub user: String,
    pub autonomy: crate::AutonomyLevel,
    pub kinds: Vec<String>,
    pub targets: Vec<String>,
    /// Last request from it (wall clock), if any since the backend started.
    pub last_seen: Option<UnixMs>,
    pub last_protocol: Option<Protocol>,
}
