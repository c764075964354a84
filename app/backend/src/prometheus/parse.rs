//! Reading a Prometheus instant-query answer (`/api/v1/query`, result type `vector`) into probes.
//!
//! Trusts nothing: a body that is not the documented JSON, an error answer or another result
//! type fails the whole query with a reason; a single series with a missing label, a position
//! off the globe, or a value that is not a finite, plausible round-trip time is skipped and
//! counted by reason. Knows nothing of metros or grids.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Most series read from one answer; the rest are counted as `too_many`.
pub const MAX_SERIES: usize = 5_000;
/// Largest plausible round-trip time, seconds: anything slower is a broken probe, not a metro.
pub const MAX_RTT_S: f64 = 10.0;

/// The label names that carry a probe's metro and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeLabels {
    pub metro: String,
    pub lat: String,
    pub lon: String,
}

impl Default for ProbeLabels {
    fn default() -> Self {
        Self {
            metro: "metro".into(),
            lat: "lat".into(),
            lon: "lon".into(),
        }
    }
}

/// One usable series: a probe in a metro (as its label names it) with its RTT.
#[derive(Debug, Clone, PartialEq)]
pub struct RawProbe {
    pub metro: String,
    pub lat: f64,
    pub lon: f64,
    pub rtt_ms: f64,
}

/// The usable series of an answer and how many were skipped, by reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedAnswer {
    pub probes: Vec<RawProbe>,
    pub skipped: BTreeMap<&'static str, u64>,
}

impl ParsedAnswer {
    pub fn skip(&mut self, reason: &'static str) {
        *self.skipped.entry(reason).or_default() += 1;
    }
}

/// Why a whole answer was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("the answer is not Prometheus API JSON: {0}")]
    NotJson(String),
    #[error("Prometheus refused the query ({kind}): {message}")]
    Refused { kind: String, message: String },
    #[error(
        "the query gives a {0}, not an instant vector: write it so that it returns one value per probe or entity"
    )]
    NotVector(String),
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    #[serde(default)]
    result: Vec<serde_json::Value>,
}

/// The series of an instant-query answer, or why the whole answer is refused (not Prometheus
/// API JSON, an error Prometheus gave, not an instant vector). Shared by every Prometheus
/// reader of the backend.
pub(crate) fn instant_vector(body: &[u8]) -> Result<Vec<serde_json::Value>, AnswerError> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| AnswerError::NotJson(clip(&e.to_string(), 200)))?;
    if envelope.status != "success" {
        let message = clip(envelope.error.as_deref().unwrap_or("no reason given"), 300);
        return Err(AnswerError::Refused {
            kind: clip(
                envelope.error_type.as_deref().unwrap_or(&envelope.status),
                40,
            ),
            message,
        });
    }
    let data = envelope
        .data
        .ok_or_else(|| AnswerError::NotJson("`data` is missing".into()))?;
    if data.result_type != "vector" {
        return Err(AnswerError::NotVector(clip(&data.result_type, 40)));
    }
    Ok(data.result)
}

/// Reads an instant-query answer.
pub fn parse_answer(body: &[u8], labels: &ProbeLabels) -> Result<ParsedAnswer, AnswerError> {
    let result = instant_vector(body)?;
    let mut answer = ParsedAnswer::default();
    for (i, series) in result.iter().enumerate() {
        if i >= MAX_SERIES {
            answer.skip("too_many");
            continue;
        }
        match read_series(series, labels) {
            Ok(probe) => answer.probes.push(probe),
            Err(reason) => answer.skip(reason),
        }
    }
    Ok(answer)
}

/// At most `max` characters of `text` (never cut inside a character: Prometheus quotes the
/// query, whose labels may be Chinese).
pub(crate) fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn read_series(series: &serde_json::Value, labels: &ProbeLabels) -> Result<RawProbe, &'static str> {
    let metric = series.get("metric").ok_or("missing_label")?;
    let label = |name: &str| metric.get(name).and_then(|v| v.as_str());
    let metro = label(&labels.metro)
        .map(str::trim)
        .filter(|m| !m.is_empty() && m.len() <= 100)
        .ok_or("missing_label")?;
    let (lat, lon) = match (label(&labels.lat), label(&labels.lon)) {
        (Some(lat), Some(lon)) => (
            lat.trim().parse::<f64>().map_err(|_| "bad_position")?,
            lon.trim().parse::<f64>().map_err(|_| "bad_position")?,
        ),
        _ => return Err("missing_label"),
    };
    if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
        return Err("bad_position");
    }
    // `value` is `[unix seconds, "number as text"]`; Prometheus writes NaN and ±Inf as text too.
    let text = series
        .get("value")
        .and_then(|v| v.get(1))
        .and_then(|v| v.as_str())
        .ok_or("not_a_number")?;
    let seconds = text.trim().parse::<f64>().map_err(|_| "not_a_number")?;
    if !seconds.is_finite() {
        return Err("not_finite");
    }
    if seconds < 0.0 {
        return Err("negative");
    }
    if seconds > MAX_RTT_S {
        return Err("absurd");
    }
    Ok(RawProbe {
        metro: metro.to_owned(),
        lat,
        lon,
        rtt_ms: seconds * 1000.0,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<ParsedAnswer, AnswerError> {
        parse_answer(body.as_bytes(), &ProbeLabels::default())
    }

    fn series(metro: &str, lat: &str, lon: &str, value: &str) -> String {
        format!(
            r#"{{"metric":{{"metro":"{metro}","lat":"{lat}","lon":"{lon}"}},"value":[1700000000.5,"{value}"]}}"#
        )
    }

    fn vector(series: &[String]) -> String {
        format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
            series.join(",")
        )
    }

    #[test]
    fn a_vector_of_probes_reads_in_milliseconds() {
        let body = vector(&[
            series("beijing", "39.9", "116.4", "0.00042"),
            series("Shanghai", " 31.2 ", "121.5", "0.0019"),
        ]);
        let a = parse(&body).unwrap();
        assert!(a.skipped.is_empty());
        assert_eq!(a.probes.len(), 2);
        assert_eq!(a.probes[0].metro, "beijing");
        assert!((a.probes[0].rtt_ms - 0.42).abs() < 1e-9);
        assert!((a.probes[1].lat - 31.2).abs() < 1e-12);
        assert!((a.probes[1].rtt_ms - 1.9).abs() < 1e-9);
    }

    #[test]
    fn hostile_series_are_skipped_by_reason_never_used() {
        let body = vector(&[
            series("beijing", "39.9", "116.4", "NaN"),
            series("beijing", "39.9", "116.4", "+Inf"),
            series("beijing", "39.9", "116.4", "-0.001"),
            series("beijing", "39.9", "116.4", "3600"),
            series("beijing", "39.9", "116.4", "fast"),
            series("beijing", "95", "116.4", "0.001"),
            series("beijing", "north", "116.4", "0.001"),
            series("", "39.9", "116.4", "0.001"),
            r#"{"metric":{"metro":"beijing"},"value":[1,"0.001"]}"#.into(),
            r#"{"metric":{"metro":"beijing","lat":"39.9","lon":"116.4"},"value":[1,0.001]}"#.into(),
            r#"{"metric":{"metro":"beijing","lat":"39.9","lon":"116.4"}}"#.into(),
            r#""just a string""#.into(),
            r#"{"metric":{"metro":7,"lat":"39.9","lon":"116.4"},"value":[1,"0.001"]}"#.into(),
            series("beijing", "39.9", "116.4", "0.0005"),
        ]);
        let a = parse(&body).unwrap();
        assert_eq!(a.probes.len(), 1, "only the last series is usable");
        let count = |r| a.skipped.get(r).copied().unwrap_or(0);
        assert_eq!(count("not_finite"), 2);
        assert_eq!(count("negative"), 1);
        assert_eq!(count("absurd"), 1);
        assert_eq!(count("not_a_number"), 3);
        assert_eq!(count("bad_position"), 2);
        assert_eq!(count("missing_label"), 4);
        assert_eq!(a.skipped.values().sum::<u64>(), 13);
    }

    #[test]
    fn bad_answers_fail_with_a_reason() {
        assert!(matches!(
            parse("<html>502</html>"),
            Err(AnswerError::NotJson(_))
        ));
        assert!(matches!(parse(""), Err(AnswerError::NotJson(_))));
        assert!(matches!(parse("[]"), Err(AnswerError::NotJson(_))));
        assert!(matches!(
            parse(r#"{"status":"success"}"#),
            Err(AnswerError::NotJson(_))
        ));
        let e =
            parse(r#"{"status":"error","errorType":"bad_data","error":"parse error at char 4"}"#)
                .unwrap_err();
        assert_eq!(
            e,
            AnswerError::Refused {
                kind: "bad_data".into(),
                message: "parse error at char 4".into()
            }
        );
        let e = parse(r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#)
            .unwrap_err();
        assert!(e.to_string().contains("matrix"), "{e}");
        // An empty vector is a valid answer: no probes at all.
        assert_eq!(parse(&vector(&[])).unwrap(), ParsedAnswer::default());
    }

    #[test]
    fn long_multibyte_errors_are_clipped_by_characters_not_bytes() {
        // Prometheus quotes the query in its error text; a Chinese label puts a 3-byte
        // character across byte 300 (1 + 3 × 100 = 301), which `String::truncate` would panic on.
        let quoted = format!("x{}", "广".repeat(400));
        let body = format!(r#"{{"status":"error","errorType":"bad_data","error":"{quoted}"}}"#);
        let Err(AnswerError::Refused { message, .. }) = parse(&body) else {
            panic!("an error answer must be refused");
        };
        assert_eq!(message.chars().count(), 300);
        assert!(message.starts_with("x广广"));
        let kind = format!("mn{}", "州".repeat(50));
        let body =
            format!(r#"{{"status":"success","data":{{"resultType":"{kind}","result":[]}}}}"#);
        let Err(AnswerError::NotVector(kind)) = parse(&body) else {
            panic!("another result type must be refused");
        };
        assert_eq!(kind.chars().count(), 40);
        // serde's message quotes the unexpected string: multibyte at the 200-byte cut too.
        let body = format!(r#"{{"status":"success","data":"xy{}"}}"#, "广".repeat(300));
        let Err(AnswerError::NotJson(message)) = parse(&body) else {
            panic!("a string for `data` is not Prometheus JSON");
        };
        assert!(message.contains("xy广"), "{message}");
        assert!(message.chars().count() <= 200);
        assert_eq!(clip("a广b", 2), "a广");
        assert_eq!(clip("ab", 5), "ab");
    }

    #[test]
    fn answers_are_bounded() {
        let many: Vec<String> = (0..MAX_SERIES + 7)
            .map(|_| series("beijing", "39.9", "116.4", "0.0005"))
            .collect();
        let a = parse(&vector(&many)).unwrap();
        assert_eq!(a.probes.len(), MAX_SERIES);
        assert_eq!(a.skipped.get("too_many"), Some(&7));
    }

    #[test]
    fn label_names_are_configurable() {
        let labels = ProbeLabels {
            metro: "city".into(),
            lat: "latitude".into(),
            lon: "longitude".into(),
        };
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"city":"广州","latitude":"23.1","longitude":"113.3"},"value":[1,"0.0008"]}]}}"#;
        let a = parse_answer(body.as_bytes(), &labels).unwrap();
        assert_eq!(a.probes[0].metro, "广州");
        assert!(parse(body).unwrap().probes.is_empty());
    }
}
