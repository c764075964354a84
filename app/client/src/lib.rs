//! The console's connection to a backend: background tasks on a tokio runtime that keep a
//! snapshot and the event stream flowing into a bounded channel, and carry out the UI's commands.
//!
//! The UI never awaits anything here: it sends `Command`s with `try_send` and drains
//! `ClientEvent`s each frame. Each message sent to the UI is followed by a wake-up call so an idle
//! console repaints only when something arrived.

use tianshu_api as api;

mod audit_csv;
pub mod document_export;
mod http;
pub mod token_store;

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::{mpsc, watch};

pub use self::http::{ApiClient, ClientError};
use crate::api::{
    AuditPage, DecisionRequest, DecisionResponse, Event, EventKind, FactoryDetail, FactoryPage,
    FactoryPoints, FactoryQuery, LatencyGrid, Progress, Snapshot,
};
use crate::api::{LatencySummary, WhatIfRequest, WhatIfResponse};
use crate::api::{LoadHistory, UnixMs};

/// Plants listed for one search of the overview.
const SEARCH_LIMIT: u32 = 8;
/// Capacity of both channels; a stalled UI pushes back on the network tasks instead of growing.
pub const CHANNEL_CAPACITY: usize = 4096;
/// No bytes for this long (the server sends a keep-alive every 2 s) means the stream is dead: the
/// console then says its data is stale. Keep-alives are not passed on to the UI, so a quiet but
/// live backend costs the UI nothing (no wake-up, no repaint).
pub const STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(6);
/// How often the stream's watchdog looks at the silence.
const WATCHDOG_EVERY: Duration = Duration::from_millis(500);
const BACKOFF_START: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(15);
// A decision the backend has not answered is retried with the same idempotency key until it
// answers (the backend never applies one key twice); the wait between tries is `backoff`, cut
// short when the event stream comes back (see `decide_with_retries`).

/// What the UI asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Decide {
        action_id: u64,
        request: DecisionRequest,
    },
    FetchMetroLatency(String),
    FetchLatencySummary,
    /// A metro with hypothetical sites (nothing live changes).
    WhatIf {
        metro_id: String,
        request: WhatIfRequest,
    },
    FetchFactories(FactoryQuery),
    /// Every plant matching the query as compact arrays (the factories map and table).
    FetchFactoryPoints(FactoryQuery),
    FetchFactoryDetail(u32),
    /// Fetch the matching plants as CSV and write them to `path` (off the UI thread).
    ExportFactoriesCsv {
        query: FactoryQuery,
        path: std::path::PathBuf,
    },
    FetchProgress,
    /// The backbone's frames between two simulated instants (the overview's replay).
    /// The agents' activity before the backend began recording it (the timeline's start).
    FetchActivityPast,
    FetchHistory {
        from: Option<UnixMs>,
        to: Option<UnixMs>,
    },
    /// Plants whose name or city holds the text (the overview's search box).
    SearchFactories(String),
    FetchAudit {
        cursor: Option<String>,
    },
    /// The agents of the gateway (users file) and when each was last heard from.
    FetchGatewayAgents,
    /// Write these audit entries as CSV under the user's downloads (or data) folder.
    ExportAuditCsv {
        entries: Vec<crate::api::AuditEntry>,
    },
    /// Write a document (a report as CSV, PNG or PDF) under the user's downloads (or data)
    /// folder, never over an existing file.
    ExportDocument(document_export::DocumentJob),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionState {
    Connecting,
    Connected,
    Reconnecting {
        attempt: u32,
        retry_in: Duration,
        reason: String,
    },
}

/// What the UI hears.
#[derive(Debug, Clone)]
pub enum ClientEvent {
    Connection(ConnectionState),
    Snapshot(Box<Snapshot>),
    Stream(Box<Event>),
    MetroLatency(Box<LatencyGrid>),
    LatencySummary(Box<LatencySummary>),
    WhatIf(Box<WhatIfResponse>),
    Factories(Box<FactoryPage>),
    FactoryPoints(Box<FactoryPoints>),
    FactoryDetail(Box<FactoryDetail>),
    /// A CSV export finished: the file written and its size, or why not.
    FactoriesExported {
        path: std::path::PathBuf,
        result: Result<u64, String>,
    },
    Progress(Box<Progress>),
    History(Box<LoadHistory>),
    ActivityPast(Box<crate::api::ActivityPast>),
    /// Answer to `SearchFactories`, with the text it searched for.
    FactorySearch {
        query: String,
        page: Box<FactoryPage>,
    },
    Audit(Box<AuditPage>),
    GatewayAgents(Vec<crate::api::ConnectedAgent>),
    /// Who the backend says is signed in.
    Me(Box<crate::api::Me>),
    /// A document export finished: the file written, or why not.
    DocumentExported(Result<std::path::PathBuf, String>),
    /// An audit CSV export finished: the file and rows written, or why not.
    AuditExported {
        path: std::path::PathBuf,
        result: Result<u64, String>,
    },
    DecisionDone {
        action_id: u64,
        idempotency_key: String,
        result: Result<Box<DecisionResponse>, ClientError>,
    },
    /// A decision did not reach the backend (or its answer did not come back): not confirmed,
    /// it is retried with the same idempotency key until the backend answers (`DecisionDone`).
    DecisionUnconfirmed {
        action_id: u64,
        idempotency_key: String,
        reason: String,
    },
    RequestFailed {
        what: RequestKind,
        error: ClientError,
    },
}

/// Which fetch failed, for the UI to name it in the operator's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    MetroLatency,
    History,
    ActivityPast,
    FactorySearch,
    LatencySummary,
    WhatIf,
    Factories,
    Progress,
    Audit,
    GatewayAgents,
}

/// Called after every message to the UI (egui's `request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// The UI's ends of the channels.
pub struct ClientHandle {
    pub commands: mpsc::Sender<Command>,
    pub events: mpsc::Receiver<ClientEvent>,
    pub base_url: String,
}

#[derive(Clone)]
struct Outbox {
    tx: mpsc::Sender<ClientEvent>,
    wake: Waker,
}

impl Outbox {
    /// Delivers to the UI; false when the UI is gone.
    async fn send(&self, event: ClientEvent) -> bool {
        let delivered = self.tx.send(event).await.is_ok();
        (self.wake)();
        delivered
    }
}

/// Starts the connection tasks on `runtime`.
pub fn spawn(runtime: &tokio::runtime::Handle, api: ApiClient, wake: Waker) -> ClientHandle {
    let (event_tx, events) = mpsc::channel(CHANNEL_CAPACITY);
    let (commands, command_rx) = mpsc::channel(CHANNEL_CAPACITY);
    let outbox = Outbox { tx: event_tx, wake };
    let base_url = api.base_url().to_owned();
    // True while the event stream is connected: pending decisions retry as soon as it comes back.
    let (online_tx, online_rx) = watch::channel(false);
    runtime.spawn(follow_stream(api.clone(), outbox.clone(), online_tx));
    runtime.spawn(serve_commands(api, outbox, command_rx, online_rx));
    ClientHandle {
        commands,
        events,
        base_url,
    }
}

/// Snapshot, then the event stream from its `seq`; on any failure, back off and resume from the
/// last event delivered, or from a fresh snapshot when the server says `resync`.
async fn follow_stream(api: ApiClient, out: Outbox, online: watch::Sender<bool>) {
    let mut last_id: Option<u64> = None;
    let mut attempt: u32 = 0;
    if !out
        .send(ClientEvent::Connection(ConnectionState::Connecting))
        .await
    {
        return;
    }
    let mut last_resync: Option<std::time::Instant> = None;
    loop {
        let reason = match run_stream(&api, &out, &mut last_id, &mut attempt, &online).await {
            StreamEnd::UiGone => return,
            StreamEnd::Failed(reason) => reason,
            // The backend's world was replaced (or this client fell behind): a fresh snapshot
            // at once, still connected. Twice within a second is treated as a failure, so a
            // backend that keeps asking cannot spin the client.
            StreamEnd::Resync
                if last_resync.is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(1)) =>
            {
                last_resync = Some(std::time::Instant::now());
                continue;
            }
            StreamEnd::Resync => "the backend asked for a fresh snapshot twice in a second".into(),
        };
        online.send_replace(false);
        attempt += 1;
        let retry_in = backoff(attempt);
        tracing::warn!("event stream lost ({reason}); retry {attempt} in {retry_in:?}");
        let state = ConnectionState::Reconnecting {
            attempt,
            retry_in,
            reason,
        };
        if !out.send(ClientEvent::Connection(state)).await {
            return;
        }
        tokio::time::sleep(retry_in).await;
    }
}

enum StreamEnd {
    UiGone,
    Failed(String),
    /// The backend asked for a fresh snapshot (`resync`).
    Resync,
}

async fn run_stream(
    api: &ApiClient,
    out: &Outbox,
    last_id: &mut Option<u64>,
    attempt: &mut u32,
    online: &watch::Sender<bool>,
) -> StreamEnd {
    if last_id.is_none() {
        match api.snapshot().await {
            Ok(snapshot) => {
                *last_id = Some(snapshot.seq);
                if !out.send(ClientEvent::Snapshot(Box::new(snapshot))).await {
                    return StreamEnd::UiGone;
                }
                // Who is signed in can change with the backend (a restart with other users).
                match api.me().await {
                    Ok(me) => {
                        if !out.send(ClientEvent::Me(Box::new(me))).await {
                            return StreamEnd::UiGone;
                        }
                    }
                    Err(e) => tracing::warn!("GET /me failed: {e}"),
                }
            }
            Err(e) => return StreamEnd::Failed(e.to_string()),
        }
    }
    let heard = http::Heartbeat::default();
    let mut stream = match api.events_heard(*last_id, heard.clone()).await {
        Ok(s) => Box::pin(s),
        Err(e) => return StreamEnd::Failed(e.to_string()),
    };
    *attempt = 0;
    if !out
        .send(ClientEvent::Connection(ConnectionState::Connected))
        .await
    {
        return StreamEnd::UiGone;
    }
    online.send_replace(true);
    loop {
        let next = tokio::select! {
            next = stream.next() => next,
            () = tokio::time::sleep(WATCHDOG_EVERY) => {
                if heard.silence() > STREAM_IDLE_TIMEOUT {
                    let secs = STREAM_IDLE_TIMEOUT.as_secs();
                    return StreamEnd::Failed(format!("nothing from the backend for {secs} s"));
                }
                continue;
            }
        };
        let event = match next {
            None => return StreamEnd::Failed("the backend closed the event stream".into()),
            Some(Err(e)) => return StreamEnd::Failed(e.to_string()),
            Some(Ok(event)) => event,
        };
        if event.kind == EventKind::Resync {
            *last_id = None;
            return StreamEnd::Resync;
        }
        if last_id.is_some_and(|l| event.id <= l) {
            continue;
        }
        *last_id = Some(event.id);
        if !out.send(ClientEvent::Stream(Box::new(event))).await {
            return StreamEnd::UiGone;
        }
    }
}

/// Exponential backoff with a cap: 0.5 s, 1 s, 2 s, … 15 s.
pub fn backoff(attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
    (BACKOFF_START * factor).min(BACKOFF_MAX)
}

async fn serve_commands(
    api: ApiClient,
    out: Outbox,
    mut commands: mpsc::Receiver<Command>,
    online: watch::Receiver<bool>,
) {
    while let Some(command) = commands.recv().await {
        let api = api.clone();
        let out = out.clone();
        let online = online.clone();
        tokio::spawn(async move { carry_out(api, out, command, online).await });
    }
}

async fn carry_out(api: ApiClient, out: Outbox, command: Command, online: watch::Receiver<bool>) {
    let (what, result) = match command {
        Command::Decide { action_id, request } => {
            let Some(result) = decide_with_retries(&api, action_id, &request, &out, online).await
            else {
                return; // the UI is gone: nobody to tell
            };
            out.send(ClientEvent::DecisionDone {
                action_id,
                idempotency_key: request.idempotency_key,
                result: result.map(Box::new),
            })
            .await;
            return;
        }
        Command::FetchLatencySummary => (
            RequestKind::LatencySummary,
            api.latency_summary()
                .await
                .map(|s| ClientEvent::LatencySummary(Box::new(s))),
        ),
        Command::WhatIf { metro_id, request } => (
            RequestKind::WhatIf,
            api.what_if(&metro_id, &request)
                .await
                .map(|w| ClientEvent::WhatIf(Box::new(w))),
        ),
        Command::FetchMetroLatency(id) => (
            RequestKind::MetroLatency,
            api.metro_latency(&id)
                .await
                .map(|g| ClientEvent::MetroLatency(Box::new(g))),
        ),
        Command::FetchFactories(query) => (
            RequestKind::Factories,
            api.factories(&query)
                .await
                .map(|p| ClientEvent::Factories(Box::new(p))),
        ),
        Command::FetchFactoryPoints(query) => (
            RequestKind::Factories,
            api.factory_points(&query)
                .await
                .map(|p| ClientEvent::FactoryPoints(Box::new(p))),
        ),
        Command::FetchFactoryDetail(id) => (
            RequestKind::Factories,
            api.factory_detail(id)
                .await
                .map(|d| ClientEvent::FactoryDetail(Box::new(d))),
        ),
        Command::ExportFactoriesCsv { query, path } => {
            let result = match api.factories_csv(&query).await {
                Ok(bytes) => {
                    let len = bytes.len() as u64;
                    let target = path.clone();
                    match tokio::task::spawn_blocking(move || std::fs::write(target, bytes)).await {
                        Ok(Ok(())) => Ok(len),
                        Ok(Err(e)) => Err(format!("cannot write {}: {e}", path.display())),
                        Err(e) => Err(format!("cannot write {}: {e}", path.display())),
                    }
                }
                Err(e) => Err(e.to_string()),
            };
            out.send(ClientEvent::FactoriesExported { path, result })
                .await;
            return;
        }
        Command::FetchActivityPast => (
            RequestKind::ActivityPast,
            api.activity_past()
                .await
                .map(|p| ClientEvent::ActivityPast(Box::new(p))),
        ),
        Command::FetchHistory { from, to } => (
            RequestKind::History,
            api.history(from, to)
                .await
                .map(|h| ClientEvent::History(Box::new(h))),
        ),
        Command::SearchFactories(text) => {
            let query = FactoryQuery {
                q: Some(text.clone()),
                limit: Some(SEARCH_LIMIT),
                ..FactoryQuery::default()
            };
            (
                RequestKind::FactorySearch,
                api.factories(&query)
                    .await
                    .map(|page| ClientEvent::FactorySearch {
                        query: text,
                        page: Box::new(page),
                    }),
            )
        }
        Command::FetchProgress => (
            RequestKind::Progress,
            api.progress()
                .await
                .map(|p| ClientEvent::Progress(Box::new(p))),
        ),
        Command::ExportDocument(doc) => {
            let result = document_export::export(doc.0).await;
            out.send(ClientEvent::DocumentExported(result)).await;
            return;
        }
        Command::ExportAuditCsv { entries } => {
            let (path, result) = crate::audit_csv::export(entries).await;
            out.send(ClientEvent::AuditExported { path, result }).await;
            return;
        }
        Command::FetchAudit { cursor } => (
            RequestKind::Audit,
            api.audit(cursor.as_deref())
                .await
                .map(|p| ClientEvent::Audit(Box::new(p))),
        ),
        Command::FetchGatewayAgents => (
            RequestKind::GatewayAgents,
            api.gateway_agents().await.map(ClientEvent::GatewayAgents),
        ),
    };
    let event = result.unwrap_or_else(|error| ClientEvent::RequestFailed { what, error });
    out.send(event).await;
}

/// Sends a decision until the backend has answered it: the same idempotency key every time, so a
/// retry after a lost answer is recognised by the backend and never applied twice. The first
/// failure to reach it tells the UI the decision is not confirmed; it is then retried (after
/// `backoff`, or at once when the event stream reconnects) for as long as the UI runs. `None`
/// when the UI went away meanwhile.
async fn decide_with_retries(
    api: &ApiClient,
    action_id: u64,
    request: &DecisionRequest,
    out: &Outbox,
    mut online: watch::Receiver<bool>,
) -> Option<Result<DecisionResponse, ClientError>> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match api.decide(action_id, request).await {
            Err(e) if e.is_transient() => {
                tracing::warn!("decision on action {action_id} not confirmed (try {attempt}): {e}");
                if attempt == 1 {
                    let unconfirmed = ClientEvent::DecisionUnconfirmed {
                        action_id,
                        idempotency_key: request.idempotency_key.clone(),
                        reason: e.to_string(),
                    };
                    if !out.send(unconfirmed).await {
                        return None;
                    }
                }
                if out.tx.is_closed() {
                    return None;
                }
                tokio::select! {
                    _ = tokio::time::sleep(backoff(attempt)) => {}
                    _ = back_online(&mut online) => {}
                }
            }
            other => return Some(other),
        }
    }
}

/// Resolves when the event stream goes from down to up again (never, if it stays up: then the
/// backoff decides when to retry).
async fn back_online(online: &mut watch::Receiver<bool>) {
    if online.wait_for(|up| !*up).await.is_err() {
        return std::future::pending().await;
    }
    if online.wait_for(|up| *up).await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(2));
        assert_eq!(backoff(10), BACKOFF_MAX);
        assert_eq!(backoff(u32::MAX), BACKOFF_MAX);
    }
}
