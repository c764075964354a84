//! The agent gateway as a Model Context Protocol server (streamable HTTP at `/mcp`, official Rust
//! SDK `rmcp`, stateless: every call carries its bearer token).
//!
//! The tools are the REST gateway's own paths (`http::gateway::propose_as`, `report_as`,
//! `wait_for_action`): same rules, same idempotency records, same audit. Refusals come back as
//! tool errors holding the API's `{code, message, details?}` so a model can read and correct them.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use serde::Deserialize;

use crate::api::{
    Action, MAX_WAIT_S, OutcomeRequest, OutcomeStatus, Principal, ProposalRequest, Protocol,
};
use crate::http::{AppState, HttpError, gateway};

/// Arguments of `wait_for_decision`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct WaitArgs {
    /// The action's id, from propose_action's answer.
    pub action_id: u64,
    /// The version you last saw (from the previous answer); the call returns as soon as the
    /// action moves past it.
    pub version: Option<u64>,
    /// Seconds to hold the call while nothing changes, 0..=60 (default 30). Call again while the
    /// state is still `pending`.
    pub wait_seconds: Option<u64>,
}

/// Arguments of `report_outcome`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ReportArgs {
    /// The action's id.
    pub action_id: u64,
    /// Unique per report (a UUID); a retry of the same report must reuse it.
    pub idempotency_key: String,
    /// `executing` (started), `executed` (done), `failed` (could not be done), `rolled_back`
    /// (undone after a veto: only while the action is `rollback_pending`).
    pub status: OutcomeStatus,
    /// What happened, in a sentence or two.
    #[serde(default)]
    pub details: String,
    /// The measured effect, name → number, in the shape of the action's params.
    #[serde(default)]
    pub measured: Option<serde_json::Value>,
    /// Measured effects in the prediction's shape (metric, before, after, unit).
    #[serde(default)]
    pub effects: Vec<crate::api::Effect>,
}

/// Arguments of `metro_latency`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct MetroArgs {
    /// A metro id from `network_state` (omit for every metro's summary).
    pub metro_id: Option<String>,
}

/// Arguments of `factory_kpis`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct FactoryArgs {
    /// A factory id such as `F00042` (or the number alone).
    pub factory_id: String,
}

/// The MCP face of one backend.
#[derive(Clone)]
pub struct TianshuMcp {
    app: AppState,
    tool_router: ToolRouter<Self>,
}

fn principal(ctx: &RequestContext<RoleServer>) -> Result<Principal, ErrorData> {
    ctx.extensions
        .get::<Parts>()
        .and_then(|p| p.extensions.get::<Principal>())
        .cloned()
        .ok_or_else(|| ErrorData::invalid_request("unauthenticated", None))
}

fn json_result(value: &impl serde::Serialize) -> CallToolResult {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    CallToolResult::success(vec![ContentBlock::text(text)])
}

fn api_error(err: HttpError) -> CallToolResult {
    let text = serde_json::to_string(err.body()).unwrap_or_else(|_| "{}".into());
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// What the agent should do next, said in one line beside the action.
fn next_step(action: &Action) -> String {
    use crate::api::ActionState as S;
    match action.state {
        S::Pending => "Pending an operator's decision: call wait_for_decision again with this version.".into(),
        S::Approved if action.outcome.is_none() => format!(
            "Approved{}: apply exactly these params {}, then call report_outcome (executing, then executed or failed).",
            if action.overridden { " with the operator's override" } else { "" },
            action.params
        ),
        S::Approved => "Approved and executing: report executed or failed when done.".into(),
        S::Executed if action.veto_until.is_some() => "Executed; still vetoable: keep waiting until veto_until in case it turns rollback_pending.".into(),
        S::RollbackPending => "Vetoed: roll the action back now, then call report_outcome with status rolled_back.".into(),
        S::Rejected => "Rejected by an operator: do not apply it.".into(),
        S::Expired => "Expired without a decision: do not apply it.".into(),
        _ => "Closed: nothing more to do.".into(),
    }
}

fn action_with_next(action: &Action) -> serde_json::Value {
    serde_json::json!({ "action": action, "next_step": next_step(action) })
}

#[tool_router]
impl TianshuMcp {
    pub fn new(app: AppState) -> Self {
        Self {
            app,
            tool_router: Self::tool_router(),
        }
    }

    /// Propose an action for an operator to decide.
    #[tool(
        description = "Propose an action on the network for a human operator to decide. Use a fresh UUID as idempotency_key (reuse it only to retry the same proposal). kind is namespaced (e.g. backbone.reroute, compute.scale); target names an entity from network_state as KIND:ID (link:ID, cluster:ID, hub:ID, metro:ID, factory:ID, group:PROVINCE/INDUSTRY). params are what you will apply if approved; param_bounds the ranges an operator may override them within. mode ask_first waits for a decision; act_now lets a low-risk action of an L4+ agent run at once, vetoable. Returns the action (id, version, state, policy) and the next step. Never apply anything before the state is approved."
    )]
    async fn propose_action(
        &self,
        Parameters(request): Parameters<ProposalRequest>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let who = principal(&ctx)?;
        gateway::note_agent(&self.app, &who, Protocol::Mcp);
        Ok(
            match gateway::propose_as(&self.app, &who, &request, Protocol::Mcp).await {
                Ok((response, _)) => {
                    let mut out = action_with_next(&response.action);
                    out["replayed"] = response.replayed.into();
                    json_result(&out)
                }
                Err(e) => api_error(e),
            },
        )
    }

    /// Long-poll an action until it changes.
    #[tool(
        description = "Wait (up to wait_seconds, at most 60) until your action changes from the version you saw, then return it with the next step. States: pending (call again), approved (apply exactly action.params — an operator may have overridden them — then report_outcome), rejected or expired (do not apply), rollback_pending (vetoed: roll back and report rolled_back), executed, failed, rolled_back (closed)."
    )]
    async fn wait_for_decision(
        &self,
        Parameters(args): Parameters<WaitArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let who = principal(&ctx)?;
        gateway::note_agent(&self.app, &who, Protocol::Mcp);
        let wait = args.wait_seconds.unwrap_or(30).min(MAX_WAIT_S);
        Ok(
            match gateway::wait_for_action(&self.app, &who, args.action_id, wait, args.version)
                .await
            {
                Ok(action) => json_result(&action_with_next(&action)),
                Err(e) => api_error(e),
            },
        )
    }

    /// Report what became of an approved action.
    #[tool(
        description = "Report the outcome of your approved action: executing when you start, then executed (with measured effect) or failed; rolled_back after a veto (state rollback_pending). Each report needs its own UUID idempotency_key; retry a lost report with the same key."
    )]
    async fn report_outcome(
        &self,
        Parameters(args): Parameters<ReportArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let who = principal(&ctx)?;
        gateway::note_agent(&self.app, &who, Protocol::Mcp);
        let request = OutcomeRequest {
            idempotency_key: args.idempotency_key,
            status: args.status,
            details: args.details,
            measured: args.measured,
            effects: args.effects,
        };
        Ok(
            match gateway::report_as(&self.app, &who, args.action_id, &request).await {
                Ok(response) => json_result(&action_with_next(&response.action)),
                Err(e) => api_error(e),
            },
        )
    }

    /// The caller's open actions.
    #[tool(
        description = "List your own actions that are still open (pending a decision, approved and awaiting your outcome, vetoable, or awaiting your rollback), each with the next step."
    )]
    async fn list_my_actions(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let who = principal(&ctx)?;
        gateway::note_agent(&self.app, &who, Protocol::Mcp);
        let Some(grant) = &who.agent else {
            return Ok(api_error(HttpError::new(
                StatusCode::FORBIDDEN,
                "not_an_agent",
                "only agents have actions of their own",
            )));
        };
        let open: Vec<serde_json::Value> = self
            .app
            .world()
            .open_actions()
            .iter()
            .filter(|a| a.agent_id == grant.agent_id)
            .map(action_with_next)
            .collect();
        Ok(json_result(&open))
    }

    /// Hubs, clusters and backbone links with their load.
    #[tool(
        description = "Read the network's state: the national hub nodes, data-center clusters (compute, utilisation 0..1, PUE, green share) and backbone links (id, ends, capacity in Gbit/s, utilisation per direction 0..1, RTT), the metro areas with their 1 ms coverage, and whether the figures are simulated. Use the ids as targets (link:ID, cluster:ID, hub:ID, metro:ID)."
    )]
    async fn network_state(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        principal(&ctx)?;
        let snapshot = self.app.world().snapshot(crate::http::now_ms());
        Ok(json_result(&serde_json::json!({
            "simulated": snapshot.simulated,
            "sim_time": snapshot.sim_time,
            "hubs": snapshot.hubs,
            "clusters": snapshot.clusters,
            "links": snapshot.links,
            "metros": snapshot.metros,
        })))
    }

    /// Metro latency.
    #[tool(
        description = "Metro latency to computing: without metro_id, the national 1 ms coverage and each metro's summary; with metro_id, that metro's summary (coverage within 1 ms, cells, access sites)."
    )]
    async fn metro_latency(
        &self,
        Parameters(args): Parameters<MetroArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        principal(&ctx)?;
        let world = self.app.world();
        Ok(match args.metro_id {
            None => json_result(&serde_json::json!({
                "national": world.metro_latency_summary(),
                "metros": world.metro_summaries(),
            })),
            Some(id) => match world.metro_summaries().into_iter().find(|m| m.id == id) {
                Some(m) => json_result(&m),
                None => api_error(HttpError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    format!("no metro {id}; network_state lists them"),
                )),
            },
        })
    }

    /// One factory's network KPIs.
    #[tool(
        description = "One enterprise on the industrial-network upgrade programme: its stage, technologies (5G/5G-A, TSN, SPE, PON, edge, cloud PLC) and network KPIs (latency, jitter, reliability, throughput) against what its workloads need."
    )]
    async fn factory_kpis(
        &self,
        Parameters(args): Parameters<FactoryArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        principal(&ctx)?;
        let Some(id) = crate::auth::parse_factory_id(&args.factory_id) else {
            return Ok(api_error(HttpError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_factory_id",
                "a factory id such as F00042",
            )));
        };
        let world = self.app.world();
        Ok(match world.sim.factory_detail(id) {
            Some(detail) => json_result(&detail),
            None => api_error(HttpError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no factory {}", args.factory_id),
            )),
        })
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for TianshuMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("tianshu", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Tianshu is the operations console where people decide what autonomous agents may do \
                 on China's computing and industrial networks. Read the network with network_state, \
                 metro_latency and factory_kpis; propose with propose_action; then wait_for_decision \
                 until the action is approved, rejected or expired; apply exactly the approved params; \
                 report with report_outcome. Never act on a pending or rejected action.",
            )
    }
}

/// Puts the caller's `Principal` into the request, or answers 401 like the REST API.
async fn authenticate(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    match crate::http::authorize(&app, req.headers()) {
        Ok(who) => {
            req.extensions_mut().insert(who);
            next.run(req).await
        }
        Err(refused) => {
            let mut response = refused.into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            response
        }
    }
}

/// `/mcp`: stateless streamable HTTP (each POST is a whole exchange; plain JSON answers).
pub fn router(app: AppState) -> axum::Router {
    let for_service = app.clone();
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true);
    if !app.tokens.is_open() {
        // Every call is authenticated by its bearer token, so the DNS-rebinding guard (Host
        // allow-list, loopback only) would only lock out a backend reached by its real name.
        config = config.disable_allowed_hosts();
    }
    let service = StreamableHttpService::new(
        move || Ok(TianshuMcp::new(for_service.clone())),
        LocalSessionManager::default().into(),
        config,
    );
    axum::Router::new()
        .nest_service("/mcp", service)
        .layer(middleware::from_fn_with_state(app, authenticate))
}
