//! The backbone's recent past: one frame of cluster and link figures every 5 simulated minutes
//! (or every step, when a step is longer), for the last 24 simulated hours, for the overview's
//! replay (`GET /api/v1/history`).
//!
//! Bounded: at most [`FRAMES_KEPT`] frames (≈0.4 MB). A fresh backend backfills the day before
//! its start from the simulator's noise-free model, so the replay has a yesterday from the first
//! minute. Owns nothing else of the world.

use std::collections::VecDeque;

use crate::api::{ClusterLoad, LinkLoad, LoadFrame, LoadHistory, UnixMs};

use super::sim::Simulator;

/// How far back the history reaches, simulated ms.
pub const HISTORY_SPAN_MS: i64 = 24 * 3_600_000;
/// Simulated time between frames, ms.
pub const SAMPLE_EVERY_MS: i64 = 5 * 60_000;
/// Frames kept: one day at one frame per 5 minutes, both ends included.
pub const FRAMES_KEPT: usize = (HISTORY_SPAN_MS / SAMPLE_EVERY_MS) as usize + 1;

#[derive(Debug, Clone, Default)]
pub struct BackboneHistory {
    frames: VecDeque<LoadFrame>,
}

impl BackboneHistory {
    /// A history holding the model's day before the simulator's clock.
    pub fn backfilled(sim: &Simulator) -> Self {
        let mut history = Self::default();
        let now = sim.sim_time();
        let first = now - HISTORY_SPAN_MS;
        let first = first - first.rem_euclid(SAMPLE_EVERY_MS);
        let mut t = first;
        while t < now {
            if t >= now - HISTORY_SPAN_MS {
                let (clusters, links) = sim.model_loads_at(t);
                history.push(LoadFrame {
                    sim_time: t,
                    clusters,
                    links,
                });
            }
            t += SAMPLE_EVERY_MS;
        }
        history
    }

    /// Keeps the figures of a step when a sampling interval has passed since the last frame.
    pub fn record(&mut self, sim_time: UnixMs, clusters: &[ClusterLoad], links: &[LinkLoad]) {
        let due = self.frames.back().is_none_or(|last| {
            sim_time.div_euclid(SAMPLE_EVERY_MS) > last.sim_time.div_euclid(SAMPLE_EVERY_MS)
        });
        if due {
            self.push(LoadFrame {
                sim_time,
                clusters: clusters.to_vec(),
                links: links.to_vec(),
            });
        }
    }

    fn push(&mut self, frame: LoadFrame) {
        let newest = frame.sim_time;
        self.frames.push_back(frame);
        while self.frames.len() > FRAMES_KEPT
            || self
                .frames
                .front()
                .is_some_and(|f| f.sim_time < newest - HISTORY_SPAN_MS)
        {
            self.frames.pop_front();
        }
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Frames with `from <= sim_time <= to`, oldest first.
    pub fn range(&self, from: UnixMs, to: UnixMs) -> LoadHistory {
        LoadHistory {
            from,
            to,
            step_ms: SAMPLE_EVERY_MS,
            kept_from: self.frames.front().map(|f| f.sim_time),
            frames: self
                .frames
                .iter()
                .filter(|f| (from..=to).contains(&f.sim_time))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::sim::SimConfig;

    fn sim() -> Simulator {
        Simulator::new(SimConfig {
            factory_count: 200,
            ..SimConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn backfill_covers_the_day_before() {
        let sim = sim();
        let h = BackboneHistory::backfilled(&sim);
        let now = sim.sim_time();
        assert_eq!(h.len(), FRAMES_KEPT - 1);
        let all = h.range(i64::MIN, i64::MAX);
        assert_eq!(all.frames[0].sim_time, now - HISTORY_SPAN_MS);
        assert!(all.frames.last().unwrap().sim_time < now);
        assert!(
            all.frames
                .windows(2)
                .all(|w| w[1].sim_time - w[0].sim_time == SAMPLE_EVERY_MS)
        );
        assert_eq!(all.frames[0].clusters.len(), 10);
    }

    #[test]
    fn records_every_five_minutes_and_stays_bounded() {
        let mut sim = sim();
        let mut h = BackboneHistory::backfilled(&sim);
        // Two days of one-minute steps: one frame per 5 minutes, never more than a day.
        for _ in 0..2 * 24 * 60 {
            let out = sim.step(60.0);
            if let crate::api::EventKind::Tick {
                sim_time,
                clusters,
                links,
            } = &out.events[0]
            {
                h.record(*sim_time, clusters, links);
            }
            assert!(h.len() <= FRAMES_KEPT);
        }
        let all = h.range(i64::MIN, i64::MAX);
        assert_eq!(all.frames.len(), FRAMES_KEPT);
        assert!(
            all.frames
                .windows(2)
                .all(|w| w[1].sim_time - w[0].sim_time == SAMPLE_EVERY_MS)
        );
        let newest = all.frames.last().unwrap().sim_time;
        assert_eq!(newest, sim.sim_time());
        let hour = h.range(newest - 3_600_000, newest);
        assert_eq!(hour.frames.len(), 13);
        assert_eq!(
            hour.frame_at(newest - 1).unwrap().sim_time,
            newest - SAMPLE_EVERY_MS
        );
    }
}
