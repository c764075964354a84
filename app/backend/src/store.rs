//! Durable record of actions, decisions and the audit trail (SQLite, WAL). Several replicas
//! share PostgreSQL instead: `backend::pg`, same tables and the same rules.
//!
//! One implementation of `action_store::ActionStore`: owns the schema and the transactions; the
//! rules of deciding are `decisions` and `gateway_rules`, run here on the row as stored. Every
//! write is one transaction, so a crash loses nothing that was acknowledged.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::action_store::{
    AgentWrite, AgentWritten, DecideError, Decided, Loaded, Refused, report_on,
};
use crate::api::{Action, AuditEntry, DecisionRequest, DecisionResponse, UnixMs};
use crate::auth::Principal;
use crate::decisions;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored record is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error(
        "cannot use {path} as the database: {reason} (the file and its folder must be writable \
         and the disk must have room; or run with --memory)"
    )]
    Unusable { path: String, reason: String },
    /// PostgreSQL refused, failed or did not answer in time (see `backend::pg`).
    #[error("PostgreSQL: {0}")]
    Postgres(String),
}

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (or creates) the database file; `None` keeps everything in memory.
    pub fn open(path: Option<&Path>) -> Result<Self, StoreError> {
        let Some(path) = path else {
            return Self::init(Connection::open_in_memory()?);
        };
        let unusable = |reason: String| StoreError::Unusable {
            path: path.display().to_string(),
            reason,
        };
        let conn = Connection::open(path).map_err(|e| unusable(e.to_string()))?;
        // A read-only file opens without complaint and fails at the first write: refuse it now,
        // before anything is acknowledged.
        if conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| unusable(e.to_string()))?
        {
            return Err(unusable("it is read-only".into()));
        }
        let store = Self::init(conn).map_err(|e| unusable(e.to_string()))?;
        // Prove a write goes through (folder writable for the WAL, room on the disk).
        store
            .conn
            .execute_batch(
                "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
                 INSERT INTO meta (key, value) VALUES ('opened', datetime('now'))
                   ON CONFLICT(key) DO UPDATE SET value = excluded.value;
                 COMMIT;",
            )
            .map_err(|e| {
                let _ = store.conn.execute_batch("ROLLBACK;");
                unusable(e.to_string())
            })?;
        Ok(store)
    }

    /// While `refuse` is true every write fails, as on a full disk or a file turned read-only
    /// (SQLite's `query_only`); fault tests play those with it.
    pub fn refuse_writes(&self, refuse: bool) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "query_only", refuse)?;
        Ok(())
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: an acknowledged decision is on disk before the answer leaves, even on power loss.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS actions (id INTEGER PRIMARY KEY, json TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS decisions (
                 idempotency_key TEXT PRIMARY KEY, action_id INTEGER NOT NULL,
                 request TEXT NOT NULL, response TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS agent_requests (
                 agent TEXT NOT NULL, idempotency_key TEXT NOT NULL, action_id INTEGER NOT NULL,
                 request TEXT NOT NULL, PRIMARY KEY (agent, idempotency_key));",
        )?;
        Ok(Self { conn })
    }

    /// Every action ever stored, oldest first (a single backend keeps them all).
    pub fn load(&self) -> Result<Loaded, StoreError> {
        let mut stmt = self.conn.prepare("SELECT json FROM actions ORDER BY id")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut actions = Vec::new();
        for row in rows {
            actions.push(serde_json::from_str(&row?)?);
        }
        Ok(Loaded {
            actions,
            newest_change: 0,
            closed_below: 0,
        })
    }

    /// Audit entries older than `before` (all when `None`), newest first.
    pub fn audit_page(
        &self,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
        let mut stmt = self
            .conn
            .prepare("SELECT json FROM audit WHERE id < ?1 ORDER BY id DESC LIMIT ?2")?;
        let rows = stmt.query_map(params![before, limit], |row| row.get::<_, String>(0))?;
        let mut entries = Vec::new();
        for row in rows {
            entries.push(serde_json::from_str(&row?)?);
        }
        Ok(entries)
    }

    /// Records a decision exactly once per idempotency key, in one transaction: the key is
    /// looked up, the rules of `decisions` run on the action as stored, and the action, the
    /// audit entry and the idempotency record stand or fall together.
    pub fn decide(
        &self,
        action_id: u64,
        request: &DecisionRequest,
        who: &Principal,
        now: UnixMs,
    ) -> Result<Decided, Refused> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let recorded = tx
            .query_row(
                "SELECT action_id, request, response FROM decisions WHERE idempotency_key = ?1",
                params![request.idempotency_key],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()
            .map_err(StoreError::from)?;
        if let Some((recorded_id, recorded_request, response)) = recorded {
            let same_action = u64::try_from(recorded_id) == Ok(action_id);
            let same_request =
                serde_json::from_str::<DecisionRequest>(&recorded_request)? == *request;
            if same_action && same_request {
                let mut response: DecisionResponse = serde_json::from_str(&response)?;
                response.replayed = true;
                return Ok(Decided::Replayed(response));
            }
            return Err(DecideError::KeyReused(request.idempotency_key.clone()).into());
        }
        let action = read_action(&tx, action_id)?.ok_or(DecideError::NotFound(action_id))?;
        let outcome = match decisions::decide(&action, request, who, now) {
            Ok(outcome) => outcome,
            Err(rule) => {
                return Err(Refused {
                    error: DecideError::Rule(rule),
                    current: Some(Box::new(action)),
                });
            }
        };
        upsert_action(&tx, &outcome.action)?;
        let audit = insert_audit(&tx, outcome.audit)?;
        let response = DecisionResponse {
            action: outcome.action,
            audit_id: audit.id,
            replayed: false,
        };
        tx.execute(
            "INSERT INTO decisions (idempotency_key, action_id, request, response) VALUES (?1, ?2, ?3, ?4)",
            params![
                request.idempotency_key,
                action_id as i64,
                serde_json::to_string(request)?,
                serde_json::to_string(&response)?
            ],
        )
        .map_err(StoreError::from)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(Decided::Applied {
            response,
            audit: Box::new(audit),
        })
    }

    /// Applies the action clock to one action as stored (expiry, the end of its veto window),
    /// in one transaction. `None` when it is not due (any more).
    pub fn close_due(
        &self,
        action_id: u64,
        now: UnixMs,
    ) -> Result<Option<(Action, Vec<AuditEntry>)>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let Some(action) = read_action(&tx, action_id)? else {
            return Ok(None);
        };
        let Some(outcome) = decisions::close_on_timeout(&action, now) else {
            return Ok(None);
        };
        let audit = write_change(&tx, &outcome.action, vec![outcome.audit])?;
        tx.commit()?;
        Ok(Some((outcome.action, audit)))
    }
}

impl Store {
    /// A recorded request of this agent under this key, answered as a retry (or refused as a
    /// reused key); `None` when nothing is recorded.
    pub fn agent_lookup(
        &self,
        agent: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> Result<Option<AgentWritten>, StoreError> {
        let Some((action_id, request)) = find_agent_request(&self.conn, agent, key)? else {
            return Ok(None);
        };
        if request != *body {
            return Ok(Some(AgentWritten::KeyReused));
        }
        Ok(Some(match read_action(&self.conn, action_id)? {
            Some(action) => AgentWritten::Replayed(action),
            None => AgentWritten::NotFound(action_id),
        }))
    }

    /// Records an agent's request exactly once per (agent, key), in one transaction: the
    /// record is looked up, the action written (a new id, or the stored row moved on by the
    /// pure rules), its audit appended and the record inserted.
    pub fn agent_write(
        &self,
        agent: &str,
        key: &str,
        body: &serde_json::Value,
        write: AgentWrite<'_>,
        now: UnixMs,
    ) -> Result<AgentWritten, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        if let Some((action_id, request)) = find_agent_request(&tx, agent, key)? {
            if !write.is_recorded_as(action_id, &request, body) {
                return Ok(AgentWritten::KeyReused);
            }
            return Ok(match read_action(&tx, action_id)? {
                Some(action) => AgentWritten::Replayed(action),
                None => AgentWritten::NotFound(action_id),
            });
        }
        let (action, audit) = match write {
            AgentWrite::Propose(action) => {
                let mut action = *action;
                action.id =
                    tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM actions", [], |row| {
                        row.get::<_, i64>(0)
                    })? as u64;
                let audit = write_change(&tx, &action, decisions::proposed(&action, now))?;
                (action, audit)
            }
            AgentWrite::Report {
                action_id,
                request,
                who,
            } => {
                let Some(action) = read_action(&tx, action_id)? else {
                    return Ok(AgentWritten::NotFound(action_id));
                };
                let (next, entry) = match report_on(&action, request, who, now) {
                    Ok(done) => done,
                    Err(rule) => return Ok(AgentWritten::Refused(rule)),
                };
                let audit = write_change(&tx, &next, vec![entry])?;
                (next, audit)
            }
        };
        tx.execute(
            "INSERT INTO agent_requests (agent, idempotency_key, action_id, request) VALUES (?1, ?2, ?3, ?4)",
            params![agent, key, action.id as i64, serde_json::to_string(body)?],
        )?;
        tx.commit()?;
        Ok(AgentWritten::Applied(action, audit))
    }
}

/// The recorded request of an agent under a key: the action it concerns and its body.
fn find_agent_request(
    conn: &Connection,
    agent: &str,
    key: &str,
) -> Result<Option<(u64, serde_json::Value)>, StoreError> {
    let row = conn
        .query_row(
            "SELECT action_id, request FROM agent_requests WHERE agent = ?1 AND idempotency_key = ?2",
            params![agent, key],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
        )
        .optional()?;
    Ok(match row {
        None => None,
        Some((action_id, request)) => Some((action_id as u64, serde_json::from_str(&request)?)),
    })
}

/// One stored action.
fn read_action(conn: &Connection, id: u64) -> Result<Option<Action>, StoreError> {
    let json = conn
        .query_row(
            "SELECT json FROM actions WHERE id = ?1",
            params![id as i64],
            |row| row.get::<_, String>(0),
        )
        .optional()?;
    Ok(match json {
        Some(j) => Some(serde_json::from_str(&j)?),
        None => None,
    })
}

/// Upserts an action and appends its audit entries (ids assigned here), inside `tx`.
fn write_change(
    tx: &Connection,
    action: &Action,
    entries: Vec<AuditEntry>,
) -> Result<Vec<AuditEntry>, StoreError> {
    upsert_action(tx, action)?;
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        out.push(insert_audit(tx, entry)?);
    }
    Ok(out)
}

/// Inserts or replaces an action's row.
fn upsert_action(conn: &Connection, action: &Action) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO actions (id, json) VALUES (?1, ?2)
         ON CONFLICT(id) DO UPDATE SET json = excluded.json",
        params![action.id as i64, serde_json::to_string(action)?],
    )?;
    Ok(())
}

/// Appends one audit row; the id comes from SQLite so it is unique and increasing.
fn insert_audit(conn: &Connection, mut entry: AuditEntry) -> Result<AuditEntry, StoreError> {
    conn.execute("INSERT INTO audit (json) VALUES ('{}')", [])?;
    entry.id = conn.last_insert_rowid() as u64;
    conn.execute(
        "UPDATE audit SET json = ?1 WHERE id = ?2",
        params![serde_json::to_string(&entry)?, entry.id as i64],
    )?;
    Ok(entry)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::api::{ActionKind, ActionState, Decision, ExpiryDefault, Policy, Role};

    fn draft(expires_at: UnixMs) -> Action {
        Action {
            agent_id: "agent-7".into(),
            kind: ActionKind::Reroute,
            target: "link:l1".into(),
            policy: Policy::OneApproval,
            state: ActionState::Pending,
            version: 1,
            created_at: 0,
            expires_at,
            params: serde_json::json!({"shift_gbps": 100}),
            on_expiry: ExpiryDefault::NotExecuted,
            ..Default::default()
        }
    }

    fn propose(store: &Store, key: &str, expires_at: UnixMs) -> Action {
        let body = serde_json::json!({ "key": key });
        match store
            .agent_write(
                "agent-7",
                key,
                &body,
                AgentWrite::Propose(Box::new(draft(expires_at))),
                0,
            )
            .unwrap()
        {
            AgentWritten::Applied(action, audit) => {
                assert_eq!(audit.len(), 1, "one audit entry per proposal");
                action
            }
            _ => panic!("a new proposal is recorded"),
        }
    }

    fn approve(version: u64, key: &str) -> DecisionRequest {
        DecisionRequest {
            decision: Decision::Approve,
            params: None,
            reason: "checked".into(),
            expected_version: version,
            idempotency_key: key.into(),
        }
    }

    /// The rules run on the row as stored, inside the transaction: a second decision on the
    /// same version is a conflict carrying the action as stored, a retry is its record.
    #[test]
    fn decisions_run_the_rules_on_the_stored_row_once_per_key() {
        let store = Store::open(None).unwrap();
        let action = propose(&store, "p1", 10_000);
        assert_eq!(action.id, 1, "ids are the store's");
        let admin = Principal::new("root", Role::Admin);
        let Ok(Decided::Applied { response, audit }) =
            store.decide(action.id, &approve(1, "d1"), &admin, 100)
        else {
            panic!("the first decision is recorded");
        };
        assert_eq!(response.audit_id, audit.id);
        assert_eq!(response.action.version, 2);
        let Ok(Decided::Replayed(replayed)) =
            store.decide(action.id, &approve(1, "d1"), &admin, 200)
        else {
            panic!("a retry is answered from the record");
        };
        assert_eq!(replayed.audit_id, response.audit_id);
        let Err(refused) = store.decide(action.id, &approve(1, "d2"), &admin, 300) else {
            panic!("a stale version is refused");
        };
        assert!(matches!(refused.error, DecideError::Rule(_)));
        assert_eq!(refused.current.map(|a| a.version), Some(2));
        let Err(reused) = store.decide(action.id, &approve(2, "d1"), &admin, 300) else {
            panic!("a key carries one decision");
        };
        assert!(matches!(reused.error, DecideError::KeyReused(_)));
        let Err(missing) = store.decide(99, &approve(1, "d3"), &admin, 300) else {
            panic!("no such action");
        };
        assert!(matches!(missing.error, DecideError::NotFound(99)));
        assert_eq!(store.audit_page(None, 10).unwrap().len(), 2);
    }

    /// The clock closes an action once; an agent's retry is its record, another body under
    /// the same key is refused.
    #[test]
    fn closing_and_agent_requests_happen_once() {
        let store = Store::open(None).unwrap();
        let action = propose(&store, "p1", 1_000);
        assert!(
            store.close_due(action.id, 500).unwrap().is_none(),
            "not due"
        );
        let (closed, audit) = store.close_due(action.id, 1_000).unwrap().unwrap();
        assert_eq!(closed.state, ActionState::Expired);
        assert_eq!(audit.len(), 1);
        assert!(
            store.close_due(action.id, 2_000).unwrap().is_none(),
            "closed once"
        );
        let body = serde_json::json!({ "key": "p1" });
        assert!(matches!(
            store.agent_lookup("agent-7", "p1", &body).unwrap(),
            Some(AgentWritten::Replayed(a)) if a.state == ActionState::Expired
        ));
        assert!(matches!(
            store
                .agent_lookup("agent-7", "p1", &serde_json::json!({}))
                .unwrap(),
            Some(AgentWritten::KeyReused)
        ));
        assert!(
            store
                .agent_lookup("agent-8", "p1", &body)
                .unwrap()
                .is_none()
        );
        let second = propose(&store, "p2", 1_000);
        assert_eq!(second.id, 2);
        assert_eq!(store.load().unwrap().actions.len(), 2);
    }
}
