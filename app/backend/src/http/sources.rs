//! Sources over HTTP: what feeds the figures (`GET /sources`) and the push of samples and stage
//! changes (`POST /ingest`, `POST /ingest/stages.csv`) by users with role `source`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};

use super::{AppState, HttpError, authorize, now_ms};
use crate::api::{
    ApiError, IngestBatch, IngestReceipt, Principal, Role, Sources, StagePush, Technology,
    UpgradeStage,
};
use crate::sources::ingest::BatchError;

/// Every source of figures (the simulator, a world directory, Prometheus, pushes), its health
/// and what it provides, and what is still simulated.
#[utoipa::path(get, path = "/api/v1/sources", security(("bearer" = [])),
    responses((status = 200, body = Sources), (status = 401, body = ApiError)))]
pub(super) async fn sources(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Sources>, HttpError> {
    authorize(&state, &headers)?;
    Ok(Json(state.world().sources_report()))
}

/// Pushes a batch of samples (`entity` `link:ID` | `cluster:ID` | `metro:ID` | `factory:ID`,
/// `metric`, `value`, optional `t`) and enterprise stage changes (role `source`). Good samples
/// are applied before the answer, bad ones listed by index with a code; a batch id sent again
/// gets its first answer (`replayed`), the same id with other contents is 422.
#[utoipa::path(post, path = "/api/v1/ingest", request_body = IngestBatch, security(("bearer" = [])),
    responses((status = 200, body = IngestReceipt, description = "applied (see `rejected`)"),
              (status = 401, body = ApiError), (status = 403, body = ApiError, description = "not a source"),
              (status = 413, body = ApiError), (status = 422, body = ApiError, description = "bad batch or reused batch id")))]
pub(super) async fn ingest(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<IngestBatch>, JsonRejection>,
) -> Result<Json<IngestReceipt>, HttpError> {
    let who = authorize(&state, &headers)?;
    let source = source_id(&state, &who)?;
    let Json(batch) = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!(
                    "a batch may be at most {} bytes; send smaller batches",
                    crate::guard::MAX_INGEST_BODY_BYTES
                ),
            )
        } else {
            HttpError::from(r)
        }
    })?;
    apply(&state, &source, &batch)
}

/// Enterprise stage changes as CSV (`factory_id,stage[,technologies][,t]`, header first;
/// technologies separated by `;`): the registry's progress data as a file. Answered like
/// `POST /ingest`; the batch id is the `Idempotency-Key` header.
#[utoipa::path(post, path = "/api/v1/ingest/stages.csv", request_body(content = String, content_type = "text/csv"),
    security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "the batch id")),
    responses((status = 200, body = IngestReceipt), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub(super) async fn ingest_stages_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<IngestReceipt>, HttpError> {
    let who = authorize(&state, &headers)?;
    let source = source_id(&state, &who)?;
    let batch_id = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let stages = stages_from_csv(&body)?;
    let batch = IngestBatch {
        batch_id,
        samples: Vec::new(),
        stages,
    };
    apply(&state, &source, &batch)
}

fn apply(
    state: &AppState,
    source: &str,
    batch: &IngestBatch,
) -> Result<Json<IngestReceipt>, HttpError> {
    let result = state.world().ingest(source, batch, now_ms());
    match result {
        Ok(receipt) => {
            // A replayed batch was counted when it was applied.
            if !receipt.replayed {
                state.metrics.record_ingest(
                    source,
                    receipt.accepted,
                    receipt.rejected.len() as u64,
                );
            }
            Ok(Json(receipt))
        }
        Err(e) => {
            let code = match e {
                BatchError::BadBatchId => "bad_batch_id",
                BatchError::TooLarge { .. } => "batch_too_large",
                BatchError::Reused(_) => "batch_id_reused",
            };
            Err(HttpError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                e.to_string(),
            ))
        }
    }
}

/// The source id of a pushing user: its name (`push` for the open local user).
fn source_id(state: &AppState, who: &Principal) -> Result<String, HttpError> {
    match who.role {
        Role::Source => Ok(format!("push:{}", who.user)),
        _ if state.tokens.is_open() => Ok("push".into()),
        role => Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "not_a_source",
            format!(
                "only users with role `source` may push samples; this token is a {}",
                role.as_str()
            ),
        )),
    }
}

/// Parses the stage CSV; a malformed row refuses the whole upload with its line.
fn stages_from_csv(body: &[u8]) -> Result<Vec<StagePush>, HttpError> {
    let bad = |line: u64, message: String| {
        HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_csv",
            format!("line {line}: {message}"),
        )
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(body);
    let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id_col), Some(stage_col)) = (col("factory_id"), col("stage")) else {
        return Err(bad(1, "the header must name factory_id and stage".into()));
    };
    let (tech_col, t_col) = (col("technologies"), col("t"));
    let mut out = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| bad(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let factory_id = field(Some(id_col))
            .parse::<u32>()
            .map_err(|_| bad(line, "factory_id must be a whole number".into()))?;
        let stage = parse_enum::<UpgradeStage>(field(Some(stage_col)))
            .filter(|s| *s != UpgradeStage::Unknown)
            .ok_or_else(|| {
                bad(
                    line,
                    "stage must be planned, assessing, deploying or upgraded".into(),
                )
            })?;
        let technologies = match field(tech_col) {
            "" => None,
            list => Some(
                list.split(';')
                    .map(|t| {
                        parse_enum::<Technology>(t.trim())
                            .filter(|t| *t != Technology::Unknown)
                            .ok_or_else(|| bad(line, format!("unknown technology {t:?}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let t = match field(t_col) {
            "" => None,
            v => Some(
                v.parse::<i64>()
                    .map_err(|_| bad(line, "t must be Unix milliseconds".into()))?,
            ),
        };
        out.push(StagePush {
            factory_id,
            stage,
            technologies,
            t,
        });
    }
    Ok(out)
}

fn parse_enum<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}
