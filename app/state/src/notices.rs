//! What the operator must be told: decisions sent and not yet answered, and the notices the UI
//! words in the operator's language.

use std::time::Instant;

use crate::api::Decision;
use crate::client::RequestKind;

/// A decision sent and not yet answered: shown as "sending…", never forgotten.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionInFlight {
    pub action_id: u64,
    pub decision: Decision,
    pub sent_at: Instant,
    /// Set when the backend could not be reached: not confirmed, being retried with the same key
    /// (the network's words).
    pub unconfirmed: Option<String>,
}

/// Something the operator must read; the UI words it in the operator's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub at: Instant,
    pub kind: NoticeKind,
    /// The backend's or the network's own words, shown under the translated headline.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NoticeKind {
    DecisionFailed {
        action_id: u64,
    },
    /// Not confirmed by the backend yet; retried with the same key until it answers.
    DecisionUnconfirmed {
        action_id: u64,
    },
    RequestFailed(RequestKind),
}
