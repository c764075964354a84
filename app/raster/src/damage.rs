//! Which parts of the window changed: the frame is cut into tiles; each tile gets a hash of
//! every triangle, filled ring and outline segment that touches it (in drawing order, with its
//! clip, texture and the texture's version, or its colour) and only the tiles whose hash differs
//! from the last frame's are drawn again. Triangles, rings and segments are binned per tile on
//! the way, so a tile draws only its own.

use std::collections::HashMap;

use egui::{Color32, TextureId};

use crate::Layer;

/// Tile width in pixels.
pub const TILE_W: usize = 128;
/// Tile height in pixels (a row of tiles is one thread's band).
pub const TILE_H: usize = 64;

/// A rectangle of pixels, `x0..x1` × `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PixelRect {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl PixelRect {
    pub fn area(&self) -> usize {
        self.x1.saturating_sub(self.x0) * self.y1.saturating_sub(self.y0)
    }

    pub fn is_empty(&self) -> bool {
        self.x0 >= self.x1 || self.y0 >= self.y1
    }

    pub fn intersect(&self, o: &Self) -> Self {
        Self {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        }
    }
}

/// A triangle or segment in a tile's list: (layer, its index in the layer).
pub type Binned = (u32, u32);

#[derive(Default)]
pub struct Damage {
    width: usize,
    height: usize,
    /// Last frame's hash of every tile.
    last: Vec<u64>,
    /// This frame's triangles and segments per tile.
    pub bins: Vec<Vec<Binned>>,
    hashes: Vec<u64>,
    texture_version: HashMap<TextureId, u64>,
    next_version: u64,
}

/// Folds `word` into the hash `h` (order matters).
#[inline]
pub fn combine(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
}

impl Damage {
    pub fn columns(&self) -> usize {
        self.width.div_ceil(TILE_W)
    }

    pub fn tile_rect(&self, tile: usize) -> PixelRect {
        let columns = self.columns().max(1);
        let (tx, ty) = (tile % columns, tile / columns);
        PixelRect {
            x0: tx * TILE_W,
            y0: ty * TILE_H,
            x1: ((tx + 1) * TILE_W).min(self.width),
            y1: ((ty + 1) * TILE_H).min(self.height),
        }
    }

    /// A texture was set or patched: whatever shows it is drawn again.
    pub fn texture_changed(&mut self, id: TextureId) {
        self.next_version += 1;
        self.texture_version.insert(id, self.next_version);
    }

    /// Bins this frame's triangles and segments and returns the tiles to draw again, in order.
    pub(crate) fn frame(
        &mut self,
        width: usize,
        height: usize,
        clear: Color32,
        layers: &[Layer<'_>],
    ) -> Vec<usize> {
        if (width, height) != (self.width, self.height) {
            self.width = width;
            self.height = height;
            self.last.clear();
        }
        let columns = width.div_ceil(TILE_W);
        let tiles = columns * height.div_ceil(TILE_H);
        self.bins.resize_with(tiles, Vec::new);
        self.bins.truncate(tiles);
        self.bins.iter_mut().for_each(Vec::clear);
        self.hashes.clear();
        self.hashes.resize(
            tiles,
            combine(
                0x0074_6961_6e73_6875,
                u64::from(u32::from_le_bytes(clear.to_array())),
            ),
        );
        for (m, layer) in layers.iter().enumerate() {
            let (style, elements) = match layer {
                Layer::Mesh(mesh) => {
                    let id = mesh.mesh.texture_id;
                    let version = self.texture_version.get(&id).copied().unwrap_or(0);
                    (combine(version, texture_key(id)), &mesh.triangles)
                }
                Layer::Fills(fills) => (fills.style, &fills.bounds),
                Layer::Outlines(outlines) => (outlines.style, &outlines.bounds),
            };
            let c = layer.clip();
            let seed = [c.x0, c.y0, c.x1, c.y1]
                .iter()
                .fold(style, |h, &v| combine(h, v as u64));
            for (t, element) in elements.iter().enumerate() {
                let Some(bounds) = element.rect() else {
                    continue;
                };
                let hash = combine(seed, element.hash);
                let area = bounds.intersect(&c);
                if area.is_empty() {
                    continue;
                }
                for ty in area.y0 / TILE_H..=(area.y1 - 1) / TILE_H {
                    for tx in area.x0 / TILE_W..=(area.x1 - 1) / TILE_W {
                        let tile = ty * columns + tx;
                        self.bins[tile].push((m as u32, t as u32));
                        self.hashes[tile] = combine(self.hashes[tile], hash);
                    }
                }
            }
        }
        let dirty = (0..tiles)
            .filter(|&t| self.last.get(t) != Some(&self.hashes[t]))
            .collect();
        std::mem::swap(&mut self.last, &mut self.hashes);
        dirty
    }

    /// The dirty tiles as few rectangles: runs along each row of tiles.
    pub fn rects(&self, dirty: &[usize]) -> Vec<PixelRect> {
        let mut rects: Vec<PixelRect> = Vec::new();
        for &tile in dirty {
            let r = self.tile_rect(tile);
            match rects.last_mut() {
                Some(last) if last.y0 == r.y0 && last.x1 == r.x0 => last.x1 = r.x1,
                _ => rects.push(r),
            }
        }
        rects
    }
}

fn texture_key(id: TextureId) -> u64 {
    match id {
        TextureId::Managed(n) => n << 1,
        TextureId::User(n) => (n << 1) | 1,
    }
}

/// A point (or any pair of floats) as one word for the hash, bit for bit.
#[inline]
pub fn pair_word(x: f32, y: f32) -> u64 {
    (u64::from(x.to_bits()) << 32) | u64::from(y.to_bits())
}

/// A triangle's words for the hash: its three vertices (position, uv, colour).
pub fn hash_vertex(h: u64, v: &egui::epaint::Vertex) -> u64 {
    let h = combine(h, pair_word(v.pos.x, v.pos.y));
    let h = combine(h, pair_word(v.uv.x, v.uv.y));
    combine(h, u64::from(u32::from_le_bytes(v.color.to_array())))
}
