//! walkers map plugins for geographic data: outlines, points, links, raster overlays and corner
//! furniture, plus the Mercator maths they share.
//!
//! Every layer takes plain slices of positions with ids, colours and labels, and reports hovered
//! and clicked ids through out-params; none knows what the points stand for.

mod earcut;
mod image;
mod links;
mod mercator;
mod nodes;
mod overlay;
mod shapes;

pub use earcut::ear_clip;
pub use image::GridImageLayer;
pub use links::{
    LINK_HIT_DISTANCE, LinksLayer, MapLink, arc_control_point, distance_to_polyline,
    distance_to_segment, sample_quadratic_bezier,
};
pub use mercator::{MAX_LATITUDE, MercatorTransform, normalized};
pub use nodes::{ACCESSIBLE_NODE_LIMIT, MapNode, NodesLayer, STROKE_NODE_LIMIT};
pub use overlay::{Attribution, ScaleBar, format_distance, nice_scale_length};
pub use shapes::{OutlineLayer, ProjectedShapes, shape_screen_rect};
