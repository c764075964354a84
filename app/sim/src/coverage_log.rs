//! The national roll-up of metro 1 ms access and its bounded daily history: one sample per
//! simulated (Beijing) day, at most [`MAX_DAYS`], each with every metro's coverage, so the API can
//! say how coverage moved over 30 days and where the trend leads by the target's deadline.
//!
//! Reads metro summaries only; knows nothing of grids, HTTP or the other targets.

use std::collections::VecDeque;

use crate::api::{LatencySummary, MetroSummary, MetroTrend, NationalSample, UnixMs};

use super::clock;
use super::metros::{COVERAGE_THRESHOLD, COVERED_MS};

/// Days kept (≈3 simulated years).
pub const MAX_DAYS: usize = 1200;
/// The plan's target: share of metros with 1 ms access.
pub const TARGET_SHARE: f64 = 0.75;
pub const TARGET_YEAR: i32 = 2028;
/// 2029-01-01T00:00 Beijing time.
pub const TARGET_DEADLINE: UnixMs = 1_861_891_200_000;
/// Window of the per-metro change, days.
const CHANGE_WINDOW_DAYS: i64 = 30;
/// Days of history the projection's trend is fitted to.
const TREND_DAYS: i64 = 90;

#[derive(Debug, Clone)]
struct Day {
    sample: NationalSample,
    coverage: Vec<f32>,
}

#[derive(Debug, Clone)]
pub struct CoverageLog {
    days: VecDeque<Day>,
    last_day: i64,
}

/// Metros meeting the threshold / all metros, and the population-weighted share, 0..1.
pub fn national(metros: &[MetroSummary]) -> (u32, f64, f64) {
    let meeting = metros
        .iter()
        .filter(|m| m.coverage_1ms >= COVERAGE_THRESHOLD)
        .count() as u32;
    let share = f64::from(meeting) / metros.len().max(1) as f64;
    let people: f64 = metros.iter().map(|m| m.population as f64).sum();
    let covered: f64 = metros
        .iter()
        .map(|m| m.population as f64 * m.coverage_1ms)
        .sum();
    (meeting, share, covered / people.max(1.0))
}

impl CoverageLog {
    /// A log with its first sample at `t`.
    pub fn new(t: UnixMs, metros: &[MetroSummary]) -> Self {
        let mut log = Self {
            days: VecDeque::new(),
            last_day: clock::beijing_day(t),
        };
        log.push(t, metros);
        log
    }

    /// A log whose days before `t` are `past` (oldest first, one per day, ending the day before
    /// `t`), then `t` itself.
    pub fn backfilled(t: UnixMs, past: &[Vec<MetroSummary>], metros: &[MetroSummary]) -> Self {
        let mut log = Self {
            days: VecDeque::new(),
            last_day: clock::beijing_day(t),
        };
        let n = past.len() as i64;
        for (k, day) in past.iter().enumerate() {
            log.push(t - (n - k as i64) * clock::MS_PER_DAY, day);
        }
        log.push(t, metros);
        log
    }

    /// Each day's time and share of metros with 1 ms access, oldest first.
    pub fn metro_shares(&self) -> Vec<(UnixMs, f64)> {
        self.days
            .iter()
            .map(|d| (d.sample.t, d.sample.metro_share))
            .collect()
    }

    /// Record a sample if `t` is in a later simulated day than the last one.
    pub fn observe(&mut self, t: UnixMs, metros: &[MetroSummary]) {
        let day = clock::beijing_day(t);
        if day > self.last_day {
            self.last_day = day;
            self.push(t, metros);
        }
    }

    fn push(&mut self, t: UnixMs, metros: &[MetroSummary]) {
        if self.days.len() >= MAX_DAYS {
            self.days.pop_front();
        }
        let (_, metro_share, population_share) = national(metros);
        self.days.push_back(Day {
            sample: NationalSample {
                t,
                metro_share,
                population_share,
            },
            coverage: metros.iter().map(|m| m.coverage_1ms as f32).collect(),
        });
    }

    pub fn summary(&self, t: UnixMs, metros: &[MetroSummary]) -> LatencySummary {
        let (meeting, metro_share, population_share) = national(metros);
        let since = t - CHANGE_WINDOW_DAYS * clock::MS_PER_DAY;
        let base = self.days.iter().find(|d| d.sample.t >= since);
        let window_days = base.map_or(0.0, |d| {
            (t - d.sample.t).max(0) as f64 / clock::MS_PER_DAY as f64
        });
        let trends = metros
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let then = base
                    .and_then(|d| d.coverage.get(i))
                    .map_or(m.coverage_1ms, |c| f64::from(*c));
                MetroTrend {
                    id: m.id.clone(),
                    coverage_1ms: m.coverage_1ms,
                    coverage_change: round4(m.coverage_1ms - then),
                    meets_threshold: m.coverage_1ms >= COVERAGE_THRESHOLD,
                }
            })
            .collect();
        let history: Vec<NationalSample> = self.days.iter().map(|d| d.sample).collect();
        let trend_from = t - TREND_DAYS * clock::MS_PER_DAY;
        let recent: Vec<(UnixMs, f64, f64)> = history
            .iter()
            .filter(|s| s.t >= trend_from && s.t < t)
            .map(|s| (s.t, s.metro_share, s.population_share))
            .chain(std::iter::once((t, metro_share, population_share)))
            .collect();
        let project = |pick: fn(&(UnixMs, f64, f64)) -> f64| {
            let points: Vec<(f64, f64)> = recent.iter().map(|p| (p.0 as f64, pick(p))).collect();
            project_linear(&points, TARGET_DEADLINE as f64)
        };
        LatencySummary {
            sim_time: t,
            covered_rtt_ms: COVERED_MS,
            coverage_threshold: COVERAGE_THRESHOLD,
            target_share: TARGET_SHARE,
            target_year: TARGET_YEAR,
            target_deadline: TARGET_DEADLINE,
            metros_total: metros.len() as u32,
            metros_meeting: meeting,
            metro_share,
            population_share,
            history,
            projected_metro_share: project(|p| p.1),
            projected_population_share: project(|p| p.2),
            metros: trends,
            change_window_days: (window_days * 100.0).round() / 100.0,
            source: crate::api::LatencySource::Simulator,
            stale_since: None,
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Least-squares line through `points` (x, y), evaluated at `at` and clamped to 0..1; `None` with
/// fewer than two points or when they span less than a day.
pub fn project_linear(points: &[(f64, f64)], at: f64) -> Option<f64> {
    let n = points.len() as f64;
    let (first, last) = (points.first()?, points.last()?);
    if points.len() < 2 || (last.0 - first.0) < clock::MS_PER_DAY as f64 {
        return None;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let value = mean_y + sxy / sxx * (at - mean_x);
    value.is_finite().then(|| round4(value.clamp(0.0, 1.0)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::api::GeoPoint;

    fn metro(id: &str, population: u64, coverage: f64) -> MetroSummary {
        MetroSummary {
            id: id.into(),
            name_en: id.into(),
            name_zh: id.into(),
            province: "CN-BJ".into(),
            center: GeoPoint { lat: 0.0, lon: 0.0 },
            population,
            coverage_1ms: coverage,
            median_rtt_ms: 1.0,
            access_points: 1,
            probes: None,
        }
    }

    #[test]
    fn national_figures_count_metros_and_weigh_people() {
        let metros = [
            metro("a", 100, 0.2),
            metro("b", 300, 0.5),
            metro("c", 600, 0.9),
        ];
        let (meeting, share, people) = national(&metros);
        // b sits exactly on the threshold and counts.
        assert_eq!(meeting, 2);
        assert!((share - 2.0 / 3.0).abs() < 1e-12);
        // (100·0.2 + 300·0.5 + 600·0.9) / 1000
        assert!((people - 0.71).abs() < 1e-12);
        assert_eq!(national(&[]), (0, 0.0, 0.0));
    }

    #[test]
    fn daily_history_is_bounded_and_gives_the_30_day_change() {
        let t0 = clock::DEFAULT_START;
        let mut metros = vec![metro("a", 100, 0.40), metro("b", 100, 0.60)];
        let mut log = CoverageLog::new(t0, &metros);
        for day in 1..=40 {
            metros[0].coverage_1ms = 0.40 + 0.005 * day as f64;
            log.observe(t0 + day * clock::MS_PER_DAY, &metros);
            // A second observation the same day adds nothing.
            log.observe(t0 + day * clock::MS_PER_DAY + 1000, &metros);
        }
        let now = t0 + 40 * clock::MS_PER_DAY;
        let s = log.summary(now, &metros);
        assert_eq!(s.history.len(), 41);
        assert_eq!(s.change_window_days, 30.0);
        assert!((s.metros[0].coverage_change - 0.15).abs() < 1e-9);
        assert_eq!(s.metros[1].coverage_change, 0.0);
        assert!(s.metros[0].meets_threshold);
        // The trend goes up; a long way to the deadline saturates at 100 %.
        assert_eq!(s.projected_population_share, Some(1.0));
        for day in 41..2000 {
            log.observe(t0 + day * clock::MS_PER_DAY, &metros);
        }
        assert_eq!(log.summary(now, &metros).history.len(), MAX_DAYS);
    }

    #[test]
    fn projection_is_a_least_squares_line() {
        let day = clock::MS_PER_DAY as f64;
        let points = [(0.0, 0.5), (day, 0.51), (2.0 * day, 0.52)];
        assert_eq!(project_linear(&points, 10.0 * day), Some(0.6));
        assert_eq!(project_linear(&points[..1], 10.0 * day), None);
        assert_eq!(project_linear(&[(0.0, 0.5), (1.0, 0.6)], day), None);
    }
}
