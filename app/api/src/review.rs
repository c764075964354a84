//! The regulator's scorecard: each plan target with its actual value, its trend, a linear
//! projection to the deadline and an on-track / at-risk / off-track status, nationally and, for
//! the enterprise target, by province — as of any past day of the series.
//!
//! Pure functions of a `Progress` report: the review view draws them, `tianshu report` writes
//! them (CSV) without a window. Knows nothing of egui or the network.

use std::io::Write;

use chrono::{FixedOffset, NaiveDate, Offset as _, TimeZone as _};

use crate::Lang;
use crate::{Progress, Sample, Target, UnixMs};

const MS_PER_DAY: i64 = 86_400_000;
/// The trend is fitted to at most this much history before the "as of" day.
const FIT_WINDOW_MS: i64 = 365 * MS_PER_DAY;
/// No projection from less history than this (a trend of hours says nothing).
const MIN_FIT_SPAN_MS: i64 = 7 * MS_PER_DAY;
/// Days of history in a row's sparkline.
const TREND_DAYS: i64 = 120;
/// Within this share of the target (on the wrong side) a target is at risk, beyond it off track.
pub const AT_RISK_MARGIN: f64 = 0.10;
/// The enterprise target, the one shared out by province.
pub const ENTERPRISE_TARGET: &str = "enterprises_upgraded";

/// Where a target is heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    OnTrack,
    AtRisk,
    OffTrack,
}

impl Status {
    /// Translation id.
    pub fn label_id(self) -> &'static str {
        match self {
            Status::OnTrack => "review-on-track",
            Status::AtRisk => "review-at-risk",
            Status::OffTrack => "review-off-track",
        }
    }

    /// Stable machine name (CSV).
    pub fn key(self) -> &'static str {
        match self {
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
        }
    }
}

/// The rule: the projection meets the target → on track; misses it by at most 10 % of the
/// target → at risk; else off track.
pub fn status(target: f64, lower_is_better: bool, projected: f64) -> Status {
    let (meets, near) = if lower_is_better {
        (
            projected <= target,
            projected <= target * (1.0 + AT_RISK_MARGIN),
        )
    } else {
        (
            projected >= target,
            projected >= target * (1.0 - AT_RISK_MARGIN),
        )
    };
    match (meets, near) {
        (true, _) => Status::OnTrack,
        (false, true) => Status::AtRisk,
        (false, false) => Status::OffTrack,
    }
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or(chrono::Utc.fix())
}

/// The last millisecond of a deadline in Beijing time: `2028` → the end of 2028,
/// `2027-06-30` → the end of that day. `None` if it is neither.
pub fn deadline_ms(deadline: &str) -> Option<UnixMs> {
    let text = deadline.trim();
    let day_after = if let Ok(year) = text.parse::<i32>() {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()?
            .succ_opt()?
    };
    let midnight = beijing()
        .from_local_datetime(&day_after.and_hms_opt(0, 0, 0)?)
        .single()?;
    Some(midnight.timestamp_millis() - 1)
}

/// The end of a Beijing calendar day, for "as of" that day.
pub fn end_of_day_ms(day: NaiveDate) -> Option<UnixMs> {
    let next = beijing()
        .from_local_datetime(&day.succ_opt()?.and_hms_opt(0, 0, 0)?)
        .single()?;
    Some(next.timestamp_millis() - 1)
}

/// The Beijing calendar day of `t`.
pub fn day_of(t: UnixMs) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(t).map(|d| d.with_timezone(&beijing()).date_naive())
}

/// Least-squares line through `samples`, evaluated at `at`; `None` with fewer than two samples
/// or less than a week between the first and the last.
pub fn project(samples: &[Sample], at: UnixMs) -> Option<f64> {
    let (first, last) = (samples.first()?, samples.last()?);
    if samples.len() < 2 || last.t - first.t < MIN_FIT_SPAN_MS {
        return None;
    }
    let n = samples.len() as f64;
    let x = |t: UnixMs| (t - first.t) as f64 / MS_PER_DAY as f64;
    let mean_x = samples.iter().map(|s| x(s.t)).sum::<f64>() / n;
    let mean_y = samples.iter().map(|s| s.value).sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for s in samples {
        sxy += (x(s.t) - mean_x) * (s.value - mean_y);
        sxx += (x(s.t) - mean_x).powi(2);
    }
    if sxx <= f64::EPSILON {
        return None;
    }
    let value = mean_y + sxy / sxx * (x(at) - mean_x);
    value.is_finite().then_some(value)
}

/// Message ids of the scorecard's column heads, in order (the console's grid and the exported
/// document show the same columns).
pub const SCORECARD_COLUMNS: [&str; 7] = [
    "col-name",
    "progress-current",
    "review-trend",
    "progress-target",
    "progress-deadline",
    "review-projection",
    "review-status",
];

/// One target on the scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub unit: String,
    pub lower_is_better: bool,
    pub actual: f64,
    pub target: f64,
    pub deadline: String,
    /// Linear projection to the deadline; `None` when the history is too short (then the
    /// status judges the actual value).
    pub projection: Option<f64>,
    pub status: Status,
    /// Recent history up to the "as of" day, oldest first (for a sparkline).
    pub trend: Vec<f32>,
}

impl Row {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.name_en,
            Lang::ZhCn => &self.name_zh,
        }
    }
}

/// What the rule says of one series as of `as_of`.
struct Verdict<'a> {
    actual: f64,
    projection: Option<f64>,
    status: Status,
    /// The samples on or before `as_of`.
    history: &'a [Sample],
}

/// Judges `series` (oldest first) against `goal` by `deadline`: the value at `as_of` (`current`
/// when `as_of` is at or after the report's `sim_time`, else the last sample on or before it),
/// a linear projection over the fit window, and the status. `None` when the series has nothing
/// on or before an earlier `as_of`.
#[allow(clippy::too_many_arguments)] // one series and what it is judged against
fn judge<'a>(
    series: &'a [Sample],
    current: f64,
    goal: f64,
    lower_is_better: bool,
    deadline: &str,
    sim_time: UnixMs,
    as_of: UnixMs,
) -> Option<Verdict<'a>> {
    let history = &series[..series.partition_point(|s| s.t <= as_of)];
    let actual = if as_of >= sim_time {
        current
    } else {
        history.last()?.value
    };
    let from = history.partition_point(|s| s.t < as_of - FIT_WINDOW_MS);
    let projection = match deadline_ms(deadline) {
        // Past the deadline the verdict is the value reached.
        Some(d) if d <= as_of => Some(actual),
        Some(d) => project(&history[from..], d),
        None => None,
    };
    Some(Verdict {
        actual,
        projection,
        status: status(goal, lower_is_better, projection.unwrap_or(actual)),
        history,
    })
}

/// One row; `None` when the series has nothing on or before `as_of`.
pub fn row(progress: &Progress, target: &Target, as_of: UnixMs) -> Option<Row> {
    let v = judge(
        &target.series,
        target.current,
        target.target,
        target.lower_is_better,
        &target.deadline,
        progress.sim_time,
        as_of,
    )?;
    let trend_from = v
        .history
        .partition_point(|s| s.t < as_of - TREND_DAYS * MS_PER_DAY);
    Some(Row {
        id: target.id.clone(),
        name_en: target.name_en.clone(),
        name_zh: target.name_zh.clone(),
        unit: target.unit.clone(),
        lower_is_better: target.lower_is_better,
        actual: v.actual,
        target: target.target,
        deadline: target.deadline.clone(),
        projection: v.projection,
        status: v.status,
        trend: v.history[trend_from..]
            .iter()
            .map(|s| s.value as f32)
            .collect(),
    })
}

/// The whole scorecard as of `as_of` (`None`: the report's own time).
pub fn scorecard(progress: &Progress, as_of: Option<UnixMs>) -> Vec<Row> {
    let as_of = as_of.unwrap_or(progress.sim_time);
    progress
        .targets
        .iter()
        .filter_map(|t| row(progress, t, as_of))
        .collect()
}

/// The first day the series can be reviewed at.
pub fn first_day(progress: &Progress) -> Option<NaiveDate> {
    let t = progress
        .targets
        .iter()
        .filter_map(|t| t.series.first().map(|s| s.t))
        .max()?;
    day_of(t)
}

/// The enterprise target in one province.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvinceRow {
    /// ISO 3166-2 code.
    pub code: String,
    pub actual: f64,
    /// The national target shared out by the province's part of the programme's enterprises.
    pub target: f64,
    pub projection: Option<f64>,
    pub status: Status,
}

/// The enterprise target by province: the national target shared out by each province's part of
/// the programme's enterprises, judged on the province's own history (actual at `as_of`, linear
/// projection to the deadline) by the same rule as the nation. From a backend that reports no
/// per-province history, the province's count is carried back and forward with the national trend
/// (see [`provinces_have_history`]). Sorted by status (worst first), then code.
pub fn provinces(progress: &Progress, as_of: Option<UnixMs>) -> Vec<ProvinceRow> {
    let Some(national) = progress.targets.iter().find(|t| t.id == ENTERPRISE_TARGET) else {
        return Vec::new();
    };
    let as_of = as_of.unwrap_or(progress.sim_time);
    let total: u64 = progress
        .enterprises_by_province
        .iter()
        .map(|k| k.count)
        .sum();
    if total == 0 {
        return Vec::new();
    }
    let upgraded_now = |code: &str| {
        progress
            .upgraded_by_province
            .iter()
            .find(|u| u.key == code)
            .map_or(0.0, |u| u.count as f64)
    };
    let mut rows: Vec<ProvinceRow> = if provinces_have_history(progress) {
        progress
            .enterprises_by_province
            .iter()
            .filter_map(|k| {
                let series = progress
                    .upgraded_by_province_series
                    .iter()
                    .find(|s| s.key == k.key)
                    .map_or(&[][..], |s| s.series.as_slice());
                let goal = national.target * k.count as f64 / total as f64;
                let v = judge(
                    series,
                    upgraded_now(&k.key),
                    goal,
                    national.lower_is_better,
                    &national.deadline,
                    progress.sim_time,
                    as_of,
                )?;
                Some(ProvinceRow {
                    code: k.key.clone(),
                    actual: v.actual,
                    target: goal,
                    projection: v.projection,
                    status: v.status,
                })
            })
            .collect()
    } else {
        let Some(nat) = row(progress, national, as_of) else {
            return Vec::new();
        };
        if national.current <= 0.0 {
            return Vec::new();
        }
        let back = nat.actual / national.current;
        let forward = nat.projection.map(|p| p / nat.actual.max(1.0));
        progress
            .enterprises_by_province
            .iter()
            .map(|k| {
                let actual = (upgraded_now(&k.key) * back).round();
                let target = national.target * k.count as f64 / total as f64;
                let projection = forward.map(|f| actual * f);
                ProvinceRow {
                    code: k.key.clone(),
                    actual,
                    target,
                    projection,
                    status: status(target, false, projection.unwrap_or(actual)),
                }
            })
            .collect()
    };
    rows.sort_by(|a, b| b.status.cmp(&a.status).then_with(|| a.code.cmp(&b.code)));
    rows
}

/// Whether the backend reports each province's own history (else provinces follow the national
/// trend, and the scorecard says so).
pub fn provinces_have_history(progress: &Progress) -> bool {
    !progress.upgraded_by_province_series.is_empty()
}

/// A number for a machine: no separators, at most four decimals, no trailing zeros.
fn plain(value: f64) -> String {
    let text = format!("{:.4}", (value * 1e4).round() / 1e4);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write the report: {0}")]
    Csv(#[from] csv::Error),
}

/// The scorecard as CSV: one row per target — id, name, actual, target, deadline, projection
/// (empty when there is too little history), status, unit, as_of (Beijing date), simulated.
pub fn write_csv<W: Write>(
    rows: &[Row],
    lang: Lang,
    as_of: UnixMs,
    simulated: bool,
    out: W,
) -> Result<(), ReportError> {
    let header = [
        "id",
        "name",
        "actual",
        "target",
        "deadline",
        "projection",
        "status",
        "unit",
    ];
    write_dated_csv(out, &header, rows, as_of, simulated, |r, record| {
        record.push_field(&r.id);
        record.push_field(r.name(lang));
        push_progress(
            record,
            r.actual,
            r.target,
            &r.deadline,
            r.projection,
            r.status,
        );
        record.push_field(&r.unit);
    })
}

/// The enterprise target by province as CSV: one row per province, in `rows`' order (worst
/// first) — province (ISO code), name (`name` gives it in the report's language), actual,
/// target (the province's share), deadline, projection (empty when there is too little
/// history), status, as_of (Beijing date), simulated.
pub fn write_provinces_csv<W: Write>(
    rows: &[ProvinceRow],
    name: impl Fn(&str) -> String,
    deadline: &str,
    as_of: UnixMs,
    simulated: bool,
    out: W,
) -> Result<(), ReportError> {
    let header = [
        "province",
        "name",
        "actual",
        "target",
        "deadline",
        "projection",
        "status",
    ];
    write_dated_csv(out, &header, rows, as_of, simulated, |r, record| {
        record.push_field(&r.code);
        record.push_field(&name(&r.code));
        push_progress(record, r.actual, r.target, deadline, r.projection, r.status);
    })
}

/// The columns both CSVs share: actual, target, deadline, projection (empty when none), status.
fn push_progress(
    record: &mut csv::StringRecord,
    actual: f64,
    target: f64,
    deadline: &str,
    projection: Option<f64>,
    status: Status,
) {
    record.push_field(&plain(actual));
    record.push_field(&plain(target));
    record.push_field(deadline);
    record.push_field(&projection.map(plain).unwrap_or_default());
    record.push_field(status.key());
}

/// A CSV of `header` then as_of and simulated: one record per row, its fields from `fields`,
/// then the Beijing date of `as_of` and `true`/`false`.
fn write_dated_csv<W: Write, T>(
    out: W,
    header: &[&str],
    rows: &[T],
    as_of: UnixMs,
    simulated: bool,
    fields: impl Fn(&T, &mut csv::StringRecord),
) -> Result<(), ReportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(header.iter().chain(&["as_of", "simulated"]))?;
    let date = day_of(as_of).map(|d| d.to_string()).unwrap_or_default();
    let mut record = csv::StringRecord::new();
    for r in rows {
        record.clear();
        fields(r, &mut record);
        record.push_field(&date);
        record.push_field(if simulated { "true" } else { "false" });
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::{KeyCount, ProvinceSeries};

    const DAY: i64 = MS_PER_DAY;

    fn linear(from: UnixMs, days: i64, start: f64, per_day: f64) -> Vec<Sample> {
        (0..=days)
            .map(|d| Sample {
                t: from + d * DAY,
                value: start + per_day * d as f64,
            })
            .collect()
    }

    fn target(id: &str, goal: f64, lower: bool, series: Vec<Sample>) -> Target {
        Target {
            id: id.into(),
            name_en: format!("{id} en"),
            name_zh: format!("{id} 中"),
            unit: "count".into(),
            target: goal,
            lower_is_better: lower,
            deadline: "2028".into(),
            current: series.last().unwrap().value,
            series,
        }
    }

    #[test]
    fn status_rule_has_a_ten_percent_band() {
        assert_eq!(status(100.0, false, 100.0), Status::OnTrack);
        assert_eq!(status(100.0, false, 90.0), Status::AtRisk);
        assert_eq!(status(100.0, false, 89.9), Status::OffTrack);
        assert_eq!(status(1.25, true, 1.25), Status::OnTrack);
        assert_eq!(status(1.25, true, 1.37), Status::AtRisk);
        assert_eq!(status(1.25, true, 1.38), Status::OffTrack);
    }

    #[test]
    fn deadlines_end_in_beijing() {
        // 2028-12-31T23:59:59.999+08:00
        assert_eq!(deadline_ms("2028"), Some(1_861_891_199_999));
        assert_eq!(
            deadline_ms("2027-06-30"),
            Some(deadline_ms("2027").unwrap() - 184 * DAY)
        );
        assert_eq!(deadline_ms("soon"), None);
    }

    #[test]
    fn a_straight_line_projects_exactly() {
        let s = linear(0, 100, 10.0, 2.0);
        assert!((project(&s, 200 * DAY).unwrap() - 410.0).abs() < 1e-6);
        assert_eq!(project(&s[..3], 200 * DAY), None, "two days say nothing");
        assert_eq!(project(&[], 0), None);
    }

    #[test]
    fn rows_judge_the_projection_and_respect_as_of() {
        let start = deadline_ms("2026").unwrap() - 364 * DAY; // 2026-01-01
        // 1 a day from 0: 1,095 by the end of 2028 → on track for 1,000, off track for 2,000.
        let series = linear(start, 300, 0.0, 1.0);
        let now = series.last().unwrap().t;
        let progress = Progress {
            sim_time: now,
            targets: vec![
                target("a", 1000.0, false, series.clone()),
                target("b", 2000.0, false, series.clone()),
                target("c", 1150.0, false, series),
            ],
            upgraded_by_province: Vec::new(),
            upgraded_by_province_series: Vec::new(),
            enterprises_by_province: Vec::new(),
        };
        let rows = scorecard(&progress, None);
        assert_eq!(
            rows.iter().map(|r| r.status).collect::<Vec<_>>(),
            [Status::OnTrack, Status::OffTrack, Status::AtRisk]
        );
        let p = rows[0].projection.unwrap();
        assert!((1094.0..1097.0).contains(&p), "{p}");
        let earlier = scorecard(&progress, Some(start + 100 * DAY + 1));
        assert_eq!(earlier[0].actual, 100.0);
        assert_eq!(earlier[0].trend.len(), 101);
        assert!(scorecard(&progress, Some(start - DAY)).is_empty());
    }

    #[test]
    fn provinces_share_the_target_and_the_trend() {
        let start = deadline_ms("2026").unwrap() - 364 * DAY;
        let series = linear(start, 300, 1000.0, 10.0);
        let progress = Progress {
            sim_time: series.last().unwrap().t,
            targets: vec![target(ENTERPRISE_TARGET, 10_000.0, false, series)],
            upgraded_by_province_series: Vec::new(),
            upgraded_by_province: vec![
                KeyCount {
                    key: "CN-AA".into(),
                    count: 3_600,
                },
                KeyCount {
                    key: "CN-BB".into(),
                    count: 400,
                },
            ],
            enterprises_by_province: vec![
                KeyCount {
                    key: "CN-AA".into(),
                    count: 5_000,
                },
                KeyCount {
                    key: "CN-BB".into(),
                    count: 5_000,
                },
            ],
        };
        let rows = provinces(&progress, None);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].code, "CN-BB", "worst first");
        assert_eq!(rows[0].status, Status::OffTrack);
        assert_eq!(rows[1].status, Status::OnTrack);
        assert_eq!(rows[1].target, 5_000.0);
    }

    #[test]
    fn provinces_with_their_own_history_are_judged_on_it() {
        let start = deadline_ms("2026").unwrap() - 364 * DAY;
        let national = linear(start, 300, 1000.0, 10.0);
        // AA has more upgraded today but stopped growing; BB has fewer and grows 5 a day.
        let aa = linear(start, 300, 2_000.0, 0.0);
        let bb = linear(start, 300, 0.0, 5.0);
        let count = |key: &str, count: u64| KeyCount {
            key: key.into(),
            count,
        };
        let progress = Progress {
            sim_time: national.last().unwrap().t,
            targets: vec![target(ENTERPRISE_TARGET, 10_000.0, false, national)],
            upgraded_by_province_series: vec![
                ProvinceSeries {
                    key: "CN-AA".into(),
                    series: aa,
                },
                ProvinceSeries {
                    key: "CN-BB".into(),
                    series: bb.clone(),
                },
            ],
            upgraded_by_province: vec![count("CN-AA", 2_000), count("CN-BB", 1_495)],
            enterprises_by_province: vec![count("CN-AA", 5_000), count("CN-BB", 5_000)],
        };
        assert!(provinces_have_history(&progress));
        let rows = provinces(&progress, None);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].code.as_str(), rows[0].status),
            ("CN-AA", Status::OffTrack)
        );
        assert!((rows[0].projection.unwrap() - 2_000.0).abs() < 1e-6);
        assert_eq!(
            (rows[1].code.as_str(), rows[1].status),
            ("CN-BB", Status::OnTrack)
        );
        assert_eq!(rows[1].actual, 1_495.0);
        // As of day 100 the province's own sample, not a scaled national figure.
        let earlier = provinces(&progress, Some(start + 100 * DAY + 1));
        let bb_then = earlier.iter().find(|r| r.code == "CN-BB").unwrap();
        assert_eq!(bb_then.actual, bb[100].value);
    }

    #[test]
    fn csv_has_one_row_per_target() {
        let series = linear(0, 30, 5.0, 1.0);
        let progress = Progress {
            sim_time: 30 * DAY,
            targets: vec![target("x", 50.0, false, series)],
            upgraded_by_province: Vec::new(),
            upgraded_by_province_series: Vec::new(),
            enterprises_by_province: Vec::new(),
        };
        let rows = scorecard(&progress, None);
        let mut out = Vec::new();
        write_csv(&rows, Lang::ZhCn, progress.sim_time, true, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("id,name,actual,target,deadline,projection,status"));
        assert!(lines[1].starts_with("x,x 中,35,50,2028,"), "{}", lines[1]);
        assert!(
            lines[1].contains(",on_track,count,1970-01-31,true"),
            "{}",
            lines[1]
        );
    }
}
