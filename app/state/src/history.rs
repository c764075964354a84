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
    fn keeps_only_the_newest() {
        let mut h = History::new(3);
        for i in 0..10 {
            h.push(i, i as f32);
        }
        assert_eq!(h.values(), vec![7.0, 8.0, 9.0]);
        assert_eq!(h.latest(), Some(9.0));
    }
}
