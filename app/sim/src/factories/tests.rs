//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use rand::SeedableRng as _;

use super::*;
use crate::geo;

fn book(count: u32) -> FactoryBook {
    let cities = geo::mainland_cities().unwrap();
    FactoryBook::generate(&cities, count, &mut SimRng::seed_from_u64(11))
}

#[test]
fn starting_mix_is_plausible() {
    let b = book(60_000);
    assert_eq!(b.all().len(), 60_000);
    let share = b.upgraded() as f64 / 60_000.0;
    assert!((0.36..0.40).contains(&share), "{share}");
    assert!(
        b.all()
            .iter()
            .all(|f| !matches!(f.province.as_str(), "CN-TW" | "CN-HK" | "CN-MO"))
    );
    for f in b.all().iter().filter(|f| f.stage == UpgradeStage::Upgraded) {
        assert!((1..=4).contains(&f.technologies.len()), "{f:?}");
        assert!(
            (1.0..=10.0).contains(&f.kpis.latency_ms) && f.kpis.reliability >= 0.9999,
            "{f:?}"
        );
    }
    let gd = b
        .summary
        .upgraded_by_province
        .iter()
        .find(|k| k.key == "CN-GD")
        .unwrap()
        .count;
    let nx = b
        .summary
        .upgraded_by_province
        .iter()
        .find(|k| k.key == "CN-NX")
        .unwrap()
        .count;
    assert!(gd > 10 * nx);
    let keys: Vec<&str> = b.summary.by_stage.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(keys, ["assessing", "deploying", "planned", "upgraded"]);
    assert_eq!(b.summary.by_technology.len(), 7);
    assert_eq!(b.summary.by_industry.len(), 14);
    let f = b.get(1).unwrap();
    assert_eq!(f.id, 1);
    assert!(
        f.name_en.contains("Plant") && f.name_zh.contains("工厂"),
        "{f:?}"
    );
}

#[test]
fn half_of_the_target_path_by_the_end_of_2028() {
    let mut b = book(60_000);
    let mut rng = SimRng::seed_from_u64(2);
    // 791 days in steps of one hour.
    for _ in 0..(791 * 24) {
        b.advance(3600.0, &mut rng);
    }
    let upgraded = b.upgraded();
    assert!((47_000..54_000).contains(&upgraded), "{upgraded}");
    // Counters agree with a recount.
    let recount = b
        .all()
        .iter()
        .filter(|f| f.stage == UpgradeStage::Upgraded)
        .count() as u64;
    assert_eq!(recount, upgraded);
    let tech_total: u64 = b.summary().by_technology.iter().map(|k| k.count).sum();
    let tech_recount: usize = b.all().iter().map(|f| f.technologies.len()).sum();
    assert_eq!(tech_total, tech_recount as u64);
    let edge = b
        .all()
        .iter()
        .filter(|f| f.stage == UpgradeStage::Upgraded && uses_edge_or_cloud(f))
        .count();
    let by_group: u64 = (0..b.groups().len())
        .map(|g| b.group_edge_or_cloud(g))
        .sum();
    assert_eq!(by_group, edge as u64);
}

#[test]
fn one_huge_step_stays_consistent() {
    let mut b = book(5_000);
    let changes = b.advance(400.0 * 86_400.0, &mut SimRng::seed_from_u64(4));
    assert!(!changes.is_empty());
    let total: u64 = b.summary().by_stage.iter().map(|k| k.count).sum();
    assert_eq!(total, 5_000);
}

#[test]
fn group_tuning_improves_kpis() {
    let mut b = book(6_000);
    let g = (0..b.groups().len())
        .max_by_key(|g| b.groups()[*g].members.len())
        .unwrap();
    let before = b.group_fit(g, 0.6);
    b.tune_network(g, 0.6, 0.9);
    let after = b.group_fit(g, 0.6);
    assert!(after.median_jitter_ms < before.median_jitter_ms);
    assert!(after.jitter_misses <= before.jitter_misses - before.fixed_by);
}

/// The workloads a plant carries explain what it needs: the strictest of their needs is the
/// plant's requirement, figure by figure, in every industry.
#[test]
fn the_strictest_workload_is_the_plants_requirement() {
    for industry in crate::api::Industry::ALL {
        let required = super::plant::required_kpis(industry);
        let list = super::workloads(industry);
        assert!(list.len() >= 3, "{industry:?}");
        let min = |f: fn(&crate::api::NetworkKpis) -> f64| {
            list.iter()
                .map(|w| f(&w.needs))
                .fold(f64::INFINITY, f64::min)
        };
        let max = |f: fn(&crate::api::NetworkKpis) -> f64| {
            list.iter().map(|w| f(&w.needs)).fold(0.0, f64::max)
        };
        assert_eq!(min(|k| k.latency_ms), required.latency_ms, "{industry:?}");
        assert_eq!(min(|k| k.jitter_ms), required.jitter_ms, "{industry:?}");
        assert_eq!(max(|k| k.reliability), required.reliability, "{industry:?}");
        assert_eq!(
            max(|k| k.throughput_mbps),
            required.throughput_mbps,
            "{industry:?}"
        );
        // A network that meets the requirement serves every workload.
        assert!(list.iter().all(|w| w.shortfalls(&required).is_empty()));
    }
}
