//! HTTP face of the PostgreSQL store shared by several replicas (`backend::pg`): decisions are
//! committed there first, without holding the world lock, then applied to this replica's world.

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;

use crate::api::{DecisionRequest, DecisionResponse};
use crate::auth::Principal;
use crate::pg::{Decided, Shared};
use crate::store::StoreError;

use super::{ApiResult, AppState, HttpError, now_ms};

/// PostgreSQL failed or did not answer: reads still come from memory, this request cannot.
pub(super) fn unavailable(err: StoreError) -> HttpError {
    tracing::error!("shared store failed: {err}");
    HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "store_unavailable",
        format!("the shared database is unavailable ({err}); retry shortly"),
    )
}

/// `POST /actions/{id}/decision` on a replica: exactly once across replicas (see `pg`).
pub(super) async fn decide(
    state: &AppState,
    shared: &Arc<Shared>,
    id: u64,
    request: DecisionRequest,
    who: Principal,
) -> ApiResult<DecisionResponse> {
    let now = now_ms();
    match shared.decide(id, &request, &who, now).await {
        Ok(Decided::Replayed(response)) => {
            state.metrics.record_decision(request.decision, true);
            Ok(Json(response))
        }
        Ok(Decided::Applied { response, audit }) => {
            // The notification will bring the same change; `apply_stored` takes it once.
            state
                .world()
                .apply_stored(response.action.clone(), vec![*audit], now);
            state.metrics.record_decision(request.decision, false);
            Ok(Json(response))
        }
        Err(refused) => {
            let err = HttpError::from(refused.error);
            Err(match refused.current {
                // A conflict carries the action as stored now, as on a single backend.
                Some(action) if err.status == StatusCode::CONFLICT => {
                    err.with_current_action(action)
                }
                _ => err,
            })
        }
    }
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
    use crate::world::DecideError;

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
