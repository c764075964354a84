//! wgpu plumbing shared by the GPU layers (`gpu.rs` outlines and fills, `discs_gpu.rs` instanced
//! discs): one render pipeline with a single uniform block at group 0 binding 0, per-upload uniform
//! buffers with their bind groups, little-endian byte packing and colour conversion.

use std::collections::HashMap;
use std::hash::Hash;

use egui::{Color32, Rgba};
use egui_wgpu::wgpu;

/// What differs between the layers' pipelines.
pub(super) struct PipelineSpec<'a> {
    /// Label of the shader, layouts and pipeline.
    pub label: &'a str,
    /// WGSL source with `vs_main` and `fs_main`.
    pub shader: &'a str,
    /// Size of the uniform block at group 0 binding 0, bytes.
    pub uniform_bytes: usize,
    /// Stages that read the uniform block.
    pub uniform_visibility: wgpu::ShaderStages,
    /// The one vertex (or instance) buffer.
    pub buffer: wgpu::VertexBufferLayout<'a>,
}

/// Build the pipeline of `spec` for `render_state`'s target: premultiplied alpha blending, no depth
/// buffer, `msaa_samples` (0 or 1 = off) matching the renderer's.
pub(super) fn uniform_pipeline(
    render_state: &egui_wgpu::RenderState,
    msaa_samples: u32,
    spec: PipelineSpec<'_>,
) -> (wgpu::RenderPipeline, wgpu::BindGroupLayout) {
    let device = &render_state.device;
    let format = render_state.target_format;
    let label = Some(spec.label);
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label,
        source: wgpu::ShaderSource::Wgsl(spec.shader.into()),
    });
    let bind_group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label,
        entries: &[wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: spec.uniform_visibility,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: std::num::NonZeroU64::new(spec.uniform_bytes as u64),
            },
            count: None,
        }],
    });
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label,
        bind_group_layouts: &[Some(&bind_group_layout)],
        immediate_size: 0,
    });
    let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label,
        layout: Some(&layout),
        vertex: wgpu::VertexState {
            module: &module,
            entry_point: Some("vs_main"),
            buffers: &[Some(spec.buffer)],
            compilation_options: wgpu::PipelineCompilationOptions::default(),
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample: wgpu::MultisampleState {
            count: msaa_samples.max(1),
            mask: !0,
            alpha_to_coverage_enabled: false,
        },
        fragment: Some(wgpu::FragmentState {
            module: &module,
            entry_point: Some("fs_main"),
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                write_mask: wgpu::ColorWrites::ALL,
            })],
            compilation_options: wgpu::PipelineCompilationOptions::default(),
        }),
        multiview_mask: None,
        cache: None,
    });
    (pipeline, bind_group_layout)
}

/// A uniform buffer of `size` bytes (written each frame) and its bind group in `layout`.
pub(super) fn uniform_binding(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    label: &str,
    size: usize,
) -> (wgpu::Buffer, wgpu::BindGroup) {
    let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(&format!("{label}_uniforms")),
        size: size as u64,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: uniforms.as_entire_binding(),
        }],
    });
    (uniforms, bind_group)
}

/// Make room for one more entry: when `map` holds `max` or more, drop the least recently used.
pub(super) fn evict_oldest<K: Copy + Eq + Hash, V>(
    map: &mut HashMap<K, V>,
    max: usize,
    last_use: impl Fn(&V) -> u64,
) {
    if map.len() >= max
        && let Some(oldest) = map.iter().min_by_key(|(_, v)| last_use(v)).map(|(k, _)| *k)
    {
        map.remove(&oldest);
    }
}

/// Little-endian bytes of `values`, as a buffer wants them.
pub(super) fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// `c` as the shader's RGBA: linear for an sRGB target (the GPU encodes), gamma otherwise.
pub(super) fn colour(c: Color32, linear: bool) -> [f32; 4] {
    if linear {
        Rgba::from(c).to_array()
    } else {
        c.to_normalized_gamma_f32()
    }
}
