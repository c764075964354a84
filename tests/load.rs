//! Load (issue 9): many consoles' worth of clients on one real `tianshu serve` — each with its own
//! token, the event stream folded into its own `State`, a snapshot every few seconds and decisions
//! on open actions — reporting errors, the backend's memory and the decision latency.
//!
//! Slow, so ignored by default:
//! `scripts/load.sh --duration 600` (or `TIANSHU_LOAD_SECS=600 cargo test --test load -- --ignored --nocapture`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command as Process, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tianshu::api::{ActionState, Decision, DecisionRequest, Policy};
use tianshu::backend::auth::token_digest;
use tianshu::client::{self, ApiClient, ClientError, ClientEvent, ConnectionState};
use tianshu::state::State;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Default)]
struct Tally {
    decisions: AtomicU64,
    accepted: AtomicU64,
    replayed: AtomicU64,
    refused_as_expected: AtomicU64,
    snapshots: AtomicU64,
    errors: Mutex<Vec<String>>,
    latencies_ms: Mutex<Vec<f64>>,
}

impl Tally {
    fn error(&self, what: String) {
        let mut errors = self.errors.lock().unwrap();
        if errors.len() < 1000 {
            errors.push(what);
        }
    }
}

#[test]
#[ignore = "slow: scripts/load.sh --duration SECONDS"]
fn fifty_consoles_on_one_serve() {
    let seconds = env_u64("TIANSHU_LOAD_SECS", 60);
    let consoles = env_u64("TIANSHU_LOAD_CONSOLES", 50) as usize;
    let dir: PathBuf = std::env::temp_dir().join(format!("tianshu-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut users = String::new();
    for i in 0..consoles {
        users.push_str(&format!(
            "[[user]]\nname = \"op{i}\"\nrole = \"{}\"\ntoken_sha256 = \"{}\"\n\n",
            if i % 5 == 0 { "admin" } else { "operator" },
            token_digest(&format!("load-token-{i}"))
        ));
    }
    std::fs::write(dir.join("users.toml"), users).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = Process::new(env!("CARGO_BIN_EXE_tianshu"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--db")
        .arg(dir.join("load.sqlite"))
        .arg("--users")
        .arg(dir.join("users.toml"))
        .args(["--speed", "3600"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    let pid = serve.id();
    let url = format!("http://127.0.0.1:{port}");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let probe = ApiClient::new(&url, Some("load-token-0")).unwrap();
    let up = Instant::now();
    while runtime.block_on(probe.health()).is_err() {
        assert!(
            up.elapsed() < Duration::from_secs(120),
            "serve did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let rss_start = rss_kib(pid).unwrap_or(0);

    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    let mut states = Vec::new();
    for i in 0..consoles {
        let api = ApiClient::new(&url, Some(&format!("load-token-{i}"))).unwrap();
        let handle = client::spawn(runtime.handle(), api.clone(), Arc::new(|| {}));
        states.push(State::new(handle.base_url.clone()));
        handles.push(handle);
        // Periodic snapshot and decisions, as an operator at a console would.
        let (tally, stop) = (tally.clone(), stop.clone());
        runtime.spawn(async move {
            let mut n = 0u64;
            // The last decision sent: re-sent (a console's retry) when nothing is open, which
            // the backend must answer from its record, never applying it twice.
            let mut last: Option<(u64, DecisionRequest)> = None;
            tokio::time::sleep(Duration::from_millis(97 * i as u64 % 5000)).await;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                match api.snapshot().await {
                    Err(e) => tally.error(format!("snapshot: {e}")),
                    Ok(snapshot) => {
                        tally.snapshots.fetch_add(1, Ordering::Relaxed);
                        let open: Vec<_> = snapshot
                            .actions
                            .iter()
                            .filter(|a| {
                                a.state == ActionState::Pending
                                    && a.policy != Policy::AutoWithVeto
                                    && !a.industrial
                            })
                            .collect();
                        let next = (!open.is_empty()).then(|| {
                            let action = open[(i + n as usize) % open.len()];
                            let request = DecisionRequest {
                                decision: if n.is_multiple_of(2) {
                                    Decision::Approve
                                } else {
                                    Decision::Reject
                                },
                                params: None,
                                reason: "load test".into(),
                                expected_version: action.version,
                                idempotency_key: format!("load-{i}-{n}"),
                            };
                            (action.id, request)
                        });
                        if let Some((action_id, request)) = next.or_else(|| last.clone()) {
                            let sent = Instant::now();
                            let answer = api.decide(action_id, &request).await;
                            last = Some((action_id, request));
                            let ms = sent.elapsed().as_secs_f64() * 1000.0;
                            tally.latencies_ms.lock().unwrap().push(ms);
                            tally.decisions.fetch_add(1, Ordering::Relaxed);
                            match answer {
                                Ok(answer) if answer.replayed => {
                                    tally.replayed.fetch_add(1, Ordering::Relaxed);
                                }
                                Ok(_) => {
                                    tally.accepted.fetch_add(1, Ordering::Relaxed);
                                }
                                // Someone else decided first, or four eyes: the rules working.
                                Err(ClientError::Api {
                                    status: 403 | 409, ..
                                }) => {
                                    tally.refused_as_expected.fetch_add(1, Ordering::Relaxed);
                                }
                                Err(e) => tally.error(format!("decision: {e}")),
                            }
                        }
                    }
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        });
    }

    // The UI side of every console: fold what arrives, as each frame would.
    let started = Instant::now();
    let mut rss_samples = Vec::new();
    let mut events = 0u64;
    let mut drops = 0u64;
    let mut last_sample = Instant::now();
    while started.elapsed() < Duration::from_secs(seconds) {
        let mut idle = true;
        for (handle, state) in handles.iter_mut().zip(states.iter_mut()) {
            for _ in 0..2000 {
                let Ok(event) = handle.events.try_recv() else {
                    break;
                };
                idle = false;
                match &event {
                    ClientEvent::Stream(_) => events += 1,
                    ClientEvent::Connection(ConnectionState::Reconnecting { reason, .. }) => {
                        drops += 1;
                        tally.error(format!("stream dropped: {reason}"));
                    }
                    _ => {}
                }
                state.apply(event, Instant::now());
            }
        }
        if last_sample.elapsed() >= Duration::from_secs(5) {
            last_sample = Instant::now();
            if let Some(kib) = rss_kib(pid) {
                rss_samples.push(kib);
            }
        }
        if idle {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let connected = states
        .iter()
        .filter(|s| s.connection == ConnectionState::Connected && !s.is_stale(Instant::now()))
        .count();

    let mut latencies = tally.latencies_ms.lock().unwrap().clone();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let errors = tally.errors.lock().unwrap().clone();
    let rss_max = rss_samples.iter().copied().max().unwrap_or(0);
    let rss_end = rss_samples.last().copied().unwrap_or(0);
    let report = format!(
        "load: {consoles} consoles, {seconds} s against one `tianshu serve` (debug build)\n\
         events folded: {events} ({:.0}/s over all consoles); stream drops: {drops}\n\
         snapshots: {}; decisions: {} ({} accepted, {} retries answered from the record, \
         {} refused 403/409 as the rules say)\n\
         decision latency ms: p50 {:.1}, p95 {:.1}, p99 {:.1}, max {:.1}\n\
         serve RSS MiB: start {:.0}, max {:.0}, end {:.0}\n\
         consoles connected and fresh at the end: {connected}/{consoles}; errors: {}\n{}",
        events as f64 / seconds as f64,
        tally.snapshots.load(Ordering::Relaxed),
        tally.decisions.load(Ordering::Relaxed),
        tally.accepted.load(Ordering::Relaxed),
        tally.replayed.load(Ordering::Relaxed),
        tally.refused_as_expected.load(Ordering::Relaxed),
        pct(0.50),
        pct(0.95),
        pct(0.99),
        latencies.last().copied().unwrap_or(f64::NAN),
        rss_start as f64 / 1024.0,
        rss_max as f64 / 1024.0,
        rss_end as f64 / 1024.0,
        errors.len(),
        errors
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
    );
    eprintln!("{report}");
    let _ = std::fs::write(
        std::env::temp_dir().join("tianshu-load-report.txt"),
        &report,
    );
    let _ = serve.kill();
    let _ = serve.wait();
    drop(handles);
    runtime.shutdown_timeout(Duration::from_secs(2));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(errors.is_empty(), "errors under load:\n{report}");
    assert_eq!(connected, consoles, "{report}");
    assert!(
        tally.decisions.load(Ordering::Relaxed) > 0,
        "no decision was tried"
    );
    assert!(rss_max < 1024 * 1024, "serve RSS above 1 GiB: {report}");
}
