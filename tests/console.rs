//! The console shell driven through AccessKit with egui_kittest: it renders, navigates, decides,
//! warns when stale, switches language — fed by a fake client channel carrying real simulator data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use tianshu::api::Snapshot;
use tianshu::backend::sim::{SimConfig, Simulator};
use tianshu::backend::store::Store;
use tianshu::backend::world::World;
use tianshu::client::{ClientEvent, Command, ConnectionState};
use tianshu::i18n::Lang;
use tianshu::state::State;
use tianshu::ui::theme::Theme;
use tianshu::ui::{ConsoleApp, View, fonts};
use tokio::sync::mpsc;

const NOW: i64 = 1_793_491_200_000;

/// A snapshot from the real simulator with at least one open action.
fn simulated_snapshot() -> Snapshot {
    let sim = Simulator::new(SimConfig {
        seed: 3,
        start: NOW,
        factory_count: 5_000,
    })
    .expect("sim");
    let mut world =
        World::new(sim, Store::open(None).expect("store"), 600.0, 1000, 0).expect("world");
    for step in 0..2000 {
        world.tick(600.0, NOW + step).expect("tick");
        if !world.open_actions().is_empty() {
            break;
        }
    }
    let snapshot = world.snapshot(NOW + 2000);
    assert!(
        !snapshot.actions.is_empty(),
        "the simulator proposes actions"
    );
    snapshot
}

struct Fixture {
    to_ui: mpsc::Sender<ClientEvent>,
    from_ui: mpsc::Receiver<Command>,
}

fn console(view: View, size: egui::Vec2) -> (Harness<'static, ConsoleApp>, Fixture) {
    let (to_ui, events) = mpsc::channel(1024);
    let (commands, from_ui) = mpsc::channel(1024);
    let app = ConsoleApp::new(
        State::new("http://127.0.0.1:9"),
        Lang::En,
        Theme::built_in("noc-dark").expect("theme"),
        view,
        commands,
        events,
    );
    let harness = Harness::builder()
        .with_size(size)
        .with_context_setup(fonts::install)
        .wgpu()
        .build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app);
    (harness, Fixture { to_ui, from_ui })
}

fn connect(fixture: &Fixture, snapshot: Snapshot) {
    fixture
        .to_ui
        .try_send(ClientEvent::Connection(ConnectionState::Connected))
        .expect("send");
    fixture
        .to_ui
        .try_send(ClientEvent::Snapshot(Box::new(snapshot)))
        .expect("send");
}

#[test]
fn shell_renders_and_navigation_switches_views() {
    let (mut harness, fixture) = console(View::Overview, egui::vec2(1400.0, 850.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(4);
    harness.get_by_label("SIMULATED");
    harness.get_by_label("Connected");
    harness.get_by_label_contains("Backend http://127.0.0.1:9");
    for (label, view) in [
        ("Agents", View::Agents),
        ("Latency", View::Latency),
        ("Factories", View::Factories),
        ("Progress", View::Progress),
        ("Overview", View::Overview),
    ] {
        harness.get_by_label(label).click();
        harness.run_steps(3);
        assert_eq!(harness.state().view, view, "clicking {label}");
    }
}

#[test]
fn views_ask_the_client_for_their_data() {
    let (mut harness, mut fixture) = console(View::Latency, egui::vec2(1400.0, 850.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(3);
    harness.get_by_label("Factories").click();
    harness.run_steps(3);
    harness.get_by_label("Progress").click();
    harness.run_steps(3);
    let mut seen = Vec::new();
    while let Ok(c) = fixture.from_ui.try_recv() {
        seen.push(c);
    }
    assert!(
        seen.iter()
            .any(|c| matches!(c, Command::FetchMetroLatency(_))),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|c| matches!(c, Command::FetchFactories(_))),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|c| matches!(c, Command::FetchProgress)),
        "{seen:?}"
    );
}

#[test]
fn an_operator_decision_leaves_as_one_command_with_reason_and_version() {
    let snapshot = simulated_snapshot();
    let action = snapshot
        .actions
        .iter()
        .max_by_key(|a| a.id)
        .cloned()
        .expect("an action");
    let (mut harness, mut fixture) = console(View::Agents, egui::vec2(1400.0, 1000.0));
    connect(&fixture, snapshot);
    harness.run_steps(3);
    while fixture.from_ui.try_recv().is_ok() {} // the audit fetch
    // Without a reason the buttons are disabled: nothing leaves.
    harness
        .get_all_by_label("Reject")
        .next()
        .expect("a reject button")
        .click();
    harness.run_steps(2);
    assert!(fixture.from_ui.try_recv().is_err());
    let field = harness
        .get_all_by_label("Reason")
        .next()
        .expect("reason field");
    field.focus();
    harness.run_steps(1);
    harness
        .get_all_by_label("Reason")
        .next()
        .expect("reason field")
        .type_text("forecast disagrees");
    harness.run_steps(2);
    harness
        .get_all_by_label("Reject")
        .next()
        .expect("a reject button")
        .click();
    harness.run_steps(3);
    let command = fixture.from_ui.try_recv().expect("a decision was sent");
    match command {
        Command::Decide { action_id, request } => {
            assert_eq!(action_id, action.id);
            assert_eq!(request.reason, "forecast disagrees");
            assert_eq!(request.expected_version, action.version);
            assert!(!request.idempotency_key.is_empty());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(fixture.from_ui.try_recv().is_err(), "exactly one command");
    assert!(
        harness
            .state()
            .state
            .decision_in_flight(action.id)
            .is_some(),
        "shown as sending"
    );
}

#[test]
fn losing_the_backend_shows_the_stale_banner_and_recovery_clears_it() {
    let (mut harness, fixture) = console(View::Overview, egui::vec2(1400.0, 850.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(3);
    assert!(harness.query_by_label_contains("DATA STALE").is_none());
    fixture
        .to_ui
        .try_send(ClientEvent::Connection(ConnectionState::Reconnecting {
            attempt: 2,
            retry_in: Duration::from_secs(1),
            reason: "connection refused".into(),
        }))
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label_contains("DATA STALE");
    harness.get_by_label_contains("Reconnecting");
    connect(&fixture, simulated_snapshot());
    harness.run_steps(3);
    assert!(harness.query_by_label_contains("DATA STALE").is_none());
}

#[test]
fn language_switches_to_chinese() {
    let (mut harness, fixture) = console(View::Overview, egui::vec2(1400.0, 850.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(3);
    harness.get_by_label("中文").click();
    harness.run_steps(3);
    harness.get_by_label("总览");
    harness.get_by_label("智能体");
    harness.get_by_label("模拟数据");
}

#[test]
fn an_idle_console_stops_repainting() {
    let (mut harness, fixture) = console(View::Factories, egui::vec2(1400.0, 850.0));
    connect(&fixture, simulated_snapshot());
    // `run` fails if frames keep asking for repaints: connected and quiet must settle.
    harness.run();
}

#[test]
fn overview_snapshot() {
    let (mut harness, fixture) = console(View::Overview, egui::vec2(1600.0, 900.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(4);
    harness.snapshot("overview");
}
