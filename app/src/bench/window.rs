//! `tianshu bench --window`: the real console window, timed end to end (issue 17).
//!
//! Opens the console with eframe + wgpu on whatever adapter there is (lavapipe under Xvfb here,
//! a GPU elsewhere) at `--size`, against the embedded backend, and runs a script: each view with
//! continuous repaints (a pan/zoom sweep on the maps, the pointer moving over the others), then
//! the animated overview left alone, then an idle view. For each phase it reports the frame
//! interval (p50/p99: from one frame's start to the next, so UI, tessellation, the renderer and
//! the present are all inside), frames per second and the process's CPU per frame and per
//! second (all threads: UI, renderer, client and the embedded backend).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;

use super::{percentile, sweep_events};
use crate::backend::{self, BackendConfig};
use crate::cli::BenchArgs;
use crate::client::{self, ApiClient};
use crate::software_window::{FrameTiming, SoftwareApp};
use crate::ui::{ConsoleApp, View, fonts};

/// Frames of each timed phase with continuous repaints.
const PHASE_FRAMES: usize = 60;
/// Frames before timing a phase (data fetched, caches warm).
const WARMUP_FRAMES: usize = 10;
/// Seconds the animated overview and the idle view are watched.
const WATCH_SECONDS: f64 = 6.0;
/// Time left to settle after a switch before watching.
const SETTLE: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Serialize)]
struct Phase {
    name: String,
    frames: usize,
    seconds: f64,
    fps: f64,
    p50_interval_ms: f64,
    p99_interval_ms: f64,
    max_interval_ms: f64,
    /// Process CPU (all threads) per frame, ms.
    cpu_ms_per_frame: f64,
    /// Process CPU as a share of one core over the phase, %.
    cpu_percent_of_core: f64,
    /// With the CPU renderer: where a frame's wall time went, on average (ms), and the pixels
    /// drawn again per frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    breakdown: Option<Breakdown>,
}

#[derive(Debug, Clone, Serialize)]
struct Breakdown {
    ui_ms: f64,
    tessellate_ms: f64,
    raster_ms: f64,
    /// Of the raster step: vertices converted (all threads), triangles binned (one thread).
    raster_prepare_ms: f64,
    raster_bin_ms: f64,
    present_ms: f64,
    triangles: f64,
    /// Outline segments of the map's rings, drawn by the raster without triangles.
    ring_segments: f64,
    pixels_redrawn: f64,
}

impl Breakdown {
    fn of(frames: &[FrameTiming]) -> Option<Self> {
        if frames.is_empty() {
            return None;
        }
        let mean = |f: &dyn Fn(&FrameTiming) -> f64| {
            frames.iter().map(f).sum::<f64>() / frames.len() as f64
        };
        Some(Self {
            ui_ms: mean(&|t| t.ui_ms),
            tessellate_ms: mean(&|t| t.tessellate_ms),
            raster_ms: mean(&|t| t.raster_ms),
            raster_prepare_ms: mean(&|t| t.raster_prepare_ms),
            raster_bin_ms: mean(&|t| t.raster_bin_ms),
            present_ms: mean(&|t| t.present_ms),
            triangles: mean(&|t| t.triangles as f64),
            ring_segments: mean(&|t| t.ring_segments as f64),
            pixels_redrawn: mean(&|t| t.pixels_redrawn as f64),
        })
    }
}

#[derive(Debug, Clone, Default, Serialize)]
struct WindowReport {
    width: f32,
    height: f32,
    adapter: String,
    adapter_type: String,
    backend: String,
    phases: Vec<Phase>,
}

/// What the script does now.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    /// Waiting for the first data.
    Start,
    /// Warming up `view`, then timing it with continuous repaints.
    Warm {
        view: View,
        left: usize,
    },
    Timed {
        view: View,
        done: usize,
    },
    /// Watching without input: the animated overview, then the idle progress view.
    Watch {
        view: View,
        since: Option<Instant>,
    },
    Done,
}

struct Script {
    step: Step,
    size: egui::Vec2,
    phase_start: Option<(Instant, f64)>,
    intervals: Vec<f64>,
    last_frame: Option<Instant>,
    frames_in_watch: usize,
    /// The CPU renderer's account of each frame of the phase.
    timings: Vec<FrameTiming>,
    report: Arc<Mutex<WindowReport>>,
}

struct BenchWindow {
    app: ConsoleApp,
    script: Script,
}

/// CPU seconds used by this process so far (user + system, all threads).
fn process_cpu_s() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) in parentheses.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / clock_ticks_per_second()
}

fn clock_ticks_per_second() -> f64 {
    // Linux reports CPU times in USER_HZ, 100 on every mainstream kernel configuration.
    100.0
}

const SEQUENCE: [View; 5] = [
    View::Overview,
    View::Latency,
    View::Factories,
    View::Agents,
    View::Progress,
];

impl Script {
    fn next_after(view: View) -> Step {
        match SEQUENCE.iter().position(|v| *v == view) {
            Some(i) if i + 1 < SEQUENCE.len() => Step::Warm {
                view: SEQUENCE[i + 1],
                left: WARMUP_FRAMES,
            },
            _ => Step::Watch {
                view: View::Overview,
                since: None,
            },
        }
    }

    fn finish_phase(&mut self, name: String, frames: usize) {
        let (start, cpu0) = self.phase_start.take().unwrap_or((Instant::now(), 0.0));
        let seconds = start.elapsed().as_secs_f64();
        let cpu = process_cpu_s() - cpu0;
        let mut intervals = std::mem::take(&mut self.intervals);
        intervals.sort_by(f64::total_cmp);
        let phase = Phase {
            name,
            frames,
            seconds,
            fps: frames as f64 / seconds.max(1e-9),
            p50_interval_ms: percentile(&intervals, 0.5),
            p99_interval_ms: percentile(&intervals, 0.99),
            max_interval_ms: intervals.last().copied().unwrap_or(0.0),
            cpu_ms_per_frame: if frames == 0 {
                0.0
            } else {
                cpu * 1000.0 / frames as f64
            },
            cpu_percent_of_core: 100.0 * cpu / seconds.max(1e-9),
            breakdown: Breakdown::of(&std::mem::take(&mut self.timings)),
        };
        if let Ok(mut r) = self.report.lock() {
            r.phases.push(phase);
        }
    }
}

impl eframe::App for BenchWindow {
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        eframe::App::clear_color(&self.app, visuals)
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        self.script_input(raw_input);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Some(rs) = frame.wgpu_render_state()
            && let Ok(mut r) = self.script.report.lock()
            && r.adapter.is_empty()
        {
            let info = rs.adapter.get_info();
            r.adapter = info.name;
            r.adapter_type = format!("{:?}", info.device_type);
            r.backend = format!("{:?}", info.backend);
        }
        self.app.note_adapter(frame);
        self.frame(ui);
    }
}

impl SoftwareApp for BenchWindow {
    fn raw_input_hook(&mut self, raw_input: &mut egui::RawInput) {
        self.script_input(raw_input);
    }

    fn ui(&mut self, ui: &mut egui::Ui) {
        self.frame(ui);
    }

    fn clear_colour(&self) -> egui::Color32 {
        SoftwareApp::clear_colour(&self.app)
    }

    fn drawn_by_cpu_raster(&mut self) {
        self.app.set_renderer(crate::ui::Renderer::CpuRaster);
    }

    fn painted(&mut self, timing: &FrameTiming) {
        if matches!(
            self.script.step,
            Step::Timed { .. } | Step::Watch { since: Some(_), .. }
        ) && self.script.phase_start.is_some()
        {
            self.script.timings.push(timing.clone());
        }
    }
}

impl BenchWindow {
    /// The scripted input of the phase being timed.
    fn script_input(&mut self, raw_input: &mut egui::RawInput) {
        if let Step::Watch { since: None, .. } = self.script.step {
            // Watched without input: the pointer leaves the window, as on a wall display (left
            // where the last sweep put it, it would hover whatever is there).
            raw_input.events.push(egui::Event::PointerGone);
        }
        if let Step::Timed { view, done } = self.script.step {
            let events = match view {
                View::Overview | View::Factories | View::Latency => {
                    sweep_events(done, self.script.size, view)
                }
                // The pointer moving over tables and charts (hover costs are real costs).
                _ => {
                    let t = done as f32 * 0.1;
                    let pos = egui::pos2(
                        self.script.size.x * (0.5 + 0.3 * t.sin()),
                        self.script.size.y * (0.5 + 0.3 * (1.3 * t).cos()),
                    );
                    vec![egui::Event::PointerMoved(pos)]
                }
            };
            raw_input.events.extend(events);
        }
    }

    /// One frame of the console and the script's step.
    fn frame(&mut self, ui: &mut egui::Ui) {
        let now = Instant::now();
        let interval = self
            .script
            .last_frame
            .replace(now)
            .map(|t| now.duration_since(t).as_secs_f64() * 1000.0);
        self.app.ui(ui);
        let ctx = ui.ctx().clone();
        let script = &mut self.script;
        match script.step {
            Step::Start => {
                if self.app.state.world.is_some() {
                    script.step = Step::Warm {
                        view: SEQUENCE[0],
                        left: WARMUP_FRAMES,
                    };
                }
                ctx.request_repaint_after(Duration::from_millis(20));
            }
            Step::Warm { view, left } => {
                self.app.view = view;
                if left == 0 && self.app.view_has_data() {
                    script.step = Step::Timed { view, done: 0 };
                    script.phase_start = Some((Instant::now(), process_cpu_s()));
                    script.intervals.clear();
                    script.timings.clear();
                } else {
                    script.step = Step::Warm {
                        view,
                        left: left.saturating_sub(1),
                    };
                }
                ctx.request_repaint();
            }
            Step::Timed { view, done } => {
                if done > 0
                    && let Some(ms) = interval
                {
                    script.intervals.push(ms);
                }
                if done + 1 >= PHASE_FRAMES {
                    script.finish_phase(format!("{view:?} sweep").to_lowercase(), done);
                    script.step = Script::next_after(view);
                } else {
                    script.step = Step::Timed {
                        view,
                        done: done + 1,
                    };
                }
                ctx.request_repaint();
            }
            Step::Watch { view, since } => {
                self.app.view = view;
                match since {
                    None => {
                        if view == View::Overview {
                            // Watched as a wall shows it: the national view, backbone in sight
                            // (the sweep's release may have flung the map elsewhere).
                            self.app.overview.go_home();
                        }
                        // Let the switch and the last input settle (egui's layout passes, hover
                        // fades) for a second before watching.
                        let t0 = Instant::now() + SETTLE;
                        script.step = Step::Watch {
                            view,
                            since: Some(t0),
                        };
                        script.intervals.clear();
                        script.frames_in_watch = 0;
                        ctx.request_repaint_after(SETTLE);
                    }
                    Some(t0) if Instant::now() < t0 => {
                        // Still settling: nothing counted.
                        ctx.request_repaint_after(t0 - Instant::now());
                    }
                    Some(t0) => {
                        if script.phase_start.is_none() {
                            // The first frame after settling starts the watch (not counted).
                            script.phase_start = Some((Instant::now(), process_cpu_s()));
                            script.last_frame = Some(Instant::now());
                            script.timings.clear();
                            ctx.request_repaint_after(Duration::from_secs_f64(WATCH_SECONDS));
                            return;
                        }
                        script.frames_in_watch += 1;
                        if let Some(ms) = interval {
                            script.intervals.push(ms);
                        }
                        if t0.elapsed().as_secs_f64() >= WATCH_SECONDS {
                            let name = if view == View::Overview {
                                "overview animated (no input)"
                            } else {
                                "progress idle (no input)"
                            };
                            // The bench's own wake-up that ends the watch is not the app's.
                            let frames = script.frames_in_watch.saturating_sub(1);
                            script.finish_phase(name.into(), frames);
                            script.step = if view == View::Overview {
                                Step::Watch {
                                    view: View::Progress,
                                    since: None,
                                }
                            } else {
                                Step::Done
                            };
                            ctx.request_repaint();
                        } else {
                            // Frames come only as the app asks for them (animation, data);
                            // this wake-up only ends the watch on time.
                            ctx.request_repaint_after(Duration::from_secs_f64(WATCH_SECONDS));
                        }
                    }
                }
            }
            Step::Done => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }
}

pub(super) fn run(args: &BenchArgs, size: egui::Vec2) -> anyhow::Result<()> {
    let runtime = super::runtime()?;
    let config = BackendConfig {
        sim: crate::console::sim_config(&args.sim)?,
        speed: args.sim.speed,
        paused: args.paused,
        replay_capacity: backend::events::EMBEDDED_REPLAY_CAPACITY,
        ..BackendConfig::default()
    };
    let running = runtime.block_on(backend::start(config))?;
    let api = ApiClient::new(&running.base_url(), None)?;
    let report = Arc::new(Mutex::new(WindowReport {
        width: size.x,
        height: size.y,
        ..WindowReport::default()
    }));
    let viewport = egui::ViewportBuilder::default()
        .with_title("Tianshu 天枢 — window bench")
        .with_inner_size([size.x, size.y]);
    let handle = runtime.handle().clone();
    let shared = report.clone();
    let make_window = move |ctx: &egui::Context| -> anyhow::Result<BenchWindow> {
        fonts::install(ctx);
        let client = client::spawn(&handle, api, crate::console::ui_waker(ctx));
        let app = super::harness::console_on(client)?;
        Ok(BenchWindow {
            app,
            script: Script {
                step: Step::Start,
                size,
                phase_start: None,
                intervals: Vec::new(),
                last_frame: None,
                frames_in_watch: 0,
                timings: Vec::new(),
                report: shared,
            },
        })
    };
    let (software, why) = crate::software_window::wants_software(args.renderer);
    if software && let Ok(mut r) = report.lock() {
        r.adapter = format!(
            "Tianshu CPU renderer (tianshu-raster, {} threads) + softbuffer",
            tianshu_raster::default_threads()
        );
        r.adapter_type = "Cpu".into();
        r.backend = format!("software; {why}");
    }
    crate::window::run("tianshu-bench", viewport, software, make_window)?;
    runtime.block_on(running.shutdown());
    let report = report
        .lock()
        .map_err(|_| anyhow::anyhow!("the bench's report was poisoned"))?
        .clone();
    anyhow::ensure!(
        report.phases.len() == SEQUENCE.len() + 2,
        "the window closed before the script ended ({} phases timed)",
        report.phases.len()
    );
    print(&report);
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn print(r: &WindowReport) {
    println!(
        "tianshu bench --window — {}×{} px, adapter {} ({}, {}), whole frames (UI, tessellation, renderer, present)",
        r.width, r.height, r.adapter, r.adapter_type, r.backend
    );
    let rows: Vec<Vec<String>> = r
        .phases
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.frames.to_string(),
                super::table::fig(p.fps, 1),
                super::table::fig(p.p50_interval_ms, 1),
                super::table::fig(p.p99_interval_ms, 1),
                super::table::fig(p.max_interval_ms, 1),
                super::table::fig(p.cpu_ms_per_frame, 1),
                super::table::fig(p.cpu_percent_of_core, 1),
            ]
        })
        .collect();
    super::table::print(
        &[30, 6, 7, 9, 9, 9, 11, 9],
        &[
            "phase",
            "frames",
            "fps",
            "p50 ms",
            "p99 ms",
            "max ms",
            "CPU ms/fr",
            "CPU %",
        ],
        &rows,
    );
    let parts: Vec<Vec<String>> = r
        .phases
        .iter()
        .filter_map(|p| {
            let b = p.breakdown.as_ref()?;
            Some(vec![
                p.name.clone(),
                super::table::fig(b.ui_ms, 2),
                super::table::fig(b.tessellate_ms, 2),
                super::table::fig(b.raster_ms, 2),
                super::table::fig(b.raster_prepare_ms, 2),
                super::table::fig(b.raster_bin_ms, 2),
                super::table::fig(b.present_ms, 2),
                super::table::fig(b.triangles, 0),
                super::table::fig(b.ring_segments, 0),
                super::table::fig(b.pixels_redrawn / 1000.0, 0),
            ])
        })
        .collect();
    if !parts.is_empty() {
        println!(
            "CPU renderer, mean per frame (wall ms; raster includes its prepare and bin steps; \
             triangles; ring outline segments; thousands of pixels drawn again):"
        );
        super::table::print(
            &[30, 8, 10, 9, 9, 9, 10, 10, 10, 9],
            &[
                "phase",
                "UI",
                "tessellate",
                "raster",
                "prepare",
                "bin",
                "present",
                "triangles",
                "segments",
                "kpx",
            ],
            &parts,
        );
    }
}
