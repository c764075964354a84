//! Decisions end to end: the reference backend on port 0 with a users file, driven over HTTP by
//! the console's real client with each user's token. Actions are proposed into the running world
//! directly (exact kinds, risks and short windows) so every rule can be hit on purpose.
//!
//! Over 600 lines on purpose: one end-to-end suite of the decision rules over one cast of users and agents; each test reads on its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use tianshu::api::{
    Action, ActionKind, ActionState, Decision, DecisionRequest, Policy, Risk, Role,
};
use tianshu::backend::auth::{Principal, TokenTable};
use tianshu::backend::http::now_ms;
use tianshu::backend::sim::{Proposal, SimConfig, Simulator};
use tianshu::backend::{self, BackendConfig, RunningBackend};
use tianshu::client::{ApiClient, ClientError};

mod support;

const START: i64 = 1_793_491_200_000; // 2026-11-01T00:00:00Z

fn sim_config() -> SimConfig {
    SimConfig {
        seed: 11,
        start: START,
        factory_count: 5_000,
    }
}

/// Names found in the simulated world the backend will build (same seed, same world).
struct Cast {
    industrial_agent: String,
    group: String,
    factory_in_group: u32,
    factory_elsewhere: u32,
    hub_agent: String,
    cluster: String,
    link: String,
    link_agent: String,
}

fn cast() -> Cast {
    let sim = Simulator::new(sim_config()).unwrap();
    let agent = sim.agents().iter().find(|a| a.industrial).unwrap();
    let group = match &agent.scope {
        tianshu::api::AgentScope::FactoryGroup(g) => g.clone(),
        other => panic!("industrial agent with scope {other:?}"),
    };
    let group_of = |id: u32| sim.factory_group(id).unwrap();
    let inside = sim
        .factories()
        .iter()
        .find(|f| group_of(f.id) == group)
        .unwrap();
    let outside = sim
        .factories()
        .iter()
        .find(|f| group_of(f.id) != group)
        .unwrap();
    // At L4+, so that its low-risk proposals may run at once (the gateway's policy).
    let hub_agent = sim
        .agents()
        .iter()
        .find(|a| a.id.starts_with("agent-hub-") && a.autonomy >= tianshu::api::AutonomyLevel::L4)
        .unwrap();
    Cast {
        industrial_agent: agent.id.clone(),
        group,
        factory_in_group: inside.id,
        factory_elsewhere: outside.id,
        hub_agent: hub_agent.id.clone(),
        cluster: sim.clusters()[0].id.clone(),
        link: sim.links()[0].id.clone(),
        link_agent: "agent-backbone".into(),
    }
}

fn users(cast: &Cast) -> TokenTable {
    let mut t = TokenTable::default();
    t.insert("t-admin", Principal::new("root", Role::Admin));
    t.insert("t-li", Principal::new("li.wei", Role::Operator));
    t.insert("t-wang", Principal::new("wang.fang", Role::Operator));
    t.insert("t-wall", Principal::new("wall", Role::Viewer));
    t.insert("t-reg", Principal::new("miit", Role::Regulator));
    let mut zhang = Principal::new("zhang.min", Role::FactoryManager);
    zhang.factory_ids = vec![cast.factory_in_group];
    t.insert("t-zhang", zhang);
    let mut chen = Principal::new("chen.jie", Role::FactoryManager);
    chen.factory_ids = vec![cast.factory_elsewhere];
    t.insert("t-chen", chen);
    t
}

async fn start(cast: &Cast, db: Option<PathBuf>) -> RunningBackend {
    let config = BackendConfig {
        sim: sim_config(),
        db,
        // The ticker stays idle: the tests move the action clock themselves.
        tick: Duration::from_secs(3600),
        tokens: users(cast),
        ..BackendConfig::default()
    };
    backend::start(config).await.expect("backend starts")
}

fn client(b: &RunningBackend, token: &str) -> ApiClient {
    ApiClient::new(&b.base_url(), Some(token)).unwrap()
}

fn proposal(agent: &str, kind: ActionKind, target: &str, risk: Risk, policy: Policy) -> Proposal {
    let params = match kind {
        ActionKind::ScaleCompute => serde_json::json!({ "cluster": target, "add_eflops": 2.0 }),
        ActionKind::ProcessParameter => serde_json::json!({
            "parameter": "line_speed_m_min", "from": 120.0, "to": 126.0, "unit": "m/min"
        }),
        _ => serde_json::json!({ "shift_gbps": 40.0 }),
    };
    Proposal {
        agent_id: agent.into(),
        kind,
        target: target.into(),
        summary_en: "test".into(),
        summary_zh: "测试".into(),
        rationale_en: "test".into(),
        rationale_zh: "测试".into(),
        confidence: 0.8,
        risk,
        policy,
        predicted_impact_en: "test".into(),
        predicted_impact_zh: "测试".into(),
        params,
        ttl_s: 600,
    }
}

/// A proposal of the simulator's agents, through the store like the backend's clock sends it.
async fn propose(b: &RunningBackend, mut p: Proposal, ttl_s: u32) -> Action {
    p.ttl_s = ttl_s;
    let id = tianshu::backend::ticker::propose(&b.state.store, &b.state.world, p, now_ms())
        .await
        .unwrap()
        .expect("the gateway takes the proposal");
    b.state.world.lock().unwrap().action(id).unwrap()
}

/// One tick of the backend's clock now, without stepping the simulation (closes what is due).
async fn tick(b: &RunningBackend) {
    tianshu::backend::ticker::tick_once(&b.state.store, &b.state.world, 0.0, now_ms()).await;
}

fn request(decision: Decision, version: u64, key: &str) -> DecisionRequest {
    DecisionRequest {
        decision,
        params: None,
        reason: "checked on the twin".into(),
        expected_version: version,
        idempotency_key: key.into(),
    }
}

fn status_and_code(r: Result<impl std::fmt::Debug, ClientError>) -> (u16, String) {
    match r {
        Err(ClientError::Api { status, body }) => (status, body.code),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_names_the_user_role_and_scope() {
    let cast = cast();
    let b = start(&cast, None).await;
    let me = client(&b, "t-zhang").me().await.unwrap();
    assert_eq!(
        (me.name.as_str(), me.role),
        ("zhang.min", Role::FactoryManager)
    );
    assert_eq!(me.factory_ids, vec![cast.factory_in_group]);
    assert_eq!(me.factory_groups, vec![cast.group.clone()]);
    assert!(!me.open_mode);
    assert_eq!(status_and_code(client(&b, "nope").me().await).0, 401);
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_are_idempotent_and_stale_versions_get_409_with_the_action() {
    let cast = cast();
    let b = start(&cast, None).await;
    let a = propose(
        &b,
        proposal(
            &cast.hub_agent,
            ActionKind::ScaleCompute,
            &cast.cluster,
            Risk::High,
            Policy::TwoApprovals,
        ),
        600,
    )
    .await;
    let li = client(&b, "t-li");
    let first = li
        .decide(a.id, &request(Decision::Approve, 1, "k1"))
        .await
        .unwrap();
    assert!(!first.replayed);
    assert_eq!(first.action.approvals, vec!["li.wei".to_string()]);
    // A double click or a retry: answered from the record, applied once.
    let again = li
        .decide(a.id, &request(Decision::Approve, 1, "k1"))
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.action, first.action);
    assert_eq!(again.audit_id, first.audit_id);
    // A second console that still shows version 1.
    let wang = client(&b, "t-wang");
    match wang
        .decide(a.id, &request(Decision::Approve, 1, "k2"))
        .await
    {
        Err(ClientError::Api { status: 409, body }) => {
            assert_eq!(body.code, "stale_version");
            let details = body.details.unwrap();
            assert_eq!(details["current_version"], 2);
            assert_eq!(details["action"]["approvals"][0], "li.wei");
        }
        other => panic!("expected 409, got {other:?}"),
    }
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_regulators_and_managers_outside_their_factories_get_403() {
    let cast = cast();
    let b = start(&cast, None).await;
    let network = propose(
        &b,
        proposal(
            &cast.hub_agent,
            ActionKind::ScaleCompute,
            &cast.cluster,
            Risk::Medium,
            Policy::OneApproval,
        ),
        600,
    )
    .await;
    let plant = propose(
        &b,
        proposal(
            &cast.industrial_agent,
            ActionKind::ProcessParameter,
            &cast.group,
            Risk::Medium,
            Policy::OneApproval,
        ),
        600,
    )
    .await;
    assert!(plant.industrial && !network.industrial);
    for (token, code) in [
        ("t-wall", "forbidden"),
        ("t-reg", "forbidden"),
        ("t-chen", "out_of_scope"),
    ] {
        let r = client(&b, token)
            .decide(
                plant.id,
                &request(Decision::Approve, 1, &format!("{token}-p")),
            )
            .await;
        assert_eq!(status_and_code(r), (403, code.to_string()), "{token}");
    }
    let r = client(&b, "t-zhang")
        .decide(network.id, &request(Decision::Approve, 1, "zhang-n"))
        .await;
    assert_eq!(status_and_code(r), (403, "out_of_scope".into()));
    let r = client(&b, "t-li")
        .decide(plant.id, &request(Decision::Approve, 1, "li-p"))
        .await;
    assert_eq!(status_and_code(r), (403, "industrial_action".into()));
    // The manager of the plant decides it; a manager elsewhere does not even see it.
    let ok = client(&b, "t-zhang")
        .decide(plant.id, &request(Decision::Approve, 1, "zhang-p"))
        .await
        .unwrap();
    assert_eq!(ok.action.state, ActionState::Approved, "the agent's turn");
    let done = b.state.world.lock().unwrap().action(plant.id).unwrap();
    assert_eq!(
        done.state,
        ActionState::Executed,
        "the simulator's agent carried it out"
    );
    let seen: Vec<u64> = client(&b, "t-chen")
        .snapshot()
        .await
        .unwrap()
        .actions
        .iter()
        .map(|a| a.id)
        .collect();
    assert!(
        !seen.contains(&network.id) && !seen.contains(&plant.id),
        "{seen:?}"
    );
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_eyes_refuse_self_approval_and_overrides_stay_in_bounds() {
    let cast = cast();
    let b = start(&cast, None).await;
    let a = propose(
        &b,
        proposal(
            &cast.hub_agent,
            ActionKind::ScaleCompute,
            &cast.cluster,
            Risk::Critical,
            Policy::TwoApprovals,
        ),
        600,
    )
    .await;
    let li = client(&b, "t-li");
    li.decide(a.id, &request(Decision::Approve, 1, "a1"))
        .await
        .unwrap();
    let r = li.decide(a.id, &request(Decision::Approve, 2, "a2")).await;
    assert_eq!(status_and_code(r), (409, "already_approved".into()));
    let bounds = a.param_bounds["add_eflops"];
    let mut over = request(Decision::Override, 2, "o1");
    over.params = Some(serde_json::json!({ "add_eflops": bounds.max + 1.0 }));
    assert_eq!(
        status_and_code(client(&b, "t-wang").decide(a.id, &over).await),
        (422, "param_out_of_bounds".into())
    );
    let done = client(&b, "t-wang")
        .decide(a.id, &request(Decision::Approve, 2, "a3"))
        .await
        .unwrap();
    assert_eq!(done.action.state, ActionState::Approved, "the agent's turn");
    let carried_out = b.state.world.lock().unwrap().action(a.id).unwrap();
    assert_eq!(carried_out.state, ActionState::Executed);
    assert_eq!(
        carried_out.outcome.map(|o| o.status),
        Some(tianshu::api::OutcomeStatus::Executed)
    );
    assert_eq!(
        done.action.approvals,
        vec!["li.wei".to_string(), "wang.fang".to_string()]
    );
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_veto_inside_the_window_rolls_back_and_after_it_is_refused() {
    let cast = cast();
    let b = start(&cast, None).await;
    let before = b.state.world.lock().unwrap().sim.clusters()[0].compute_eflops;
    let auto = proposal(
        &cast.hub_agent,
        ActionKind::ScaleCompute,
        &cast.cluster,
        Risk::Low,
        Policy::AutoWithVeto,
    );
    let a = propose(&b, auto.clone(), 600).await;
    assert_eq!(a.state, ActionState::Executed, "runs at once");
    assert!(a.veto_until.is_some() && a.is_open());
    let during = b.state.world.lock().unwrap().sim.clusters()[0].compute_eflops;
    assert!((during - before - 2.0).abs() < 1e-9, "{before} → {during}");
    let vetoed = client(&b, "t-li")
        .decide(a.id, &request(Decision::Veto, a.version, "v1"))
        .await
        .unwrap();
    assert_eq!(
        vetoed.action.state,
        ActionState::RollbackPending,
        "the agent's turn to undo it"
    );
    let undone = b.state.world.lock().unwrap().action(a.id).unwrap();
    assert_eq!(
        undone.state,
        ActionState::RolledBack,
        "the simulator's agent undid it"
    );
    let after = b.state.world.lock().unwrap().sim.clusters()[0].compute_eflops;
    assert!(
        (after - before).abs() < 1e-9,
        "rolled back: {before} → {after}"
    );

    // A window of one second: over before the veto arrives.
    let late = propose(&b, auto, 1).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = client(&b, "t-li")
        .decide(late.id, &request(Decision::Veto, late.version, "v2"))
        .await;
    assert_eq!(status_and_code(r), (409, "veto_window_closed".into()));
    tick(&b).await;
    let closed = b.state.world.lock().unwrap().action(late.id).unwrap();
    assert_eq!(
        (closed.state, closed.veto_until),
        (ActionState::Executed, None)
    );
    let audit = client(&b, "t-li").audit(None).await.unwrap();
    let events: Vec<(u64, &str)> = audit
        .items
        .iter()
        .map(|e| (e.action_id, e.event.as_str()))
        .collect();
    for expected in [
        (a.id, "propose"),
        (a.id, "outcome_executed"),
        (a.id, "veto"),
        (a.id, "outcome_rolled_back"),
        (late.id, "veto_window_closed"),
    ] {
        assert!(events.contains(&expected), "{expected:?} in {events:?}");
    }
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_action_gets_its_declared_default() {
    let cast = cast();
    let b = start(&cast, None).await;
    let a = propose(
        &b,
        proposal(
            &cast.link_agent,
            ActionKind::Reroute,
            &cast.link,
            Risk::Medium,
            Policy::OneApproval,
        ),
        1,
    )
    .await;
    assert_eq!(a.on_expiry, tianshu::api::ExpiryDefault::NotExecuted);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    tick(&b).await;
    let expired = b.state.world.lock().unwrap().action(a.id).unwrap();
    assert_eq!(expired.state, ActionState::Expired);
    assert_eq!(expired.decided_by.as_deref(), Some("system"));
    let r = client(&b, "t-li")
        .decide(a.id, &request(Decision::Approve, expired.version, "late"))
        .await;
    assert_eq!(status_and_code(r), (409, "not_open".into()));
    let audit = client(&b, "t-li").audit(None).await.unwrap();
    let entry = audit
        .items
        .iter()
        .find(|e| e.action_id == a.id && e.event == "expire")
        .unwrap();
    assert!(
        entry
            .reason
            .contains("declared default applied: not executed"),
        "{}",
        entry.reason
    );
    assert_eq!(entry.before["state"], "pending");
    assert_eq!(entry.after["state"], "expired");
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_decision_and_its_audit_survive_a_restart_on_the_same_database() {
    let cast = cast();
    let db =
        std::env::temp_dir().join(format!("tianshu-decisions-{}.sqlite", uuid::Uuid::new_v4()));
    let b = start(&cast, Some(db.clone())).await;
    let a = propose(
        &b,
        proposal(
            &cast.hub_agent,
            ActionKind::ScaleCompute,
            &cast.cluster,
            Risk::Medium,
            Policy::OneApproval,
        ),
        600,
    )
    .await;
    let ack = client(&b, "t-li")
        .decide(a.id, &request(Decision::Reject, 1, "r1"))
        .await
        .unwrap();
    // Drop the backend without a word to it; a new one opens the same file.
    drop(b);
    let b2 = start(&cast, Some(db.clone())).await;
    let li = client(&b2, "t-li");
    let actions = li.actions(None).await.unwrap();
    let stored = actions
        .iter()
        .find(|x| x.id == a.id)
        .expect("the action is there");
    assert_eq!(stored.state, ActionState::Rejected);
    assert_eq!(stored.version, ack.action.version);
    let audit = li.audit(None).await.unwrap();
    let entry = audit
        .items
        .iter()
        .find(|e| e.id == ack.audit_id)
        .expect("the audit entry is there");
    assert_eq!(
        (entry.event.as_str(), entry.actor.as_str()),
        ("reject", "li.wei")
    );
    // The idempotency record survived too: a retry is answered, not applied again.
    let retry = li
        .decide(a.id, &request(Decision::Reject, 1, "r1"))
        .await
        .unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.audit_id, ack.audit_id);
    b2.shutdown().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// Starts the real binary on a port of its choosing.
fn serve(db: &std::path::Path, users: &std::path::Path) -> support::ServeProcess {
    let (db, users) = (db.as_os_str(), users.as_os_str());
    support::ServeProcess::start([
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--db".as_ref(),
        db,
        "--users".as_ref(),
        users,
        "--seed".as_ref(),
        "11".as_ref(),
        "--speed".as_ref(),
        "3600".as_ref(),
        "--factories".as_ref(),
        "3000".as_ref(),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_survives_sigkill_of_the_serve_process() {
    use sha2::Digest as _;
    let dir = std::env::temp_dir().join(format!("tianshu-kill9-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (db, users) = (dir.join("backend.sqlite"), dir.join("users.toml"));
    let token = "kill-nine-admin-token";
    let digest: String = sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(
        &users,
        format!("[[user]]\nname = \"root\"\nrole = \"admin\"\ntoken_sha256 = \"{digest}\"\n"),
    )
    .unwrap();

    let first = serve(&db, &users);
    let root = ApiClient::new(&first.base_url, Some(token)).unwrap();
    // Wait for the simulator (3,600× real time) to propose something to decide.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let action = loop {
        let pending = root.actions(Some(ActionState::Pending)).await.unwrap();
        if let Some(a) = pending.into_iter().next() {
            break a;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no action proposed in time"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let key = "kill-nine-reject";
    let ack = root
        .decide(action.id, &request(Decision::Reject, action.version, key))
        .await
        .unwrap();
    assert_eq!(ack.action.state, ActionState::Rejected);
    assert!(!ack.replayed);

    // kill -9: no shutdown, no flush, no goodbye.
    let mut first = first;
    first.child.kill().unwrap();
    let status = first.child.wait().unwrap();
    assert!(!status.success(), "killed, not exited: {status:?}");
    drop(first);

    let second = serve(&db, &users);
    let root = ApiClient::new(&second.base_url, Some(token)).unwrap();
    let stored = root
        .actions(None)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.id == action.id)
        .expect("the acknowledged action is there after kill -9");
    assert_eq!(stored.state, ActionState::Rejected);
    assert_eq!(stored.version, ack.action.version);
    let audit = root.audit(None).await.unwrap();
    let entry = audit
        .items
        .iter()
        .find(|e| e.id == ack.audit_id)
        .expect("the audit entry is there after kill -9");
    assert_eq!(
        (entry.event.as_str(), entry.actor.as_str(), entry.action_id),
        ("reject", "root", action.id)
    );
    assert_eq!(entry.after["state"], "rejected");
    // The idempotency record survived: the retry is answered from it, not applied again.
    let retry = root
        .decide(action.id, &request(Decision::Reject, action.version, key))
        .await
        .unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.audit_id, ack.audit_id);
    assert_eq!(retry.action.version, ack.action.version);
    // A new key on the closed action is refused, not applied twice.
    let again = root
        .decide(
            action.id,
            &request(Decision::Reject, ack.action.version, "kill-nine-other"),
        )
        .await;
    assert_eq!(status_and_code(again).0, 409);
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A factory manager sees only their factories' actions: on the event stream and in the audit
/// trail as well as in the snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_factory_manager_sees_only_their_actions_on_the_stream_and_in_the_audit() {
    use futures_util::StreamExt as _;

    let cast = cast();
    let b = start(&cast, None).await;
    let zhang = client(&b, "t-zhang");
    let admin = client(&b, "t-admin");
    let seq = zhang.snapshot().await.unwrap().seq;
    let theirs = propose(
        &b,
        proposal(
            &cast.industrial_agent,
            ActionKind::ProcessParameter,
            &cast.group,
            Risk::Medium,
            Policy::OneApproval,
        ),
        600,
    )
    .await;
    let other = propose(
        &b,
        proposal(
            &cast.hub_agent,
            ActionKind::ScaleCompute,
            &cast.cluster,
            Risk::Medium,
            Policy::OneApproval,
        ),
        600,
    )
    .await;
    admin
        .decide(
            other.id,
            &request(Decision::Reject, other.version, "k-other"),
        )
        .await
        .unwrap();
    let mut events = Box::pin(zhang.events(Some(seq)).await.unwrap());
    let mut seen = Vec::new();
    while let Ok(Some(Ok(e))) =
        tokio::time::timeout(Duration::from_millis(800), events.next()).await
    {
        seen.push(e);
    }
    let action_ids: Vec<u64> = seen
        .iter()
        .filter_map(|e| match &e.kind {
            tianshu::api::EventKind::ActionProposed { action }
            | tianshu::api::EventKind::ActionUpdated { action } => Some(action.id),
            _ => None,
        })
        .collect();
    assert!(
        action_ids.contains(&theirs.id),
        "their action is on the stream: {action_ids:?}"
    );
    assert!(
        !action_ids.contains(&other.id),
        "another's action is not: {action_ids:?}"
    );
    assert!(
        seen.iter()
            .all(|e| !matches!(e.kind, tianshu::api::EventKind::Audit { .. }))
    );
    let audit = zhang.audit(None).await.unwrap();
    assert!(audit.items.iter().all(|e| e.action_id != other.id));
    assert!(
        audit.items.iter().any(|e| e.action_id == theirs.id),
        "their proposal is audited"
    );
    // An admin sees both.
    let all = admin.audit(None).await.unwrap();
    assert!(all.items.iter().any(|e| e.action_id == other.id));
    b.shutdown().await;
}
