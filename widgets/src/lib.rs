//! Domain-free egui widgets and walkers map layers.
//!
//! Everything here takes plain numbers, strings, colours and geographic positions; what they mean
//! is decided by the app, which also owns the theme (colours and text styles arrive as
//! arguments). Widgets follow egui's builder idiom and label themselves for AccessKit; nothing
//! animates unless asked to, so an idle wall display stays idle.

mod access;
pub mod geo_layers;
mod kpi;
mod legend;
mod pill;
mod progress_bar;
mod ramp;
mod sparkline;
mod swatch_legend;
mod text;
mod timeline;

pub use geo_layers::{
    Attribution, ClusterColors, ClusterHit, ClusterPoint, ClusteredPointsLayer, FlowStyle,
    GridImageLayer, LinksLayer, MapLink, MapNode, MercatorTransform, NodeShape, NodesLayer,
    OutlineLayer, PointClusters, ProjectedShapes, ScaleBar,
};
pub use kpi::KpiTile;
pub use legend::RampLegend;
pub use pill::StatusPill;
pub use progress_bar::TargetBar;
pub use ramp::ColorRamp;
pub use sparkline::Sparkline;
pub use swatch_legend::SwatchLegend;
pub use timeline::{
    ACCESSIBLE_MARKER_LIMIT, Glyph, LaneTimeline, TimeWindow, TimelineColors, TimelineMarker,
    TimelineOutput, glyph_swatch, tick_step,
};
