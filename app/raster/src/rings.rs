//! Closed rings (a map's provinces and countries) handed to the raster as its own primitive: a
//! fill and an outline it draws straight from their geometry instead of from egui's triangles
//! for them (see [`crate::fills`] and [`crate::outlines`]).
//!
//! A widget that wants this paints [`Rings::into_shape`] where [`enabled`] says the raster draws
//! the frame (it is a paint callback, which any other renderer skips), and egui's meshes and
//! `Shape::closed_line` otherwise.

use std::sync::Arc;

use egui::epaint::PaintCallback;
use egui::{Color32, Context, Id, Pos2, Rect, Shape, Stroke};

use crate::damage::PixelRect;
use crate::{Layer, fills, outlines};

/// Closed rings in points: some filled with one colour, some stroked with one stroke — drawn
/// as egui would draw a mesh of the filled rings' triangles, then `Shape::closed_line` of each
/// outline.
#[derive(Debug, Clone)]
pub struct Rings {
    fill: Color32,
    stroke: Stroke,
    filled: RingList,
    outlined: RingList,
}

#[derive(Debug, Clone, Default)]
struct RingList {
    points: Vec<Pos2>,
    /// Where each ring ends in `points` (exclusive).
    ends: Vec<usize>,
}

impl RingList {
    /// A ring of fewer than three points covers nothing and has no finite mitre: left out.
    fn push(&mut self, ring: impl IntoIterator<Item = Pos2>) {
        let start = self.points.len();
        self.points.extend(ring);
        if self.points.len() - start < 3 {
            self.points.truncate(start);
        } else {
            self.ends.push(self.points.len());
        }
    }

    /// Every ring in pixels.
    fn to_pixels(&self, to_pixels: impl Fn(Pos2) -> [f32; 2]) -> PixelRings<'_> {
        PixelRings {
            points: self.points.iter().map(|&p| to_pixels(p)).collect(),
            ends: &self.ends,
        }
    }
}

/// Rings in pixels, one buffer.
pub(crate) struct PixelRings<'a> {
    points: Vec<[f32; 2]>,
    ends: &'a [usize],
}

impl PixelRings<'_> {
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[[f32; 2]]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends).map(|(s, &e)| &self.points[s..e])
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

impl Rings {
    pub fn new(fill: Color32, stroke: Stroke) -> Self {
        Self {
            fill,
            stroke,
            filled: RingList::default(),
            outlined: RingList::default(),
        }
    }

    /// A ring to fill (a simple polygon; the pixels whose centres lie inside it).
    pub fn fill_ring(&mut self, ring: impl IntoIterator<Item = Pos2>) {
        self.filled.push(ring);
    }

    /// A ring to stroke.
    pub fn outline_ring(&mut self, ring: impl IntoIterator<Item = Pos2>) {
        self.outlined.push(ring);
    }

    pub fn is_empty(&self) -> bool {
        self.filled.ends.is_empty() && self.outlined.ends.is_empty()
    }

    /// The rings as a shape to paint inside `rect` (the painter's clip applies as usual).
    pub fn into_shape(self, rect: Rect) -> Shape {
        Shape::Callback(PaintCallback {
            rect,
            callback: Arc::new(Drawn { rect, rings: self }),
        })
    }
}

/// The callback's payload: the rings and the rectangle they were given in (egui moves the
/// callback's rectangle with its layer's transform; the points follow it).
#[derive(Debug)]
struct Drawn {
    rect: Rect,
    rings: Rings,
}

fn flag() -> Id {
    Id::NULL.with("tianshu_raster::rings")
}

/// Says that the raster draws `ctx`'s frames: widgets may paint [`Rings`].
pub fn enable(ctx: &Context) {
    ctx.data_mut(|d| d.insert_temp(flag(), true));
}

/// Whether the raster draws `ctx`'s frames (see [`enable`]).
pub fn enabled(ctx: &Context) -> bool {
    ctx.data(|d| d.get_temp::<bool>(flag())).unwrap_or(false)
}

/// A [`Rings`] callback's part: its fill or its outline (drawn in that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Fill,
    Outline,
}

/// Whether `callback` is a [`Rings`] callback.
pub(crate) fn is_rings(callback: &PaintCallback) -> bool {
    callback.callback.downcast_ref::<Drawn>().is_some()
}

/// One part of a [`Rings`] callback, ready to draw; `None` when it draws nothing (or the
/// callback is not one).
pub(crate) fn prepare(
    callback: &PaintCallback,
    part: Part,
    clip: PixelRect,
    pixels_per_point: f32,
) -> Option<Layer<'static>> {
    let drawn = callback.callback.downcast_ref::<Drawn>()?;
    let (from, to) = (drawn.rect, callback.rect);
    let scale = if from.width() > 0.0 {
        to.width() / from.width()
    } else {
        1.0
    };
    let to_pixels = |p: Pos2| {
        let q = to.min + (p - from.min) * scale;
        [q.x * pixels_per_point, q.y * pixels_per_point]
    };
    let rings = &drawn.rings;
    match part {
        Part::Fill => {
            (rings.fill != Color32::TRANSPARENT && !rings.filled.ends.is_empty()).then(|| {
                let pixels = rings.filled.to_pixels(to_pixels);
                Layer::Fills(fills::Prepared::new(&pixels, rings.fill, clip))
            })
        }
        Part::Outline => {
            if rings.outlined.ends.is_empty() {
                return None;
            }
            let stroke = Stroke::new(
                rings.stroke.width * scale * pixels_per_point,
                rings.stroke.color,
            );
            let pixels = rings.outlined.to_pixels(to_pixels);
            outlines::Prepared::new(&pixels, stroke, clip).map(Layer::Outlines)
        }
    }
}
