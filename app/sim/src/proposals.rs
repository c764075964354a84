//! What the agents propose: each step they look at the world and, within a budget of about one
//! proposal per four simulated minutes, propose actions with bilingual texts and concrete numbers.
//! Alarms (a hot channel or cluster) come first; metro and industrial agents fill the rest now and
//! then. An (agent, target) pair proposed recently is held back, since the backend does not say
//! when a proposal closes: see [`HOLD_MS`] and [`HOLD_STEPS`].
//!
//! Over 600 lines on purpose: each kind of agent's proposal rule is one function here, beside the budget and hold rules they all share; reading them side by side is the point.

use std::collections::BTreeMap;

use serde_json::json;

use crate::api::{ActionKind, AutonomyLevel, GeoPoint, Industry, Policy, Risk, UnixMs};

use super::agents::AgentBook;
use super::clock::{self, MS_PER_HOUR};
use super::compute::Backbone;
use super::draw::{self, SimRng};
use super::factories::FactoryBook;
use super::labels::{industry_en, industry_zh};
use super::metros::Metros;

/// A proposal budget token accrues every this many simulated seconds.
const TOKEN_EVERY_S: f64 = 240.0;
/// Tokens saved up at most, and proposals per step at most.
const MAX_TOKENS: f64 = 3.0;
const MAX_PER_STEP: usize = 3;
/// A proposed (agent, target) pair is held back for this long in simulated time…
const HOLD_MS: i64 = 36 * MS_PER_HOUR;
/// …and at least this many steps, whichever ends later. Together they outlast the longest TTL
/// (1,800 s of real time) at speeds up to 60 simulated seconds per step, and at any speed when
/// the backend steps at most once a real second.
const HOLD_STEPS: u64 = 1800;
/// After an executed action the pair may be proposed again this much later.
const COOL_DOWN_MS: i64 = 6 * MS_PER_HOUR;
/// Utilization above which a channel or cluster raises an alarm.
const LINK_ALARM: f64 = 0.8;
const CLUSTER_ALARM: f64 = 0.85;
/// Metro coverage goal.
const COVERAGE_GOAL: f64 = 0.75;

/// An action an agent wants taken; the backend turns it into an `Action`.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub agent_id: String,
    pub kind: ActionKind,
    /// A link, cluster, metro or factory-group id.
    pub target: String,
    pub summary_en: String,
    pub summary_zh: String,
    pub rationale_en: String,
    pub rationale_zh: String,
    /// 0.55..0.98.
    pub confidence: f64,
    pub risk: Risk,
    pub policy: Policy,
    pub predicted_impact_en: String,
    pub predicted_impact_zh: String,
    pub params: serde_json::Value,
    /// Real seconds the proposal stays open, 300..=1800.
    pub ttl_s: u32,
}

/// What the agents see.
pub struct World<'a> {
    pub now: UnixMs,
    pub backbone: &'a Backbone,
    pub metros: &'a Metros,
    pub book: &'a FactoryBook,
    pub agents: &'a AgentBook,
    pub provinces: &'a BTreeMap<String, (String, String)>,
}

#[derive(Debug, Clone, Copy)]
struct Hold {
    until_ms: UnixMs,
    until_step: u64,
}

/// The proposal budget and the pairs held back.
#[derive(Debug, Clone)]
pub struct Proposer {
    tokens: f64,
    steps: u64,
    holds: BTreeMap<(String, String), Hold>,
}

#[derive(Debug, Clone, Copy)]
enum Alarm {
    Link(usize, f64),
    Cluster(usize, f64),
}

impl Proposer {
    pub fn new() -> Self {
        Self {
            tokens: 0.0,
            steps: 0,
            holds: BTreeMap::new(),
        }
    }

    /// Proposals for this step.
    pub fn step(&mut self, world: &World<'_>, dt_s: f64, rng: &mut SimRng) -> Vec<Proposal> {
        self.steps += 1;
        let (now, steps) = (world.now, self.steps);
        self.holds
            .retain(|_, h| h.until_ms > now || h.until_step > steps);
        self.tokens = (self.tokens + dt_s / TOKEN_EVERY_S).min(MAX_TOKENS);

        let mut out = Vec::new();
        for alarm in alarms(world) {
            if self.tokens < 1.0 || out.len() >= MAX_PER_STEP {
                break;
            }
            let proposal = match alarm {
                Alarm::Link(i, _) => self.unless_held(
                    world,
                    world.agents.backbone_agent(),
                    link_id(world, i),
                    |w| reroute(w, i, rng),
                ),
                Alarm::Cluster(i, _) => {
                    let Some(agent) = world
                        .backbone
                        .hub_of_cluster(i)
                        .and_then(|h| world.agents.hub_agent(h))
                    else {
                        continue;
                    };
                    let target = world.backbone.clusters()[i].id.clone();
                    self.unless_held(world, agent, target, |w| scale_compute(w, i, rng))
                }
            };
            if let Some(p) = proposal {
                self.take(p, now, &mut out);
            }
        }
        if self.tokens >= 1.0 && out.len() < MAX_PER_STEP && draw::chance(rng, 0.5) {
            let industrial = !world.agents.group_agents().is_empty() && draw::chance(rng, 0.65);
            let proposal = if industrial {
                let (g, agent) = world.agents.group_agents()
                    [draw::index(rng, world.agents.group_agents().len())];
                let target = world.book.groups()[g].id.clone();
                self.unless_held(world, agent, target, |w| group_action(w, g, agent, rng))
            } else {
                let m = draw::index(rng, world.metros.summaries().len());
                match world
                    .metros
                    .summaries()
                    .get(m)
                    .zip(world.agents.metro_agent(m))
                {
                    Some((metro, agent)) => self.unless_held(world, agent, metro.id.clone(), |w| {
                        metro_action(w, m, agent, rng)
                    }),
                    None => None,
                }
            };
            if let Some(p) = proposal {
                self.take(p, now, &mut out);
            }
        }
        out
    }

    fn unless_held(
        &self,
        world: &World<'_>,
        agent: usize,
        target: String,
        build: impl FnOnce(&World<'_>) -> Option<Proposal>,
    ) -> Option<Proposal> {
        let agent_id = world.agents.get(agent)?.id.clone();
        if self.holds.contains_key(&(agent_id, target)) {
            None
        } else {
            build(world)
        }
    }

    fn take(&mut self, p: Proposal, now: UnixMs, out: &mut Vec<Proposal>) {
        self.tokens -= 1.0;
        let hold = Hold {
            until_ms: now.saturating_add(HOLD_MS),
            until_step: self.steps + HOLD_STEPS,
        };
        self.holds
            .insert((p.agent_id.clone(), p.target.clone()), hold);
        out.push(p);
    }

    /// An action on (agent, target) was executed: it may come up again after a cool-down.
    pub fn executed(&mut self, agent_id: &str, target: &str, now: UnixMs) {
        self.holds.insert(
            (agent_id.to_owned(), target.to_owned()),
            Hold {
                until_ms: now.saturating_add(COOL_DOWN_MS),
                until_step: 0,
            },
        );
    }
}

fn link_id(world: &World<'_>, i: usize) -> String {
    world
        .backbone
        .links()
        .get(i)
        .map(|l| l.id.clone())
        .unwrap_or_default()
}

/// Hot channels and clusters, worst first.
fn alarms(world: &World<'_>) -> Vec<Alarm> {
    let mut alarms: Vec<Alarm> = Vec::new();
    for (i, l) in world.backbone.links().iter().enumerate() {
        if l.utilization > LINK_ALARM {
            alarms.push(Alarm::Link(i, l.utilization - LINK_ALARM));
        }
    }
    for (i, c) in world.backbone.clusters().iter().enumerate() {
        if c.utilization > CLUSTER_ALARM {
            alarms.push(Alarm::Cluster(i, c.utilization - CLUSTER_ALARM));
        }
    }
    let excess = |a: &Alarm| match a {
        Alarm::Link(_, e) | Alarm::Cluster(_, e) => *e,
    };
    alarms.sort_by(|a, b| excess(b).total_cmp(&excess(a)));
    alarms
}

/// Who must agree, from risk and the agent's autonomy.
pub fn policy_for(risk: Risk, autonomy: AutonomyLevel) -> Policy {
    match risk {
        Risk::High | Risk::Critical => Policy::TwoApprovals,
        Risk::Low if autonomy >= AutonomyLevel::L4 => Policy::AutoWithVeto,
        _ => Policy::OneApproval,
    }
}

/// The policy of a proposal: as [`policy_for`], except that what cannot be undone never runs
/// before an approval (a veto could not roll it back).
pub fn policy_for_action(kind: ActionKind, risk: Risk, autonomy: AutonomyLevel) -> Policy {
    match policy_for(risk, autonomy) {
        Policy::AutoWithVeto if !super::hitl::reversible(kind) => Policy::OneApproval,
        policy => policy,
    }
}

fn ttl_for(risk: Risk, rng: &mut SimRng) -> u32 {
    let (lo, hi) = match risk {
        Risk::Low => (300.0, 600.0),
        Risk::Medium => (600.0, 1200.0),
        Risk::High => (900.0, 1800.0),
        Risk::Critical | Risk::Unknown => (600.0, 900.0),
    };
    ((draw::uniform(rng, lo, hi) / 30.0).round() * 30.0) as u32
}

fn confidence(base: f64, rng: &mut SimRng) -> f64 {
    ((base + 0.04 * draw::gauss(rng)).clamp(0.55, 0.98) * 100.0).round() / 100.0
}

fn pct(x: f64) -> String {
    format!("{:.0}", x * 100.0)
}

/// Texts and figures of a proposal, before the agent's details are added.
struct Draft {
    kind: ActionKind,
    target: String,
    summary: (String, String),
    rationale: (String, String),
    impact: (String, String),
    params: serde_json::Value,
    risk: Risk,
    confidence: f64,
}

fn finish(world: &World<'_>, agent: usize, draft: Draft, rng: &mut SimRng) -> Option<Proposal> {
    let a = world.agents.get(agent)?;
    Some(Proposal {
        agent_id: a.id.clone(),
        kind: draft.kind,
        target: draft.target,
        summary_en: draft.summary.0,
        summary_zh: draft.summary.1,
        rationale_en: draft.rationale.0,
        rationale_zh: draft.rationale.1,
        confidence: draft.confidence,
        risk: draft.risk,
        policy: policy_for_action(draft.kind, draft.risk, a.autonomy),
        predicted_impact_en: draft.impact.0,
        predicted_impact_zh: draft.impact.1,
        params: draft.params,
        ttl_s: ttl_for(draft.risk, rng),
    })
}

/// The backbone agent moves traffic off a hot channel over the two-hop detour with most headroom.
fn reroute(world: &World<'_>, i: usize, rng: &mut SimRng) -> Option<Proposal> {
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
fn scale_compute(world: &World<'_>, i: usize, rng: &mut SimRng) -> Option<Proposal> {
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
fn metro_action(world: &World<'_>, m: usize, agent: usize, rng: &mut SimRng) -> Option<Proposal> {
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
fn group_action(world: &World<'_>, g: usize, agent: usize, rng: &mut SimRng) -> Option<Proposal> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
