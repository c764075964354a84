//! One plant's model: what its industry needs, where it starts, which technologies it takes up
//! at each stage and the network figures that follow from them.

use crate::api::{Industry, NetworkKpis, Technology, UpgradeStage};
use crate::draw::{self, SimRng};
use crate::labels::technology_index;

/// What the plant's workloads need, by industry.
pub(super) fn required_kpis(industry: Industry) -> NetworkKpis {
    let (latency_ms, jitter_ms, reliability, throughput_mbps) = match industry {
        Industry::Electronics => (4.0, 1.0, 0.99999, 1000.0),
        Industry::Automotive => (4.0, 1.0, 0.99999, 800.0),
        Industry::Aviation => (5.0, 1.0, 0.99999, 500.0),
        Industry::PowerEquipment => (6.0, 1.5, 0.99999, 400.0),
        Industry::Steel => (8.0, 2.0, 0.99999, 400.0),
        Industry::Pharmaceuticals => (8.0, 2.0, 0.99999, 300.0),
        Industry::ConstructionMachinery => (8.0, 2.0, 0.9999, 300.0),
        Industry::NonFerrousMetals => (10.0, 2.0, 0.99999, 300.0),
        Industry::Petrochemicals => (10.0, 2.0, 0.999999, 300.0),
        Industry::Shipbuilding => (10.0, 2.0, 0.9999, 300.0),
        Industry::AgriculturalMachinery => (10.0, 2.0, 0.9999, 200.0),
        Industry::Textiles => (10.0, 3.0, 0.9999, 200.0),
        Industry::LightIndustry | Industry::Unknown => (10.0, 3.0, 0.9999, 300.0),
        Industry::BuildingMaterials => (12.0, 3.0, 0.9999, 200.0),
    };
    NetworkKpis {
        latency_ms,
        jitter_ms,
        reliability,
        throughput_mbps,
    }
}

/// The workloads an industry's plant network carries: the real-time control loop (motion or
/// process) sets the plant's latency, jitter and reliability needs, vision or the digital twin
/// its throughput — so the strictest of them is `required_kpis`.
pub(crate) fn workloads(industry: Industry) -> Vec<crate::api::Workload> {
    use Industry::*;
    let req = required_kpis(industry);
    let kpis =
        |latency_ms: f64, jitter_ms: f64, reliability: f64, throughput_mbps: f64| NetworkKpis {
            latency_ms,
            jitter_ms,
            reliability,
            throughput_mbps,
        };
    let control = if matches!(
        industry,
        Steel | Petrochemicals | NonFerrousMetals | BuildingMaterials | Pharmaceuticals
    ) {
        "process_control"
    } else {
        "motion_control"
    };
    let mut list = vec![
        (
            control,
            kpis(req.latency_ms, req.jitter_ms, req.reliability, 20.0),
        ),
        (
            "machine_vision",
            kpis(
                req.latency_ms * 2.5,
                req.jitter_ms * 3.0,
                0.9999,
                req.throughput_mbps,
            ),
        ),
        ("predictive_maintenance", kpis(100.0, 20.0, 0.999, 10.0)),
    ];
    if matches!(
        industry,
        Automotive | Electronics | LightIndustry | Textiles | Aviation | Shipbuilding
    ) {
        list.push(("agv_fleet", kpis(20.0, 5.0, 0.9999, 50.0)));
    } else {
        list.push((
            "digital_twin",
            kpis(50.0, 10.0, 0.999, (req.throughput_mbps * 0.5).max(50.0)),
        ));
    }
    list.into_iter()
        .map(|(id, needs)| crate::api::Workload {
            id: id.to_owned(),
            needs,
        })
        .collect()
}

/// How likely an industry picks each technology, in `Technology::ALL` order.
fn technology_weights(industry: Industry) -> [f64; 7] {
    use Industry::*;
    let precise = matches!(
        industry,
        Electronics | Automotive | Aviation | PowerEquipment
    );
    let heavy = matches!(
        industry,
        Steel | Petrochemicals | NonFerrousMetals | BuildingMaterials | Shipbuilding
    );
    let light = matches!(industry, LightIndustry | Textiles | Electronics);
    let plc = matches!(industry, Automotive | Electronics | Pharmaceuticals);
    [
        1.0,
        if precise { 1.0 } else { 0.5 },
        if precise { 1.0 } else { 0.3 },
        if light { 0.6 } else { 0.3 },
        if heavy { 0.9 } else { 0.4 },
        0.8,
        if plc { 0.7 } else { 0.4 },
    ]
}

/// 38 % upgraded, 20 % deploying, 22 % assessing, 20 % planned.
pub(super) fn initial_stage(rng: &mut SimRng) -> UpgradeStage {
    let u = draw::uniform(rng, 0.0, 1.0);
    match u {
        u if u < 0.38 => UpgradeStage::Upgraded,
        u if u < 0.58 => UpgradeStage::Deploying,
        u if u < 0.80 => UpgradeStage::Assessing,
        _ => UpgradeStage::Planned,
    }
}

/// Technologies for a plant reaching `stage`, keeping what it already has.
pub(super) fn technologies_for(
    stage: UpgradeStage,
    industry: Industry,
    have: &[Technology],
    rng: &mut SimRng,
) -> Vec<Technology> {
    let wanted = match stage {
        // A legacy public 5G link at some plants before the programme.
        UpgradeStage::Planned | UpgradeStage::Assessing | UpgradeStage::Unknown => {
            usize::from(draw::chance(rng, 0.15))
        }
        UpgradeStage::Deploying => 1 + draw::index(rng, 2),
        UpgradeStage::Upgraded => 1 + draw::weighted(rng, &[0.25, 0.35, 0.25, 0.15]),
    };
    let mut techs: Vec<Technology> = have.to_vec();
    let mut weights = technology_weights(industry);
    if matches!(stage, UpgradeStage::Planned | UpgradeStage::Assessing) {
        weights = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    }
    for t in &techs {
        weights[technology_index(*t)] = 0.0;
    }
    while techs.len() < wanted && weights.iter().any(|w| *w > 0.0) {
        let k = draw::weighted(rng, &weights);
        weights[k] = 0.0;
        techs.push(Technology::ALL[k]);
    }
    techs.sort_unstable();
    techs
}

/// Network figures for a plant at `stage` with `techs`; never worse than `previous`.
pub(crate) fn kpis_for(
    stage: UpgradeStage,
    techs: &[Technology],
    previous: Option<NetworkKpis>,
    rng: &mut SimRng,
) -> NetworkKpis {
    let has = |t: Technology| techs.contains(&t);
    let fresh = match stage {
        UpgradeStage::Upgraded => {
            let deterministic = has(Technology::Tsn) || has(Technology::FiveGA);
            NetworkKpis {
                latency_ms: if deterministic {
                    draw::log_uniform(rng, 2.0, 6.0)
                } else {
                    draw::log_uniform(rng, 2.5, 10.0)
                },
                jitter_ms: if has(Technology::Tsn) {
                    draw::log_uniform(rng, 0.1, 0.6)
                } else {
                    draw::log_uniform(rng, 0.2, 2.0)
                },
                reliability: 1.0 - 10f64.powf(-draw::uniform(rng, 4.0, 6.0)),
                throughput_mbps: if has(Technology::IndustrialOptical) {
                    draw::log_uniform(rng, 300.0, 2000.0)
                } else {
                    draw::log_uniform(rng, 100.0, 1500.0)
                },
            }
        }
        UpgradeStage::Deploying => NetworkKpis {
            latency_ms: draw::log_uniform(rng, 6.0, 20.0),
            jitter_ms: draw::log_uniform(rng, 1.0, 5.0),
            reliability: 1.0 - 10f64.powf(-draw::uniform(rng, 3.0, 4.0)),
            throughput_mbps: draw::log_uniform(rng, 50.0, 800.0),
        },
        UpgradeStage::Planned | UpgradeStage::Assessing | UpgradeStage::Unknown => NetworkKpis {
            latency_ms: draw::log_uniform(rng, 10.0, 40.0),
            jitter_ms: draw::log_uniform(rng, 2.0, 10.0),
            reliability: 1.0 - 10f64.powf(-draw::uniform(rng, 2.0, 3.0)),
            throughput_mbps: draw::log_uniform(rng, 20.0, 300.0),
        },
    };
    let best = match previous {
        Some(p) => NetworkKpis {
            latency_ms: fresh.latency_ms.min(p.latency_ms),
            jitter_ms: fresh.jitter_ms.min(p.jitter_ms),
            reliability: fresh.reliability.max(p.reliability),
            throughput_mbps: fresh.throughput_mbps.max(p.throughput_mbps),
        },
        None => fresh,
    };
    NetworkKpis {
        latency_ms: round_to(best.latency_ms, 100.0),
        jitter_ms: round_to(best.jitter_ms, 100.0),
        reliability: round_to(best.reliability, 1e7),
        throughput_mbps: round_to(best.throughput_mbps, 10.0),
    }
}

pub(super) fn round_to(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}
