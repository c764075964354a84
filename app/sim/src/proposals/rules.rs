//! The proposal rules, one function per kind of agent: the backbone agent reroutes a hot channel,
//! a hub agent scales a hot cluster, a metro agent deploys edge sites or tunes QoS, an industrial
//! agent schedules TSN or tunes a process. Kept side by side so they read as one set.

use serde_json::json;

use crate::api::{ActionKind, GeoPoint, Industry, Risk};
use crate::clock;
use crate::draw::{self, SimRng};
use crate::labels::{industry_en, industry_zh};

use super::{CLUSTER_ALARM, Draft, Proposal, World, confidence, finish, pct};

/// Metro coverage goal.
const COVERAGE_GOAL: f64 = 0.75;

/// The backbone agent moves traffic off a hot channel over the two-hop detour with most headroom.
pub(super) fn reroute(world: &World<'_>, i: usize, rng: &mut SimRng) -> Option<Proposal> {
    let b = world.backbone;
    let link = b.links().get(i)?;
    let detour = b.best_detour(i)?;
    let (from, to) = b.endpoints(i)?;
    let (a, z, via) = (
        &b.clusters()[from],
        &b.clusters()[to],
        &b.clusters()[detour.via],
    );
    let capacity = f64::from(link.capacity_gbps);
    let u = link.utilization;
    let excess = (u - 0.70) * capacity;
    let shift = (excess.min(detour.headroom_gbps) / 10.0).floor() * 10.0;
    if shift < 10.0 {
        return None;
    }
    let after = (u - shift / capacity).max(0.0);
    let (peak, at) = b.link_peak_ahead(i, world.now, 6);
    let peak = peak.max(u);
    let hh = clock::beijing_hh00(at);
    let mut risk = match shift / capacity {
        f if f < 0.08 => Risk::Low,
        f if f < 0.15 => Risk::Medium,
        _ => Risk::High,
    };
    if u >= 0.95 {
        risk = Risk::Critical;
    }
    let draft = Draft {
        kind: ActionKind::Reroute,
        target: link.id.clone(),
        summary: (
            format!(
                "Reroute {shift:.0} Gbps from {}–{} via {}",
                a.name_en, z.name_en, via.name_en
            ),
            format!(
                "将{}—{} {shift:.0} Gbps 流量经{}绕行",
                a.name_zh, z.name_zh, via.name_zh
            ),
        ),
        rationale: (
            format!(
                "Utilization {} % now, forecast {} % at {hh}; the detour via {} has {:.0} Gbps of headroom below 75 %",
                pct(u),
                pct(peak),
                via.name_en,
                detour.headroom_gbps
            ),
            format!(
                "当前利用率 {}%，预计 {hh} 达 {}%；经{}绕行在 75% 以下尚有 {:.0} Gbps 余量",
                pct(u),
                pct(peak),
                via.name_zh,
                detour.headroom_gbps
            ),
        ),
        impact: (
            format!(
                "−{} pp utilization on {}–{} ({} % → {} %)",
                pct(u - after),
                a.name_en,
                z.name_en,
                pct(u),
                pct(after)
            ),
            format!(
                "{}—{}利用率下降 {} 个百分点（{}% → {}%）",
                a.name_zh,
                z.name_zh,
                pct(u - after),
                pct(u),
                pct(after)
            ),
        ),
        params: json!({ "from_link": link.id, "via": via.id, "shift_gbps": shift }),
        risk,
        confidence: confidence(0.62 + 0.15 * (detour.headroom_gbps / shift).min(2.0), rng),
    };
    finish(world, world.agents.backbone_agent(), draft, rng)
}

/// A hub agent adds compute to a hot cluster, sized to bring it back to about 70 %.
pub(super) fn scale_compute(world: &World<'_>, i: usize, rng: &mut SimRng) -> Option<Proposal> {
    let b = world.backbone;
    let c = b.clusters().get(i)?;
    let agent = b
        .hub_of_cluster(i)
        .and_then(|h| world.agents.hub_agent(h))?;
    let u = c.utilization;
    let add = ((c.compute_eflops * (u / 0.70 - 1.0)) * 2.0)
        .round()
        .max(2.0)
        / 2.0;
    let after = u * c.compute_eflops / (c.compute_eflops + add);
    let (peak, at) = b.cluster_peak_ahead(i, world.now, 6);
    let peak = peak.max(u);
    let risk = match add / c.compute_eflops {
        f if f < 0.1 => Risk::Low,
        f if f < 0.25 => Risk::Medium,
        _ => Risk::High,
    };
    let hh = clock::beijing_hh00(at);
    let free = 1.0 - c.occupancy;
    let draft = Draft {
        kind: ActionKind::ScaleCompute,
        target: c.id.clone(),
        summary: (
            format!("Add {add:.1} EFLOPS to the {} cluster", c.name_en),
            format!("为{}集群扩容 {add:.1} EFLOPS", c.name_zh),
        ),
        rationale: (
            format!(
                "Compute utilization {} % now, forecast {} % at {hh}; {} % of racks stand free",
                pct(u),
                pct(peak),
                pct(free)
            ),
            format!(
                "当前算力利用率 {}%，预计 {hh} 达 {}%；机架空置 {}%",
                pct(u),
                pct(peak),
                pct(free)
            ),
        ),
        impact: (
            format!(
                "Utilization {} % → {} % on {} ({:.1} → {:.1} EFLOPS)",
                pct(u),
                pct(after),
                c.name_en,
                c.compute_eflops,
                c.compute_eflops + add
            ),
            format!(
                "{}利用率 {}% → {}%（{:.1} → {:.1} EFLOPS）",
                c.name_zh,
                pct(u),
                pct(after),
                c.compute_eflops,
                c.compute_eflops + add
            ),
        ),
        params: json!({ "cluster": c.id, "add_eflops": add }),
        risk,
        confidence: confidence(0.7 + (peak - CLUSTER_ALARM).max(0.0), rng),
    };
    finish(world, agent, draft, rng)
}

/// A metro agent deploys edge sites where coverage is short, or tunes QoS.
pub(super) fn metro_action(
    world: &World<'_>,
    m: usize,
    agent: usize,
    rng: &mut SimRng,
) -> Option<Proposal> {
    let metro = world.metros.summaries().get(m)?;
    let c = metro.coverage_1ms;
    if c < COVERAGE_GOAL && draw::chance(rng, 0.7) {
        let k = match metro.population {
            p if p >= 15_000_000 => 3,
            p if p >= 8_000_000 => 2,
            _ => 1,
        };
        let points = world.metros.best_site_points(m, k);
        let after = world.metros.coverage_if(m, &points, 0.0);
        if points.is_empty() || after - c < 0.002 {
            return None;
        }
        let sites: Vec<serde_json::Value> = points.iter().map(site_json).collect();
        let draft = Draft {
            kind: ActionKind::DeployEdge,
            target: metro.id.clone(),
            summary: (
                format!(
                    "Deploy {k} edge computing site{} in {}",
                    if k > 1 { "s" } else { "" },
                    metro.name_en
                ),
                format!("在{}新建 {k} 个边缘算力节点", metro.name_zh),
            ),
            rationale: (
                format!(
                    "{} % of people are within 1 ms of computing (target 75 %); median RTT {:.2} ms over {} sites",
                    pct(c),
                    metro.median_rtt_ms,
                    metro.access_points
                ),
                format!(
                    "1 毫秒时延圈覆盖 {}% 人口（目标 75%）；现有 {} 个节点，中位时延 {:.2} ms",
                    pct(c),
                    metro.access_points,
                    metro.median_rtt_ms
                ),
            ),
            impact: (
                format!(
                    "+{:.1} pp 1 ms coverage in {} ({:.1} % → {:.1} %)",
                    (after - c) * 100.0,
                    metro.name_en,
                    c * 100.0,
                    after * 100.0
                ),
                format!(
                    "{} 1 毫秒覆盖率提升 {:.1} 个百分点（{:.1}% → {:.1}%）",
                    metro.name_zh,
                    (after - c) * 100.0,
                    c * 100.0,
                    after * 100.0
                ),
            ),
            params: json!({ "metro": metro.id, "sites": sites }),
            risk: if k == 1 { Risk::Low } else { Risk::Medium },
            confidence: confidence(0.75 + 4.0 * (after - c).min(0.05), rng),
        };
        return finish(world, agent, draft, rng);
    }
    let gain = 0.04;
    if world.metros.qos_gain_ms(m) + gain > 0.12 + 1e-9 {
        return None;
    }
    let after = world.metros.coverage_if(m, &[], gain);
    let queue_ms = draw::uniform(rng, 0.05, 0.09);
    let draft = Draft {
        kind: ActionKind::QosSchedule,
        target: metro.id.clone(),
        summary: (
            format!(
                "Prioritise industrial-control traffic in the {} metro network (queue 6, DSCP EF)",
                metro.name_en
            ),
            format!(
                "{}城域网优先调度工业控制流量（队列 6，DSCP EF）",
                metro.name_zh
            ),
        ),
        rationale: (
            format!(
                "Median RTT {:.2} ms; queueing at aggregation nodes adds about {queue_ms:.2} ms at peak hours",
                metro.median_rtt_ms
            ),
            format!(
                "中位时延 {:.2} ms；高峰时段汇聚节点排队时延约 {queue_ms:.2} ms",
                metro.median_rtt_ms
            ),
        ),
        impact: (
            format!(
                "−{gain:.2} ms RTT for industrial traffic; 1 ms coverage {:.1} % → {:.1} %",
                c * 100.0,
                after * 100.0
            ),
            format!(
                "工业流量时延降低 {gain:.2} ms；1 毫秒覆盖率 {:.1}% → {:.1}%",
                c * 100.0,
                after * 100.0
            ),
        ),
        params: json!({
            "metro": metro.id,
            "traffic_class": "industrial_control",
            "dscp": "EF",
            "queue": 6,
            "latency_gain_ms": gain,
        }),
        risk: Risk::Low,
        confidence: confidence(0.8, rng),
    };
    finish(world, agent, draft, rng)
}

fn site_json(p: &GeoPoint) -> serde_json::Value {
    json!({ "lat": (p.lat * 1e5).round() / 1e5, "lon": (p.lon * 1e5).round() / 1e5 })
}

/// An industrial agent schedules TSN where jitter misses requirements, or tunes a process.
pub(super) fn group_action(
    world: &World<'_>,
    g: usize,
    agent: usize,
    rng: &mut SimRng,
) -> Option<Proposal> {
    let group = world.book.groups().get(g)?;
    let (prov_zh, prov_en) = world
        .provinces
        .get(&group.prov)
        .cloned()
        .unwrap_or_else(|| (group.prov.clone(), group.prov.clone()));
    let (ind_en, ind_zh) = (industry_en(group.industry), industry_zh(group.industry));
    let factor = 0.6;
    let fit = world.book.group_fit(g, factor);
    let required_jitter = world.book.get(*group.members.first()?)?.required.jitter_ms;
    let n = fit.networked;
    if n == 0 {
        return None;
    }
    if fit.jitter_misses >= 3 && required_jitter <= 2.0 && draw::chance(rng, 0.75) {
        let cycle_us = match required_jitter {
            j if j <= 1.0 => 250,
            j if j <= 1.5 => 500,
            _ => 1000,
        };
        let risk = match n {
            n if n < 100 => Risk::Low,
            n if n < 300 => Risk::Medium,
            _ => Risk::High,
        };
        let draft = Draft {
            kind: ActionKind::TsnSchedule,
            target: group.id.clone(),
            summary: (
                format!(
                    "Apply a {cycle_us} µs TSN cycle to {n} {prov_en} {} plants",
                    ind_en.to_lowercase()
                ),
                format!("为{prov_zh}{ind_zh}行业 {n} 家工厂下发 {cycle_us} µs TSN 调度周期"),
            ),
            rationale: (
                format!(
                    "{} of {} upgraded plants miss the {required_jitter} ms jitter requirement (median {:.2} ms)",
                    fit.jitter_misses, fit.upgraded, fit.median_jitter_ms
                ),
                format!(
                    "{} 家已改造工厂中有 {} 家抖动未达 {required_jitter} ms 要求（中位 {:.2} ms）",
                    fit.upgraded, fit.jitter_misses, fit.median_jitter_ms
                ),
            ),
            impact: (
                format!(
                    "Jitter −40 %: {} more plants within requirement",
                    fit.fixed_by
                ),
                format!("抖动降低 40%：另有 {} 家工厂达标", fit.fixed_by),
            ),
            params: json!({ "cycle_us": cycle_us, "plants": n, "jitter_factor": factor }),
            risk,
            confidence: confidence(
                0.65 + 0.3 * fit.fixed_by as f64 / fit.jitter_misses.max(1) as f64,
                rng,
            ),
        };
        return finish(world, agent, draft, rng);
    }
    let p = process_parameter(group.industry);
    let from = round_like(p.base * (1.0 + 0.02 * draw::gauss(rng)), p.base);
    let to = round_like(from + p.delta * draw::uniform(rng, 0.7, 1.3), p.base);
    let yield_pct = draw::uniform(rng, 0.4, 2.5);
    let energy_pct = draw::uniform(rng, 0.5, 3.5);
    let risk = match group.industry {
        Industry::Petrochemicals | Industry::Aviation | Industry::Pharmaceuticals => Risk::High,
        Industry::Steel | Industry::NonFerrousMetals | Industry::BuildingMaterials => Risk::Medium,
        _ => Risk::Low,
    };
    let draft = Draft {
        kind: ActionKind::ProcessParameter,
        target: group.id.clone(),
        summary: (
            format!(
                "Set {} from {from} to {to} {} at {n} {prov_en} {} plants",
                p.name_en,
                p.unit,
                ind_en.to_lowercase()
            ),
            format!(
                "将{prov_zh}{ind_zh}行业 {n} 家工厂的{}由 {from} 调整为 {to} {}",
                p.name_zh, p.unit
            ),
        ),
        rationale: (
            format!(
                "The group's process model, fitted on {} upgraded plants' line data, predicts {yield_pct:.1} % more yield and {energy_pct:.1} % less energy per unit",
                fit.upgraded
            ),
            format!(
                "基于 {} 家已改造工厂产线数据的工艺模型预测：良率提升 {yield_pct:.1}%，单位能耗下降 {energy_pct:.1}%",
                fit.upgraded
            ),
        ),
        impact: (
            format!(
                "+{yield_pct:.1} % yield, −{energy_pct:.1} % energy per unit; −30 % packet loss on line networks"
            ),
            format!("良率 +{yield_pct:.1}%，单位能耗 −{energy_pct:.1}%；产线网络丢包率 −30%"),
        ),
        params: json!({ "parameter": p.key, "from": from, "to": to, "unit": p.unit }),
        risk,
        confidence: confidence(0.6 + 0.1 * yield_pct, rng),
    };
    finish(world, agent, draft, rng)
}

struct ProcessParameter {
    key: &'static str,
    name_en: &'static str,
    name_zh: &'static str,
    unit: &'static str,
    base: f64,
    delta: f64,
}

fn process_parameter(industry: Industry) -> ProcessParameter {
    #[rustfmt::skip]
    let (key, name_en, name_zh, unit, base, delta) = match industry {
        Industry::Steel => ("oxygen_enrichment_pct", "blast-furnace oxygen enrichment", "高炉富氧率", "%", 3.5, 0.4),
        Industry::NonFerrousMetals => ("cell_current_ka", "electrolysis cell current", "电解槽电流", "kA", 400.0, 6.0),
        Industry::Petrochemicals => ("reactor_outlet_temp_c", "reactor outlet temperature", "反应器出口温度", "°C", 505.0, -3.0),
        Industry::BuildingMaterials => ("kiln_temp_c", "kiln burning-zone temperature", "窑炉烧成带温度", "°C", 1450.0, -12.0),
        Industry::Aviation => ("autoclave_cure_min", "autoclave cure time", "热压罐固化时间", "min", 120.0, -6.0),
        Industry::Shipbuilding => ("weld_speed_mm_s", "panel-line welding speed", "平面分段焊接速度", "mm/s", 8.0, 0.6),
        Industry::ConstructionMachinery => ("paint_cure_temp_c", "paint-curing oven temperature", "涂装烘干温度", "°C", 180.0, -6.0),
        Industry::AgriculturalMachinery => ("weld_current_a", "robot welding current", "机器人焊接电流", "A", 260.0, -10.0),
        Industry::PowerEquipment => ("winding_tension_n", "coil winding tension", "线圈绕制张力", "N", 85.0, 4.0),
        Industry::Automotive => ("spot_weld_current_ka", "spot-welding current", "点焊电流", "kA", 9.5, -0.3),
        Industry::Electronics => ("reflow_peak_c", "reflow peak temperature", "回流焊峰值温度", "°C", 245.0, -4.0),
        Industry::Textiles => ("spindle_speed_rpm", "spindle speed", "锭子转速", "rpm", 16000.0, 600.0),
        Industry::LightIndustry | Industry::Unknown => ("line_speed_m_min", "line speed", "产线速度", "m/min", 120.0, 6.0),
        Industry::Pharmaceuticals => ("granulation_moisture_pct", "granulation moisture", "制粒水分", "%", 2.5, -0.2),
    };
    ProcessParameter {
        key,
        name_en,
        name_zh,
        unit,
        base,
        delta,
    }
}

/// Round `x` to one decimal below 100 and to whole units above, as `scale` is.
fn round_like(x: f64, scale: f64) -> f64 {
    if scale.abs() >= 100.0 {
        x.round()
    } else {
        (x * 10.0).round() / 10.0
    }
}
