//! GPU drawing of many discs (points, and clusters with a ring split by category) as instanced
//! quads: each disc's position (normalized Mercator, relative to an origin so `f32` stays exact when
//! zoomed in), radius, ring width, fill colour index and ring fractions are uploaded to a wgpu
//! instance buffer once per [`GpuDiscs`] (i.e. once per data version); every frame writes only a
//! 176-byte uniform (view transform, feather, palette) and issues one draw call.
//!
//! The fragment shader makes the discs round (smoothstep over one pixel) and colours the ring by
//! the angle, clockwise from 12 o'clock, exactly as the CPU mesh in `clusters.rs` does. Pipelines
//! are installed with [`super::install_gpu_shapes`]; without them (glow, test renderers, headless
//! runs) callers keep drawing the CPU mesh. Knows nothing of what the discs stand for.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use egui::{Color32, Rect};
use egui_wgpu::wgpu;
use egui_wgpu::wgpu::util::DeviceExt as _;

use super::mercator::MercatorTransform;
use super::wgpu_util;

/// Ring categories per disc.
pub(crate) const RING_CATEGORIES: usize = 8;
/// Colours in the uniform's palette: the ring categories, then one more slot (a cluster's fill).
pub(crate) const PALETTE_SLOTS: usize = RING_CATEGORIES + 1;
/// Instance sets kept on the GPU at once (points plus a few cluster levels, per map); sets whose
/// data was replaced are dropped before anything new is uploaded.
const MAX_SETS: usize = 24;
/// Bytes per instance: x, y, radius, ring (f32), fill slot (u32), 8 ring ends (unorm8).
const INSTANCE_BYTES: usize = 4 * 5 + RING_CATEGORIES;
/// Uniform block: offset, scale, viewport (vec2 each), feather, pad, palette (vec4 × 9).
const UNIFORM_BYTES: usize = 32 + 16 * PALETTE_SLOTS;

const SHADER: &str = r"
struct Uniforms {
    offset: vec2<f32>,
    scale: vec2<f32>,
    viewport: vec2<f32>,
    feather: f32,
    pad: f32,
    palette: array<vec4<f32>, 9>,
};
@group(0) @binding(0) var<uniform> u: Uniforms;

struct Out {
    @builtin(position) position: vec4<f32>,
    @location(0) local: vec2<f32>,
    @location(1) @interpolate(flat) radius: f32,
    @location(2) @interpolate(flat) ring: f32,
    @location(3) @interpolate(flat) fill: u32,
    @location(4) @interpolate(flat) ends_a: vec4<f32>,
    @location(5) @interpolate(flat) ends_b: vec4<f32>,
};

@vertex
fn vs_main(
    @builtin(vertex_index) corner: u32,
    @location(0) pos: vec2<f32>,
    @location(1) radius: f32,
    @location(2) ring: f32,
    @location(3) fill: u32,
    @location(4) ends_a: vec4<f32>,
    @location(5) ends_b: vec4<f32>,
) -> Out {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, -1.0), vec2<f32>(-1.0, 1.0),
        vec2<f32>(-1.0, 1.0), vec2<f32>(1.0, -1.0), vec2<f32>(1.0, 1.0),
    );
    let extent = radius + u.feather;
    let local = corners[corner] * extent;
    let screen = u.offset + pos * u.scale + local;
    let ndc = screen / u.viewport * 2.0 - vec2<f32>(1.0, 1.0);
    var out: Out;
    out.position = vec4<f32>(ndc.x, -ndc.y, 0.0, 1.0);
    out.local = local;
    out.radius = radius;
    out.ring = ring;
    out.fill = min(fill, 8u);
    out.ends_a = ends_a;
    out.ends_b = ends_b;
    return out;
}

@fragment
fn fs_main(in: Out) -> @location(0) vec4<f32> {
    let d = length(in.local);
    let half = u.feather * 0.5;
    let coverage = 1.0 - smoothstep(in.radius - half, in.radius + half, d);
    if coverage <= 0.0 {
        discard;
    }
    var color = u.palette[in.fill];
    let inner = in.radius - in.ring;
    if in.ring > 0.0 && d > inner - half {
        // Fraction of a turn, clockwise from 12 o'clock (screen y points down).
        let turn = fract(atan2(in.local.y, in.local.x) / 6.28318530718 + 0.25);
        var ends = array<f32, 8>(
            in.ends_a.x, in.ends_a.y, in.ends_a.z, in.ends_a.w,
            in.ends_b.x, in.ends_b.y, in.ends_b.z, in.ends_b.w,
        );
        var k = 0u;
        loop {
            if k >= 7u || turn < ends[k] {
                break;
            }
            k = k + 1u;
        }
        let t = smoothstep(inner - half, inner + half, d);
        color = mix(color, u.palette[k], t);
    }
    return color * coverage;
}
";

/// Instance sets uploaded by this process, all maps together.
static UPLOADS: AtomicU64 = AtomicU64::new(0);

/// How many instance sets this process has uploaded to a GPU so far (a cache that works uploads
/// once per data version, not once per frame).
pub fn gpu_disc_uploads() -> u64 {
    UPLOADS.load(Ordering::Relaxed)
}

/// One disc handed to [`GpuDiscs::build`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Disc {
    /// Normalized Web-Mercator position.
    pub norm: [f64; 2],
    /// Radius in points.
    pub radius: f32,
    /// Width of the ring in points (0: no ring).
    pub ring: f32,
    /// Palette slot of the fill (`RING_CATEGORIES` is the extra slot).
    pub fill: u8,
    /// Cumulative end of each category along the ring, as a fraction of a turn.
    pub ring_ends: [f32; RING_CATEGORIES],
}

/// Instance data of many discs, ready to upload; immutable once built.
pub(crate) struct GpuDiscs {
    id: u64,
    origin: [f64; 2],
    bytes: Vec<u8>,
    count: u32,
    /// Times this set was uploaded to a GPU (shared with whoever wants to watch the cache).
    uploads: Arc<AtomicU64>,
}

impl GpuDiscs {
    /// `discs` is walked twice (origin, then instances); positions are stored relative to the
    /// centre of their bounding box.
    pub(crate) fn build(
        discs: impl Iterator<Item = Disc> + Clone,
        uploads: Arc<AtomicU64>,
    ) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let mut min = [f64::INFINITY; 2];
        let mut max = [f64::NEG_INFINITY; 2];
        for d in discs.clone() {
            for k in 0..2 {
                min[k] = min[k].min(d.norm[k]);
                max[k] = max[k].max(d.norm[k]);
            }
        }
        let origin = if min[0].is_finite() && max[0].is_finite() {
            [(min[0] + max[0]) * 0.5, (min[1] + max[1]) * 0.5]
        } else {
            [0.0, 0.0]
        };
        let (lower, _) = discs.size_hint();
        let mut bytes = Vec::with_capacity(lower * INSTANCE_BYTES);
        let mut count = 0u32;
        for d in discs {
            let x = (d.norm[0] - origin[0]) as f32;
            let y = (d.norm[1] - origin[1]) as f32;
            for v in [x, y, d.radius, d.ring] {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            bytes.extend_from_slice(&u32::from(d.fill).to_le_bytes());
            for e in d.ring_ends {
                bytes.push((e.clamp(0.0, 1.0) * 255.0).round() as u8);
            }
            count += 1;
        }
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            origin,
            bytes,
            count,
            uploads,
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.count as usize
    }
}

/// One frame's draw of a [`GpuDiscs`].
pub(crate) struct DiscsCallback {
    pub discs: Arc<GpuDiscs>,
    pub transform: MercatorTransform,
    /// Clip rect of the map (the callback's viewport), points.
    pub rect: Rect,
    pub palette: [Color32; PALETTE_SLOTS],
    /// Width of the anti-aliased edge, points (one physical pixel).
    pub feather: f32,
}

impl DiscsCallback {
    pub(crate) fn into_shape(self) -> egui::Shape {
        let rect = self.rect;
        egui::Shape::Callback(egui_wgpu::Callback::new_paint_callback(rect, self))
    }

    fn uniforms(&self, linear: bool) -> [f32; UNIFORM_BYTES / 4] {
        let (offset, scale) = self.transform.parts();
        let origin = self.discs.origin;
        let mut u = [0.0f32; UNIFORM_BYTES / 4];
        u[0] = (offset[0] + scale[0] * origin[0] - f64::from(self.rect.min.x)) as f32;
        u[1] = (offset[1] + scale[1] * origin[1] - f64::from(self.rect.min.y)) as f32;
        u[2] = scale[0] as f32;
        u[3] = scale[1] as f32;
        u[4] = self.rect.width();
        u[5] = self.rect.height();
        u[6] = self.feather;
        for (k, c) in self.palette.iter().enumerate() {
            let rgba = wgpu_util::colour(*c, linear);
            u[8 + 4 * k..12 + 4 * k].copy_from_slice(&rgba);
        }
        u
    }
}

struct Buffers {
    /// The CPU-side set: once its owner dropped it (a new data version), so can the GPU.
    set: Weak<GpuDiscs>,
    instances: wgpu::Buffer,
    uniforms: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    last_use: u64,
}

struct Resources {
    pipeline: wgpu::RenderPipeline,
    bind_group_layout: wgpu::BindGroupLayout,
    linear_target: bool,
    sets: HashMap<u64, Buffers>,
    uses: u64,
}

/// Create the disc pipeline in `render_state`'s renderer (see [`super::install_gpu_shapes`]).
pub(crate) fn install_gpu_discs(render_state: &egui_wgpu::RenderState, msaa_samples: u32) {
    let (pipeline, bind_group_layout) = wgpu_util::uniform_pipeline(
        render_state,
        msaa_samples,
        wgpu_util::PipelineSpec {
            label: "gpu_discs",
            shader: SHADER,
            uniform_bytes: UNIFORM_BYTES,
            uniform_visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
            buffer: wgpu::VertexBufferLayout {
                array_stride: INSTANCE_BYTES as u64,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &wgpu::vertex_attr_array![
                    0 => Float32x2,
                    1 => Float32,
                    2 => Float32,
                    3 => Uint32,
                    4 => Unorm8x4,
                    5 => Unorm8x4
                ],
            },
        },
    );
    render_state
        .renderer
        .write()
        .callback_resources
        .insert(Resources {
            pipeline,
            bind_group_layout,
            linear_target: render_state.target_format.is_srgb(),
            sets: HashMap::new(),
            uses: 0,
        });
}

impl egui_wgpu::CallbackTrait for DiscsCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen_descriptor: &egui_wgpu::ScreenDescriptor,
        _egui_encoder: &mut wgpu::CommandEncoder,
        callback_resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        let Some(resources) = callback_resources.get_mut::<Resources>() else {
            return Vec::new();
        };
        let discs = &self.discs;
        if discs.count == 0 {
            return Vec::new();
        }
        resources.uses += 1;
        let uses = resources.uses;
        if !resources.sets.contains_key(&discs.id) {
            resources.sets.retain(|_, b| b.set.strong_count() > 0);
            wgpu_util::evict_oldest(&mut resources.sets, MAX_SETS, |b| b.last_use);
            let instances = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("gpu_discs_instances"),
                contents: &discs.bytes,
                usage: wgpu::BufferUsages::VERTEX,
            });
            let (uniforms, bind_group) = wgpu_util::uniform_binding(
                device,
                &resources.bind_group_layout,
                "gpu_discs",
                UNIFORM_BYTES,
            );
            discs.uploads.fetch_add(1, Ordering::Relaxed);
            UPLOADS.fetch_add(1, Ordering::Relaxed);
            resources.sets.insert(
                discs.id,
                Buffers {
                    set: Arc::downgrade(discs),
                    instances,
                    uniforms,
                    bind_group,
                    last_use: uses,
                },
            );
        }
        let linear = resources.linear_target;
        if let Some(buffers) = resources.sets.get_mut(&discs.id) {
            buffers.last_use = uses;
            queue.write_buffer(
                &buffers.uniforms,
                0,
                &wgpu_util::f32_bytes(&self.uniforms(linear)),
            );
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        render_pass: &mut wgpu::RenderPass<'static>,
        callback_resources: &egui_wgpu::CallbackResources,
    ) {
        let Some(resources) = callback_resources.get::<Resources>() else {
            return;
        };
        let Some(buffers) = resources.sets.get(&self.discs.id) else {
            return;
        };
        render_pass.set_pipeline(&resources.pipeline);
        render_pass.set_bind_group(0, &buffers.bind_group, &[]);
        render_pass.set_vertex_buffer(0, buffers.instances.slice(..));
        render_pass.draw(0..6, 0..self.discs.count);
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // test colours
mod tests {
    use super::*;

    fn disc(norm: [f64; 2], fill: u8) -> Disc {
        Disc {
            norm,
            radius: 3.5,
            ring: 0.0,
            fill,
            ring_ends: [1.0; RING_CATEGORIES],
        }
    }

    #[test]
    fn instances_are_packed_relative_to_the_centre() {
        let uploads = Arc::new(AtomicU64::new(0));
        let set = GpuDiscs::build(
            [disc([0.25, 0.5], 1), disc([0.75, 0.5], 9)].into_iter(),
            uploads,
        );
        assert_eq!(set.len(), 2);
        assert_eq!(set.origin, [0.5, 0.5]);
        assert_eq!(set.bytes.len(), 2 * INSTANCE_BYTES);
        let f = |i: usize| {
            f32::from_le_bytes([
                set.bytes[i],
                set.bytes[i + 1],
                set.bytes[i + 2],
                set.bytes[i + 3],
            ])
        };
        assert_eq!([f(0), f(4), f(8), f(12)], [-0.25, 0.0, 3.5, 0.0]);
        assert_eq!(set.bytes[16], 1);
        assert_eq!(&set.bytes[20..28], &[255; 8]);
        assert_eq!(f(INSTANCE_BYTES), 0.25);
        // Every set gets its own id (the GPU cache key).
        let other = GpuDiscs::build(std::iter::empty(), Arc::new(AtomicU64::new(0)));
        assert_ne!(other.id, set.id);
        assert_eq!(other.len(), 0);
    }

    #[test]
    fn uniforms_carry_the_view_and_the_palette() {
        let set = Arc::new(GpuDiscs::build(
            [disc([0.25, 0.5], 0), disc([0.75, 0.5], 0)].into_iter(),
            Arc::new(AtomicU64::new(0)),
        ));
        let mut palette = [Color32::TRANSPARENT; PALETTE_SLOTS];
        palette[0] = Color32::WHITE;
        palette[PALETTE_SLOTS - 1] = Color32::from_rgba_premultiplied(0, 0, 128, 128);
        let callback = DiscsCallback {
            discs: set,
            transform: MercatorTransform::from_parts([10.0, 20.0], [100.0, 100.0]),
            rect: Rect::from_min_size(egui::pos2(5.0, 5.0), egui::vec2(50.0, 40.0)),
            palette,
            feather: 1.0,
        };
        let u = callback.uniforms(false);
        // Origin (0.5, 0.5) lands at 10 + 50 − 5 = 55 and 20 + 50 − 5 = 65 in the rect.
        assert_eq!(&u[..8], &[55.0, 65.0, 100.0, 100.0, 50.0, 40.0, 1.0, 0.0]);
        assert_eq!(&u[8..12], &[1.0, 1.0, 1.0, 1.0]);
        let last = 8 + 4 * (PALETTE_SLOTS - 1);
        assert!((u[last + 2] - 128.0 / 255.0).abs() < 1e-6);
        assert_eq!(u.len() * 4, UNIFORM_BYTES);
    }
}
