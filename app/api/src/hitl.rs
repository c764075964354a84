//! Wire types of human-in-the-loop control: who is signed in, their role and scope, the bounds
//! an override must respect, and what an action becomes when nobody decides in time.
//!
//! No behaviour lives here; the rules are in `backend::decisions` (the console asks the same
//! functions to explain a disabled button).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a caller may do, from the bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Wall displays: reads, decides nothing.
    Viewer,
    /// Reads everything, decides nothing.
    Regulator,
    /// Decides network actions (hubs, backbone, metros).
    Operator,
    /// Sees and decides only the actions of their own factories.
    FactoryManager,
    /// Decides everything.
    #[serde(alias = "supervisor")]
    Admin,
    /// An autonomous agent: proposes actions within its scope and reports their outcomes;
    /// decides nothing.
    Agent,
    /// A telemetry system: pushes samples and stage changes (`POST /api/v1/ingest`); decides
    /// nothing.
    Source,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Regulator => "regulator",
            Role::Operator => "operator",
            Role::FactoryManager => "factory_manager",
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Source => "source",
        }
    }

    /// Roles that may decide at least some actions.
    pub fn decides(self) -> bool {
        matches!(self, Role::Operator | Role::FactoryManager | Role::Admin)
    }
}

/// `GET /api/v1/me`: who the backend thinks is calling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub name: String,
    pub role: Role,
    /// Factory ids a factory manager looks after (empty for other roles).
    pub factory_ids: Vec<u32>,
    /// The factory groups (`<province>/<industry>`) of those factories: the targets of the
    /// industrial actions this user may decide.
    pub factory_groups: Vec<String>,
    /// True when the backend runs without a users file and everyone is this local user.
    pub open_mode: bool,
}

/// Range an overridden numeric parameter must stay in (inclusive).
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ParamBound {
    pub min: f64,
    pub max: f64,
}

/// What an action that nobody decided becomes when it expires, declared when it is proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryDefault {
    #[default]
    NotExecuted,
    Executed,
}
