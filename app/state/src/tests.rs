use std::time::{Duration, Instant};

use super::*;
use crate::api::{
    ActionKind, ActionState, ClusterLoad, Decision, DecisionResponse, Event, GeoPoint, LinkLoad,
    Policy, Risk,
};
use crate::client::ClientError;

fn cluster(id: &str) -> Cluster {
    Cluster {
        id: id.into(),
        hub_id: "h".into(),
        name_en: id.into(),
        name_zh: id.into(),
        location: GeoPoint {
            lat: 30.0,
            lon: 110.0,
        },
        racks: 1000,
        occupancy: 0.6,
        compute_eflops: 10.0,
        utilization: 0.5,
        pue: 1.2,
        green_power_share: 0.5,
    }
}

fn action(id: u64, version: u64, state: ActionState) -> Action {
    Action {
        id,
        version,
        agent_id: "a".into(),
        kind: ActionKind::Reroute,
        target: "l".into(),
        summary_en: String::new(),
        summary_zh: String::new(),
        rationale_en: String::new(),
        rationale_zh: String::new(),
        confidence: 0.8,
        risk: Risk::Low,
        policy: Policy::OneApproval,
        predicted_impact_en: String::new(),
        predicted_impact_zh: String::new(),
        params: serde_json::json!({}),
        state,
        created_at: 0,
        expires_at: 10,
        approvals: vec![],
        decided_by: None,
        decided_at: None,
        overridden: false,
        industrial: false,
        veto_until: None,
        param_bounds: Default::default(),
        on_expiry: Default::default(),
        ..Default::default()
    }
}

fn snapshot(seq: u64) -> Snapshot {
    Snapshot {
        seq,
        server_time: 1_000,
        sim_time: 5_000,
        sim_speed: 60.0,
        simulated: true,
        hubs: vec![],
        clusters: vec![cluster("a"), cluster("b")],
        links: vec![],
        metros: vec![],
        factories: FactorySummary::default(),
        agents: vec![],
        actions: vec![action(1, 1, ActionState::Pending)],
        sources: Vec::new(),
        simulated_parts: Vec::new(),
        origins: Vec::new(),
    }
}

fn event(id: u64, kind: EventKind) -> ClientEvent {
    ClientEvent::Stream(Box::new(Event {
        id,
        server_time: 2_000,
        kind,
    }))
}

fn tick(sim_time: i64, utilization: f64) -> EventKind {
    EventKind::Tick {
        sim_time,
        clusters: vec![ClusterLoad {
            index: 1,
            utilization,
            pue: 1.3,
            green_power_share: 0.4,
            occupancy: 0.7,
        }],
        links: vec![LinkLoad {
            index: 99,
            utilization: 0.5,
            utilization_forward: 0.55,
            utilization_reverse: 0.45,
            capacity_gbps: 400,
        }],
    }
}

#[test]
fn snapshot_then_events_fold_in_order_and_duplicates_are_ignored() {
    let now = Instant::now();
    let mut s = State::new("http://x");
    s.apply(ClientEvent::Connection(ConnectionState::Connected), now);
    s.apply(ClientEvent::Snapshot(Box::new(snapshot(10))), now);
    assert_eq!(s.last_event_id, 10);
    s.apply(event(11, tick(6_000, 0.9)), now);
    // A replay of an event already applied (e.g. after a reconnect) changes nothing.
    s.apply(event(11, tick(7_000, 0.1)), now);
    s.apply(event(9, tick(8_000, 0.2)), now);
    let world = s.world.as_ref().expect("snapshot applied");
    assert_eq!(world.sim_time, 6_000);
    assert_eq!(world.clusters[1].utilization, 0.9);
    assert_eq!(s.cluster_utilization[1].values(), vec![0.5, 0.9]);
    assert_eq!(s.last_event_id, 11);
}

#[test]
fn out_of_range_indices_are_ignored_not_panicking() {
    let now = Instant::now();
    let mut s = State::new("http://x");
    s.apply(ClientEvent::Snapshot(Box::new(snapshot(0))), now);
    s.apply(event(1, tick(1, 0.3)), now); // link index 99 does not exist
    assert_eq!(s.last_event_id, 1);
}

#[test]
fn histories_stay_bounded() {
    let now = Instant::now();
    let mut s = State::new("http://x");
    s.apply(ClientEvent::Snapshot(Box::new(snapshot(0))), now);
    for i in 1..=(HISTORY_SAMPLES as u64 + 500) {
        s.apply(event(i, tick(i as i64, 0.5)), now);
    }
    assert_eq!(s.cluster_utilization[1].len(), HISTORY_SAMPLES);
    for i in 0..(AUDIT_KEPT as u64 + 50) {
        let entry = AuditEntry {
            id: i + 1,
            at: 0,
            actor: "x".into(),
            role: "operator".into(),
            action_id: 1,
            event: "approve".into(),
            reason: "r".into(),
            from_state: ActionState::Pending,
            to_state: ActionState::Executed,
            before: serde_json::Value::Null,
            after: serde_json::Value::Null,
        };
        s.apply(event(100_000 + i, EventKind::Audit { entry }), now);
    }
    assert_eq!(s.audit.len(), AUDIT_KEPT);
}

#[test]
fn older_action_versions_never_overwrite_newer() {
    let now = Instant::now();
    let mut s = State::new("http://x");
    s.apply(ClientEvent::Snapshot(Box::new(snapshot(0))), now);
    s.apply(
        event(
            1,
            EventKind::ActionUpdated {
                action: action(1, 3, ActionState::Executed),
            },
        ),
        now,
    );
    s.apply(
        event(
            2,
            EventKind::ActionUpdated {
                action: action(1, 2, ActionState::Pending),
            },
        ),
        now,
    );
    assert_eq!(s.actions[&1].state, ActionState::Executed);
    assert_eq!(s.open_actions().count(), 0);
}

#[test]
fn decisions_in_flight_are_kept_until_answered_and_failures_are_told() {
    let now = Instant::now();
    let mut s = State::new("http://x");
    s.apply(ClientEvent::Snapshot(Box::new(snapshot(0))), now);
    let request = DecisionRequest {
        decision: Decision::Approve,
        params: None,
        reason: "ok".into(),
        expected_version: 1,
        idempotency_key: "k1".into(),
    };
    s.begin_decision(1, &request, now);
    assert!(s.decision_in_flight(1).is_some());
    s.apply(
        ClientEvent::DecisionDone {
            action_id: 1,
            idempotency_key: "k1".into(),
            result: Err(ClientError::Network("down".into())),
        },
        now,
    );
    assert!(s.decision_in_flight(1).is_none());
    assert_eq!(
        s.notices.back().map(|n| n.kind.clone()),
        Some(NoticeKind::DecisionFailed { action_id: 1 })
    );
    s.begin_decision(1, &request, now);
    s.apply(
        ClientEvent::DecisionDone {
            action_id: 1,
            idempotency_key: "k1".into(),
            result: Ok(Box::new(DecisionResponse {
                action: action(1, 2, ActionState::Executed),
                audit_id: 1,
                replayed: false,
            })),
        },
        now,
    );
    assert_eq!(s.actions[&1].state, ActionState::Executed);
    assert!(s.in_flight.is_empty());
}

#[test]
fn stale_when_disconnected_not_when_quiet() {
    let now = Instant::now();
    let mut s = State::new("http://x");
    assert!(s.is_stale(now));
    s.apply(ClientEvent::Connection(ConnectionState::Connected), now);
    assert!(s.is_stale(now), "connected without data yet");
    s.apply(ClientEvent::Snapshot(Box::new(snapshot(0))), now);
    assert!(!s.is_stale(now + Duration::from_secs(1)));
    // Unchanged data on a live stream (keep-alives only) is not stale: the client's watchdog
    // reports a silent stream as `Reconnecting` after `STALE_AFTER`.
    assert!(!s.is_stale(now + STALE_AFTER * 10));
    s.apply(
        ClientEvent::Connection(ConnectionState::Reconnecting {
            attempt: 1,
            retry_in: Duration::from_secs(1),
            reason: "x".into(),
        }),
        now,
    );
    assert!(s.is_stale(now));
}

#[test]
fn factory_points_follow_stage_changes_without_a_refetch() {
    use crate::api::{FactoryPoints, FactoryStageChange, Technology, UpgradeStage};
    let now = Instant::now();
    let mut s = State::new("http://x");
    s.apply(ClientEvent::Snapshot(Box::new(snapshot(10))), now);
    let points = FactoryPoints {
        ids: vec![5, 9],
        lat: vec![30.0; 2],
        lon: vec![110.0; 2],
        stage: vec![0, 2],
        industry: vec![0, 1],
        province: vec![0, 0],
        tech: vec![0, 1],
        compliant: vec![false, false],
        name_en: vec!["a".into(), "b".into()],
        name_zh: vec!["甲".into(), "乙".into()],
        provinces: vec!["CN-GD".into()],
        ..FactoryPoints::default()
    };
    s.apply(ClientEvent::FactoryPoints(Box::new(points)), now);
    let v = s.factory_points_version;
    let changes = vec![
        FactoryStageChange {
            id: 9,
            stage: UpgradeStage::Upgraded,
            technologies: vec![Technology::FiveG, Technology::Tsn],
            compliant: true,
        },
        // A plant this console does not hold is ignored.
        FactoryStageChange {
            id: 77,
            stage: UpgradeStage::Assessing,
            technologies: vec![],
            compliant: false,
        },
    ];
    let summary = s.world.as_ref().unwrap().factories.clone();
    s.apply(
        event(11, EventKind::FactoriesProgressed { changes, summary }),
        now,
    );
    let p = s.factory_points.as_ref().unwrap();
    assert_eq!(p.stage, [0, 3]);
    assert_eq!(p.tech, [0, 0b101]);
    assert_eq!(p.compliant, [false, true]);
    assert!(s.factory_points_version > v);
    // Arrays of unequal length are refused with a notice, never indexed.
    let broken = FactoryPoints {
        ids: vec![1, 2],
        ..Default::default()
    };
    s.apply(ClientEvent::FactoryPoints(Box::new(broken)), now);
    assert_eq!(s.factory_points.as_ref().unwrap().ids, [5, 9]);
    assert!(!s.notices.is_empty());
}

/// The backend's last simulated day goes before the live samples of every trend, except for a
/// figure a real source measures (its chart starts at its first measurement).
#[test]
fn trends_start_with_the_backends_past_except_measured_figures() {
    let now = Instant::now();
    let mut s = State::new("http://x");
    let mut snap = snapshot(10);
    snap.origins = vec![crate::api::FigureOrigin {
        entity: "cluster:a".into(),
        metric: "utilization".into(),
        source: "push:mes".into(),
        measured_at: 4_000,
        value: Some(0.8),
    }];
    s.apply(ClientEvent::Snapshot(Box::new(snap)), now);
    s.apply(event(11, tick(6_000, 0.9)), now);
    let frame = |t: i64, u: f64| crate::api::LoadFrame {
        sim_time: t,
        clusters: [0, 1]
            .map(|index| ClusterLoad {
                index,
                utilization: u,
                pue: 1.2,
                green_power_share: 0.5,
                occupancy: 0.6,
            })
            .to_vec(),
        links: Vec::new(),
    };
    let history = crate::api::LoadHistory {
        from: 1_000,
        to: 6_000,
        step_ms: 1_000,
        kept_from: Some(1_000),
        // The last frame overlaps the live samples: only what is older goes in.
        frames: vec![frame(1_000, 0.1), frame(2_000, 0.2), frame(5_000, 0.7)],
    };
    s.apply(ClientEvent::History(Box::new(history)), now);
    assert_eq!(s.cluster_utilization[1].values(), vec![0.1, 0.2, 0.5, 0.9]);
    assert_eq!(s.overview.cluster_pue[1].len(), 4);
    assert_eq!(
        s.cluster_utilization[0].first_t(),
        Some(5_000),
        "measured: no model past"
    );
    assert!(s.overview.history.is_some(), "kept for the replay too");
}

/// The backend's modelled past goes on the agents' timeline, flagged as modelled, never counted
/// in an agent's health, and a refetch (after a resync) adds nothing twice.
#[test]
fn the_modelled_past_fills_the_timeline_but_not_the_health() {
    let now = Instant::now();
    let mut s = State::new("http://x");
    let mut snap = snapshot(10);
    snap.agents = vec![crate::api::Agent {
        id: "a1".into(),
        name_en: "A1".into(),
        name_zh: "A1".into(),
        scope: crate::api::AgentScope::Backbone,
        industrial: false,
        autonomy: crate::api::AutonomyLevel::L3,
        proposed: 0,
        executed: 0,
    }];
    s.apply(ClientEvent::Snapshot(Box::new(snap)), now);
    let past = crate::api::ActivityPast {
        starts_at: 900_000,
        modelled: true,
        modelling: false,
        points: (0..6)
            .map(|i| crate::api::PastActivity {
                at: 100_000 + i * 60_000,
                agent_id: "a1".into(),
                kind: if i % 2 == 0 {
                    crate::api::PastActivityKind::Proposed
                } else {
                    crate::api::PastActivityKind::Rejected
                },
            })
            .collect(),
    };
    // Still modelling: nothing yet, and the console is to ask again.
    let pending = crate::api::ActivityPast {
        modelling: true,
        modelled: false,
        points: Vec::new(),
        ..past.clone()
    };
    s.apply(ClientEvent::ActivityPast(Box::new(pending)), now);
    assert!(s.activity.past_pending() && s.activity.past().is_none());
    s.apply(ClientEvent::ActivityPast(Box::new(past.clone())), now);
    s.apply(ClientEvent::ActivityPast(Box::new(past.clone())), now);
    assert!(!s.activity.past_pending());
    // A restarted backend's past replaces the old run's (never a mix of the two).
    let next_run = crate::api::ActivityPast {
        starts_at: 950_000,
        points: past.points[..2].to_vec(),
        ..past.clone()
    };
    let modelled: Vec<_> = s.activity.points().filter(|p| p.modelled).collect();
    assert_eq!(modelled.len(), 6, "once, after a refetch too");
    assert_eq!(s.activity.past(), Some((900_000, true)));
    // Three modelled rejections would make it "degraded" if they counted.
    let health = crate::agent_activity(
        &s.activity,
        &s.world.as_ref().unwrap().agents,
        1_000_000,
        60.0,
    );
    assert_eq!(health["a1"].decided, 0);
    assert_eq!(health["a1"].health, crate::AgentHealth::Healthy);
    s.apply(ClientEvent::ActivityPast(Box::new(next_run)), now);
    assert_eq!(s.activity.points().filter(|p| p.modelled).count(), 2);
    assert_eq!(s.activity.past(), Some((950_000, true)));
}
