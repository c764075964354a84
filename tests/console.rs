//! The console shell driven through AccessKit with egui_kittest: it renders, navigates, decides,
//! warns when stale, switches language — fed by a fake client channel carrying real simulator data.
//!
//! Over 600 lines on purpose: one suite of console flows over one fixture (simulated snapshot, fake channels, kittest harness); each test reads on its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use tianshu::api::Snapshot;
use tianshu::backend::sim::{SimConfig, Simulator};
use tianshu::client::{ClientEvent, Command, ConnectionState};
use tianshu::i18n::Lang;
use tianshu::ui::theme::Theme;
use tianshu::ui::{ConsoleApp, View, fonts};
use tokio::sync::mpsc;

mod console_support;
use console_support::*;

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
    let world = simulated_world(500);
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
    let world = simulated_world(5_000);
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

/// An event from the stream, numbered after `seq`.
fn stream(fixture: &Fixture, id: u64, server_time: i64, kind: tianshu::api::EventKind) {
    fixture
        .to_ui
        .try_send(ClientEvent::Stream(Box::new(tianshu::api::Event {
            id,
            server_time,
            kind,
        })))
        .expect("send");
}

#[test]
fn the_activity_timeline_shows_approved_and_vetoed_actions_and_a_click_selects_one() {
    let snapshot = simulated_snapshot();
    let (seq, t0) = (snapshot.seq, snapshot.server_time);
    let link = snapshot.links[0].clone();
    let mut approved = pending_action(910, t0);
    approved.target = link.id.clone();
    approved.created_at = t0 - 60_000;
    let mut vetoed = pending_action(911, t0);
    vetoed.summary_en = "Shift batch jobs off the hot channel".into();
    vetoed.target = link.id.clone();
    vetoed.created_at = t0 - 120_000;
    vetoed.state = tianshu::api::ActionState::Executed;
    vetoed.policy = tianshu::api::Policy::AutoWithVeto;
    vetoed.decided_at = Some(t0 - 120_000);
    vetoed.veto_until = Some(t0 + 300_000);
    let (mut harness, fixture) = console(View::Agents, egui::vec2(1400.0, 1000.0));
    connect(
        &fixture,
        snapshot_with(vec![approved.clone(), vetoed.clone()]),
    );
    sign_in(&fixture, "li.wei", tianshu::api::Role::Operator, &[]);
    harness.run_steps(3);
    harness.get_by_label_contains("Proposed #910");
    // The backend confirms an approval and a veto (rolled back) on the stream.
    let mut done = approved.clone();
    done.version = 4;
    done.state = tianshu::api::ActionState::Executed;
    done.decided_at = Some(t0 - 30_000);
    done.decided_by = Some("li.wei".into());
    let mut rolled_back = vetoed.clone();
    rolled_back.version = 4;
    rolled_back.state = tianshu::api::ActionState::RolledBack;
    rolled_back.veto_until = None;
    rolled_back.decided_at = Some(t0 - 10_000);
    stream(
        &fixture,
        seq + 1,
        t0,
        tianshu::api::EventKind::ActionUpdated { action: done },
    );
    stream(
        &fixture,
        seq + 2,
        t0,
        tianshu::api::EventKind::ActionUpdated {
            action: rolled_back,
        },
    );
    harness.run_steps(3);
    harness.get_by_label_contains("Executed #910");
    let veto = harness.get_by_label_contains("Vetoed / rolled back #911");
    {
        use egui_kittest::kittest::NodeT as _;
        let label = veto.accesskit_node().label().unwrap_or_default();
        assert!(
            label.contains("Shift batch jobs off the hot channel"),
            "hover names the action: {label}"
        );
    }
    // Legend.
    for kind in [
        "Proposed",
        "Executed",
        "Rejected",
        "Vetoed / rolled back",
        "Expired",
    ] {
        assert!(
            harness.query_all_by_label(kind).count() >= 1,
            "legend: {kind}"
        );
    }
    veto.click();
    harness.run_steps(3);
    harness.get_by_label_contains("#911 · Shift batch jobs off the hot channel");
    harness.get_by_label_contains("Acts on: Backbone link");
}

#[test]
fn selecting_an_action_shows_where_it_acts_on_the_map() {
    let snapshot = simulated_snapshot();
    let t0 = snapshot.server_time;
    let metro = snapshot.metros[0].clone();
    let mut at_metro = pending_action(912, t0);
    at_metro.target = metro.id.clone();
    at_metro.summary_en = "Add an edge site".into();
    let mut at_plants = pending_action(913, t0);
    at_plants.industrial = true;
    at_plants.target = "CN-GD/automotive".into();
    at_plants.summary_en = "Retune line speed".into();
    let (mut harness, fixture) = console(View::Agents, egui::vec2(1400.0, 1000.0));
    connect(&fixture, snapshot_with(vec![at_metro, at_plants]));
    harness.run_steps(3);
    harness.get_by_label("Where it acts");
    harness.get_by_label("#912").click();
    harness.run_steps(3);
    harness.get_by_label(&format!("Acts on: Metro {}", metro.name_en));
    harness.get_by_label("#913").click();
    harness.run_steps(3);
    harness.get_by_label("Acts on: Guangdong · Automotive plants");
    harness.get_by_label("Fit to target");
}

#[test]
fn the_agents_list_shows_health_by_the_documented_rule() {
    let snapshot = simulated_snapshot();
    let (seq, t0) = (snapshot.seq, snapshot.server_time);
    let (mut harness, fixture) = console(View::Agents, egui::vec2(1400.0, 1000.0));
    connect(&fixture, snapshot_with(vec![]));
    harness.run_steps(2);
    // People refuse four of the backbone agent's actions in a row: degraded.
    for k in 0..4_u64 {
        let mut a = pending_action(920 + k, t0);
        a.created_at = t0 - 100_000 + k as i64;
        a.state = tianshu::api::ActionState::Rejected;
        a.decided_at = Some(t0 - 50_000 + k as i64);
        a.version = 4;
        stream(
            &fixture,
            seq + 1 + k,
            t0,
            tianshu::api::EventKind::ActionUpdated { action: a },
        );
    }
    harness.run_steps(3);
    harness.get_by_label_contains("Agents (").click();
    harness.run_steps(3);
    harness.get_by_label("Health");
    harness.get_by_label("Degraded 1");
    harness.get_by_label_contains("Healthy ");
    harness.get_by_label("Silent 0");
    // The backbone agent's row (the first) says degraded; the others healthy.
    harness.get_by_label("Degraded");
    assert!(harness.get_all_by_label("Healthy").count() > 3);
}

// ---- Audiences (issue 7): wall playlist, review scorecard, factory profile, settings ----

fn progress_report() -> (Snapshot, tianshu::api::Progress) {
    let world = simulated_world(5_000);
    (world.snapshot(NOW), world.sim.progress())
}

#[test]
fn the_review_scorecard_shows_statuses_in_chinese_and_goes_back_in_time() {
    use tianshu::settings::{Profile, Settings};
    let settings = Settings {
        profile: Profile::Review,
        ..Settings::default()
    };
    let (mut harness, mut fixture) =
        console_with(settings, Lang::ZhCn, egui::vec2(1600.0, 1000.0), 0.25);
    assert_eq!(
        harness.state().view,
        View::Progress,
        "review opens on the scorecard"
    );
    let (snapshot, progress) = progress_report();
    connect(&fixture, snapshot);
    harness.run_steps(2);
    assert!(
        drain(&mut fixture)
            .iter()
            .any(|c| matches!(c, Command::FetchProgress))
    );
    fixture
        .to_ui
        .try_send(ClientEvent::Progress(Box::new(progress.clone())))
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label("规划目标进度评估");
    harness.get_by_label("高质量工业数据集");
    harness.get_by_label("信息通信业高价值人工智能用例");
    let rows = tianshu::review::scorecard(&progress, None);
    assert_eq!(rows.len(), 10);
    for (status, text) in [
        (tianshu::review::Status::OnTrack, "● 进展正常"),
        (tianshu::review::Status::AtRisk, "▲ 存在风险"),
        (tianshu::review::Status::OffTrack, "◆ 严重滞后"),
    ] {
        let n = rows.iter().filter(|r| r.status == status).count();
        assert!(n > 0, "the simulated world has targets {status:?}");
        let shown = harness.query_all_by_label(text).count();
        assert!(shown >= n, "{text}: {shown} shown, {n} targets");
    }
    harness.get_by_label("分省完成网络改造升级的企业");
    harness.get_by_label("广东");
    harness.get_by_label("截至 2026年11月1日");
    harness.get_by_label("◀ 前一天").click();
    harness.run_steps(2);
    harness.get_by_label("截至 2026年10月31日");
    harness.get_by_label("最新").click();
    harness.run_steps(2);
    harness.get_by_label("截至 2026年11月1日");
}

#[test]
fn the_factory_profile_shows_only_its_plant() {
    use tianshu::settings::{Profile, Settings};
    let (world, plant) = world_with_an_agents_plant();
    let other = world
        .sim
        .factories()
        .iter()
        .find(|f| f.id != plant.id && f.province != plant.province)
        .expect("another plant")
        .clone();
    let detail = world.sim.factory_detail(plant.id).expect("detail");
    let mut snapshot = simulated_snapshot();
    // One action of another plant's agent: neither listed nor counted.
    let mut foreign = pending_action(901, snapshot.server_time);
    foreign.agent_id = "agent-elsewhere".into();
    foreign.target = format!("{}/elsewhere", other.province);
    foreign.summary_en = "Foreign plant action".into();
    let mut own = pending_action(902, snapshot.server_time);
    own.agent_id = plant.agent_id.clone().expect("agent");
    own.summary_en = "Own plant action".into();
    snapshot.actions = vec![foreign, own];

    let settings = Settings {
        profile: Profile::Factory,
        factory: Some(plant.id),
        ..Settings::default()
    };
    let (mut harness, mut fixture) =
        console_with(settings, Lang::En, egui::vec2(1400.0, 900.0), 0.25);
    connect(&fixture, snapshot);
    harness.run_steps(2);
    let asked = drain(&mut fixture);
    assert!(
        asked
            .iter()
            .any(|c| matches!(c, Command::FetchFactoryDetail(id) if *id == plant.id)),
        "{asked:?}"
    );
    assert!(
        !asked.iter().any(|c| matches!(
            c,
            Command::FetchFactories(_) | Command::FetchFactoryPoints(_)
        )),
        "nothing about other plants is fetched: {asked:?}"
    );
    fixture
        .to_ui
        .try_send(ClientEvent::FactoryDetail(Box::new(detail)))
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label(&plant.name_en);
    harness.get_by_label(&format!("Plant #{}", plant.id));
    harness.get_by_label("Pending actions for this plant: 1");
    harness.get_by_label("Pending actions: 1");
    // On its card and among the plant's actions.
    assert_eq!(harness.query_all_by_label("Own plant action").count(), 2);
    assert!(harness.query_by_label("Foreign plant action").is_none());
    assert!(harness.query_by_label_contains(&other.name_en).is_none());
    // No navigation to the views that list every plant.
    for label in ["Overview", "Factories", "Agents", "Progress"] {
        assert!(harness.query_by_label(label).is_none(), "{label}");
    }
}

#[test]
fn the_settings_panel_switches_language_and_theme_at_runtime() {
    let (mut harness, fixture) = console(View::Overview, egui::vec2(1400.0, 900.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(2);
    harness.get_by_label("Settings").click();
    harness.run_steps(2);
    harness.get_by_label("office-light").click();
    harness.get_by_label("简体中文").click();
    harness.run_steps(1);
    harness.get_by_label("Apply and save").click();
    harness.run_steps(3);
    assert_eq!(harness.state().theme.name, "office-light");
    assert_eq!(harness.state().i18n.lang(), Lang::ZhCn);
    assert!(harness.query_all_by_label("设置").count() >= 1);
    // Without a config folder (none given here) saving says so instead of failing silently.
    harness.get_by_label_contains("没有可保存设置的主目录");
}

// ---- Audiences, part two: a wall without pointer controls, full screen when switched to at
// runtime, the theme picker, deciding on the plant page ----

#[test]
fn the_settings_panel_picks_a_user_theme_file_and_falls_back_from_a_broken_one() {
    let dir = std::env::temp_dir().join(format!("tianshu-themes-{}", std::process::id()));
    let themes = dir.join("themes");
    std::fs::create_dir_all(&themes).expect("dir");
    let light = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../themes/office-light.toml"
    ))
    .expect("theme");
    std::fs::write(
        themes.join("harbour.toml"),
        light.replace("name = \"office-light\"", "name = \"harbour\""),
    )
    .expect("write");
    let broken = light.replace("accent = \"#0b63c5\"", "accent = \"#0b63zz\"");
    assert_ne!(broken, light);
    std::fs::write(themes.join("broken.toml"), broken).expect("write");
    let config = dir.join("config.toml");

    let (to_ui, events) = mpsc::channel(1024);
    let (commands, _from_ui) = mpsc::channel(1024);
    let app = ConsoleApp::new(
        frozen_state(),
        Lang::En,
        Theme::built_in("office-light").expect("theme"),
        View::Overview,
        commands,
        events,
    )
    .with_settings(
        tianshu::settings::Settings {
            theme: "office-light".into(),
            ..Default::default()
        },
        Some(config.clone()),
        Vec::new(),
    );
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 900.0))
        .with_context_setup(fonts::install)
        .wgpu()
        .build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app);
    let fixture = Fixture {
        to_ui,
        from_ui: mpsc::channel(1).1,
    };
    connect(&fixture, simulated_snapshot());
    harness.run_steps(2);
    harness.get_by_label("Settings").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Your own theme files (.toml) go in ");
    // Not snapshotted: the folder's path differs between runs.
    // A broken file: the default theme and a sentence with the file, the line and the key.
    harness.get_by_label("broken.toml").click();
    harness.run_steps(1);
    harness.get_by_label("Apply and save").click();
    harness.run_steps(3);
    assert_eq!(harness.state().theme.name, "noc-dark");
    let warning = harness.get_by_label_contains("broken.toml, line ");
    let text = {
        use egui_kittest::kittest::NodeT as _;
        let node = warning.accesskit_node();
        node.value().or(node.label()).unwrap_or_default()
    };
    assert!(text.contains("colors.accent"), "{text}");
    // A good one: used at once and kept in the settings file.
    harness.get_by_label("harbour.toml").click();
    harness.run_steps(1);
    harness.get_by_label("Apply and save").click();
    harness.run_steps(3);
    assert_eq!(harness.state().theme.name, "harbour");
    let saved = tianshu::settings::Settings::load(&config).expect("saved settings");
    assert_eq!(
        saved.theme,
        themes.join("harbour.toml").display().to_string()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_factory_manager_decides_the_plants_action_on_the_plant_page() {
    use tianshu::settings::{Profile, Settings};
    let (world, plant) = world_with_an_agents_plant();
    let detail = world.sim.factory_detail(plant.id).expect("detail");
    let mut snapshot = simulated_snapshot();
    let mut own = pending_action(902, snapshot.server_time);
    own.agent_id = plant.agent_id.clone().expect("agent");
    own.summary_en = "Own plant action".into();
    snapshot.actions = vec![own];
    let settings = Settings {
        profile: Profile::Factory,
        factory: Some(plant.id),
        ..Settings::default()
    };
    let (mut harness, mut fixture) =
        console_with(settings, Lang::En, egui::vec2(1400.0, 1000.0), 0.25);
    connect(&fixture, snapshot);
    sign_in(&fixture, "li.wei", tianshu::api::Role::Operator, &[]);
    fixture
        .to_ui
        .try_send(ClientEvent::FactoryDetail(Box::new(detail)))
        .expect("send");
    harness.run_steps(3);
    drain(&mut fixture);
    assert_eq!(harness.query_all_by_label("Own plant action").count(), 2);
    harness.snapshot("plant_page_decisions");
    // Without a reason the decision waits (the same rule as the agents view).
    harness.get_by_label("Approve").click();
    harness.run_steps(2);
    assert!(drain(&mut fixture).is_empty());
    type_reason(&mut harness, "line 3 maintenance window");
    harness.get_by_label("Approve").click();
    harness.run_steps(3);
    let sent = drain(&mut fixture);
    let decisions: Vec<_> = sent
        .iter()
        .filter_map(|c| match c {
            Command::Decide { action_id, request } => Some((*action_id, request.clone())),
            _ => None,
        })
        .collect();
    let [(902, request)] = decisions.as_slice() else {
        panic!("one decision for the plant's action expected, got {sent:?}");
    };
    assert_eq!(request.decision, tianshu::api::Decision::Approve);
    assert_eq!(request.reason, "line 3 maintenance window");
    assert_eq!(request.expected_version, 3);
    harness.get_by_label_contains("Sending approval");
}

#[test]
fn a_scorecard_export_leaves_as_one_command_and_waits_for_its_file() {
    use tianshu::scorecard_export::{ScorecardExport, ScorecardFile};
    use tianshu::settings::{Profile, Settings};
    let settings = Settings {
        profile: Profile::Review,
        ..Settings::default()
    };
    let (mut harness, mut fixture) =
        console_with(settings, Lang::En, egui::vec2(1600.0, 1000.0), 0.25);
    let (snapshot, progress) = progress_report();
    connect(&fixture, snapshot);
    harness.run_steps(2);
    fixture
        .to_ui
        .try_send(ClientEvent::Progress(Box::new(progress)))
        .expect("send");
    harness.run_steps(3);
    drain(&mut fixture);
    harness.get_by_label("Export PDF").click();
    harness.run_steps(2);
    let sent = drain(&mut fixture);
    let [Command::ExportDocument(doc)] = sent.as_slice() else {
        panic!("one export expected, got {sent:?}");
    };
    let job = doc
        .as_any()
        .downcast_ref::<ScorecardExport>()
        .expect("a scorecard");
    assert_eq!(
        job.file,
        ScorecardFile::Document(tianshu::scorecard_doc::Format::Pdf)
    );
    assert_eq!(job.rows.len(), 10);
    assert!(!job.provinces.is_empty(), "the PDF carries the provinces");
    // While it runs, no second export can start.
    harness.get_by_label("Writing the export…");
    harness.get_by_label("Export CSV").click();
    harness.run_steps(2);
    assert!(drain(&mut fixture).is_empty(), "a second export waited");
    fixture
        .to_ui
        .try_send(ClientEvent::DocumentExported(Ok(
            "/tmp/tianshu-scorecard-2026-11-01.pdf".into(),
        )))
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label_contains("tianshu-scorecard-2026-11-01.pdf");
    harness.get_by_label("Export CSV").click();
    harness.run_steps(2);
    let sent = drain(&mut fixture);
    assert!(
        matches!(sent.as_slice(), [Command::ExportDocument(doc)]
            if doc.as_any().downcast_ref::<ScorecardExport>()
                .is_some_and(|job| job.file == ScorecardFile::Csv && job.provinces.is_empty())),
        "{sent:?}"
    );
}

#[test]
fn the_latency_view_asks_for_its_summary_again_after_a_resync() {
    let (mut harness, mut fixture) = console(View::Latency, egui::vec2(1400.0, 900.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(3);
    let asks = |sent: &[Command]| {
        sent.iter()
            .filter(|c| matches!(c, Command::FetchLatencySummary))
            .count()
    };
    assert_eq!(
        asks(&drain(&mut fixture)),
        1,
        "asked once on the first snapshot"
    );
    harness.run_steps(3);
    assert_eq!(
        asks(&drain(&mut fixture)),
        0,
        "not again while nothing changed"
    );
    // A resync: the same world again, but the stale/recovered events in between are lost.
    fixture
        .to_ui
        .try_send(ClientEvent::Snapshot(Box::new(simulated_snapshot())))
        .expect("send");
    harness.run_steps(3);
    assert_eq!(
        asks(&drain(&mut fixture)),
        1,
        "asked again after the new snapshot"
    );
}

/// A simulated world with one cluster's utilisation pushed by `push:mes`.
fn partly_measured_snapshot() -> (Snapshot, String) {
    let mut world = simulated_world(2_000);
    let cluster = world.sim.clusters()[0].id.clone();
    let batch = tianshu::api::IngestBatch {
        batch_id: "b1".into(),
        samples: vec![tianshu::api::IngestSample {
            entity: format!("cluster:{cluster}"),
            metric: "utilization".into(),
            value: 0.834,
            t: Some(NOW - 90_000),
        }],
        stages: vec![],
    };
    let receipt = world.ingest("push:mes", &batch, NOW).expect("ingest");
    assert_eq!(receipt.accepted, 1);
    (world.snapshot(NOW), cluster)
}

#[test]
fn the_console_names_what_is_simulated_and_greys_a_stale_source_with_its_age() {
    let (mut harness, fixture) = console(View::Overview, egui::vec2(1600.0, 900.0));
    let (snapshot, _cluster) = partly_measured_snapshot();
    let mut sources = snapshot.sources.clone();
    connect(&fixture, snapshot);
    harness.run_steps(4);
    // Something is measured: not "SIMULATED" but "PARTLY SIMULATED", and no stale pill yet.
    harness.get_by_label("PARTLY SIMULATED");
    assert!(harness.query_by_label("SIMULATED").is_none());
    assert!(harness.query_by_label_contains("stale").is_none());
    harness.get_by_label("83.4 %");
    // The pusher falls silent: its figure stays, greyed with its age; the pill counts it.
    for s in &mut sources {
        if s.id == "push:mes" {
            s.health = tianshu::api::SourceHealth::Stale;
            s.stale_since = Some(NOW);
        }
    }
    fixture
        .to_ui
        .try_send(ClientEvent::Stream(Box::new(tianshu::api::Event {
            id: u64::MAX / 2,
            server_time: NOW,
            kind: tianshu::api::EventKind::SourcesChanged {
                sources,
                simulated_parts: vec!["compute".into(), "metros".into()],
            },
        })))
        .expect("send");
    harness.run_steps(3);
    harness.get_by_label("1 source stale");
    harness.get_by_label("83.4 % (1 min)");
    // The sources window says who is stale and what is still simulated.
    harness.get_by_label("Sources").click();
    harness.run_steps(3);
    harness.get_by_label("Sources of figures");
    harness.get_by_label("push:mes");
    harness.get_by_label_contains("Still simulated: hubs, clusters and links, metros and sites");
}

/// Every piece of text drawn in the shell's bars (the top bar and the status bar).
fn bar_texts(output: &egui::FullOutput, size: egui::Vec2) -> Vec<(egui::Rect, String, f32)> {
    // The top bar is the first ≈36 points, the status bar the last ≈30.
    drawn_texts(output)
        .into_iter()
        .filter(|(r, _, _)| r.max.y <= 36.0 || r.min.y >= size.y - 30.0)
        .collect()
}

/// Text in the shell's bars is never drawn over other text, from a laptop to a 4K wall, connected
/// or reconnecting after the backend died, in English and Chinese.
#[test]
fn the_shell_bars_never_draw_text_over_text() {
    let snapshot = simulated_snapshot();
    for size in [
        egui::vec2(1280.0, 720.0),
        egui::vec2(1600.0, 900.0),
        egui::vec2(1920.0, 1080.0),
        egui::vec2(3840.0, 2160.0),
    ] {
        for chinese in [false, true] {
            for reconnecting in [false, true] {
                let (mut harness, fixture) = console(View::Overview, size);
                connect(&fixture, snapshot.clone());
                sign_in(
                    &fixture,
                    "an operator with a long name",
                    tianshu::api::Role::Operator,
                    &[],
                );
                harness.run_steps(3);
                if chinese {
                    harness.get_by_label("中文").click();
                    harness.run_steps(2);
                }
                if reconnecting {
                    console_support::reconnecting(
                        &fixture,
                        "error sending request for url (http://127.0.0.1:9/api/v1/snapshot): \
                         connection refused",
                    );
                }
                harness.run_steps(3);
                let texts = bar_texts(harness.output(), size);
                assert!(texts.len() >= 8, "{size:?}: the bars hold text: {texts:?}");
                let pill = if chinese {
                    "正在重连"
                } else {
                    "Reconnecting"
                };
                assert_eq!(
                    texts.iter().any(|(_, t, _)| t.contains(pill)),
                    reconnecting,
                    "{size:?}: the connection pill is among the texts checked: {texts:?}"
                );
                let over = overlapping(&texts);
                assert!(
                    over.is_empty(),
                    "{size:?} chinese={chinese} reconnecting={reconnecting}: {over:?}"
                );
            }
        }
    }
}

/// No text is drawn over other text on any view — from a laptop to a 4K screen, connected,
/// reconnecting and stale, in English and Chinese — with every view's data delivered.
#[test]
fn no_view_draws_text_over_other_text() {
    let snapshot = snapshot_with(vec![pending_action(900, simulated_snapshot().server_time)]);
    let mut failures = Vec::new();
    for size in [
        egui::vec2(1280.0, 720.0),
        egui::vec2(1920.0, 1080.0),
        egui::vec2(3840.0, 2160.0),
    ] {
        for lang in [Lang::En, Lang::ZhCn] {
            for reconnecting in [false, true] {
                for view in View::ALL {
                    let (mut harness, fixture) = console(view, size);
                    if lang == Lang::ZhCn {
                        harness.state_mut().i18n.set_lang(Lang::ZhCn);
                    }
                    connect(&fixture, snapshot.clone());
                    sign_in(&fixture, "li.wei", tianshu::api::Role::Operator, &[]);
                    every_view_data(&fixture);
                    harness.run_steps(4);
                    if reconnecting {
                        console_support::reconnecting(&fixture, "connection refused");
                        harness.run_steps(3);
                    }
                    let over = overlapping(&drawn_texts(harness.output()));
                    if !over.is_empty() {
                        failures.push(format!(
                            "{size:?} {lang:?} reconnecting={reconnecting} {view:?}: {over:?}"
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
