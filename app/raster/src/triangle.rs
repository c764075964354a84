//! One triangle as horizontal spans. A pixel is covered when its centre is inside (a centre on
//! an edge belongs to the triangle on its right or below), so two triangles that share an edge
//! never both cover a pixel — a translucent rectangle made of two triangles is blended once
//! everywhere. Flat triangles (one colour, one texel) fill whole spans; the others interpolate
//! colour and texture coordinates across the span.

use std::collections::HashMap;

use egui::TextureId;
use egui::epaint::{Mesh, Vertex};

use crate::blend::{self, Rgba};
use crate::damage::{self, PixelRect};
use crate::jobs::run_jobs;
use crate::texture::Texture;

/// A mesh ready to draw: its clip in pixels, its texture, and per vertex its position in pixels
/// (NaN when not finite) and its hash.
pub struct Prepared<'a> {
    pub mesh: &'a Mesh,
    pub clip: PixelRect,
    pub texture: &'a Texture,
    /// The texel at egui's white uv (what untextured shapes are multiplied by).
    white: Rgba,
    pixels: Vec<[f32; 2]>,
    hashes: Vec<u64>,
    /// Per triangle: the pixels it may touch (`x0 > x1`: not drawable) and its hash.
    pub triangles: Vec<Bounds>,
}

/// The pixels a triangle or an outline segment may touch (clamped to `u16`; `x0 > x1`: none) and
/// its hash.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bounds {
    pub x0: u16,
    pub y0: u16,
    pub x1: u16,
    pub y1: u16,
    pub hash: u64,
}

impl Bounds {
    pub const NONE: Self = Self {
        x0: 1,
        y0: 1,
        x1: 0,
        y1: 0,
        hash: 0,
    };

    /// The pixels whose centres lie within the box `min..max` (a sliver between two rows or
    /// columns of centres covers none: [`Self::NONE`]; so does a box that is not finite).
    pub fn of_box(min: [f32; 2], max: [f32; 2], hash: u64) -> Self {
        if min.iter().chain(&max).any(|v| v.is_nan()) {
            return Self::NONE;
        }
        let (x0, x1) = (first_at_or_after(min[0]), first_at_or_after(max[0]));
        let (y0, y1) = (first_at_or_after(min[1]), first_at_or_after(max[1]));
        if x0 >= x1 || y0 >= y1 {
            return Self::NONE;
        }
        let clamp = |v: i64| v.clamp(0, i64::from(u16::MAX)) as u16;
        Self {
            x0: clamp(x0),
            y0: clamp(y0),
            x1: clamp(x1),
            y1: clamp(y1),
            hash,
        }
    }

    pub fn rect(&self) -> Option<PixelRect> {
        (self.x0 <= self.x1).then(|| PixelRect {
            x0: usize::from(self.x0),
            y0: usize::from(self.y0),
            x1: usize::from(self.x1),
            y1: usize::from(self.y1),
        })
    }
}

/// Triangles bounded per work item.
const TRIANGLES_PER_JOB: usize = 16 * 1024;

/// Vertices converted per work item (a share of one mesh).
const VERTICES_PER_JOB: usize = 16 * 1024;

impl<'a> Prepared<'a> {
    /// A mesh to draw inside `clip`; `None` when it draws nothing (no triangles, an empty clip,
    /// a texture egui never set: egui-wgpu skips those too).
    pub fn new(
        mesh: &'a Mesh,
        clip: PixelRect,
        textures: &'a HashMap<TextureId, Texture>,
    ) -> Option<Self> {
        if clip.is_empty() || mesh.indices.is_empty() {
            return None;
        }
        let texture = textures.get(&mesh.texture_id)?;
        Some(Prepared {
            mesh,
            clip,
            texture,
            white: texture.sample(egui::epaint::WHITE_UV.x, egui::epaint::WHITE_UV.y),
            pixels: vec![[0.0; 2]; mesh.vertices.len()],
            hashes: vec![0; mesh.vertices.len()],
            triangles: Vec::new(),
        })
    }
}

/// Each mesh's vertex positions in pixels and hashes, then its triangles' bounds and hashes,
/// on `threads` threads.
pub fn prepare(meshes: &mut [&mut Prepared<'_>], pixels_per_point: f32, threads: usize) {
    // Vertices in pixels and their hashes, a share of one mesh per job.
    let mut jobs = Vec::new();
    for m in meshes.iter_mut() {
        let vertices: &[Vertex] = &m.mesh.vertices;
        for ((v, p), h) in vertices
            .chunks(VERTICES_PER_JOB)
            .zip(m.pixels.chunks_mut(VERTICES_PER_JOB))
            .zip(m.hashes.chunks_mut(VERTICES_PER_JOB))
        {
            jobs.push((v, p, h));
        }
    }
    run_jobs(
        jobs,
        threads,
        |(vertices, pixels, hashes): (&[Vertex], &mut [[f32; 2]], &mut [u64])| {
            for ((v, p), h) in vertices
                .iter()
                .zip(pixels.iter_mut())
                .zip(hashes.iter_mut())
            {
                let (x, y) = (v.pos.x * pixels_per_point, v.pos.y * pixels_per_point);
                *p = if x.is_finite() && y.is_finite() {
                    [x, y]
                } else {
                    [f32::NAN; 2]
                };
                *h = damage::hash_vertex(0, v);
            }
        },
    );
    // Then each triangle's bounds and hash.
    let mut bounds: Vec<Vec<Bounds>> = meshes
        .iter()
        .map(|m| vec![Bounds::NONE; m.mesh.indices.len() / 3])
        .collect();
    let mut jobs = Vec::new();
    for (m, out) in meshes.iter().zip(bounds.iter_mut()) {
        for (k, chunk) in out.chunks_mut(TRIANGLES_PER_JOB).enumerate() {
            jobs.push((&**m, k * TRIANGLES_PER_JOB, chunk));
        }
    }
    run_jobs(
        jobs,
        threads,
        |(m, first, out): (&Prepared<'_>, usize, &mut [Bounds])| {
            for (i, b) in out.iter_mut().enumerate() {
                if let Some(found) = m.bounds_and_hash(first + i) {
                    *b = found;
                }
            }
        },
    );
    for (m, b) in meshes.iter_mut().zip(bounds) {
        m.triangles = b;
    }
}

#[derive(Clone, Copy)]
struct Corner<'a> {
    x: f32,
    y: f32,
    v: &'a Vertex,
}

impl<'a> Prepared<'a> {
    #[inline]
    fn corners(&self, t: usize) -> Option<[Corner<'a>; 3]> {
        let mesh: &'a Mesh = self.mesh;
        let i = mesh.indices.get(t * 3..t * 3 + 3)?;
        let corner = |k: u32| {
            let k = k as usize;
            let v = mesh.vertices.get(k)?;
            let [x, y] = *self.pixels.get(k)?;
            // NaN marks a position that was not finite.
            (!x.is_nan() && !y.is_nan()).then_some(Corner { x, y, v })
        };
        Some([corner(i[0])?, corner(i[1])?, corner(i[2])?])
    }

    /// The pixels the triangle may touch and its hash (for [`damage`]); `None`: not drawable.
    #[inline]
    fn bounds_and_hash(&self, t: usize) -> Option<Bounds> {
        let i = self.mesh.indices.get(t * 3..t * 3 + 3)?;
        let (a, b, c) = (i[0] as usize, i[1] as usize, i[2] as usize);
        let ([ax, ay], [bx, by], [cx, cy]) = (
            *self.pixels.get(a)?,
            *self.pixels.get(b)?,
            *self.pixels.get(c)?,
        );
        // A NaN corner: min/max would drop it, so look at the corners themselves.
        if [ax, ay, bx, by, cx, cy].iter().any(|v| v.is_nan()) {
            return None;
        }
        let hash = damage::combine(
            damage::combine(self.hashes[a], self.hashes[b]),
            self.hashes[c],
        );
        let found = Bounds::of_box(
            [ax.min(bx).min(cx), ay.min(by).min(cy)],
            [ax.max(bx).max(cx), ay.max(by).max(cy)],
            hash,
        );
        found.rect().map(|_| found)
    }
}

/// Rows `y0..y1` of the canvas, `width` pixels each, held by one thread.
pub struct Band {
    pub y0: usize,
    pub y1: usize,
    pub width: usize,
}

/// Fills `rect` (inside the band) with `colour`.
pub fn clear(rows: &mut [u32], band: &Band, rect: &PixelRect, colour: u32) {
    for y in rect.y0.max(band.y0)..rect.y1.min(band.y1) {
        let start = (y - band.y0) * band.width;
        rows[start + rect.x0..start + rect.x1].fill(colour);
    }
}

/// An edge from `p` (upper) to `q` (lower) as where it crosses a row centre. Computed the same
/// way for both triangles that share the edge, so their spans meet without a gap or overlap.
#[derive(Clone, Copy)]
struct Edge {
    x: f32,
    y: f32,
    dxdy: f32,
}

impl Edge {
    #[inline]
    fn new(p: &Corner<'_>, q: &Corner<'_>) -> Self {
        Self {
            x: p.x,
            y: p.y,
            dxdy: (q.x - p.x) / (q.y - p.y),
        }
    }

    #[inline]
    fn x_at(&self, yc: f32) -> f32 {
        self.x + (yc - self.y) * self.dxdy
    }
}

/// `x.ceil()` without a call into libm (no SSE4.1 rounding instruction in a portable build);
/// saturates like `as` for values out of range.
#[inline]
fn ceil_fast(x: f32) -> i64 {
    let t = x as i64;
    t.saturating_add(i64::from((t as f32) < x))
}

/// `x.floor()`, likewise.
#[inline]
pub(crate) fn floor_fast(x: f32) -> i64 {
    let t = x as i64;
    t.saturating_sub(i64::from((t as f32) > x))
}

/// First pixel whose centre is at or past `x`.
#[inline]
pub(crate) fn first_at_or_after(x: f32) -> i64 {
    ceil_fast(x - 0.5)
}

/// How colour and texture coordinates change across the triangle.
struct Gradients {
    origin: (f32, f32),
    at_origin: [f32; 6],
    ddx: [f32; 6],
    ddy: [f32; 6],
}

fn attributes(v: &Vertex) -> [f32; 6] {
    let [r, g, b, a] = v.color.to_array();
    [
        f32::from(r),
        f32::from(g),
        f32::from(b),
        f32::from(a),
        v.uv.x,
        v.uv.y,
    ]
}

impl Gradients {
    fn new(c: &[Corner<'_>; 3]) -> Option<Self> {
        let (dx1, dy1) = (c[1].x - c[0].x, c[1].y - c[0].y);
        let (dx2, dy2) = (c[2].x - c[0].x, c[2].y - c[0].y);
        let det = dx1 * dy2 - dx2 * dy1;
        if det.abs() < 1e-12 {
            return None;
        }
        let f = c.map(|k| attributes(k.v));
        let mut ddx = [0.0; 6];
        let mut ddy = [0.0; 6];
        for i in 0..6 {
            let (df1, df2) = (f[1][i] - f[0][i], f[2][i] - f[0][i]);
            ddx[i] = (df1 * dy2 - df2 * dy1) / det;
            ddy[i] = (df2 * dx1 - df1 * dx2) / det;
        }
        Some(Self {
            origin: (c[0].x, c[0].y),
            at_origin: f[0],
            ddx,
            ddy,
        })
    }

    fn at(&self, x: f32, y: f32) -> [f32; 6] {
        let (dx, dy) = (x - self.origin.0, y - self.origin.1);
        std::array::from_fn(|i| self.at_origin[i] + self.ddx[i] * dx + self.ddy[i] * dy)
    }
}

/// What fills the triangle's spans.
enum Fill {
    /// One colour everywhere.
    Flat(Rgba),
    /// Colour (and texture coordinates, when `textured`) vary; their gradients are worked out
    /// at the first span that covers a pixel (a thin sliver may cover none in this tile).
    Shaded { textured: bool, texel: Rgba },
}

const WHITE: Rgba = Rgba {
    r: 255,
    g: 255,
    b: 255,
    a: 255,
};

fn fill_of(c: &[Corner<'_>; 3], m: &Prepared<'_>) -> Option<Fill> {
    let (v0, v1, v2) = (c[0].v, c[1].v, c[2].v);
    let one_uv = v0.uv == v1.uv && v0.uv == v2.uv;
    let texel = if !one_uv {
        WHITE
    } else if v0.uv == egui::epaint::WHITE_UV {
        m.white
    } else {
        m.texture.sample(v0.uv.x, v0.uv.y)
    };
    if one_uv && v0.color == v1.color && v0.color == v2.color {
        let colour = Rgba::of(v0.color).modulate(texel);
        return (!colour.is_transparent()).then_some(Fill::Flat(colour));
    }
    Some(Fill::Shaded {
        textured: !one_uv,
        texel,
    })
}

/// Draws triangle `t` of `m` into the band, only inside `area` (already within the band's rows
/// and the mesh's clip).
pub fn draw_triangle(rows: &mut [u32], band: &Band, area: &PixelRect, m: &Prepared<'_>, t: usize) {
    let Some(mut c) = m.corners(t) else { return };
    // Top to bottom (left to right on a level), as three compare-and-swaps.
    let above = |p: &Corner<'_>, q: &Corner<'_>| p.y < q.y || (p.y == q.y && p.x <= q.x);
    if !above(&c[0], &c[1]) {
        c.swap(0, 1);
    }
    if !above(&c[1], &c[2]) {
        c.swap(1, 2);
    }
    if !above(&c[0], &c[1]) {
        c.swap(0, 1);
    }
    let [a, b, top_to_bottom] = [c[0], c[1], c[2]];
    let z = top_to_bottom;
    if z.y <= a.y {
        return;
    }
    let ys = first_at_or_after(a.y).max(area.y0 as i64);
    let ye = first_at_or_after(z.y).min(area.y1 as i64);
    if ys >= ye {
        return;
    }
    let Some(fill) = fill_of(&c, m) else {
        return;
    };
    let long_edge = Edge::new(&a, &z);
    let upper = Edge::new(&a, &b);
    let lower = Edge::new(&b, &z);
    // Is the middle corner left of the long edge?
    let middle_left = b.x < long_edge.x_at(b.y) || (b.y == z.y && b.x < z.x);
    let mut gradients: Option<Gradients> = None;
    for y in ys..ye {
        let yc = y as f32 + 0.5;
        let long = long_edge.x_at(yc);
        let short = if yc < b.y {
            upper.x_at(yc)
        } else {
            lower.x_at(yc)
        };
        let (xl, xr) = if middle_left {
            (short, long)
        } else {
            (long, short)
        };
        let xs = first_at_or_after(xl).max(area.x0 as i64);
        let xe = first_at_or_after(xr).min(area.x1 as i64);
        if xs >= xe {
            continue;
        }
        let row_start = (y as usize - band.y0) * band.width;
        let span = &mut rows[row_start + xs as usize..row_start + xe as usize];
        match &fill {
            Fill::Flat(colour) => blend::fill_span(span, *colour),
            Fill::Shaded { textured, texel } => {
                if gradients.is_none() {
                    // Degenerate (no area): nothing to draw.
                    let Some(g) = Gradients::new(&c) else { return };
                    gradients = Some(g);
                }
                if let Some(g) = &gradients {
                    shade_span(span, g, xs as f32 + 0.5, yc, *textured, *texel, m.texture);
                }
            }
        }
    }
}

fn shade_span(
    span: &mut [u32],
    g: &Gradients,
    x: f32,
    y: f32,
    textured: bool,
    texel: Rgba,
    texture: &Texture,
) {
    let mut f = g.at(x, y);
    let to_channel = |v: f32| (v + 0.5).clamp(0.0, 255.0) as u32;
    for p in span {
        let colour = Rgba {
            r: to_channel(f[0]),
            g: to_channel(f[1]),
            b: to_channel(f[2]),
            a: to_channel(f[3]),
        };
        let src = if textured {
            colour.modulate(texture.sample(f[4], f[5]))
        } else if texel != WHITE {
            colour.modulate(texel)
        } else {
            colour
        };
        *p = blend::over(*p, src);
        for (v, d) in f.iter_mut().zip(g.ddx.iter()) {
            *v += d;
        }
    }
}
