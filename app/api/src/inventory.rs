//! The operator's own inventory (issue 16): hubs, data-center clusters, backbone links, metros
//! with their computing access sites, and the enterprises of the upgrade programme, as read from
//! a world directory (`tianshu-world`). Any part left `None` is the simulator's.
//!
//! Plain data: the reader checks every field before it builds one of these, and the simulator
//! builds its model of the world around whatever parts are given.

use crate::{GeoPoint, Hub, Industry, Technology, UnixMs, UpgradeStage};

/// What a world directory defines; `None` parts come from the simulator.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub compute: Option<ComputeInventory>,
    pub metros: Option<Vec<MetroDef>>,
    pub enterprises: Option<Vec<EnterpriseDef>>,
}

/// Hubs, their clusters and the backbone between them: one part, since links name clusters and
/// clusters name hubs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComputeInventory {
    /// `cluster_ids` filled from the clusters' `hub_id`.
    pub hubs: Vec<Hub>,
    pub clusters: Vec<ClusterDef>,
    pub links: Vec<LinkDef>,
}

/// A data-center cluster as built. Figures the file does not give are modelled (and labelled
/// simulated) until a telemetry source measures them.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterDef {
    pub id: String,
    pub hub_id: String,
    pub name_en: String,
    pub name_zh: String,
    pub location: GeoPoint,
    pub racks: u32,
    /// AI compute installed, EFLOPS.
    pub compute_eflops: f64,
    pub occupancy: Option<f64>,
    pub pue: Option<f64>,
    pub green_power_share: Option<f64>,
}

/// A backbone channel between two clusters.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkDef {
    pub id: String,
    pub from_cluster: String,
    pub to_cluster: String,
    pub capacity_gbps: u32,
    /// Length of the route drawn in the file, km; `None`: 1.4 × the straight line.
    pub route_km: Option<f64>,
}

/// A metro area and its computing access (edge) sites.
#[derive(Debug, Clone, PartialEq)]
pub struct MetroDef {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    /// ISO 3166-2 code, e.g. `CN-GD`.
    pub province: String,
    pub center: GeoPoint,
    pub population: u64,
    pub sites: Vec<GeoPoint>,
}

/// One row of the enterprise registry.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseDef {
    pub id: u32,
    pub name_en: String,
    pub name_zh: String,
    /// ISO 3166-2 code.
    pub province: String,
    pub city_en: String,
    pub city_zh: String,
    pub location: GeoPoint,
    pub industry: Industry,
    pub stage: UpgradeStage,
    pub technologies: Vec<Technology>,
    /// When the upgrade was (or is to be) started and finished, midnight UTC.
    pub started_on: Option<UnixMs>,
    pub upgraded_on: Option<UnixMs>,
}
