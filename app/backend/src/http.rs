//! HTTP face of the backend: the axum router of API v1, its OpenAPI document and the error body.
//!
//! Handlers translate between HTTP and `World` (reads) or the `ActionStore` (changes); they hold
//! the world lock only for the call and never panic on input: every refusal is an `ApiError` with the right status.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::watch;
use utoipa::OpenApi;

use crate::api::{
    API_PREFIX, Action, Agent, ApiError, Factory, FactoryDetail, FactoryPage, FactoryPoints,
    FactoryQuery, Health, LatencyGrid, MetroSummary, Progress, Snapshot,
};

mod actions;
mod events;
pub(crate) mod gateway;
mod hitl;
mod latency;
mod overview;
mod replicas;
mod sources;
mod spec;
use spec::CommonResponses;

use super::action_store::DecideError;
use super::auth::{Principal, TokenTable};
use super::world::World;

/// Shared state of all handlers.
#[derive(Clone)]
pub struct AppState {
    pub world: Arc<Mutex<World>>,
    pub tokens: Arc<TokenTable>,
    /// Bumped to end every open event stream (clients resume by themselves).
    pub kick_streams: Arc<watch::Sender<u64>>,
    /// Requests per token (see `guard`).
    pub rate_limit: super::guard::RateLimit,
    /// Counters behind `GET /metrics`.
    pub metrics: Arc<super::metrics::Metrics>,
    /// Where actions, decisions and the audit trail are recorded (SQLite, or PostgreSQL
    /// shared with other replicas); every change goes through it before the world applies it.
    pub store: super::action_store::ActionStore,
    /// Agents heard from through the gateway (REST or MCP).
    pub agents_seen: Arc<super::gateway::AgentsSeen>,
}

impl AppState {
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        // A poisoned lock means a handler panicked mid-change; the data is still the best we have.
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// An error as the API sends it.
pub struct HttpError {
    status: StatusCode,
    body: ApiError,
}

impl HttpError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError {
                code: code.into(),
                message: message.into(),
                details: None,
            },
        }
    }

    /// The body as the API sends it.
    pub fn body(&self) -> &ApiError {
        &self.body
    }

    pub(crate) fn with_details(mut self, details: serde_json::Value) -> Self {
        self.body.details = Some(details);
        self
    }

    /// Add the action as it is now under `details.action` (a refused decision carries it, so the
    /// console can show what changed), keeping any details already there.
    fn with_current_action(mut self, action: Action) -> Self {
        let mut details = self
            .body
            .details
            .take()
            .unwrap_or_else(|| serde_json::json!({}));
        if let Some(map) = details.as_object_mut() {
            map.insert(
                "action".into(),
                serde_json::to_value(action).unwrap_or_default(),
            );
        }
        self.with_details(details)
    }

    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", what)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<JsonRejection> for HttpError {
    fn from(r: JsonRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return super::guard::too_large();
        }
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_body", r.body_text())
    }
}

impl From<QueryRejection> for HttpError {
    fn from(r: QueryRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_query", r.body_text())
    }
}

impl From<PathRejection> for HttpError {
    fn from(r: PathRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_path", r.body_text())
    }
}

impl From<DecideError> for HttpError {
    fn from(e: DecideError) -> Self {
        use super::decisions::DecisionError as R;
        let message = e.to_string();
        match e {
            DecideError::NotFound(_) => Self::not_found(message),
            DecideError::KeyReused(_) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                message,
            ),
            DecideError::Store(err) => {
                // Disk full, read-only or gone: nothing was recorded, and the client may retry
                // with the same idempotency key once the store is writable again.
                tracing::error!("decision not recorded, store failed: {err}");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    format!(
                        "the backend cannot write its database ({err}); the decision was NOT \
                         recorded — retry with the same idempotency key"
                    ),
                )
            }
            DecideError::OutcomeUnknown(why) => {
                // PostgreSQL went quiet during COMMIT: recorded or not, nobody here can tell.
                tracing::error!("decision outcome unknown: {why}");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "outcome_unknown",
                    format!(
                        "the shared database did not confirm the commit ({why}); the decision \
                         may or may not be recorded — retry with the same idempotency key (safe: \
                         a recorded decision is replayed)"
                    ),
                )
            }
            DecideError::Rule(rule) => {
                let status = match rule {
                    R::Forbidden { .. } | R::IndustrialAction | R::OutOfScope { .. } => {
                        StatusCode::FORBIDDEN
                    }
                    R::MissingReason
                    | R::MissingParams
                    | R::NotVetoable
                    | R::ParamNotEditable(_)
                    | R::ParamOutOfBounds { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                    R::StaleVersion { .. }
                    | R::NotOpen(_)
                    | R::Expired
                    | R::AlreadyApproved(_)
                    | R::VetoWindowClosed => StatusCode::CONFLICT,
                };
                let err = Self::new(status, rule.code(), message);
                match rule {
                    R::StaleVersion { current, .. } => {
                        err.with_details(serde_json::json!({ "current_version": current }))
                    }
                    _ => err,
                }
            }
        }
    }
}

type ApiResult<T> = Result<Json<T>, HttpError>;

pub(crate) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<Principal, HttpError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let who = state.tokens.authenticate(header).ok_or_else(|| {
        HttpError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required (Authorization: Bearer <token>)",
        )
    })?;
    // A factory manager's scope is their plants' groups, which only the world knows.
    Ok(if who.factory_ids.is_empty() {
        who
    } else {
        state.world().scoped(who)
    })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tianshu API",
        version = "1",
        description = "Computing hubs, metro latency, factory upgrades and agent actions."
    ),
    modifiers(&CommonResponses),
    paths(
        health,
        openapi_json,
        snapshot,
        metros,
        metro_latency,
        latency::metro_what_if,
        latency::latency_summary,
        latency::latency_source,
        factories,
        factory_points,
        factories_csv,
        factory,
        factory_detail,
        progress,
        agents,
        actions::actions,
        gateway::propose,
        gateway::action,
        gateway::outcome,
        gateway::connected_agents,
        actions::decide,
        actions::audit,
        events::events,
        overview::history,
        overview::activity_past,
        hitl::me,
        sources::sources,
        sources::ingest,
        sources::ingest_stages_csv
    )
)]
pub struct ApiDoc;

/// Service health and position of the event stream.
#[utoipa::path(get, path = "/api/v1/health", responses((status = 200, body = Health)))]
async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(state.world().health())
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", responses((status = 200, description = "OpenAPI 3.1 document")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Everything a console needs for its first frame; resume `/events` after `seq`.
#[utoipa::path(get, path = "/api/v1/snapshot", responses((status = 200, body = Snapshot), (status = 401, body = ApiError)))]
async fn snapshot(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Snapshot> {
    let who = authorize(&state, &headers)?;
    let mut snapshot = state.world().snapshot(now_ms());
    snapshot.actions.retain(|a| World::visible_to(&who, a));
    Ok(Json(snapshot))
}

/// Metro areas with their 1 ms coverage: `coverage_1ms` is the population-weighted share of a
/// metro's ≈1 km cells whose RTT to the nearest computing access point is ≤ 1 ms. The national
/// roll-up and its threshold are at `/api/v1/latency/summary`.
#[utoipa::path(get, path = "/api/v1/metros", responses((status = 200, body = Vec<MetroSummary>)))]
async fn metros(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Vec<MetroSummary>> {
    authorize(&state, &headers)?;
    Ok(Json(state.world().metro_summaries()))
}

/// The ≈1 km latency grid of one metro.
#[utoipa::path(get, path = "/api/v1/metros/{id}/latency", params(("id" = String, Path, description = "metro id")),
    responses((status = 200, body = LatencyGrid), (status = 404, body = ApiError)))]
async fn metro_latency(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<LatencyGrid> {
    authorize(&state, &headers)?;
    let Path(id) = id?;
    state
        .world()
        .metro_grid(&id)
        .map(Json)
        .ok_or_else(|| HttpError::not_found(format!("no metro {id}")))
}

/// Enterprises on the upgrade programme, filtered and paged.
#[utoipa::path(get, path = "/api/v1/factories", params(FactoryQuery),
    responses((status = 200, body = FactoryPage), (status = 400, body = ApiError), (status = 422, body = ApiError)))]
async fn factories(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FactoryQuery>, QueryRejection>,
) -> ApiResult<FactoryPage> {
    authorize(&state, &headers)?;
    let Query(query) = query?;
    let world = state.world();
    world
        .sim
        .query_factories(&query)
        .map(|mut page| {
            for f in &mut page.items {
                f.origins = world.telemetry.factory_origins(f.id);
            }
            Json(page)
        })
        .map_err(|e| {
            HttpError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_filter",
                e.to_string(),
            )
        })
}

fn bad_filter(e: crate::sim::QueryError) -> HttpError {
    HttpError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_filter",
        e.to_string(),
    )
}

/// Every enterprise matching the filters as compact parallel arrays (for maps and counts;
/// `cursor` and `limit` are ignored).
#[utoipa::path(get, path = "/api/v1/factories/points", params(FactoryQuery),
    responses((status = 200, body = FactoryPoints), (status = 400, body = ApiError), (status = 422, body = ApiError)))]
async fn factory_points(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FactoryQuery>, QueryRejection>,
) -> ApiResult<FactoryPoints> {
    authorize(&state, &headers)?;
    let Query(query) = query?;
    let world = state.world();
    let mut points = world.sim.factory_points(&query).map_err(bad_filter)?;
    world.mark_measured_points(&mut points);
    Ok(Json(points))
}

/// Every enterprise matching the filters as CSV (UTF-8, header row first; `cursor` and `limit`
/// are ignored).
#[utoipa::path(get, path = "/api/v1/factories.csv", params(FactoryQuery),
    responses((status = 200, description = "text/csv", content_type = "text/csv"), (status = 400, body = ApiError), (status = 422, body = ApiError)))]
async fn factories_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FactoryQuery>, QueryRejection>,
) -> Result<Response, HttpError> {
    authorize(&state, &headers)?;
    let Query(query) = query?;
    let body = state
        .world()
        .sim
        .factories_csv(&query)
        .map_err(bad_filter)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"factories.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// One enterprise with its upgrade checklist and recent KPI history.
#[utoipa::path(get, path = "/api/v1/factories/{id}/detail", params(("id" = u32, Path, description = "factory id")),
    responses((status = 200, body = FactoryDetail), (status = 404, body = ApiError)))]
async fn factory_detail(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<u32>, PathRejection>,
) -> ApiResult<FactoryDetail> {
    authorize(&state, &headers)?;
    let Path(id) = id?;
    let world = state.world();
    world
        .sim
        .factory_detail(id)
        .map(|mut d| {
            d.factory.origins = world.telemetry.factory_origins(id);
            Json(d)
        })
        .ok_or_else(|| HttpError::not_found(format!("no factory {id}")))
}

/// One enterprise.
#[utoipa::path(get, path = "/api/v1/factories/{id}", params(("id" = u32, Path, description = "factory id")),
    responses((status = 200, body = Factory), (status = 404, body = ApiError)))]
async fn factory(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<u32>, PathRejection>,
) -> ApiResult<Factory> {
    authorize(&state, &headers)?;
    let Path(id) = id?;
    let world = state.world();
    world
        .sim
        .factory(id)
        .cloned()
        .map(|mut f| {
            f.origins = world.telemetry.factory_origins(id);
            Json(f)
        })
        .ok_or_else(|| HttpError::not_found(format!("no factory {id}")))
}

/// Plan targets with their history.
#[utoipa::path(get, path = "/api/v1/progress", responses((status = 200, body = Progress)))]
async fn progress(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Progress> {
    authorize(&state, &headers)?;
    Ok(Json(state.world().sim.progress()))
}

/// Autonomous network and industrial agents.
#[utoipa::path(get, path = "/api/v1/agents", responses((status = 200, body = Vec<Agent>)))]
async fn agents(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Vec<Agent>> {
    authorize(&state, &headers)?;
    Ok(Json(state.world().sim.agents().to_vec()))
}

/// Prometheus metrics (text format 0.0.4); needs a token like the API when a users file is set.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, HttpError> {
    authorize(&state, &headers)?;
    let gauges = {
        let world = state.world();
        super::metrics::WorldGauges {
            last_event_id: world.health().seq,
            pending_actions: world.actions(Some(crate::api::ActionState::Pending)).len(),
        }
    };
    let mut body = state.metrics.render(gauges);
    body.push_str(&crate::sources::metrics_text(
        &state.world().sources_report().sources,
        now_ms(),
    ));
    if let Some(measured) = &state.world().measured {
        body.push_str(&measured.metrics_text(now_ms()));
    }
    if let Some(shared) = state.store.shared() {
        body.push_str(&replicas::metrics_text(shared));
    }
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            super::metrics::CONTENT_TYPE,
        )],
        body,
    )
        .into_response())
}

async fn method_not_allowed() -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method; see /api/v1/openapi.json",
    )
}

async fn not_found() -> HttpError {
    HttpError::not_found("no such endpoint; see /api/v1/openapi.json")
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi_json))
        .route("/snapshot", get(snapshot))
        .route("/metros", get(metros))
        .route("/metros/{id}/latency", get(metro_latency))
        .route("/metros/{id}/whatif", post(latency::metro_what_if))
        .route("/latency/summary", get(latency::latency_summary))
        .route("/latency/source", get(latency::latency_source))
        .route("/factories", get(factories))
        .route("/factories/points", get(factory_points))
        .route("/factories.csv", get(factories_csv))
        .route("/factories/{id}", get(factory))
        .route("/factories/{id}/detail", get(factory_detail))
        .route("/progress", get(progress))
        .route("/agents", get(agents))
        .route("/actions", get(actions::actions).post(gateway::propose))
        .route("/actions/{id}", get(gateway::action))
        .route("/actions/{id}/outcome", post(gateway::outcome))
        .route("/gateway/agents", get(gateway::connected_agents))
        .route("/actions/{id}/decision", post(actions::decide))
        .route("/audit", get(actions::audit))
        .route("/history", get(overview::history))
        .route("/agents/activity-past", get(overview::activity_past))
        .route("/events", get(events::events))
        .route("/me", get(hitl::me))
        .route("/sources", get(sources::sources))
        .route(
            "/ingest",
            post(sources::ingest).layer(axum::extract::DefaultBodyLimit::max(
                crate::guard::MAX_INGEST_BODY_BYTES,
            )),
        )
        .route(
            "/ingest/stages.csv",
            post(sources::ingest_stages_csv).layer(axum::extract::DefaultBodyLimit::max(
                crate::guard::MAX_INGEST_BODY_BYTES,
            )),
        );
    let rate_limit = state.rate_limit;
    let counters = state.metrics.clone();
    let router = Router::new()
        .nest(API_PREFIX, api)
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone())
        .merge(super::mcp::router(state));
    // Outermost, so refusals of the guard (429, 413, 414) are counted too.
    super::guard::harden(router, rate_limit).layer(axum::middleware::from_fn_with_state(
        counters,
        super::metrics::count_requests,
    ))
}
