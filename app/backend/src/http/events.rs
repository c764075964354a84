//! The event stream (Server-Sent Events) with resume by `Last-Event-ID`, filtered for scoped
//! callers (factory managers, agents), with keep-alives and a resync for a client that fell
//! behind.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt as _};
use tokio::sync::{broadcast, watch};

use super::{AppState, HttpError, authorize, now_ms};
use crate::api::{Event, EventKind};
use crate::auth::Principal;
use crate::world::World;

/// Server-Sent Events; each `id` is an event id. Reconnect with `Last-Event-ID` (or
/// `?last_event_id=`) to get exactly the events missed; a `resync` event means fetch a snapshot.
#[utoipa::path(get, path = "/api/v1/events", params(("Last-Event-ID" = Option<u64>, Header, description = "last event applied")),
    responses((status = 200, description = "text/event-stream of Event", body = Event)))]
pub(super) async fn events(
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
pub(super) struct ResumeQuery {
    pub(super) last_event_id: Option<String>,
}

struct LiveStream {
    rx: broadcast::Receiver<Event>,
    kicked: watch::Receiver<u64>,
    last_sent: u64,
    done: bool,
    /// Keeps this stream in the `tianshu_event_stream_clients` gauge while it lives.
    _counted: crate::metrics::StreamGuard,
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
