//! The shapes both drawing paths share: a cluster as a GPU disc instance, discs and ring sectors
//! in the CPU mesh, the palette, hit picking and count labels.

use egui::epaint::Mesh;
use egui::{Color32, Pos2};

use super::grid::cluster_radius;
use super::layer::ClusterColors;
use super::{MAX_CATEGORIES, PointCluster};
use crate::geo_layers::discs_gpu::{Disc, PALETTE_SLOTS, RING_CATEGORIES};

/// Segments of a point's disc and of a cluster's disc and ring.
pub(super) const POINT_SEGMENTS: usize = 8;
pub(super) const CLUSTER_SEGMENTS: usize = 32;

/// Categories beyond [`MAX_CATEGORIES`] fold into the last, as in a cluster's mix.
pub(super) fn folded(category: u8) -> u8 {
    category.min(MAX_CATEGORIES as u8 - 1)
}

/// Ring width of a cluster disc of radius `r`.
pub(super) fn ring_width(r: f32) -> f32 {
    (r * 0.28).clamp(3.0, 6.0)
}

/// A cluster as a disc instance: a lone point in its category's colour, else the cluster fill
/// (the palette's extra slot) with a ring split by the mix.
pub(super) fn cluster_disc(c: &PointCluster, point_radius: f32) -> Disc {
    if c.count <= 1 {
        return Disc {
            norm: c.center,
            radius: point_radius,
            ring: 0.0,
            fill: folded(lone_category(c)),
            ring_ends: [1.0; RING_CATEGORIES],
        };
    }
    let r = cluster_radius(c.count);
    let mut ring_ends = [1.0f32; RING_CATEGORIES];
    let mut sum = 0u32;
    for (k, m) in c.mix.iter().enumerate().take(RING_CATEGORIES) {
        sum += m;
        ring_ends[k] = sum as f32 / c.count as f32;
    }
    Disc {
        norm: c.center,
        radius: r,
        ring: ring_width(r),
        fill: RING_CATEGORIES as u8,
        ring_ends,
    }
}

/// The category of a one-point cluster.
pub(super) fn lone_category(c: &PointCluster) -> u8 {
    c.mix
        .iter()
        .position(|m| *m > 0)
        .unwrap_or(0)
        .min(u8::MAX as usize) as u8
}

pub(super) fn colour_of(palette: &[Color32], category: u8, missing: Color32) -> Color32 {
    palette
        .get(usize::from(folded(category)))
        .copied()
        .unwrap_or(missing)
}

pub(super) fn add_disc(
    mesh: &mut Mesh,
    center: Pos2,
    radius: f32,
    color: Color32,
    segments: usize,
) {
    let base = mesh.vertices.len() as u32;
    mesh.colored_vertex(center, color);
    for k in 0..segments {
        let a = std::f32::consts::TAU * k as f32 / segments as f32;
        mesh.colored_vertex(center + radius * egui::vec2(a.cos(), a.sin()), color);
    }
    for k in 0..segments as u32 {
        mesh.add_triangle(base, base + 1 + k, base + 1 + (k + 1) % segments as u32);
    }
}

/// An annulus sector from `start` to `end` (fractions of a turn, from 12 o'clock clockwise).
pub(super) fn add_ring_sector(
    mesh: &mut Mesh,
    center: Pos2,
    inner: f32,
    outer: f32,
    (start, end): (f32, f32),
    color: Color32,
) {
    let steps = (((end - start) * CLUSTER_SEGMENTS as f32).ceil() as usize).max(1);
    let base = mesh.vertices.len() as u32;
    for k in 0..=steps {
        let f = start + (end - start) * k as f32 / steps as f32;
        let a = std::f32::consts::TAU * f - std::f32::consts::FRAC_PI_2;
        let dir = egui::vec2(a.cos(), a.sin());
        mesh.colored_vertex(center + inner * dir, color);
        mesh.colored_vertex(center + outer * dir, color);
    }
    for k in 0..steps as u32 {
        let (i0, o0, i1, o1) = (
            base + 2 * k,
            base + 2 * k + 1,
            base + 2 * k + 2,
            base + 2 * k + 3,
        );
        mesh.add_triangle(i0, o0, o1);
        mesh.add_triangle(i0, o1, i1);
    }
}

/// The entry of `drawn` under `pointer`, nearest centre first.
pub(super) fn pick(drawn: &[(u32, Pos2, f32)], pointer: Pos2, slop: f32) -> Option<(u32, Pos2)> {
    let mut best: Option<(u32, Pos2, f32)> = None;
    for &(index, center, radius) in drawn {
        let d2 = (center - pointer).length_sq();
        let reach = radius + slop;
        if d2 <= reach * reach && best.is_none_or(|(_, _, b)| d2 <= b) {
            best = Some((index, center, d2));
        }
    }
    best.map(|(i, c, _)| (i, c))
}

/// The uniform palette of the GPU path: the categories' colours, then the cluster fill.
pub(super) fn gpu_palette(palette: &[Color32], colors: ClusterColors) -> [Color32; PALETTE_SLOTS] {
    const _: () = assert!(RING_CATEGORIES == MAX_CATEGORIES);
    let mut out = [colors.missing; PALETTE_SLOTS];
    for (k, slot) in out.iter_mut().enumerate().take(RING_CATEGORIES) {
        *slot = colour_of(palette, k as u8, colors.missing);
    }
    out[RING_CATEGORIES] = colors.cluster_fill;
    out
}

/// `987`, `1.2k`, `12k`.
pub fn compact_count(count: u32) -> String {
    match count {
        0..=999 => count.to_string(),
        1000..=9_999 => format!("{:.1}k", f64::from(count) / 1000.0),
        _ => format!("{}k", (f64::from(count) / 1000.0).round()),
    }
}
