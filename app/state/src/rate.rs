//! Events per second over a sliding window, in bounded memory.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(10);
const MAX_STAMPS: usize = 10_000;

#[derive(Debug, Clone, Default)]
pub struct RateMeter {
    stamps: VecDeque<Instant>,
}

impl RateMeter {
    pub fn record(&mut self, now: Instant) {
        if self.stamps.len() == MAX_STAMPS {
            self.stamps.pop_front();
        }
        self.stamps.push_back(now);
        self.expire(now);
    }

    fn expire(&mut self, now: Instant) {
        while self
            .stamps
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > WINDOW)
        {
            self.stamps.pop_front();
        }
    }

    /// Events per second over the last 10 s.
    pub fn per_second(&self, now: Instant) -> f64 {
        let recent = self
            .stamps
            .iter()
            .filter(|t| now.saturating_duration_since(**t) <= WINDOW)
            .count();
        recent as f64 / WINDOW.as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_the_window() {
        let start = Instant::now();
        let mut m = RateMeter::default();
        for i in 0..20 {
            m.record(start + Duration::from_millis(500 * i));
        }
        let now = start + Duration::from_millis(9_500);
        assert!(
            (m.per_second(now) - 2.0).abs() < 0.11,
            "{}",
            m.per_second(now)
        );
        assert_eq!(m.per_second(now + Duration::from_secs(30)), 0.0);
    }
}
