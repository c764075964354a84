//! Durable record of actions, decisions and the audit trail (SQLite, WAL). Several replicas
//! share PostgreSQL instead: `backend::pg`, same tables and the same rules.
//!
//! Owns the schema and nothing else: the rules of deciding live in `decisions`, the clock and the
//! simulator in `world`. Every write is one statement or one transaction, so a crash loses nothing
//! that was acknowledged.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::api::{Action, AuditEntry, DecisionRequest, DecisionResponse};

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
    /// The local path was used on a world whose store is PostgreSQL (a bug, never input).
    #[error(
        "this backend's store is PostgreSQL, shared with other replicas; changes go through it"
    )]
    Shared,
}

pub struct Store {
    conn: Connection,
}

/// A decision already recorded under an idempotency key.
pub struct RecordedDecision {
    pub action_id: u64,
    pub request: DecisionRequest,
    pub response: DecisionResponse,
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

    pub fn save_action(&self, action: &Action) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO actions (id, json) VALUES (?1, ?2)
             ON CONFLICT(id) DO UPDATE SET json = excluded.json",
            params![action.id as i64, serde_json::to_string(action)?],
        )?;
        Ok(())
    }

    /// One stored action.
    pub fn load_action(&self, id: u64) -> Result<Option<Action>, StoreError> {
        let json = self
            .conn
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

    /// Every action ever stored, oldest first.
    pub fn load_actions(&self) -> Result<Vec<Action>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT json FROM actions ORDER BY id")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut actions = Vec::new();
        for row in rows {
            actions.push(serde_json::from_str(&row?)?);
        }
        Ok(actions)
    }

    /// Saves an action and appends its audit entries in one transaction; returns the entries
    /// with their ids.
    pub fn commit_change(
        &self,
        action: &Action,
        entries: Vec<AuditEntry>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let out = write_change(&tx, action, entries)?;
        tx.commit()?;
        Ok(out)
    }

    /// Appends to the audit trail; the entry's `id` is assigned here.
    pub fn append_audit(&self, entry: AuditEntry) -> Result<AuditEntry, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let entry = insert_audit(&tx, entry)?;
        tx.commit()?;
        Ok(entry)
    }

    /// Audit entries older than `before` (all when `None`), newest first.
    pub fn audit_page(
        &self,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let before = before.map_or(i64::MAX, |b| b as i64);
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

    pub fn find_decision(&self, key: &str) -> Result<Option<RecordedDecision>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT action_id, request, response FROM decisions WHERE idempotency_key = ?1",
                params![key],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()?;
        match row {
            None => Ok(None),
            Some((action_id, request, response)) => Ok(Some(RecordedDecision {
                action_id: action_id as u64,
                request: serde_json::from_str(&request)?,
                response: serde_json::from_str(&response)?,
            })),
        }
    }

    /// Records a decision with its effects in one transaction: the action, the audit entry and the
    /// idempotency record stand or fall together.
    pub fn commit_decision(
        &self,
        request: &DecisionRequest,
        action: &Action,
        audit: AuditEntry,
    ) -> Result<(DecisionResponse, AuditEntry), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO actions (id, json) VALUES (?1, ?2)
             ON CONFLICT(id) DO UPDATE SET json = excluded.json",
            params![action.id as i64, serde_json::to_string(action)?],
        )?;
        let audit = insert_audit(&tx, audit)?;
        let response = DecisionResponse {
            action: action.clone(),
            audit_id: audit.id,
            replayed: false,
        };
        tx.execute(
            "INSERT INTO decisions (idempotency_key, action_id, request, response) VALUES (?1, ?2, ?3, ?4)",
            params![
                request.idempotency_key,
                action.id as i64,
                serde_json::to_string(request)?,
                serde_json::to_string(&response)?
            ],
        )?;
        tx.commit()?;
        Ok((response, audit))
    }
}

/// A proposal or outcome report an agent sent, by its idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedAgentRequest {
    pub action_id: u64,
    /// The request as JSON (a retry must carry the same).
    pub request: serde_json::Value,
}

impl Store {
    pub fn find_agent_request(
        &self,
        agent: &str,
        key: &str,
    ) -> Result<Option<RecordedAgentRequest>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT action_id, request FROM agent_requests WHERE agent = ?1 AND idempotency_key = ?2",
                params![agent, key],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()?;
        match row {
            None => Ok(None),
            Some((action_id, request)) => Ok(Some(RecordedAgentRequest {
                action_id: action_id as u64,
                request: serde_json::from_str(&request)?,
            })),
        }
    }

    /// Records an agent's request with its effect in one transaction: the action, its audit
    /// entries and the idempotency record stand or fall together.
    pub fn commit_agent_request(
        &self,
        agent: &str,
        key: &str,
        request: &serde_json::Value,
        action: &Action,
        entries: Vec<AuditEntry>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let out = write_change(&tx, action, entries)?;
        tx.execute(
            "INSERT INTO agent_requests (agent, idempotency_key, action_id, request) VALUES (?1, ?2, ?3, ?4)",
            params![agent, key, action.id as i64, serde_json::to_string(request)?],
        )?;
        tx.commit()?;
        Ok(out)
    }
}

/// Upserts an action and appends its audit entries (ids assigned here), inside `tx`.
fn write_change(
    tx: &Connection,
    action: &Action,
    entries: Vec<AuditEntry>,
) -> Result<Vec<AuditEntry>, StoreError> {
    tx.execute(
        "INSERT INTO actions (id, json) VALUES (?1, ?2)
         ON CONFLICT(id) DO UPDATE SET json = excluded.json",
        params![action.id as i64, serde_json::to_string(action)?],
    )?;
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        out.push(insert_audit(tx, entry)?);
    }
    Ok(out)
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
