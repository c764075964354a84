//! The agent gateway over REST: propose, wait for a decision, report the outcome.
//!
//! Handlers only translate: the store records (exactly once per idempotency key), the world
//! applies what it committed, and the rules are `tianshu_api::gateway_rules`. See the module docs of `tianshu_api::gateway` for the
//! sequence.

use std::time::Duration;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast;

use super::{AppState, HttpError, authorize, now_ms};
use crate::action_store::{AgentWrite, AgentWritten};
use crate::api::gateway_rules;
use crate::api::{
    Action, ApiError, ConnectedAgent, EventKind, GatewayResponse, MAX_WAIT_S, OutcomeRequest,
    Principal, ProposalRequest, Protocol, WaitQuery,
};
use crate::gateway::{GatewayFailure, MAX_OPEN_AGENT_ACTIONS};
use crate::world::World;

impl From<GatewayFailure> for HttpError {
    fn from(e: GatewayFailure) -> Self {
        let message = e.to_string();
        match e {
            GatewayFailure::Rule(rule) => {
                let status =
                    StatusCode::from_u16(rule.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                let err = HttpError::new(status, rule.code(), message);
                match rule {
                    crate::api::gateway_rules::GatewayError::Invalid { field, .. } => {
                        err.with_details(serde_json::json!({ "field": field }))
                    }
                    _ => err,
                }
            }
            GatewayFailure::NotFound(_) => HttpError::not_found(message),
            GatewayFailure::KeyReused(_) => HttpError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                message,
            ),
            GatewayFailure::Full(_) => HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_open_actions",
                message,
            ),
            GatewayFailure::Store(err) => {
                tracing::error!("agent request not recorded, store failed: {err}");
                HttpError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    format!(
                        "the backend cannot write its database ({err}); nothing was recorded — \
                         retry with the same idempotency key"
                    ),
                )
            }
        }
    }
}

/// Proposes an action (role `agent`). The backend's policy (autonomy × risk × mode) decides
/// what it needs: one approval, four eyes, or — low risk at L4+ asking `act_now` — it is
/// `approved` at once and vetoable until `veto_until`. Retrying with the same idempotency key
/// returns the same action (`replayed: true`); the same key with another body is 422.
#[utoipa::path(post, path = "/api/v1/actions", request_body = ProposalRequest,
    security(("bearer" = [])),
    responses((status = 201, body = GatewayResponse, description = "proposed"),
              (status = 200, body = GatewayResponse, description = "a retry: the action as it is now"),
              (status = 401, body = ApiError), (status = 403, body = ApiError, description = "not an agent, or outside its scope"),
              (status = 413, body = ApiError), (status = 422, body = ApiError, description = "invalid proposal, unknown target or reused key"),
              (status = 429, body = ApiError)))]
pub(super) async fn propose(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<ProposalRequest>, JsonRejection>,
) -> Result<Response, HttpError> {
    let who = authorize(&state, &headers)?;
    let Json(request) = body?;
    note_agent(&state, &who, Protocol::Rest);
    let (response, created) = propose_as(&state, &who, &request, Protocol::Rest).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(response)).into_response())
}

/// The one path of every proposal (REST, MCP): checked and drafted against the world, recorded
/// exactly once by the store (no world lock held), then applied to the world; other replicas of
/// a shared store apply it from its notification.
pub async fn propose_as(
    state: &AppState,
    who: &Principal,
    request: &ProposalRequest,
    protocol: Protocol,
) -> Result<(GatewayResponse, bool), HttpError> {
    let result = record_proposal(state, who, request, protocol).await;
    match &result {
        Ok((_, true)) => state.metrics.record_agent_request("propose", "accepted"),
        Ok((_, false)) => state.metrics.record_agent_request("propose", "replayed"),
        Err(e) => state
            .metrics
            .record_agent_request("propose", failure_label(e)),
    }
    if matches!(result, Ok((_, true))) && state.store.leads() {
        // An action that may run at once does, if it is one of the leader's simulator agents'.
        let _ = crate::ticker::run_sim_agents(&state.store, &state.world, now_ms()).await;
    }
    Ok(result?)
}

async fn record_proposal(
    state: &AppState,
    who: &Principal,
    request: &ProposalRequest,
    protocol: Protocol,
) -> Result<(GatewayResponse, bool), GatewayFailure> {
    let grant = gateway_rules::agent_of(who)?;
    gateway_rules::check_key(&request.idempotency_key)?;
    let body = serde_json::to_value(request).map_err(crate::store::StoreError::from)?;
    let now = now_ms();
    let key = &request.idempotency_key;
    // A retry must be answered from the record even if the world changed since.
    if let Some(found) = state
        .store
        .agent_lookup(&state.world, &grant.agent_id, key, &body)
        .await?
    {
        return answer(found, key).map(|r| (r, false));
    }
    let draft = {
        let world = state.world();
        let draft = world.draft_proposal(request, who, protocol, now)?;
        let open = world.open_agent_actions();
        if open >= MAX_OPEN_AGENT_ACTIONS {
            return Err(GatewayFailure::Full(open));
        }
        draft
    };
    let written = state
        .store
        .agent_write(
            &state.world,
            &grant.agent_id,
            key,
            &body,
            AgentWrite::Propose(Box::new(draft)),
            now,
        )
        .await?;
    let created = matches!(written, AgentWritten::Applied(..));
    answer(written, key).map(|r| (r, created))
}

async fn record_report(
    state: &AppState,
    who: &Principal,
    id: u64,
    request: &OutcomeRequest,
) -> Result<GatewayResponse, GatewayFailure> {
    let grant = gateway_rules::agent_of(who)?;
    gateway_rules::check_key(&request.idempotency_key)?;
    let body = serde_json::to_value(request).map_err(crate::store::StoreError::from)?;
    let written = state
        .store
        .agent_write(
            &state.world,
            &grant.agent_id,
            &request.idempotency_key,
            &body,
            AgentWrite::Report {
                action_id: id,
                request,
                who,
            },
            now_ms(),
        )
        .await?;
    answer(written, &request.idempotency_key)
}

/// The answer to an agent: what the store recorded now, or the action as it is for a retry.
fn answer(written: AgentWritten, key: &str) -> Result<GatewayResponse, GatewayFailure> {
    match written {
        AgentWritten::Applied(action, _) => Ok(GatewayResponse {
            action,
            replayed: false,
        }),
        AgentWritten::Replayed(action) => Ok(GatewayResponse {
            action,
            replayed: true,
        }),
        AgentWritten::KeyReused => Err(GatewayFailure::KeyReused(key.to_owned())),
        AgentWritten::NotFound(id) => Err(GatewayFailure::NotFound(id)),
        AgentWritten::Refused(rule) => Err(rule.into()),
        AgentWritten::Full(open) => Err(GatewayFailure::Full(open)),
    }
}

fn failure_label(e: &GatewayFailure) -> &'static str {
    match e {
        GatewayFailure::Rule(r) => r.code(),
        GatewayFailure::NotFound(_) => "not_found",
        GatewayFailure::KeyReused(_) => "idempotency_key_reused",
        GatewayFailure::Full(_) => "too_many_open_actions",
        GatewayFailure::Store(_) => "store_unavailable",
    }
}

/// Reports what became of an approved action (the proposing agent only): `executing`,
/// `executed` (with the measured effect), `failed`, or `rolled_back` after a veto.
#[utoipa::path(post, path = "/api/v1/actions/{id}/outcome", params(("id" = u64, Path, description = "action id")),
    request_body = OutcomeRequest, security(("bearer" = [])),
    responses((status = 200, body = GatewayResponse), (status = 401, body = ApiError),
              (status = 403, body = ApiError, description = "not an agent, or not the proposing agent"),
              (status = 404, body = ApiError), (status = 409, body = ApiError, description = "not allowed in the action's state"),
              (status = 422, body = ApiError)))]
pub(super) async fn outcome(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<u64>, PathRejection>,
    body: Result<Json<OutcomeRequest>, JsonRejection>,
) -> Result<Json<GatewayResponse>, HttpError> {
    let who = authorize(&state, &headers)?;
    let Path(id) = id?;
    let Json(request) = body?;
    note_agent(&state, &who, Protocol::Rest);
    report_as(&state, &who, id, &request).await.map(Json)
}

/// The one path of every outcome report (REST, MCP).
pub async fn report_as(
    state: &AppState,
    who: &Principal,
    id: u64,
    request: &OutcomeRequest,
) -> Result<GatewayResponse, HttpError> {
    let result = record_report(state, who, id, request).await;
    match &result {
        Ok(r) if r.replayed => state.metrics.record_agent_request("outcome", "replayed"),
        Ok(_) => state.metrics.record_agent_request("outcome", "accepted"),
        Err(e) => state
            .metrics
            .record_agent_request("outcome", failure_label(e)),
    }
    Ok(result?)
}

/// One action. With `wait=S` the request is held (≤ 60 s) until the action's version differs
/// from `version` (or, without it, until it changes), then returns it — the agent's long poll.
#[utoipa::path(get, path = "/api/v1/actions/{id}", params(("id" = u64, Path, description = "action id"), WaitQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Action), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn action(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<u64>, PathRejection>,
    query: Result<Query<WaitQuery>, QueryRejection>,
) -> Result<Json<Action>, HttpError> {
    let who = authorize(&state, &headers)?;
    let Path(id) = id?;
    let Query(query) = query?;
    if query.wait.is_some_and(|w| w > MAX_WAIT_S) {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            format!("wait is at most {MAX_WAIT_S} seconds"),
        ));
    }
    note_agent(&state, &who, Protocol::Rest);
    wait_for_action(&state, &who, id, query.wait.unwrap_or(0), query.version)
        .await
        .map(Json)
}

/// The action as it is now, or as soon as it moves past `version` within `wait_s`.
pub async fn wait_for_action(
    state: &AppState,
    who: &Principal,
    id: u64,
    wait_s: u64,
    version: Option<u64>,
) -> Result<Action, HttpError> {
    if state.world().action_version(id).is_none() {
        // Proposed through another replica a moment ago: read it rather than answer 404.
        state.store.catch_up(&state.world, id).await;
    }
    let (current, mut live) = {
        let world = state.world();
        let current = world.action(id).filter(|a| World::visible_to(who, a));
        let live = world.subscribe(Some(world.last_event_id()), now_ms()).live;
        (current, live)
    };
    let current = current.ok_or_else(|| HttpError::not_found(format!("no action {id}")))?;
    let seen = version.unwrap_or(current.version);
    if current.version != seen || wait_s == 0 {
        return Ok(current);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait_s);
    loop {
        match tokio::time::timeout_at(deadline, live.recv()).await {
            Err(_) => break,
            Ok(Ok(event)) => match event.kind {
                EventKind::ActionUpdated { action } | EventKind::ActionProposed { action }
                    if action.id == id && action.version != seen =>
                {
                    return Ok(action);
                }
                _ => {}
            },
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                // Missed events: look the action up again.
                if let Some(a) = state.world().action(id)
                    && a.version != seen
                {
                    return Ok(a);
                }
            }
            Ok(Err(broadcast::error::RecvError::Closed)) => break,
        }
    }
    state
        .world()
        .action(id)
        .ok_or_else(|| HttpError::not_found(format!("no action {id}")))
}

/// Remembers that an agent called, and over what (REST here, MCP in `mcp`).
pub fn note_agent(state: &AppState, who: &Principal, protocol: Protocol) {
    if let Some(grant) = &who.agent {
        state.agents_seen.note(&grant.agent_id, protocol, now_ms());
    }
}

/// The agents of the users file (role `agent`) with their scope and when each was last heard
/// from.
#[utoipa::path(get, path = "/api/v1/gateway/agents", security(("bearer" = [])),
    responses((status = 200, body = Vec<ConnectedAgent>), (status = 401, body = ApiError)))]
pub(super) async fn connected_agents(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<ConnectedAgent>>, HttpError> {
    authorize(&state, &headers)?;
    Ok(Json(state.agents_seen.list(&state.tokens.agents())))
}
