//! `ClusteredPointsLayer`: tens of thousands of categorised points, grid-clustered in screen
//! space at low zoom (each cluster a disc with its count and a ring showing its category mix),
//! individual points at high zoom — all drawn as one mesh.
//!
//! The data and everything derived from it live in [`PointClusters`], owned by the caller across
//! frames: positions are projected once per data version, clusters once per (integer zoom level,
//! data version) and kept for a few levels.
//!
//! Two ways to draw the same picture:
//! - GPU (a wgpu renderer with [`super::install_gpu_shapes`]): points and clusters are instance
//!   sets (`discs_gpu.rs`) built once per data version (clusters: per level) and uploaded once;
//!   a frame writes one small uniform per set and lays out only the visible clusters' count labels.
//! - CPU (glow, test renderers, headless): one mesh refilled in place each frame (its vertex
//!   buffers keep their capacity).
//!
//! Either way only what can be on screen is visited: points through an index sorted by x, so a
//! frame allocates nothing and walks nothing in proportion to the whole data set.
//! Knows nothing of what the points or categories mean.
//!
//! Split by job: `grid.rs` clusters the points, `data.rs` holds them and their per-zoom cache,
//! `paint.rs` has the shapes both drawing paths share, `layer.rs` is the walkers plugin that draws
//! through either path. The two paths must agree to the pixel (tests/gpu_layers.rs compares them);
//! `layer.rs` keeps them side by side in one function so a change to one is seen beside the other.

use walkers::Position;

mod data;
mod grid;
mod layer;
mod paint;

pub use data::PointClusters;
pub use grid::{cell_at_level, cluster_grid, cluster_radius, denormalized, merge_overlapping};
pub use layer::{ClusterColors, ClusteredPointsLayer};
pub use paint::compact_count;

/// Categories a point can have (more are folded into the last).
pub const MAX_CATEGORIES: usize = 8;

/// One point handed to [`PointClusters::set_points`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClusterPoint {
    pub id: u64,
    pub position: Position,
    /// Index into the layer's palette.
    pub category: u8,
}

/// Points within one grid cell at one zoom level.
#[derive(Clone, Debug, PartialEq)]
pub struct PointCluster {
    /// Mean normalized Web-Mercator position of the members.
    pub center: [f64; 2],
    pub count: u32,
    /// Members per category.
    pub mix: [u32; MAX_CATEGORIES],
    /// Index (into the data) of one member: the only one when `count == 1`.
    pub first: u32,
}

/// What was hit on the layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClusterHit {
    /// A single point, by id.
    Point(u64),
    /// A cluster of `count` points around `position` (e.g. zoom in there).
    Cluster { position: Position, count: u32 },
}

#[cfg(test)]
mod tests;
