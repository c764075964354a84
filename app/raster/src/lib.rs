//! egui's tessellated output drawn into a pixel buffer on the CPU (issue 17).
//!
//! Through a software Vulkan or GL driver every fragment of every layer runs a JIT-compiled
//! shader (tens of ns a pixel); this draws the same meshes the way a CPU is good at: triangles
//! walked as horizontal spans, flat spans filled or blended as whole runs, colours and texture
//! coordinates interpolated only where they vary, and the window split into bands drawn on all
//! cores. The picture follows egui-wgpu's "gamma framebuffer" shader: vertex colour × texel,
//! both premultiplied sRGB, blended "over" in 8 bits.
//!
//! - [`Canvas`]: the pixels (`0x00RRGGBB`, as softbuffer presents them) and the area redrawn;
//! - [`Rasteriser`]: egui's textures and the drawing; [`Rasteriser::paint`] redraws only the
//!   tiles whose content changed since the last frame (see [`damage`]);
//! - [`Rings`]: closed rings a widget hands the raster as a paint callback instead of egui's
//!   triangles for them: their fill drawn row by row from the edges ([`fills`]), their outline
//!   straight from its coverage ([`outlines`]).

mod blend;
pub mod damage;
mod fills;
mod jobs;
mod outlines;
pub mod rings;
mod texture;
mod triangle;

use std::collections::HashMap;

use egui::epaint::{ClippedPrimitive, Primitive};
use egui::{Color32, TextureId, TexturesDelta};

pub use damage::{Damage, PixelRect, TILE_H, TILE_W};
pub use rings::Rings;
use texture::Texture;

/// A frame's pixels, `0x00RRGGBB`, row after row.
#[derive(Debug, Clone, Default)]
pub struct Canvas {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u32>,
}

impl Canvas {
    pub fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            pixels: vec![0; width * height],
        }
    }

    /// Resizes, keeping nothing (the next paint redraws everything).
    pub fn resize(&mut self, width: usize, height: usize) {
        if (width, height) != (self.width, self.height) {
            *self = Self::new(width, height);
        }
    }

    /// The pixel at `(x, y)` as egui's colour (opaque).
    pub fn get(&self, x: usize, y: usize) -> Option<Color32> {
        if x >= self.width || y >= self.height {
            return None;
        }
        Some(colour_of(self.pixels[y * self.width + x]))
    }

    /// The whole canvas as an egui image (screenshots, tests).
    pub fn to_image(&self) -> egui::ColorImage {
        let pixels = self.pixels.iter().map(|&p| colour_of(p)).collect();
        egui::ColorImage::new([self.width, self.height], pixels)
    }
}

/// A `0x00RRGGBB` pixel as egui's (opaque) colour.
#[allow(clippy::disallowed_methods)] // decoding a pixel, not choosing a colour
fn colour_of(p: u32) -> Color32 {
    Color32::from_rgb((p >> 16) as u8, (p >> 8) as u8, p as u8)
}

/// What one [`Rasteriser::paint`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PaintStats {
    /// Triangles the frame had (paint callbacks other than [`Rings`] are left out).
    pub triangles: usize,
    /// Rings filled and outline segments the frame had (drawn without triangles).
    pub rings_filled: usize,
    pub segments: usize,
    /// The tiles redrawn, as rectangles in pixels (empty: nothing changed).
    pub damage: Vec<PixelRect>,
    /// Pixels inside the redrawn tiles.
    pub pixels_redrawn: usize,
    /// Wall time converting vertices, triangles and outlines (all threads), then binning them
    /// to tiles (one).
    pub prepare_ms: f64,
    pub bin_ms: f64,
}

/// Threads a rasteriser made with `Rasteriser::new(0)` draws on: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// egui's textures and the drawing of its meshes.
#[derive(Default)]
pub struct Rasteriser {
    textures: HashMap<TextureId, Texture>,
    damage: Damage,
    threads: usize,
}

impl Rasteriser {
    /// Draws on `threads` threads (`0`: [`default_threads`]).
    pub fn new(threads: usize) -> Self {
        let threads = if threads == 0 {
            default_threads()
        } else {
            threads
        };
        Self {
            textures: HashMap::new(),
            damage: Damage::default(),
            threads,
        }
    }

    /// Applies egui's texture changes that come before a frame's drawing (`set`).
    pub fn set_textures(&mut self, delta: &mut TexturesDelta) {
        // Each texture's deltas apply in order; textures are independent of each other.
        #[allow(clippy::iter_over_hash_type)]
        for (id, deltas) in delta.set.drain() {
            for image_delta in &deltas {
                match (image_delta.pos, self.textures.get_mut(&id)) {
                    (Some(pos), Some(texture)) => texture.patch(pos, image_delta),
                    // A patch of a texture never set: nothing to patch (egui always sets first).
                    (Some(_), None) => {}
                    (None, _) => {
                        self.textures.insert(id, Texture::from_delta(image_delta));
                    }
                }
            }
            // Whatever showed this texture must be drawn again.
            self.damage.texture_changed(id);
        }
    }

    /// Frees the textures egui is done with (`free`, after the frame's drawing).
    pub fn free_textures(&mut self, delta: &mut TexturesDelta) {
        #[allow(clippy::iter_over_hash_type)] // order does not matter
        for id in delta.free.drain() {
            self.textures.remove(&id);
        }
    }

    /// Forgets the last frame: the next paint redraws every tile.
    pub fn invalidate(&mut self) {
        self.damage = Damage::default();
    }

    /// Draws a frame: texture changes applied (and taken out of `textures_delta`), the tiles whose content changed cleared to
    /// `clear` and drawn again, the textures egui is done with freed.
    pub fn paint(
        &mut self,
        canvas: &mut Canvas,
        clear: Color32,
        primitives: &[ClippedPrimitive],
        textures_delta: &mut TexturesDelta,
        pixels_per_point: f32,
    ) -> PaintStats {
        self.set_textures(textures_delta);
        let stats = self.draw(canvas, clear, primitives, pixels_per_point);
        self.free_textures(textures_delta);
        stats
    }

    fn draw(
        &mut self,
        canvas: &mut Canvas,
        clear: Color32,
        primitives: &[ClippedPrimitive],
        pixels_per_point: f32,
    ) -> PaintStats {
        let (width, height) = (canvas.width, canvas.height);
        let started = std::time::Instant::now();
        let mut layers = layers(
            primitives,
            pixels_per_point,
            width,
            height,
            &self.textures,
            self.threads,
        );
        let mut meshes: Vec<&mut triangle::Prepared<'_>> = Vec::new();
        let mut stats = PaintStats::default();
        for layer in &mut layers {
            match layer {
                Layer::Mesh(m) => {
                    stats.triangles += m.mesh.indices.len() / 3;
                    meshes.push(m);
                }
                Layer::Fills(f) => stats.rings_filled += f.ring_count(),
                Layer::Outlines(o) => stats.segments += o.segment_count(),
            }
        }
        triangle::prepare(&mut meshes, pixels_per_point, self.threads);
        let prepared = std::time::Instant::now();
        let dirty = self.damage.frame(width, height, clear, &layers);
        let binned = std::time::Instant::now();
        stats.prepare_ms = (prepared - started).as_secs_f64() * 1000.0;
        stats.bin_ms = (binned - prepared).as_secs_f64() * 1000.0;
        if dirty.is_empty() || width == 0 {
            return stats;
        }
        let clear = blend::pack(clear);
        let damage = &self.damage;
        let columns = damage.columns();
        // One band per row of tiles; a thread takes the next band with something to draw.
        let mut dirty_by_band: Vec<Vec<usize>> = vec![Vec::new(); height.div_ceil(TILE_H)];
        for &tile in &dirty {
            dirty_by_band[tile / columns].push(tile);
        }
        let bands: Vec<(usize, &mut [u32])> = canvas
            .pixels
            .chunks_mut(width * TILE_H)
            .enumerate()
            .filter(|(i, _)| !dirty_by_band[*i].is_empty())
            .collect();
        jobs::run_jobs(bands, self.threads, |(row_of_tiles, rows)| {
            let band = triangle::Band {
                y0: row_of_tiles * TILE_H,
                y1: row_of_tiles * TILE_H + rows.len() / width,
                width,
            };
            for &tile in &dirty_by_band[row_of_tiles] {
                let rect = damage.tile_rect(tile);
                triangle::clear(rows, &band, &rect, clear);
                for &(l, i) in &damage.bins[tile] {
                    let layer = &layers[l as usize];
                    let area = rect.intersect(&layer.clip());
                    match layer {
                        Layer::Mesh(m) => {
                            triangle::draw_triangle(rows, &band, &area, m, i as usize)
                        }
                        Layer::Fills(f) => fills::draw_ring(rows, &band, &area, f, i as usize),
                        Layer::Outlines(o) => {
                            outlines::draw_segment(rows, &band, &area, o, i as usize);
                        }
                    }
                }
            }
        });
        stats.damage = damage.rects(&dirty);
        stats.pixels_redrawn = stats.damage.iter().map(|r| r.area()).sum();
        stats
    }
}

/// What a frame draws, in order: egui's meshes and the raster's own fills and outlines.
pub(crate) enum Layer<'a> {
    Mesh(triangle::Prepared<'a>),
    Fills(fills::Prepared),
    Outlines(outlines::Prepared),
}

impl Layer<'_> {
    pub(crate) fn clip(&self) -> PixelRect {
        match self {
            Layer::Mesh(m) => m.clip,
            Layer::Fills(f) => f.clip,
            Layer::Outlines(o) => o.clip,
        }
    }
}

/// The primitives that draw something: meshes with a texture egui set, [`Rings`] (other paint
/// callbacks need a GPU and are left out, as is anything with an empty clip). The rings' fills
/// and outlines are prepared on `threads` threads, a part a job.
fn layers<'a>(
    primitives: &'a [ClippedPrimitive],
    pixels_per_point: f32,
    width: usize,
    height: usize,
    textures: &'a HashMap<TextureId, texture::Texture>,
    threads: usize,
) -> Vec<Layer<'a>> {
    enum Slot<'a> {
        Ready(Option<Layer<'a>>),
        Rings(&'a egui::epaint::PaintCallback, rings::Part, PixelRect),
    }
    let px = |v: f32, max: usize| (v * pixels_per_point).round().clamp(0.0, max as f32) as usize;
    let mut slots = Vec::with_capacity(primitives.len());
    for p in primitives {
        let clip = PixelRect {
            x0: px(p.clip_rect.min.x, width),
            y0: px(p.clip_rect.min.y, height),
            x1: px(p.clip_rect.max.x, width),
            y1: px(p.clip_rect.max.y, height),
        };
        if clip.is_empty() {
            continue;
        }
        match &p.primitive {
            Primitive::Mesh(mesh) => slots.push(Slot::Ready(
                triangle::Prepared::new(mesh, clip, textures).map(Layer::Mesh),
            )),
            Primitive::Callback(callback) if rings::is_rings(callback) => {
                for part in [rings::Part::Fill, rings::Part::Outline] {
                    slots.push(Slot::Rings(callback, part, clip));
                }
            }
            Primitive::Callback(_) => {}
        }
    }
    let mut jobs = Vec::new();
    for slot in &mut slots {
        if let Slot::Rings(callback, part, clip) = *slot {
            jobs.push((slot, callback, part, clip));
        }
    }
    jobs::run_jobs(jobs, threads, |(slot, callback, part, clip)| {
        *slot = Slot::Ready(rings::prepare(callback, part, clip, pixels_per_point));
    });
    slots
        .into_iter()
        .filter_map(|slot| match slot {
            Slot::Ready(layer) => layer,
            Slot::Rings(..) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
