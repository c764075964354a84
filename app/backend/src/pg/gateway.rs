//! Agents' requests on the shared store: a proposal or an outcome report recorded exactly once
//! across every replica, whichever one it reaches.
//!
//! One transaction per request: a transaction-level advisory lock on (agent, key) makes a retry
//! that reaches another replica at the same moment wait for the first and answer from its record;
//! then the record is looked up, the action written (a new id from the shared sequence, or the
//! locked row moved on by the pure rules), its audit appended and the record inserted, with the
//! notification that fans the change out to the other replicas.

use crate::action_store::{AgentWrite, AgentWritten, report_on};
use crate::api::{UnixMs, decisions};
use crate::store::StoreError;

use super::{Shared, lock_action, next_action_id, pg, timed, write_change};

impl Shared {
    /// A recorded request of this agent under this key, answered as a retry (or refused as a
    /// reused key); `None` when nothing is recorded.
    pub async fn agent_lookup(
        &self,
        agent: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> Result<Option<AgentWritten>, StoreError> {
        timed(async {
            let conn = self.pool.get().await?;
            let row = conn
                .query_opt(
                    "SELECT r.request, a.json FROM tianshu_agent_requests r
                     JOIN tianshu_actions a ON a.id = r.action_id
                     WHERE r.agent = $1 AND r.idempotency_key = $2",
                    &[&agent, &key],
                )
                .await
                .map_err(pg)?;
            conn.finish();
            let Some(row) = row else {
                return Ok(None);
            };
            if serde_json::from_str::<serde_json::Value>(row.get::<_, &str>(0))? != *body {
                return Ok(Some(AgentWritten::KeyReused));
            }
            Ok(Some(AgentWritten::Replayed(serde_json::from_str(
                row.get::<_, &str>(1),
            )?)))
        })
        .await
    }

    /// Records an agent's request exactly once per (agent, key) across replicas.
    pub async fn agent_write(
        &self,
        agent: &str,
        key: &str,
        body: &serde_json::Value,
        write: AgentWrite<'_>,
        now: UnixMs,
    ) -> Result<AgentWritten, StoreError> {
        timed(async {
            let mut conn = self.pool.get().await?;
            let tx = conn.transaction().await.map_err(pg)?;
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                &[&format!("{agent}\u{1f}{key}")],
            )
            .await
            .map_err(pg)?;
            let recorded = tx
                .query_opt(
                    "SELECT action_id, request FROM tianshu_agent_requests
                     WHERE agent = $1 AND idempotency_key = $2",
                    &[&agent, &key],
                )
                .await
                .map_err(pg)?;
            if let Some(row) = recorded {
                let action_id: i64 = row.get(0);
                let recorded_body: serde_json::Value = serde_json::from_str(row.get::<_, &str>(1))?;
                let recorded_id = u64::try_from(action_id).unwrap_or(u64::MAX);
                if !write.is_recorded_as(recorded_id, &recorded_body, body) {
                    return Ok(AgentWritten::KeyReused);
                }
                let row = tx
                    .query_opt(
                        "SELECT json FROM tianshu_actions WHERE id = $1",
                        &[&action_id],
                    )
                    .await
                    .map_err(pg)?;
                let Some(row) = row else {
                    return Ok(AgentWritten::NotFound(
                        u64::try_from(action_id).unwrap_or(0),
                    ));
                };
                return Ok(AgentWritten::Replayed(serde_json::from_str(
                    row.get::<_, &str>(0),
                )?));
            }
            let (action, audit) = match write {
                AgentWrite::Propose(action) => {
                    let mut action = *action;
                    action.id = next_action_id(&tx).await?;
                    let audit =
                        write_change(&tx, &action, decisions::proposed(&action, now), true).await?;
                    (action, audit)
                }
                AgentWrite::Report {
                    action_id,
                    request,
                    who,
                } => {
                    let Some(action) = lock_action(&tx, action_id).await? else {
                        return Ok(AgentWritten::NotFound(action_id));
                    };
                    let (next, entry) = match report_on(&action, request, who, now) {
                        Ok(done) => done,
                        Err(rule) => return Ok(AgentWritten::Refused(rule)),
                    };
                    let audit = write_change(&tx, &next, vec![entry], false).await?;
                    (next, audit)
                }
            };
            tx.execute(
                "INSERT INTO tianshu_agent_requests (agent, idempotency_key, action_id, request)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &agent,
                    &key,
                    &i64::try_from(action.id).unwrap_or(i64::MAX),
                    &serde_json::to_string(body)?,
                ],
            )
            .await
            .map_err(pg)?;
            tx.commit().await.map_err(pg)?;
            conn.finish();
            Ok(AgentWritten::Applied(action, audit))
        })
        .await
    }
}
