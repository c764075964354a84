//! `tianshu bench`: the CPU side of every view's frames (UI build + tessellation), headless.
//!
//! Runs the real embedded backend and the real client on loopback, so the console is fed exactly as
//! in use; frames are built with `egui::Context::run_ui` and tessellated, no window and no GPU.
//! Prints per-view p50/p99/max frame time and primitives, peak RSS, and a final summary line.
//!
//! `harness.rs` holds what every mode shares (the headless console, its frame builder, the
//! runtime and the `Rig` around them); `latency.rs` the event and decision latency measurements.
//! The other modes (`--events-rate`, `--soak`, `--sources`, `--window`, `--export-points`) have
//! their own files beside them.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;

use crate::cli::{BenchArgs, parse_size};
use crate::ui::View;

mod flood;
mod harness;
mod latency;
mod points;
mod soak;
mod sources;
mod table;
mod window;

use harness::{Rig, headless_console, runtime};
use latency::{measure_decisions, measure_event_latency};

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

/// A pan and zoom sweep over the map: drags and wheel steps around the middle of the screen.
/// The scripted pan/zoom of `view`'s map: a drag for 60 frames then the wheel, around a point
/// on the map (the factories map is the upper part of its view, above the table).
fn sweep_events(i: usize, size: egui::Vec2, view: crate::ui::View) -> Vec<egui::Event> {
    let centre = match view {
        crate::ui::View::Factories => egui::pos2(size.x * 0.38, size.y * 0.35),
        _ => egui::pos2(size.x * 0.4, size.y * 0.5),
    };
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
                sweep_events(i, frames.size, view)
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

fn print_report(r: &BenchReport) {
    println!(
        "tianshu bench — {}×{} logical px, {} factories, {:.0} events/s, CPU side only (UI build + tessellation)",
        r.width, r.height, r.factories, r.events_per_second
    );
    let rows: Vec<Vec<String>> = r
        .views
        .iter()
        .map(|v| {
            vec![
                v.view.to_string(),
                v.frames.to_string(),
                table::fig(v.p50_ms, 2),
                table::fig(v.p99_ms, 2),
                table::fig(v.max_ms, 2),
                table::fig(v.mean_primitives, 0),
                table::fig(v.mean_vertices, 0),
                table::fig(v.mean_callbacks, 1),
            ]
        })
        .collect();
    table::print(
        &[10, 7, 9, 9, 9, 11, 11, 10],
        &[
            "view",
            "frames",
            "p50 ms",
            "p99 ms",
            "max ms",
            "primitives",
            "vertices",
            "callbacks",
        ],
        &rows,
    );
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
