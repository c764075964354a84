//! The harness every bench mode shares: the console headless (an egui context, the real client
//! and app), its frame builder, the client's wake-ups, the runtime, and the `Rig` that starts them
//! with a backend.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::backend::{self, BackendConfig};
use crate::cli::BenchArgs;
use crate::client::{self, ApiClient};
use crate::i18n::Lang;
use crate::state::State;
use crate::ui::theme::Theme;
use crate::ui::{ConsoleApp, View, fonts};

/// The console as the bench drives it, headless: an egui context with the fonts (and the GPU
/// shape layers unless `cpu_shapes`), the client on `api` waking `Wake`, and the app in English,
/// noc-dark, on the overview; with a second sender of the app's commands.
pub(super) fn headless_console(
    runtime: &tokio::runtime::Handle,
    api: ApiClient,
    size: egui::Vec2,
    cpu_shapes: bool,
) -> anyhow::Result<(
    ConsoleApp,
    Frames,
    Arc<Wake>,
    tokio::sync::mpsc::Sender<crate::client::Command>,
)> {
    let ctx = egui::Context::default();
    fonts::install(&ctx);
    // A wgpu console draws the static basemap with paint callbacks (see `install_gpu_shapes`).
    tianshu_widgets::geo_layers::set_gpu_shapes(&ctx, !cpu_shapes);
    let wake = Arc::new(Wake::default());
    let waker = wake.clone();
    let client = client::spawn(runtime, api, Arc::new(move || waker.notify()));
    let commands = client.commands.clone();
    let app = console_on(client)?;
    let frames = Frames {
        ctx,
        size,
        time: 0.0,
    };
    Ok((app, frames, wake, commands))
}

/// The console every bench times: English, the default theme, the overview, on `client`.
pub(super) fn console_on(
    client: client::ClientHandle,
) -> Result<ConsoleApp, crate::ui::theme::ThemeError> {
    Ok(ConsoleApp::new(
        State::new(client.base_url.clone()),
        Lang::En,
        Theme::built_in("noc-dark")?,
        View::Overview,
        client.commands,
        client.events,
    ))
}

pub(super) struct Frames {
    ctx: egui::Context,
    pub(super) size: egui::Vec2,
    time: f64,
}

impl Frames {
    /// One frame: build the UI and tessellate it; returns (ms, primitives, vertices, callbacks).
    pub(super) fn frame(
        &mut self,
        app: &mut ConsoleApp,
        events: Vec<egui::Event>,
    ) -> (f64, usize, usize, usize) {
        self.time += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, self.size)),
            time: Some(self.time),
            predicted_dt: 1.0 / 60.0,
            events,
            focused: true,
            ..Default::default()
        };
        let started = Instant::now();
        let mut output = self.ctx.run_ui(input, |ui| app.ui(ui));
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        // No GPU here: the texture uploads are measured as part of building them, then dropped.
        output.textures_delta.clear();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let vertices = primitives
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum();
        let callbacks = primitives
            .iter()
            .filter(|p| matches!(p.primitive, egui::epaint::Primitive::Callback(_)))
            .count();
        (ms, primitives.len(), vertices, callbacks)
    }
}

/// The bench's tokio runtime: two workers, as the console's.
pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the runtime")
}

/// The client's wake-up calls, as eframe would receive them: a frame loop can wait for one.
#[derive(Default)]
pub(super) struct Wake {
    woken: std::sync::Mutex<bool>,
    signal: std::sync::Condvar,
}

impl Wake {
    pub(super) fn notify(&self) {
        let mut woken = self.woken.lock().unwrap_or_else(|p| p.into_inner());
        *woken = true;
        self.signal.notify_one();
    }

    /// Waits (at most `limit`) for a wake-up and consumes it; false when none came.
    pub(super) fn wait(&self, limit: Duration) -> bool {
        let woken = self.woken.lock().unwrap_or_else(|p| p.into_inner());
        let (mut woken, _) = self
            .signal
            .wait_timeout_while(woken, limit, |w| !*w)
            .unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *woken, false)
    }
}

/// The console as the bench drives it: runtime, embedded backend, client, app and frame builder.
pub(super) struct Rig {
    pub(super) runtime: tokio::runtime::Runtime,
    /// The embedded backend; `None` with `--backend URL` (a backend in another process).
    pub(super) backend: Option<backend::RunningBackend>,
    pub(super) app: ConsoleApp,
    pub(super) frames: Frames,
    pub(super) commands: tokio::sync::mpsc::Sender<client::Command>,
    pub(super) started: Instant,
    pub(super) wake: Arc<Wake>,
}

impl Rig {
    /// Starts everything and builds frames until the first data is in (bounded wait).
    pub(super) fn start(args: &BenchArgs, tick_ms: u64, size: egui::Vec2) -> anyhow::Result<Self> {
        Self::start_with(args, &args.sim, tick_ms, size)
    }

    pub(super) fn start_with(
        args: &BenchArgs,
        sim: &crate::cli::SimArgs,
        tick_ms: u64,
        size: egui::Vec2,
    ) -> anyhow::Result<Self> {
        let runtime = runtime()?;
        let started = Instant::now();
        let config = BackendConfig {
            sim: crate::console::sim_config(sim)?,
            speed: sim.speed,
            tick: Duration::from_millis(tick_ms.max(1)),
            // As the console's embedded backend.
            replay_capacity: backend::events::EMBEDDED_REPLAY_CAPACITY,
            ..BackendConfig::default()
        };
        let (backend, url) = match &args.backend {
            Some(url) => (None, url.clone()),
            None => {
                let running = runtime.block_on(backend::start(config))?;
                let url = running.base_url();
                (Some(running), url)
            }
        };
        let api = ApiClient::new(&url, None)?;
        let (mut app, mut frames, wake, commands) =
            headless_console(runtime.handle(), api, size, args.cpu_shapes)?;
        // Until the first data is drawn.
        let deadline = Instant::now() + Duration::from_secs(60);
        while app.state.world.is_none() {
            anyhow::ensure!(
                Instant::now() < deadline,
                "no data from the backend within 60 s"
            );
            frames.frame(&mut app, Vec::new());
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(Self {
            runtime,
            backend,
            app,
            frames,
            commands,
            started,
            wake,
        })
    }

    pub(super) fn shutdown(self) {
        if let Some(backend) = self.backend {
            self.runtime.block_on(backend.shutdown());
        }
    }
}
