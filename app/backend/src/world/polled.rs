//! `World`'s side of polled sources (`sources::prometheus`): a source registered as pending, a
//! round of figures applied under the lock in one call, a failed round marking the source stale.

use std::collections::BTreeMap;

use super::World;
use crate::api::{SourceHealth, SourceKind, SourceStatus, UnixMs};
use crate::sources::ingest::canonical_id;
use crate::sources::prometheus::{Sample, skip_summary};

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
        let known: Vec<Sample> = {
            let index = self.entity_index();
            samples
                .into_iter()
                .filter_map(|mut s| {
                    s.entity_id = canonical_id(s.metric.kind(), &s.entity_id);
                    // A clock ahead of ours must not pin a figure against later readings.
                    s.measured_at = s.measured_at.min(now);
                    match index.admits(s.metric.kind(), &s.entity_id) {
                        Ok(()) => Some(s),
                        Err(reason) => {
                            *skipped.entry(reason).or_default() += 1;
                            None
                        }
                    }
                })
                .collect()
        };
        let taken = self.record_samples(source_id, &known, now);
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
