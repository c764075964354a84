//! What HTTP says about the store: unavailable (reads still come from memory), and on a replica
//! of a shared PostgreSQL store (`backend::pg`) whether it leads.

use axum::http::StatusCode;

use crate::pg::Shared;
use crate::store::StoreError;

use super::HttpError;

/// The store failed or did not answer: reads still come from memory, this request cannot.
pub(super) fn unavailable(err: StoreError) -> HttpError {
    tracing::error!("store failed: {err}");
    HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "store_unavailable",
        format!("the database is unavailable ({err}); retry shortly"),
    )
}

/// `GET /metrics` lines of a replica: whether it leads (proposes and runs the action clock).
pub(super) fn metrics_text(shared: &Shared) -> String {
    format!(
        "# HELP tianshu_store_leader 1 while this replica holds the leader lock of the shared \
         PostgreSQL store (it proposes actions and runs their clock).\n\
         # TYPE tianshu_store_leader gauge\ntianshu_store_leader {}\n",
        u8::from(shared.is_leader())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action_store::DecideError;

    #[test]
    fn a_commit_without_an_answer_is_not_called_unrecorded() {
        let unknown = HttpError::from(DecideError::OutcomeUnknown("no answer".into()));
        assert_eq!(unknown.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(unknown.body.code, "outcome_unknown");
        assert!(unknown.body.message.contains("may or may not"));
        assert!(!unknown.body.message.contains("NOT recorded"));
        let failed = HttpError::from(DecideError::Store(StoreError::Postgres("down".into())));
        assert_eq!(failed.body.code, "store_unavailable");
        assert!(failed.body.message.contains("NOT recorded"));
    }
}
