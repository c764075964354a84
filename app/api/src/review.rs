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
    /// Whether the figure rests on anything simulated (see [`mark_simulated`]); true until
    /// told otherwise.
    pub simulated: bool,
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
        simulated: true,
    })
}

/// The parts of the world each target's figure rests on, as `Sources.simulated` names them;
/// `agents` is always the simulator's (its agents' levels and counts).
///
/// The scorecard's PUE, occupancy and metro figures are the model's own aggregates (telemetry
/// is laid over the live views, not over the scorecard's history), so those rows stay simulated.
fn parts_of(target_id: &str) -> &'static [&'static str] {
    match target_id {
        "enterprises_upgraded" => &["enterprises"],
        "backbone_800g_share" => &["compute"],
        _ => &["agents"],
    }
}

/// Marks each row simulated or not from what the backend says is still simulated. A backend
/// that names no parts (an older one) but says `simulated` leaves every row simulated.
pub fn mark_simulated(rows: &mut [Row], simulated_parts: &[String], backend_simulated: bool) {
    for row in rows {
        row.simulated = if !backend_simulated {
            false
        } else if simulated_parts.is_empty() {
            true
        } else {
            parts_of(&row.id)
                .iter()
                .any(|p| *p == "agents" || simulated_parts.iter().any(|s| s == p))
        };
    }
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
/// (empty when there is too little history), status, unit, as_of (Beijing date), simulated
/// (`simulated` and the row's own flag: a backend with nothing simulated marks no row).
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
    let row_simulated = |r: &Row| simulated && r.simulated;
    write_dated_csv(out, &header, rows, as_of, row_simulated, |r, record| {
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
    write_dated_csv(
        out,
        &header,
        rows,
        as_of,
        |_| simulated,
        |r, record| {
            record.push_field(&r.code);
            record.push_field(&name(&r.code));
            push_progress(record, r.actual, r.target, deadline, r.projection, r.status);
        },
    )
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
/// then the Beijing date of `as_of` and whether the row is simulated.
fn write_dated_csv<W: Write, T>(
    out: W,
    header: &[&str],
    rows: &[T],
    as_of: UnixMs,
    simulated: impl Fn(&T) -> bool,
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
        record.push_field(if simulated(r) { "true" } else { "false" });
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
