//! HTTP face of the histories the console starts with: the backbone's load over the last
//! simulated day (the overview's replay and trends) and the agents' activity before the start.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};

use crate::api::{ActivityPast, ApiError, HistoryQuery, LoadHistory};

use super::{ApiResult, AppState, HttpError, authorize};

/// Cluster and link figures between `from` and `to` (simulated time, ms since the epoch; default
/// the last 24 simulated hours), oldest first. The backend keeps one frame per 5 simulated
/// minutes for 24 simulated hours; `kept_from` says where its memory begins.
#[utoipa::path(get, path = "/api/v1/history", params(HistoryQuery),
    responses((status = 200, body = LoadHistory), (status = 400, body = ApiError),
              (status = 401, body = ApiError), (status = 422, body = ApiError)))]
pub(super) async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> ApiResult<LoadHistory> {
    authorize(&state, &headers)?;
    let Query(query) = query?;
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_range",
            format!("from ({from}) is after to ({to}); give from <= to in ms since the epoch"),
        ));
    }
    Ok(Json(state.world().load_history(query.from, query.to)))
}

/// The agents' activity before this backend began recording it: the simulator's modelled past
/// (`modelled: true`, simulated like its other backfilled histories), or none — the record then
/// starts at `starts_at`. For the agents' timeline on first start.
#[utoipa::path(get, path = "/api/v1/agents/activity-past",
    responses((status = 200, body = ActivityPast), (status = 401, body = ApiError)))]
pub(super) async fn activity_past(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<ActivityPast> {
    authorize(&state, &headers)?;
    Ok(Json(state.world().activity_past.clone()))
}
