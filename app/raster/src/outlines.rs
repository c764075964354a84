//! Closed outlines (map borders) drawn by the raster itself, without tessellating them.
//!
//! egui strokes a closed line as a strip of triangles, four a segment for a stroke thinner than
//! a pixel: a ridge one pixel either side of the line, transparent at its edges, the colour
//! times the width along the middle (six a segment, flat in the middle, for a thicker one).
//! Every segment of a province border is then four long, thin triangles, each set up, binned
//! and walked row by row for one or two pixels a row — most of a map frame's raster time. The
//! coverage those triangles give works out to a function of the distance to the line alone:
//! `clamp(top − d, 0, 1)` (thin: `top = 1`, the colour pre-multiplied by the width; thick:
//! `top = (width + 1) / 2`), cut at each corner along egui's mitred normal. The raster draws
//! each segment as one span a row from that function instead: the same pixels, a fraction of
//! the work. (Where a ring turns back on itself almost completely, egui's unbounded mitre draws
//! a spike past the corner; here the corner is cut where the segments' lines are.)

use egui::{Color32, Stroke, Vec2};

use crate::blend::{self, Rgba};
use crate::damage::{self, PixelRect};
use crate::rings::PixelRings;
use crate::triangle::{Band, Bounds, first_at_or_after, floor_fast};

/// Where a segment starts or ends: the line through a ring's vertex along its mitre normal,
/// which splits the pixels between the two segments that meet there.
#[derive(Debug, Clone, Copy)]
struct Corner {
    p: [f32; 2],
    n: [f32; 2],
    /// Which side of the line the outgoing segment lies on (±1).
    sigma: f32,
}

/// The pixels of one row on the outgoing side of a corner, or else on the incoming side.
#[derive(Debug, Clone, Copy)]
enum Side {
    All,
    Nothing,
    /// Pixels `x ≥ k`.
    From(i64),
    /// Pixels `x < k`.
    Before(i64),
}

impl Corner {
    /// Both segments that meet here ask this with the same inputs, so every pixel of the row
    /// goes to exactly one of them.
    #[inline]
    fn outgoing_side(&self, yc: f32) -> Side {
        // σ·cross(n, q − p) ≥ 0, as g·(xc − p.x) + h ≥ 0.
        let g = -self.sigma * self.n[1];
        let h = self.sigma * self.n[0] * (yc - self.p[1]);
        if g == 0.0 {
            return if h >= 0.0 { Side::All } else { Side::Nothing };
        }
        let x = self.p[0] - h / g;
        if g > 0.0 {
            Side::From(first_at_or_after(x))
        } else {
            Side::Before(floor_fast(x - 0.5) + 1)
        }
    }
}

/// Narrows `lo..hi` to the side, or to the other side.
#[inline]
fn keep(side: Side, outgoing: bool, lo: &mut i64, hi: &mut i64) {
    match (side, outgoing) {
        (Side::All, true) | (Side::Nothing, false) => {}
        (Side::All, false) | (Side::Nothing, true) => *hi = *lo,
        (Side::From(k), true) | (Side::Before(k), false) => *lo = (*lo).max(k),
        (Side::From(k), false) | (Side::Before(k), true) => *hi = (*hi).min(k),
    }
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Unit direction from the start corner's point to the end's.
    u: [f32; 2],
    start: Corner,
    end: Corner,
}

/// Outlines ready to draw, in pixels.
pub struct Prepared {
    pub clip: PixelRect,
    /// The colour at full coverage (pre-multiplied) and the coverage profile's top.
    base: Rgba,
    top: f32,
    segments: Vec<Segment>,
    pub bounds: Vec<Bounds>,
    /// Hash of what every segment shares (colour, width).
    pub style: u64,
}

impl Prepared {
    /// `rings` (in pixels) stroked with `stroke` (its width in pixels); `None` when that draws
    /// nothing.
    pub(crate) fn new(rings: &PixelRings<'_>, stroke: Stroke, clip: PixelRect) -> Option<Self> {
        let width = stroke.width;
        // egui's feathering is one pixel; "thin" as its tessellator decides it.
        let (base, top) = if width <= 0.9 {
            (stroke.color.gamma_multiply(width.max(0.0)), 1.0)
        } else {
            (stroke.color, (width + 1.0) * 0.5)
        };
        if base == Color32::TRANSPARENT || !width.is_finite() || width <= 0.0 {
            return None;
        }
        let mut prepared = Self {
            clip,
            base: Rgba::of(base),
            top,
            segments: Vec::new(),
            bounds: Vec::new(),
            style: damage::combine(
                u64::from(u32::from_le_bytes(base.to_array())),
                u64::from(top.to_bits()),
            ),
        };
        // A point that is not finite leaves egui's mitres NaN: the ring draws nothing.
        let usable = |r: &&[[f32; 2]]| r.len() >= 3 && r.iter().flatten().all(|v| v.is_finite());
        for ring in rings.iter().filter(usable) {
            prepared.add_ring(ring);
        }
        Some(prepared)
    }

    /// egui's `Path::add_line_loop`: each vertex's normal is the mean of its two segments'
    /// normals, divided by its squared length (a mitre: one pixel from both segments' lines).
    fn add_ring(&mut self, ring: &[[f32; 2]]) {
        let n = ring.len();
        let dir = |from: [f32; 2], to: [f32; 2]| Vec2::new(to[0] - from[0], to[1] - from[1]);
        let mut corners: Vec<Corner> = Vec::with_capacity(n);
        let mut n0 = dir(ring[n - 1], ring[0]).normalized().rot90();
        for i in 0..n {
            let next = ring[(i + 1) % n];
            let out = dir(ring[i], next);
            let mut n1 = out.normalized().rot90();
            if n0 == Vec2::ZERO {
                n0 = n1;
            } else if n1 == Vec2::ZERO {
                n1 = n0;
            }
            let mean = (n0 + n1) * 0.5;
            let normal = mean / mean.length_sq();
            let cross = normal.x * out.y - normal.y * out.x;
            corners.push(Corner {
                p: ring[i],
                n: [normal.x, normal.y],
                sigma: if cross < 0.0 { -1.0 } else { 1.0 },
            });
            n0 = n1;
        }
        for i in 0..n {
            let (start, end) = (corners[i], corners[(i + 1) % n]);
            let d = dir(start.p, end.p);
            let length = d.length();
            let usable = length.is_finite()
                && length > 0.0
                && [start.n, end.n].iter().flatten().all(|v| v.is_finite());
            if !usable {
                continue;
            }
            self.segments.push(Segment {
                u: [d.x / length, d.y / length],
                start,
                end,
            });
            self.bounds.push(self.bounds_of(&start, &end));
        }
    }

    /// The pixels whose centres lie in the segment's quad (its corners, one profile's reach
    /// along each mitre normal), and its hash.
    fn bounds_of(&self, start: &Corner, end: &Corner) -> Bounds {
        let t = self.top;
        let xs = [
            start.p[0] + start.n[0] * t,
            start.p[0] - start.n[0] * t,
            end.p[0] + end.n[0] * t,
            end.p[0] - end.n[0] * t,
        ];
        let ys = [
            start.p[1] + start.n[1] * t,
            start.p[1] - start.n[1] * t,
            end.p[1] + end.n[1] * t,
            end.p[1] - end.n[1] * t,
        ];
        let lo = |v: [f32; 4]| v.into_iter().fold(f32::INFINITY, f32::min);
        let hi = |v: [f32; 4]| v.into_iter().fold(f32::NEG_INFINITY, f32::max);
        // The style joins the hash in `damage`, as every layer's does.
        let hash = [start.p, start.n, end.p, end.n]
            .into_iter()
            .fold(0, |h, [x, y]| damage::combine(h, damage::pair_word(x, y)));
        Bounds::of_box([lo(xs), lo(ys)], [hi(xs), hi(ys)], hash)
    }

    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }
}

/// Draws segment `s` into the band, only inside `area` (within the band's rows and the clip).
pub fn draw_segment(rows: &mut [u32], band: &Band, area: &PixelRect, o: &Prepared, s: usize) {
    let (Some(seg), Some(b)) = (o.segments.get(s), o.bounds.get(s)) else {
        return;
    };
    let (ys, ye) = (
        usize::from(b.y0).max(area.y0),
        usize::from(b.y1).min(area.y1),
    );
    let (x_min, x_max) = (
        usize::from(b.x0).max(area.x0) as i64,
        usize::from(b.x1).min(area.x1) as i64,
    );
    let [ux, uy] = seg.u;
    let a = seg.start.p;
    let top = o.top;
    for y in ys..ye {
        let yc = y as f32 + 0.5;
        // Signed distance to the line at pixel centre xc: d0 − uy·(xc − a.x).
        let d0 = ux * (yc - a[1]);
        let (mut lo, mut hi) = (x_min, x_max);
        if uy.abs() > 1e-6 {
            let e1 = a[0] + (d0 - top) / uy;
            let e2 = a[0] + (d0 + top) / uy;
            lo = lo.max(first_at_or_after(e1.min(e2)));
            hi = hi.min(first_at_or_after(e1.max(e2)));
        } else if d0.abs() >= top {
            continue;
        }
        keep(seg.start.outgoing_side(yc), true, &mut lo, &mut hi);
        keep(seg.end.outgoing_side(yc), false, &mut lo, &mut hi);
        if lo >= hi {
            continue;
        }
        let row_start = (y - band.y0) * band.width;
        let span = &mut rows[row_start + lo as usize..row_start + hi as usize];
        let mut xc = lo as f32 + 0.5 - a[0];
        for p in span {
            let d = (d0 - uy * xc).abs();
            xc += 1.0;
            let cover = (top - d).min(1.0);
            if cover <= 0.0 {
                continue;
            }
            *p = blend::over(*p, o.base.scaled(cover));
        }
    }
}
