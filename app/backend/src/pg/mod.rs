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

use futures_util::StreamExt as _;
use tokio::sync::{Semaphore, SemaphorePermit, mpsc, watch};
use tokio_postgres::error::SqlState;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls, Transaction};

use crate::api::{Action, AuditEntry, DecisionRequest, DecisionResponse, UnixMs};

use super::auth::Principal;
use super::decisions;
use super::store::StoreError;
use super::world::{DecideError, World};

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

mod gateway;
pub use gateway::{AgentWrite, AgentWritten};

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

fn pg(e: tokio_postgres::Error) -> StoreError {
    use std::error::Error as _;
    if let Some(db) = e.as_db_error() {
        return StoreError::Postgres(format!("{} ({})", db.message(), db.code().code()));
    }
    match e.source() {
        Some(source) => StoreError::Postgres(format!("{e}: {source}")),
        None => StoreError::Postgres(e.to_string()),
    }
}

fn late(what: &str) -> StoreError {
    StoreError::Postgres(format!(
        "{what} did not finish within {} s",
        OP_TIMEOUT.as_secs()
    ))
}

/// `user@host:port/db` of a config, without the password (for logs and errors).
fn describe(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map_or_else(String::new, |h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        });
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("?"),
        config.get_dbname().unwrap_or("")
    )
}

/// Server settings every session gets, before the URL's own `options` (later `-c` wins, so an
/// operator can still change any of them): a replica waits at most 5 s for another's lock, a
/// stuck statement ends, and the server drops a session whose peer went silent within about
/// 25 s (keepalives) — which frees a dead leader's advisory lock, so a follower takes over in
/// seconds rather than after the kernel's default of hours.
const SERVER_OPTIONS: &str = "-c lock_timeout=5000 -c statement_timeout=10000 \
     -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 \
     -c tcp_user_timeout=15000";

/// Connection settings of every session: timeouts, client keepalives (a replica notices a dead
/// server the same way) and `SERVER_OPTIONS` merged with the URL's `options`.
fn harden(config: &mut Config) {
    config.connect_timeout(CONNECT_TIMEOUT);
    config.application_name("tianshu serve");
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(10));
    config.keepalives_interval(Duration::from_secs(5));
    config.keepalives_retries(3);
    config.tcp_user_timeout(Duration::from_secs(15));
    let options = match config.get_options() {
        Some(own) if !own.trim().is_empty() => format!("{SERVER_OPTIONS} {own}"),
        _ => SERVER_OPTIONS.to_owned(),
    };
    config.options(options);
}

/// `user@host:port/db` of a `--db` URL, without the password (the console's store label);
/// `PostgreSQL` alone when the URL does not parse (the connection then says why).
pub fn describe_url(url: &str) -> String {
    Config::from_str(url).map_or_else(
        |_| "PostgreSQL".into(),
        |c| format!("PostgreSQL {}", describe(&c)),
    )
}

/// A few connections, made on demand and dropped when broken.
struct Pool {
    config: Config,
    idle: Mutex<Vec<Client>>,
    permits: Semaphore,
}

/// A pooled connection. It goes back to the pool only when its operation said it completed
/// (`finish`); one dropped mid-operation (a timeout, an error) is closed instead, since requests
/// it sent may still be queued on it.
struct Conn<'a> {
    client: Option<Client>,
    pool: &'a Pool,
    completed: bool,
    _permit: SemaphorePermit<'a>,
}

impl Conn<'_> {
    /// The operation completed: the connection is idle and may serve another.
    fn finish(mut self) {
        self.completed = true;
    }
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        // Present from `get` until `drop`.
        self.client.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if !self.completed {
            return;
        }
        if let Some(client) = self.client.take().filter(|c| !c.is_closed()) {
            let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < POOL_SIZE {
                idle.push(client);
            }
        }
    }
}

/// Opens one connection; its I/O runs on a task of its own until it closes.
async fn connect(config: &Config) -> Result<Client, StoreError> {
    let (client, connection) = tokio::time::timeout(CONNECT_TIMEOUT, config.connect(NoTls))
        .await
        .map_err(|_| {
            StoreError::Postgres(format!(
                "no answer from {} within {} s",
                describe(config),
                CONNECT_TIMEOUT.as_secs()
            ))
        })?
        .map_err(pg)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("PostgreSQL connection ended: {e}");
        }
    });
    Ok(client)
}

impl Pool {
    async fn get(&self) -> Result<Conn<'_>, StoreError> {
        let permit = tokio::time::timeout(OP_TIMEOUT, self.permits.acquire())
            .await
            .map_err(|_| late("waiting for a PostgreSQL connection"))?
            .map_err(|_| StoreError::Postgres("the connection pool is closed".into()))?;
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.retain(|c| !c.is_closed());
            idle.pop()
        };
        let client = match reused {
            Some(client) => client,
            None => connect(&self.config).await?,
        };
        Ok(Conn {
            client: Some(client),
            pool: self,
            completed: false,
            _permit: permit,
        })
    }
}

/// What `Shared::load_actions` read.
pub struct Loaded {
    /// The open actions and the newest closed ones, oldest first.
    pub actions: Vec<Action>,
    /// The newest change number (where the listener's first sweep starts).
    pub newest_change: i64,
    /// Every closed action with a lower id was left in PostgreSQL (`World::closed_below`).
    pub closed_below: u64,
}

/// A decision as PostgreSQL recorded it.
pub enum Decided {
    /// The idempotency key was already used for this very decision: its recorded answer.
    Replayed(DecisionResponse),
    /// Newly recorded: the answer (with the action as it is now) and the audit entry, to apply
    /// to the world.
    Applied {
        response: DecisionResponse,
        audit: Box<AuditEntry>,
    },
}

/// A refused decision, with the action as stored when the refusal was a conflict.
pub struct Refused {
    pub error: DecideError,
    pub current: Option<Action>,
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Self {
            error: DecideError::Store(e),
            current: None,
        }
    }
}

impl From<serde_json::Error> for Refused {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e).into()
    }
}

impl From<tokio_postgres::Error> for Refused {
    fn from(e: tokio_postgres::Error) -> Self {
        pg(e).into()
    }
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

    /// Records a decision exactly once across every replica (see the module's notes).
    pub async fn decide(
        &self,
        action_id: u64,
        request: &DecisionRequest,
        who: &Principal,
        now: UnixMs,
    ) -> Result<Decided, Refused> {
        // A key used at the same moment for another action collides on the primary key; the
        // second try finds the first's record and answers from it.
        for attempt in 0..2 {
            let committing = AtomicBool::new(false);
            let result = tokio::time::timeout(
                OP_TIMEOUT,
                self.decide_once(action_id, request, who, now, &committing),
            )
            .await
            .map_err(|_| {
                let why = late("the decision").to_string();
                if committing.load(Ordering::Acquire) {
                    // COMMIT was sent: PostgreSQL may have recorded it.
                    Refused::from(DecideError::OutcomeUnknown(why))
                } else {
                    Refused::from(DecideError::Store(StoreError::Postgres(why)))
                }
            })?;
            match result {
                Err(Attempt::KeyTaken) if attempt == 0 => continue,
                Err(Attempt::KeyTaken) => {
                    return Err(DecideError::KeyReused(request.idempotency_key.clone()).into());
                }
                Err(Attempt::Refused(r)) => return Err(*r),
                Ok(decided) => return Ok(decided),
            }
        }
        Err(DecideError::KeyReused(request.idempotency_key.clone()).into())
    }

    async fn decide_once(
        &self,
        action_id: u64,
        request: &DecisionRequest,
        who: &Principal,
        now: UnixMs,
        committing: &AtomicBool,
    ) -> Result<Decided, Attempt> {
        let mut conn = self.pool.get().await.map_err(Refused::from)?;
        let tx = conn.transaction().await.map_err(Refused::from)?;
        let id = i64::try_from(action_id).map_err(|_| DecideError::NotFound(action_id))?;
        let row = tx
            .query_opt(
                "SELECT json FROM tianshu_actions WHERE id = $1 FOR UPDATE",
                &[&id],
            )
            .await
            .map_err(Refused::from)?;
        // Under the row lock: a concurrent retry of this key waited for the first to commit.
        let recorded = tx
            .query_opt(
                "SELECT action_id, request, response FROM tianshu_decisions
                 WHERE idempotency_key = $1",
                &[&request.idempotency_key],
            )
            .await
            .map_err(Refused::from)?;
        if let Some(recorded) = recorded {
            let same_action = recorded.get::<_, i64>(0) == id;
            let same_request = serde_json::from_str::<DecisionRequest>(recorded.get::<_, &str>(1))
                .map_err(Refused::from)?
                == *request;
            if same_action && same_request {
                let mut response: DecisionResponse =
                    serde_json::from_str(recorded.get::<_, &str>(2)).map_err(Refused::from)?;
                response.replayed = true;
                return Ok(Decided::Replayed(response));
            }
            return Err(DecideError::KeyReused(request.idempotency_key.clone()).into());
        }
        let row = row.ok_or(DecideError::NotFound(action_id))?;
        let action: Action = serde_json::from_str(row.get::<_, &str>(0)).map_err(Refused::from)?;
        let outcome = match decisions::decide(&action, request, who, now) {
            Ok(outcome) => outcome,
            Err(rule) => {
                return Err(Refused {
                    error: DecideError::Rule(rule),
                    current: Some(action),
                }
                .into());
            }
        };
        let mut audit = write_change(&tx, &outcome.action, vec![outcome.audit], false)
            .await
            .map_err(Refused::from)?;
        let audit = audit
            .pop()
            .ok_or_else(|| Refused::from(StoreError::Postgres("no audit id returned".into())))?;
        let response = DecisionResponse {
            action: outcome.action.clone(),
            audit_id: audit.id,
            replayed: false,
        };
        let inserted = tx
            .execute(
                "INSERT INTO tianshu_decisions (idempotency_key, action_id, request, response)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &request.idempotency_key,
                    &id,
                    &serde_json::to_string(request).map_err(Refused::from)?,
                    &serde_json::to_string(&response).map_err(Refused::from)?,
                ],
            )
            .await;
        match inserted {
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                return Err(Attempt::KeyTaken);
            }
            other => {
                other.map_err(Refused::from)?;
            }
        }
        committing.store(true, Ordering::Release);
        if let Err(e) = tx.commit().await {
            // The server's own refusal means nothing was recorded; a lost connection leaves it
            // open whether the commit got through.
            return Err(if e.as_db_error().is_some() {
                Refused::from(e).into()
            } else {
                DecideError::OutcomeUnknown(pg(e).to_string()).into()
            });
        }
        conn.finish();
        Ok(Decided::Applied {
            response,
            audit: Box::new(audit),
        })
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

enum Attempt {
    KeyTaken,
    Refused(Box<Refused>),
}

impl From<Refused> for Attempt {
    fn from(r: Refused) -> Self {
        Self::Refused(Box::new(r))
    }
}

impl From<DecideError> for Attempt {
    fn from(e: DecideError) -> Self {
        Self::Refused(Box::new(e.into()))
    }
}

impl From<DecideError> for Refused {
    fn from(error: DecideError) -> Self {
        Self {
            error,
            current: None,
        }
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

/// One announced change: `id version change`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Notice {
    id: i64,
    version: i64,
    change: i64,
}

impl Notice {
    fn parse(payload: &str) -> Option<Self> {
        let mut parts = payload.split(' ').map(str::parse::<i64>);
        let notice = Self {
            id: parts.next()?.ok()?,
            version: parts.next()?.ok()?,
            change: parts.next()?.ok()?,
        };
        parts.next().is_none().then_some(notice)
    }
}

fn lock(world: &Mutex<World>) -> std::sync::MutexGuard<'_, World> {
    world.lock().unwrap_or_else(|p| p.into_inner())
}

/// Re-reads an announced action and applies it to the world unless it already has it.
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
            lock(world).apply_stored(action, audit, super::http::now_ms());
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("cannot read action {action_id}: {e}"),
    }
}

async fn apply_notice(shared: &Shared, world: &Mutex<World>, notice: Notice) {
    let Ok(id) = u64::try_from(notice.id) else {
        return;
    };
    let known = lock(world).action_version(id).unwrap_or(0);
    if i64::try_from(known).unwrap_or(i64::MAX) >= notice.version {
        return;
    }
    match shared.fetch(notice.id, known).await {
        Ok(Some((action, audit))) => {
            lock(world).apply_stored(action, audit, super::http::now_ms());
        }
        Ok(None) => tracing::warn!("announced action {id} is not in PostgreSQL"),
        Err(e) => tracing::warn!("cannot read announced action {id}: {e}"),
    }
}

/// Runs a replica's share of the work until `stop`: the simulation ticks (and, while leading,
/// proposals and the action clock), the listener and the leader election.
pub async fn run(
    shared: Arc<Shared>,
    world: Arc<Mutex<World>>,
    tick: Duration,
    dt_sim_s: f64,
    newest_change: i64,
    stop: watch::Receiver<bool>,
) {
    tokio::join!(
        ticker(&shared, &world, tick, dt_sim_s, stop.clone()),
        listener(&shared, &world, newest_change, stop.clone()),
        election(&shared, stop),
    );
}

async fn ticker(
    shared: &Shared,
    world: &Mutex<World>,
    tick: Duration,
    dt_sim_s: f64,
    mut stop: watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => return,
            _ = interval.tick() => {}
        }
        let now = super::http::now_ms();
        let leading = shared.is_leader();
        let (proposals, due) = {
            let mut w = lock(world);
            let proposals = w.step(dt_sim_s, now);
            if !leading {
                // Followers' simulators propose too (same seed); the leader's proposals count.
                continue;
            }
            let room = w.room_for_proposals();
            // Through the gateway, like every agent's: checked and drafted by its rules here,
            // recorded once in PostgreSQL under a key of its own.
            let proposals: Vec<(String, String, serde_json::Value, Action)> = proposals
                .into_iter()
                .take(room)
                .filter_map(|p| {
                    let agent = p.agent_id.clone();
                    let key = format!("sim-{}", uuid::Uuid::new_v4());
                    let body =
                        serde_json::to_value(w.sim.request_for(p.clone(), key.clone())).ok()?;
                    let draft = w.draft_action(p, now)?;
                    Some((agent, key, body, draft))
                })
                .collect();
            (proposals, w.due(now))
        };
        for (agent, key, body, draft) in proposals {
            match shared
                .agent_write(
                    &agent,
                    &key,
                    &body,
                    AgentWrite::Propose(Box::new(draft)),
                    now,
                )
                .await
            {
                Ok(AgentWritten::Applied(action, audit)) => {
                    lock(world).apply_stored(action, audit, now);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("proposal not stored: {e}"),
            }
        }
        run_sim_agents(shared, world, now).await;
        for id in due {
            match shared.close_due(id, now).await {
                Ok(Some((action, audit))) => {
                    lock(world).apply_stored(action, audit, now);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("action {id} not closed: {e}"),
            }
        }
    }
}

/// The leader's simulator agents carry out their approved actions and undo vetoed ones,
/// reporting through the shared store exactly once (the same reports as on a single backend).
async fn run_sim_agents(shared: &Shared, world: &Mutex<World>, now: UnixMs) {
    let work: Vec<(u64, crate::api::OutcomeRequest, Principal)> = {
        let w = lock(world);
        w.sim_agent_work()
            .into_iter()
            .filter_map(|(id, report)| {
                let agent = w.action(id)?.agent_id;
                Some((id, report, w.sim_agent(&agent)?))
            })
            .collect()
    };
    for (id, report, who) in work {
        let Ok(body) = serde_json::to_value(&report) else {
            continue;
        };
        let write = AgentWrite::Report {
            action_id: id,
            request: &report,
            who: &who,
        };
        match shared
            .agent_write(&who.user, &report.idempotency_key, &body, write, now)
            .await
        {
            Ok(AgentWritten::Applied(action, audit)) => {
                lock(world).apply_stored(action, audit, now);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("simulator agent's report on action {id} not stored: {e}"),
        }
    }
}

/// Resolves once `stop` is set (its guard is not held across an await, unlike `wait_for`'s).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Backoff between reconnects: 0.5 s doubling to 10 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempt.min(5))).min(Duration::from_secs(10))
}

async fn listener(
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
async fn listen_once(
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
fn forward(tx: &mpsc::Sender<Option<Notice>>, behind: &AtomicBool, payload: &str) -> bool {
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
async fn sweep(shared: &Shared, world: &Mutex<World>, newest: &mut i64) -> Result<(), StoreError> {
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
async fn election(shared: &Shared, mut stop: watch::Receiver<bool>) {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
