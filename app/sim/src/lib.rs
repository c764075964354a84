//! The deterministic simulator behind the reference backend: hubs, clusters and backbone
//! channels, metro latency grids, the enterprises on the upgrade programme, their agents and what
//! those propose. Same seed, start and sequence of steps and actions ⇒ the same world, bit for bit.
//!
//! This crate owns the simulated world only: it knows nothing of HTTP, storage, action
//! lifecycles or wall-clock time. The backend calls [`Simulator::step`], turns proposals into
//! actions and reports executed ones back with [`Simulator::apply_executed`].

use tianshu_api as api;
use tianshu_api::gateway_rules::entity_id;

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

use crate::api::{
    Action, ActionKind, Agent, BackboneLink, Cluster, EventKind, Factory, FactoryDetail,
    FactoryPage, FactoryPoints, FactoryQuery, FactorySummary, GeoPoint, Hub, LatencyGrid,
    MetroSummary, Progress, UnixMs,
};

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
        if config.factory_count > MAX_FACTORIES {
            return Err(SimError::TooManyFactories(config.factory_count));
        }
        let cities = geo::mainland_cities()?;
        if cities.is_empty() {
            return Err(SimError::NoCities);
        }
        let mut rng = SimRng::seed_from_u64(config.seed);
        let backbone = Backbone::new(&mut rng, config.start);
        let metros = Metros::new(&cities, &mut rng, config.seed);
        let mut book = FactoryBook::generate(&cities, config.factory_count, &mut rng);
        let provinces = factories::province_names(&cities);
        let agents = AgentBook::new(&backbone, &metros, &mut book, &provinces, &mut rng);
        let coverage_log = CoverageLog::new(config.start, metros.summaries());
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
mod tests {
    use std::collections::BTreeMap;
    use std::time::Instant;

    use super::*;
    use crate::api::{ActionState, AgentScope, AutonomyLevel, Policy, UpgradeStage};

    fn small(seed: u64) -> Simulator {
        Simulator::new(SimConfig {
            seed,
            factory_count: 8_000,
            ..SimConfig::default()
        })
        .unwrap()
    }

    fn action(p: &Proposal) -> Action {
        Action {
            id: 1,
            version: 1,
            agent_id: p.agent_id.clone(),
            kind: p.kind,
            target: p.target.clone(),
            summary_en: p.summary_en.clone(),
            summary_zh: p.summary_zh.clone(),
            rationale_en: p.rationale_en.clone(),
            rationale_zh: p.rationale_zh.clone(),
            confidence: p.confidence,
            risk: p.risk,
            policy: p.policy,
            predicted_impact_en: p.predicted_impact_en.clone(),
            predicted_impact_zh: p.predicted_impact_zh.clone(),
            params: p.params.clone(),
            state: ActionState::Executed,
            created_at: 0,
            expires_at: 0,
            approvals: Vec::new(),
            decided_by: None,
            decided_at: None,
            overridden: false,
            industrial: false,
            veto_until: None,
            param_bounds: BTreeMap::new(),
            on_expiry: crate::api::ExpiryDefault::NotExecuted,
            ..Default::default()
        }
    }

    fn bare_action(
        kind: ActionKind,
        agent_id: &str,
        target: &str,
        params: serde_json::Value,
    ) -> Action {
        let p = Proposal {
            agent_id: agent_id.to_owned(),
            kind,
            target: target.to_owned(),
            summary_en: String::new(),
            summary_zh: String::new(),
            rationale_en: String::new(),
            rationale_zh: String::new(),
            confidence: 0.9,
            risk: crate::api::Risk::Low,
            policy: Policy::OneApproval,
            predicted_impact_en: String::new(),
            predicted_impact_zh: String::new(),
            params,
            ttl_s: 600,
        };
        action(&p)
    }

    #[test]
    fn same_seed_same_world() {
        let (mut a, mut b) = (small(7), small(7));
        assert_eq!(a.clusters(), b.clusters());
        assert_eq!(a.links(), b.links());
        assert_eq!(a.metros(), b.metros());
        assert_eq!(a.agents(), b.agents());
        assert_eq!(a.factories(), b.factories());
        assert_eq!(a.progress(), b.progress());
        for i in 0..50 {
            let dt = if i % 7 == 0 { 3600.0 } else { 60.0 };
            assert_eq!(a.step(dt), b.step(dt), "step {i}");
        }
        assert_eq!(a.factory_summary(), b.factory_summary());
        assert_eq!(a.latency_grid("shanghai"), b.latency_grid("shanghai"));
        assert_eq!(a.progress(), b.progress());
    }

    #[test]
    fn other_seed_other_world() {
        let (mut a, mut b) = (small(7), small(8));
        assert_ne!(a.factories(), b.factories());
        assert_ne!(a.metros(), b.metros());
        let (x, y): (Vec<StepOutput>, Vec<StepOutput>) =
            (0..50).map(|_| (a.step(60.0), b.step(60.0))).unzip();
        assert_ne!(x, y);
    }

    #[test]
    fn default_world_has_everything() {
        let started = Instant::now();
        let sim = Simulator::new(SimConfig::default()).unwrap();
        eprintln!("built the default world in {:?}", started.elapsed());
        assert_eq!(sim.sim_time(), clock::DEFAULT_START);
        assert_eq!(sim.hubs().len(), 8);
        assert_eq!(sim.clusters().len(), 10);
        assert!(sim.metros().len() >= 30);
        assert_eq!(sim.factories().len(), 60_000);
        assert_eq!(sim.factory_summary().total, 60_000);
        assert_eq!(sim.factory(60_000).unwrap().id, 60_000);
        assert!(sim.factory(0).is_none() && sim.factory(60_001).is_none());

        let agents = sim.agents();
        let count = |f: &dyn Fn(&Agent) -> bool| agents.iter().filter(|a| f(a)).count();
        assert_eq!(count(&|a| matches!(a.scope, AgentScope::Hub(_))), 8);
        assert_eq!(count(&|a| a.scope == AgentScope::Backbone), 1);
        assert_eq!(
            count(&|a| matches!(a.scope, AgentScope::Metro(_))),
            sim.metros().len()
        );
        let industrial = count(&|a| a.industrial);
        assert!(
            (150..=420).contains(&industrial),
            "{industrial} industrial agents"
        );
        assert!(
            agents
                .iter()
                .filter(|a| !a.industrial)
                .all(|a| (AutonomyLevel::L2..=AutonomyLevel::L4).contains(&a.autonomy))
        );
        assert!(agents.iter().all(|a| a.id.starts_with("agent-")));
        let ids: BTreeMap<&str, &Agent> = agents.iter().map(|a| (a.id.as_str(), a)).collect();
        assert_eq!(ids.len(), agents.len());
        let managed = sim
            .factories()
            .iter()
            .filter(|f| f.agent_id.is_some())
            .count();
        assert!(managed > 50_000, "{managed}");
        for f in sim
            .factories()
            .iter()
            .filter(|f| f.agent_id.is_some())
            .take(100)
        {
            let agent = ids[f.agent_id.as_deref().unwrap()];
            let group = format!("{}/{}", f.province, labels::wire_key(&f.industry));
            assert_eq!(agent.scope, AgentScope::FactoryGroup(group));
        }

        let progress = sim.progress();
        let current: BTreeMap<&str, f64> = progress
            .targets
            .iter()
            .map(|t| (t.id.as_str(), t.current))
            .collect();
        eprintln!("{current:?}");
        assert!((45.0..70.0).contains(&current["metro_1ms_coverage"]));
        assert!((21_000.0..24_500.0).contains(&current["enterprises_upgraded"]));
        assert!((300.0..=450.0).contains(&current["industrial_agents_high_level"]));
        assert!((20.0..40.0).contains(&current["backbone_800g_share"]));
        assert!((5.0..35.0).contains(&current["network_autonomy_l4"]));
        assert!((1.25..1.3).contains(&current["cluster_pue"]));
        assert!((60.0..65.0).contains(&current["cluster_occupancy"]));
        assert!(
            progress
                .targets
                .iter()
                .all(|t| t.series.len() == progress::BACKFILL_DAYS as usize + 1)
        );
        assert!(
            progress
                .upgraded_by_province
                .windows(2)
                .all(|w| w[0].key < w[1].key)
        );
    }

    #[test]
    fn grids_are_whole() {
        let sim = small(1);
        for m in sim.metros() {
            assert!((0.0..=1.0).contains(&m.coverage_1ms));
            let grid = sim.latency_grid(&m.id).unwrap();
            assert_eq!(grid.rtt_ms.len(), (grid.cols * grid.rows) as usize);
            assert_eq!(grid.coverage_1ms, m.coverage_1ms);
        }
        assert!(sim.latency_grid("atlantis").is_none());
    }

    #[test]
    fn events_come_in_order() {
        let mut sim = small(3);
        let t0 = sim.sim_time();
        for i in 0..20 {
            let out = sim.step(3600.0);
            assert!(matches!(out.events[0], EventKind::Tick { .. }));
            assert_eq!(
                out.events
                    .iter()
                    .filter(|e| matches!(e, EventKind::Tick { .. }))
                    .count(),
                1
            );
            let rank = |e: &EventKind| match e {
                EventKind::Tick { .. } => 0,
                EventKind::MetroUpdated { .. } => 1,
                EventKind::FactoriesProgressed { .. } => 2,
                EventKind::AgentUpdated { .. } => 3,
                _ => 9,
            };
            assert!(out.events.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])));
            assert!(out.events.iter().all(|e| rank(e) < 9));
            if let EventKind::Tick {
                sim_time,
                clusters,
                links,
            } = &out.events[0]
            {
                assert_eq!(*sim_time, t0 + (i + 1) * clock::MS_PER_HOUR);
                assert_eq!(clusters.len(), 10);
                assert_eq!(links.len(), sim.links().len());
            }
            for e in &out.events {
                if let EventKind::FactoriesProgressed { changes, summary } = e {
                    assert!(!changes.is_empty() && changes.len() <= MAX_CHANGES_PER_EVENT);
                    assert_eq!(summary, &sim.factory_summary());
                    for c in changes {
                        assert_eq!(sim.factory(c.id).unwrap().stage, c.stage);
                    }
                }
            }
        }
        let out = sim.step(f64::NAN);
        assert_eq!(sim.sim_time(), t0 + 20 * clock::MS_PER_HOUR);
        assert!(matches!(out.events[0], EventKind::Tick { .. }));
    }

    #[test]
    fn huge_step_caps_the_change_list() {
        let mut sim = small(4);
        let out = sim.step(200.0 * 86_400.0);
        let progressed = out.events.iter().find_map(|e| match e {
            EventKind::FactoriesProgressed { changes, summary } => {
                Some((changes.len(), summary.clone()))
            }
            _ => None,
        });
        let (n, summary) = progressed.unwrap();
        assert!(n <= MAX_CHANGES_PER_EVENT);
        assert_eq!(summary.by_stage.iter().map(|k| k.count).sum::<u64>(), 8_000);
        assert!(summary.upgraded > 3_000);
    }

    #[test]
    fn proposals_come_at_speed_60_and_once_per_target() {
        let mut sim = Simulator::new(SimConfig::default()).unwrap();
        let mut first = None;
        let mut open: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut kinds = BTreeMap::new();
        let mut total = 0;
        for step in 0..3000 {
            for p in sim.step(60.0).proposals {
                first.get_or_insert(step);
                total += 1;
                *kinds.entry(format!("{:?}", p.kind)).or_insert(0) += 1;
                let key = (p.agent_id.clone(), p.target.clone());
                if let Some(before) = open.insert(key, step) {
                    // 36 simulated hours at 60 s a step.
                    assert!(
                        step - before >= 2160,
                        "{p:?} again after {} steps",
                        step - before
                    );
                }
                assert!((0.55..=0.98).contains(&p.confidence), "{p:?}");
                assert!((300..=1800).contains(&p.ttl_s), "{p:?}");
                assert!(!p.summary_en.is_empty() && !p.summary_zh.is_empty());
                assert!(!p.rationale_en.is_empty() && !p.predicted_impact_zh.is_empty());
                let agent = sim.agents().iter().find(|a| a.id == p.agent_id).unwrap();
                assert_eq!(
                    p.policy,
                    proposals::policy_for_action(p.kind, p.risk, agent.autonomy)
                );
                sim.note_proposed(&p.agent_id);
            }
        }
        eprintln!("{total} proposals over 3000 steps: {kinds:?}");
        assert!(first.unwrap() < 200);
        assert!((300..=1500).contains(&total), "{total}");
        assert!(
            kinds.contains_key("Reroute") && kinds.contains_key("ScaleCompute"),
            "{kinds:?}"
        );
        let proposed: u64 = sim.agents().iter().map(|a| a.proposed).sum();
        assert_eq!(proposed, total as u64);
    }

    #[test]
    fn executed_actions_change_the_world() {
        let mut sim = small(5);
        let link = sim.links()[0].clone();
        let via = sim.backbone.best_detour(0).unwrap().via;
        let reroute = bare_action(
            ActionKind::Reroute,
            "agent-backbone",
            &link.id,
            serde_json::json!({ "from_link": link.id, "via": sim.clusters()[via].id, "shift_gbps": 120 }),
        );
        sim.apply_executed(&reroute);
        assert!(sim.links()[0].utilization < link.utilization - 0.1);

        let cluster = sim.clusters()[1].clone();
        let scale = bare_action(
            ActionKind::ScaleCompute,
            "agent-hub-yrd",
            &cluster.id,
            serde_json::json!({ "add_eflops": 8.0 }),
        );
        sim.apply_executed(&scale);
        assert!(sim.clusters()[1].utilization < cluster.utilization);
        assert!((sim.clusters()[1].compute_eflops - cluster.compute_eflops - 8.0).abs() < 1e-9);

        let metro = sim.metros()[3].clone();
        let agent = format!("agent-metro-{}", metro.id);
        let deploy = bare_action(
            ActionKind::DeployEdge,
            &agent,
            &metro.id,
            serde_json::json!({}),
        );
        sim.apply_executed(&deploy);
        assert_eq!(sim.metros()[3].access_points, metro.access_points + 1);
        assert!(sim.metros()[3].coverage_1ms > metro.coverage_1ms);

        let group = sim
            .book
            .groups()
            .iter()
            .position(|g| g.id == "CN-GD/electronics")
            .unwrap();
        let before = sim.book.group_fit(group, 0.6);
        let tsn = bare_action(
            ActionKind::TsnSchedule,
            "agent-fg-CN-GD-electronics",
            "CN-GD/electronics",
            serde_json::json!({ "cycle_us": 250 }),
        );
        sim.apply_executed(&tsn);
        assert!(sim.book.group_fit(group, 0.6).median_jitter_ms < before.median_jitter_ms);

        let out = sim.step(60.0);
        let metro_updates: Vec<&str> = out
            .events
            .iter()
            .filter_map(|e| match e {
                EventKind::MetroUpdated { metro } => Some(metro.id.as_str()),
                _ => None,
            })
            .collect();
        assert!(metro_updates.contains(&metro.id.as_str()));
        let updated: Vec<&Agent> = out
            .events
            .iter()
            .filter_map(|e| match e {
                EventKind::AgentUpdated { agent } => Some(agent),
                _ => None,
            })
            .collect();
        for id in [
            "agent-backbone",
            "agent-hub-yrd",
            agent.as_str(),
            "agent-fg-CN-GD-electronics",
        ] {
            assert_eq!(
                updated.iter().find(|a| a.id == id).unwrap().executed,
                1,
                "{id}"
            );
        }
    }

    #[test]
    fn odd_actions_do_no_harm() {
        let mut sim = small(6);
        let before = sim.metros().to_vec();
        for kind in [
            ActionKind::Reroute,
            ActionKind::ScaleCompute,
            ActionKind::DeployEdge,
            ActionKind::TsnSchedule,
        ] {
            sim.apply_executed(&bare_action(
                kind,
                "agent-nobody",
                "nowhere",
                serde_json::json!({ "shift_gbps": "lots" }),
            ));
        }
        assert_eq!(sim.metros(), &before[..]);
        let out = sim.step(60.0);
        assert!(!out.events.iter().any(|e| matches!(
            e,
            EventKind::AgentUpdated { .. } | EventKind::MetroUpdated { .. }
        )));
    }

    #[test]
    fn progress_series_stay_bounded() {
        let mut sim = Simulator::new(SimConfig {
            factory_count: 2_000,
            ..SimConfig::default()
        })
        .unwrap();
        for _ in 0..1300 {
            sim.step(86_400.0);
        }
        let progress = sim.progress();
        assert!(
            progress
                .targets
                .iter()
                .all(|t| t.series.len() == progress::MAX_SAMPLES)
        );
        assert!(
            progress
                .targets
                .iter()
                .all(|t| t.series.windows(2).all(|w| w[0].t < w[1].t))
        );
        let upgraded = progress
            .targets
            .iter()
            .find(|t| t.id == "enterprises_upgraded")
            .unwrap();
        assert!(upgraded.current > 1_500.0);
        let counted = sim
            .factories()
            .iter()
            .filter(|f| f.stage == UpgradeStage::Upgraded)
            .count();
        assert_eq!(upgraded.current, counted as f64);
    }

    /// The targets month by month to the end of 2028, executing every proposal (`--ignored`).
    #[test]
    #[ignore = "slow diagnostic; run with --ignored --nocapture"]
    fn trajectory_to_2028() {
        let execute_every: usize = std::env::var("EXECUTE_EVERY")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2);
        let mut sim = Simulator::new(SimConfig::default()).unwrap();
        let (mut executed, mut proposed) = (0, 0);
        for hour in 1..=(791 * 24) {
            for p in sim.step(3600.0).proposals {
                sim.note_proposed(&p.agent_id);
                proposed += 1;
                if execute_every > 0 && proposed % execute_every == 0 {
                    sim.apply_executed(&action(&p));
                    executed += 1;
                }
            }
            if hour % (30 * 24) == 0 {
                let current: Vec<String> = sim
                    .progress()
                    .targets
                    .iter()
                    .map(|t| format!("{}={:.1}", t.id, t.current))
                    .collect();
                eprintln!("day {:>3}: {}", hour / 24, current.join(" "));
            }
        }
        eprintln!("proposed {proposed}, executed {executed}");
    }

    #[test]
    fn steps_are_cheap() {
        let mut sim = Simulator::new(SimConfig::default()).unwrap();
        let mut slowest = std::time::Duration::ZERO;
        let started = Instant::now();
        for _ in 0..1000 {
            let step_started = Instant::now();
            sim.step(60.0);
            slowest = slowest.max(step_started.elapsed());
        }
        let per_step = started.elapsed() / 1000;
        eprintln!("step(60 s) at 60,000 factories: mean {per_step:?}, slowest {slowest:?}");
        let started = Instant::now();
        let page = sim
            .query_factories(&FactoryQuery {
                q: Some("plant 00".into()),
                limit: Some(1000),
                ..Default::default()
            })
            .unwrap();
        eprintln!(
            "text query over 60,000 factories: {:?} ({} matches)",
            started.elapsed(),
            page.total
        );
    }
}
