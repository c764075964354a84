//! HTTP face of the overview's replay: the backbone's load over the last simulated day.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};

use crate::api::{ApiError, HistoryQuery, LoadHistory};

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
