//! Wire types of the factory programme beyond the core `Factory`: the compact point list every
//! console keeps (`GET /factories/points`), a plant's detail page (`GET /factories/{id}/detail`)
//! and the one rule both sides share for "does a plant meet its requirements" and for matching
//! a `FactoryQuery` against a point, so console and backend cannot count differently.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Factory, FactoryQuery, Industry, NetworkKpis, Technology, UnixMs, UpgradeStage};

impl NetworkKpis {
    /// True when `self` (measured) is at least as good as `required` on latency, jitter and
    /// reliability (throughput is capacity planning, not compliance).
    pub fn meets(&self, required: &NetworkKpis) -> bool {
        self.latency_ms <= required.latency_ms
            && self.jitter_ms <= required.jitter_ms
            && self.reliability >= required.reliability
    }
}

impl Factory {
    /// Its network meets what its workloads need (latency, jitter, reliability).
    pub fn is_compliant(&self) -> bool {
        self.kpis.meets(&self.required)
    }

    /// Bit `i` set when the plant uses `Technology::ALL[i]`.
    pub fn tech_mask(&self) -> u8 {
        tech_mask(&self.technologies)
    }
}

/// Bit `i` set for each `Technology::ALL[i]` in `techs`.
pub fn tech_mask(techs: &[Technology]) -> u8 {
    techs.iter().fold(0u8, |m, t| m | tech_bit(*t))
}

pub fn tech_bit(tech: Technology) -> u8 {
    let i = Technology::ALL.iter().position(|t| *t == tech).unwrap_or(0);
    1u8 << i
}

/// Index of a stage in `UpgradeStage::ALL` (its code in `FactoryPoints::stage`).
pub fn stage_code(stage: UpgradeStage) -> u8 {
    UpgradeStage::ALL
        .iter()
        .position(|s| *s == stage)
        .unwrap_or(0) as u8
}

/// Index of an industry in `Industry::ALL` (its code in `FactoryPoints::industry`).
pub fn industry_code(industry: Industry) -> u8 {
    Industry::ALL
        .iter()
        .position(|i| *i == industry)
        .unwrap_or(0) as u8
}

/// Whether `needle` (already trimmed and lower-cased) names plant `id`: `123` or `#123`.
pub fn needle_is_id(needle: &str, id: u32) -> bool {
    needle
        .strip_prefix('#')
        .unwrap_or(needle)
        .parse::<u32>()
        .is_ok_and(|n| n == id)
}

/// Every matching plant as parallel arrays (one entry per plant, ordered by id): what a console
/// needs to draw, count, filter and list all 60,000 plants without their full records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FactoryPoints {
    pub ids: Vec<u32>,
    pub lat: Vec<f32>,
    pub lon: Vec<f32>,
    /// Index into `UpgradeStage::ALL`.
    pub stage: Vec<u8>,
    /// Index into `Industry::ALL`.
    pub industry: Vec<u8>,
    /// Index into `provinces`.
    pub province: Vec<u16>,
    /// Bit `i` set when the plant uses `Technology::ALL[i]`.
    pub tech: Vec<u8>,
    /// Network meets the workloads' latency, jitter and reliability requirements.
    pub compliant: Vec<bool>,
    pub name_en: Vec<String>,
    pub name_zh: Vec<String>,
    /// ISO 3166-2 province codes, referenced by `province`.
    pub provinces: Vec<String>,
    /// Per plant, where its KPIs were measured: 0 = the simulator's, `i` = `kpi_sources[i - 1]`.
    /// Empty when no plant's KPIs are measured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpi_source: Vec<u16>,
    /// Per plant, when its newest KPI was measured (0 when simulated); empty like `kpi_source`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpi_measured_at: Vec<UnixMs>,
    /// The sources `kpi_source` refers to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpi_sources: Vec<String>,
}

/// A `FactoryQuery` prepared for matching many points (the console's side of filtering).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointFilter {
    /// Index into `FactoryPoints::provinces`; `Some(None)` when the province is unknown there
    /// (nothing matches).
    province: Option<Option<u16>>,
    industry: Option<u8>,
    stage: Option<u8>,
    tech: Option<u8>,
    compliant: Option<bool>,
    needle: Option<String>,
}

impl PointFilter {
    /// Text, bbox and paging fields of `q` other than `q` itself are ignored (the console
    /// filters by view, not by bbox).
    pub fn new(q: &FactoryQuery, points: &FactoryPoints) -> Self {
        let province = q
            .province
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|p| {
                points
                    .provinces
                    .iter()
                    .position(|x| x.eq_ignore_ascii_case(p))
                    .map(|i| i as u16)
            });
        Self {
            province,
            industry: q.industry.map(industry_code),
            stage: q.stage.map(stage_code),
            tech: q.tech.map(tech_bit),
            compliant: q.compliant,
            needle: q
                .q
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase),
        }
    }

    /// True when no field narrows the list.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether point `i` of `points` matches.
    pub fn matches(&self, points: &FactoryPoints, i: usize) -> bool {
        let get = |v: &[u8]| v.get(i).copied();
        self.province
            .is_none_or(|p| p.is_some() && points.province.get(i).copied() == p)
            && self
                .industry
                .is_none_or(|x| get(&points.industry) == Some(x))
            && self.stage.is_none_or(|x| get(&points.stage) == Some(x))
            && self
                .tech
                .is_none_or(|bit| get(&points.tech).is_some_and(|m| m & bit != 0))
            && self
                .compliant
                .is_none_or(|c| points.compliant.get(i).copied() == Some(c))
            && self.needle.as_deref().is_none_or(|n| {
                points.ids.get(i).is_some_and(|id| needle_is_id(n, *id))
                    || points
                        .name_en
                        .get(i)
                        .is_some_and(|s| s.to_lowercase().contains(n))
                    || points
                        .name_zh
                        .get(i)
                        .is_some_and(|s| s.to_lowercase().contains(n))
            })
    }
}

impl FactoryPoints {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Position of plant `id` (points are ordered by id).
    pub fn index_of(&self, id: u32) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    /// Indices of the points matching `q`, in id order.
    pub fn filter(&self, q: &FactoryQuery) -> Vec<usize> {
        let f = PointFilter::new(q, self);
        (0..self.len()).filter(|i| f.matches(self, *i)).collect()
    }

    pub fn stage_of(&self, i: usize) -> Option<UpgradeStage> {
        UpgradeStage::ALL
            .get(usize::from(*self.stage.get(i)?))
            .copied()
    }

    pub fn industry_of(&self, i: usize) -> Option<Industry> {
        Industry::ALL
            .get(usize::from(*self.industry.get(i)?))
            .copied()
    }

    pub fn province_of(&self, i: usize) -> Option<&str> {
        self.provinces
            .get(usize::from(*self.province.get(i)?))
            .map(String::as_str)
    }

    pub fn technologies_of(&self, i: usize) -> Vec<Technology> {
        let mask = self.tech.get(i).copied().unwrap_or(0);
        Technology::ALL
            .iter()
            .copied()
            .filter(|t| mask & tech_bit(*t) != 0)
            .collect()
    }

    /// Whether every array has one entry per id (what a console checks before trusting it).
    pub fn is_consistent(&self) -> bool {
        let n = self.ids.len();
        [
            self.lat.len(),
            self.lon.len(),
            self.stage.len(),
            self.industry.len(),
            self.province.len(),
            self.tech.len(),
            self.compliant.len(),
            self.name_en.len(),
            self.name_zh.len(),
        ]
        .iter()
        .all(|l| *l == n)
            && self
                .province
                .iter()
                .all(|p| usize::from(*p) < self.provinces.len())
            && self.ids.windows(2).all(|w| w[0] < w[1])
    }
}

/// Where a plant stands with one technology.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UpgradeStatus {
    Done,
    InProgress,
    Planned,
}

/// One line of a plant's upgrade checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TechUpgrade {
    pub technology: Technology,
    pub status: UpgradeStatus,
    /// Done: when it went live; in progress and planned: when it is due (simulated time).
    pub date: UnixMs,
}

/// A plant's network figures at one simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct KpiSample {
    pub t: UnixMs,
    pub kpis: NetworkKpis,
}

/// An AI or control workload a plant's network carries, and what it needs of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Workload {
    /// Stable id, e.g. `machine_vision`, `motion_control` (the console names it).
    pub id: String,
    pub needs: NetworkKpis,
}

impl Workload {
    /// Which of the network's figures fall short of what this workload needs (`latency_ms`,
    /// `jitter_ms`, `reliability`, `throughput_mbps`); empty: the network serves it.
    pub fn shortfalls(&self, network: &NetworkKpis) -> Vec<&'static str> {
        let n = &self.needs;
        let mut out = Vec::new();
        if network.latency_ms > n.latency_ms {
            out.push("latency_ms");
        }
        if network.jitter_ms > n.jitter_ms {
            out.push("jitter_ms");
        }
        if network.reliability < n.reliability {
            out.push("reliability");
        }
        if network.throughput_mbps < n.throughput_mbps {
            out.push("throughput_mbps");
        }
        out
    }
}

/// `GET /api/v1/factories/{id}/detail`: a plant with its checklist and recent KPI history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FactoryDetail {
    pub factory: Factory,
    pub checklist: Vec<TechUpgrade>,
    /// Oldest first, bounded (at most a few dozen samples).
    pub kpi_history: Vec<KpiSample>,
    /// The workloads its network carries (the strictest of their needs is `factory.required`).
    /// Empty from an older backend.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<Workload>,
}
