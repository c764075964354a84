//! The world's metro latency as served: the simulator's model, or the figures measured by a
//! Prometheus source (`prometheus`) when one is on. The HTTP handlers read latency only through
//! these; the poller writes through `apply_measurement` / `measurement_failed`.

use crate::api::{EventKind, LatencyFeed, LatencyGrid, LatencySummary, MetroSummary, UnixMs};
use crate::prometheus::Measurement;
use crate::prometheus::grid::MetroFrame;
use crate::world::World;

impl World {
    /// Metro summaries as served: measured ones when a Prometheus source is on.
    pub fn metro_summaries(&self) -> Vec<MetroSummary> {
        match &self.measured {
            Some(m) => m.summaries().to_vec(),
            None => self
                .sim
                .metros()
                .iter()
                .cloned()
                .map(|mut m| {
                    self.telemetry.overlay_metro(&mut m);
                    m
                })
                .collect(),
        }
    }

    /// A metro's grid as served.
    pub fn metro_grid(&self, metro_id: &str) -> Option<LatencyGrid> {
        match &self.measured {
            Some(m) => m.grid(metro_id),
            None => self.sim.latency_grid(metro_id),
        }
    }

    /// The national roll-up as served.
    pub fn metro_latency_summary(&self) -> LatencySummary {
        match &self.measured {
            Some(m) => m.latency_summary(),
            None => self.sim.latency_summary(),
        }
    }

    /// Where latency comes from and how fresh it is.
    pub fn latency_feed(&self) -> LatencyFeed {
        match &self.measured {
            Some(m) => m.feed().clone(),
            None => LatencyFeed::simulator(),
        }
    }

    /// Frames of every metro from the simulator's geometry and population (not its latency).
    pub fn metro_frames(&self) -> Vec<MetroFrame> {
        self.sim
            .metros()
            .iter()
            .filter_map(|m| {
                let g = self.sim.latency_grid(&m.id)?;
                Some(MetroFrame::from_grid(m, &g))
            })
            .collect()
    }

    pub(crate) fn apply_measurement(&mut self, m: Measurement, now: UnixMs) {
        let Some(measured) = self.measured.as_mut() else {
            return;
        };
        let was_stale = measured.feed().stale_since.is_some();
        let first = measured.feed().last_success.is_none();
        let changed = measured.apply(m, now);
        for metro in changed {
            self.publish(EventKind::MetroUpdated { metro }, now);
        }
        // Consoles learn when each measured metro was read (their figures' age and source).
        let origins: Vec<_> = self
            .figure_origins()
            .into_iter()
            .filter(|o| o.source == crate::world::LATENCY_SOURCE)
            .collect();
        self.publish_measured(origins, now);
        if was_stale {
            self.publish(EventKind::LatencyStale { stale_since: None }, now);
        }
        if was_stale || first {
            self.publish_sources(now);
        }
    }

    pub(crate) fn measurement_failed(&mut self, error: String, now: UnixMs) {
        let Some(measured) = self.measured.as_mut() else {
            return;
        };
        let was_stale = measured.feed().stale_since.is_some();
        measured.fail(error, now);
        let stale_since = measured.feed().stale_since;
        if !was_stale && stale_since.is_some() {
            self.publish(EventKind::LatencyStale { stale_since }, now);
            self.publish_sources(now);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use std::time::Instant;

    use crate::api::{EventKind, LatencySource};
    use crate::prometheus::{Measured, PrometheusConfig};
    use crate::sim::{SimConfig, Simulator};
    use crate::world::World;
    use tianshu_client::{ClientEvent, ConnectionState};
    use tianshu_state::State;

    /// The feed going stale and recovering is published once each way, and the console's
    /// LIVE / STALE state follows those events alone (no polling).
    #[test]
    fn going_stale_and_recovering_are_events_the_console_folds() {
        let sim = Simulator::new(SimConfig {
            factory_count: 2_000,
            ..SimConfig::default()
        })
        .unwrap();
        let mut world = World::new(sim, Vec::new(), 60.0, 100, 0);
        let frames = std::sync::Arc::new(world.metro_frames());
        let config = PrometheusConfig::new("http://prom:9090");
        world.measured = Some(Box::new(Measured::new(frames.clone(), &config)));

        let now = Instant::now();
        let mut console = State::new("http://x");
        console.apply(ClientEvent::Connection(ConnectionState::Connected), now);
        console.apply(ClientEvent::Snapshot(Box::new(world.snapshot(1_000))), now);
        console.apply(
            ClientEvent::LatencySummary(Box::new(world.metro_latency_summary())),
            now,
        );
        let mut sub = world.subscribe(Some(world.last_event_id()), 1_000);

        world.measurement_failed("cannot reach Prometheus".into(), 2_000);
        world.measurement_failed("cannot reach Prometheus".into(), 3_000);
        let empty = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        let measure_empty = || {
            crate::prometheus::measure_answer(
                &frames,
                empty,
                &config.labels,
                config.probe_radius_km,
            )
            .unwrap()
        };
        world.apply_measurement(measure_empty(), 4_000);
        // A success while live says nothing new.
        world.apply_measurement(measure_empty(), 5_000);

        let mut stale_events = Vec::new();
        while let Ok(event) = sub.live.try_recv() {
            if let EventKind::LatencyStale { stale_since } = &event.kind {
                stale_events.push(*stale_since);
                console.apply(ClientEvent::Stream(Box::new(event.clone())), now);
                let shown = console.latency.summary.as_ref().unwrap();
                assert_eq!(shown.source, LatencySource::Prometheus);
                assert_eq!(
                    shown.stale_since, *stale_since,
                    "the pill follows the event"
                );
            }
        }
        assert_eq!(stale_events, [Some(2_000), None], "once each way");
        assert_eq!(console.latency.summary.unwrap().stale_since, None);
    }
}
