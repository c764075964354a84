//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::data::LEVELS_KEPT;
use super::grid::footprint;
use super::paint::{
    POINT_SEGMENTS, add_disc, add_ring_sector, cluster_disc, colour_of, folded, gpu_palette, pick,
    ring_width,
};
use super::*;
use crate::geo_layers::discs_gpu::RING_CATEGORIES;
use crate::geo_layers::mercator::normalized;
use egui::epaint::Mesh;
use egui::{Color32, pos2};
use walkers::lat_lon;

fn points(list: &[(f64, f64, u8)]) -> Vec<ClusterPoint> {
    list.iter()
        .enumerate()
        .map(|(i, (lat, lon, c))| ClusterPoint {
            id: i as u64 + 100,
            position: lat_lon(*lat, *lon),
            category: *c,
        })
        .collect()
}

#[test]
fn grid_groups_by_cell_and_keeps_every_point_once() {
    let norm = [[0.10, 0.10], [0.11, 0.12], [0.90, 0.90], [0.14, 0.10]];
    let cats = [0, 1, 1, 7];
    let clusters = cluster_grid(&norm, &cats, 0.25);
    assert_eq!(clusters.len(), 2);
    assert_eq!(clusters[0].count, 3);
    assert_eq!(clusters[0].mix[..2], [1, 1]);
    assert_eq!(clusters[0].mix[7], 1);
    assert!((clusters[0].center[0] - 0.35 / 3.0).abs() < 1e-12);
    assert_eq!(clusters[1].count, 1);
    assert_eq!(clusters[1].first, 2);
    let total: u32 = clusters.iter().map(|c| c.count).sum();
    assert_eq!(total, 4);
    // Categories beyond the palette fold into the last slot; a bad cell never panics.
    assert_eq!(cluster_grid(&norm, &[9, 9, 9, 9], 0.25)[0].mix[7], 3);
    assert_eq!(cluster_grid(&norm, &cats, 0.0).len(), 1);
    assert!(cluster_grid(&[], &[], 0.1).is_empty());
}

#[test]
fn finer_levels_split_clusters() {
    let mut data = PointClusters::default();
    // Two cities ~30 km apart with five points each.
    let mut list = Vec::new();
    for k in 0..5 {
        list.push((31.2 + 0.001 * k as f64, 121.4, 0));
        list.push((31.2 + 0.001 * k as f64, 121.75, 1));
    }
    data.set_points(1, points(&list));
    assert_eq!(data.len(), 10);
    let coarse = data.clusters_at(4, 60.0).to_vec();
    assert_eq!(coarse.len(), 1);
    assert_eq!(coarse[0].mix[..2], [5, 5]);
    let fine = data.clusters_at(12, 60.0).to_vec();
    assert!(fine.len() >= 2, "{fine:?}");
    assert!(fine.iter().all(|c| c.mix[0] == 0 || c.mix[1] == 0));
}

#[test]
fn clustering_is_cached_per_level_and_version() {
    let mut data = PointClusters::default();
    data.set_points(1, points(&[(30.0, 110.0, 0), (30.1, 110.1, 1)]));
    data.clusters_at(5, 60.0);
    data.clusters_at(5, 60.0);
    assert_eq!(data.clusterings(), 1);
    data.clusters_at(6, 60.0);
    data.clusters_at(5, 60.0);
    assert_eq!(data.clusterings(), 2);
    // Same version: the points are not even looked at.
    data.set_points(1, std::iter::empty());
    assert_eq!(data.len(), 2);
    data.clusters_at(5, 60.0);
    assert_eq!(data.clusterings(), 2);
    // New version: recomputed.
    data.set_points(2, points(&[(30.0, 110.0, 0)]));
    data.clusters_at(5, 60.0);
    assert_eq!(data.clusterings(), 3);
    // Bounded: at most LEVELS_KEPT levels held.
    for level in 0..20 {
        data.clusters_at(level, 60.0);
    }
    assert!(data.levels.len() <= LEVELS_KEPT);
}

#[test]
fn gpu_instances_are_built_once_per_version_level_and_radius() {
    let mut data = PointClusters::default();
    let list: Vec<_> = (0..50)
        .map(|k| (30.0 + 0.01 * f64::from(k), 110.0, (k % 3) as u8))
        .collect();
    data.set_points(1, points(&list));
    for _ in 0..10 {
        let all = data.gpu_points(3.5);
        assert_eq!(all.len(), 50);
        data.gpu_clusters(5, 60.0, 3.5);
    }
    assert_eq!(data.instance_builds(), 2);
    // Nothing drew on a GPU here.
    assert_eq!(data.gpu_uploads(), 0);
    // Same version: kept. New version: rebuilt once each.
    data.set_points(1, std::iter::empty());
    data.gpu_points(3.5);
    assert_eq!(data.instance_builds(), 2);
    data.set_points(2, points(&list[..10]));
    for _ in 0..10 {
        assert_eq!(data.gpu_points(3.5).len(), 10);
        data.gpu_clusters(5, 60.0, 3.5);
    }
    assert_eq!(data.instance_builds(), 4);
    // Another radius is another picture.
    data.gpu_points(5.0);
    assert_eq!(data.instance_builds(), 5);
}

#[test]
fn cluster_discs_match_the_mesh_ring() {
    let c = PointCluster {
        center: [0.5, 0.5],
        count: 4,
        mix: [1, 0, 3, 0, 0, 0, 0, 0],
        first: 0,
    };
    let d = cluster_disc(&c, 3.5);
    assert_eq!(d.radius, cluster_radius(4));
    assert_eq!(d.ring, ring_width(cluster_radius(4)));
    assert_eq!(usize::from(d.fill), RING_CATEGORIES);
    assert_eq!(d.ring_ends[..3], [0.25, 0.25, 1.0]);
    let lone = PointCluster {
        count: 1,
        mix: [0, 0, 0, 0, 0, 0, 0, 1],
        ..c
    };
    let d = cluster_disc(&lone, 3.5);
    assert_eq!((d.radius, d.ring, d.fill), (3.5, 0.0, 7));
    // Categories past the palette's end fold into the last, on both paths.
    assert_eq!(folded(200), 7);
    let palette = [Color32::RED; 8];
    assert_eq!(colour_of(&palette, 200, Color32::GRAY), Color32::RED);
    assert_eq!(colour_of(&palette[..2], 5, Color32::GRAY), Color32::GRAY);
    let colors = ClusterColors {
        text: Color32::WHITE,
        cluster_fill: Color32::BLUE,
        missing: Color32::GRAY,
    };
    let gpu = gpu_palette(&palette[..2], colors);
    assert_eq!(gpu[1], Color32::RED);
    assert_eq!(gpu[2], Color32::GRAY);
    assert_eq!(gpu[RING_CATEGORIES], Color32::BLUE);
}

#[test]
fn the_x_index_finds_exactly_the_points_in_a_strip() {
    let mut data = PointClusters::default();
    let list: Vec<_> = (0..200)
        .map(|k| {
            let f = f64::from(k);
            (20.0 + (f * 7.3) % 25.0, 80.0 + (f * 13.7) % 50.0, 0)
        })
        .collect();
    data.set_points(1, points(&list));
    data.index_by_x();
    let (x0, x1) = (
        normalized(lat_lon(0.0, 95.0))[0],
        normalized(lat_lon(0.0, 110.0))[0],
    );
    let mut found: Vec<u32> = data.in_x_range(x0, x1).to_vec();
    found.sort_unstable();
    let expected: Vec<u32> = (0..200u32)
        .filter(|i| (x0..=x1).contains(&data.norm[*i as usize][0]))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(found, expected);
    assert!(data.in_x_range(x1, x0).is_empty());
    // The selected point's index is looked up once per id and version.
    assert_eq!(data.index_of(105), Some(5));
    assert_eq!(data.index_of(105), Some(5));
    assert_eq!(data.index_of(1), None);
}

#[test]
fn overlapping_clusters_merge_into_the_biggest() {
    let level = 5;
    let cell = cell_at_level(60.0, level);
    let px = 1.0 / (256.0 * 2f64.powi(level));
    let cluster = |x_px: f64, count: u32, cat: usize| {
        let mut mix = [0; MAX_CATEGORIES];
        mix[cat] = count;
        PointCluster {
            center: [0.5 + x_px * px, 0.5],
            count,
            mix,
            first: 0,
        }
    };
    // 1000 points (radius 21 px); 20 points 15 px away, under its disc; 30 points 40 px
    // away (the discs touch, the counts do not collide).
    let merged = merge_overlapping(
        vec![
            cluster(0.0, 1000, 0),
            cluster(15.0, 20, 1),
            cluster(40.0, 30, 2),
        ],
        level,
        cell,
    );
    assert_eq!(merged.len(), 2, "{merged:?}");
    let big = merged.iter().find(|c| c.count == 1020).expect("merged");
    assert_eq!(big.mix[..3], [1000, 20, 0]);
    // The centre moves toward the smaller one by its share.
    assert!((big.center[0] - (0.5 + 15.0 * 20.0 / 1020.0 * px)).abs() < 1e-12);
    assert!(merged.iter().any(|c| c.count == 30));
    // On real clustering no kept centre lies well inside another disc and no point is lost.
    let mut data = PointClusters::default();
    let list: Vec<_> = (0..3000)
        .map(|k| {
            let f = f64::from(k);
            (
                25.0 + (f * 0.731) % 15.0,
                100.0 + (f * 1.37) % 20.0,
                (k % 4) as u8,
            )
        })
        .collect();
    data.set_points(1, points(&list));
    for level in [3, 5, 7] {
        let clusters = data.clusters_at(level, 60.0).to_vec();
        assert_eq!(clusters.iter().map(|c| c.count).sum::<u32>(), 3000);
        let scale = 256.0 * 2f64.powi(level);
        for (i, a) in clusters.iter().enumerate() {
            for b in &clusters[i + 1..] {
                let d = (a.center[0] - b.center[0]).hypot(a.center[1] - b.center[1]) * scale;
                assert!(
                    d >= 0.8 * footprint(a).max(footprint(b)),
                    "level {level}: {a:?} {b:?} {d}"
                );
            }
        }
    }
    assert!(merge_overlapping(Vec::new(), 3, cell).is_empty());
}

#[test]
fn visible_rows_hold_exactly_the_clusters_in_a_band() {
    let mut data = PointClusters::default();
    let list: Vec<_> = (0..2000)
        .map(|k| {
            let f = f64::from(k);
            (20.0 + (f * 0.731) % 25.0, 90.0 + (f * 1.37) % 40.0, 0)
        })
        .collect();
    data.set_points(1, points(&list));
    let all = data.clusters_at(7, 60.0).to_vec();
    let (y0, y1) = (
        normalized(lat_lon(35.0, 100.0))[1],
        normalized(lat_lon(30.0, 100.0))[1],
    );
    let (first, band) = data.clusters_in_rows(7, 60.0, y0, y1);
    let band = band.to_vec();
    // Every cluster centred in the band is in it, at its own index.
    for (i, c) in all.iter().enumerate() {
        if (y0..=y1).contains(&c.center[1]) {
            assert!(i >= first && i < first + band.len(), "{i} {c:?}");
            assert_eq!(&band[i - first], c);
        }
    }
    // And the band is no wider than its grid rows.
    let cell = cell_at_level(60.0, 7);
    assert!(
        band.iter()
            .all(|c| c.center[1] >= (y0 / cell).floor() * cell
                && c.center[1] < ((y1 / cell).floor() + 1.0) * cell)
    );
    assert!(band.len() < all.len());
    assert!(data.clusters_in_rows(7, 60.0, y1, y0).1.is_empty());
}

#[test]
fn denormalized_round_trips() {
    for (lat, lon) in [(31.23, 121.47), (-33.9, 18.4), (0.0, 0.0)] {
        let p = denormalized(normalized(lat_lon(lat, lon)));
        assert!((p.y() - lat).abs() < 1e-9 && (p.x() - lon).abs() < 1e-9);
    }
}

#[test]
fn meshes_and_counts() {
    let mut mesh = Mesh::default();
    add_disc(&mut mesh, pos2(0.0, 0.0), 3.0, Color32::RED, POINT_SEGMENTS);
    assert_eq!(mesh.vertices.len(), POINT_SEGMENTS + 1);
    assert_eq!(mesh.indices.len(), 3 * POINT_SEGMENTS);
    add_ring_sector(
        &mut mesh,
        pos2(0.0, 0.0),
        5.0,
        8.0,
        (0.0, 0.5),
        Color32::RED,
    );
    assert!(mesh.is_valid());
    assert_eq!(compact_count(999), "999");
    assert_eq!(compact_count(1234), "1.2k");
    assert_eq!(compact_count(52_400), "52k");
    assert!(cluster_radius(60_000) > cluster_radius(2));
    let hit = pick(
        &[(0, pos2(0.0, 0.0), 5.0), (1, pos2(9.0, 0.0), 5.0)],
        pos2(7.0, 0.0),
        1.0,
    );
    assert_eq!(hit.map(|h| h.0), Some(1));
}
