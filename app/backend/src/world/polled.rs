//! `World`'s side of polled sources (`sources::prometheus`): a source registered as pending, a
//! round of figures applied under the lock in one call, a failed round marking the source stale.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::World;
use crate::api::{EventKind, FigureOrigin, SourceHealth, SourceKind, SourceStatus, UnixMs};
use crate::sources::prometheus::{Sample, skip_summary};
use crate::sources::telemetry::{EntityKind, Reading};

impl World {
    /// Registers a polled source before its first round (`pending`, so `GET /api/v1/sources`
    /// lists it at once). The caller publishes the sources.
    pub fn register_polled(
        &mut self,
        source_id: &str,
        location: String,
        interval_s: f64,
        provides: Vec<String>,
    ) {
        let status = self.sources.entry(source_id, || polled_status(source_id));
        status.kind = SourceKind::Prometheus;
        status.location = location;
        status.health = SourceHealth::Pending;
        status.interval_s = Some(interval_s);
        status.provides = provides;
        status.last_ok = None;
        status.stale_since = None;
        status.last_error = None;
    }

    /// Applies one successful round of `source_id`: readings of entities in the world are
    /// recorded (others counted as `unknown_entity`), plant KPIs follow, `FiguresMeasured` and
    /// `MetroUpdated` are published, and the source is live again. Returns the readings taken.
    pub fn apply_polled(
        &mut self,
        source_id: &str,
        samples: Vec<Sample>,
        mut skipped: BTreeMap<&'static str, u64>,
        now: UnixMs,
    ) -> u64 {
        let parts_before = self.simulated_parts();
        let source: Arc<str> = Arc::from(source_id);
        let known: Vec<Sample> = {
            let links: HashSet<&str> = self.sim.links().iter().map(|l| l.id.as_str()).collect();
            let clusters: HashSet<&str> =
                self.sim.clusters().iter().map(|c| c.id.as_str()).collect();
            let metros: HashSet<&str> = self.sim.metros().iter().map(|m| m.id.as_str()).collect();
            let sim = &self.sim;
            let measured_elsewhere = self.measured.is_some();
            let mut known = Vec::with_capacity(samples.len());
            for mut s in samples {
                // One spelling per plant: `007` is plant 7.
                if s.metric.kind() == EntityKind::Factory
                    && let Ok(n) = s.entity_id.parse::<u32>()
                {
                    s.entity_id = n.to_string();
                }
                let ok = match s.metric.kind() {
                    EntityKind::Link => links.contains(s.entity_id.as_str()),
                    EntityKind::Cluster => clusters.contains(s.entity_id.as_str()),
                    // Metro latency from the latency adapter is not overridden here.
                    EntityKind::Metro if measured_elsewhere => {
                        *skipped.entry("measured_elsewhere").or_default() += 1;
                        continue;
                    }
                    EntityKind::Metro => metros.contains(s.entity_id.as_str()),
                    EntityKind::Factory => s
                        .entity_id
                        .parse::<u32>()
                        .is_ok_and(|id| sim.factory(id).is_some()),
                };
                if ok {
                    known.push(s);
                } else {
                    *skipped.entry("unknown_entity").or_default() += 1;
                }
            }
            known
        };
        let taken = known.len() as u64;
        let mut origins = Vec::new();
        let mut metros_changed: Vec<String> = Vec::new();
        let mut factories_changed: Vec<u32> = Vec::new();
        for s in known {
            // A clock ahead of ours must not pin a figure against later readings.
            let measured_at = s.measured_at.min(now);
            let reading = Reading {
                value: s.value,
                source: source.clone(),
                measured_at,
            };
            if !self.telemetry.record(&s.entity_id, s.metric, reading) {
                continue;
            }
            let kind = s.metric.kind();
            match kind {
                EntityKind::Factory => {
                    if let Ok(id) = s.entity_id.parse::<u32>() {
                        factories_changed.push(id);
                    }
                    continue;
                }
                EntityKind::Metro => {
                    if !metros_changed.contains(&s.entity_id) {
                        metros_changed.push(s.entity_id.clone());
                    }
                }
                EntityKind::Link | EntityKind::Cluster => {}
            }
            origins.push(FigureOrigin {
                entity: format!("{}:{}", kind.prefix(), s.entity_id),
                metric: s.metric.name().to_owned(),
                source: source_id.to_owned(),
                measured_at,
                value: Some(s.value),
            });
        }
        self.apply_factory_kpis(factories_changed, now);
        self.publish_measured(origins, now);
        if !metros_changed.is_empty() {
            for metro in self
                .metro_summaries()
                .into_iter()
                .filter(|m| metros_changed.contains(&m.id))
            {
                self.log.publish(EventKind::MetroUpdated { metro }, now);
            }
        }
        let status = self.sources.entry(source_id, || polled_status(source_id));
        let health_changed = status.health != SourceHealth::Ok;
        let first_round = status.last_ok.is_none();
        status.health = SourceHealth::Ok;
        status.stale_since = None;
        status.last_ok = Some(now);
        status.delivered = status.delivered.saturating_add(taken);
        status.last_error = skip_summary(&skipped);
        // Consoles hear of a change of health, the first round, or of what is still simulated.
        if health_changed || first_round || self.simulated_parts() != parts_before {
            self.publish_sources(now);
        }
        taken
    }

    /// A failed round of `source_id`: its figures stay, stale since the first failure.
    pub fn fail_polled(&mut self, source_id: &str, error: String, now: UnixMs) {
        let status = self.sources.entry(source_id, || polled_status(source_id));
        let health_changed = status.health != SourceHealth::Stale;
        status.health = SourceHealth::Stale;
        if status.stale_since.is_none() {
            status.stale_since = Some(now);
        }
        status.last_error = Some(error);
        if health_changed {
            self.publish_sources(now);
        }
    }
}

fn polled_status(source_id: &str) -> SourceStatus {
    SourceStatus::new(source_id, SourceKind::Prometheus, "", SourceHealth::Pending)
}
