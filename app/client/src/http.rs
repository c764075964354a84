//! One call per endpoint of API v1 over reqwest; no retries, no state (the runner owns those).

use std::time::Duration;

use eventsource_stream::Eventsource as _;
use futures_util::{Stream, StreamExt as _};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;

use crate::api::{
    API_PREFIX, ApiError, AuditPage, DecisionRequest, DecisionResponse, Event, FactoryDetail,
    FactoryPage, FactoryPoints, FactoryQuery, Health, LatencyGrid, Progress, Snapshot,
};
use crate::api::{LatencySummary, WhatIfRequest, WhatIfResponse};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the backend: {0}")]
    Network(String),
    #[error("the backend refused ({status}): {}", .body.message)]
    Api { status: u16, body: ApiError },
    #[error("the backend sent something this console cannot read: {0}")]
    Decode(String),
    #[error("invalid backend address {0:?}: {1}")]
    BadUrl(String, String),
}

impl ClientError {
    /// Worth trying again with the same request (network trouble or a server-side failure).
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Network(_) => true,
            ClientError::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// How long one request may take before it counts as lost (a stalled connection or a backend
/// that stopped answering); the event stream's idle timeout is separate.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: reqwest::Url,
    timeout: Duration,
}

impl ApiClient {
    pub fn new(base_url: &str, token: Option<&str>) -> Result<Self, ClientError> {
        let bad = |e: String| ClientError::BadUrl(base_url.to_owned(), e);
        let base = reqwest::Url::parse(base_url).map_err(|e| bad(e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(bad("only http:// and https:// are supported".into()));
        }
        let mut headers = HeaderMap::new();
        if let Some(token) = token {
            let value = HeaderValue::from_str(&format!("Bearer {}", token.trim()))
                .map_err(|_| bad("the token contains characters not allowed in a header".into()))?;
            headers.insert(AUTHORIZATION, value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(Self {
            http,
            base,
            timeout: DEFAULT_REQUEST_TIMEOUT,
        })
    }

    /// Bounds every request (and the wait for the event stream's headers) to `timeout`.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    fn url(&self, path: &str) -> String {
        format!("{}{API_PREFIX}{path}", self.base_url())
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ClientError> {
        let request = self
            .http
            .get(self.url(path))
            .query(query)
            .timeout(self.timeout);
        read(request.send().await).await
    }

    pub async fn health(&self) -> Result<Health, ClientError> {
        self.get("/health", &[]).await
    }

    pub async fn snapshot(&self) -> Result<Snapshot, ClientError> {
        self.get("/snapshot", &[]).await
    }

    pub async fn metro_latency(&self, metro_id: &str) -> Result<LatencyGrid, ClientError> {
        let id: String = url_segment(metro_id);
        self.get(&format!("/metros/{id}/latency"), &[]).await
    }

    pub async fn factories(&self, query: &FactoryQuery) -> Result<FactoryPage, ClientError> {
        self.get("/factories", &factory_params(query)).await
    }

    /// Every plant matching `query`, as compact arrays.
    pub async fn factory_points(&self, query: &FactoryQuery) -> Result<FactoryPoints, ClientError> {
        self.get("/factories/points", &factory_params(query)).await
    }

    pub async fn factory_detail(&self, id: u32) -> Result<FactoryDetail, ClientError> {
        self.get(&format!("/factories/{id}/detail"), &[]).await
    }

    /// Every plant matching `query` as CSV bytes.
    pub async fn factories_csv(&self, query: &FactoryQuery) -> Result<Vec<u8>, ClientError> {
        let request = self
            .http
            .get(self.url("/factories.csv"))
            .query(&factory_params(query))
            .timeout(Duration::from_secs(120));
        let response = check_status(request.send().await.map_err(network)?).await?;
        let bytes = response.bytes().await.map_err(network)?;
        Ok(bytes.to_vec())
    }

    /// The agents' activity before the backend began recording it; a backend without the
    /// route (older) answers as one without a past.
    pub async fn activity_past(&self) -> Result<crate::api::ActivityPast, ClientError> {
        match self.get("/agents/activity-past", &[]).await {
            Err(ClientError::Api { status: 404, .. }) => Ok(crate::api::ActivityPast {
                starts_at: 0,
                modelled: false,
                modelling: false,
                points: Vec::new(),
            }),
            other => other,
        }
    }

    /// The backbone's frames between two simulated instants (defaults: the last 24 hours).
    pub async fn history(
        &self,
        from: Option<crate::api::UnixMs>,
        to: Option<crate::api::UnixMs>,
    ) -> Result<crate::api::LoadHistory, ClientError> {
        let mut query = Vec::new();
        if let Some(from) = from {
            query.push(("from", from.to_string()));
        }
        if let Some(to) = to {
            query.push(("to", to.to_string()));
        }
        self.get("/history", &query).await
    }

    /// Recent actions, newest first (those this user may see), optionally in one state.
    pub async fn actions(
        &self,
        state: Option<crate::api::ActionState>,
    ) -> Result<Vec<crate::api::Action>, ClientError> {
        let query: Vec<(&str, String)> = state
            .and_then(|s| serde_json::to_value(s).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .map(|s| ("state", s))
            .into_iter()
            .collect();
        self.get("/actions", &query).await
    }

    /// Who the backend thinks this console is.
    pub async fn me(&self) -> Result<crate::api::Me, ClientError> {
        self.get("/me", &[]).await
    }

    pub async fn progress(&self) -> Result<Progress, ClientError> {
        self.get("/progress", &[]).await
    }

    pub async fn latency_summary(&self) -> Result<LatencySummary, ClientError> {
        self.get("/latency/summary", &[]).await
    }

    /// A metro with hypothetical sites; the backend changes nothing live.
    pub async fn what_if(
        &self,
        metro_id: &str,
        request: &WhatIfRequest,
    ) -> Result<WhatIfResponse, ClientError> {
        let id: String = url_segment(metro_id);
        let sent = self
            .http
            .post(self.url(&format!("/metros/{id}/whatif")))
            .json(request)
            .timeout(self.timeout)
            .send()
            .await;
        read(sent).await
    }

    pub async fn audit(&self, cursor: Option<&str>) -> Result<AuditPage, ClientError> {
        let query: Vec<(&str, String)> = cursor
            .map(|c| ("cursor", c.to_owned()))
            .into_iter()
            .collect();
        self.get("/audit", &query).await
    }

    /// The agents of the backend's users file and when each was last heard from.
    pub async fn gateway_agents(&self) -> Result<Vec<crate::api::ConnectedAgent>, ClientError> {
        self.get("/gateway/agents", &[]).await
    }

    pub async fn decide(
        &self,
        action_id: u64,
        request: &DecisionRequest,
    ) -> Result<DecisionResponse, ClientError> {
        let sent = self
            .http
            .post(self.url(&format!("/actions/{action_id}/decision")))
            .json(request)
            .timeout(self.timeout)
            .send()
            .await;
        read(sent).await
    }

    /// Opens the event stream after `last_event_id`; yields events until the connection ends.
    pub async fn events(
        &self,
        last_event_id: Option<u64>,
    ) -> Result<impl Stream<Item = Result<Event, ClientError>> + use<>, ClientError> {
        self.events_heard(last_event_id, Heartbeat::default()).await
    }

    /// [`ApiClient::events`], noting in `heard` every time bytes arrive — keep-alive comments
    /// included, which carry no event — so a quiet but live stream can be told from a dead one.
    pub async fn events_heard(
        &self,
        last_event_id: Option<u64>,
        heard: Heartbeat,
    ) -> Result<impl Stream<Item = Result<Event, ClientError>> + use<>, ClientError> {
        let mut request = self.http.get(self.url("/events"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        // A backend that accepts and never answers must not hold the stream task forever.
        let response = tokio::time::timeout(self.timeout, request.send())
            .await
            .map_err(|_| {
                ClientError::Network(format!(
                    "the backend did not answer within {} s",
                    self.timeout.as_secs_f32()
                ))
            })?
            .map_err(network)?;
        let response = check_status(response).await?;
        heard.beat();
        Ok(response
            .bytes_stream()
            .inspect(move |_| heard.beat())
            .eventsource()
            .filter_map(|item| async move {
                match item {
                    Ok(sse) if sse.data.is_empty() => None,
                    Ok(sse) => Some(
                        serde_json::from_str::<Event>(&sse.data)
                            .map_err(|e| ClientError::Decode(e.to_string())),
                    ),
                    Err(e) => Some(Err(ClientError::Network(e.to_string()))),
                }
            }))
    }
}

/// When bytes last arrived on an event stream (shared by the stream and its watchdog).
#[derive(Debug, Clone)]
pub struct Heartbeat {
    base: std::time::Instant,
    /// Milliseconds after `base`.
    last_ms: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Self {
            base: std::time::Instant::now(),
            last_ms: Default::default(),
        }
    }
}

impl Heartbeat {
    pub fn beat(&self) {
        let ms = u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// Time since bytes last arrived (since creation when none did).
    pub fn silence(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(std::sync::atomic::Ordering::Relaxed));
        self.base.elapsed().saturating_sub(last)
    }
}

/// The query string of a `FactoryQuery`: absent filters are left out.
fn factory_params(q: &FactoryQuery) -> Vec<(&'static str, String)> {
    let key = |v: serde_json::Result<serde_json::Value>| {
        v.ok().and_then(|v| v.as_str().map(str::to_owned))
    };
    let mut out = Vec::new();
    let mut push = |name: &'static str, value: Option<String>| {
        if let Some(v) = value {
            out.push((name, v));
        }
    };
    push("province", q.province.clone());
    push(
        "industry",
        q.industry.and_then(|x| key(serde_json::to_value(x))),
    );
    push("stage", q.stage.and_then(|x| key(serde_json::to_value(x))));
    push("tech", q.tech.and_then(|x| key(serde_json::to_value(x))));
    push("bbox", q.bbox.clone());
    push("q", q.q.clone());
    push("compliant", q.compliant.map(|c| c.to_string()));
    push("cursor", q.cursor.clone());
    push("limit", q.limit.map(|l| l.to_string()));
    out
}

fn network(e: reqwest::Error) -> ClientError {
    if e.is_timeout() {
        return ClientError::Network(format!("the backend did not answer in time ({e})"));
    }
    ClientError::Network(e.to_string())
}

fn url_segment(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

async fn check_status(response: reqwest::Response) -> Result<reqwest::Response, ClientError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str::<ApiError>(&text).unwrap_or(ApiError {
        code: "http_error".into(),
        message: format!(
            "HTTP {status}: {}",
            text.chars().take(200).collect::<String>()
        ),
        details: None,
    });
    Err(ClientError::Api {
        status: status.as_u16(),
        body,
    })
}

async fn read<T: DeserializeOwned>(
    sent: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, ClientError> {
    let response = check_status(sent.map_err(network)?).await?;
    let bytes = response.bytes().await.map_err(network)?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
}
