//! A replica's share of the work beside the clock, until it stops: the listener that applies
//! other replicas' changes, and the leader election (whose holder's clock proposes and closes).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, Client, NoTls};

use super::pool::{connect, late};
use crate::lock;
use crate::ticker::stopped;

use super::{
    CHANNEL, CONNECT_TIMEOUT, LEADER_LOCK, LEADER_RETRY, OP_TIMEOUT, QUEUE, SWEEP_BATCH,
    SWEEP_MARGIN, Shared, pg,
};
use crate::store::StoreError;
use crate::world::World;

/// One announced change: `id version change`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Notice {
    pub(super) id: i64,
    pub(super) version: i64,
    pub(super) change: i64,
}

impl Notice {
    pub(super) fn parse(payload: &str) -> Option<Self> {
        let mut parts = payload.split(' ').map(str::parse::<i64>);
        let notice = Self {
            id: parts.next()?.ok()?,
            version: parts.next()?.ok()?,
            change: parts.next()?.ok()?,
        };
        parts.next().is_none().then_some(notice)
    }
}

/// Brings one action of this replica's world up to the shared store's version (with the audit
/// entries it lacks), as the notification of its change would: for a request that must see it
/// now (a retry answered from the record, a long poll for an action another replica took).
pub async fn catch_up(shared: &Shared, world: &Mutex<World>, action_id: u64) {
    let Ok(id) = i64::try_from(action_id) else {
        return;
    };
    let known = lock(world).action_version(action_id).unwrap_or(0);
    match shared.fetch(id, known).await {
        Ok(Some((action, audit))) if action.version > known => {
            lock(world).apply_stored(action, audit, crate::http::now_ms());
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("cannot read action {action_id}: {e}"),
    }
}

/// Re-reads an announced action and applies it to the world unless it already has it.
pub(super) async fn apply_notice(shared: &Shared, world: &Mutex<World>, notice: Notice) {
    let Ok(id) = u64::try_from(notice.id) else {
        return;
    };
    let known = lock(world).action_version(id).unwrap_or(0);
    if i64::try_from(known).unwrap_or(i64::MAX) >= notice.version {
        return;
    }
    match shared.fetch(notice.id, known).await {
        Ok(Some((action, audit))) => {
            lock(world).apply_stored(action, audit, crate::http::now_ms());
        }
        Ok(None) => tracing::warn!("announced action {id} is not in PostgreSQL"),
        Err(e) => tracing::warn!("cannot read announced action {id}: {e}"),
    }
}

/// Runs a replica's share of the work beside the clock (`ticker`) until `stop`: the listener
/// that applies other replicas' changes, and the leader election.
pub async fn run(
    shared: Arc<Shared>,
    world: Arc<Mutex<World>>,
    newest_change: i64,
    stop: watch::Receiver<bool>,
) {
    tokio::join!(
        listener(&shared, &world, newest_change, stop.clone()),
        election(&shared, stop),
    );
}

/// Backoff between reconnects: 0.5 s doubling to 10 s.
pub(super) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempt.min(5))).min(Duration::from_secs(10))
}

pub(super) async fn listener(
    shared: &Shared,
    world: &Mutex<World>,
    mut newest: i64,
    mut stop: watch::Receiver<bool>,
) {
    let mut attempt = 0u32;
    loop {
        if *stop.borrow() {
            return;
        }
        match listen_once(shared, world, &mut newest, &mut stop, &mut attempt).await {
            Ok(()) => return,
            Err(e) => tracing::warn!("PostgreSQL listener: {e}; reconnecting"),
        }
        tokio::select! {
            _ = stopped(&mut stop) => return,
            _ = tokio::time::sleep(backoff(attempt)) => {}
        }
        attempt = attempt.saturating_add(1);
    }
}

/// One listening session: LISTEN, sweep what changed while not listening, then follow the
/// notifications. `Ok` when stopped, `Err` when the connection failed.
pub(super) async fn listen_once(
    shared: &Shared,
    world: &Mutex<World>,
    newest: &mut i64,
    stop: &mut watch::Receiver<bool>,
    attempt: &mut u32,
) -> Result<(), StoreError> {
    let (client, mut connection) =
        tokio::time::timeout(CONNECT_TIMEOUT, shared.pool.config.connect(NoTls))
            .await
            .map_err(|_| late("connecting the listener"))?
            .map_err(pg)?;
    let (tx, mut rx) = mpsc::channel::<Option<Notice>>(QUEUE);
    let behind = Arc::new(AtomicBool::new(false));
    let driver_behind = behind.clone();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) if n.channel() == CHANNEL => {
                    forward(&tx, &driver_behind, n.payload());
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("PostgreSQL listener connection: {e}");
                    break;
                }
            }
        }
    });
    let result = async {
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .await
            .map_err(pg)?;
        *attempt = 0;
        sweep(shared, world, newest).await?;
        loop {
            if behind.swap(false, Ordering::AcqRel) {
                // The queue overflowed and notices were dropped: read what changed instead.
                sweep(shared, world, newest).await?;
            }
            tokio::select! {
                _ = stopped(stop) => return Ok(()),
                received = rx.recv() => match received {
                    Some(Some(notice)) => {
                        *newest = (*newest).max(notice.change);
                        apply_notice(shared, world, notice).await;
                    }
                    // An unreadable payload: read what changed instead.
                    Some(None) => sweep(shared, world, newest).await?,
                    None => return Err(StoreError::Postgres("the listening connection closed".into())),
                }
            }
        }
    }
    .await;
    driver.abort();
    result
}

/// Queues one notification for the listener. When the queue is full the notice is dropped and
/// `behind` is set, so the listener sweeps what changed (a queued marker could be lost the same
/// way). Returns whether the notice was queued.
pub(super) fn forward(
    tx: &mpsc::Sender<Option<Notice>>,
    behind: &AtomicBool,
    payload: &str,
) -> bool {
    match tx.try_send(Notice::parse(payload)) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(_)) => {
            behind.store(true, Ordering::Release);
            false
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    }
}

/// Applies every action changed after `newest - SWEEP_MARGIN`.
pub(super) async fn sweep(
    shared: &Shared,
    world: &Mutex<World>,
    newest: &mut i64,
) -> Result<(), StoreError> {
    let mut from = newest.saturating_sub(SWEEP_MARGIN);
    loop {
        let batch = shared.changed_since(from).await?;
        let full = batch.len() as i64 == SWEEP_BATCH;
        for notice in batch {
            from = from.max(notice.change);
            *newest = (*newest).max(notice.change);
            apply_notice(shared, world, notice).await;
        }
        if !full {
            return Ok(());
        }
    }
}

/// Keeps trying to hold the leader lock on a session of its own; the lock goes with the session,
/// so when this replica dies or loses PostgreSQL another one takes over.
pub(super) async fn election(shared: &Shared, mut stop: watch::Receiver<bool>) {
    let mut attempt = 0u32;
    let mut session: Option<Client> = None;
    loop {
        let result = async {
            let client = match session.take().filter(|c| !c.is_closed()) {
                Some(c) => c,
                None => {
                    // A new session holds nothing: leadership went with the old one.
                    if shared.leader.swap(false, Ordering::Relaxed) {
                        tracing::warn!("lost the leader session");
                    }
                    connect(&shared.pool.config).await?
                }
            };
            // A leader only checks its session is alive (re-taking the lock would stack it).
            let sql = if shared.is_leader() {
                "SELECT $1::BIGINT IS NOT NULL"
            } else {
                "SELECT pg_try_advisory_lock($1::BIGINT)"
            };
            let held: bool =
                tokio::time::timeout(OP_TIMEOUT, client.query_one(sql, &[&LEADER_LOCK]))
                    .await
                    .map_err(|_| late("the leader check"))?
                    .map_err(pg)?
                    .get(0);
            Ok::<_, StoreError>((client, held))
        }
        .await;
        let wait = match result {
            Ok((client, held)) => {
                attempt = 0;
                if held && !shared.leader.swap(true, Ordering::Relaxed) {
                    tracing::info!("leading: proposing actions and running the action clock");
                }
                session = Some(client);
                LEADER_RETRY
            }
            Err(e) => {
                if shared.leader.swap(false, Ordering::Relaxed) {
                    tracing::warn!("lost the leader session: {e}");
                } else {
                    tracing::debug!("leader election: {e}");
                }
                attempt = attempt.saturating_add(1);
                backoff(attempt)
            }
        };
        tokio::select! {
            _ = stopped(&mut stop) => {
                shared.leader.store(false, Ordering::Relaxed);
                return;
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
