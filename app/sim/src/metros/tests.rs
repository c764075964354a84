//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use rand::SeedableRng as _;

use super::cells::{cell_center, coverage, weighted_median};
use super::*;

fn metros(seed: u64) -> Metros {
    let cities = geo::mainland_cities().unwrap();
    Metros::new(&cities, &mut SimRng::seed_from_u64(seed), seed)
}

#[test]
fn summaries_are_plausible() {
    let m = metros(42);
    assert!(m.summaries().len() >= 30);
    let mut ids: Vec<&str> = m.summaries().iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), m.summaries().len());
    for s in m.summaries() {
        assert!((0.0..=1.0).contains(&s.coverage_1ms), "{s:?}");
        assert!(s.median_rtt_ms > 0.2 && s.median_rtt_ms < 5.0, "{s:?}");
        assert!((6..=40).contains(&s.access_points));
    }
    let national = m.national_coverage();
    assert!((0.45..0.7).contains(&national), "{national}");
}

#[test]
fn grids_match_summaries() {
    let m = metros(42);
    let grid = m.grid(0).unwrap();
    assert_eq!(grid.rtt_ms.len(), (grid.cols * grid.rows) as usize);
    assert_eq!(grid.population.len(), grid.rtt_ms.len());
    assert_eq!(grid.coverage_1ms, m.summaries()[0].coverage_1ms);
    assert_eq!(
        grid.access_points.len() as u32,
        m.summaries()[0].access_points
    );
    let people: f64 = grid.population.iter().map(|p| f64::from(*p)).sum();
    assert!((people / m.summaries()[0].population as f64 - 1.0).abs() < 1e-3);
    // The centre cell sits at the city.
    let center = geo::offset_km(grid.origin, 50.0, 50.0);
    assert!(geo::haversine_km(center, m.summaries()[0].center) < 0.5);
}

#[test]
fn coverage_and_median_of_a_hand_computed_grid() {
    // Four cells: 10, 20, 30 and 40 people at 0.5, 1.0, 1.5 and 3.0 ms.
    let rtt = [0.5, 1.0, 1.5, 3.0];
    let people = [10.0, 20.0, 30.0, 40.0];
    // Covered (≤ 1 ms, the boundary included): 10 + 20 of 100 people.
    assert!((coverage(&rtt, &people) - 0.3).abs() < 1e-12);
    // Half the people (50) are reached at the third cell: 10, 30, 60.
    assert_eq!(weighted_median(&rtt, &people), 1.5);
    // Weights, not cell counts: one cell of 90 people inside 1 ms outweighs three outside.
    assert!((coverage(&[0.9, 2.0, 2.0, 2.0], &[90.0, 5.0, 3.0, 2.0]) - 0.9).abs() < 1e-12);
    // No people: no coverage, never a division by zero.
    assert_eq!(coverage(&rtt, &[0.0; 4]), 0.0);
}

#[test]
fn grid_names_the_nearest_site_of_every_cell() {
    let m = metros(42);
    let grid = m.grid(3).unwrap();
    assert_eq!(grid.nearest_site.len(), grid.rtt_ms.len());
    for cell in [0, 4321, 9999] {
        let site = grid.access_points[grid.nearest_site[cell] as usize];
        let (x, y) = cell_center(cell);
        let centre = geo::offset_km(m.summaries()[3].center, x - HALF_KM, y - HALF_KM);
        let d = geo::haversine_km(centre, site);
        // The flat local frame and the great circle agree to well under 1 %.
        let tolerance = 0.01 * d + 0.05;
        let km = f64::from(grid.site_distance_km[cell]);
        assert!((d - km).abs() < tolerance, "{d} vs {km}");
        // No other site is nearer.
        for other in &grid.access_points {
            assert!(geo::haversine_km(centre, *other) >= d - tolerance);
        }
    }
    assert!((grid.median_rtt_ms - m.summaries()[3].median_rtt_ms).abs() < 1e-12);
}

#[test]
fn what_if_changes_nothing_live() {
    let m = metros(42);
    let i = m.summaries().len() - 1;
    let live = m.summaries()[i].clone();
    let (same, _) = m.what_if(i, &[], &[]).unwrap();
    assert_eq!(same, m.figures(i).unwrap());
    let points = m.best_site_points(i, 3);
    let (more, rtt) = m.what_if(i, &points, &[]).unwrap();
    assert!(more.coverage_1ms > live.coverage_1ms);
    assert_eq!(more.access_points, live.access_points + 3);
    assert_eq!(rtt.len(), GRID * GRID);
    let (fewer, _) = m.what_if(i, &[], &[0, 1, 1]).unwrap();
    assert_eq!(fewer.access_points, live.access_points - 2);
    assert!(fewer.coverage_1ms <= live.coverage_1ms);
    assert_eq!(m.summaries()[i], live);
    assert!(m.contains(i, live.center));
    assert!(!m.contains(i, geo::offset_km(live.center, 60.0, 0.0)));
}

#[test]
fn new_sites_and_qos_raise_coverage() {
    let mut m = metros(42);
    let i = m.summaries().len() - 1;
    let before = m.summaries()[i].coverage_1ms;
    let points = m.best_site_points(i, 2);
    let predicted = m.coverage_if(i, &points, 0.0);
    assert_eq!(m.deploy(i, &points), 2);
    assert!((m.summaries()[i].coverage_1ms - predicted).abs() < 1e-12);
    assert!(predicted > before);
    let with_qos = m.coverage_if(i, &[], 0.05);
    m.apply_qos(i, 0.05);
    assert_eq!(m.summaries()[i].coverage_1ms, with_qos);
    assert!(with_qos >= predicted);
}
