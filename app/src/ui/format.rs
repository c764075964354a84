//! Number and time formatting shared by the views (locale-neutral digits, units outside).

use chrono::{DateTime, FixedOffset, Offset as _, Utc};

/// Beijing time, the console's display zone.
fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix())
}

pub fn clock(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&beijing())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "—".into())
}

pub fn time_of_day(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&beijing()).format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "—".into())
}

/// Beijing hours and minutes, for a clock that ticks once a minute (an idle console draws no
/// frame in between).
pub fn hour_minute(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&beijing()).format("%H:%M").to_string())
        .unwrap_or_else(|| "—".into())
}

/// Time until the next whole minute after `ms` (at least 10 ms).
pub fn until_next_minute(ms: i64) -> std::time::Duration {
    let left = 60_000 - ms.rem_euclid(60_000);
    std::time::Duration::from_millis(left.max(10) as u64)
}

pub fn percent(share: f64) -> String {
    format!("{:.1}", share * 100.0)
}

/// 12 345 678 → "12,345,678".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// 1,460,000 → "1.46 M"; smaller numbers in thousands ("921 k").
pub fn millions(n: f64) -> String {
    if n >= 1.0e6 {
        format!("{:.2} M", n / 1.0e6)
    } else {
        format!("{:.0} k", n / 1.0e3)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_minute_clock_asks_for_the_next_whole_minute() {
        // 2026-11-01T00:00:00Z = 08:00 in Beijing.
        let t = 1_793_491_200_000;
        assert_eq!(hour_minute(t), "08:00");
        assert_eq!(hour_minute(t + 59_999), "08:00");
        assert_eq!(until_next_minute(t).as_millis(), 60_000);
        assert_eq!(until_next_minute(t + 45_500).as_millis(), 14_500);
        assert_eq!(until_next_minute(t + 59_999).as_millis(), 10);
    }

    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(percent(0.756), "75.6");
        assert_eq!(millions(1_460_000.0), "1.46 M");
        assert_eq!(millions(921_800.0), "922 k");
        assert_eq!(clock(0), "1970-01-01 08:00:00");
    }
}
