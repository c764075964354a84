//! A bounded time series: the newest `capacity` samples, oldest dropped first.

use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq)]
pub struct History {
    capacity: usize,
    samples: VecDeque<(i64, f32)>,
}

impl History {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            samples: VecDeque::new(),
        }
    }

    pub fn push(&mut self, t: i64, value: f32) {
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back((t, value));
    }

    /// Puts `older` samples (oldest first) before what it holds: only those older than its
    /// oldest sample; the newest are kept when they do not all fit.
    pub fn backfill(&mut self, older: &[(i64, f32)]) {
        let before = self.samples.front().map_or(i64::MAX, |s| s.0);
        let room = self.capacity - self.samples.len();
        let fitting: Vec<&(i64, f32)> = older.iter().filter(|s| s.0 < before).collect();
        for s in fitting.iter().rev().take(room) {
            self.samples.push_front(**s);
        }
    }

    /// Time of its oldest sample.
    pub fn first_t(&self) -> Option<i64> {
        self.samples.front().map(|s| s.0)
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    pub fn latest(&self) -> Option<f32> {
        self.samples.back().map(|s| s.1)
    }

    /// Values only, oldest first (for sparklines).
    pub fn values(&self) -> Vec<f32> {
        self.samples.iter().map(|s| s.1).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(i64, f32)> {
        self.samples.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backfill_goes_before_and_keeps_the_newest() {
        let mut h = History::new(4);
        h.push(10, 1.0);
        h.push(11, 2.0);
        h.backfill(&[(7, 7.0), (8, 8.0), (9, 9.0), (10, 99.0)]);
        assert_eq!(
            h.values(),
            vec![8.0, 9.0, 1.0, 2.0],
            "older than 10 only, newest first"
        );
        h.backfill(&[(1, 1.0)]);
        assert_eq!(h.len(), 4, "full: nothing more");
        let mut empty = History::new(2);
        empty.backfill(&[(1, 1.0), (2, 2.0), (3, 3.0)]);
        assert_eq!(empty.values(), vec![2.0, 3.0]);
    }

    #[test]
    fn keeps_only_the_newest() {
        let mut h = History::new(3);
        for i in 0..10 {
            h.push(i, i as f32);
        }
        assert_eq!(h.values(), vec![7.0, 8.0, 9.0]);
        assert_eq!(h.latest(), Some(9.0));
    }
}
