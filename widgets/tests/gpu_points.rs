//! `ClusteredPointsLayer`'s two paths in a headless context. With the GPU flag on, the points (or
//! clusters) leave each frame as one paint callback, no mesh is built, and the instance sets are
//! built once per data version however many frames are drawn; with it off, one CPU mesh. The
//! pixels of both paths are compared in the app's `tests/gpu_layers.rs` (wgpu on lavapipe).

#![allow(clippy::disallowed_methods)] // test colours

use egui::epaint::Primitive;
use egui::{Color32, Context, Pos2, RawInput, Rect, vec2};
use tianshu_widgets::geo_layers::set_gpu_shapes;
use tianshu_widgets::{ClusterPoint, ClusteredPointsLayer, PointClusters};
use walkers::{Map, MapMemory, lat_lon};

const PALETTE: [Color32; 4] = [
    Color32::from_rgb(120, 130, 150),
    Color32::from_rgb(160, 130, 250),
    Color32::from_rgb(250, 190, 40),
    Color32::from_rgb(40, 200, 120),
];

/// Ten thousand points around Shanghai (a few km apart).
fn points(n: u64) -> Vec<ClusterPoint> {
    (0..n)
        .map(|k| {
            let f = k as f64;
            ClusterPoint {
                id: k,
                position: lat_lon(31.0 + (f * 0.0137) % 0.5, 121.2 + (f * 0.0291) % 0.6),
                category: (k % 4) as u8,
            }
        })
        .collect()
}

/// One frame of a map at `zoom`; returns (callbacks, mesh vertices) after tessellation.
fn frame(ctx: &Context, data: &mut PointClusters, zoom: f64, time: f64) -> (usize, usize) {
    let mut memory = MapMemory::default();
    let _ = memory.set_zoom(zoom);
    let input = RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1024.0, 768.0))),
        time: Some(time),
        ..Default::default()
    };
    let mut output = ctx.run_ui(input, |ui| {
        ui.add(
            Map::new(None, &mut memory, lat_lon(31.25, 121.5)).with_plugin(
                ClusteredPointsLayer::new(
                    data,
                    &PALETTE,
                    tianshu_widgets::ClusterColors {
                        text: PALETTE[0],
                        cluster_fill: PALETTE[1],
                        missing: PALETTE[2],
                    },
                ),
            ),
        );
    });
    output.textures_delta.clear();
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    let callbacks = primitives
        .iter()
        .filter(|p| matches!(p.primitive, Primitive::Callback(_)))
        .count();
    let vertices = primitives
        .iter()
        .map(|p| match &p.primitive {
            Primitive::Mesh(m) => m.vertices.len(),
            Primitive::Callback(_) => 0,
        })
        .sum();
    (callbacks, vertices)
}

#[test]
fn the_gpu_path_sends_one_callback_and_builds_instances_once_per_version() {
    let ctx = Context::default();
    let mut data = PointClusters::default();
    data.set_points(1, points(10_000));

    // CPU: a mesh with every visible point (9 vertices each) at zoom 12.
    set_gpu_shapes(&ctx, false);
    let (callbacks, cpu_vertices) = frame(&ctx, &mut data, 12.0, 0.0);
    assert_eq!(callbacks, 0);
    assert!(cpu_vertices > 9 * 1000, "{cpu_vertices}");
    assert_eq!(data.instance_builds(), 0);

    // GPU: one callback; the only mesh left is text (none at points zoom).
    set_gpu_shapes(&ctx, true);
    for k in 0..10 {
        let (callbacks, vertices) = frame(&ctx, &mut data, 12.0, 1.0 + f64::from(k));
        assert_eq!(callbacks, 1);
        assert!(vertices < 100, "{vertices}");
    }
    assert_eq!(data.instance_builds(), 1, "the point set, once");

    // Clusters at city zoom: one callback plus the count labels' text.
    for k in 0..5 {
        let (callbacks, _) = frame(&ctx, &mut data, 8.5, 20.0 + f64::from(k));
        assert_eq!(callbacks, 1);
    }
    assert_eq!(data.instance_builds(), 2, "plus the level's cluster set");

    // A new data version: rebuilt once, then kept.
    data.set_points(2, points(5_000));
    for k in 0..5 {
        frame(&ctx, &mut data, 12.0, 30.0 + f64::from(k));
    }
    assert_eq!(data.instance_builds(), 3);
    // Nothing reached a GPU: no renderer here.
    assert_eq!(data.gpu_uploads(), 0);
}
