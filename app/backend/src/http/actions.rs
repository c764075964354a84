//! The action queue over HTTP: listing actions, an operator's decision (exactly once per
//! idempotency key; on a replica through the shared store) and the audit trail.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};

use super::{ApiResult, AppState, HttpError, authorize, now_ms, replicas};
use crate::api::{
    Action, ActionQuery, ApiError, AuditPage, AuditQuery, DecisionRequest, DecisionResponse,
};
use crate::world::{DecideError, World};

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
    if let Some(shared) = state.shared.clone() {
        return replicas::decide(&state, &shared, id, request, who).await;
    }
    let mut world = state.world();
    match world.decide(id, &request, &who, now_ms()) {
        Ok(response) => {
            state
                .metrics
                .record_decision(request.decision, response.replayed);
            Ok(Json(response))
        }
        Err(e) => {
            use crate::decisions::DecisionError as R;
            // A conflict carries the action as it is now, so the console can show what changed.
            let current = match &e {
                DecideError::Rule(
                    R::StaleVersion { .. }
                    | R::NotOpen(_)
                    | R::Expired
                    | R::AlreadyApproved(_)
                    | R::VetoWindowClosed,
                ) => world.action(id),
                _ => None,
            };
            drop(world);
            let err = HttpError::from(e);
            Err(match current {
                Some(action) => err.with_current_action(action),
                None => err,
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
    let shared_items = match &state.shared {
        Some(shared) => Some(
            shared
                .audit_page(before, limit)
                .await
                .map_err(replicas::unavailable)?,
        ),
        None => None,
    };
    let world = state.world();
    let mut items = match shared_items {
        Some(items) => items,
        None => world
            .audit_page(before, limit)
            .map_err(HttpError::internal)?,
    };
    // The cursor follows the whole trail, so filtering a page never ends the paging early.
    let next_cursor = (items.len() == limit as usize)
        .then(|| items.last().map(|e| e.id.to_string()))
        .flatten();
    items.retain(|e| world.audit_visible_to(&who, e));
    Ok(Json(AuditPage { items, next_cursor }))
}
