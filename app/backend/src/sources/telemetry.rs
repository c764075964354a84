//! Measured figures: the last reading of each (entity, metric) from any source, laid over the
//! simulator's figures wherever one exists. A reading stays (and keeps being served) when its
//! source goes stale; the console greys it with its age.

use std::collections::HashMap;
use std::sync::Arc;

use crate::api::{
    BackboneLink, Cluster, ClusterLoad, FigureOrigin, LinkLoad, MetroSummary, NetworkKpis, UnixMs,
};

/// The metrics a source may deliver, by entity kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    LinkForward,
    LinkReverse,
    ClusterUtilization,
    ClusterPue,
    ClusterGreen,
    ClusterOccupancy,
    MetroMedianRtt,
    MetroCoverage,
    FactoryLatency,
    FactoryJitter,
    FactoryReliability,
    FactoryThroughput,
}

/// The kind of entity a metric belongs to (the prefix of `kind:ID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Link,
    Cluster,
    Metro,
    Factory,
}

impl EntityKind {
    pub fn parse(prefix: &str) -> Option<Self> {
        Some(match prefix {
            "link" => Self::Link,
            "cluster" => Self::Cluster,
            "metro" => Self::Metro,
            "factory" => Self::Factory,
            _ => return None,
        })
    }

    pub fn prefix(self) -> &'static str {
        match self {
            Self::Link => "link",
            Self::Cluster => "cluster",
            Self::Metro => "metro",
            Self::Factory => "factory",
        }
    }
}

impl Metric {
    pub const ALL: [Metric; 12] = [
        Metric::LinkForward,
        Metric::LinkReverse,
        Metric::ClusterUtilization,
        Metric::ClusterPue,
        Metric::ClusterGreen,
        Metric::ClusterOccupancy,
        Metric::MetroMedianRtt,
        Metric::MetroCoverage,
        Metric::FactoryLatency,
        Metric::FactoryJitter,
        Metric::FactoryReliability,
        Metric::FactoryThroughput,
    ];

    /// The wire name (the field of the entity it replaces).
    pub fn name(self) -> &'static str {
        match self {
            Self::LinkForward => "utilization_forward",
            Self::LinkReverse => "utilization_reverse",
            Self::ClusterUtilization => "utilization",
            Self::ClusterPue => "pue",
            Self::ClusterGreen => "green_power_share",
            Self::ClusterOccupancy => "occupancy",
            Self::MetroMedianRtt => "median_rtt_ms",
            Self::MetroCoverage => "coverage_1ms",
            Self::FactoryLatency => "latency_ms",
            Self::FactoryJitter => "jitter_ms",
            Self::FactoryReliability => "reliability",
            Self::FactoryThroughput => "throughput_mbps",
        }
    }

    pub fn kind(self) -> EntityKind {
        match self {
            Self::LinkForward | Self::LinkReverse => EntityKind::Link,
            Self::ClusterUtilization
            | Self::ClusterPue
            | Self::ClusterGreen
            | Self::ClusterOccupancy => EntityKind::Cluster,
            Self::MetroMedianRtt | Self::MetroCoverage => EntityKind::Metro,
            Self::FactoryLatency
            | Self::FactoryJitter
            | Self::FactoryReliability
            | Self::FactoryThroughput => EntityKind::Factory,
        }
    }

    /// `kind.metric`, as sources list what they provide.
    pub fn qualified(self) -> String {
        format!("{}.{}", self.kind().prefix(), self.name())
    }

    pub fn find(kind: EntityKind, name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.kind() == kind && m.name() == name)
    }

    /// The values that make sense, inclusive.
    pub fn range(self) -> (f64, f64) {
        match self {
            Self::LinkForward
            | Self::LinkReverse
            | Self::ClusterUtilization
            | Self::ClusterGreen
            | Self::ClusterOccupancy
            | Self::MetroCoverage => (0.0, 1.0),
            Self::ClusterPue => (1.0, 5.0),
            Self::MetroMedianRtt => (0.0, 1000.0),
            Self::FactoryLatency | Self::FactoryJitter => (0.0, 10_000.0),
            Self::FactoryReliability => (0.0, 1.0),
            Self::FactoryThroughput => (0.0, 1.0e6),
        }
    }

    /// Names accepted for an entity kind, for error messages.
    pub fn names_for(kind: EntityKind) -> Vec<&'static str> {
        Self::ALL
            .into_iter()
            .filter(|m| m.kind() == kind)
            .map(Self::name)
            .collect()
    }
}

/// One measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub value: f64,
    pub source: Arc<str>,
    pub measured_at: UnixMs,
}

/// The latest readings, by metric and entity id (without prefix).
#[derive(Debug, Default)]
pub struct Telemetry {
    readings: HashMap<Metric, HashMap<Box<str>, Reading>>,
    /// Plants with any measured KPI: the source and time of the newest (for their map point
    /// and table row).
    factory_latest: HashMap<u32, (Arc<str>, UnixMs)>,
}

impl Telemetry {
    /// Keeps `reading` unless a newer one of the same figure is already held. Returns whether
    /// it was taken.
    pub fn record(&mut self, entity_id: &str, metric: Metric, reading: Reading) -> bool {
        let by_id = self.readings.entry(metric).or_default();
        match by_id.get_mut(entity_id) {
            Some(held) if held.measured_at > reading.measured_at => return false,
            Some(held) => *held = reading.clone(),
            None => {
                by_id.insert(entity_id.into(), reading.clone());
            }
        }
        if metric.kind() == EntityKind::Factory
            && let Ok(id) = entity_id.parse::<u32>()
        {
            let latest = self
                .factory_latest
                .entry(id)
                .or_insert_with(|| (reading.source.clone(), reading.measured_at));
            if reading.measured_at >= latest.1 {
                *latest = (reading.source, reading.measured_at);
            }
        }
        true
    }

    pub fn get(&self, entity_id: &str, metric: Metric) -> Option<&Reading> {
        self.readings.get(&metric)?.get(entity_id)
    }

    /// Forgets the readings of entities that left the world.
    pub fn forget_entities_not_in(&mut self, keep: impl Fn(EntityKind, &str) -> bool) {
        for (m, by_id) in &mut self.readings {
            by_id.retain(|id, _| keep(m.kind(), id));
        }
        self.factory_latest
            .retain(|id, _| keep(EntityKind::Factory, &id.to_string()));
    }

    /// Readings held in all.
    pub fn len(&self) -> usize {
        self.readings.values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.readings.values().all(HashMap::is_empty)
    }

    /// How many distinct entities of `metric` are measured.
    pub fn count(&self, metric: Metric) -> usize {
        self.readings.get(&metric).map_or(0, HashMap::len)
    }

    /// The source and time of plant `id`'s newest measured KPI.
    pub fn factory_latest(&self, id: u32) -> Option<(&str, UnixMs)> {
        self.factory_latest.get(&id).map(|(s, t)| (&**s, *t))
    }

    /// Plants with any measured KPI.
    pub fn factory_ids(&self) -> Vec<u32> {
        self.factory_latest.keys().copied().collect()
    }

    /// Whether any plant KPI is measured.
    pub fn any_factory(&self) -> bool {
        !self.factory_latest.is_empty()
    }

    /// The origins of every measured figure of hubs, clusters, links and metros.
    pub fn origins(&self) -> Vec<FigureOrigin> {
        let mut out: Vec<FigureOrigin> = self
            .readings
            .iter()
            .filter(|(m, _)| m.kind() != EntityKind::Factory)
            .flat_map(|(m, by_id)| by_id.iter().map(|(id, r)| origin(id, *m, r)))
            .collect();
        out.sort_by(|a, b| (&a.entity, &a.metric).cmp(&(&b.entity, &b.metric)));
        out
    }

    /// The origins of plant `id`'s measured KPIs.
    pub fn factory_origins(&self, id: u32) -> Vec<FigureOrigin> {
        let key = id.to_string();
        [
            Metric::FactoryLatency,
            Metric::FactoryJitter,
            Metric::FactoryReliability,
            Metric::FactoryThroughput,
        ]
        .into_iter()
        .filter_map(|m| self.get(&key, m).map(|r| origin(&key, m, r)))
        .collect()
    }

    /// Plant KPIs with the measured ones in place of `modelled`'s.
    pub fn factory_kpis(&self, id: u32, modelled: NetworkKpis) -> NetworkKpis {
        let key = id.to_string();
        let v = |m: Metric, fallback: f64| self.get(&key, m).map_or(fallback, |r| r.value);
        NetworkKpis {
            latency_ms: v(Metric::FactoryLatency, modelled.latency_ms),
            jitter_ms: v(Metric::FactoryJitter, modelled.jitter_ms),
            reliability: v(Metric::FactoryReliability, modelled.reliability),
            throughput_mbps: v(Metric::FactoryThroughput, modelled.throughput_mbps),
        }
    }

    fn value(&self, id: &str, metric: Metric) -> Option<f64> {
        self.get(id, metric).map(|r| r.value)
    }

    pub fn overlay_cluster(&self, c: &mut Cluster) {
        self.overlay_cluster_fields(
            &c.id,
            [
                &mut c.utilization,
                &mut c.pue,
                &mut c.green_power_share,
                &mut c.occupancy,
            ],
        );
    }

    pub fn overlay_cluster_load(&self, id: &str, c: &mut ClusterLoad) {
        self.overlay_cluster_fields(
            id,
            [
                &mut c.utilization,
                &mut c.pue,
                &mut c.green_power_share,
                &mut c.occupancy,
            ],
        );
    }

    /// Utilisation, PUE, green share and occupancy of cluster `id`, measured ones in place.
    fn overlay_cluster_fields(&self, id: &str, fields: [&mut f64; 4]) {
        let metrics = [
            Metric::ClusterUtilization,
            Metric::ClusterPue,
            Metric::ClusterGreen,
            Metric::ClusterOccupancy,
        ];
        for (field, metric) in fields.into_iter().zip(metrics) {
            if let Some(v) = self.value(id, metric) {
                *field = v;
            }
        }
    }

    /// The two directions and their mean; `None` when neither is measured.
    fn link_directions(&self, id: &str, forward: f64, reverse: f64) -> Option<(f64, f64, f64)> {
        let f = self.value(id, Metric::LinkForward);
        let r = self.value(id, Metric::LinkReverse);
        if f.is_none() && r.is_none() {
            return None;
        }
        let (f, r) = (f.unwrap_or(forward), r.unwrap_or(reverse));
        Some((f, r, (f + r) / 2.0))
    }

    pub fn overlay_link(&self, l: &mut BackboneLink) {
        if let Some((f, r, mean)) =
            self.link_directions(&l.id, l.utilization_forward, l.utilization_reverse)
        {
            l.utilization_forward = f;
            l.utilization_reverse = r;
            l.utilization = mean;
        }
    }

    pub fn overlay_link_load(&self, id: &str, l: &mut LinkLoad) {
        if let Some((f, r, mean)) =
            self.link_directions(id, l.utilization_forward, l.utilization_reverse)
        {
            l.utilization_forward = f;
            l.utilization_reverse = r;
            l.utilization = mean;
        }
    }

    pub fn overlay_metro(&self, m: &mut MetroSummary) {
        if let Some(v) = self.value(&m.id, Metric::MetroMedianRtt) {
            m.median_rtt_ms = v;
        }
        if let Some(v) = self.value(&m.id, Metric::MetroCoverage) {
            m.coverage_1ms = v;
        }
    }
}

fn origin(id: &str, metric: Metric, r: &Reading) -> FigureOrigin {
    figure_origin(id, metric, &r.source, r.measured_at, None)
}

/// The origin of `metric` of entity `id` (without its `kind:` prefix) as the wire carries it.
pub fn figure_origin(
    id: &str,
    metric: Metric,
    source: &str,
    measured_at: UnixMs,
    value: Option<f64>,
) -> FigureOrigin {
    FigureOrigin {
        entity: format!("{}:{id}", metric.kind().prefix()),
        metric: metric.name().to_owned(),
        source: source.to_owned(),
        measured_at,
        value,
    }
}
