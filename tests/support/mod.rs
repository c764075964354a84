//! Helpers shared by the integration tests that run a real `serve` (`mod support;` in each).
#![allow(dead_code)] // each test binary uses its own subset

use tianshu::api::{Action, ActionState, Decision, DecisionRequest, Policy, Snapshot};

/// A TCP port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The tests' async runtime: two worker threads, IO and timers on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A rejection of `action` at its current version, with `reason`.
pub fn reject(action: &Action, key: &str, reason: &str) -> DecisionRequest {
    DecisionRequest {
        decision: Decision::Reject,
        params: None,
        reason: reason.into(),
        expected_version: action.version,
        idempotency_key: key.into(),
    }
}

/// Open network actions an operator may reject, with time to spare, in the snapshot's order.
pub fn rejectable(snapshot: &Snapshot) -> Vec<Action> {
    snapshot
        .actions
        .iter()
        .filter(|a| {
            a.state == ActionState::Pending
                && !a.industrial
                && a.policy != Policy::AutoWithVeto
                && a.expires_at > snapshot.server_time + 120_000
        })
        .cloned()
        .collect()
}
