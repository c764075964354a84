//! The simulated clock's calendar: Beijing time (UTC+8), day boundaries and the daily rhythm
//! that drives load. Pure functions of a timestamp; no state.

use std::f64::consts::TAU;

use crate::api::UnixMs;

pub const MS_PER_HOUR: i64 = 3_600_000;
pub const MS_PER_DAY: i64 = 86_400_000;
/// Seconds in a simulated "month" for rates quoted per month.
pub const SECONDS_PER_MONTH: f64 = 30.0 * 86_400.0;
/// 2026-11-01T00:00Z.
pub const DEFAULT_START: UnixMs = 1_793_491_200_000;

const BEIJING_OFFSET_MS: i64 = 8 * MS_PER_HOUR;

/// Hour of day in Beijing, 0.0..24.0.
pub fn beijing_hour(t: UnixMs) -> f64 {
    (t + BEIJING_OFFSET_MS).rem_euclid(MS_PER_DAY) as f64 / MS_PER_HOUR as f64
}

/// Index of the Beijing calendar day (days since 1970-01-01 in UTC+8).
pub fn beijing_day(t: UnixMs) -> i64 {
    (t + BEIJING_OFFSET_MS).div_euclid(MS_PER_DAY)
}

/// Daily load rhythm in about -0.8..0.95: quiet before dawn, busy afternoon, peak near 19:00.
pub fn diurnal(t: UnixMs) -> f64 {
    let h = beijing_hour(t);
    0.8 * (TAU * (h - 17.5) / 24.0).cos() + 0.2 * (2.0 * TAU * (h - 19.0) / 24.0).cos()
}

/// Solar share of the day, 0..1, peaking at 13:00.
pub fn daylight(t: UnixMs) -> f64 {
    (TAU * (beijing_hour(t) - 13.0) / 24.0).cos().max(0.0)
}

/// Simulated months since `start` (30-day months), never negative.
pub fn months_since(start: UnixMs, t: UnixMs) -> f64 {
    ((t - start) as f64 / 1000.0 / SECONDS_PER_MONTH).max(0.0)
}

/// `HH:00` of the whole hour at or after `t`, Beijing time.
pub fn beijing_hh00(t: UnixMs) -> String {
    let h = beijing_hour(t).ceil() as i64 % 24;
    format!("{h:02}:00")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn beijing_calendar() {
        // 2026-11-01T00:00Z is 08:00 in Beijing.
        assert!((beijing_hour(DEFAULT_START) - 8.0).abs() < 1e-9);
        assert_eq!(
            beijing_day(DEFAULT_START + 16 * MS_PER_HOUR),
            beijing_day(DEFAULT_START) + 1
        );
        assert_eq!(beijing_hh00(DEFAULT_START + 1), "09:00");
    }

    #[test]
    fn rhythm_peaks_in_the_evening() {
        let at = |h: i64| diurnal(DEFAULT_START + (h - 8).rem_euclid(24) * MS_PER_HOUR);
        assert!(at(19) > 0.8 && at(19) > at(10));
        assert!(at(5) < -0.4);
        for h in 0..24 {
            assert!((-1.0..=1.0).contains(&at(h)));
        }
    }
}
