//! Latency on loopback: an event from the backend's clock to the frame that applied it, and a
//! decision from the click to the frame showing the backend's answer.

use std::time::{Duration, Instant};

use crate::cli::BenchArgs;
use crate::client;
use crate::ui::ConsoleApp;

use super::harness::{Frames, Rig, Wake};
use super::{LatencyReport, percentile};

/// Wall clock in milliseconds with sub-millisecond precision (the backend stamps whole ms).
fn wall_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Event-to-frame latency on loopback, frames drawn as the console draws them: when the client
/// wakes the UI (after `WAKE_COALESCE`), at most one per 60 Hz refresh. The lag runs from the
/// backend's `server_time` (stamped in whole ms when the simulation step starts, so it includes the
/// step and overstates by up to 1 ms) to the end of the frame that applied the event.
pub(super) fn measure_event_latency(
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
pub(super) fn measure_decisions(
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
