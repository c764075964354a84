//! The console's window where the only adapter is a CPU (issue 17): winit and egui-winit for the
//! window and its input, egui's meshes drawn by `tianshu-raster` (only the tiles that changed),
//! the pixels presented with softbuffer (only the damaged rectangles). Through a software Vulkan
//! driver the same frame costs 5–10× the CPU: every fragment of every layer runs a JIT-compiled
//! shader and the whole window is drawn again each frame.
//!
//! One window (the root viewport); extra viewports (wall screens) are shown inside it.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use egui::{ViewportId, ViewportInfo};
use tianshu_raster::{Canvas, PixelRect, Rasteriser};
use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::{Window, WindowId};

/// What the window runs.
pub trait SoftwareApp {
    /// Before each frame: input the app adds of its own (the bench's scripted sweeps).
    fn raw_input_hook(&mut self, _raw_input: &mut egui::RawInput) {}
    fn ui(&mut self, ui: &mut egui::Ui);
    /// The colour the frame starts from (the theme's panel colour).
    fn clear_colour(&self) -> egui::Color32;
    /// After each frame on the screen: where its time went.
    fn painted(&mut self, _timing: &FrameTiming) {}
    /// Once, before the first frame: the CPU renderer draws this window.
    fn drawn_by_cpu_raster(&mut self) {}
}

/// One frame's work, wall time in ms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameTiming {
    pub ui_ms: f64,
    pub tessellate_ms: f64,
    /// The whole raster step; of it, converting vertices and binning triangles to tiles.
    pub raster_ms: f64,
    pub raster_prepare_ms: f64,
    pub raster_bin_ms: f64,
    pub present_ms: f64,
    pub triangles: usize,
    /// Outline segments the raster drew from the map's rings (not triangles).
    pub ring_segments: usize,
    pub pixels_redrawn: usize,
}

/// Builds the app once the window and its egui context exist.
pub type AppFactory = Box<dyn FnOnce(&egui::Context) -> anyhow::Result<Box<dyn SoftwareApp>>>;

/// A wake-up from another thread.
#[derive(Debug)]
enum Wake {
    /// egui asked for a frame at this time, during pass `pass_nr`.
    RepaintAt { at: Instant, pass_nr: u64 },
    /// An assistive technology (screen reader) asked for the tree or an action.
    AccessKit(accesskit_winit::Event),
}

impl From<accesskit_winit::Event> for Wake {
    fn from(event: accesskit_winit::Event) -> Self {
        Self::AccessKit(event)
    }
}

type Surface = softbuffer::Surface<Arc<Window>, Arc<Window>>;

struct Open {
    window: Arc<Window>,
    surface: Surface,
    input: egui_winit::State,
    app: Box<dyn SoftwareApp>,
}

struct Runner {
    ctx: egui::Context,
    proxy: EventLoopProxy<Wake>,
    /// The window is shown once its first frame is drawn (no blank window, and AccessKit's
    /// adapter is made before the window is visible, as it requires).
    shown: bool,
    builder: egui::ViewportBuilder,
    factory: Option<AppFactory>,
    open: Option<Open>,
    raster: Rasteriser,
    canvas: Canvas,
    info: ViewportInfo,
    next_frame: Option<Instant>,
    /// The surface's size the last present was made for (a resize presents everything).
    presented_size: (u32, u32),
    error: Option<anyhow::Error>,
}

/// Opens the window and runs until it closes.
pub fn run(builder: egui::ViewportBuilder, factory: AppFactory) -> anyhow::Result<()> {
    let event_loop = EventLoop::<Wake>::with_user_event()
        .build()
        .context("the window system could not be reached (is DISPLAY or WAYLAND_DISPLAY set?)")?;
    let ctx = egui::Context::default();
    // Other viewports are shown as windows inside this one.
    ctx.set_embed_viewports(true);
    // The map layers hand their rings to the raster to fill and outline (no triangles for them).
    tianshu_raster::rings::enable(&ctx);
    install_repaint_wake(&ctx, event_loop.create_proxy());
    let mut runner = Runner {
        ctx,
        proxy: event_loop.create_proxy(),
        shown: false,
        builder,
        factory: Some(factory),
        open: None,
        raster: Rasteriser::new(0),
        canvas: Canvas::default(),
        info: ViewportInfo::default(),
        next_frame: None,
        presented_size: (0, 0),
        error: None,
    };
    event_loop
        .run_app(&mut runner)
        .context("the window's event loop failed")?;
    match runner.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn install_repaint_wake(ctx: &egui::Context, proxy: EventLoopProxy<Wake>) {
    ctx.set_request_repaint_callback(move |info| {
        let at = Instant::now()
            .checked_add(info.delay)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        // The loop is gone when the window closed: nothing to wake.
        let _ = proxy.send_event(Wake::RepaintAt {
            at,
            pass_nr: info.current_cumulative_pass_nr,
        });
    });
}

impl Runner {
    fn open(&mut self, event_loop: &ActiveEventLoop) -> anyhow::Result<()> {
        let hidden = self.builder.clone().with_visible(false);
        let window = Arc::new(
            egui_winit::create_window(&self.ctx, event_loop, &hidden)
                .context("the window could not be opened")?,
        );
        let mut input = egui_winit::State::new(
            self.ctx.clone(),
            ViewportId::ROOT,
            event_loop,
            Some(window.scale_factor() as f32),
            window.theme(),
            None,
        );
        input.init_accesskit(event_loop, &window, self.proxy.clone());
        let context = softbuffer::Context::new(window.clone())
            .map_err(|e| anyhow::anyhow!("no software surface for this display: {e}"))?;
        let surface = Surface::new(&context, window.clone())
            .map_err(|e| anyhow::anyhow!("no software surface for the window: {e}"))?;
        egui_winit::update_viewport_info(&mut self.info, &self.ctx, &window, true);
        let factory = self
            .factory
            .take()
            .context("the console was already started")?;
        let mut app = factory(&self.ctx)?;
        app.drawn_by_cpu_raster();
        window.request_redraw();
        self.open = Some(Open {
            window,
            surface,
            input,
            app,
        });
        Ok(())
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, error: anyhow::Error) {
        self.error = Some(error);
        event_loop.exit();
    }

    /// Runs the UI, draws what changed and presents it.
    fn frame(&mut self, event_loop: &ActiveEventLoop) -> anyhow::Result<()> {
        let Some(open) = self.open.as_mut() else {
            return Ok(());
        };
        let started = Instant::now();
        let mut raw_input = open.input.take_egui_input(&open.window);
        egui_winit::update_viewport_info(&mut self.info, &self.ctx, &open.window, false);
        raw_input
            .viewports
            .insert(ViewportId::ROOT, self.info.clone());
        open.app.raw_input_hook(&mut raw_input);
        let app = &mut open.app;
        let mut output = self.ctx.run_ui(raw_input, |ui| app.ui(ui));
        let ui_done = Instant::now();
        open.input.handle_platform_output_with_event_loop(
            &open.window,
            event_loop,
            std::mem::take(&mut output.platform_output),
        );
        let primitives = self
            .ctx
            .tessellate(std::mem::take(&mut output.shapes), output.pixels_per_point);
        let tessellated = Instant::now();

        let size = open.window.inner_size();
        let (width, height) = (size.width.max(1), size.height.max(1));
        self.canvas.resize(width as usize, height as usize);
        let stats = self.raster.paint(
            &mut self.canvas,
            open.app.clear_colour(),
            &primitives,
            &mut output.textures_delta,
            output.pixels_per_point,
        );
        let rastered = Instant::now();
        present(open, &self.canvas, &stats.damage, &mut self.presented_size)?;
        let presented = Instant::now();
        if !self.shown {
            self.shown = true;
            open.window
                .set_visible(self.builder.visible.unwrap_or(true));
        }
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
        open.app.painted(&FrameTiming {
            ui_ms: ms(started, ui_done),
            tessellate_ms: ms(ui_done, tessellated),
            raster_ms: ms(tessellated, rastered),
            raster_prepare_ms: stats.prepare_ms,
            raster_bin_ms: stats.bin_ms,
            present_ms: ms(rastered, presented),
            triangles: stats.triangles,
            ring_segments: stats.segments,
            pixels_redrawn: stats.pixels_redrawn,
        });

        for (id, viewport) in output.viewport_output {
            if id != ViewportId::ROOT {
                continue;
            }
            let mut actions = Vec::new();
            egui_winit::process_viewport_commands(
                &self.ctx,
                &mut self.info,
                viewport.commands,
                &open.window,
                &mut actions,
            );
            for action in actions {
                act(open, &self.canvas, action);
            }
            if viewport.repaint_delay < Duration::from_secs(3600) {
                earliest(
                    &mut self.next_frame,
                    Instant::now() + viewport.repaint_delay,
                );
            }
        }
        if self.info.events.contains(&egui::ViewportEvent::Close) {
            event_loop.exit();
        }
        Ok(())
    }
}

/// Keeps the earlier of the frame already asked for and `at`.
fn earliest(next_frame: &mut Option<Instant>, at: Instant) {
    *next_frame = Some(next_frame.map_or(at, |t| t.min(at)));
}

/// What a viewport command asked of the window itself.
fn act(open: &mut Open, canvas: &Canvas, action: egui_winit::ActionRequested) {
    match action {
        egui_winit::ActionRequested::Screenshot(callback) => {
            callback.complete(Arc::new(canvas.to_image()));
        }
        egui_winit::ActionRequested::Cut => {
            open.input.egui_input_mut().events.push(egui::Event::Cut);
        }
        egui_winit::ActionRequested::Copy => {
            open.input.egui_input_mut().events.push(egui::Event::Copy);
        }
        egui_winit::ActionRequested::Paste => {
            if let Some(text) = open.input.clipboard_text() {
                let text = text.replace("\r\n", "\n");
                if !text.is_empty() {
                    open.input
                        .egui_input_mut()
                        .events
                        .push(egui::Event::Paste(text));
                }
            }
        }
        egui_winit::ActionRequested::PaintWhileHidden => {}
    }
}

/// Copies what changed into the window's buffer and presents it.
fn present(
    open: &mut Open,
    canvas: &Canvas,
    damage: &[PixelRect],
    presented_size: &mut (u32, u32),
) -> anyhow::Result<()> {
    let (w, h) = (canvas.width as u32, canvas.height as u32);
    let resized = *presented_size != (w, h);
    if damage.is_empty() && !resized {
        return Ok(());
    }
    let (Some(nw), Some(nh)) = (NonZeroU32::new(w), NonZeroU32::new(h)) else {
        return Ok(());
    };
    open.surface
        .resize(nw, nh)
        .map_err(|e| anyhow::anyhow!("the window's buffer could not be resized: {e}"))?;
    let mut buffer = open
        .surface
        .buffer_mut()
        .map_err(|e| anyhow::anyhow!("the window's buffer is not available: {e}"))?;
    // A buffer that holds the last frame only needs what changed; any other, everything.
    let whole = resized || buffer.age() != 1;
    let full = [PixelRect {
        x0: 0,
        y0: 0,
        x1: canvas.width,
        y1: canvas.height,
    }];
    let rects = if whole { &full[..] } else { damage };
    for r in rects {
        for y in r.y0..r.y1 {
            let row = y * canvas.width;
            buffer[row + r.x0..row + r.x1].copy_from_slice(&canvas.pixels[row + r.x0..row + r.x1]);
        }
    }
    let damage_rects: Vec<softbuffer::Rect> = rects
        .iter()
        .filter_map(|r| {
            Some(softbuffer::Rect {
                x: r.x0 as u32,
                y: r.y0 as u32,
                width: NonZeroU32::new((r.x1 - r.x0) as u32)?,
                height: NonZeroU32::new((r.y1 - r.y0) as u32)?,
            })
        })
        .collect();
    buffer
        .present_with_damage(&damage_rects)
        .map_err(|e| anyhow::anyhow!("the frame could not be presented: {e}"))?;
    *presented_size = (w, h);
    Ok(())
}

impl ApplicationHandler<Wake> for Runner {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.open.is_none()
            && let Err(e) = self.open(event_loop)
        {
            self.fail(event_loop, e);
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        match &event {
            WindowEvent::CloseRequested => {
                event_loop.exit();
                return;
            }
            WindowEvent::RedrawRequested => {
                self.next_frame = None;
                if let Err(e) = self.frame(event_loop) {
                    self.fail(event_loop, e);
                }
                return;
            }
            WindowEvent::Resized(_) | WindowEvent::ScaleFactorChanged { .. } => {
                open.window.request_redraw();
            }
            _ => {}
        }
        if open.input.on_window_event(&open.window, &event).repaint {
            open.window.request_redraw();
        }
    }

    fn user_event(&mut self, _event_loop: &ActiveEventLoop, wake: Wake) {
        match wake {
            // A request from a pass before the last one was answered by the frames since (as
            // eframe does): drawing for it again would only double frames.
            Wake::RepaintAt { at, pass_nr } => {
                let now = self.ctx.cumulative_pass_nr();
                if now == pass_nr || now == pass_nr + 1 {
                    earliest(&mut self.next_frame, at);
                }
            }
            Wake::AccessKit(event) => {
                let Some(open) = self.open.as_mut() else {
                    return;
                };
                match event.window_event {
                    accesskit_winit::WindowEvent::InitialTreeRequested => {
                        // The tree goes out with the next frame: draw one now.
                        open.input.egui_ctx().enable_accesskit();
                        open.window.request_redraw();
                    }
                    accesskit_winit::WindowEvent::ActionRequested(request) => {
                        open.input.on_accesskit_action_request(request);
                        open.window.request_redraw();
                    }
                    accesskit_winit::WindowEvent::AccessibilityDeactivated => {
                        open.input.egui_ctx().disable_accesskit();
                    }
                }
            }
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        match (self.next_frame, self.open.as_ref()) {
            (Some(at), Some(open)) if at <= Instant::now() => {
                self.next_frame = None;
                open.window.request_redraw();
                event_loop.set_control_flow(ControlFlow::Wait);
            }
            (Some(at), _) => event_loop.set_control_flow(ControlFlow::WaitUntil(at)),
            (None, _) => event_loop.set_control_flow(ControlFlow::Wait),
        }
    }
}

/// Whether the CPU renderer should draw the window: asked for, or (`auto`) wgpu's best adapter
/// is a CPU (a software Vulkan/GL driver such as lavapipe or llvmpipe) or there is none.
/// Returns the decision and what it was based on (for the log and the bench).
pub fn wants_software(choice: crate::cli::RendererChoice) -> (bool, String) {
    use crate::cli::RendererChoice;
    use eframe::wgpu;
    match choice {
        RendererChoice::Software => (true, "asked for (--renderer software)".to_owned()),
        RendererChoice::Gpu => (false, "asked for (--renderer gpu)".to_owned()),
        RendererChoice::Auto => {
            let instance = wgpu::Instance::new(
                wgpu::InstanceDescriptor::new_without_display_handle_from_env(),
            );
            let options = wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            };
            match futures_util::FutureExt::now_or_never(instance.request_adapter(&options)) {
                Some(Ok(adapter)) => {
                    let info = adapter.get_info();
                    let cpu = info.device_type == wgpu::DeviceType::Cpu;
                    (
                        cpu,
                        format!("wgpu's adapter: {} ({:?})", info.name, info.device_type),
                    )
                }
                Some(Err(e)) => (true, format!("wgpu found no adapter: {e}")),
                None => (false, "wgpu's adapter is not known yet".to_owned()),
            }
        }
    }
}
