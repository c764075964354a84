//! Pixel arithmetic in 8 bits: premultiplied sRGB colours, "over" blending, modulation.

use egui::Color32;

/// `0x00RRGGBB` of an egui colour (alpha dropped: the window is opaque).
pub fn pack(c: Color32) -> u32 {
    (u32::from(c.r()) << 16) | (u32::from(c.g()) << 8) | u32::from(c.b())
}

/// `x * y / 255`, rounded, for `x, y` in `0..=255`.
#[inline]
pub fn mul255(x: u32, y: u32) -> u32 {
    let t = x * y + 128;
    (t + (t >> 8)) >> 8
}

/// A premultiplied colour as four channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgba {
    pub r: u32,
    pub g: u32,
    pub b: u32,
    pub a: u32,
}

impl Rgba {
    #[inline]
    pub fn of(c: Color32) -> Self {
        Self {
            r: u32::from(c.r()),
            g: u32::from(c.g()),
            b: u32::from(c.b()),
            a: u32::from(c.a()),
        }
    }

    /// Channel by channel product, as the shader multiplies vertex colour and texel.
    #[inline]
    pub fn modulate(self, o: Self) -> Self {
        Self {
            r: mul255(self.r, o.r),
            g: mul255(self.g, o.g),
            b: mul255(self.b, o.b),
            a: mul255(self.a, o.a),
        }
    }

    /// Every channel times `cover` (`0..=1`), rounded: the colour at partial coverage.
    #[inline]
    pub fn scaled(self, cover: f32) -> Self {
        let ch = |c: u32| (c as f32 * cover + 0.5) as u32;
        Self {
            r: ch(self.r),
            g: ch(self.g),
            b: ch(self.b),
            a: ch(self.a),
        }
    }

    pub fn is_transparent(self) -> bool {
        self.r == 0 && self.g == 0 && self.b == 0 && self.a == 0
    }

    #[inline]
    pub fn packed(self) -> u32 {
        (self.r.min(255) << 16) | (self.g.min(255) << 8) | self.b.min(255)
    }
}

/// `src` (premultiplied) over `dst`: `src + dst × (1 − src.a)`, each channel saturated (egui's
/// additive colours have alpha 0 and add).
#[inline]
pub fn over(dst: u32, src: Rgba) -> u32 {
    if src.a >= 255 {
        return src.packed();
    }
    let inv = 255 - src.a;
    let r = (src.r + mul255((dst >> 16) & 0xFF, inv)).min(255);
    let g = (src.g + mul255((dst >> 8) & 0xFF, inv)).min(255);
    let b = (src.b + mul255(dst & 0xFF, inv)).min(255);
    (r << 16) | (g << 8) | b
}

/// A run of pixels covered by one colour.
#[inline]
pub fn fill_span(span: &mut [u32], src: Rgba) {
    if src.a >= 255 {
        span.fill(src.packed());
    } else if !src.is_transparent() {
        for p in span {
            *p = over(*p, src);
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // test pictures choose their own colours
mod tests {
    use super::*;

    #[test]
    fn mul255_is_exact_at_the_ends_and_rounds() {
        for x in 0..=255 {
            assert_eq!(mul255(x, 255), x);
            assert_eq!(mul255(x, 0), 0);
        }
        assert_eq!(mul255(128, 128), 64);
    }

    #[test]
    fn half_transparent_black_over_white_is_mid_grey() {
        let src = Rgba::of(Color32::from_black_alpha(128));
        let out = over(0x00FF_FFFF, src);
        assert_eq!(out, 0x007F_7F7F);
    }

    #[test]
    fn additive_colours_saturate_instead_of_spilling_into_the_next_channel() {
        let src = Rgba {
            r: 200,
            g: 200,
            b: 200,
            a: 0,
        };
        assert_eq!(over(0x00C8_C8C8, src), 0x00FF_FFFF);
    }
}
