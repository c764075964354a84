//! The CPU renderer (`tianshu-raster`, what `--renderer software` draws the window with) against
//! wgpu (egui_kittest's renderer: lavapipe here and in CI) on the console's real frames: every
//! view with its data, at 1 and 2 pixels per point, compared pixel by pixel. And once more after
//! input, through the raster's tile damage, against a fresh full redraw.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui::TexturesDelta;
use egui_kittest::TestRenderer;
use image::RgbaImage;
use tianshu::ui::View;
use tianshu_raster::{Canvas, Rasteriser};

mod console_support;
use console_support::*;

/// egui_kittest's renderer interface over tianshu-raster.
struct RasterRenderer {
    raster: Rasteriser,
    canvas: Canvas,
    /// Draw every frame from scratch (no tile damage).
    fresh: bool,
}

impl RasterRenderer {
    fn new(fresh: bool) -> Self {
        Self {
            raster: Rasteriser::new(2),
            canvas: Canvas::default(),
            fresh,
        }
    }
}

impl TestRenderer for RasterRenderer {
    fn handle_delta(&mut self, delta: &mut TexturesDelta) {
        self.raster.set_textures(delta);
        self.raster.free_textures(delta);
    }

    fn render(
        &mut self,
        ctx: &egui::Context,
        output: &egui::FullOutput,
    ) -> Result<RgbaImage, String> {
        let ppp = output.pixels_per_point;
        let primitives = ctx.tessellate(output.shapes.clone(), ppp);
        let size = ctx.content_rect().size() * ppp;
        let (w, h) = (size.x.round() as usize, size.y.round() as usize);
        self.canvas.resize(w, h);
        if self.fresh {
            self.raster.invalidate();
        }
        self.raster.paint(
            &mut self.canvas,
            egui::Color32::TRANSPARENT,
            &primitives,
            &mut TexturesDelta::default(),
            ppp,
        );
        let mut image = RgbaImage::new(w as u32, h as u32);
        for (pixel, colour) in image.pixels_mut().zip(&self.canvas.to_image().pixels) {
            *pixel = image::Rgba(colour.to_array());
        }
        Ok(image)
    }
}

/// Share of pixels whose channels all differ by at most `tolerance`, and the mean difference.
fn likeness(a: &RgbaImage, b: &RgbaImage, tolerance: u8) -> (f64, f64) {
    assert_eq!(a.dimensions(), b.dimensions());
    let (mut close, mut total_diff) = (0usize, 0u64);
    for (p, q) in a.pixels().zip(b.pixels()) {
        let d = (0..3).map(|i| p[i].abs_diff(q[i])).max().unwrap_or(0);
        close += usize::from(d <= tolerance);
        total_diff += u64::from(d);
    }
    let n = (a.width() * a.height()) as f64;
    (close as f64 / n, total_diff as f64 / n)
}

fn dump(image: &RgbaImage, name: &str) {
    if let Ok(dir) = std::env::var("TIANSHU_DUMP_DIR") {
        image.save(format!("{dir}/{name}.png")).unwrap();
    }
}

fn render_view(view: View, ppp: f32, renderer: Option<RasterRenderer>) -> RgbaImage {
    let size = egui::vec2(1280.0, 720.0);
    let (mut harness, fixture) = match renderer {
        Some(r) => console_rendered_by(view, size, r),
        None => console(view, size),
    };
    harness.set_pixels_per_point(ppp);
    connect(&fixture, simulated_snapshot());
    every_view_data(&fixture);
    harness.run_steps(8);
    harness.render().unwrap()
}

#[test]
fn every_view_looks_the_same_drawn_by_the_cpu_renderer_and_by_wgpu() {
    for view in View::ALL {
        for ppp in [1.0, 2.0] {
            let gpu = render_view(view, ppp, None);
            let cpu = render_view(view, ppp, Some(RasterRenderer::new(true)));
            let name = format!("{view:?}-{ppp}x");
            dump(&gpu, &format!("{name}-wgpu"));
            dump(&cpu, &format!("{name}-raster"));
            let (close, mean) = likeness(&gpu, &cpu, 24);
            eprintln!("{name}: {:.3} % within 24, mean {mean:.3}", close * 100.0);
            let shades: std::collections::HashSet<[u8; 4]> = cpu.pixels().map(|p| p.0).collect();
            assert!(
                shades.len() > 200,
                "{name}: only {} colours drawn",
                shades.len()
            );
            // Both follow the same pixel-centre rule and blend in 8 bits; a sliver may differ.
            assert!(
                close >= 0.999 && mean <= 0.5,
                "{name}: {:.3} % of pixels within 24 levels, mean difference {mean:.2}",
                close * 100.0
            );
        }
    }
}

/// `view` with its data, dragged over the map and hovered elsewhere, as `renderer` draws it.
fn after_input(view: View, renderer: RasterRenderer, render_first: bool) -> RgbaImage {
    let (mut harness, fixture) = console_rendered_by(view, egui::vec2(1280.0, 720.0), renderer);
    connect(&fixture, simulated_snapshot());
    every_view_data(&fixture);
    harness.run_steps(4);
    if render_first {
        let _ = harness.render().unwrap();
    }
    harness.drag_at(egui::pos2(500.0, 300.0));
    harness.hover_at(egui::pos2(620.0, 330.0));
    harness.run_steps(2);
    harness.drop_at(egui::pos2(560.0, 340.0));
    harness.run_steps(2);
    harness.render().unwrap()
}

#[test]
fn drawing_only_what_changed_leaves_the_same_picture_as_drawing_everything() {
    for view in [View::Overview, View::Factories, View::Progress] {
        // Drawn once before the input, then only the tiles that changed…
        let partial = after_input(view, RasterRenderer::new(false), true);
        // …against every tile drawn afresh.
        let full = after_input(view, RasterRenderer::new(true), false);
        let (close, _) = likeness(&partial, &full, 0);
        assert!(close == 1.0, "{view:?}: {:.4} % identical", close * 100.0);
    }
}
