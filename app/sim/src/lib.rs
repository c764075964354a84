//! The deterministic simulator behind the reference backend: hubs, clusters and backbone
//! channels, metro latency grids, the enterprises on the upgrade programme, their agents and what
//! those propose. Same seed, start and sequence of steps and actions ⇒ the same world, bit for bit.
//!
//! This crate owns the simulated world only: it knows nothing of HTTP, storage, action
//! lifecycles or wall-clock time. The backend calls [`Simulator::step`], turns proposals into
//! actions and reports executed ones back with [`Simulator::apply_executed`].

use tianshu_api as api;
use tianshu_api::gateway_rules::entity_id;

mod activity_past;
mod agents;
mod clock;
mod compute;
mod coverage_log;
mod draw;
mod factories;
mod factory_detail;
mod geo;
mod hitl;
mod labels;
mod latency;
mod metros;
mod progress;
mod proposals;
mod query;

use std::collections::{BTreeMap, BTreeSet};

use rand::SeedableRng as _;
use thiserror::Error;

use crate::api::inventory::Inventory;
use crate::api::{
    Action, ActionKind, Agent, BackboneLink, Cluster, EventKind, Factory, FactoryDetail,
    FactoryPage, FactoryPoints, FactoryQuery, FactorySummary, GeoPoint, Hub, LatencyGrid,
    MetroSummary, Progress, UnixMs,
};

pub use activity_past::{ModelledPoint, modelled_activity};
use agents::AgentBook;
use compute::Backbone;
pub use coverage_log::CoverageLog;
use draw::SimRng;
use factories::FactoryBook;
use metros::Metros;
use progress::{Metrics, ProgressLog};
use proposals::{Proposer, World};

pub use latency::WhatIfError;
pub use metros::COVERED_MS;
pub use proposals::Proposal;
pub use query::QueryError;

/// Most stage changes listed in one `FactoriesProgressed` event (the summary is always complete).
pub const MAX_CHANGES_PER_EVENT: usize = 2000;
/// Most plants a simulator will generate.
pub const MAX_FACTORIES: u32 = 1_000_000;
/// Upgraded plants on edge computing or cloud PLC under an L3+ group agent that count as one
/// high-level plant agent (see the `industrial_agents_high_level` target).
const PLANTS_PER_PLANT_AGENT: u64 = 20;
/// Days of modelled metro history a simulated world starts with.
const COVERAGE_BACKFILL_DAYS: usize = 90;
/// Longest step taken at once, simulated seconds (a longer `dt` is cut to this).
pub const MAX_STEP_S: f64 = 366.0 * 86_400.0;

/// How to build a world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimConfig {
    pub seed: u64,
    /// Simulated time at the start.
    pub start: UnixMs,
    pub factory_count: u32,
}

impl Default for SimConfig {
    /// Seed 42, 2026-11-01T00:00Z, 60,000 enterprises.
    fn default() -> Self {
        Self {
            seed: 42,
            start: clock::DEFAULT_START,
            factory_count: 60_000,
        }
    }
}

/// The simulator cannot be built.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SimError {
    #[error("the embedded city table is broken ({0}); rebuild assets/geo/cn_cities.csv")]
    Cities(String),
    #[error("the embedded city table has no mainland cities; rebuild assets/geo/cn_cities.csv")]
    NoCities,
    #[error("factory_count {0} is too large; use at most {MAX_FACTORIES}")]
    TooManyFactories(u32),
}

/// What one step produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepOutput {
    /// `Tick` first, then `MetroUpdated`, `FactoriesProgressed`, `AgentUpdated`.
    pub events: Vec<EventKind>,
    pub proposals: Vec<Proposal>,
}

/// The simulated world.
pub struct Simulator {
    config: SimConfig,
    rng: SimRng,
    elapsed_s: f64,
    now: UnixMs,
    backbone: Backbone,
    metros: Metros,
    book: FactoryBook,
    agents: AgentBook,
    provinces: BTreeMap<String, (String, String)>,
    proposer: Proposer,
    progress: ProgressLog,
    /// Daily national 1 ms access figures and every metro's coverage (bounded).
    coverage_log: CoverageLog,
    /// Recent KPI changes of plants, for their pages.
    kpi_log: factory_detail::KpiLog,
    /// Changed outside `step` (by actions); reported with the next step.
    dirty_metros: BTreeSet<usize>,
    dirty_agents: BTreeSet<usize>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("config", &self.config)
            .field("sim_time", &self.now)
            .field("metros", &self.metros.summaries().len())
            .field("factories", &self.book.all().len())
            .field("agents", &self.agents.all().len())
            .finish_non_exhaustive()
    }
}

impl Simulator {
    pub fn new(config: SimConfig) -> Result<Self, SimError> {
        Self::with_inventory(config, &Inventory::default())
    }

    /// A world around the operator's own inventory: the parts `inventory` gives replace the
    /// simulator's (hubs, clusters and links; metros and sites; enterprises); the rest is
    /// generated as by [`Simulator::new`]. Figures the inventory does not hold (loads, coverage,
    /// plant KPIs) are modelled either way.
    pub fn with_inventory(config: SimConfig, inventory: &Inventory) -> Result<Self, SimError> {
        if inventory.enterprises.is_none() && config.factory_count > MAX_FACTORIES {
            return Err(SimError::TooManyFactories(config.factory_count));
        }
        let cities = geo::mainland_cities()?;
        if cities.is_empty() {
            return Err(SimError::NoCities);
        }
        let mut rng = SimRng::seed_from_u64(config.seed);
        let backbone = match &inventory.compute {
            Some(compute) => Backbone::from_inventory(compute, &mut rng, config.start),
            None => Backbone::new(&mut rng, config.start),
        };
        let metros = match &inventory.metros {
            Some(defs) => Metros::from_defs(defs, &mut rng, config.seed),
            None => Metros::new(&cities, &mut rng, config.seed),
        };
        let mut book = match &inventory.enterprises {
            Some(defs) => FactoryBook::from_registry(defs, &mut rng),
            None => FactoryBook::generate(&cities, config.factory_count, &mut rng),
        };
        let provinces = factories::province_names(&cities);
        let agents = AgentBook::new(&backbone, &metros, &mut book, &provinces, &mut rng);
        // Simulated metros come with the last 90 days of their modelled roll-out, so the trend
        // chart and each metro's 30-day change are not empty on first start.
        let coverage_log = CoverageLog::backfilled(
            config.start,
            &metros.backfill(config.seed, COVERAGE_BACKFILL_DAYS),
            metros.summaries(),
        );
        let mut sim = Self {
            config,
            rng,
            elapsed_s: 0.0,
            now: config.start,
            backbone,
            metros,
            book,
            agents,
            provinces,
            proposer: Proposer::new(),
            progress: ProgressLog::new(config.start, &[0.0; 7], &[]),
            coverage_log,
            kpi_log: factory_detail::KpiLog::default(),
            dirty_metros: BTreeSet::new(),
            dirty_agents: BTreeSet::new(),
        };
        sim.progress = ProgressLog::new(
            config.start,
            &sim.metrics(),
            &sim.book.summary().upgraded_by_province,
        );
        sim.progress
            .align_metro_history(&sim.coverage_log.metro_shares());
        Ok(sim)
    }

    pub fn config(&self) -> SimConfig {
        self.config
    }

    /// Advance the simulated clock by `dt_sim_s` seconds (negative or non-finite counts as 0,
    /// more than [`MAX_STEP_S`] as that).
    pub fn step(&mut self, dt_sim_s: f64) -> StepOutput {
        let dt = if dt_sim_s.is_finite() {
            dt_sim_s.clamp(0.0, MAX_STEP_S)
        } else {
            0.0
        };
        self.elapsed_s += dt;
        self.now = self
            .config
            .start
            .saturating_add((self.elapsed_s * 1000.0).round() as i64);
        let mut events = Vec::new();

        self.backbone.advance(self.now, dt, &mut self.rng);
        let (clusters, links) = self.backbone.loads();
        events.push(EventKind::Tick {
            sim_time: self.now,
            clusters,
            links,
        });

        self.dirty_metros
            .extend(self.metros.grow(dt, &mut self.rng));
        for i in std::mem::take(&mut self.dirty_metros) {
            if let Some(metro) = self.metros.summaries().get(i) {
                events.push(EventKind::MetroUpdated {
                    metro: metro.clone(),
                });
            }
        }

        let mut changes = self.book.advance(dt, &mut self.rng);
        if !changes.is_empty() {
            let book = &self.book;
            self.kpi_log
                .record(self.now, &changes, |id| book.get(id).cloned());
            changes.truncate(MAX_CHANGES_PER_EVENT);
            events.push(EventKind::FactoriesProgressed {
                changes,
                summary: self.book.summary().clone(),
            });
        }

        self.dirty_agents
            .extend(self.agents.advance(dt, &mut self.rng));
        for i in std::mem::take(&mut self.dirty_agents) {
            if let Some(agent) = self.agents.get(i) {
                events.push(EventKind::AgentUpdated {
                    agent: agent.clone(),
                });
            }
        }

        let world = World {
            now: self.now,
            backbone: &self.backbone,
            metros: &self.metros,
            book: &self.book,
            agents: &self.agents,
            provinces: &self.provinces,
        };
        let proposals = self.proposer.step(&world, dt, &mut self.rng);

        let metrics = self.metrics();
        self.progress.observe(
            self.now,
            &metrics,
            &self.book.summary().upgraded_by_province,
        );
        self.coverage_log.observe(self.now, self.metros.summaries());
        StepOutput { events, proposals }
    }

    pub fn sim_time(&self) -> UnixMs {
        self.now
    }

    pub fn hubs(&self) -> &[Hub] {
        self.backbone.hubs()
    }

    /// Cluster and link figures of the noise-free backbone model at `t` (history backfill).
    pub fn model_loads_at(
        &self,
        t: UnixMs,
    ) -> (Vec<crate::api::ClusterLoad>, Vec<crate::api::LinkLoad>) {
        self.backbone.model_loads_at(t)
    }

    pub fn clusters(&self) -> &[Cluster] {
        self.backbone.clusters()
    }

    pub fn links(&self) -> &[BackboneLink] {
        self.backbone.links()
    }

    pub fn metros(&self) -> &[MetroSummary] {
        self.metros.summaries()
    }

    pub fn agents(&self) -> &[Agent] {
        self.agents.all()
    }

    pub fn factories(&self) -> &[Factory] {
        self.book.all()
    }

    pub fn factory_summary(&self) -> FactorySummary {
        self.book.summary().clone()
    }

    pub fn factory(&self, id: u32) -> Option<&Factory> {
        self.book.get(id)
    }

    /// The full latency grid of a metro, built now (≈10,000 cells).
    pub fn latency_grid(&self, metro_id: &str) -> Option<LatencyGrid> {
        let mut grid = self.metros.grid(self.metros.index(metro_id)?)?;
        grid.sim_time = self.now;
        Some(grid)
    }

    pub fn progress(&self) -> Progress {
        self.progress.report(
            self.now,
            &self.metrics(),
            self.book.summary().upgraded_by_province.clone(),
            self.book.all(),
        )
    }

    pub fn query_factories(&self, q: &FactoryQuery) -> Result<FactoryPage, QueryError> {
        query::query(&self.book, q)
    }

    /// Every plant matching `q` as compact parallel arrays (paging ignored).
    pub fn factory_points(&self, q: &FactoryQuery) -> Result<FactoryPoints, QueryError> {
        query::points(&self.book, q)
    }

    /// Every plant matching `q` as CSV (header first), paging ignored.
    pub fn factories_csv(&self, q: &FactoryQuery) -> Result<Vec<u8>, QueryError> {
        let mut out = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail short of running out of it.
        let _ = out.write_record(query::CSV_HEADER);
        for f in query::matching(&self.book, q)? {
            let _ = out.write_record(query::csv_record(f));
        }
        Ok(out.into_inner().unwrap_or_default())
    }

    /// One plant with its upgrade checklist and recent KPI history.
    pub fn factory_detail(&self, id: u32) -> Option<FactoryDetail> {
        let f = self.book.get(id)?;
        Some(self.kpi_log.detail(f, self.config.start, self.now))
    }

    /// Enterprise stages reported by the registry's owner; the changes show in the next step's
    /// events and in the returned list.
    pub fn set_stages(
        &mut self,
        changes: &[(u32, api::UpgradeStage, Option<Vec<api::Technology>>)],
    ) -> Vec<api::FactoryStageChange> {
        self.book.set_stages(changes)
    }

    /// Measured network figures of plant `id` replace the modelled ones (false: no such plant).
    pub fn set_factory_kpis(&mut self, id: u32, kpis: api::NetworkKpis) -> bool {
        self.book.set_kpis(id, kpis)
    }

    /// The backend accepted a proposal of this agent.
    pub fn note_proposed(&mut self, agent_id: &str) {
        if let Some(i) = self.agents.index(agent_id) {
            self.agents.note_proposed(i);
            self.dirty_agents.insert(i);
        }
    }

    /// An action ran: change the world as it says (missing or odd parameters fall back to what
    /// the agent would have chosen) and count it for its agent. Changes show in the next step's
    /// events.
    pub fn apply_executed(&mut self, action: &Action) {
        let params = ActionParams(&action.params);
        let text = |key: &str| params.text(key);
        let number = |key: &str| params.number(key);
        match action.kind {
            ActionKind::Reroute => {
                let link = text("from_link").and_then(|id| self.backbone.link_index(id));
                if let Some(i) =
                    link.or_else(|| self.backbone.link_index(entity_id(&action.target)))
                {
                    let via = text("via")
                        .and_then(|id| self.backbone.cluster_index(id))
                        .filter(|v| self.backbone.detour_via(i, *v).is_some())
                        .or_else(|| self.backbone.best_detour(i).map(|d| d.via));
                    if let Some(via) = via {
                        self.backbone.reroute(
                            i,
                            via,
                            number("shift_gbps").unwrap_or(100.0),
                            self.now,
                        );
                    }
                }
            }
            ActionKind::ScaleCompute => {
                let cluster = text("cluster").and_then(|id| self.backbone.cluster_index(id));
                if let Some(i) =
                    cluster.or_else(|| self.backbone.cluster_index(entity_id(&action.target)))
                {
                    self.backbone
                        .scale_compute(i, number("add_eflops").unwrap_or(5.0), self.now);
                }
            }
            ActionKind::DeployEdge => {
                if let Some(i) = self.metro_of(action) {
                    let mut points: Vec<GeoPoint> = action
                        .params
                        .get("sites")
                        .and_then(serde_json::Value::as_array)
                        .map(|sites| sites.iter().filter_map(site_point).collect())
                        .unwrap_or_default();
                    if points.is_empty() {
                        let k = number("count").map_or(1, |k| k.clamp(1.0, 5.0) as usize);
                        points = self.metros.best_site_points(i, k);
                    }
                    points.truncate(10);
                    if self.metros.deploy(i, &points) > 0 {
                        self.dirty_metros.insert(i);
                    }
                }
            }
            ActionKind::QosSchedule => {
                if let Some(i) = self.metro_of(action) {
                    self.metros
                        .apply_qos(i, number("latency_gain_ms").unwrap_or(0.04));
                    self.dirty_metros.insert(i);
                }
            }
            ActionKind::TsnSchedule => {
                if let Some(g) = self.book.group_index(entity_id(&action.target)) {
                    let factor =
                        number("jitter_factor").unwrap_or_else(|| match number("cycle_us") {
                            Some(c) if c <= 250.0 => 0.55,
                            Some(c) if c <= 500.0 => 0.6,
                            _ => 0.7,
                        });
                    self.book.tune_network(g, factor.clamp(0.3, 1.0), 0.9);
                }
            }
            ActionKind::ProcessParameter => {
                if let Some(g) = self.book.group_index(entity_id(&action.target)) {
                    self.book.tune_process(g, 0.7, 1.05);
                }
            }
            // Never proposed by this simulator: nothing to apply.
            ActionKind::Unknown => {}
        }
        if let Some(i) = self.agents.index(&action.agent_id) {
            self.agents.note_executed(i);
            self.dirty_agents.insert(i);
        }
        self.proposer
            .executed(&action.agent_id, entity_id(&action.target), self.now);
    }

    fn metro_of(&self, action: &Action) -> Option<usize> {
        let named = action
            .params
            .get("metro")
            .and_then(serde_json::Value::as_str);
        named
            .and_then(|id| self.metros.index(id))
            .or_else(|| self.metros.index(entity_id(&action.target)))
    }

    /// The world against the plans' targets, in `progress::TARGETS` order.
    fn metrics(&self) -> Metrics {
        let (mut group_agents, mut plant_agents) = (0, 0);
        for g in self.agents.groups_at_l3_plus() {
            group_agents += 1;
            plant_agents += self.book.group_edge_or_cloud(g);
        }
        let agents_high = group_agents + plant_agents / PLANTS_PER_PLANT_AGENT;
        [
            // The plan's wording: the share of metros with 1 ms access (the latency view's
            // headline), not the population-weighted coverage.
            100.0 * coverage_log::national(self.metros.summaries()).1,
            self.book.upgraded() as f64,
            agents_high as f64,
            100.0 * self.backbone.share_800g(),
            100.0 * self.agents.network_l4_share(),
            self.backbone.mean_pue(),
            100.0 * self.backbone.mean_occupancy(),
        ]
    }
}

fn site_point(v: &serde_json::Value) -> Option<GeoPoint> {
    let lat = v.get("lat")?.as_f64()?;
    let lon = v.get("lon")?.as_f64()?;
    (lat.is_finite() && lon.is_finite()).then_some(GeoPoint { lat, lon })
}

/// Typed reads of an action's JSON parameters; a missing, mistyped or non-finite value reads as
/// absent (the caller falls back to what the agent would have chosen).
pub struct ActionParams<'a>(pub &'a serde_json::Value);

impl<'a> ActionParams<'a> {
    pub fn text(&self, key: &str) -> Option<&'a str> {
        self.0.get(key).and_then(serde_json::Value::as_str)
    }

    pub fn number(&self, key: &str) -> Option<f64> {
        self.0
            .get(key)
            .and_then(serde_json::Value::as_f64)
            .filter(|x| x.is_finite())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
