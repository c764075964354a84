//! `World`'s sources side: pushed samples and stage changes, the world directory's reloads and
//! refusals, the measured figures laid over the simulator's, and what is still simulated.

use std::collections::HashSet;
use std::sync::Arc;

use super::World;
use crate::api::{
    EventKind, FigureOrigin, IngestBatch, IngestReceipt, RefusedChange, SourceHealth, SourceKind,
    SourceStatus, Sources, UnixMs,
};
use crate::history::BackboneHistory;
use crate::sim::Simulator;
use crate::sources::ingest::{self, BatchError, EntityIndex};
use crate::sources::telemetry::{EntityKind, Metric, Reading, figure_origin};
use crate::sources::{InventoryParts, WORLD};

impl World {
    /// Applies a pushed batch from source `source_id` (a user with role `source`): every good
    /// sample and stage change is applied and published before the answer, every bad one is
    /// listed. A batch id seen before gets its first answer again (`replayed`), nothing applied.
    pub fn ingest(
        &mut self,
        source_id: &str,
        batch: &IngestBatch,
        now: UnixMs,
    ) -> Result<IngestReceipt, BatchError> {
        ingest::check_batch(batch)?;
        if let Some(receipt) = self.batches.replay(source_id, batch)? {
            return Ok(receipt);
        }
        let parts_before = self.simulated_parts();
        let checked = ingest::check(batch, &self.entity_index(), now);
        let mut accepted = self.record_samples(source_id, &checked.samples, now);
        accepted += checked.stages.len() as u64;
        let stages = self.newer_stages(&checked.stages);
        if !stages.is_empty() {
            let changes = self.sim.set_stages(&stages);
            if !changes.is_empty() {
                for chunk in changes.chunks(crate::sim::MAX_CHANGES_PER_EVENT) {
                    self.log.publish(
                        EventKind::FactoriesProgressed {
                            changes: chunk.to_vec(),
                            summary: self.sim.factory_summary(),
                        },
                        now,
                    );
                }
            }
        }
        let receipt = IngestReceipt {
            batch_id: batch.batch_id.clone(),
            accepted,
            rejected: checked.rejected,
            replayed: false,
        };
        self.batches.record(source_id, batch, &receipt);
        let was_stale = self.sources.is_stale(source_id);
        let status = self.sources.entry(source_id, || {
            SourceStatus::new(
                source_id,
                SourceKind::Push,
                "POST /api/v1/ingest",
                SourceHealth::Ok,
            )
        });
        let new_source = status.last_ok.is_none();
        status.health = SourceHealth::Ok;
        status.stale_since = None;
        status.last_error = None;
        status.last_ok = Some(now);
        status.delivered += accepted;
        for s in &checked.samples {
            let name = s.metric.qualified();
            if !status.provides.contains(&name) {
                status.provides.push(name);
            }
        }
        if !checked.stages.is_empty() && !status.provides.iter().any(|p| p == "enterprises.stage") {
            status.provides.push("enterprises.stage".into());
        }
        // Counters move with every batch; consoles hear of a push source when it appears or
        // comes back, or when what is still simulated changes (counters: `GET /sources`).
        if new_source || was_stale || self.simulated_parts() != parts_before {
            self.publish_sources(now);
        }
        Ok(receipt)
    }

    /// The ids samples may name now, and whether metro latency is measured elsewhere.
    pub(crate) fn entity_index(&self) -> EntityIndex<'_> {
        let sim = &self.sim;
        EntityIndex {
            links: sim.links().iter().map(|l| l.id.as_str()).collect(),
            clusters: sim.clusters().iter().map(|c| c.id.as_str()).collect(),
            metros: sim.metros().iter().map(|m| m.id.as_str()).collect(),
            factory: Box::new(move |id| sim.factory(id).is_some()),
            metros_measured_elsewhere: self.measured.is_some(),
        }
    }

    /// Records checked samples of `source_id` (pushed or polled) over the simulator's figures:
    /// plant KPIs follow, the new values of clusters, links and metros are published
    /// (`figures_measured`, `metro_updated`). Returns how many were taken.
    pub(crate) fn record_samples(
        &mut self,
        source_id: &str,
        samples: &[ingest::GoodSample],
        now: UnixMs,
    ) -> u64 {
        let source: Arc<str> = Arc::from(source_id);
        let mut measured = Vec::new();
        let mut metros_changed: HashSet<&str> = HashSet::new();
        let mut factories_changed = Vec::new();
        for s in samples {
            let reading = Reading {
                value: s.value,
                source: source.clone(),
                measured_at: s.measured_at,
            };
            if !self.telemetry.record(&s.entity_id, s.metric, reading) {
                continue;
            }
            match s.metric.kind() {
                EntityKind::Factory => {
                    if let Ok(id) = s.entity_id.parse::<u32>() {
                        factories_changed.push(id);
                    }
                    continue;
                }
                EntityKind::Metro => {
                    metros_changed.insert(&s.entity_id);
                }
                EntityKind::Link | EntityKind::Cluster => {}
            }
            measured.push(figure_origin(
                &s.entity_id,
                s.metric,
                source_id,
                s.measured_at,
                Some(s.value),
            ));
        }
        self.apply_factory_kpis(factories_changed, now);
        self.publish_measured(measured, now);
        if !metros_changed.is_empty() {
            for metro in self
                .metro_summaries()
                .into_iter()
                .filter(|m| metros_changed.contains(m.id.as_str()))
            {
                self.log.publish(EventKind::MetroUpdated { metro }, now);
            }
        }
        samples.len() as u64
    }

    /// The stage pushes that are newer than what each plant has (remembered for rebuilds).
    fn newer_stages(
        &mut self,
        pushed: &[ingest::GoodStage],
    ) -> Vec<(
        u32,
        crate::api::UpgradeStage,
        Option<Vec<crate::api::Technology>>,
    )> {
        let mut out = Vec::new();
        for (id, stage, technologies, t) in pushed {
            if self.pushed_stages.get(id).is_some_and(|held| held.t > *t) {
                continue;
            }
            self.pushed_stages.insert(
                *id,
                super::PushedStage {
                    stage: *stage,
                    technologies: technologies.clone(),
                    t: *t,
                },
            );
            out.push((*id, *stage, technologies.clone()));
        }
        out
    }

    /// Measured figures and pushed stages stand whatever the model did (an executed action, a
    /// rebuilt world): lays them over the simulator again.
    pub(crate) fn reapply_measured(&mut self, now: UnixMs) {
        if !self.pushed_stages.is_empty() {
            let stages: Vec<_> = self
                .pushed_stages
                .iter()
                .filter(|(id, _)| self.sim.factory(**id).is_some())
                .map(|(id, p)| (*id, p.stage, p.technologies.clone()))
                .collect();
            self.sim.set_stages(&stages);
        }
        if self.telemetry.any_factory() {
            let ids: Vec<u32> = self.telemetry.factory_ids();
            self.apply_factory_kpis(ids, now);
        }
    }

    /// Publishes measured figures: the last of each (entity, metric) only, in events of at most
    /// `MAX_ORIGINS_PER_EVENT`.
    pub(crate) fn publish_measured(&mut self, measured: Vec<FigureOrigin>, now: UnixMs) {
        let mut last: std::collections::HashMap<(String, String), FigureOrigin> =
            std::collections::HashMap::with_capacity(measured.len());
        for o in measured {
            last.insert((o.entity.clone(), o.metric.clone()), o);
        }
        let mut origins: Vec<FigureOrigin> = last.into_values().collect();
        origins.sort_by(|a, b| (&a.entity, &a.metric).cmp(&(&b.entity, &b.metric)));
        for chunk in origins.chunks(MAX_ORIGINS_PER_EVENT) {
            self.log.publish(
                EventKind::FiguresMeasured {
                    origins: chunk.to_vec(),
                },
                now,
            );
        }
    }

    /// Measured KPIs of plants `ids` (any order, repeats allowed) replace their modelled ones;
    /// plants whose compliance flips are published as `factories_progressed` changes (same
    /// stage), so the map, counts and table follow.
    pub(crate) fn apply_factory_kpis(&mut self, mut ids: Vec<u32>, now: UnixMs) {
        ids.sort_unstable();
        ids.dedup();
        let mut flipped = Vec::new();
        for id in ids {
            let Some(f) = self.sim.factory(id) else {
                continue;
            };
            let before = f.is_compliant();
            let kpis = self.telemetry.factory_kpis(id, f.kpis);
            self.sim.set_factory_kpis(id, kpis);
            if let Some(f) = self.sim.factory(id)
                && f.is_compliant() != before
            {
                flipped.push(crate::api::FactoryStageChange {
                    id,
                    stage: f.stage,
                    technologies: f.technologies.clone(),
                    compliant: !before,
                });
            }
        }
        for chunk in flipped.chunks(crate::sim::MAX_CHANGES_PER_EVENT) {
            self.log.publish(
                EventKind::FactoriesProgressed {
                    changes: chunk.to_vec(),
                    summary: self.sim.factory_summary(),
                },
                now,
            );
        }
    }

    /// Fills the points' KPI provenance (left empty while no plant is measured).
    pub fn mark_measured_points(&self, points: &mut crate::api::FactoryPoints) {
        if !self.telemetry.any_factory() {
            return;
        }
        let mut sources: Vec<String> = Vec::new();
        points.kpi_source = Vec::with_capacity(points.ids.len());
        points.kpi_measured_at = Vec::with_capacity(points.ids.len());
        for id in &points.ids {
            match self.telemetry.factory_latest(*id) {
                Some((source, at)) => {
                    let i = match sources.iter().position(|s| s == source) {
                        Some(i) => i,
                        None => {
                            sources.push(source.to_owned());
                            sources.len() - 1
                        }
                    };
                    points
                        .kpi_source
                        .push(u16::try_from(i + 1).unwrap_or(u16::MAX));
                    points.kpi_measured_at.push(at);
                }
                None => {
                    points.kpi_source.push(0);
                    points.kpi_measured_at.push(0);
                }
            }
        }
        points.kpi_sources = sources;
    }

    /// The world directory loaded (at start or after a change): the new simulator replaces the
    /// old one at the same simulated time; consoles refetch the snapshot (`Resync`).
    pub fn replace_world(
        &mut self,
        sim: Simulator,
        parts: InventoryParts,
        location: &str,
        records: u64,
        now: UnixMs,
    ) {
        self.history = BackboneHistory::backfilled(&sim);
        self.sim = sim;
        self.note_world_loaded(parts, location, records, now);
        // Readings of entities that left the world go with them.
        let sim = &self.sim;
        let links: HashSet<String> = sim.links().iter().map(|l| l.id.clone()).collect();
        let clusters: HashSet<String> = sim.clusters().iter().map(|c| c.id.clone()).collect();
        let metros: HashSet<String> = sim.metros().iter().map(|m| m.id.clone()).collect();
        self.telemetry
            .forget_entities_not_in(|kind, id| match kind {
                EntityKind::Link => links.contains(id),
                EntityKind::Cluster => clusters.contains(id),
                EntityKind::Metro => metros.contains(id),
                EntityKind::Factory => id.parse::<u32>().is_ok_and(|n| sim.factory(n).is_some()),
            });
        self.pushed_stages
            .retain(|id, _| self.sim.factory(*id).is_some());
        self.reapply_measured(now);
        if self.measured.is_some() && parts.metros {
            // The latency adapter's grids were built for the metros it started with.
            if let Some(status) = self.sources.get_mut(WORLD) {
                status.last_error = Some(
                    "metro latency from Prometheus keeps the metros it started with until \
                     serve restarts"
                        .into(),
                );
            }
        }
        self.log.publish(EventKind::Resync, now);
        self.publish_sources(now);
    }

    /// Records a successful load of the world directory (at start, or a reload).
    pub fn note_world_loaded(
        &mut self,
        parts: InventoryParts,
        location: &str,
        records: u64,
        now: UnixMs,
    ) {
        self.sources.inventory = parts;
        let status = self.sources.entry(WORLD, || world_status(location));
        status.health = SourceHealth::Ok;
        status.last_ok = Some(now);
        status.stale_since = None;
        status.last_error = None;
        status.provides = parts.names();
        status.delivered = records;
        self.simulated = !self.simulated_parts().is_empty();
    }

    /// A change of the world directory was refused: the world in service stays.
    pub fn refuse_world_change(&mut self, refused: RefusedChange, location: &str, now: UnixMs) {
        let status = self.sources.entry(WORLD, || world_status(location));
        status.last_error = Some(refused.reason.clone());
        status.last_refused = Some(refused);
        self.publish_sources(now);
    }

    /// Push sources silent too long go stale (their figures greyed); called every tick.
    pub fn age_sources(&mut self, now: UnixMs) {
        if self.sources.age_pushes(now) {
            self.publish_sources(now);
        }
    }

    /// `GET /api/v1/sources`.
    pub fn sources_report(&self) -> Sources {
        let simulated = self.simulated_parts();
        let mut sources = self.sources.all().to_vec();
        if let Some(measured) = &self.measured {
            sources.push(latency_status(measured.feed()));
        }
        if let Some(sim) = sources.iter_mut().find(|s| s.kind == SourceKind::Simulator) {
            sim.provides = simulated.clone();
        }
        Sources { sources, simulated }
    }

    /// The origins of every measured figure of clusters, links and metros: pushed and polled
    /// readings, and metro latency from the Prometheus latency adapter.
    pub fn figure_origins(&self) -> Vec<FigureOrigin> {
        let mut out = self.telemetry.origins();
        if let Some(measured) = &self.measured
            && let Some(at) = measured.feed().last_success
        {
            for m in measured
                .summaries()
                .iter()
                .filter(|m| m.probes.unwrap_or(0) > 0)
            {
                for metric in [Metric::MetroMedianRtt, Metric::MetroCoverage] {
                    out.push(figure_origin(&m.id, metric, LATENCY_SOURCE, at, None));
                }
            }
        }
        out
    }

    /// What is still the simulator's (see `SourceBook::simulated_parts`).
    pub fn simulated_parts(&self) -> Vec<String> {
        let counts = |kind: EntityKind| match kind {
            EntityKind::Link => self.sim.links().len(),
            EntityKind::Cluster => self.sim.clusters().len(),
            EntityKind::Metro => self.sim.metros().len(),
            EntityKind::Factory => self.sim.factories().len(),
        };
        self.sources
            .simulated_parts(&self.telemetry, counts, self.measured.is_some())
    }

    /// Publishes the sources (a health or inventory change).
    pub(crate) fn publish_sources(&mut self, now: UnixMs) {
        let report = self.sources_report();
        self.simulated = !report.simulated.is_empty();
        self.log.publish(
            EventKind::SourcesChanged {
                sources: report.sources,
                simulated_parts: report.simulated,
            },
            now,
        );
    }
}

/// Most figure origins in one `figures_measured` event.
const MAX_ORIGINS_PER_EVENT: usize = 2_000;

fn world_status(location: &str) -> SourceStatus {
    SourceStatus::new(WORLD, SourceKind::World, location, SourceHealth::Pending)
}

/// The Prometheus metro-latency adapter (`--latency-source prometheus`) as a source.
pub(crate) fn latency_status(feed: &crate::api::LatencyFeed) -> SourceStatus {
    let health = if feed.stale_since.is_some() {
        SourceHealth::Stale
    } else if feed.last_success.is_some() {
        SourceHealth::Ok
    } else {
        SourceHealth::Pending
    };
    SourceStatus {
        provides: vec!["metro.median_rtt_ms".into(), "metro.coverage_1ms".into()],
        last_ok: feed.last_success,
        stale_since: feed.stale_since,
        last_error: feed.last_error.clone(),
        interval_s: Some(feed.interval_s),
        delivered: u64::from(feed.probes),
        ..SourceStatus::new(
            LATENCY_SOURCE,
            SourceKind::Prometheus,
            feed.url.clone().unwrap_or_default(),
            health,
        )
    }
}

/// The source id of measured metro latency.
pub const LATENCY_SOURCE: &str = "prometheus:latency";
