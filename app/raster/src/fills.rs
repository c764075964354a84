//! Filled rings drawn row by row from their edges (a scanline fill), not from triangles.
//!
//! A province filled through egui is its ring cut into triangles (an ear-clipping fan of long
//! slivers, one per vertex of the full-detail border), each set up, binned and walked row by
//! row. The pixels those triangles cover are the pixels whose centres lie inside the ring, and
//! that set can be found directly: where each edge crosses each row's centre line, sorted, in
//! pairs. Same pixels (an edge's crossing belongs to the span on its right, as a triangle's
//! does), one cheap step per edge and row.

use egui::Color32;

use crate::blend::{self, Rgba};
use crate::damage::{self, PixelRect};
use crate::rings::PixelRings;
use crate::triangle::{Band, Bounds, first_at_or_after};

/// One ring's crossings: row `y0 + r` has `xs[starts[r]..starts[r + 1]]`, sorted.
struct Scanlines {
    y0: usize,
    starts: Vec<u32>,
    xs: Vec<f32>,
}

/// Filled rings ready to draw, in pixels.
pub struct Prepared {
    pub clip: PixelRect,
    colour: Rgba,
    rings: Vec<Scanlines>,
    pub bounds: Vec<Bounds>,
    /// Hash of what every ring shares (the colour).
    pub style: u64,
}

impl Prepared {
    pub(crate) fn new(rings: &PixelRings<'_>, colour: Color32, clip: PixelRect) -> Self {
        let mut prepared = Self {
            clip,
            colour: Rgba::of(colour),
            rings: Vec::with_capacity(rings.len()),
            bounds: Vec::with_capacity(rings.len()),
            style: damage::combine(
                0x6669_6c6c,
                u64::from(u32::from_le_bytes(colour.to_array())),
            ),
        };
        for ring in rings.iter() {
            let (scanlines, bounds) = scanlines(ring, &clip);
            prepared.rings.push(scanlines);
            prepared.bounds.push(bounds);
        }
        prepared
    }

    pub fn ring_count(&self) -> usize {
        self.rings.len()
    }
}

/// Where the ring's edges cross the centres of the rows inside `clip`, and the pixels it may
/// cover (none for a ring with a point that is not finite).
fn scanlines(ring: &[[f32; 2]], clip: &PixelRect) -> (Scanlines, Bounds) {
    let empty = Scanlines {
        y0: 0,
        starts: vec![0],
        xs: Vec::new(),
    };
    if ring.iter().flatten().any(|v| !v.is_finite()) {
        return (empty, Bounds::NONE);
    }
    let (mut min, mut max) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    let mut hash = 0;
    for &[x, y] in ring {
        min = [min[0].min(x), min[1].min(y)];
        max = [max[0].max(x), max[1].max(y)];
        hash = damage::combine(hash, damage::pair_word(x, y));
    }
    let bounds = Bounds::of_box(min, max, hash);
    let Some(rect) = bounds.rect().map(|r| r.intersect(clip)) else {
        return (empty, Bounds::NONE);
    };
    if rect.is_empty() {
        return (empty, Bounds::NONE);
    }
    // Rows `y0..y1`: a pixel row's centre at `y + 0.5` is crossed by an edge when it lies in
    // `[top, bottom)` of the edge.
    let (y0, y1) = (rect.y0, rect.y1);
    let rows_of = |a: f32, b: f32| {
        let (top, bottom) = (a.min(b), a.max(b));
        let from = first_at_or_after(top).max(y0 as i64);
        let to = first_at_or_after(bottom).min(y1 as i64);
        from..to.max(from)
    };
    let edges = || (0..ring.len()).map(|i| (ring[i], ring[(i + 1) % ring.len()]));
    let mut counts = vec![0u32; y1 - y0 + 1];
    for (p, q) in edges() {
        for y in rows_of(p[1], q[1]) {
            counts[y as usize - y0 + 1] += 1;
        }
    }
    let mut starts = counts;
    for r in 1..starts.len() {
        starts[r] += starts[r - 1];
    }
    let mut next: Vec<u32> = starts.clone();
    let mut xs = vec![0.0f32; starts.last().copied().unwrap_or(0) as usize];
    for (p, q) in edges() {
        let (upper, lower) = if p[1] <= q[1] { (p, q) } else { (q, p) };
        let dxdy = (lower[0] - upper[0]) / (lower[1] - upper[1]);
        for y in rows_of(p[1], q[1]) {
            let yc = y as f32 + 0.5;
            let slot = &mut next[y as usize - y0];
            xs[*slot as usize] = upper[0] + (yc - upper[1]) * dxdy;
            *slot += 1;
        }
    }
    for r in 0..y1 - y0 {
        xs[starts[r] as usize..starts[r + 1] as usize].sort_unstable_by(f32::total_cmp);
    }
    (Scanlines { y0, starts, xs }, bounds)
}

/// Fills ring `i` inside `area` (within the band's rows and the clip).
pub fn draw_ring(rows: &mut [u32], band: &Band, area: &PixelRect, f: &Prepared, i: usize) {
    let Some(s) = f.rings.get(i) else { return };
    let y1 = s.y0 + s.starts.len() - 1;
    for y in area.y0.max(s.y0)..area.y1.min(y1) {
        let r = y - s.y0;
        let xs = &s.xs[s.starts[r] as usize..s.starts[r + 1] as usize];
        let row_start = (y - band.y0) * band.width;
        for pair in xs.chunks_exact(2) {
            let from = first_at_or_after(pair[0]).max(area.x0 as i64);
            let to = first_at_or_after(pair[1]).min(area.x1 as i64);
            if from < to {
                let span = &mut rows[row_start + from as usize..row_start + to as usize];
                blend::fill_span(span, f.colour);
            }
        }
    }
}
