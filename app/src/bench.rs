//! `tianshu bench`: the CPU side of every view's frames (UI build + tessellation), headless.
//!
//! Runs the real embedded backend and the real client on loopback, so the console is fed exactly as
//! in use; frames are built with `egui::Context::run_ui` and tessellated, no window and no GPU.
//! Prints per-view p50/p99/max frame time and primitives, peak RSS, and a final summary line.

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

#[derive(Debug, Serialize)]
pub struct ViewReport {
    pub view: String,
    pub frames: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_primitives: f64,
    pub mean_vertices: f64,
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
}

/// Peak resident set size of this process (Linux `VmHWM`), in MiB; 0 where unknown.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
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

struct Frames {
    ctx: egui::Context,
    size: egui::Vec2,
    time: f64,
}

impl Frames {
    /// One frame: build the UI and tessellate it; returns (ms, primitives, vertices).
    fn frame(&mut self, app: &mut ConsoleApp, events: Vec<egui::Event>) -> (f64, usize, usize) {
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
        (ms, primitives.len(), vertices)
    }
}

/// A pan and zoom sweep over the map: drags and wheel steps around the middle of the screen.
fn sweep_events(i: usize, size: egui::Vec2) -> Vec<egui::Event> {
    let centre = egui::pos2(size.x * 0.4, size.y * 0.5);
    let phase = i % 120;
    let offset = egui::vec2(((phase as f32) * 0.3).sin() * 200.0, ((phase as f32) * 0.2).cos() * 120.0);
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

pub fn run_bench(args: BenchArgs) -> anyhow::Result<()> {
    let (width, height) = parse_size(&args.size)
        .with_context(|| format!("--size {:?}: give WIDTHxHEIGHT, e.g. 3840x2160", args.size))?;
    if args.frames == 0 {
        anyhow::bail!("--frames must be at least 1");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let started = Instant::now();
    let config = BackendConfig {
        sim: crate::console::sim_config(&args.sim)?,
        speed: args.sim.speed,
        tick: Duration::from_millis(args.tick_ms.max(1)),
        ..BackendConfig::default()
    };
    let backend = runtime.block_on(backend::start(config))?;
    let api = ApiClient::new(&backend.base_url(), None)?;
    let ctx = egui::Context::default();
    fonts::install(&ctx);
    let client = client::spawn(runtime.handle(), api, Arc::new(|| {}));
    let state = State::new(client.base_url.clone());
    let theme = Theme::built_in("noc-dark")?;
    let mut app = ConsoleApp::new(state, Lang::En, theme, View::Overview, client.commands, client.events);
    let mut frames = Frames {
        ctx,
        size: egui::vec2(width, height),
        time: 0.0,
    };
    // Until the first data is drawn.
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.state.world.is_none() {
        anyhow::ensure!(Instant::now() < deadline, "no data from the embedded backend within 60 s");
        frames.frame(&mut app, Vec::new());
        std::thread::sleep(Duration::from_millis(5));
    }
    let startup_to_data_ms = started.elapsed().as_secs_f64() * 1000.0;
    let events_before = app.state.last_event_id;
    let measuring = Instant::now();

    let mut reports = Vec::new();
    for view in View::ALL {
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
        let (mut prims, mut verts) = (0usize, 0usize);
        for i in 0..args.frames {
            let events = if view == View::Overview { sweep_events(i, frames.size) } else { Vec::new() };
            let (ms, p, v) = frames.frame(&mut app, events);
            times.push(ms);
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
        });
    }
    let events = app.state.last_event_id.saturating_sub(events_before) as f64;
    let events_per_second = events / measuring.elapsed().as_secs_f64().max(1e-9);
    runtime.block_on(backend.shutdown());
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
    };
    print_report(&report);
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn print_report(r: &BenchReport) {
    println!(
        "tianshu bench — {}×{} logical px, {} factories, {:.0} events/s, CPU side only (UI build + tessellation)",
        r.width, r.height, r.factories, r.events_per_second
    );
    println!("{:<10} {:>7} {:>9} {:>9} {:>9} {:>11} {:>11}", "view", "frames", "p50 ms", "p99 ms", "max ms", "primitives", "vertices");
    for v in &r.views {
        println!(
            "{:<10} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>11.0} {:>11.0}",
            v.view, v.frames, v.p50_ms, v.p99_ms, v.max_ms, v.mean_primitives, v.mean_vertices
        );
    }
    println!("startup to first data: {:.0} ms", r.startup_to_data_ms);
    println!("bench: worst_p99_ms={:.2} peak_rss_mb={:.0}", r.worst_p99_ms, r.peak_rss_mb);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 51.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    #[test]
    fn rss_is_read_on_linux() {
        assert!(peak_rss_mb() > 1.0);
    }
}
