//! PostgreSQL as the store of several `serve` replicas behind one load balancer
//! (`--db postgres://user@host:port/db`).
//!
//! PostgreSQL holds the truth: actions, decisions with their idempotency records, and the audit
//! trail, in the same shape as the SQLite store (`store`). Each replica keeps its own `World`
//! (simulator, event log, actions in memory) and changes it only after PostgreSQL committed:
//!
//! - **Decisions** run in one transaction: the action row is locked (`SELECT … FOR UPDATE`), the
//!   idempotency key is looked up *under that lock* (so a retry through another replica waits for
//!   the first and is answered from its record), the rules of `decisions` run on the row as
//!   stored, and the new row, the audit entry, the idempotency record (`PRIMARY KEY`) and a
//!   `NOTIFY` commit together. Exactly once across replicas, 409 on a conflict, as with SQLite.
//! - **Proposals and the action clock** (expiry, end of veto windows) belong to one replica, the
//!   leader: whoever holds `pg_try_advisory_lock(LEADER_LOCK)` on its own session, re-tried every
//!   few seconds so a follower takes over when the leader's session ends (TCP keepalives on
//!   both sides bound how long a vanished host's session lingers: about 25 s). Ids come from a
//!   sequence and closing is version-checked on the locked row, so two leaders for a moment (a
//!   session that died but was not yet noticed) never collide on an id or close an action
//!   twice — but both may propose in that window, so a finding can be proposed twice.
//! - **Fan-out**: every change notifies channel `tianshu_actions` with `id version change`. Every
//!   replica listens (reconnecting with backoff), re-reads the row and the change's audit entries,
//!   applies them to its world and publishes the events to its own consoles. After a reconnect it
//!   sweeps the rows changed meanwhile (the `change` column, from a sequence).
//!
//! Simulated telemetry (hubs, links, metros, factories) stays per replica: each replica's
//! simulated clock runs from its own start, so two replicas show different simulated moments of
//! the same model (executed actions do reach every replica's simulator). Reads are served from
//! memory, so they keep working while PostgreSQL is away; decisions then fail with 503 and record
//! nothing — or, when PostgreSQL went quiet during the commit, 503 `outcome_unknown`.

use std::str::FromStr as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio_postgres::{Config, Transaction};

use crate::action_store::Loaded;
use crate::api::{Action, AuditEntry, UnixMs};

use super::decisions;
use super::store::StoreError;

/// The channel every change is announced on.
pub const CHANNEL: &str = "tianshu_actions";
/// Key of the session-level advisory lock whose holder proposes and runs the action clock.
pub const LEADER_LOCK: i64 = 0x0074_6961_6e73_6875; // "tianshu"
/// Connections a replica opens for requests (the listener and the leader hold one more each).
const POOL_SIZE: usize = 4;
/// Longest wait for a connection to be made.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest any one store operation (a whole decision included) may take before it is abandoned.
/// The abandoned connection is closed, never pooled (its statements may still be queued);
/// PostgreSQL rolls back an open transaction when it notices.
const OP_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a follower tries to become leader (and a leader checks its session).
const LEADER_RETRY: Duration = Duration::from_secs(3);
/// Notifications queued for the listener before it falls back to a sweep.
const QUEUE: usize = 4096;
/// A sweep re-reads this many changes before the newest one seen, for commits that finished out
/// of sequence order (re-applying is harmless: versions are compared).
const SWEEP_MARGIN: i64 = 200;
/// Rows read per sweep query.
const SWEEP_BATCH: i64 = 500;

mod decide;
mod gateway;
mod pool;
mod replica;

#[cfg(test)]
use pool::SERVER_OPTIONS;
pub use pool::describe_url;
use pool::{Pool, describe, harden, late, pg};
use replica::Notice;
#[cfg(test)]
use replica::{backoff, forward};
pub use replica::{catch_up, run};

const SCHEMA: &str = "
CREATE SEQUENCE IF NOT EXISTS tianshu_action_ids;
CREATE SEQUENCE IF NOT EXISTS tianshu_changes;
CREATE TABLE IF NOT EXISTS tianshu_actions (
    id BIGINT PRIMARY KEY, version BIGINT NOT NULL, change BIGINT NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tianshu_actions_change ON tianshu_actions (change);
ALTER TABLE tianshu_actions ADD COLUMN IF NOT EXISTS open BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX IF NOT EXISTS tianshu_actions_open ON tianshu_actions (id) WHERE open;
CREATE INDEX IF NOT EXISTS tianshu_actions_closed ON tianshu_actions (id) WHERE NOT open;
CREATE TABLE IF NOT EXISTS tianshu_decisions (
    idempotency_key TEXT PRIMARY KEY, action_id BIGINT NOT NULL,
    request TEXT NOT NULL, response TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tianshu_audit (
    id BIGSERIAL PRIMARY KEY, action_id BIGINT NOT NULL, version BIGINT NOT NULL,
    json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tianshu_audit_action ON tianshu_audit (action_id, version);
CREATE TABLE IF NOT EXISTS tianshu_agent_requests (
    agent TEXT NOT NULL, idempotency_key TEXT NOT NULL, action_id BIGINT NOT NULL,
    request TEXT NOT NULL, PRIMARY KEY (agent, idempotency_key));
";

/// Whether `--db` names PostgreSQL rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The shared store of one replica: a connection pool and whether this replica leads.
pub struct Shared {
    pool: Pool,
    label: String,
    leader: AtomicBool,
}

impl Shared {
    /// Parses the URL, connects and creates the tables when missing. Every failure is a clear
    /// error for the operator (bad URL, unreachable server, refused login, missing database).
    pub async fn connect(url: &str) -> Result<Arc<Self>, StoreError> {
        let mut config = Config::from_str(url).map_err(|e| {
            StoreError::Postgres(format!(
                "{e} in --db (expected postgres://user[:password]@host[:port]/database)"
            ))
        })?;
        if config.get_user().is_none() {
            return Err(StoreError::Postgres(
                "--db names no user (postgres://user@host/database)".into(),
            ));
        }
        harden(&mut config);
        let label = describe(&config);
        let shared = Self {
            pool: Pool {
                config,
                idle: Mutex::new(Vec::new()),
                permits: Semaphore::new(POOL_SIZE),
            },
            label: label.clone(),
            leader: AtomicBool::new(false),
        };
        let timed = tokio::time::timeout(OP_TIMEOUT, async {
            let mut conn = shared.pool.get().await?;
            let tx = conn.transaction().await.map_err(pg)?;
            // Replicas starting together must not race on CREATE … IF NOT EXISTS.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&(LEADER_LOCK + 1)])
                .await
                .map_err(pg)?;
            tx.batch_execute(SCHEMA).await.map_err(pg)?;
            tx.commit().await.map_err(pg)?;
            conn.finish();
            Ok(())
        })
        .await
        .map_err(|_| late("creating the tables"))?;
        timed.map_err(|e| match e {
            StoreError::Postgres(why) => StoreError::Postgres(format!("{label}: {why}")),
            other => other,
        })?;
        Ok(Arc::new(shared))
    }

    /// `user@host:port/db`, without the password.
    pub fn describe(&self) -> &str {
        &self.label
    }

    /// Whether this replica proposes and runs the action clock now.
    pub fn is_leader(&self) -> bool {
        self.leader.load(Ordering::Relaxed)
    }

    /// What a replica starts from: every open action and the newest closed ones (as many as a
    /// world keeps in memory), oldest first, and the newest change number. Older closed actions
    /// stay in PostgreSQL only (`GET /audit` still reads their trail).
    pub async fn load_actions(&self) -> Result<Loaded, StoreError> {
        let kept = i64::try_from(super::world::CLOSED_ACTIONS_KEPT).unwrap_or(i64::MAX);
        timed(async {
            let conn = self.pool.get().await?;
            // Rows written before the `open` column existed count as open until rewritten;
            // the world sorts them out in memory.
            let open = conn
                .query("SELECT json FROM tianshu_actions WHERE open", &[])
                .await
                .map_err(pg)?;
            let closed = conn
                .query(
                    "SELECT json FROM tianshu_actions WHERE NOT open ORDER BY id DESC LIMIT $1",
                    &[&kept],
                )
                .await
                .map_err(pg)?;
            let newest_change: i64 = conn
                .query_one("SELECT COALESCE(max(change), 0) FROM tianshu_actions", &[])
                .await
                .map_err(pg)?
                .get(0);
            conn.finish();
            let parse = |row: &tokio_postgres::Row| serde_json::from_str::<Action>(row.get(0));
            let closed = closed.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
            let closed_below = if closed.len() as i64 == kept {
                closed.iter().map(|a| a.id).min().unwrap_or(0)
            } else {
                0
            };
            let mut actions = open.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
            actions.extend(closed);
            actions.sort_by_key(|a| a.id);
            Ok(Loaded {
                actions,
                newest_change,
                closed_below,
            })
        })
        .await
    }

    /// Stores a new action proposed by this (leading) replica: its id comes from the shared
    /// sequence. Returns it with its audit entries.
    pub async fn insert_proposal(
        &self,
        mut action: Action,
        now: UnixMs,
    ) -> Result<(Action, Vec<AuditEntry>), StoreError> {
        timed(async {
            let mut conn = self.pool.get().await?;
            let tx = conn.transaction().await.map_err(pg)?;
            action.id = next_action_id(&tx).await?;
            let audit = write_change(&tx, &action, decisions::proposed(&action, now), true).await?;
            tx.commit().await.map_err(pg)?;
            conn.finish();
            Ok((action, audit))
        })
        .await
    }

    /// Applies the action clock to one action on its locked row: expiry or the end of its veto
    /// window. `None` when it is not due (any more): another replica or a decision got there first.
    pub async fn close_due(
        &self,
        action_id: u64,
        now: UnixMs,
    ) -> Result<Option<(Action, Vec<AuditEntry>)>, StoreError> {
        timed(async {
            let mut conn = self.pool.get().await?;
            let tx = conn.transaction().await.map_err(pg)?;
            let Some(action) = lock_action(&tx, action_id).await? else {
                return Ok(None);
            };
            let Some(outcome) = decisions::close_on_timeout(&action, now) else {
                return Ok(None);
            };
            let audit = write_change(&tx, &outcome.action, vec![outcome.audit], false).await?;
            tx.commit().await.map_err(pg)?;
            conn.finish();
            Ok(Some((outcome.action, audit)))
        })
        .await
    }

    /// Audit entries older than `before` (all when `None`), newest first.
    pub async fn audit_page(
        &self,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
        timed(async {
            let conn = self.pool.get().await?;
            let rows = conn
                .query(
                    "SELECT id, json FROM tianshu_audit WHERE id < $1 ORDER BY id DESC LIMIT $2",
                    &[&before, &i64::from(limit)],
                )
                .await
                .map_err(pg)?;
            conn.finish();
            rows.iter().map(audit_row).collect()
        })
        .await
    }

    /// The action as stored and its audit entries of versions after `known` (0: all).
    async fn fetch(
        &self,
        action_id: i64,
        known: u64,
    ) -> Result<Option<(Action, Vec<AuditEntry>)>, StoreError> {
        timed(async {
            let conn = self.pool.get().await?;
            let Some(row) = conn
                .query_opt(
                    "SELECT json FROM tianshu_actions WHERE id = $1",
                    &[&action_id],
                )
                .await
                .map_err(pg)?
            else {
                return Ok(None);
            };
            let action: Action = serde_json::from_str(row.get::<_, &str>(0))?;
            let rows = conn
                .query(
                    "SELECT id, json FROM tianshu_audit
                     WHERE action_id = $1 AND version > $2 AND version <= $3 ORDER BY id",
                    &[
                        &action_id,
                        &i64::try_from(known).unwrap_or(i64::MAX),
                        &i64::try_from(action.version).unwrap_or(i64::MAX),
                    ],
                )
                .await
                .map_err(pg)?;
            conn.finish();
            let audit = rows.iter().map(audit_row).collect::<Result<_, _>>()?;
            Ok(Some((action, audit)))
        })
        .await
    }

    /// Ids, versions and change numbers of the actions changed after `change`.
    async fn changed_since(&self, change: i64) -> Result<Vec<Notice>, StoreError> {
        timed(async {
            let conn = self.pool.get().await?;
            let rows = conn
                .query(
                    "SELECT id, version, change FROM tianshu_actions WHERE change > $1
                     ORDER BY change LIMIT $2",
                    &[&change, &SWEEP_BATCH],
                )
                .await
                .map_err(pg)?;
            conn.finish();
            Ok(rows
                .iter()
                .map(|r| Notice {
                    id: r.get(0),
                    version: r.get(1),
                    change: r.get(2),
                })
                .collect())
        })
        .await
    }
}

async fn timed<T>(work: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    tokio::time::timeout(OP_TIMEOUT, work)
        .await
        .map_err(|_| late("a PostgreSQL operation"))?
}

fn audit_row(row: &tokio_postgres::Row) -> Result<AuditEntry, StoreError> {
    let mut entry: AuditEntry = serde_json::from_str(row.get::<_, &str>(1))?;
    entry.id = u64::try_from(row.get::<_, i64>(0)).unwrap_or(0);
    Ok(entry)
}

/// The action's row, locked for this transaction (`None`: no such action).
async fn lock_action(tx: &Transaction<'_>, action_id: u64) -> Result<Option<Action>, StoreError> {
    let id = i64::try_from(action_id).unwrap_or(i64::MAX);
    let row = tx
        .query_opt(
            "SELECT json FROM tianshu_actions WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await
        .map_err(pg)?;
    Ok(match row {
        Some(row) => Some(serde_json::from_str(row.get::<_, &str>(0))?),
        None => None,
    })
}

/// A new action id from the shared sequence.
async fn next_action_id(tx: &Transaction<'_>) -> Result<u64, StoreError> {
    let id: i64 = tx
        .query_one("SELECT nextval('tianshu_action_ids')", &[])
        .await
        .map_err(pg)?
        .get(0);
    u64::try_from(id)
        .map_err(|_| StoreError::Postgres(format!("sequence tianshu_action_ids gave {id}")))
}

/// Writes an action (insert or update), appends its audit entries (ids assigned here) and
/// announces the change on `CHANNEL`, all inside `tx`.
async fn write_change(
    tx: &Transaction<'_>,
    action: &Action,
    entries: Vec<AuditEntry>,
    insert: bool,
) -> Result<Vec<AuditEntry>, StoreError> {
    let id = i64::try_from(action.id).map_err(|_| StoreError::Postgres("id too large".into()))?;
    let version = i64::try_from(action.version)
        .map_err(|_| StoreError::Postgres("version too large".into()))?;
    let json = serde_json::to_string(action)?;
    let sql = if insert {
        "INSERT INTO tianshu_actions (id, version, change, json, open)
         VALUES ($1, $2, nextval('tianshu_changes'), $3, $4) RETURNING change"
    } else {
        "UPDATE tianshu_actions SET version = $2, change = nextval('tianshu_changes'), json = $3,
         open = $4 WHERE id = $1 RETURNING change"
    };
    let change: i64 = tx
        .query_one(sql, &[&id, &version, &json, &action.is_open()])
        .await
        .map_err(pg)?
        .get(0);
    let mut out = Vec::with_capacity(entries.len());
    for mut entry in entries {
        let entry_version = entry
            .after
            .get("version")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(version);
        entry.id = 0;
        let audit_id: i64 = tx
            .query_one(
                "INSERT INTO tianshu_audit (action_id, version, json) VALUES ($1, $2, $3)
                 RETURNING id",
                &[&id, &entry_version, &serde_json::to_string(&entry)?],
            )
            .await
            .map_err(pg)?
            .get(0);
        entry.id = u64::try_from(audit_id).unwrap_or(0);
        out.push(entry);
    }
    tx.execute(
        "SELECT pg_notify($1, $2)",
        &[&CHANNEL, &format!("{id} {version} {change}")],
    )
    .await
    .map_err(pg)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
