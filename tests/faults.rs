//! Faults, end to end (issue 9): the real `tianshu serve` killed with SIGKILL and restarted on the
//! same port and database while the real client and `State` watch; a backend that accepts and
//! never answers; a decision sent while the backend is down; a database that refuses writes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tianshu::api::{Action, ActionState, Decision, DecisionRequest, Role, Snapshot, UnixMs};
use tianshu::backend::auth::{Principal, TokenTable, token_digest};
use tianshu::backend::store::{Store, StoreError};
use tianshu::backend::{self, BackendConfig};
use tianshu::client::ConnectionState;
use tianshu::client::{self, ApiClient, ClientError, ClientEvent, ClientHandle, Command};
use tianshu::state::{NoticeKind, State};

mod support;
use support::{free_port, rejectable};

const TOKEN: &str = "op-secret-7f3a9c";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tianshu-faults-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `tianshu serve` as a child process, killed when dropped.
struct Serve {
    child: Child,
}

impl Serve {
    fn start(port: u16, db: &Path, users: &Path, log: &Path) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = Process::new(env!("CARGO_BIN_EXE_tianshu"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--db")
            .arg(db)
            .arg("--users")
            .arg(users)
            .args(["--factories", "2000", "--speed", "3600", "--seed", "5"])
            // Everything the backend might log, to prove the token is not in it.
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("tianshu serve starts");
        Self { child }
    }

    /// SIGKILL: no shutdown code runs, exactly like `kill -9`.
    fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The console's half: the real client tasks and the state the UI would draw.
struct Console {
    handle: ClientHandle,
    state: State,
    snapshots: u32,
    answers: Vec<(
        String,
        Result<Box<tianshu::api::DecisionResponse>, ClientError>,
    )>,
}

impl Console {
    fn start(runtime: &tokio::runtime::Runtime, api: ApiClient) -> Self {
        let handle = client::spawn(runtime.handle(), api, Arc::new(|| {}));
        let state = State::new(handle.base_url.clone());
        Self {
            handle,
            state,
            snapshots: 0,
            answers: Vec::new(),
        }
    }

    /// Folds client messages into the state until `until` holds; panics after `within`.
    fn pump(&mut self, within: Duration, what: &str, until: impl Fn(&Console) -> bool) -> Duration {
        let start = Instant::now();
        while !until(self) {
            assert!(
                start.elapsed() < within,
                "{what}: not within {within:?}; connection {:?}",
                self.state.connection
            );
            match self.handle.events.try_recv() {
                Ok(event) => {
                    match &event {
                        ClientEvent::Snapshot(_) => self.snapshots += 1,
                        ClientEvent::DecisionDone {
                            idempotency_key,
                            result,
                            ..
                        } => self.answers.push((idempotency_key.clone(), result.clone())),
                        _ => {}
                    }
                    self.state.apply(event, Instant::now());
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        start.elapsed()
    }
}

fn reject(action: &Action, key: &str) -> DecisionRequest {
    support::reject(action, key, "fault drill")
}

async fn wait_healthy(api: &ApiClient, within: Duration) {
    let deadline = Instant::now() + within;
    while api.health().await.is_err() {
        assert!(Instant::now() < deadline, "serve did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn serve_killed_mid_stream_goes_stale_reconnects_and_loses_no_decision() {
    let dir = temp_dir("kill");
    let (db, users, log) = (
        dir.join("t.sqlite"),
        dir.join("users.toml"),
        dir.join("serve.log"),
    );
    std::fs::write(
        &users,
        format!(
            "[[user]]\nname = \"li.wei\"\nrole = \"operator\"\ntoken_sha256 = \"{}\"\n",
            token_digest(TOKEN)
        ),
    )
    .unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let runtime = support::runtime();
    let api = ApiClient::new(&url, Some(TOKEN)).unwrap();
    let mut serve = Serve::start(port, &db, &users, &log);
    runtime.block_on(wait_healthy(&api, Duration::from_secs(60)));

    let mut console = Console::start(&runtime, api.clone());
    console.pump(Duration::from_secs(30), "first connection", |c| {
        c.state.connection == ConnectionState::Connected
            && c.state.world.is_some()
            && c.state.last_event_id > 0
    });

    // Two open actions: one decided before the crash, one while the backend is down.
    let deadline = Instant::now() + Duration::from_secs(90);
    let (first, second) = loop {
        let snapshot = runtime.block_on(api.snapshot()).unwrap();
        let open = rejectable(&snapshot);
        if open.len() >= 2 {
            break (open[0].clone(), open[1].clone());
        }
        assert!(
            Instant::now() < deadline,
            "the simulator proposed no two actions"
        );
        console.pump(Duration::from_secs(5), "events while waiting", |_| true);
        std::thread::sleep(Duration::from_millis(300));
    };
    let acknowledged = runtime
        .block_on(api.decide(first.id, &reject(&first, "key-before-crash")))
        .expect("decided before the crash");
    assert_eq!(acknowledged.action.state, ActionState::Rejected);

    // kill -9 mid-stream: the console must say within 2 s that what it shows is stale.
    console.pump(Duration::from_secs(10), "stream flowing", |c| {
        c.state.connection == ConnectionState::Connected
    });
    serve.kill9();
    let stale_after = console.pump(Duration::from_secs(2), "stale within 2 s", |c| {
        c.state.is_stale(Instant::now())
            && matches!(c.state.connection, ConnectionState::Reconnecting { .. })
    });

    // A decision while the backend is down: kept, marked not confirmed, retried later.
    let pending = reject(&second, "key-while-down");
    console
        .state
        .begin_decision(second.id, &pending, Instant::now());
    console
        .handle
        .commands
        .try_send(Command::Decide {
            action_id: second.id,
            request: pending.clone(),
        })
        .unwrap();
    console.pump(
        Duration::from_secs(30),
        "decision marked not confirmed",
        |c| {
            c.state
                .in_flight
                .get("key-while-down")
                .is_some_and(|f| f.unconfirmed.is_some())
                && c.state.notices.iter().any(|n| {
                    n.kind
                        == NoticeKind::DecisionUnconfirmed {
                            action_id: second.id,
                        }
                })
        },
    );
    assert!(console.answers.is_empty(), "no answer was invented");

    // Back on the same port and database: the console reconnects by itself, resyncs (the event
    // ids of the new run are all newer) and gets the backend's answer to the pending decision.
    let restarted_at = Instant::now();
    let _serve2 = Serve::start(port, &db, &users, &log);
    // (A snapshot fetched before the retried decision committed may land after its answer;
    // the decision's own event, which follows that snapshot on the stream, then shows it.)
    let reconnect = console.pump(Duration::from_secs(60), "reconnect and answer", |c| {
        c.state.connection == ConnectionState::Connected
            && c.snapshots >= 2
            && !c.answers.is_empty()
            && !c.state.is_stale(Instant::now())
            && c.state.actions.get(&second.id).map(|a| a.state) == Some(ActionState::Rejected)
    });
    let (key, answer) = &console.answers[0];
    assert_eq!(key, "key-while-down");
    let answer = answer
        .as_ref()
        .expect("the backend accepted the retried decision");
    assert_eq!(answer.action.state, ActionState::Rejected);
    assert!(!answer.replayed, "first time the backend saw it");
    assert!(console.state.in_flight.is_empty());
    assert!(
        !console
            .state
            .notices
            .iter()
            .any(|n| matches!(n.kind, NoticeKind::DecisionUnconfirmed { .. })),
        "the backend's answer replaces 'not confirmed'"
    );
    assert_eq!(
        console.state.actions.get(&second.id).map(|a| a.state),
        Some(ActionState::Rejected)
    );

    // Nothing acknowledged was lost, nothing applied twice.
    let replay = runtime
        .block_on(api.decide(first.id, &reject(&first, "key-before-crash")))
        .unwrap();
    assert!(replay.replayed, "the record survived the crash");
    assert_eq!(replay.audit_id, acknowledged.audit_id);
    let audit = runtime.block_on(api.audit(None)).unwrap();
    for action in [&first, &second] {
        let decided: Vec<_> = audit
            .items
            .iter()
            .filter(|e| e.action_id == action.id && e.actor == "li.wei")
            .collect();
        assert_eq!(
            decided.len(),
            1,
            "exactly one decision on action {}",
            action.id
        );
    }
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(log_text.contains("listening"), "the log was captured");
    assert!(!log_text.contains(TOKEN), "the token never reaches the log");
    eprintln!(
        "kill -9: stale after {stale_after:?}; restart to connected + answered in {:?} \
         (pump {reconnect:?})",
        restarted_at.elapsed()
    );
    drop(console);
    runtime.shutdown_timeout(Duration::from_secs(2));
    let _ = std::fs::remove_dir_all(dir);
}

/// A TCP server that accepts and never answers, or answers only `GET /snapshot`.
async fn stalling_server(snapshot: Option<Snapshot>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let body = snapshot.map(|s| serde_json::to_string(&s).unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
            let mut buf = vec![0u8; 8192];
            let n = socket.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            match &body {
                Some(body) if head.starts_with("GET /api/v1/snapshot") => {
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                }
                Some(_) if head.starts_with("GET /api/v1/me") => {
                    let _ = socket
                        .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                        .await;
                }
                _ => held.push(socket), // never answered, never closed
            }
        }
    });
    addr
}

fn empty_snapshot(now: UnixMs) -> Snapshot {
    Snapshot {
        seq: 1,
        server_time: now,
        sim_time: now,
        sim_speed: 60.0,
        simulated: true,
        hubs: Vec::new(),
        clusters: Vec::new(),
        links: Vec::new(),
        metros: Vec::new(),
        factories: Default::default(),
        agents: Vec::new(),
        actions: Vec::new(),
        sources: Vec::new(),
        simulated_parts: Vec::new(),
        origins: Vec::new(),
    }
}

#[test]
fn a_stalled_backend_times_out_in_bounded_time_and_the_state_says_why() {
    let runtime = support::runtime();
    let timeout = Duration::from_secs(1);

    // Accepts, never answers: every call ends after the timeout with a sentence saying so.
    let addr = runtime.block_on(stalling_server(None));
    let api = ApiClient::new(&format!("http://{addr}"), None)
        .unwrap()
        .with_request_timeout(timeout);
    let started = Instant::now();
    let err = runtime.block_on(api.health()).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(err.is_transient());
    assert!(err.to_string().contains("did not answer"), "{err}");

    let mut console = Console::start(&runtime, api.clone());
    console.pump(Duration::from_secs(4), "reconnecting with a reason", |c| {
        matches!(&c.state.connection, ConnectionState::Reconnecting { reason, .. }
            if reason.contains("did not answer"))
    });
    assert!(console.state.is_stale(Instant::now()));
    // A decision meanwhile is kept as not confirmed, not reported failed.
    let request = DecisionRequest {
        decision: Decision::Approve,
        params: None,
        reason: "stall drill".into(),
        expected_version: 1,
        idempotency_key: "stall-key".into(),
    };
    console.state.begin_decision(9, &request, Instant::now());
    console
        .handle
        .commands
        .try_send(Command::Decide {
            action_id: 9,
            request,
        })
        .unwrap();
    console.pump(Duration::from_secs(4), "decision not confirmed", |c| {
        c.state
            .in_flight
            .get("stall-key")
            .is_some_and(|f| f.unconfirmed.is_some())
    });
    assert!(console.answers.is_empty());
    drop(console);

    // Answers the snapshot, then stalls the event stream: the stream's request is bounded too.
    let now = chrono::Utc::now().timestamp_millis();
    let addr = runtime.block_on(stalling_server(Some(empty_snapshot(now))));
    let api = ApiClient::new(&format!("http://{addr}"), None)
        .unwrap()
        .with_request_timeout(timeout);
    let mut console = Console::start(&runtime, api);
    console.pump(
        Duration::from_secs(5),
        "snapshot, then a stalled stream",
        |c| {
            c.snapshots >= 1
                && matches!(&c.state.connection, ConnectionState::Reconnecting { reason, .. }
                if reason.contains("did not answer"))
        },
    );
    drop(console);
    runtime.shutdown_timeout(Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_refuses_writes_refuses_the_decision_and_keeps_what_was_acknowledged() {
    let dir = temp_dir("store");
    let mut tokens = TokenTable::default();
    tokens.insert(TOKEN, Principal::new("li.wei", Role::Operator));
    let mut config = BackendConfig {
        db: Some(dir.join("t.sqlite")),
        tokens,
        speed: 3600.0,
        tick: Duration::from_millis(50),
        ..BackendConfig::default()
    };
    config.sim.factory_count = 2000;
    config.sim.seed = 5;
    let b = backend::start(config).await.unwrap();
    let api = ApiClient::new(&b.base_url(), Some(TOKEN)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let (first, second) = loop {
        let open = rejectable(&api.snapshot().await.unwrap());
        if open.len() >= 2 {
            break (open[0].clone(), open[1].clone());
        }
        assert!(Instant::now() < deadline, "no two open actions");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let ok = api.decide(first.id, &reject(&first, "k1")).await.unwrap();

    // The disk fills (or turns read-only): the backend refuses, clearly, and records nothing.
    b.state
        .store
        .sqlite()
        .expect("a SQLite store")
        .refuse_writes(true)
        .unwrap();
    let refused = api.decide(second.id, &reject(&second, "k2")).await;
    match &refused {
        Err(ClientError::Api { status: 503, body }) => {
            assert_eq!(body.code, "store_unavailable");
            assert!(body.message.contains("NOT recorded"), "{}", body.message);
        }
        other => panic!("expected 503 store_unavailable, got {other:?}"),
    }
    assert!(
        refused.as_ref().unwrap_err().is_transient(),
        "the console will retry it"
    );
    let still_open = api.actions(None).await.unwrap();
    assert_eq!(
        still_open
            .iter()
            .find(|a| a.id == second.id)
            .map(|a| a.state),
        Some(ActionState::Pending),
        "nothing applied in memory either"
    );

    // Room again: the retry with the same key goes through once; the earlier decision is intact.
    b.state
        .store
        .sqlite()
        .expect("a SQLite store")
        .refuse_writes(false)
        .unwrap();
    let retried = api.decide(second.id, &reject(&second, "k2")).await.unwrap();
    assert!(!retried.replayed);
    let again = api.decide(first.id, &reject(&first, "k1")).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.audit_id, ok.audit_id);
    b.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_read_only_or_unwritable_database_is_refused_at_start_with_a_clear_error() {
    let dir = temp_dir("ro");
    let path = dir.join("t.sqlite");
    drop(Store::open(Some(&path)).unwrap());
    // Read-only (as a read-only mount or file would be; works when tests run as root too).
    let ro = PathBuf::from(format!("file:{}?mode=ro", path.display()));
    let err = Store::open(Some(&ro)).err().expect("read-only is refused");
    assert!(matches!(err, StoreError::Unusable { .. }));
    assert!(err.to_string().contains("read-only"), "{err}");
    // A folder that does not exist.
    let err = Store::open(Some(&dir.join("missing").join("t.sqlite")))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("cannot use"), "{err}");

    // The real binary exits non-zero and says why, before serving anything.
    let out = Process::new(env!("CARGO_BIN_EXE_tianshu"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--factories",
            "500",
            "--db",
        ])
        .arg(dir.join("missing").join("t.sqlite"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot use") && stderr.contains("writable"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
