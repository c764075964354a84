//! Unit tests of the parent module, kept beside it so the module reads as what it does.

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

#[test]
fn rows_resting_on_measured_parts_are_not_marked_simulated_in_the_csv() {
    let series = linear(0, 30, 5.0, 1.0);
    let progress = Progress {
        sim_time: 30 * DAY,
        targets: vec![
            target("enterprises_upgraded", 50.0, false, series.clone()),
            target("cluster_pue", 1.25, true, series.clone()),
            target("network_autonomy_l4", 50.0, false, series),
        ],
        upgraded_by_province: Vec::new(),
        upgraded_by_province_series: Vec::new(),
        enterprises_by_province: Vec::new(),
    };
    let mut rows = scorecard(&progress, None);
    // The registry is the operator's; PUE is still modelled; agents are always the simulator's.
    let parts = ["compute".to_owned(), "cluster.pue".to_owned()];
    mark_simulated(&mut rows, &parts, true);
    let flags: Vec<(&str, bool)> = rows.iter().map(|r| (r.id.as_str(), r.simulated)).collect();
    assert_eq!(
        flags,
        [
            ("enterprises_upgraded", false),
            ("cluster_pue", true),
            ("network_autonomy_l4", true)
        ]
    );
    let mut out = Vec::new();
    write_csv(&rows, Lang::En, progress.sim_time, true, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let simulated: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    assert_eq!(simulated, ["false", "true", "true"]);
    // An older backend names no parts: everything it calls simulated is.
    mark_simulated(&mut rows, &[], true);
    assert!(rows.iter().all(|r| r.simulated));
    // Nothing simulated: no row is.
    mark_simulated(&mut rows, &parts, false);
    assert!(rows.iter().all(|r| !r.simulated));
}
