//! What every map view shares: the camera (fitting a span or a box into the map's pixels).
//! Views decide *what* to fit; this module knows how, once.

pub mod camera;
