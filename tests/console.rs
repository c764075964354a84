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

/// The backend's answer to `GET /me`, as the client would pass it on.
fn sign_in(fixture: &Fixture, name: &str, role: tianshu::api::Role, groups: &[&str]) {
    fixture
        .to_ui
        .try_send(ClientEvent::Me(Box::new(tianshu::api::Me {
            name: name.into(),
            role,
            factory_ids: if groups.is_empty() { vec![] } else { vec![42] },
            factory_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            open_mode: false,
        })))
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
            .any(|c| matches!(c, Command::FetchLatencySummary)),
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
    let mut snapshot = simulated_snapshot();
    // Only actions awaiting a decision (not ones already run and inside a veto window).
    snapshot
        .actions
        .retain(|a| a.state == tianshu::api::ActionState::Pending);
    let versions: std::collections::BTreeMap<u64, u64> =
        snapshot.actions.iter().map(|a| (a.id, a.version)).collect();
    let (mut harness, mut fixture) = console(View::Agents, egui::vec2(1400.0, 1000.0));
    connect(&fixture, snapshot);
    sign_in(&fixture, "root", tianshu::api::Role::Admin, &[]);
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
            assert_eq!(request.reason, "forecast disagrees");
            assert_eq!(Some(&request.expected_version), versions.get(&action_id));
            assert!(!request.idempotency_key.is_empty());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(fixture.from_ui.try_recv().is_err(), "exactly one command");
    assert!(
        harness.state().state.in_flight.len() == 1,
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

/// The latency view from the backend's own summary and grid: the national figure, a badge per
/// metro, zooming into a metro from the ranking, its heatmap legend, and a what-if that leaves as
/// one command and never changes the live figures shown.
#[test]
fn latency_view_shows_the_national_figure_badges_and_a_metro_heatmap() {
    let mut sim = Simulator::new(SimConfig {
        seed: 3,
        start: NOW,
        factory_count: 2_000,
    })
    .expect("sim");
    sim.step(3600.0);
    let summary = sim.latency_summary();
    let top = sim
        .metros()
        .iter()
        .max_by_key(|m| m.population)
        .cloned()
        .expect("a metro");
    let grid = sim.latency_grid(&top.id).expect("grid");
    let (mut harness, mut fixture) = console(View::Latency, egui::vec2(1600.0, 900.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(3);
    let mut seen = Vec::new();
    while let Ok(c) = fixture.from_ui.try_recv() {
        seen.push(c);
    }
    assert!(seen.contains(&Command::FetchLatencySummary), "{seen:?}");
    fixture
        .to_ui
        .try_send(ClientEvent::LatencySummary(Box::new(summary.clone())))
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label_contains(&format!(
        "{} of {} metros have 1 ms access",
        summary.metros_meeting, summary.metros_total
    ));
    harness.get_by_label_contains("population-weighted share");
    // Every metro is a badge on the map, named with its coverage.
    let badges = harness.query_all_by_label_contains(" %").count();
    assert!(badges >= summary.metros_total as usize, "{badges} labels");

    // Zoom into the most populous metro from the ranking: its grid is asked for, then drawn.
    harness.get_by_label(&top.name_en).click();
    harness.run_steps(3);
    let mut seen = Vec::new();
    while let Ok(c) = fixture.from_ui.try_recv() {
        seen.push(c);
    }
    assert!(
        seen.contains(&Command::FetchMetroLatency(top.id.clone())),
        "{seen:?}"
    );
    fixture
        .to_ui
        .try_send(ClientEvent::MetroLatency(Box::new(grid)))
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label("Latency grid");
    harness.get_by_label_contains("≤ 1 ms, ≤ 2 ms, ≤ 5 ms, > 5 ms, No data");
    harness.get_by_label("Back to national view");

    // Planning mode on: nothing leaves until the operator computes.
    harness.get_by_label_contains("Place sites").click();
    harness.run_steps(2);
    assert!(fixture.from_ui.try_recv().is_err());
    // A what-if answer is shown beside the live figures, labelled, and changes no live figure.
    let points: Vec<tianshu::api::GeoPoint> = vec![top.center];
    let answer = sim
        .what_if(
            &top.id,
            &tianshu::api::WhatIfRequest {
                add: points,
                remove: vec![],
            },
        )
        .expect("what-if");
    fixture
        .to_ui
        .try_send(ClientEvent::WhatIf(Box::new(answer)))
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label("Hypothetical: not part of any live figure.");
    harness.get_by_label("Live");
    assert_eq!(
        harness.state().state.world.as_ref().expect("world").metros,
        simulated_snapshot().metros,
        "live metros untouched"
    );
    harness.run();
}

// ---- Overview (issue 3): selection, search, replay ----

/// A backbone history from the real world behind the snapshot's simulator (same seed and start).
fn simulated_history() -> tianshu::api::LoadHistory {
    let sim = Simulator::new(SimConfig {
        seed: 3,
        start: NOW,
        factory_count: 500,
    })
    .expect("sim");
    let world = World::new(sim, Store::open(None).expect("store"), 600.0, 1000, 0).expect("world");
    world.load_history(None, None)
}

fn map_node<'a>(
    harness: &'a Harness<'static, ConsoleApp>,
    prefix: &'a str,
) -> egui_kittest::Node<'a> {
    harness.get(egui_kittest::kittest::By::new().predicate(move |n| {
        n.label()
            .is_some_and(|l| l.starts_with(prefix) && l.ends_with('%'))
    }))
}

#[test]
fn clicking_a_cluster_on_the_map_opens_its_panel_with_charts() {
    let (mut harness, fixture) = console(View::Overview, egui::vec2(1600.0, 900.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(4);
    assert!(
        harness
            .query_by_label("Round trip to the other hubs")
            .is_none()
    );
    map_node(&harness, "Gui'an · ").click();
    harness.run_steps(4);
    harness.get_by_label("Cluster");
    harness.get_by_label("Utilization, recent hours (%)");
    harness.get_by_label("Round trip to the other hubs");
    harness.snapshot("overview_selected");
    // Close returns to the national figures.
    harness.get_by_label("Close").click();
    harness.run_steps(3);
    assert!(
        harness
            .query_by_label("Round trip to the other hubs")
            .is_none()
    );
    harness.get_by_label_contains("AI compute (clusters)");
}

#[test]
fn search_finds_guian_in_chinese_and_english_and_asks_for_plants() {
    for text in ["贵安", "Gui'an", "guian"] {
        let (mut harness, mut fixture) = console(View::Overview, egui::vec2(1600.0, 900.0));
        connect(&fixture, simulated_snapshot());
        harness.run_steps(3);
        harness
            .get_by_role_and_label(egui::accesskit::Role::TextInput, "Search")
            .focus();
        harness.run_steps(1);
        harness
            .get_by_role_and_label(egui::accesskit::Role::TextInput, "Search")
            .type_text(text);
        harness.run_steps(30);
        let mut seen = Vec::new();
        while let Ok(c) = fixture.from_ui.try_recv() {
            seen.push(c);
        }
        assert!(
            seen.iter()
                .any(|c| matches!(c, Command::SearchFactories(q) if q == text)),
            "{text}: {seen:?}"
        );
        harness.get_by_label("Gui'an · Cluster").click();
        harness.run_steps(4);
        harness.get_by_label("Round trip to the other hubs");
        harness.get_by_label("Utilization, recent hours (%)");
    }
}

#[test]
fn the_time_bar_replays_yesterday_and_live_returns() {
    let (mut harness, mut fixture) = console(View::Overview, egui::vec2(1600.0, 900.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(3);
    harness.get_by_label("LIVE");
    harness.get_by_label("Replay last 24 h").click();
    harness.run_steps(2);
    let mut seen = Vec::new();
    while let Ok(c) = fixture.from_ui.try_recv() {
        seen.push(c);
    }
    assert!(
        seen.iter()
            .any(|c| matches!(c, Command::FetchHistory { .. })),
        "{seen:?}"
    );
    harness.get_by_label("REPLAY");
    let history = simulated_history();
    assert!(history.frames.len() > 200);
    fixture
        .to_ui
        .try_send(ClientEvent::History(Box::new(history)))
        .expect("send");
    harness.run_steps(4);
    harness.get_by_label_contains("REPLAY · ");
    harness.get_by_label("Pause").click();
    harness.run_steps(2);
    harness.get_by_label("Play");
    harness.get_by_label("Live").click();
    harness.run_steps(3);
    harness.get_by_label("LIVE");
    assert!(harness.query_by_label_contains("REPLAY · ").is_none());
}

/// The factories view: every plant on a clustered map and in the table, the progress chart,
/// a text filter that narrows map, count and table at once and asks the backend for its count,
/// and a row click that selects the plant and asks for its page.
#[test]
fn factories_view_shows_map_chart_and_table_and_filters_them_together() {
    use tianshu::api::FactoryQuery;
    let sim = Simulator::new(SimConfig {
        seed: 3,
        start: NOW,
        factory_count: 5_000,
    })
    .expect("sim");
    let world = World::new(sim, Store::open(None).expect("store"), 600.0, 1000, 0).expect("world");
    let points = world
        .sim
        .factory_points(&FactoryQuery::default())
        .expect("points");
    let progress = world.sim.progress();
    let (mut harness, mut fixture) = console(View::Factories, egui::vec2(1600.0, 900.0));
    connect(&fixture, world.snapshot(NOW));
    harness.run_steps(3);
    let mut seen = Vec::new();
    while let Ok(c) = fixture.from_ui.try_recv() {
        seen.push(c);
    }
    assert!(
        seen.iter()
            .any(|c| matches!(c, Command::FetchFactoryPoints(q) if *q == FactoryQuery::default())),
        "{seen:?}"
    );
    fixture
        .to_ui
        .try_send(ClientEvent::FactoryPoints(Box::new(points.clone())))
        .expect("send");
    fixture
        .to_ui
        .try_send(ClientEvent::Progress(Box::new(progress)))
        .expect("send");
    harness.run_steps(4);
    assert!(harness.state().view_has_data(), "screenshot readiness");
    harness.get_by_label_contains("5,000 of 5,000 enterprises match");
    harness.get_by_label_contains("Enterprises: ");
    harness.get_by_label_contains("Upgraded enterprises against the 2028 target");
    harness.get_by_label("Name");
    harness.get_by_label("Id ▲");
    harness.snapshot("factories");

    // Search by id: one plant left in the count (and the table), the backend asked the same.
    harness.get_by_label("Search name, city or id").focus();
    harness.run_steps(1);
    harness
        .get_by_label("Search name, city or id")
        .type_text("#42");
    harness.run_steps(3);
    harness.get_by_label_contains("1 of 5,000 enterprises match");
    let mut seen = Vec::new();
    while let Ok(c) = fixture.from_ui.try_recv() {
        seen.push(c);
    }
    assert!(
        seen.iter()
            .any(|c| matches!(c, Command::FetchFactories(q) if q.q.as_deref() == Some("#42"))),
        "{seen:?}"
    );
    let i = points.index_of(42).expect("plant 42");
    harness.get_by_label(&points.name_en[i]).click();
    harness.run_steps(3);
    let mut seen = Vec::new();
    while let Ok(c) = fixture.from_ui.try_recv() {
        seen.push(c);
    }
    assert!(
        seen.iter()
            .any(|c| matches!(c, Command::FetchFactoryDetail(42))),
        "{seen:?}"
    );
}

// ---- Human-in-the-loop flows (issue 6) ----

/// A snapshot whose queue holds exactly `actions` (the world data stays real).
fn snapshot_with(actions: Vec<tianshu::api::Action>) -> Snapshot {
    let mut s = simulated_snapshot();
    s.actions = actions;
    s
}

/// A pending network action on the backbone, one approval, with a bounded parameter.
fn pending_action(id: u64, server_time: i64) -> tianshu::api::Action {
    let base = simulated_snapshot()
        .actions
        .into_iter()
        .next()
        .expect("an action");
    tianshu::api::Action {
        id,
        version: 3,
        agent_id: "agent-backbone".into(),
        kind: tianshu::api::ActionKind::Reroute,
        target: "link-x".into(),
        summary_en: format!("Reroute test traffic {id}"),
        risk: tianshu::api::Risk::Medium,
        policy: tianshu::api::Policy::OneApproval,
        params: serde_json::json!({"shift_gbps": 60.0, "via": "c1"}),
        param_bounds: [(
            "shift_gbps".to_string(),
            tianshu::api::ParamBound {
                min: 10.0,
                max: 90.0,
            },
        )]
        .into_iter()
        .collect(),
        state: tianshu::api::ActionState::Pending,
        expires_at: server_time + 600_000,
        veto_until: None,
        industrial: false,
        approvals: vec![],
        ..base
    }
}

fn drain(fixture: &mut Fixture) -> Vec<Command> {
    let mut out = Vec::new();
    while let Ok(c) = fixture.from_ui.try_recv() {
        out.push(c);
    }
    out
}

fn type_reason(harness: &mut Harness<'static, ConsoleApp>, text: &str) {
    harness.get_by_label("Reason").focus();
    harness.run_steps(1);
    harness.get_by_label("Reason").type_text(text);
    harness.run_steps(2);
}

#[test]
fn an_approval_is_shown_as_decided_only_after_the_backend_confirms_it() {
    let server_time = simulated_snapshot().server_time;
    let action = pending_action(900, server_time);
    let (mut harness, mut fixture) = console(View::Agents, egui::vec2(1400.0, 1000.0));
    connect(&fixture, snapshot_with(vec![action.clone()]));
    sign_in(&fixture, "li.wei", tianshu::api::Role::Operator, &[]);
    harness.run_steps(3);
    // In the view's header and in the status bar.
    assert_eq!(
        harness
            .get_all_by_label_contains("Signed in as li.wei (Operator)")
            .count(),
        2
    );
    drain(&mut fixture);
    type_reason(&mut harness, "forecast agrees");
    harness.get_by_label("Approve").click();
    harness.run_steps(3);
    let sent = drain(&mut fixture);
    let [Command::Decide { action_id, request }] = sent.as_slice() else {
        panic!("one decision expected, got {sent:?}");
    };
    assert_eq!(*action_id, 900);
    assert_eq!(request.decision, tianshu::api::Decision::Approve);
    assert_eq!(request.expected_version, 3);
    // Clicked, not confirmed: still in the queue, marked as sending.
    harness.get_by_label_contains("Sending approval");
    assert!(harness.state().state.open_actions().any(|a| a.id == 900));
    let mut confirmed = action.clone();
    confirmed.version = 4;
    confirmed.state = tianshu::api::ActionState::Executed;
    confirmed.approvals = vec!["li.wei".into()];
    confirmed.decided_by = Some("li.wei".into());
    fixture
        .to_ui
        .try_send(ClientEvent::DecisionDone {
            action_id: 900,
            idempotency_key: request.idempotency_key.clone(),
            result: Ok(Box::new(tianshu::api::DecisionResponse {
                action: confirmed,
                audit_id: 77,
                replayed: false,
            })),
        })
        .expect("send");
    harness.run_steps(3);
    assert!(
        harness
            .query_by_label_contains("Sending approval")
            .is_none()
    );
    assert!(!harness.state().state.open_actions().any(|a| a.id == 900));
    harness.get_by_label("No action is waiting for a decision.");
}

#[test]
fn an_override_sends_parameters_within_the_bounds_the_backend_gave() {
    let server_time = simulated_snapshot().server_time;
    let (mut harness, mut fixture) = console(View::Agents, egui::vec2(1400.0, 1000.0));
    connect(
        &fixture,
        snapshot_with(vec![pending_action(901, server_time)]),
    );
    sign_in(&fixture, "li.wei", tianshu::api::Role::Operator, &[]);
    harness.run_steps(3);
    drain(&mut fixture);
    harness.get_by_label("Override…").click();
    harness.run_steps(2);
    harness.get_by_label("10 to 90");
    harness.get_by_label("shift_gbps");
    // The reason comes first: without it the override cannot be applied.
    harness.get_by_label("Apply override").click();
    harness.run_steps(2);
    assert!(drain(&mut fixture).is_empty());
    type_reason(&mut harness, "keep more headroom on the detour");
    harness.get_by_label("Apply override").click();
    harness.run_steps(3);
    let sent = drain(&mut fixture);
    let [Command::Decide { request, .. }] = sent.as_slice() else {
        panic!("one decision expected, got {sent:?}");
    };
    assert_eq!(request.decision, tianshu::api::Decision::Override);
    let shift = request.params.as_ref().unwrap()["shift_gbps"]
        .as_f64()
        .unwrap();
    assert!((10.0..=90.0).contains(&shift), "{shift}");
    assert_eq!(request.reason, "keep more headroom on the detour");
}

#[test]
fn disabled_decisions_say_why() {
    let server_time = simulated_snapshot().server_time;
    let mut plant = pending_action(902, server_time);
    plant.industrial = true;
    plant.target = "CN-GD/automotive".into();
    let (mut harness, mut fixture) = console(View::Agents, egui::vec2(1400.0, 1000.0));
    connect(&fixture, snapshot_with(vec![plant.clone()]));
    harness.run_steps(3);
    harness.get_by_label_contains("Waiting for the backend to say who you are");
    sign_in(&fixture, "li.wei", tianshu::api::Role::Operator, &[]);
    harness.run_steps(3);
    harness.get_by_label_contains("Industrial actions are decided by the factory managers");
    drain(&mut fixture);
    harness.get_by_label("Approve").click();
    harness.run_steps(2);
    assert!(
        drain(&mut fixture).is_empty(),
        "a disabled button sends nothing"
    );
    sign_in(&fixture, "wall", tianshu::api::Role::Viewer, &[]);
    harness.run_steps(3);
    harness.get_by_label_contains("Your role (viewer) reads only");
    sign_in(
        &fixture,
        "chen",
        tianshu::api::Role::FactoryManager,
        &["CN-JS/steel"],
    );
    harness.run_steps(3);
    harness.get_by_label_contains("CN-GD/automotive is outside the factories you manage");
    // Four eyes: the manager of the plant approved already, a second approval must be someone else.
    let mut approved = plant;
    approved.policy = tianshu::api::Policy::TwoApprovals;
    approved.approvals = vec!["zhang".into()];
    approved.version = 4;
    fixture
        .to_ui
        .try_send(ClientEvent::Snapshot(Box::new(snapshot_with(vec![
            approved,
        ]))))
        .expect("send");
    sign_in(
        &fixture,
        "zhang",
        tianshu::api::Role::FactoryManager,
        &["CN-GD/automotive"],
    );
    harness.run_steps(3);
    harness.get_by_label_contains("You approved already");
    harness.snapshot("agents_disabled_reason");
}

#[test]
fn a_stale_decision_shows_what_changed() {
    let server_time = simulated_snapshot().server_time;
    let action = pending_action(903, server_time);
    let (mut harness, mut fixture) = console(View::Agents, egui::vec2(1400.0, 1000.0));
    connect(&fixture, snapshot_with(vec![action.clone()]));
    sign_in(&fixture, "li.wei", tianshu::api::Role::Operator, &[]);
    harness.run_steps(3);
    let mut now = action.clone();
    now.version = 4;
    now.approvals = vec!["wang.fang".into()];
    now.params = serde_json::json!({"shift_gbps": 40.0, "via": "c1"});
    fixture
        .to_ui
        .try_send(ClientEvent::DecisionDone {
            action_id: 903,
            idempotency_key: "k".into(),
            result: Err(tianshu::client::ClientError::Api {
                status: 409,
                body: tianshu::api::ApiError {
                    code: "stale_version".into(),
                    message: "the action changed since you saw it".into(),
                    details: Some(serde_json::json!({"current_version": 4, "action": now})),
                },
            }),
        })
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label_contains("Changed since you saw it");
    harness.get_by_label_contains("approvals:  → wang.fang");
    harness.get_by_label_contains("params.shift_gbps: 60.0 → 40.0");
    assert_eq!(
        harness.state().state.actions[&903].version,
        4,
        "the card shows the action as it is now"
    );
    drain(&mut fixture);
}

#[test]
fn a_new_critical_action_raises_an_alert_on_any_view() {
    let snapshot = simulated_snapshot();
    let seq = snapshot.seq;
    let mut critical = pending_action(904, snapshot.server_time);
    critical.risk = tianshu::api::Risk::Critical;
    critical.policy = tianshu::api::Policy::TwoApprovals;
    let (mut harness, fixture) = console(View::Progress, egui::vec2(1400.0, 900.0));
    connect(&fixture, snapshot);
    harness.run_steps(3);
    assert!(harness.query_by_label_contains("CRITICAL").is_none());
    fixture
        .to_ui
        .try_send(ClientEvent::Stream(Box::new(tianshu::api::Event {
            id: seq + 1,
            server_time: NOW + 3000,
            kind: tianshu::api::EventKind::ActionProposed { action: critical },
        })))
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label_contains("CRITICAL: 1 critical action(s) await a decision");
    harness.get_by_label("Open queue").click();
    harness.run_steps(3);
    assert_eq!(harness.state().view, View::Agents);
    assert!(harness.query_by_label_contains("CRITICAL").is_none());
}
