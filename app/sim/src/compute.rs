//! The national computing backbone: 8 hub nodes, their 10 data-center clusters and the backbone
//! channels between clusters, with their live load. Owns nothing outside that (no metros, no
//! agents); actions reach it through [`Backbone::reroute`] and [`Backbone::scale_compute`].

use crate::api::inventory::{ClusterDef, ComputeInventory, LinkDef};
use crate::api::{BackboneLink, Cluster, ClusterLoad, GeoPoint, Hub, LinkLoad, UnixMs};

use super::clock::{self, MS_PER_HOUR};
use super::draw::{self, SimRng};
use super::geo::haversine_km;

/// Fibre route length over the straight line.
const ROUTE_FACTOR: f64 = 1.4;
/// One-way delay in fibre, ms per km.
const FIBRE_MS_PER_KM: f64 = 0.005;
/// Correlation time of load noise, s.
const NOISE_TAU_S: f64 = 1800.0;
/// A rerouted flow drifts back to its shortest path with this time constant, s.
const SHIFT_TAU_S: f64 = 24.0 * 3600.0;
/// A 400G channel is upgraded to 800G every this many simulated days (busiest first).
const UPGRADE_EVERY_DAYS: f64 = 150.0;
/// Demand growth per simulated month (≈6 % a year).
const GROWTH_PER_MONTH: f64 = 0.005;
/// Mean utilization modelled for a cluster of the operator's inventory until one is measured.
const MODELLED_CLUSTER_UTIL: f64 = 0.6;
/// Mean utilization modelled for a channel of the operator's inventory until one is measured.
const MODELLED_LINK_UTIL: f64 = 0.5;
/// Figures modelled for a cluster whose inventory entry leaves them out.
const MODELLED_OCCUPANCY: f64 = 0.6;
const MODELLED_PUE: f64 = 1.3;
const MODELLED_GREEN: f64 = 0.4;
/// Largest imbalance between the two directions of a channel, as a share of its mean load.
const DIRECTION_SWING: f64 = 0.14;

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

/// Slowly moving and hidden figures of a cluster.
#[derive(Debug, Clone)]
struct ClusterState {
    base_util: f64,
    /// Compute the demand was sized against, EFLOPS.
    base_eflops: f64,
    base_pue: f64,
    base_green: f64,
    base_occupancy: f64,
    /// Occupancy gained by executed scale-ups.
    occupancy_gain: f64,
    noise: f64,
}

#[derive(Debug, Clone)]
struct LinkState {
    from: usize,
    to: usize,
    base_util: f64,
    /// Capacity the demand was sized against, Gbit/s.
    base_capacity: f64,
    /// Traffic moved onto (+) or off (−) this channel by reroutes, Gbit/s.
    shift_gbps: f64,
    noise: f64,
}

/// A two-hop detour around a channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detour {
    pub via: usize,
    pub legs: [usize; 2],
    /// Traffic the detour takes before either leg passes 75 %, Gbit/s.
    pub headroom_gbps: f64,
}

/// Hubs, clusters and backbone channels with their live figures.
#[derive(Debug, Clone)]
pub struct Backbone {
    hubs: Vec<Hub>,
    clusters: Vec<Cluster>,
    links: Vec<BackboneLink>,
    cluster_state: Vec<ClusterState>,
    link_state: Vec<LinkState>,
    /// Scheduled 400G → 800G upgrades (the built-in backbone only).
    upgrades: bool,
    upgrades_done: u32,
    start: UnixMs,
}

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

    pub fn hubs(&self) -> &[Hub] {
        &self.hubs
    }

    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    pub fn links(&self) -> &[BackboneLink] {
        &self.links
    }

    /// Advance to `t` after `dt_s` simulated seconds: noise, drift, scheduled 800G upgrades.
    pub fn advance(&mut self, t: UnixMs, dt_s: f64, rng: &mut SimRng) {
        let keep = (-dt_s / NOISE_TAU_S).exp();
        let fresh = (1.0 - keep * keep).sqrt();
        for state in &mut self.cluster_state {
            state.noise = keep * state.noise + fresh * 0.02 * draw::gauss(rng);
        }
        let shift_keep = (-dt_s / SHIFT_TAU_S).exp();
        for state in &mut self.link_state {
            state.noise = keep * state.noise + fresh * 0.025 * draw::gauss(rng);
            state.shift_gbps *= shift_keep;
        }
        let due = ((t - self.start) as f64 / clock::MS_PER_DAY as f64 / UPGRADE_EVERY_DAYS).floor();
        while self.upgrades && f64::from(self.upgrades_done) < due && self.upgrade_busiest_400g() {
            self.upgrades_done += 1;
        }
        self.refresh(t);
    }

    fn upgrade_busiest_400g(&mut self) -> bool {
        let busiest = (0..self.links.len())
            .filter(|i| self.links[*i].capacity_gbps < 800)
            .max_by(|a, b| {
                self.link_state[*a]
                    .base_util
                    .total_cmp(&self.link_state[*b].base_util)
            });
        match busiest {
            Some(i) => {
                self.links[i].capacity_gbps = 800;
                true
            }
            None => false,
        }
    }

    fn growth(&self, t: UnixMs) -> f64 {
        1.0 + GROWTH_PER_MONTH * clock::months_since(self.start, t)
    }

    fn refresh(&mut self, t: UnixMs) {
        let months = clock::months_since(self.start, t);
        let rhythm = clock::diurnal(t);
        let sun = clock::daylight(t);
        for i in 0..self.clusters.len() {
            let utilization = self.cluster_utilization_at(i, t, true);
            let state = &self.cluster_state[i];
            let cluster = &mut self.clusters[i];
            cluster.utilization = utilization;
            cluster.occupancy =
                (state.base_occupancy + 0.0008 * months + state.occupancy_gain).min(0.92);
            cluster.pue = (state.base_pue - 0.001 * months).max(1.10) + 0.012 * rhythm.max(0.0);
            cluster.green_power_share = (state.base_green + 0.003 * months + 0.05 * sun).min(0.9);
        }
        for i in 0..self.links.len() {
            let utilization = self.link_utilization_at(i, t, true);
            let (forward, reverse) = split_directions(utilization, direction_bias(i, t));
            let link = &mut self.links[i];
            link.utilization = utilization;
            link.utilization_forward = forward;
            link.utilization_reverse = reverse;
        }
    }

    /// Cluster and link figures of the noise-free model at `t` (used to backfill history).
    pub fn model_loads_at(&self, t: UnixMs) -> (Vec<ClusterLoad>, Vec<LinkLoad>) {
        let (mut clusters, mut links) = self.loads();
        for (i, load) in clusters.iter_mut().enumerate() {
            load.utilization = self.cluster_utilization_at(i, t, false);
        }
        for (i, load) in links.iter_mut().enumerate() {
            let utilization = self.link_utilization_at(i, t, false);
            let (forward, reverse) = split_directions(utilization, direction_bias(i, t));
            load.utilization = utilization;
            load.utilization_forward = forward;
            load.utilization_reverse = reverse;
        }
        (clusters, links)
    }

    /// Utilization of cluster `i` at `t`, with today's noise or on the noise-free model.
    pub fn cluster_utilization_at(&self, i: usize, t: UnixMs, noisy: bool) -> f64 {
        let Some(state) = self.cluster_state.get(i) else {
            return 0.0;
        };
        let noise = if noisy { state.noise } else { 0.0 };
        let load = (state.base_util + 0.13 * clock::diurnal(t) + noise).max(0.05);
        let demand_eflops = state.base_eflops * load * self.growth(t);
        (demand_eflops / self.clusters[i].compute_eflops.max(0.1)).clamp(0.02, 0.99)
    }

    /// Utilization of link `i` at `t`, with today's noise or on the noise-free model.
    pub fn link_utilization_at(&self, i: usize, t: UnixMs, noisy: bool) -> f64 {
        let Some(state) = self.link_state.get(i) else {
            return 0.0;
        };
        let noise = if noisy { state.noise } else { 0.0 };
        let load = (state.base_util + 0.16 * clock::diurnal(t) + noise).max(0.05);
        let demand_gbps = state.base_capacity * load * self.growth(t) + state.shift_gbps;
        (demand_gbps / f64::from(self.links[i].capacity_gbps.max(1))).clamp(0.02, 0.99)
    }

    /// Highest noise-free utilization of link `i` over the next `hours` whole hours, and when.
    pub fn link_peak_ahead(&self, i: usize, t: UnixMs, hours: i64) -> (f64, UnixMs) {
        let first = (t / MS_PER_HOUR + 1) * MS_PER_HOUR;
        (0..hours)
            .map(|h| first + h * MS_PER_HOUR)
            .map(|at| (self.link_utilization_at(i, at, false), at))
            .fold((0.0, first), |best, x| if x.0 > best.0 { x } else { best })
    }

    /// Highest noise-free utilization of cluster `i` over the next `hours` whole hours, and when.
    pub fn cluster_peak_ahead(&self, i: usize, t: UnixMs, hours: i64) -> (f64, UnixMs) {
        let first = (t / MS_PER_HOUR + 1) * MS_PER_HOUR;
        (0..hours)
            .map(|h| first + h * MS_PER_HOUR)
            .map(|at| (self.cluster_utilization_at(i, at, false), at))
            .fold((0.0, first), |best, x| if x.0 > best.0 { x } else { best })
    }

    /// Figures for the `Tick` event.
    pub fn loads(&self) -> (Vec<ClusterLoad>, Vec<LinkLoad>) {
        let clusters = self
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| ClusterLoad {
                index: i as u32,
                utilization: c.utilization,
                pue: c.pue,
                green_power_share: c.green_power_share,
                occupancy: c.occupancy,
            })
            .collect();
        let links = self
            .links
            .iter()
            .enumerate()
            .map(|(i, l)| LinkLoad {
                index: i as u32,
                utilization: l.utilization,
                utilization_forward: l.utilization_forward,
                utilization_reverse: l.utilization_reverse,
                capacity_gbps: l.capacity_gbps,
            })
            .collect();
        (clusters, links)
    }

    pub fn cluster_index(&self, id: &str) -> Option<usize> {
        self.clusters.iter().position(|c| c.id == id)
    }

    pub fn link_index(&self, id: &str) -> Option<usize> {
        self.links.iter().position(|l| l.id == id)
    }

    /// Index of the hub owning cluster `i`.
    pub fn hub_of_cluster(&self, i: usize) -> Option<usize> {
        let hub_id = &self.clusters.get(i)?.hub_id;
        self.hubs.iter().position(|h| &h.id == hub_id)
    }

    /// Endpoints (cluster indices) of link `i`.
    pub fn endpoints(&self, i: usize) -> Option<(usize, usize)> {
        self.link_state.get(i).map(|s| (s.from, s.to))
    }

    fn link_between(&self, a: usize, b: usize) -> Option<usize> {
        self.link_state
            .iter()
            .position(|s| (s.from == a && s.to == b) || (s.from == b && s.to == a))
    }

    /// Gbit/s link `i` carries now.
    pub fn link_load_gbps(&self, i: usize) -> f64 {
        self.links
            .get(i)
            .map_or(0.0, |l| l.utilization * f64::from(l.capacity_gbps))
    }

    /// The two-hop detour around link `i` with the most headroom, if any.
    pub fn best_detour(&self, i: usize) -> Option<Detour> {
        let (a, b) = self.endpoints(i)?;
        (0..self.clusters.len())
            .filter(|v| *v != a && *v != b)
            .filter_map(|via| self.detour_via(i, via))
            .max_by(|x, y| x.headroom_gbps.total_cmp(&y.headroom_gbps))
    }

    /// The detour around link `i` through cluster `via`, if both legs exist.
    pub fn detour_via(&self, i: usize, via: usize) -> Option<Detour> {
        let (a, b) = self.endpoints(i)?;
        let legs = [self.link_between(a, via)?, self.link_between(via, b)?];
        let headroom_gbps = legs
            .iter()
            .map(|l| {
                (0.75 - self.links[*l].utilization).max(0.0)
                    * f64::from(self.links[*l].capacity_gbps)
            })
            .fold(f64::INFINITY, f64::min);
        Some(Detour {
            via,
            legs,
            headroom_gbps,
        })
    }

    /// Move `shift_gbps` off link `i` onto the detour through `via`. Returns what was moved.
    pub fn reroute(&mut self, i: usize, via: usize, shift_gbps: f64, t: UnixMs) -> f64 {
        let Some(detour) = self.detour_via(i, via) else {
            return 0.0;
        };
        let moved = shift_gbps.clamp(0.0, self.link_load_gbps(i));
        self.link_state[i].shift_gbps -= moved;
        for leg in detour.legs {
            self.link_state[leg].shift_gbps += moved;
        }
        self.refresh(t);
        moved
    }

    /// Add `add_eflops` of compute to cluster `i` (at most doubling it).
    pub fn scale_compute(&mut self, i: usize, add_eflops: f64, t: UnixMs) {
        let Some(cluster) = self.clusters.get_mut(i) else {
            return;
        };
        let added = add_eflops.clamp(0.0, cluster.compute_eflops);
        cluster.compute_eflops += added;
        // New accelerators fill racks that stood empty.
        let state = &mut self.cluster_state[i];
        state.occupancy_gain += 0.02 * added / state.base_eflops.max(1.0);
        self.refresh(t);
    }

    /// Undo a reroute of `moved` Gbit/s off link `i` through `via` (a vetoed action): the traffic
    /// goes back, as far as what the detour still carries for it.
    pub fn undo_reroute(&mut self, i: usize, via: usize, moved: f64, t: UnixMs) {
        let Some(detour) = self.detour_via(i, via) else {
            return;
        };
        let back = detour
            .legs
            .iter()
            .map(|&leg| self.link_state[leg].shift_gbps)
            .fold(moved.max(0.0), f64::min)
            .max(0.0);
        self.link_state[i].shift_gbps += back;
        for leg in detour.legs {
            self.link_state[leg].shift_gbps -= back;
        }
        self.refresh(t);
    }

    /// Undo a scale-up of `added` EFLOPS on cluster `i` (a vetoed action).
    pub fn undo_scale_compute(&mut self, i: usize, added: f64, t: UnixMs) {
        let Some(cluster) = self.clusters.get_mut(i) else {
            return;
        };
        let state = &mut self.cluster_state[i];
        let removed = added.clamp(0.0, (cluster.compute_eflops - state.base_eflops).max(0.0));
        cluster.compute_eflops -= removed;
        state.occupancy_gain =
            (state.occupancy_gain - 0.02 * removed / state.base_eflops.max(1.0)).max(0.0);
        self.refresh(t);
    }

    /// Rack-weighted mean PUE of the clusters.
    pub fn mean_pue(&self) -> f64 {
        self.rack_weighted(|c| c.pue)
    }

    /// Rack-weighted occupancy of the clusters, 0..1.
    pub fn mean_occupancy(&self) -> f64 {
        self.rack_weighted(|c| c.occupancy)
    }

    fn rack_weighted(&self, f: impl Fn(&Cluster) -> f64) -> f64 {
        let racks: f64 = self.clusters.iter().map(|c| f64::from(c.racks)).sum();
        self.clusters
            .iter()
            .map(|c| f64::from(c.racks) * f(c))
            .sum::<f64>()
            / racks.max(1.0)
    }

    /// Share of backbone channels at 800G, 0..1.
    pub fn share_800g(&self) -> f64 {
        let n = self.links.iter().filter(|l| l.capacity_gbps >= 800).count();
        n as f64 / self.links.len().max(1) as f64
    }
}

/// Imbalance between the directions of channel `i` at `t`, −1..1: each channel has its own phase
/// in the day (batch jobs go west at night, results come back east by day).
fn direction_bias(i: usize, t: UnixMs) -> f64 {
    let day = (t.rem_euclid(clock::MS_PER_DAY)) as f64 / clock::MS_PER_DAY as f64;
    (std::f64::consts::TAU * day + 0.9 * i as f64).sin()
}

/// Forward and reverse utilization whose mean is `utilization` (as far as the 0.02..0.99 bounds
/// allow), apart by `bias × DIRECTION_SWING` of it.
fn split_directions(utilization: f64, bias: f64) -> (f64, f64) {
    let swing = utilization * DIRECTION_SWING * bias.clamp(-1.0, 1.0);
    (
        (utilization + swing).clamp(0.02, 0.99),
        (utilization - swing).clamp(0.02, 0.99),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
