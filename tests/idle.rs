//! An idle console costs nothing (issue 8): a live backend whose data does not change wakes the
//! console only while connecting, keep-alives keep it live without a frame, each wake-up draws one
//! frame, and no view keeps a clock running when nothing on it changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use tianshu::backend::sim::{SimConfig, Simulator};
use tianshu::backend::ticker::LocalWorld;
use tianshu::backend::{self, BackendConfig};
use tianshu::client::{self, ApiClient, ClientEvent, ConnectionState, STREAM_IDLE_TIMEOUT};
use tianshu::i18n::Lang;
use tianshu::state::State;
use tianshu::ui::theme::Theme;
use tianshu::ui::{ConsoleApp, View, fonts};
use tokio::sync::mpsc;

const NOW: i64 = 1_793_491_200_000;

#[test]
fn a_paused_backend_wakes_the_console_only_while_connecting() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let backend = runtime
        .block_on(backend::start(BackendConfig {
            sim: SimConfig {
                seed: 5,
                start: NOW,
                factory_count: 2_000,
            },
            paused: true,
            ..BackendConfig::default()
        }))
        .unwrap();
    let api = ApiClient::new(&backend.base_url(), None).unwrap();
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = wakes.clone();
    let mut handle = client::spawn(
        runtime.handle(),
        api,
        Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    );
    let mut state = State::new(handle.base_url.clone());
    let mut received = Vec::new();
    // Longer than the stream watchdog: only the server's keep-alives keep the stream up.
    let until = Instant::now() + STREAM_IDLE_TIMEOUT + Duration::from_secs(3);
    while Instant::now() < until {
        while let Ok(event) = handle.events.try_recv() {
            received.push(format!("{event:?}").chars().take(40).collect::<String>());
            state.apply(event, Instant::now());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Counted before the backend stops (its shutdown ends the stream: one more message).
    let woken = wakes.load(Ordering::SeqCst);
    runtime.block_on(backend.shutdown());
    assert_eq!(state.connection, ConnectionState::Connected, "{received:?}");
    assert!(
        !state.is_stale(Instant::now()),
        "quiet but live is not stale"
    );
    assert!(
        !received.iter().any(|e| e.contains("Reconnecting")),
        "keep-alives must keep the stream alive: {received:?}"
    );
    assert!(received.iter().any(|e| e.starts_with("Snapshot")));
    // Connecting, snapshot, who am I, connected — and nothing after.
    assert_eq!(woken, received.len(), "one wake-up per message");
    assert!(woken <= 4, "woken {woken} times: {received:?}");
}

#[test]
fn one_wake_up_draws_one_frame() {
    let ctx = egui::Context::default();
    let wake = tianshu::console::ui_waker(&ctx);
    let frame = || {
        let mut out = ctx.run_ui(egui::RawInput::default(), |_| {});
        out.textures_delta.clear();
    };
    for _ in 0..3 {
        frame();
    }
    assert!(!ctx.has_requested_repaint(), "settled");
    wake();
    assert!(ctx.has_requested_repaint(), "the wake-up asks for a frame");
    frame();
    assert!(
        !ctx.has_requested_repaint(),
        "a second frame was asked for by a single wake-up"
    );
}

fn snapshot() -> tianshu::api::Snapshot {
    let sim = Simulator::new(SimConfig {
        seed: 3,
        start: NOW,
        factory_count: 2_000,
    })
    .unwrap();
    let local = LocalWorld::new(sim, 600.0, 1000).unwrap();
    for step in 0..20 {
        local.tick(600.0, NOW + step);
    }
    local.world().snapshot(NOW + 20)
}

#[test]
fn a_connected_quiet_console_requests_no_frame_on_any_view_however_long_it_waits() {
    for view in [
        View::Overview,
        View::Latency,
        View::Factories,
        View::Agents,
        View::Progress,
    ] {
        let (to_ui, events) = mpsc::channel(1024);
        let (commands, mut from_ui) = mpsc::channel(1024);
        let mut state = State::new("http://127.0.0.1:9");
        let start = Instant::now();
        state.freeze_clock(start);
        let mut snap = snapshot();
        // No open action: the agents view's countdowns are a legitimate 1 Hz clock.
        snap.actions.clear();
        let app = ConsoleApp::new(
            state,
            Lang::En,
            Theme::built_in("noc-dark").unwrap(),
            view,
            commands,
            events,
        );
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1400.0, 850.0))
            .with_context_setup(fonts::install)
            .build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app);
        to_ui
            .try_send(ClientEvent::Connection(ConnectionState::Connected))
            .unwrap();
        to_ui
            .try_send(ClientEvent::Snapshot(Box::new(snap)))
            .unwrap();
        harness.run_steps(3);
        if view == View::Overview {
            // The moving dashes are an animation: the operator's "Animate" switch stops them.
            harness.get_by_label("Animate").click();
            harness.run_steps(2);
        }
        // The views' data requests stay unanswered: a slow backend, still live.
        while from_ui.try_recv().is_ok() {}
        // A minute passes with the stream up and nothing new: only the status bar's minute clock
        // may ask for a frame, at the next whole minute — nothing sooner.
        harness
            .state_mut()
            .state
            .freeze_clock(start + Duration::from_secs(60));
        harness.run_steps(2);
        let delay = harness
            .output()
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map_or(Duration::MAX, |v| v.repaint_delay);
        assert!(
            delay >= Duration::from_secs(30),
            "{view:?}: an idle console asked for another frame in {delay:?}"
        );
    }
}
