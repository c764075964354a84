//! Reading an instant-query answer: one sample per series that names an entity and has a usable
//! value, the rest counted as skipped by reason.

use std::collections::{BTreeMap, HashSet};

use crate::api::UnixMs;

use super::{MAX_SERIES, MetricQuery};

/// One usable series: an entity's figure (scaled, within the metric's range), the same shape
/// as a pushed sample that passed its checks.
pub use crate::sources::ingest::GoodSample as Sample;

/// What one answer gives: usable samples and skipped series by reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vector {
    pub samples: Vec<Sample>,
    pub skipped: BTreeMap<&'static str, u64>,
}

impl Vector {
    fn skip(&mut self, reason: &'static str) {
        *self.skipped.entry(reason).or_default() += 1;
    }
}

/// Why a whole answer was refused (the latency adapter's reasons: not JSON, refused, not an
/// instant vector).
pub use crate::prometheus::parse::AnswerError as VectorError;

/// Reads an instant-query answer for `query`'s metric: one sample per series that names an
/// entity in `entity_label` and has a finite value within the metric's range once scaled.
pub fn parse_vector(body: &[u8], query: &MetricQuery) -> Result<Vector, VectorError> {
    let result = crate::prometheus::parse::instant_vector(body)?;
    let mut out = Vector::default();
    let mut seen: HashSet<String> = HashSet::new();
    for (i, series) in result.iter().enumerate() {
        if i >= MAX_SERIES {
            out.skip("too_many");
            continue;
        }
        match read_series(series, query) {
            Ok(sample) => {
                if seen.insert(sample.entity_id.clone()) {
                    out.samples.push(sample);
                } else {
                    // Two series for one entity: the query needs an aggregation (`max by`).
                    out.skip("duplicate_entity");
                }
            }
            Err(reason) => out.skip(reason),
        }
    }
    Ok(out)
}

fn read_series(series: &serde_json::Value, q: &MetricQuery) -> Result<Sample, &'static str> {
    let label = series
        .get("metric")
        .and_then(|m| m.get(&q.entity_label))
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .ok_or("missing_label")?;
    // `link:ID` is taken as well as `ID`.
    let prefix = q.metric.kind().prefix();
    let entity_id = label
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(label);
    if entity_id.is_empty() {
        return Err("missing_label");
    }
    // `value` is `[unix seconds, "number as text"]`; NaN and ±Inf are text too.
    let value = series.get("value").and_then(|v| v.as_array());
    let seconds = value
        .and_then(|v| v.first())
        .and_then(serde_json::Value::as_f64)
        .filter(|t| t.is_finite() && *t >= 0.0 && *t < 1.0e11)
        .ok_or("bad_timestamp")?;
    let text = value
        .and_then(|v| v.get(1))
        .and_then(|v| v.as_str())
        .ok_or("not_a_number")?;
    let raw = text.trim().parse::<f64>().map_err(|_| "not_a_number")?;
    if !raw.is_finite() {
        return Err("not_finite");
    }
    let v = raw * q.scale;
    let (lo, hi) = q.metric.range();
    if !(v.is_finite() && (lo..=hi).contains(&v)) {
        return Err("out_of_range");
    }
    Ok(Sample {
        entity_id: entity_id.to_owned(),
        metric: q.metric,
        value: v,
        measured_at: (seconds * 1000.0).round() as UnixMs,
    })
}

/// `3 series skipped: 2 unknown_entity, 1 out_of_range`; `None` when nothing was.
pub fn skip_summary(skipped: &BTreeMap<&'static str, u64>) -> Option<String> {
    let total: u64 = skipped.values().sum();
    if total == 0 {
        return None;
    }
    let parts: Vec<String> = skipped
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    Some(format!("{total} series skipped: {}", parts.join(", ")))
}
