//! Decisions on the shared store: recorded exactly once across every replica, in one
//! transaction on the locked action row (see the parent module's notes).

use std::sync::atomic::{AtomicBool, Ordering};

use tokio_postgres::error::SqlState;

use super::{OP_TIMEOUT, Shared, late, pg, write_change};
use crate::action_store::{DecideError, Decided, Refused};
use crate::api::{Action, DecisionRequest, DecisionResponse, UnixMs};
use crate::auth::Principal;
use crate::decisions;
use crate::store::StoreError;

impl From<tokio_postgres::Error> for Refused {
    fn from(e: tokio_postgres::Error) -> Self {
        pg(e).into()
    }
}

impl Shared {
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
                    current: Some(Box::new(action)),
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
