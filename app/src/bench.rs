//! `tianshu bench`: the CPU side of every view's frames (UI build + tessellation), headless.
//!
//! Runs the real embedded backend and the real client on loopback, so the console is fed exactly as
//! in use; frames are built with `egui::Context::run_ui` and tessellated, no window and no GPU.
//! Prints per-view p50/p99/max frame time and primitives, peak RSS, and a final summary line.
//!
//! Over 600 lines on purpose: the modes of one command share its harness (headless context, timing, the report table); modes that grew big have their own files in bench/.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;

use crate::backend::{self, BackendConfig};
use crate::cli::{BenchArgs, parse_size};
use crate::client::{self, ApiClient};
use crate::i18n::Lang;
use crate::state::State;
use crate::ui::theme::Theme;
use crate::ui::{ConsoleApp, View, fonts};

mod flood;
mod points;
mod soak;
mod sources;
mod window;

#[derive(Debug, Serialize)]
pub struct ViewReport {
    pub view: String,
    pub frames: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_primitives: f64,
    pub mean_vertices: f64,
    /// GPU paint callbacks per frame: geometry drawn by wgpu, whose CPU cost is not in the times.
    pub mean_callbacks: f64,
}

/// Loopback latencies measured with frames paced at 60 Hz.
#[derive(Debug, Default, Serialize)]
pub struct LatencyReport {
    /// Events measured: backend `server_time` → the end of the frame that applied them; frames are
    /// drawn when the client wakes the UI, at most one per 60 Hz refresh.
    pub events: usize,
    pub event_p50_ms: f64,
    pub event_p99_ms: f64,
    /// Decisions measured: `Command::Decide` sent → the frame that applied `DecisionDone` (against
    /// a backend of their own at 20× the bench's simulated speed, for enough open actions).
    pub decisions: usize,
    pub decisions_ok: usize,
    pub decision_p50_ms: f64,
    pub decision_p99_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct BenchReport {
    pub width: f32,
    pub height: f32,
    pub factories: u32,
    pub events_per_second: f64,
    pub views: Vec<ViewReport>,
    pub worst_p99_ms: f64,
    pub peak_rss_mb: f64,
    pub startup_to_data_ms: f64,
    /// Basemap drawn by GPU callbacks (false: `--cpu-shapes`).
    pub gpu_shapes: bool,
    pub latency: LatencyReport,
}

/// Peak resident set size of this process (Linux `VmHWM`), in MiB; 0 where unknown.
pub fn peak_rss_mb() -> f64 {
    rss_mb("VmHWM:")
}

/// A memory figure of this process from `/proc/self/status` (`VmRSS:`, `VmHWM:`), in MiB; 0 where
/// unknown.
fn rss_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// The console as the bench drives it, headless: an egui context with the fonts (and the GPU
/// shape layers unless `cpu_shapes`), the client on `api` waking `Wake`, and the app in English,
/// noc-dark, on the overview; with a second sender of the app's commands.
fn headless_console(
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
    let app = ConsoleApp::new(
        State::new(client.base_url.clone()),
        Lang::En,
        Theme::built_in("noc-dark")?,
        View::Overview,
        client.commands,
        client.events,
    );
    let frames = Frames {
        ctx,
        size,
        time: 0.0,
    };
    Ok((app, frames, wake, commands))
}

struct Frames {
    ctx: egui::Context,
    size: egui::Vec2,
    time: f64,
}

impl Frames {
    /// One frame: build the UI and tessellate it; returns (ms, primitives, vertices, callbacks).
    fn frame(
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

/// A pan and zoom sweep over the map: drags and wheel steps around the middle of the screen.
fn sweep_events(i: usize, size: egui::Vec2) -> Vec<egui::Event> {
    let centre = egui::pos2(size.x * 0.4, size.y * 0.5);
    let phase = i % 120;
    let offset = egui::vec2(
        ((phase as f32) * 0.3).sin() * 200.0,
        ((phase as f32) * 0.2).cos() * 120.0,
    );
    let pos = centre + offset;
    let mut events = vec![egui::Event::PointerMoved(pos)];
    match phase {
        0 => events.push(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: egui::Modifiers::NONE,
        }),
        59 => events.push(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: egui::Modifiers::NONE,
        }),
        60..=89 => events.push(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, 1.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        }),
        90..=119 => events.push(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, -1.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        }),
        _ => {}
    }
    events
}

/// The bench's tokio runtime: two workers, as the console's.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the runtime")
}

/// The client's wake-up calls, as eframe would receive them: a frame loop can wait for one.
#[derive(Default)]
struct Wake {
    woken: std::sync::Mutex<bool>,
    signal: std::sync::Condvar,
}

impl Wake {
    fn notify(&self) {
        let mut woken = self.woken.lock().unwrap_or_else(|p| p.into_inner());
        *woken = true;
        self.signal.notify_one();
    }

    /// Waits (at most `limit`) for a wake-up and consumes it; false when none came.
    fn wait(&self, limit: Duration) -> bool {
        let woken = self.woken.lock().unwrap_or_else(|p| p.into_inner());
        let (mut woken, _) = self
            .signal
            .wait_timeout_while(woken, limit, |w| !*w)
            .unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *woken, false)
    }
}

/// Wall clock in milliseconds with sub-millisecond precision (the backend stamps whole ms).
fn wall_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The console as the bench drives it: runtime, embedded backend, client, app and frame builder.
struct Rig {
    runtime: tokio::runtime::Runtime,
    /// The embedded backend; `None` with `--backend URL` (a backend in another process).
    backend: Option<backend::RunningBackend>,
    app: ConsoleApp,
    frames: Frames,
    commands: tokio::sync::mpsc::Sender<client::Command>,
    started: Instant,
    wake: Arc<Wake>,
}

impl Rig {
    /// Starts everything and builds frames until the first data is in (bounded wait).
    fn start(args: &BenchArgs, tick_ms: u64, size: egui::Vec2) -> anyhow::Result<Self> {
        Self::start_with(args, &args.sim, tick_ms, size)
    }

    fn start_with(
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

    fn shutdown(self) {
        if let Some(backend) = self.backend {
            self.runtime.block_on(backend.shutdown());
        }
    }
}

pub fn run_bench(args: BenchArgs) -> anyhow::Result<()> {
    let (width, height) = parse_size(&args.size)
        .with_context(|| format!("--size {:?}: give WIDTHxHEIGHT, e.g. 3840x2160", args.size))?;
    if let Some(path) = &args.export_points {
        return points::export(&args, path);
    }
    if args.window {
        return window::run(&args, egui::vec2(width, height));
    }
    if args.sources {
        return sources::run(&args, args.enterprises, egui::vec2(width, height));
    }
    if let Some(seconds) = args.soak {
        return soak::run(&args, seconds, egui::vec2(width, height));
    }
    if let Some(rate) = args.events_rate {
        return flood::run(&args, rate, egui::vec2(width, height));
    }
    if args.frames == 0 {
        anyhow::bail!("--frames must be at least 1");
    }
    let rig = Rig::start(&args, args.tick_ms.unwrap_or(1), egui::vec2(width, height))?;
    let Rig {
        runtime,
        backend,
        mut app,
        mut frames,
        commands: _,
        started,
        wake,
    } = rig;
    let startup_to_data_ms = started.elapsed().as_secs_f64() * 1000.0;
    let events_before = app.state.last_event_id;
    let measuring = Instant::now();

    let mut reports = Vec::new();
    let views: Vec<View> = match args.view {
        Some(view) => vec![view],
        None => View::ALL.to_vec(),
    };
    for view in views {
        app.view = view;
        // Let the view ask for and receive its data (bounded wait), then warm up.
        let deadline = Instant::now() + Duration::from_secs(30);
        for _ in 0..5 {
            frames.frame(&mut app, Vec::new());
        }
        while !app.view_has_data() && Instant::now() < deadline {
            frames.frame(&mut app, Vec::new());
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut times = Vec::with_capacity(args.frames);
        let (mut prims, mut verts, mut calls) = (0usize, 0usize, 0usize);
        for i in 0..args.frames {
            let events = if matches!(view, View::Overview | View::Factories) {
                sweep_events(i, frames.size)
            } else {
                Vec::new()
            };
            let (ms, p, v, c) = frames.frame(&mut app, events);
            times.push(ms);
            calls += c;
            prims += p;
            verts += v;
        }
        times.sort_by(f64::total_cmp);
        reports.push(ViewReport {
            view: format!("{view:?}").to_lowercase(),
            frames: args.frames,
            p50_ms: percentile(&times, 0.5),
            p99_ms: percentile(&times, 0.99),
            max_ms: times.last().copied().unwrap_or(0.0),
            mean_primitives: prims as f64 / args.frames as f64,
            mean_vertices: verts as f64 / args.frames as f64,
            mean_callbacks: calls as f64 / args.frames as f64,
        });
    }
    let events = app.state.last_event_id.saturating_sub(events_before) as f64;
    let events_per_second = events / measuring.elapsed().as_secs_f64().max(1e-9);
    app.view = View::Overview;
    let mut latency = LatencyReport::default();
    // `--view`: that view's frames only, no latency measurement.
    if args.view.is_none() {
        measure_event_latency(&mut frames, &mut app, &wake, &mut latency);
    }
    if let Some(backend) = backend {
        runtime.block_on(backend.shutdown());
    }
    drop(app);
    if args.view.is_none() {
        measure_decisions(&args, frames.size, &mut latency)?;
    }
    let worst_p99_ms = reports.iter().map(|r| r.p99_ms).fold(0.0, f64::max);
    let report = BenchReport {
        width,
        height,
        factories: args.sim.factories,
        events_per_second,
        views: reports,
        worst_p99_ms,
        peak_rss_mb: peak_rss_mb(),
        startup_to_data_ms,
        gpu_shapes: !args.cpu_shapes,
        latency,
    };
    print_report(&report);
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Event-to-frame latency on loopback, frames drawn as the console draws them: when the client
/// wakes the UI (after `WAKE_COALESCE`), at most one per 60 Hz refresh. The lag runs from the
/// backend's `server_time` (stamped in whole ms when the simulation step starts, so it includes the
/// step and overstates by up to 1 ms) to the end of the frame that applied the event.
fn measure_event_latency(
    frames: &mut Frames,
    app: &mut ConsoleApp,
    wake: &Wake,
    report: &mut LatencyReport,
) {
    const EVENTS: usize = 2000;
    let refresh = Duration::from_micros(16_667);
    app.state.applied_event_times = Some(Vec::new());
    let mut lags = Vec::with_capacity(EVENTS);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last_frame = Instant::now();
    while lags.len() < EVENTS && Instant::now() < deadline {
        if !wake.wait(Duration::from_millis(200)) {
            continue;
        }
        std::thread::sleep(crate::console::WAKE_COALESCE);
        if let Some(rest) = refresh.checked_sub(last_frame.elapsed()) {
            std::thread::sleep(rest);
        }
        last_frame = Instant::now();
        frames.frame(app, Vec::new());
        let now = wall_ms();
        if let Some(times) = &mut app.state.applied_event_times {
            lags.extend(times.drain(..).map(|t| (now - t as f64).max(0.0)));
        }
    }
    app.state.applied_event_times = None;
    lags.sort_by(f64::total_cmp);
    report.events = lags.len();
    report.event_p50_ms = percentile(&lags, 0.5);
    report.event_p99_ms = percentile(&lags, 0.99);
}

/// Decision round trips: a backend of its own at a faster simulated speed (so that enough actions
/// are proposed), the same frame loop; click (command sent) → the frame that applied the backend's
/// answer.
fn measure_decisions(
    args: &BenchArgs,
    size: egui::Vec2,
    report: &mut LatencyReport,
) -> anyhow::Result<()> {
    const DECISIONS: usize = 60;
    let mut sim = args.sim.clone();
    sim.speed = (args.sim.speed * 20.0).min(100_000.0);
    let rig = Rig::start_with(args, &sim, 50, size)?;
    let Rig {
        runtime,
        backend,
        mut app,
        mut frames,
        commands,
        wake,
        ..
    } = rig;
    let frames = &mut frames;
    let app = &mut app;
    // A frame when the client wakes the UI (or every 17 ms without one), as in the console.
    let paced_frame = |frames: &mut Frames, app: &mut ConsoleApp| {
        if wake.wait(Duration::from_millis(17)) {
            std::thread::sleep(crate::console::WAKE_COALESCE);
        }
        frames.frame(app, Vec::new());
    };
    // Decisions: reject open actions (a harmless decision) and wait for the frame that applies
    // the backend's answer, success or refusal alike.
    let mut round_trips = Vec::with_capacity(DECISIONS);
    let mut tried = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while round_trips.len() < DECISIONS && Instant::now() < deadline {
        let Some((action_id, version)) = app
            .state
            .open_actions()
            .find(|a| !tried.contains(&a.id))
            .map(|a| (a.id, a.version))
        else {
            paced_frame(frames, app);
            continue;
        };
        tried.insert(action_id);
        let request = crate::api::DecisionRequest {
            decision: crate::api::Decision::Reject,
            params: None,
            reason: "bench round trip".to_owned(),
            expected_version: version,
            idempotency_key: format!("bench-{action_id}-{version}"),
        };
        let key = request.idempotency_key.clone();
        let sent = Instant::now();
        app.state.begin_decision(action_id, &request, sent);
        if commands
            .try_send(client::Command::Decide { action_id, request })
            .is_err()
        {
            break;
        }
        let give_up = sent + Duration::from_secs(5);
        while app.state.in_flight.contains_key(&key) && Instant::now() < give_up {
            paced_frame(frames, app);
        }
        if !app.state.in_flight.contains_key(&key) {
            round_trips.push(sent.elapsed().as_secs_f64() * 1000.0);
            let ok = app
                .state
                .actions
                .get(&action_id)
                .is_some_and(|a| a.version > version || !a.is_open());
            report.decisions_ok += usize::from(ok);
        }
    }
    round_trips.sort_by(f64::total_cmp);
    report.decisions = round_trips.len();
    report.decision_p50_ms = percentile(&round_trips, 0.5);
    report.decision_p99_ms = percentile(&round_trips, 0.99);
    if let Some(backend) = backend {
        runtime.block_on(backend.shutdown());
    }
    Ok(())
}

fn print_report(r: &BenchReport) {
    println!(
        "tianshu bench — {}×{} logical px, {} factories, {:.0} events/s, CPU side only (UI build + tessellation)",
        r.width, r.height, r.factories, r.events_per_second
    );
    println!(
        "{:<10} {:>7} {:>9} {:>9} {:>9} {:>11} {:>11} {:>10}",
        "view", "frames", "p50 ms", "p99 ms", "max ms", "primitives", "vertices", "callbacks"
    );
    for v in &r.views {
        println!(
            "{:<10} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>11.0} {:>11.0} {:>10.1}",
            v.view,
            v.frames,
            v.p50_ms,
            v.p99_ms,
            v.max_ms,
            v.mean_primitives,
            v.mean_vertices,
            v.mean_callbacks
        );
    }
    if r.gpu_shapes {
        println!("basemap: GPU paint callbacks (their GPU time is not in the CPU figures)");
    } else {
        println!("basemap: tessellated on the CPU (--cpu-shapes)");
    }
    let l = &r.latency;
    println!(
        "event → frame (loopback; frames on the client's wake-up, ≤ 60 Hz): {} events, p50 {:.1} ms, p99 {:.1} ms",
        l.events, l.event_p50_ms, l.event_p99_ms
    );
    println!(
        "decision round trip (click → the frame showing the backend's answer): {} decisions ({} confirmed), p50 {:.1} ms, p99 {:.1} ms",
        l.decisions, l.decisions_ok, l.decision_p50_ms, l.decision_p99_ms
    );
    println!("startup to first data: {:.0} ms", r.startup_to_data_ms);
    println!(
        "bench: worst_p99_ms={:.2} peak_rss_mb={:.0}",
        r.worst_p99_ms, r.peak_rss_mb
    );
}

#[cfg(test)]
mod tests;
