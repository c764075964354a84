//! egui's textures kept on the CPU, and sampling them as egui-wgpu's sampler does
//! (clamped to the edge; linear or nearest).

use egui::epaint::{ImageData, ImageDelta};
use egui::{TextureFilter, TextureWrapMode};

use crate::blend::Rgba;
use crate::triangle::floor_fast;

pub struct Texture {
    pub width: usize,
    pub height: usize,
    /// Premultiplied sRGB, row after row.
    pixels: Vec<[u8; 4]>,
    linear: bool,
    repeat: bool,
}

impl Texture {
    pub fn from_delta(delta: &ImageDelta) -> Self {
        let ImageData::Color(image) = &delta.image;
        Self {
            width: image.size[0],
            height: image.size[1],
            pixels: image.pixels.iter().map(|c| c.to_array()).collect(),
            linear: delta.options.magnification == TextureFilter::Linear,
            repeat: delta.options.wrap_mode != TextureWrapMode::ClampToEdge,
        }
    }

    /// Writes a patch at `pos` (what does not fit is left out).
    pub fn patch(&mut self, pos: [usize; 2], delta: &ImageDelta) {
        let ImageData::Color(image) = &delta.image;
        let [w, h] = image.size;
        for y in 0..h {
            let ty = pos[1] + y;
            if ty >= self.height {
                break;
            }
            for x in 0..w {
                let tx = pos[0] + x;
                if tx >= self.width {
                    break;
                }
                self.pixels[ty * self.width + tx] = image.pixels[y * w + x].to_array();
            }
        }
    }

    #[inline]
    fn texel(&self, x: i64, y: i64) -> Rgba {
        let (x, y) = if self.repeat {
            (
                x.rem_euclid(self.width as i64) as usize,
                y.rem_euclid(self.height as i64) as usize,
            )
        } else {
            (
                x.clamp(0, self.width as i64 - 1) as usize,
                y.clamp(0, self.height as i64 - 1) as usize,
            )
        };
        let [r, g, b, a] = self.pixels[y * self.width + x];
        Rgba {
            r: u32::from(r),
            g: u32::from(g),
            b: u32::from(b),
            a: u32::from(a),
        }
    }

    /// The colour at texture coordinates `(u, v)` (`0..1` across the texture).
    #[inline]
    pub fn sample(&self, u: f32, v: f32) -> Rgba {
        if self.width == 0 || self.height == 0 {
            return Rgba {
                r: 0,
                g: 0,
                b: 0,
                a: 0,
            };
        }
        let x = u * self.width as f32 - 0.5;
        let y = v * self.height as f32 - 0.5;
        if !self.linear {
            return self.texel(floor_fast(x + 0.5), floor_fast(y + 0.5));
        }
        let (x0, y0) = (floor_fast(x) as f32, floor_fast(y) as f32);
        // Weights in 1/256ths.
        let fx = ((x - x0) * 256.0) as u32;
        let fy = ((y - y0) * 256.0) as u32;
        let (x0, y0) = (x0 as i64, y0 as i64);
        if fx == 0 && fy == 0 {
            return self.texel(x0, y0);
        }
        let a = self.texel(x0, y0);
        let b = self.texel(x0 + 1, y0);
        let c = self.texel(x0, y0 + 1);
        let d = self.texel(x0 + 1, y0 + 1);
        let lerp = |p: u32, q: u32, r: u32, s: u32| {
            let top = p * (256 - fx) + q * fx;
            let bottom = r * (256 - fx) + s * fx;
            (top * (256 - fy) + bottom * fy + (1 << 15)) >> 16
        };
        Rgba {
            r: lerp(a.r, b.r, c.r, d.r),
            g: lerp(a.g, b.g, c.g, d.g),
            b: lerp(a.b, b.b, c.b, d.b),
            a: lerp(a.a, b.a, c.a, d.a),
        }
    }
}
