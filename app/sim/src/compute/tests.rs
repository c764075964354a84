//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use rand::SeedableRng as _;

use super::*;

fn backbone() -> Backbone {
    Backbone::new(&mut SimRng::seed_from_u64(3), clock::DEFAULT_START)
}

#[test]
fn figures_match_the_public_record() {
    let b = backbone();
    assert_eq!(b.hubs().len(), 8);
    assert_eq!(b.clusters().len(), 10);
    assert!(b.hubs().iter().all(|h| !h.cluster_ids.is_empty()));
    let racks: u32 = b.clusters().iter().map(|c| c.racks).sum();
    assert!((1_400_000..1_520_000).contains(&racks));
    assert!(
        (0.6..0.66).contains(&b.mean_occupancy()),
        "{}",
        b.mean_occupancy()
    );
    let eflops: f64 = b.clusters().iter().map(|c| c.compute_eflops).sum();
    assert!((250.0..400.0).contains(&eflops));
    assert!(b.clusters().iter().all(|c| (1.1..1.4).contains(&c.pue)));
    assert!((18..=24).contains(&b.links().len()));
}

#[test]
fn links_follow_the_fibre_rule_and_stay_fast() {
    let b = backbone();
    for l in b.links() {
        assert!((l.rtt_ms - 2.0 * l.route_km * 0.005).abs() < 1e-9);
        assert!(l.capacity_gbps == 400 || l.capacity_gbps == 800);
        assert!((0.0..=1.0).contains(&l.utilization));
    }
    // Shortest paths between any two clusters stay within ~40 ms.
    let n = b.clusters().len();
    let mut d = vec![vec![f64::INFINITY; n]; n];
    for (i, row) in d.iter_mut().enumerate() {
        row[i] = 0.0;
    }
    for (i, l) in b.links().iter().enumerate() {
        let (x, y) = b.endpoints(i).unwrap();
        d[x][y] = l.rtt_ms;
        d[y][x] = l.rtt_ms;
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                d[i][j] = d[i][j].min(d[i][k] + d[k][j]);
            }
        }
    }
    assert!(d.iter().flatten().all(|ms| *ms <= 40.0), "{d:?}");
}

#[test]
fn every_link_has_a_detour_and_reroute_moves_load() {
    let mut b = backbone();
    for i in 0..b.links().len() {
        assert!(b.best_detour(i).is_some(), "{}", b.links()[i].id);
    }
    let t = clock::DEFAULT_START;
    let detour = b.best_detour(0).unwrap();
    let before = b.links()[0].utilization;
    let moved = b.reroute(0, detour.via, 100.0, t);
    assert!(moved > 0.0 && b.links()[0].utilization < before);
}

#[test]
fn directions_differ_and_average_to_the_link() {
    let mut b = backbone();
    let mut rng = SimRng::seed_from_u64(9);
    b.advance(clock::DEFAULT_START + 5 * MS_PER_HOUR, 3600.0, &mut rng);
    let mut differs = false;
    for l in b.links() {
        assert!((0.0..=1.0).contains(&l.utilization_forward));
        assert!((0.0..=1.0).contains(&l.utilization_reverse));
        let mean = (l.utilization_forward + l.utilization_reverse) / 2.0;
        assert!((mean - l.utilization).abs() < 0.02, "{}", l.id);
        differs |= (l.utilization_forward - l.utilization_reverse).abs() > 0.02;
    }
    assert!(differs);
    let (clusters, links) = b.model_loads_at(clock::DEFAULT_START - MS_PER_HOUR);
    assert_eq!((clusters.len(), links.len()), (10, b.links().len()));
}

#[test]
fn scale_compute_lowers_utilization() {
    let mut b = backbone();
    let before = b.clusters()[1].utilization;
    b.scale_compute(1, 10.0, clock::DEFAULT_START);
    assert!(b.clusters()[1].utilization < before);
}

#[test]
fn rhythm_and_upgrades_over_time() {
    let mut b = backbone();
    let mut rng = SimRng::seed_from_u64(5);
    let start = clock::DEFAULT_START;
    let share = b.share_800g();
    let mut peak: f64 = 0.0;
    for h in 1..=24 {
        b.advance(start + h * MS_PER_HOUR, 3600.0, &mut rng);
        peak = peak.max(b.links().iter().map(|l| l.utilization).fold(0.0, f64::max));
    }
    assert!(peak > 0.8, "{peak}");
    b.advance(start + 800 * clock::MS_PER_DAY, 3600.0, &mut rng);
    assert!(b.share_800g() > share + 0.2);
    assert!(b.mean_pue() < 1.27);
}
