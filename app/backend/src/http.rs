//! HTTP face of the backend: the axum router of API v1, its OpenAPI document and the error body.
//!
//! Handlers translate between HTTP and `World`; they hold the world lock only for the call and
//! never panic on input: every refusal is an `ApiError` with the right status.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::{self, Stream, StreamExt as _};
use tokio::sync::{broadcast, watch};
use utoipa::OpenApi;

use crate::api::{
    API_PREFIX, Action, ActionQuery, Agent, ApiError, AuditPage, AuditQuery, DecisionRequest,
    DecisionResponse, Event, EventKind, Factory, FactoryDetail, FactoryPage, FactoryPoints,
    FactoryQuery, Health, LatencyGrid, MetroSummary, Progress, Snapshot,
};

pub(crate) mod gateway;
mod hitl;
mod latency;
mod overview;
mod replicas;
mod spec;
use spec::CommonResponses;

use super::auth::{Principal, TokenTable};
use super::world::{DecideError, World};

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
    /// The PostgreSQL store shared with other replicas (`--db postgres://…`); decisions and
    /// audit reads go through it. `None`: the world's own SQLite store.
    pub shared: Option<Arc<super::pg::Shared>>,
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

    fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {err}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the backend could not complete the request; it has been logged",
        )
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
        actions,
        gateway::propose,
        gateway::action,
        gateway::outcome,
        gateway::connected_agents,
        decide,
        audit,
        events,
        overview::history,
        hitl::me
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
    state
        .world()
        .sim
        .query_factories(&query)
        .map(Json)
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
    let points = state
        .world()
        .sim
        .factory_points(&query)
        .map_err(bad_filter)?;
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
    state
        .world()
        .sim
        .factory_detail(id)
        .map(Json)
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
    state
        .world()
        .sim
        .factory(id)
        .cloned()
        .map(Json)
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

/// Recent actions, newest first.
#[utoipa::path(get, path = "/api/v1/actions", params(ActionQuery), responses((status = 200, body = Vec<Action>)))]
async fn actions(
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
async fn decide(
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
            use super::decisions::DecisionError as R;
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
async fn audit(
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

/// Server-Sent Events; each `id` is an event id. Reconnect with `Last-Event-ID` (or
/// `?last_event_id=`) to get exactly the events missed; a `resync` event means fetch a snapshot.
#[utoipa::path(get, path = "/api/v1/events", params(("Last-Event-ID" = Option<u64>, Header, description = "last event applied")),
    responses((status = 200, description = "text/event-stream of Event", body = Event)))]
async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ResumeQuery>, QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, HttpError> {
    let who = authorize(&state, &headers)?;
    let Query(query) = query?;
    let header = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let after = match header.map(str::to_owned).or(query.last_event_id) {
        None => None,
        Some(text) => Some(text.trim().parse::<u64>().map_err(|_| {
            HttpError::new(
                StatusCode::BAD_REQUEST,
                "bad_last_event_id",
                format!("Last-Event-ID {text:?} is not an event id"),
            )
        })?),
    };
    let subscription = state.world().subscribe(after, now_ms());
    let kicked = state.kick_streams.subscribe();
    let counted = state.metrics.stream_opened();
    let last_sent = subscription
        .backlog
        .last()
        .map_or(after.unwrap_or(0), |e| e.id);
    let scoped = matches!(
        who.role,
        crate::api::Role::FactoryManager | crate::api::Role::Agent
    );
    let backlog: Vec<Event> = subscription
        .backlog
        .into_iter()
        .filter(|e| !scoped || event_visible_to(&who, e))
        .collect();
    let backlog = stream::iter(backlog.into_iter().map(to_sse));
    let live = stream::unfold(
        LiveStream {
            rx: subscription.live,
            kicked,
            last_sent,
            done: false,
            _counted: counted,
            scope: scoped.then_some(who),
        },
        next_live,
    );
    Ok(Sse::new(backlog.chain(live)).keep_alive(KeepAlive::new().interval(Duration::from_secs(2))))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
struct ResumeQuery {
    last_event_id: Option<String>,
}

struct LiveStream {
    rx: broadcast::Receiver<Event>,
    kicked: watch::Receiver<u64>,
    last_sent: u64,
    done: bool,
    /// Keeps this stream in the `tianshu_event_stream_clients` gauge while it lives.
    _counted: super::metrics::StreamGuard,
    /// A factory manager sees only their factories' actions on the stream too.
    scope: Option<Principal>,
}

/// Whether a scoped caller (a factory manager) may see this event: actions only when they are
/// theirs; audit entries never on the stream (they read their own through `/audit`). Skipped ids
/// are harmless: clients resume after the last id they applied.
fn event_visible_to(who: &Principal, event: &Event) -> bool {
    match &event.kind {
        EventKind::ActionProposed { action } | EventKind::ActionUpdated { action } => {
            World::visible_to(who, action)
        }
        EventKind::Audit { .. } => false,
        _ => true,
    }
}

async fn next_live(mut s: LiveStream) -> Option<(Result<SseEvent, Infallible>, LiveStream)> {
    if s.done {
        return None;
    }
    loop {
        tokio::select! {
            changed = s.kicked.changed() => {
                let _ = changed;
                return None;
            }
            received = s.rx.recv() => match received {
                Ok(event) if event.id <= s.last_sent => continue,
                Ok(event) if s.scope.as_ref().is_some_and(|who| !event_visible_to(who, &event)) => {
                    s.last_sent = event.id;
                    continue;
                }
                Ok(event) => {
                    s.last_sent = event.id;
                    return Some((to_sse(event), s));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // This client fell too far behind the live stream: make it start over.
                    s.done = true;
                    let resync = Event { id: s.last_sent, server_time: now_ms(), kind: EventKind::Resync };
                    return Some((to_sse(resync), s));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

fn to_sse(event: Event) -> Result<SseEvent, Infallible> {
    let data = serde_json::to_string(&event).unwrap_or_else(|_| "{}".into());
    Ok(SseEvent::default().id(event.id.to_string()).data(data))
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
    if let Some(measured) = &state.world().measured {
        body.push_str(&measured.metrics_text(now_ms()));
    }
    if let Some(shared) = &state.shared {
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
        .route("/actions", get(actions).post(gateway::propose))
        .route("/actions/{id}", get(gateway::action))
        .route("/actions/{id}/outcome", post(gateway::outcome))
        .route("/gateway/agents", get(gateway::connected_agents))
        .route("/actions/{id}/decision", post(decide))
        .route("/audit", get(audit))
        .route("/history", get(overview::history))
        .route("/events", get(events))
        .route("/me", get(hitl::me));
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
