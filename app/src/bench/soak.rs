//! `tianshu bench --soak SECONDS`: the console's state and client against the embedded backend
//! (simulated time at `--speed`, 60× by default) for a long time, sampling the process's resident
//! memory. Memory must stay flat: every buffer in the console and the backend is bounded.
//!
//! Frames are built 4 times a second (the UI is headless, as in the frame bench), switching view
//! every minute so each view's fetches and caches are exercised; the overview gets the pan/zoom
//! sweep. The first `--warmup` seconds are left out of the drift: the backend's replay buffer and
//! the console's histories, activity log and per-view caches fill up then.

use std::io::Write as _;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Rig, rss_mb, sweep_events};
use crate::cli::BenchArgs;
use crate::ui::View;

const FRAME_EVERY: Duration = Duration::from_millis(250);
const VIEW_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Serialize)]
struct Sample {
    t_s: f64,
    rss_mb: f64,
    events: u64,
}

#[derive(Debug, Serialize)]
struct SoakReport {
    seconds: u64,
    warmup_s: u64,
    speed: f64,
    tick_ms: u64,
    events_applied: u64,
    frames: u64,
    /// First sample after the warm-up.
    start_rss_mb: f64,
    end_rss_mb: f64,
    max_rss_mb: f64,
    min_rss_mb: f64,
    /// (end − start) / start, percent.
    drift_pct: f64,
    /// (max − min) / start over the measured part, percent.
    spread_pct: f64,
    samples: Vec<Sample>,
}

pub(super) fn run(args: &BenchArgs, seconds: u64, size: egui::Vec2) -> anyhow::Result<()> {
    anyhow::ensure!(seconds >= 2, "--soak needs at least 2 seconds");
    anyhow::ensure!(
        args.warmup < seconds,
        "--warmup ({} s) must be shorter than --soak ({seconds} s)",
        args.warmup
    );
    let every = Duration::from_secs(args.sample_every.max(1));
    let tick_ms = args.tick_ms.unwrap_or(100);
    let mut rig = Rig::start(args, tick_ms, size)?;
    let first_event = rig.app.state.last_event_id;
    println!(
        "soak: {seconds} s, speed {}×, a simulation step every {tick_ms} ms, RSS every {} s, \
         warm-up {} s (not in the drift)",
        args.sim.speed,
        every.as_secs(),
        args.warmup
    );
    let started = Instant::now();
    let total = Duration::from_secs(seconds);
    let mut samples: Vec<Sample> = Vec::new();
    let mut next_sample = Duration::ZERO;
    let mut frames = 0u64;
    let mut view_index = 0usize;
    let mut next_view = VIEW_EVERY;
    loop {
        let frame_start = Instant::now();
        let elapsed = started.elapsed();
        if elapsed >= next_view {
            view_index = (view_index + 1) % View::ALL.len();
            rig.app.view = View::ALL[view_index];
            next_view += VIEW_EVERY;
        }
        let input = if rig.app.view == View::Overview {
            sweep_events(frames as usize, rig.frames.size, View::Overview)
        } else {
            Vec::new()
        };
        rig.frames.frame(&mut rig.app, input);
        frames += 1;
        if elapsed >= next_sample || elapsed >= total {
            let events = rig.app.state.last_event_id.saturating_sub(first_event);
            let rss = rss_mb("VmRSS:");
            println!(
                "soak t={:>6.0}s rss_mb={rss:.1} events={events} frames={frames} view={:?}",
                elapsed.as_secs_f64(),
                rig.app.view
            );
            let _ = std::io::stdout().flush();
            samples.push(Sample {
                t_s: elapsed.as_secs_f64(),
                rss_mb: rss,
                events,
            });
            next_sample += every;
            if elapsed >= total {
                break;
            }
        }
        if let Some(rest) = FRAME_EVERY.checked_sub(frame_start.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    let events_applied = rig.app.state.last_event_id.saturating_sub(first_event);
    rig.shutdown();
    let report = summarise(
        samples,
        seconds,
        args.warmup,
        args.sim.speed,
        tick_ms,
        events_applied,
        frames,
    )?;
    println!(
        "soak: {} events applied, {} frames; after the {} s warm-up RSS start {:.1} MB, end {:.1} MB, \
         max {:.1} MB, min {:.1} MB",
        report.events_applied,
        report.frames,
        report.warmup_s,
        report.start_rss_mb,
        report.end_rss_mb,
        report.max_rss_mb,
        report.min_rss_mb
    );
    println!(
        "soak: drift_pct={:+.2} spread_pct={:.2} (target ±5)",
        report.drift_pct, report.spread_pct
    );
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn summarise(
    samples: Vec<Sample>,
    seconds: u64,
    warmup_s: u64,
    speed: f64,
    tick_ms: u64,
    events_applied: u64,
    frames: u64,
) -> anyhow::Result<SoakReport> {
    let measured: Vec<f64> = samples
        .iter()
        .filter(|s| s.t_s >= warmup_s as f64)
        .map(|s| s.rss_mb)
        .collect();
    let (Some(&start), Some(&end)) = (measured.first(), measured.last()) else {
        anyhow::bail!("no memory sample after the warm-up: make --soak longer than --warmup");
    };
    let max = measured.iter().copied().fold(f64::MIN, f64::max);
    let min = measured.iter().copied().fold(f64::MAX, f64::min);
    let base = start.max(1e-9);
    Ok(SoakReport {
        seconds,
        warmup_s,
        speed,
        tick_ms,
        events_applied,
        frames,
        start_rss_mb: start,
        end_rss_mb: end,
        max_rss_mb: max,
        min_rss_mb: min,
        drift_pct: (end - start) / base * 100.0,
        spread_pct: (max - min) / base * 100.0,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t_s: f64, rss_mb: f64) -> Sample {
        Sample {
            t_s,
            rss_mb,
            events: 0,
        }
    }

    #[test]
    fn drift_leaves_out_the_warm_up() {
        let samples = vec![
            sample(0.0, 50.0),
            sample(10.0, 100.0),
            sample(20.0, 104.0),
            sample(30.0, 110.0),
        ];
        let r = summarise(samples, 30, 10, 60.0, 100, 0, 0).expect("samples after warm-up");
        assert_eq!(r.start_rss_mb, 100.0);
        assert_eq!(r.end_rss_mb, 110.0);
        assert!((r.drift_pct - 10.0).abs() < 1e-9);
        assert!((r.spread_pct - 10.0).abs() < 1e-9);
        assert!(summarise(vec![sample(0.0, 1.0)], 30, 10, 60.0, 100, 0, 0).is_err());
    }
}
