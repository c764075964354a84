//! What every map view shares: the camera (fitting a span or a box into the map's pixels) and
//! its flights, and the cache that keeps a view's scene between frames. Views decide *where* to go;
//! this module knows how, once.

pub mod camera;
pub mod flight;
pub mod scene_cache;
