//! walkers map plugins for geographic data: outlines, points, links, raster overlays and corner
//! furniture, plus the Mercator maths they share.
//!
//! Every layer takes plain slices of positions with ids, colours and labels, and reports hovered
//! and clicked ids through out-params; none knows what the points stand for.

mod clusters;
mod discs_gpu;
mod earcut;
mod gpu;
mod image;
mod links;
mod mercator;
mod nodes;
mod overlay;
mod shapes;
mod wgpu_util;

pub use clusters::{
    ClusterColors, ClusterHit, ClusterPoint, ClusteredPointsLayer, MAX_CATEGORIES, PointCluster,
    PointClusters, cell_at_level, cluster_grid, cluster_radius, compact_count, denormalized,
    merge_overlapping,
};
pub use discs_gpu::gpu_disc_uploads;
pub use earcut::ear_clip;
pub use gpu::{gpu_shapes_enabled, install_gpu_shapes, set_gpu_shapes};
pub use image::GridImageLayer;
pub use links::{
    FlowStyle, LINK_HIT_DISTANCE, LinksLayer, MapLink, arc_control_point, dash_segments,
    distance_to_polyline, distance_to_segment, lane_ends, sample_quadratic_bezier,
};
pub use mercator::{MAX_LATITUDE, MercatorTransform, normalized};
pub use nodes::{
    ACCESSIBLE_NODE_LIMIT, LabelRequest, LabelSide, MapNode, NodeShape, NodesLayer, PlacedLabel,
    STROKE_NODE_LIMIT, pick_shaped, place_labels,
};
pub use overlay::{Attribution, ScaleBar, format_distance, nice_scale_length};
pub use shapes::{OutlineLayer, ProjectedShapes, shape_screen_rect};
