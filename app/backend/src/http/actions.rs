//! The action queue over HTTP: listing actions, an operator's decision (recorded by the store
//! exactly once per idempotency key, then applied to the world) and the audit trail.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};

use super::{ApiResult, AppState, HttpError, authorize, now_ms, replicas};
use crate::action_store::Decided;
use crate::api::{
    Action, ActionQuery, ApiError, AuditPage, AuditQuery, DecisionRequest, DecisionResponse,
};
use crate::world::World;

/// Recent actions, newest first.
#[utoipa::path(get, path = "/api/v1/actions", params(ActionQuery), responses((status = 200, body = Vec<Action>)))]
pub(super) async fn actions(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ActionQuery>, QueryRejection>,
) -> ApiResult<Vec<Action>> {
    let who = authorize(&state, &headers)?;
    let Query(query) = query?;
    if query.state == Some(crate::api::ActionState::Unknown) {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "state must be one of pending, approved, executed, failed, rejected, vetoed, expired, \
             rollback_pending, rolled_back",
        ));
    }
    let mut actions = state.world().actions(query.state);
    actions.retain(|a| World::visible_to(&who, a));
    Ok(Json(actions))
}

/// Approve, reject, override or veto an action. Retrying with the same idempotency key is safe.
#[utoipa::path(post, path = "/api/v1/actions/{id}/decision", params(("id" = u64, Path, description = "action id")),
    request_body = DecisionRequest,
    responses((status = 200, body = DecisionResponse), (status = 403, body = ApiError), (status = 404, body = ApiError),
              (status = 409, body = ApiError, description = "stale version, already closed, expired, already approved by you or veto window closed; details.action is the action now"),
              (status = 422, body = ApiError)))]
pub(super) async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<u64>, PathRejection>,
    body: Result<Json<DecisionRequest>, JsonRejection>,
) -> ApiResult<DecisionResponse> {
    let who = authorize(&state, &headers)?;
    let Path(id) = id?;
    let Json(request) = body?;
    if !crate::api::validate::is_idempotency_key(&request.idempotency_key) {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_idempotency_key",
            "idempotency_key must be 1..=200 visible ASCII characters (no spaces), e.g. a UUID",
        ));
    }
    let now = now_ms();
    match state
        .store
        .decide(&state.world, id, &request, &who, now)
        .await
    {
        Ok(Decided::Replayed(response)) => {
            state.metrics.record_decision(request.decision, true);
            Ok(Json(response))
        }
        Ok(Decided::Applied { response, .. }) => {
            state.metrics.record_decision(request.decision, false);
            // The leader's simulator agents act on a decision at once (it stands recorded
            // whatever becomes of their report; one the store refused is made on a later tick).
            if state.store.leads() {
                let _ = crate::ticker::run_sim_agents(&state.store, &state.world, now).await;
            }
            Ok(Json(response))
        }
        Err(refused) => {
            let err = HttpError::from(refused.error);
            Err(match refused.current {
                // A conflict carries the action as stored now, so the console can show what
                // changed.
                Some(action) if err.status == StatusCode::CONFLICT => {
                    err.with_current_action(*action)
                }
                _ => err,
            })
        }
    }
}

/// The append-only audit trail, newest first.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditQuery), responses((status = 200, body = AuditPage)))]
pub(super) async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<AuditPage> {
    let who = authorize(&state, &headers)?;
    let Query(query) = query?;
    let before = match query.cursor.as_deref() {
        None => None,
        Some(c) => Some(
            Some(c)
                .filter(|c| crate::api::validate::is_digits(c, 19))
                .and_then(|c| c.parse::<u64>().ok())
                .ok_or_else(|| {
                    HttpError::new(
                        StatusCode::BAD_REQUEST,
                        "bad_cursor",
                        format!("cursor {c:?} is not one this API gave out"),
                    )
                })?,
        ),
    };
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            format!("limit must be between 1 and 500, got {limit}"),
        ));
    }
    let mut items = state
        .store
        .audit_page(before, limit)
        .await
        .map_err(replicas::unavailable)?;
    let world = state.world();
    // The cursor follows the whole trail, so filtering a page never ends the paging early.
    let next_cursor = (items.len() == limit as usize)
        .then(|| items.last().map(|e| e.id.to_string()))
        .flatten();
    items.retain(|e| world.audit_visible_to(&who, e));
    Ok(Json(AuditPage { items, next_cursor }))
}
