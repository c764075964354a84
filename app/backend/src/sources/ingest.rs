//! Pushed samples (`POST /api/v1/ingest`): checking a batch sample by sample against the world,
//! and remembering answered batches so a batch sent again is never applied twice.
//!
//! A batch is all-or-something: every good sample is applied, every bad one is listed with its
//! index and reason, and the answer says how many were taken. The batch id is recorded with the
//! answer before the answer leaves, so a retry after a lost answer gets the same answer.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::api::{IngestBatch, IngestReceipt, SampleError, UnixMs, UpgradeStage};

use super::telemetry::{EntityKind, Metric};
use crate::prometheus::parse::clip;

/// Batch ids remembered for replay.
pub const REMEMBERED_BATCHES: usize = 10_000;
/// Refusals a replayed answer lists (the first ones; `accepted` stays exact).
pub const REPLAYED_REJECTIONS: usize = 100;
/// A sample measured further ahead of the server's clock than this is refused, ms.
const MAX_FUTURE_MS: i64 = 5 * 60 * 1000;
/// A sample older than this is refused, ms (a week).
const MAX_AGE_MS: i64 = 7 * 24 * 3600 * 1000;

/// The ids samples may name (pushed or polled).
pub struct EntityIndex<'a> {
    pub links: HashSet<&'a str>,
    pub clusters: HashSet<&'a str>,
    pub metros: HashSet<&'a str>,
    pub factory: Box<dyn Fn(u32) -> bool + 'a>,
    /// Metro latency comes from the Prometheus latency adapter: metro samples are refused.
    pub metros_measured_elsewhere: bool,
}

impl EntityIndex<'_> {
    /// Whether a sample of `kind` for `id` (canonical) may be taken, or why not
    /// (`measured_elsewhere`, `unknown_entity`).
    pub fn admits(&self, kind: EntityKind, id: &str) -> Result<(), &'static str> {
        let known = match kind {
            EntityKind::Link => self.links.contains(id),
            EntityKind::Cluster => self.clusters.contains(id),
            EntityKind::Metro => self.metros.contains(id),
            EntityKind::Factory => id.parse::<u32>().is_ok_and(|n| (self.factory)(n)),
        };
        if !known {
            Err("unknown_entity")
        } else if kind == EntityKind::Metro && self.metros_measured_elsewhere {
            Err("measured_elsewhere")
        } else {
            Ok(())
        }
    }
}

/// One spelling per entity: `factory:007` is plant 7.
pub fn canonical_id(kind: EntityKind, id: &str) -> String {
    match kind {
        EntityKind::Factory => id
            .parse::<u32>()
            .map_or_else(|_| id.to_owned(), |n| n.to_string()),
        _ => id.to_owned(),
    }
}

/// A sample that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct GoodSample {
    pub entity_id: String,
    pub metric: Metric,
    pub value: f64,
    pub measured_at: UnixMs,
}

/// A stage change that passed every check.
pub type GoodStage = (
    u32,
    UpgradeStage,
    Option<Vec<crate::api::Technology>>,
    UnixMs,
);

/// What a batch holds once checked.
#[derive(Debug, Default)]
pub struct Checked {
    pub samples: Vec<GoodSample>,
    pub stages: Vec<GoodStage>,
    pub rejected: Vec<SampleError>,
}

/// Why a whole batch is refused (nothing applied).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BatchError {
    #[error("batch_id must be 1 to 128 printable characters")]
    BadBatchId,
    #[error("a batch holds at most {max} samples and stage changes, not {got}")]
    TooLarge { got: usize, max: usize },
    #[error("batch {0:?} was already sent with other contents; use a new batch_id")]
    Reused(String),
}

/// Checks the batch's shape (before any sample).
pub fn check_batch(batch: &IngestBatch) -> Result<(), BatchError> {
    let id = &batch.batch_id;
    if id.is_empty() || id.chars().count() > 128 || id.chars().any(char::is_control) {
        return Err(BatchError::BadBatchId);
    }
    let n = batch.samples.len() + batch.stages.len();
    if n > crate::api::MAX_INGEST_SAMPLES {
        return Err(BatchError::TooLarge {
            got: n,
            max: crate::api::MAX_INGEST_SAMPLES,
        });
    }
    Ok(())
}

/// Checks every sample and stage change of `batch`.
pub fn check(batch: &IngestBatch, index: &EntityIndex<'_>, now: UnixMs) -> Checked {
    let mut out = Checked {
        samples: Vec::with_capacity(batch.samples.len()),
        ..Checked::default()
    };
    for (i, s) in batch.samples.iter().enumerate() {
        match check_sample(&s.entity, &s.metric, s.value, s.t, index, now) {
            Ok(good) => out.samples.push(good),
            Err((code, message)) => out.rejected.push(SampleError {
                index: i,
                in_stages: false,
                code: code.into(),
                message,
            }),
        }
    }
    for (i, s) in batch.stages.iter().enumerate() {
        let refuse = |code: &str, message: String| SampleError {
            index: i,
            in_stages: true,
            code: code.into(),
            message,
        };
        if !(index.factory)(s.factory_id) {
            out.rejected.push(refuse(
                "unknown_entity",
                format!("no enterprise with id {}", s.factory_id),
            ));
        } else if s.stage == UpgradeStage::Unknown {
            out.rejected.push(refuse(
                "bad_value",
                "stage must be planned, assessing, deploying or upgraded".into(),
            ));
        } else if s
            .technologies
            .as_ref()
            .is_some_and(|t| t.contains(&crate::api::Technology::Unknown))
        {
            out.rejected.push(refuse(
                "bad_value",
                "unknown technology in technologies".into(),
            ));
        } else {
            // When it happened (default: now; never ahead of now): an older push never undoes
            // a newer one.
            let t = s.t.unwrap_or(now).min(now);
            out.stages
                .push((s.factory_id, s.stage, s.technologies.clone(), t));
        }
    }
    out
}

fn check_sample(
    entity: &str,
    metric: &str,
    value: f64,
    t: Option<UnixMs>,
    index: &EntityIndex<'_>,
    now: UnixMs,
) -> Result<GoodSample, (&'static str, String)> {
    let Some((prefix, id)) = entity.split_once(':') else {
        return Err((
            "bad_entity",
            format!(
                "entity {:?} must be link:ID, cluster:ID, metro:ID or factory:ID",
                clip(entity, 80)
            ),
        ));
    };
    let Some(kind) = EntityKind::parse(prefix) else {
        return Err((
            "bad_entity",
            format!(
                "entity kind {:?} must be link, cluster, metro or factory",
                clip(prefix, 40)
            ),
        ));
    };
    let entity_id = canonical_id(kind, id);
    match index.admits(kind, &entity_id) {
        Ok(()) => {}
        Err("measured_elsewhere") => {
            return Err((
                "measured_elsewhere",
                "metro latency comes from the Prometheus latency source on this backend".into(),
            ));
        }
        Err(code) => {
            return Err((code, format!("no {prefix} with id {:?}", clip(id, 80))));
        }
    }
    let Some(m) = Metric::find(kind, metric) else {
        return Err((
            "unknown_metric",
            format!(
                "{prefix} has no metric {:?}; use one of {}",
                clip(metric, 80),
                Metric::names_for(kind).join(", ")
            ),
        ));
    };
    let (lo, hi) = m.range();
    if !(value.is_finite() && (lo..=hi).contains(&value)) {
        return Err((
            "bad_value",
            format!("{metric} must be a number from {lo} to {hi}, not {value}"),
        ));
    }
    let measured_at = t.unwrap_or(now);
    if measured_at > now.saturating_add(MAX_FUTURE_MS) {
        return Err((
            "bad_time",
            "t is more than 5 minutes ahead of the server's clock".into(),
        ));
    }
    if measured_at < now.saturating_sub(MAX_AGE_MS) {
        return Err(("bad_time", "t is more than 7 days old".into()));
    }
    Ok(GoodSample {
        entity_id,
        metric: m,
        value,
        // A clock ahead of ours must not pin a figure against later readings.
        measured_at: measured_at.min(now),
    })
}

/// Answers of recent batches, per pushing source, bounded.
#[derive(Debug, Default)]
pub struct BatchLog {
    answers: HashMap<(String, String), (u64, IngestReceipt)>,
    order: VecDeque<(String, String)>,
}

impl BatchLog {
    /// The recorded answer of a batch sent before, or why it cannot be taken.
    pub fn replay(
        &self,
        source: &str,
        batch: &IngestBatch,
    ) -> Result<Option<IngestReceipt>, BatchError> {
        let key = (source.to_owned(), batch.batch_id.clone());
        match self.answers.get(&key) {
            None => Ok(None),
            Some((hash, receipt)) if *hash == fingerprint(batch) => {
                let mut r = receipt.clone();
                r.replayed = true;
                Ok(Some(r))
            }
            Some(_) => Err(BatchError::Reused(batch.batch_id.clone())),
        }
    }

    pub fn record(&mut self, source: &str, batch: &IngestBatch, receipt: &IngestReceipt) {
        let key = (source.to_owned(), batch.batch_id.clone());
        // Kept small: a replay lists at most the first refusals (the counts are whole).
        let mut kept = receipt.clone();
        kept.rejected.truncate(REPLAYED_REJECTIONS);
        if self
            .answers
            .insert(key.clone(), (fingerprint(batch), kept))
            .is_none()
        {
            self.order.push_back(key);
        }
        while self.order.len() > REMEMBERED_BATCHES {
            if let Some(old) = self.order.pop_front() {
                self.answers.remove(&old);
            }
        }
    }
}

/// A hash of the batch's contents (to tell a retry from a reuse of the id).
fn fingerprint(batch: &IngestBatch) -> u64 {
    let mut h = DefaultHasher::new();
    for s in &batch.samples {
        s.entity.hash(&mut h);
        s.metric.hash(&mut h);
        s.value.to_bits().hash(&mut h);
        s.t.hash(&mut h);
    }
    for s in &batch.stages {
        s.factory_id.hash(&mut h);
        format!("{:?}{:?}{:?}", s.stage, s.technologies, s.t).hash(&mut h);
    }
    h.finish()
}
