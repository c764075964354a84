//! HTTP face of metro 1 ms access: the national roll-up and what-if planning. What-ifs are
//! computed on a copy under the world lock and never change the live world.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};

use crate::api::{ApiError, LatencyFeed, LatencySummary, WhatIfRequest, WhatIfResponse};
use crate::sim::WhatIfError;

use super::{ApiResult, AppState, HttpError, authorize};

/// National metro 1 ms access. A cell is covered when its RTT to the nearest computing access
/// point is ≤ `covered_rtt_ms`; a metro's coverage is the population-weighted share of covered
/// cells; a metro has 1 ms access when its coverage reaches `coverage_threshold`; the national
/// figure `metro_share` is the share of metros with 1 ms access (target `target_share` by the
/// end of `target_year`), with the population-weighted `population_share` beside it. Includes a
/// bounded daily history, a linear projection to the deadline and each metro's 30-day change.
#[utoipa::path(get, path = "/api/v1/latency/summary",
    responses((status = 200, body = LatencySummary), (status = 401, body = ApiError)))]
pub(super) async fn latency_summary(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<LatencySummary> {
    authorize(&state, &headers)?;
    Ok(Json(state.world().metro_latency_summary()))
}

/// Where metro latency comes from: the simulator's model, or probes read from a Prometheus
/// server (`tianshu serve --latency-source prometheus`), with the query, the time of the last
/// successful read, `stale_since` while Prometheus cannot be read (the last good figures are
/// kept), the series skipped by reason and the metros without measurements.
#[utoipa::path(get, path = "/api/v1/latency/source",
    responses((status = 200, body = LatencyFeed), (status = 401, body = ApiError)))]
pub(super) async fn latency_source(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<LatencyFeed> {
    authorize(&state, &headers)?;
    Ok(Json(state.world().latency_feed()))
}

/// What-if planning: the metro's coverage and median RTT with hypothetical edge sites added (`add`,
/// points inside its grid, at most 20) and existing ones removed (`remove`, indices into
/// `LatencyGrid.access_points`), beside the live figures. Nothing changes in the live world: no
/// event is published and later reads return the live metro.
#[utoipa::path(post, path = "/api/v1/metros/{id}/whatif", params(("id" = String, Path, description = "metro id")),
    request_body = WhatIfRequest,
    responses((status = 200, body = WhatIfResponse), (status = 404, body = ApiError), (status = 409, body = ApiError, description = "latency is measured (Prometheus source): no site model"), (status = 422, body = ApiError)))]
pub(super) async fn metro_what_if(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<WhatIfRequest>, JsonRejection>,
) -> ApiResult<WhatIfResponse> {
    authorize(&state, &headers)?;
    let Path(id) = id?;
    let Json(request) = body?;
    let world = state.world();
    if world.measured.is_some() {
        return Err(HttpError::new(
            StatusCode::CONFLICT,
            "measured_latency",
            "what-if planning needs the simulator's model of edge sites; this backend serves \
             measured latency from Prometheus, which knows probes, not sites",
        ));
    }
    let answer = world.sim.what_if(&id, &request);
    drop(world);
    answer.map(Json).map_err(|e| match e {
        WhatIfError::UnknownMetro(_) => HttpError::not_found(e.to_string()),
        WhatIfError::TooManySites(_) => HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_sites",
            e.to_string(),
        ),
        WhatIfError::OutsideGrid(_) => HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_grid",
            e.to_string(),
        ),
        WhatIfError::NoSuchSite { .. } => HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_such_site",
            e.to_string(),
        ),
    })
}
