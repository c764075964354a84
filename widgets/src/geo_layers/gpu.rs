//! GPU drawing of [`ProjectedShapes`]: fills and outlines are built once in normalized Mercator
//! space, uploaded once into wgpu buffers, and drawn every frame through an `egui_wgpu` paint
//! callback whose only per-frame input is a small uniform (offset, scale, colours, line width).
//!
//! The CPU does no per-vertex work for a frame. Where no wgpu renderer was installed with
//! [`install_gpu_shapes`] (glow, a test renderer, a headless run), [`gpu_shapes_enabled`] is false
//! and [`super::OutlineLayer`] tessellates on the CPU as before.
//!
//! Outlines are quads per segment, widened in the vertex shader by a width in points; joints are
//! not mitred (invisible at the thin widths a basemap uses) and edges are not feathered.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use egui::{Color32, Context, Id, Rect};
use egui_wgpu::wgpu;
use egui_wgpu::wgpu::util::DeviceExt as _;

use super::wgpu_util;

/// Geometries kept on the GPU at once; the least recently drawn is dropped beyond this.
const MAX_GEOMETRIES: usize = 32;

const SHADER: &str = r"
struct Uniforms {
    offset: vec2<f32>,
    scale: vec2<f32>,
    viewport: vec2<f32>,
    half_width: f32,
    pad: f32,
    fill: vec4<f32>,
    stroke: vec4<f32>,
};
@group(0) @binding(0) var<uniform> u: Uniforms;

struct Out {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
};

@vertex
fn vs_main(@location(0) pos: vec2<f32>, @location(1) normal: vec2<f32>, @location(2) kind: f32) -> Out {
    let screen = u.offset + pos * u.scale + normal * u.half_width;
    let ndc = screen / u.viewport * 2.0 - vec2<f32>(1.0, 1.0);
    var out: Out;
    out.position = vec4<f32>(ndc.x, -ndc.y, 0.0, 1.0);
    out.color = mix(u.fill, u.stroke, kind);
    return out;
}

@fragment
fn fs_main(in: Out) -> @location(0) vec4<f32> {
    return in.color;
}
";

/// Floats per vertex: position relative to the origin (2), unit normal (2), 0 fill / 1 stroke.
const VERTEX_FLOATS: usize = 5;
/// Size of the uniform block in bytes (see `SHADER`).
const UNIFORM_BYTES: usize = 64;

fn flag_id() -> Id {
    Id::NULL.with("tianshu_widgets::gpu_shapes")
}

/// Whether [`super::OutlineLayer`] and [`super::ClusteredPointsLayer`] draw through the GPU path
/// in this context.
pub fn gpu_shapes_enabled(ctx: &Context) -> bool {
    ctx.data(|d| d.get_temp::<bool>(flag_id())).unwrap_or(false)
}

/// Turn the GPU path on or off without installing anything.
///
/// Off forces the CPU path. On without [`install_gpu_shapes`] makes layers emit paint callbacks
/// that a renderer without the pipeline skips: useful only to measure the CPU side of frames
/// headlessly, as a wgpu console would spend it.
pub fn set_gpu_shapes(ctx: &Context, enabled: bool) {
    ctx.data_mut(|d| d.insert_temp(flag_id(), enabled));
}

/// Create the pipelines in `render_state`'s renderer (outlines and fills here, instanced discs in
/// `discs_gpu.rs`) and turn the GPU path on for `ctx`.
///
/// `msaa_samples` must match the renderer's (eframe: `NativeOptions::multisampling`, 0 or 1 =
/// off); the egui render pass must have no depth buffer (eframe's default).
pub fn install_gpu_shapes(ctx: &Context, render_state: &egui_wgpu::RenderState, msaa_samples: u32) {
    let (pipeline, bind_group_layout) = wgpu_util::uniform_pipeline(
        render_state,
        msaa_samples,
        wgpu_util::PipelineSpec {
            label: "gpu_shapes",
            shader: SHADER,
            uniform_bytes: UNIFORM_BYTES,
            uniform_visibility: wgpu::ShaderStages::VERTEX,
            buffer: wgpu::VertexBufferLayout {
                array_stride: (VERTEX_FLOATS * 4) as u64,
                step_mode: wgpu::VertexStepMode::Vertex,
                attributes: &wgpu::vertex_attr_array![0 => Float32x2, 1 => Float32x2, 2 => Float32],
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
            geometries: HashMap::new(),
            uses: 0,
        });
    super::discs_gpu::install_gpu_discs(render_state, msaa_samples);
    set_gpu_shapes(ctx, true);
}

/// Vertices and indices of one [`ProjectedShapes`], in normalized Mercator space.
#[derive(Debug)]
pub(crate) struct GpuGeometry {
    id: u64,
    /// Normalized point the f32 vertex positions are relative to (keeps f32 precise when zoomed).
    origin: [f64; 2],
    vertices: Vec<f32>,
    indices: Vec<u32>,
    fill: Range<u32>,
    stroke: Range<u32>,
}

impl GpuGeometry {
    /// `rings`: per shape, its points, whether it is closed, and its fill triangles (indices into
    /// the points) when it is filled.
    pub(crate) fn build<'a>(
        shapes: impl Iterator<Item = (&'a [[f64; 2]], bool, Option<Vec<[u32; 3]>>)> + Clone,
        origin: [f64; 2],
    ) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let mut vertices = Vec::new();
        let mut indices = Vec::new();
        let rel = |p: [f64; 2]| [(p[0] - origin[0]) as f32, (p[1] - origin[1]) as f32];
        let mut vertex_count = 0u32;
        for (points, _, triangles) in shapes.clone() {
            let Some(triangles) = triangles else { continue };
            let base = vertex_count;
            for &p in points {
                let [x, y] = rel(p);
                vertices.extend_from_slice(&[x, y, 0.0, 0.0, 0.0]);
                vertex_count += 1;
            }
            for t in triangles {
                indices.extend_from_slice(&[base + t[0], base + t[1], base + t[2]]);
            }
        }
        let fill_end = indices.len() as u32;
        for (points, closed, _) in shapes {
            let n = points.len();
            let segments = if closed { n } else { n.saturating_sub(1) };
            for i in 0..segments {
                let (a, b) = (points[i], points[(i + 1) % n]);
                let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
                let length = dx.hypot(dy);
                if !length.is_finite() || length <= 0.0 {
                    continue;
                }
                let normal = [(-dy / length) as f32, (dx / length) as f32];
                let base = vertex_count;
                for (p, side) in [(a, 1.0), (a, -1.0), (b, 1.0), (b, -1.0)] {
                    let [x, y] = rel(p);
                    vertices.extend_from_slice(&[x, y, normal[0] * side, normal[1] * side, 1.0]);
                }
                vertex_count += 4;
                indices.extend_from_slice(&[
                    base,
                    base + 1,
                    base + 2,
                    base + 2,
                    base + 1,
                    base + 3,
                ]);
            }
        }
        let end = indices.len() as u32;
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            origin,
            vertices,
            indices,
            fill: 0..fill_end,
            stroke: fill_end..end,
        }
    }

    #[cfg(test)]
    pub(crate) fn vertex_count(&self) -> usize {
        self.vertices.len() / VERTEX_FLOATS
    }
}

/// One frame's draw of a [`GpuGeometry`].
pub(crate) struct ShapesCallback {
    pub geometry: Arc<GpuGeometry>,
    /// Screen position (points) of normalized (0, 0) and points per normalized unit.
    pub offset: [f64; 2],
    pub scale: [f64; 2],
    /// Top-left of the callback rect, points.
    pub rect: Rect,
    pub fill: Option<Color32>,
    pub stroke: Option<(Color32, f32)>,
}

impl ShapesCallback {
    pub(crate) fn into_shape(self) -> egui::Shape {
        let rect = self.rect;
        egui::Shape::Callback(egui_wgpu::Callback::new_paint_callback(rect, self))
    }

    fn uniforms(&self, linear: bool) -> [f32; UNIFORM_BYTES / 4] {
        let colour = |c: Color32| wgpu_util::colour(c, linear);
        let origin = self.geometry.origin;
        let offset = [
            (self.offset[0] + self.scale[0] * origin[0] - f64::from(self.rect.min.x)) as f32,
            (self.offset[1] + self.scale[1] * origin[1] - f64::from(self.rect.min.y)) as f32,
        ];
        let fill = colour(self.fill.unwrap_or(Color32::TRANSPARENT));
        let (stroke, width) = self.stroke.unwrap_or((Color32::TRANSPARENT, 0.0));
        let stroke = colour(stroke);
        [
            offset[0],
            offset[1],
            self.scale[0] as f32,
            self.scale[1] as f32,
            self.rect.width(),
            self.rect.height(),
            width * 0.5,
            0.0,
            fill[0],
            fill[1],
            fill[2],
            fill[3],
            stroke[0],
            stroke[1],
            stroke[2],
            stroke[3],
        ]
    }
}

struct Buffers {
    vertices: wgpu::Buffer,
    indices: wgpu::Buffer,
    uniforms: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    last_use: u64,
}

struct Resources {
    pipeline: wgpu::RenderPipeline,
    bind_group_layout: wgpu::BindGroupLayout,
    linear_target: bool,
    geometries: HashMap<u64, Buffers>,
    uses: u64,
}

impl egui_wgpu::CallbackTrait for ShapesCallback {
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
        let geometry = &self.geometry;
        if geometry.indices.is_empty() {
            return Vec::new();
        }
        resources.uses += 1;
        let uses = resources.uses;
        if !resources.geometries.contains_key(&geometry.id) {
            wgpu_util::evict_oldest(&mut resources.geometries, MAX_GEOMETRIES, |b| b.last_use);
            let vertices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("gpu_shapes_vertices"),
                contents: &wgpu_util::f32_bytes(&geometry.vertices),
                usage: wgpu::BufferUsages::VERTEX,
            });
            let index_bytes: Vec<u8> = geometry
                .indices
                .iter()
                .flat_map(|i| i.to_le_bytes())
                .collect();
            let indices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("gpu_shapes_indices"),
                contents: &index_bytes,
                usage: wgpu::BufferUsages::INDEX,
            });
            let (uniforms, bind_group) = wgpu_util::uniform_binding(
                device,
                &resources.bind_group_layout,
                "gpu_shapes",
                UNIFORM_BYTES,
            );
            resources.geometries.insert(
                geometry.id,
                Buffers {
                    vertices,
                    indices,
                    uniforms,
                    bind_group,
                    last_use: uses,
                },
            );
        }
        let linear = resources.linear_target;
        if let Some(buffers) = resources.geometries.get_mut(&geometry.id) {
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
        let Some(buffers) = resources.geometries.get(&self.geometry.id) else {
            return;
        };
        render_pass.set_pipeline(&resources.pipeline);
        render_pass.set_bind_group(0, &buffers.bind_group, &[]);
        render_pass.set_vertex_buffer(0, buffers.vertices.slice(..));
        render_pass.set_index_buffer(buffers.indices.slice(..), wgpu::IndexFormat::Uint32);
        if self.fill.is_some() && !self.geometry.fill.is_empty() {
            render_pass.draw_indexed(self.geometry.fill.clone(), 0, 0..1);
        }
        if self.stroke.is_some() && !self.geometry.stroke.is_empty() {
            render_pass.draw_indexed(self.geometry.stroke.clone(), 0, 0..1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_has_fills_then_quads_per_segment() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        let line = [[0.0, 0.0], [0.5, 0.5], [0.5, 0.5]];
        let shapes = vec![
            (&square[..], true, Some(vec![[0, 1, 2], [0, 2, 3]])),
            (&line[..], false, None),
        ];
        let g = GpuGeometry::build(shapes.into_iter(), [0.5, 0.5]);
        assert_eq!(g.fill, 0..6);
        // Four closed segments and one non-degenerate open one, six indices each.
        assert_eq!(g.stroke, 6..6 + 5 * 6);
        assert_eq!(g.vertex_count(), 4 + 5 * 4);
        assert!(g.indices.iter().all(|&i| (i as usize) < g.vertex_count()));
        // Positions are relative to the origin.
        assert_eq!(&g.vertices[..2], &[-0.5, -0.5]);
    }

    #[test]
    fn uniforms_place_origin_relative_to_rect() {
        let g = Arc::new(GpuGeometry::build(std::iter::empty(), [0.25, 0.5]));
        let callback = ShapesCallback {
            geometry: g,
            offset: [10.0, 20.0],
            scale: [100.0, 100.0],
            rect: Rect::from_min_size(egui::pos2(5.0, 5.0), egui::vec2(50.0, 40.0)),
            fill: Some(Color32::WHITE),
            stroke: Some((Color32::BLACK, 2.0)),
        };
        let u = callback.uniforms(false);
        assert_eq!(&u[..8], &[30.0, 65.0, 100.0, 100.0, 50.0, 40.0, 1.0, 0.0]);
        assert_eq!(&u[8..12], &[1.0, 1.0, 1.0, 1.0]);
    }
}
