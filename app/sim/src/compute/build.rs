//! Building the backbone: the built-in national one (eight hubs, ten clusters, 22 channels) or an
//! operator's inventory, with what the inventory leaves out modelled.

use crate::api::inventory::{ClusterDef, ComputeInventory, LinkDef};
use crate::api::{BackboneLink, Cluster, GeoPoint, Hub, UnixMs};
use crate::draw::{self, SimRng};
use crate::geo::haversine_km;

use super::{Backbone, ClusterState, LinkState};

/// Fibre route length over the straight line.
const ROUTE_FACTOR: f64 = 1.4;
/// One-way delay in fibre, ms per km.
const FIBRE_MS_PER_KM: f64 = 0.005;
/// Mean utilization modelled for a cluster of the operator's inventory until one is measured.
const MODELLED_CLUSTER_UTIL: f64 = 0.6;
/// Mean utilization modelled for a channel of the operator's inventory until one is measured.
const MODELLED_LINK_UTIL: f64 = 0.5;
/// Figures modelled for a cluster whose inventory entry leaves them out.
const MODELLED_OCCUPANCY: f64 = 0.6;
const MODELLED_PUE: f64 = 1.3;
const MODELLED_GREEN: f64 = 0.4;

struct HubSpec {
    id: &'static str,
    name_en: &'static str,
    name_zh: &'static str,
}

#[rustfmt::skip]
const HUBS: [HubSpec; 8] = [
    HubSpec { id: "jjj", name_en: "Beijing–Tianjin–Hebei", name_zh: "京津冀" },
    HubSpec { id: "yrd", name_en: "Yangtze River Delta", name_zh: "长三角" },
    HubSpec { id: "gba", name_en: "Guangdong–Hong Kong–Macao Greater Bay Area", name_zh: "粤港澳大湾区" },
    HubSpec { id: "chengyu", name_en: "Chengdu–Chongqing", name_zh: "成渝" },
    HubSpec { id: "nmg", name_en: "Inner Mongolia", name_zh: "内蒙古" },
    HubSpec { id: "guizhou", name_en: "Guizhou", name_zh: "贵州" },
    HubSpec { id: "gansu", name_en: "Gansu", name_zh: "甘肃" },
    HubSpec { id: "ningxia", name_en: "Ningxia", name_zh: "宁夏" },
];

struct ClusterSpec {
    id: &'static str,
    hub: &'static str,
    name_en: &'static str,
    name_zh: &'static str,
    lat: f64,
    lon: f64,
    racks: u32,
    occupancy: f64,
    eflops: f64,
    /// Mean utilization before the daily rhythm.
    util: f64,
    pue: f64,
    green: f64,
}

/// Racks total 1.46 M at 63 % occupancy; 318 EFLOPS ≈ 40 % of the national 788.
#[rustfmt::skip]
const CLUSTERS: [ClusterSpec; 10] = [
    ClusterSpec { id: "zhangjiakou", hub: "jjj", name_en: "Zhangjiakou", name_zh: "张家口", lat: 40.77, lon: 114.88, racks: 260_000, occupancy: 0.68, eflops: 55.0, util: 0.72, pue: 1.26, green: 0.62 },
    ClusterSpec { id: "yrd_demo", hub: "yrd", name_en: "YRD Demo Zone", name_zh: "长三角示范区", lat: 31.05, lon: 120.90, racks: 150_000, occupancy: 0.74, eflops: 38.0, util: 0.74, pue: 1.35, green: 0.32 },
    ClusterSpec { id: "wuhu", hub: "yrd", name_en: "Wuhu", name_zh: "芜湖", lat: 31.35, lon: 118.43, racks: 130_000, occupancy: 0.66, eflops: 30.0, util: 0.68, pue: 1.31, green: 0.35 },
    ClusterSpec { id: "shaoguan", hub: "gba", name_en: "Shaoguan", name_zh: "韶关", lat: 24.81, lon: 113.60, racks: 140_000, occupancy: 0.61, eflops: 32.0, util: 0.70, pue: 1.33, green: 0.40 },
    ClusterSpec { id: "tianfu", hub: "chengyu", name_en: "Tianfu", name_zh: "天府", lat: 30.40, lon: 104.07, racks: 120_000, occupancy: 0.67, eflops: 28.0, util: 0.66, pue: 1.29, green: 0.55 },
    ClusterSpec { id: "chongqing", hub: "chengyu", name_en: "Chongqing", name_zh: "重庆", lat: 29.65, lon: 106.55, racks: 110_000, occupancy: 0.64, eflops: 22.0, util: 0.63, pue: 1.31, green: 0.48 },
    ClusterSpec { id: "horinger", hub: "nmg", name_en: "Horinger", name_zh: "和林格尔", lat: 40.38, lon: 111.82, racks: 230_000, occupancy: 0.58, eflops: 45.0, util: 0.60, pue: 1.20, green: 0.70 },
    ClusterSpec { id: "guian", hub: "guizhou", name_en: "Gui'an", name_zh: "贵安", lat: 26.42, lon: 106.35, racks: 150_000, occupancy: 0.60, eflops: 30.0, util: 0.62, pue: 1.22, green: 0.66 },
    ClusterSpec { id: "qingyang", hub: "gansu", name_en: "Qingyang", name_zh: "庆阳", lat: 35.71, lon: 107.64, racks: 70_000, occupancy: 0.48, eflops: 18.0, util: 0.50, pue: 1.19, green: 0.72 },
    ClusterSpec { id: "zhongwei", hub: "ningxia", name_en: "Zhongwei", name_zh: "中卫", lat: 37.50, lon: 105.19, racks: 100_000, occupancy: 0.55, eflops: 20.0, util: 0.55, pue: 1.18, green: 0.78 },
];

/// (from, to, capacity Gbit/s, mean utilization): a ring of the hubs, the two intra-hub
/// channels, and the east–west "East Data, West Computing" trunks.
const LINKS: [(&str, &str, u32, f64); 22] = [
    ("zhangjiakou", "horinger", 800, 0.66),
    ("horinger", "zhongwei", 400, 0.48),
    ("zhongwei", "qingyang", 400, 0.42),
    ("qingyang", "tianfu", 400, 0.50),
    ("chongqing", "guian", 400, 0.52),
    ("guian", "shaoguan", 800, 0.62),
    ("shaoguan", "wuhu", 400, 0.55),
    ("wuhu", "zhangjiakou", 400, 0.58),
    ("yrd_demo", "wuhu", 800, 0.64),
    ("tianfu", "chongqing", 800, 0.60),
    ("zhangjiakou", "yrd_demo", 800, 0.65),
    ("yrd_demo", "shaoguan", 800, 0.63),
    ("zhangjiakou", "zhongwei", 400, 0.52),
    ("zhangjiakou", "qingyang", 400, 0.45),
    ("yrd_demo", "qingyang", 400, 0.55),
    ("yrd_demo", "horinger", 400, 0.50),
    ("wuhu", "guian", 400, 0.57),
    ("wuhu", "chongqing", 400, 0.54),
    ("shaoguan", "tianfu", 400, 0.47),
    ("tianfu", "guian", 400, 0.40),
    ("yrd_demo", "zhongwei", 400, 0.46),
    ("chongqing", "qingyang", 400, 0.44),
];

impl Backbone {
    /// The built-in national backbone: eight hubs, ten clusters, 22 channels.
    pub fn new(rng: &mut SimRng, start: UnixMs) -> Self {
        let hubs = HUBS
            .iter()
            .map(|h| Hub {
                id: h.id.to_owned(),
                name_en: h.name_en.to_owned(),
                name_zh: h.name_zh.to_owned(),
                cluster_ids: CLUSTERS
                    .iter()
                    .filter(|c| c.hub == h.id)
                    .map(|c| c.id.to_owned())
                    .collect(),
            })
            .collect();
        let clusters = CLUSTERS
            .iter()
            .map(|c| ClusterDef {
                id: c.id.to_owned(),
                hub_id: c.hub.to_owned(),
                name_en: c.name_en.to_owned(),
                name_zh: c.name_zh.to_owned(),
                location: GeoPoint {
                    lat: c.lat,
                    lon: c.lon,
                },
                racks: c.racks,
                compute_eflops: c.eflops,
                occupancy: Some(c.occupancy),
                pue: Some(c.pue),
                green_power_share: Some(c.green),
            })
            .collect();
        let cluster_util = CLUSTERS.iter().map(|c| c.util).collect();
        let links = LINKS
            .iter()
            .map(|(from, to, capacity, _)| LinkDef {
                id: format!("{from}-{to}"),
                from_cluster: (*from).to_owned(),
                to_cluster: (*to).to_owned(),
                capacity_gbps: *capacity,
                route_km: None,
            })
            .collect();
        let link_util = LINKS.iter().map(|l| l.3).collect();
        let inventory = ComputeInventory {
            hubs,
            clusters,
            links,
        };
        let mut backbone = Self::build(&inventory, cluster_util, link_util, rng, start);
        backbone.upgrades = true;
        backbone
    }

    /// The operator's own hubs, clusters and channels. What the inventory does not say (load,
    /// and PUE, green share, occupancy where absent) is modelled; capacities change only when
    /// the inventory does (no scheduled upgrades).
    pub fn from_inventory(inventory: &ComputeInventory, rng: &mut SimRng, start: UnixMs) -> Self {
        let cluster_util = vec![MODELLED_CLUSTER_UTIL; inventory.clusters.len()];
        let link_util = vec![MODELLED_LINK_UTIL; inventory.links.len()];
        Self::build(inventory, cluster_util, link_util, rng, start)
    }

    fn build(
        inventory: &ComputeInventory,
        cluster_util: Vec<f64>,
        link_util: Vec<f64>,
        rng: &mut SimRng,
        start: UnixMs,
    ) -> Self {
        let clusters: Vec<Cluster> = inventory
            .clusters
            .iter()
            .zip(&cluster_util)
            .map(|(c, util)| Cluster {
                id: c.id.clone(),
                hub_id: c.hub_id.clone(),
                name_en: c.name_en.clone(),
                name_zh: c.name_zh.clone(),
                location: c.location,
                racks: c.racks,
                occupancy: c.occupancy.unwrap_or(MODELLED_OCCUPANCY),
                compute_eflops: c.compute_eflops,
                utilization: *util,
                pue: c.pue.unwrap_or(MODELLED_PUE),
                green_power_share: c.green_power_share.unwrap_or(MODELLED_GREEN),
            })
            .collect();
        let cluster_state = clusters
            .iter()
            .map(|c| ClusterState {
                base_util: c.utilization,
                base_eflops: c.compute_eflops,
                base_pue: c.pue,
                base_green: c.green_power_share,
                base_occupancy: c.occupancy,
                occupancy_gain: 0.0,
                noise: 0.02 * draw::gauss(rng),
            })
            .collect();
        let position = |id: &str| clusters.iter().position(|c| c.id == id);
        let mut links = Vec::with_capacity(inventory.links.len());
        let mut link_state = Vec::with_capacity(inventory.links.len());
        for (def, util) in inventory.links.iter().zip(link_util) {
            // The reader refuses links between unknown clusters; skip any that slip through.
            let (Some(a), Some(b)) = (position(&def.from_cluster), position(&def.to_cluster))
            else {
                continue;
            };
            let route_km = def.route_km.unwrap_or_else(|| {
                ROUTE_FACTOR * haversine_km(clusters[a].location, clusters[b].location)
            });
            links.push(BackboneLink {
                id: def.id.clone(),
                from_cluster: def.from_cluster.clone(),
                to_cluster: def.to_cluster.clone(),
                capacity_gbps: def.capacity_gbps,
                utilization: util,
                utilization_forward: util,
                utilization_reverse: util,
                route_km,
                rtt_ms: 2.0 * route_km * FIBRE_MS_PER_KM,
            });
            link_state.push(LinkState {
                from: a,
                to: b,
                base_util: util,
                base_capacity: f64::from(def.capacity_gbps),
                shift_gbps: 0.0,
                noise: 0.025 * draw::gauss(rng),
            });
        }
        let mut backbone = Self {
            hubs: inventory.hubs.clone(),
            clusters,
            links,
            cluster_state,
            link_state,
            upgrades: false,
            upgrades_done: 0,
            start,
        };
        backbone.refresh(start);
        backbone
    }
}
