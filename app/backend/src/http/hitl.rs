//! HTTP face of human-in-the-loop control: who is signed in (`GET /me`).
//!
//! Decisions themselves stay in the parent module's `decide` handler; the rules are in
//! `backend::decisions`.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;

use crate::api::{ApiError, Me};

use super::{ApiResult, AppState, authorize};

/// Who the bearer token belongs to: name, role and (for factory managers) the factories and
/// factory groups whose actions they see and decide.
#[utoipa::path(get, path = "/api/v1/me",
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
pub(super) async fn me(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Me> {
    let who = authorize(&state, &headers)?;
    let open = state.tokens.is_open();
    Ok(Json(state.world().me(&who, open)))
}
