//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::*;
use tokio::sync::mpsc;

use crate::api::DecisionRequest;
use crate::auth::Principal;
use crate::world::World;

#[test]
fn urls_are_recognised() {
    assert!(is_url("postgres://tianshu@db:5432/noc"));
    assert!(is_url("postgresql://tianshu@db/noc"));
    assert!(!is_url("/var/lib/tianshu/backend.sqlite"));
    assert!(!is_url("postgres.sqlite"));
}

#[test]
fn notices_parse_strictly() {
    assert_eq!(
        Notice::parse("12 3 456"),
        Some(Notice {
            id: 12,
            version: 3,
            change: 456
        })
    );
    for bad in ["", "12", "12 3", "12 3 x", "12 3 4 5", "a b c"] {
        assert_eq!(Notice::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn descriptions_leave_the_password_out() {
    let config = Config::from_str("postgres://noc:s3cret@db.example:6543/tianshu").unwrap();
    let text = describe(&config);
    assert_eq!(text, "noc@db.example:6543/tianshu");
    assert!(!text.contains("s3cret"));
    let label = describe_url("postgres://noc:s3cret@db.example:6543/tianshu");
    assert_eq!(label, "PostgreSQL noc@db.example:6543/tianshu");
    assert_eq!(describe_url("postgres://noc@db:x/y"), "PostgreSQL");
}

#[test]
fn a_full_queue_marks_the_listener_behind() {
    let (tx, mut rx) = mpsc::channel(2);
    let behind = AtomicBool::new(false);
    assert!(forward(&tx, &behind, "1 1 1"));
    assert!(forward(&tx, &behind, "junk"));
    assert!(
        !behind.load(Ordering::Acquire),
        "room left: nothing dropped"
    );
    assert!(!forward(&tx, &behind, "3 1 3"), "full: dropped");
    assert!(behind.load(Ordering::Acquire), "the listener will sweep");
    assert_eq!(
        rx.try_recv().unwrap(),
        Some(Notice {
            id: 1,
            version: 1,
            change: 1
        })
    );
    assert_eq!(
        rx.try_recv().unwrap(),
        None,
        "an unreadable payload is a sweep too"
    );
}

#[test]
fn sessions_get_keepalives_and_keep_the_operators_options() {
    let mut plain = Config::from_str("postgres://noc@db/tianshu").unwrap();
    harden(&mut plain);
    assert_eq!(plain.get_options(), Some(SERVER_OPTIONS));
    assert!(plain.get_keepalives());
    assert_eq!(plain.get_keepalives_idle(), Duration::from_secs(10));
    let mut own =
        Config::from_str("postgres://noc@db/tianshu?options=-c%20statement_timeout%3D60000")
            .unwrap();
    harden(&mut own);
    let options = own.get_options().unwrap();
    assert!(options.contains("tcp_keepalives_idle=10"), "{options}");
    assert!(options.contains("lock_timeout=5000"), "{options}");
    // The operator's setting comes last, so it wins over the default.
    assert!(options.ends_with("-c statement_timeout=60000"), "{options}");
}

#[test]
fn backoff_grows_and_is_capped() {
    assert_eq!(backoff(0), Duration::from_millis(500));
    assert_eq!(backoff(1), Duration::from_secs(1));
    assert_eq!(backoff(50), Duration::from_secs(10));
}

#[test]
fn stored_changes_apply_once_in_version_order_and_are_published() {
    use crate::api::{ActionState, Decision, EventKind, Role};
    let mut world = replica_world_with_replay(1_000);
    let mut action = world.draft_action(proposal(&world), 1_000).unwrap();
    action.id = 7;
    let proposed = decisions::proposed(&action, 1_000);
    let mut live = world.subscribe(None, 1_000).live;

    assert!(world.apply_stored(action.clone(), proposed.clone(), 1_000));
    assert!(
        !world.apply_stored(action.clone(), proposed, 1_000),
        "the same change reported twice applies once"
    );
    let request = DecisionRequest {
        decision: Decision::Reject,
        params: None,
        reason: "checked".into(),
        expected_version: 1,
        idempotency_key: "k".into(),
    };
    let who = Principal::new("li.wei", Role::Operator);
    let outcome = decisions::decide(&action, &request, &who, 2_000).unwrap();
    assert!(world.apply_stored(outcome.action.clone(), vec![outcome.audit], 2_000));
    assert!(
        !world.apply_stored(action, Vec::new(), 3_000),
        "an older version is ignored"
    );
    assert_eq!(world.action(7).unwrap().state, ActionState::Rejected);

    let mut kinds = Vec::new();
    while let Ok(event) = live.try_recv() {
        kinds.push(match event.kind {
            EventKind::ActionProposed { .. } => "proposed",
            EventKind::ActionUpdated { .. } => "updated",
            EventKind::Audit { .. } => "audit",
            _ => continue,
        });
    }
    assert_eq!(kinds, ["proposed", "audit", "updated", "audit"]);
}

fn replica_world() -> World {
    replica_world_with_replay(100_000)
}

fn replica_world_with_replay(replay_capacity: usize) -> World {
    use crate::sim::{SimConfig, Simulator};
    let sim = Simulator::new(SimConfig {
        seed: 3,
        start: 1_793_491_200_000,
        factory_count: 500,
    })
    .unwrap();
    World::new(sim, Vec::new(), 60.0, replay_capacity, 0)
}

fn proposal(world: &World) -> crate::sim::Proposal {
    use crate::api::{ActionKind, Policy, Risk};
    crate::sim::Proposal {
        agent_id: "agent-backbone".into(),
        kind: ActionKind::Reroute,
        target: world.sim.links()[0].id.clone(),
        summary_en: "t".into(),
        summary_zh: "t".into(),
        rationale_en: "t".into(),
        rationale_zh: "t".into(),
        confidence: 0.8,
        risk: Risk::Medium,
        policy: Policy::OneApproval,
        predicted_impact_en: "t".into(),
        predicted_impact_zh: "t".into(),
        params: serde_json::json!({ "shift_gbps": 40.0 }),
        ttl_s: 600,
    }
}

fn draft(world: &World, id: u64) -> Action {
    let mut action = world.draft_action(proposal(world), 1_000).unwrap();
    action.id = id;
    action
}

fn decided(action: &Action, decision: crate::api::Decision, at: UnixMs) -> (Action, AuditEntry) {
    let request = DecisionRequest {
        decision,
        params: None,
        reason: "checked".into(),
        expected_version: action.version,
        idempotency_key: format!("k{}-{}", action.id, action.version),
    };
    let who = Principal::new("li.wei", crate::api::Role::Admin);
    let outcome = decisions::decide(action, &request, &who, at).unwrap();
    (outcome.action, outcome.audit)
}

fn drain(live: &mut tokio::sync::broadcast::Receiver<crate::api::Event>) -> Vec<u64> {
    use crate::api::EventKind;
    let mut ids = Vec::new();
    while let Ok(event) = live.try_recv() {
        match event.kind {
            EventKind::ActionProposed { action } | EventKind::ActionUpdated { action } => {
                ids.push(action.id);
            }
            EventKind::Audit { entry } => ids.push(entry.action_id),
            _ => {}
        }
    }
    ids
}

#[test]
fn closed_actions_trimmed_from_memory_are_not_published_again() {
    use crate::api::Decision;
    let mut world = replica_world();
    let kept = crate::world::CLOSED_ACTIONS_KEPT as u64;
    let mut closed = Vec::new();
    for id in 1..=kept + 3 {
        let open = draft(&world, id);
        assert!(world.apply_stored(open.clone(), decisions::proposed(&open, 1_000), 1_000));
        let (rejected, audit) = decided(&open, Decision::Reject, 2_000);
        assert!(world.apply_stored(rejected.clone(), vec![audit.clone()], 2_000));
        closed.push((rejected, audit));
    }
    assert!(
        world.action(1).is_none(),
        "the oldest closed actions left memory"
    );
    assert_eq!(world.action_version(1), Some(2), "but are still known");
    let mut live = world.subscribe(None, 3_000).live;
    // A late notification or a reconnect sweep brings them again: nothing is published.
    for (action, audit) in &closed[..3] {
        assert!(!world.apply_stored(action.clone(), vec![audit.clone()], 3_000));
    }
    assert!(drain(&mut live).is_empty());
    // Closed actions a replica never loaded (below its oldest loaded closed one) likewise.
    world.closed_below(1_000);
    assert_eq!(world.action_version(999), Some(u64::MAX));
    let (old, audit) = decided(&draft(&world, 999), Decision::Reject, 2_000);
    assert!(!world.apply_stored(old, vec![audit], 3_000));
    assert!(drain(&mut live).is_empty());
}

#[test]
fn an_action_first_seen_executed_runs_on_this_replica_too() {
    use crate::api::{ActionState, Decision};
    let mut world = replica_world();
    let agent = |w: &World| {
        let a = w
            .sim
            .agents()
            .iter()
            .find(|a| a.id == "agent-backbone")
            .unwrap();
        (a.proposed, a.executed)
    };
    let (proposed0, executed0) = agent(&world);
    // Proposed and approved while this replica's listener was away: first seen at version 2.
    let open = draft(&world, 7);
    let mut audit = decisions::proposed(&open, 1_000);
    let (approved, approval) = decided(&open, Decision::Approve, 2_000);
    assert_eq!(approved.state, ActionState::Approved, "the agent's turn");
    audit.push(approval);
    // …and the simulator's agent reported it done (through the gateway's rules).
    let who = world.sim_agent("agent-backbone").unwrap();
    let report = crate::api::OutcomeRequest {
        idempotency_key: "r".into(),
        status: crate::api::OutcomeStatus::Executed,
        details: String::new(),
        measured: None,
        effects: Vec::new(),
    };
    let (executed, entry) =
        crate::api::gateway_rules::report(&approved, &report, &who, 2_500).unwrap();
    audit.push(entry);
    assert!(world.apply_stored(executed, audit, 3_000));
    assert_eq!(agent(&world), (proposed0 + 1, executed0 + 1));
}

#[test]
fn audit_entries_already_applied_are_not_published_twice() {
    use crate::api::{Decision, EventKind};
    let mut world = replica_world();
    let open = draft(&world, 7);
    let proposed = decisions::proposed(&open, 1_000);
    assert!(world.apply_stored(open.clone(), proposed.clone(), 1_000));
    let mut live = world.subscribe(None, 1_000).live;
    // The listener read version 1 and fetched the audit of versions 2..=3 while the
    // committing request applied version 2 with its entry.
    let (v2, audit2) = decided(&open, Decision::Approve, 2_000);
    assert!(world.apply_stored(v2.clone(), vec![audit2.clone()], 2_000));
    let mut v3 = v2.clone();
    v3.version = 3;
    v3.state = crate::api::ActionState::RolledBack;
    let mut audit3 = audit2.clone();
    audit3.id += 1;
    audit3.after = serde_json::to_value(&v3).unwrap();
    assert!(world.apply_stored(v3, vec![audit2.clone(), audit3.clone()], 3_000));
    let mut audit_ids = Vec::new();
    while let Ok(event) = live.try_recv() {
        if let EventKind::Audit { entry } = event.kind {
            audit_ids.push(entry.after["version"].as_u64().unwrap());
        }
    }
    assert_eq!(audit_ids, [2, 3], "each version's entry published once");
}

#[tokio::test]
async fn bad_urls_and_unreachable_servers_are_clear_errors() {
    let e = Shared::connect("postgres://noc@db:notaport/x")
        .await
        .err()
        .expect("refused");
    assert!(e.to_string().contains("expected postgres://"), "{e}");
    let e = Shared::connect("postgres://db.example/x")
        .await
        .err()
        .expect("refused");
    assert!(e.to_string().contains("no user"), "{e}");
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let e = Shared::connect("postgres://noc@127.0.0.1:1/x")
        .await
        .err()
        .expect("refused");
    let text = e.to_string();
    assert!(text.starts_with("PostgreSQL:"), "{text}");
    assert!(text.contains("noc@127.0.0.1:1/x"), "{text}");
}
