//! Two `tianshu serve` replicas on one real PostgreSQL (issue 10): a throwaway cluster made with
//! Debian's binaries (`/usr/lib/postgresql/*/bin`) on a free port, two real `serve` processes on
//! two ports with `--db postgres://…`, driven over HTTP with the console's client.
//!
//! Checked: actions proposed by one replica are visible through both; a decision through A is seen
//! through B (action, audit trail and B's event stream); a conflicting decision through B gets 409;
//! a retry through B with A's idempotency key is answered from the record and applied once;
//! concurrent decisions on one action through both give exactly one 200 and one 409; the same key
//! through both at once applies once; with PostgreSQL stopped, decisions get 503 while reads go on,
//! and once it is back both replicas decide and fan out again.
//!
//! Without PostgreSQL installed the test says so and passes, unless TIANSHU_REQUIRE_POSTGRES=1
//! (CI, after scripts/postgres-packages.sh), where it fails.
//!
//! Over 600 lines on purpose: one suite over one throwaway PostgreSQL cluster and its `serve` replicas; the fixture is most of the length.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use tianshu::api::{Action, ActionState, Decision, DecisionRequest, EventKind, Policy};
use tianshu::backend::auth::token_digest;
use tianshu::client::{ApiClient, ClientError};

mod support;
use support::{free_port, rejectable};

const TOKEN_LI: &str = "li-pg-7c1e";
const TOKEN_WANG: &str = "wang-pg-93d0";

fn is_root() -> bool {
    Process::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The newest Debian PostgreSQL with initdb, pg_ctl and postgres.
fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            ["initdb", "pg_ctl", "postgres"]
                .iter()
                .all(|b| bin.join(b).is_file())
                .then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// A throwaway PostgreSQL cluster; stopped and removed when dropped.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// PostgreSQL refuses to run as root: as root, its programs run as this user.
    run_as: Option<&'static str>,
}

impl Cluster {
    fn command(&self, program: &str) -> Process {
        let path = self.bin.join(program);
        match self.run_as {
            Some(user) => {
                let mut c = Process::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Process::new(path),
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn start(bin: PathBuf, name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("tianshu-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let run_as = if is_root() {
            let ok = Process::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok,
                "running as root: the cluster must belong to the `postgres` user (from Debian's \
                 postgresql package), and chown failed"
            );
            Some("postgres")
        } else {
            None
        };
        let cluster = Self {
            bin,
            dir,
            port: free_port(),
            run_as,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "tianshu",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.pg_ctl_start();
        cluster
    }

    fn pg_ctl_start(&self) {
        let data = self.data();
        let log = self.dir.join("postgres.log").display().to_string();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port, data
        );
        self.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start",
            ],
        );
    }

    fn pg_ctl_stop(&self) {
        let data = self.data();
        self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://tianshu@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `tianshu serve` as a child process, killed when dropped.
struct Serve {
    child: Child,
    url: String,
    api_li: ApiClient,
    api_wang: ApiClient,
}

impl Serve {
    fn start(db: &str, users: &Path, log: &Path) -> Self {
        let port = free_port();
        let log = std::fs::File::create(log).unwrap();
        let child = Process::new(env!("CARGO_BIN_EXE_tianshu"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--db", db])
            .arg("--users")
            .arg(users)
            // Same seed and start: both replicas simulate the same picture.
            .args(["--factories", "2000", "--speed", "3600", "--seed", "5"])
            .args(["--sim-start", "2026-11-01T00:00:00Z"])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("tianshu serve starts");
        let url = format!("http://127.0.0.1:{port}");
        Self {
            child,
            url: url.clone(),
            api_li: ApiClient::new(&url, Some(TOKEN_LI)).unwrap(),
            api_wang: ApiClient::new(&url, Some(TOKEN_WANG)).unwrap(),
        }
    }

    async fn wait_healthy(&mut self, log: &Path) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.api_li.health().await.is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "serve exited ({status}): {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "serve did not come up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether this replica leads (the `tianshu_store_leader` gauge of `/metrics`).
async fn leads(serve: &Serve) -> Option<bool> {
    let text = reqwest::Client::new()
        .get(format!("{}/metrics", serve.url))
        .bearer_auth(TOKEN_LI)
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let line = text
        .lines()
        .find(|l| l.starts_with("tianshu_store_leader "))?;
    Some(line.ends_with(" 1"))
}

fn reject(action: &Action, key: &str) -> DecisionRequest {
    support::reject(action, key, "replica drill")
}

fn status_code(r: &Result<impl std::fmt::Debug, ClientError>) -> (u16, String) {
    match r {
        Err(ClientError::Api { status, body }) => (*status, body.code.clone()),
        Ok(_) => (200, String::new()),
        other => panic!("expected an answer, got {other:?}"),
    }
}

/// Polls `what` until it returns `Some`, for at most `within`.
async fn eventually<T, F: Future<Output = Option<T>>>(
    within: Duration,
    what: &str,
    mut probe: impl FnMut() -> F,
) -> (T, Duration) {
    let start = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return (v, start.elapsed());
        }
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many `propose` entries each action has, over the whole trail.
async fn proposals_per_action(api: &ApiClient) -> std::collections::BTreeMap<u64, usize> {
    let mut cursor: Option<String> = None;
    let mut out = std::collections::BTreeMap::new();
    for _ in 0..200 {
        let page = api.audit(cursor.as_deref()).await.unwrap();
        for entry in page.items.iter().filter(|e| e.event == "propose") {
            *out.entry(entry.action_id).or_insert(0) += 1;
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
    panic!("the audit trail did not end within 200 pages");
}

/// Audit entries of `action_id` with `event`, over the whole trail.
async fn audit_count(api: &ApiClient, action_id: u64, event: &str) -> usize {
    let mut cursor: Option<String> = None;
    let mut n = 0;
    for _ in 0..200 {
        let page = api.audit(cursor.as_deref()).await.unwrap();
        n += page
            .items
            .iter()
            .filter(|e| e.action_id == action_id && e.event == event)
            .count();
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return n,
        }
    }
    panic!("the audit trail did not end within 200 pages");
}

async fn action_on(api: &ApiClient, id: u64) -> Option<Action> {
    api.actions(None)
        .await
        .ok()?
        .into_iter()
        .find(|a| a.id == id)
}

/// A fresh cluster, or `None` (the test then passes with a notice) when PostgreSQL is not
/// installed, unless TIANSHU_REQUIRE_POSTGRES=1.
fn cluster_or_skip(test: &str) -> Option<Cluster> {
    let Some(bin) = postgres_bin() else {
        let why = "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/{initdb,pg_ctl,postgres}; \
                   run scripts/postgres-packages.sh)";
        if std::env::var("TIANSHU_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("TIANSHU_REQUIRE_POSTGRES=1 but {why}");
        }
        eprintln!("SKIPPED {test}: {why}");
        return None;
    };
    Some(Cluster::start(bin, test))
}

#[test]
fn two_replicas_share_actions_decisions_and_audit_exactly_once() {
    let started = Instant::now();
    let Some(cluster) = cluster_or_skip("replicas") else {
        return;
    };
    let work = std::env::temp_dir().join(format!("tianshu-pg-work-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let users = work.join("users.toml");
    std::fs::write(
        &users,
        format!(
            "[[user]]\nname = \"li.wei\"\nrole = \"operator\"\ntoken_sha256 = \"{}\"\n\n\
             [[user]]\nname = \"wang.fang\"\nrole = \"operator\"\ntoken_sha256 = \"{}\"\n",
            token_digest(TOKEN_LI),
            token_digest(TOKEN_WANG)
        ),
    )
    .unwrap();
    let runtime = support::runtime();
    runtime.block_on(async {
        // A database of its own, as an operator would create it.
        let (admin, connection) =
            tokio_postgres::connect(&cluster.url("postgres"), tokio_postgres::NoTls)
                .await
                .expect("the throwaway cluster answers");
        tokio::spawn(connection);
        admin.batch_execute("CREATE DATABASE noc").await.unwrap();
        drop(admin);
        let db = cluster.url("noc");

        let (log_a, log_b) = (work.join("a.log"), work.join("b.log"));
        let mut a = Serve::start(&db, &users, &log_a);
        a.wait_healthy(&log_a).await;
        let mut b = Serve::start(&db, &users, &log_b);
        b.wait_healthy(&log_b).await;
        let booted = started.elapsed();

        // Proposals come from the leader only and reach both replicas.
        let (open, _) = eventually(Duration::from_secs(90), "six open actions", || async {
            let open = rejectable(&a.api_li.snapshot().await.ok()?);
            (open.len() >= 6).then_some(open)
        })
        .await;
        let x = open[0].clone();
        let (seen_on_b, _) = eventually(Duration::from_secs(10), "x through B", || {
            action_on(&b.api_wang, x.id)
        })
        .await;
        assert_eq!(seen_on_b, x, "B serves the action A's leader proposed");
        // One leader proposes at a time: every action was proposed once (one `propose` entry in
        // the shared trail), and no proposal was stored twice under two ids.
        for api in [&a.api_li, &b.api_li] {
            let actions = api.actions(None).await.unwrap();
            let proposed = proposals_per_action(api).await;
            for action in &actions {
                assert_eq!(
                    proposed.get(&action.id),
                    Some(&1),
                    "action {} has exactly one proposal in the audit trail",
                    action.id
                );
            }
            let mut origins: Vec<(&str, &str, i64)> = actions
                .iter()
                .map(|a| (a.agent_id.as_str(), a.target.as_str(), a.created_at))
                .collect();
            origins.sort_unstable();
            let proposals = origins.len();
            origins.dedup();
            assert_eq!(origins.len(), proposals, "no proposal stored twice");
        }

        // B's consoles: an event stream opened before the decision through A.
        let mut stream = Box::pin(b.api_wang.events(None).await.unwrap());
        let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            while let Some(event) = stream.next().await {
                if events_tx.send(event).is_err() {
                    return;
                }
            }
        });

        // A decision through A …
        let decided_at = Instant::now();
        let first = reject(&x, "replica-key-1");
        let response = a.api_li.decide(x.id, &first).await.unwrap();
        let decide_latency = decided_at.elapsed();
        assert!(!response.replayed);
        assert_eq!(response.action.state, ActionState::Rejected);
        assert_eq!(response.action.version, x.version + 1);

        // … is on B's event stream, in B's actions and in the audit trail read through B.
        let (event, fanout) = eventually(Duration::from_secs(10), "decided event on B", || {
            let found =
                std::iter::from_fn(|| events_rx.try_recv().ok()).find_map(|e| match e.ok()?.kind {
                    EventKind::ActionUpdated { action } if action.id == x.id => Some(action),
                    _ => None,
                });
            async move { found }
        })
        .await;
        assert_eq!(event.state, ActionState::Rejected);
        assert_eq!(event.decided_by.as_deref(), Some("li.wei"));
        reader.abort();
        let on_b = action_on(&b.api_wang, x.id).await.unwrap();
        assert_eq!(
            (on_b.state, on_b.version),
            (ActionState::Rejected, x.version + 1)
        );
        assert!(
            !b.api_wang
                .snapshot()
                .await
                .unwrap()
                .actions
                .iter()
                .any(|o| o.id == x.id)
        );
        assert_eq!(audit_count(&b.api_wang, x.id, "reject").await, 1);

        // A conflicting decision through B (it saw the old version): 409 with the action now.
        let mut approve = reject(&x, "replica-key-2");
        approve.decision = Decision::Approve;
        let conflict = b.api_wang.decide(x.id, &approve).await;
        assert_eq!(status_code(&conflict).0, 409, "{conflict:?}");
        if let Err(ClientError::Api { body, .. }) = &conflict {
            let now = body.details.as_ref().and_then(|d| d.get("action")).unwrap();
            assert_eq!(now["state"], "rejected");
        }

        // A retry of A's decision through B: answered from the record, applied once.
        let replay = b.api_li.decide(x.id, &first).await.unwrap();
        assert!(replay.replayed);
        assert_eq!(replay.audit_id, response.audit_id);
        assert_eq!(audit_count(&a.api_li, x.id, "reject").await, 1);
        // The same key for something else is refused, through either replica.
        let mut other = first.clone();
        other.reason = "a different decision".into();
        assert_eq!(status_code(&b.api_li.decide(x.id, &other).await).0, 422);

        // Concurrent decisions on one action through both replicas: one 200, one 409.
        let mut race_ms = Vec::new();
        for (i, y) in open[1..4].iter().enumerate() {
            let t = Instant::now();
            let (via_a, via_b) = (
                reject(y, &format!("race-a-{i}")),
                reject(y, &format!("race-b-{i}")),
            );
            let (ra, rb) = tokio::join!(
                a.api_li.decide(y.id, &via_a),
                b.api_wang.decide(y.id, &via_b),
            );
            race_ms.push(t.elapsed().as_secs_f64() * 1e3);
            let mut codes = [status_code(&ra).0, status_code(&rb).0];
            codes.sort_unstable();
            assert_eq!(codes, [200, 409], "action {}: {ra:?} / {rb:?}", y.id);
            assert_eq!(audit_count(&a.api_li, y.id, "reject").await, 1);
        }

        // The same key through both at once: applied once, the other answer is the replay.
        let z = &open[4];
        let same = reject(z, "same-key-both");
        let (ra, rb) = tokio::join!(a.api_li.decide(z.id, &same), b.api_li.decide(z.id, &same));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        assert_eq!(ra.audit_id, rb.audit_id);
        assert_eq!([ra.replayed, rb.replayed].iter().filter(|r| **r).count(), 1);
        assert_eq!(audit_count(&b.api_li, z.id, "reject").await, 1);

        // PostgreSQL gone: decisions 503 (nothing recorded), reads go on from memory.
        let w = open[5].clone();
        cluster.pg_ctl_stop();
        let t = Instant::now();
        let down = a.api_li.decide(w.id, &reject(&w, "while-down")).await;
        let refused_in = t.elapsed();
        assert_eq!(
            status_code(&down),
            (503, "store_unavailable".into()),
            "{down:?}"
        );
        assert!(
            refused_in < Duration::from_secs(15),
            "503 took {refused_in:?}"
        );
        assert!(b.api_wang.snapshot().await.is_ok(), "reads keep working");
        assert!(b.api_wang.actions(None).await.is_ok());

        // Back: the same key now goes through once, and B hears of it (its listener reconnected).
        cluster.pg_ctl_start();
        let (answer, _) = eventually(
            Duration::from_secs(30),
            "a decision after restart",
            || async { a.api_li.decide(w.id, &reject(&w, "while-down")).await.ok() },
        )
        .await;
        assert!(!answer.replayed);
        let (_, _) = eventually(Duration::from_secs(30), "B hears after restart", || async {
            let seen = action_on(&b.api_wang, w.id).await?;
            (seen.state == ActionState::Rejected).then_some(())
        })
        .await;
        assert_eq!(audit_count(&b.api_wang, w.id, "reject").await, 1);

        // Exactly one leader; when it dies, the other takes over and proposes.
        let ((leader_a, _), _) = eventually(Duration::from_secs(30), "one leader", || async {
            let (la, lb) = (leads(&a).await?, leads(&b).await?);
            (la != lb).then_some((la, lb))
        })
        .await;
        let (mut gone, survivor) = if leader_a { (a, b) } else { (b, a) };
        let newest = survivor
            .api_li
            .actions(None)
            .await
            .unwrap()
            .iter()
            .map(|a| a.id)
            .max()
            .unwrap_or(0);
        gone.child.kill().unwrap();
        gone.child.wait().unwrap();
        let t = Instant::now();
        eventually(Duration::from_secs(30), "the survivor leads", || async {
            leads(&survivor).await.filter(|l| *l)
        })
        .await;
        eventually(
            Duration::from_secs(60),
            "a proposal by the new leader",
            || async {
                let ids = survivor.api_li.actions(None).await.ok()?;
                ids.iter().any(|a| a.id > newest).then_some(())
            },
        )
        .await;
        let takeover = t.elapsed();
        eprintln!(
            "two replicas on PostgreSQL: both up in {:.1} s; decision through A {:.1} ms; on B's \
             event stream after {:.1} ms; concurrent pairs {:?} ms; 503 with PostgreSQL down in \
             {:.0} ms; new leader proposing {:.1} s after the old one died; whole test {:.1} s",
            booted.as_secs_f64(),
            decide_latency.as_secs_f64() * 1e3,
            fanout.as_secs_f64() * 1e3,
            race_ms
                .iter()
                .map(|m| (m * 10.0).round() / 10.0)
                .collect::<Vec<_>>(),
            refused_in.as_secs_f64() * 1e3,
            takeover.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        drop(gone);
        drop(survivor);
    });
    let _ = std::fs::remove_dir_all(&work);
}

/// Two stores (as two replicas hold them) on one database, below HTTP: the same idempotency key
/// sent at once for two different actions is recorded once and refused for the other (the
/// primary key's collision is retried and answered from the record).
#[test]
fn one_key_for_two_actions_at_once_is_recorded_once() {
    use tianshu::backend::action_store::{DecideError, Decided};
    use tianshu::backend::auth::Principal;
    use tianshu::backend::pg::Shared;
    use tianshu::backend::sim::{SimConfig, Simulator};
    use tianshu::backend::world::World;

    let Some(cluster) = cluster_or_skip("store") else {
        return;
    };
    let runtime = support::runtime();
    runtime.block_on(async {
        let url = cluster.url("postgres");
        // What this build cannot do is refused at start, with the reason.
        let tls = Shared::connect(&format!("{url}?sslmode=require")).await;
        let why = tls.err().expect("TLS is not built in").to_string();
        assert!(why.contains("TLS") || why.contains("tls"), "{why}");
        let wrong_db = Shared::connect(&cluster.url("nowhere")).await;
        let why = wrong_db.err().expect("no such database").to_string();
        assert!(why.contains("nowhere"), "{why}");
        let (one, two) = (
            Shared::connect(&url).await.unwrap(),
            Shared::connect(&url).await.unwrap(),
        );
        // Actions as a leader proposes them, ids from the shared sequence.
        let sim = Simulator::new(SimConfig {
            seed: 5,
            start: 1_793_491_200_000,
            factory_count: 500,
        })
        .unwrap();
        let mut world = World::new(sim, Vec::new(), 60.0, 100, 0);
        let now = tianshu::backend::http::now_ms();
        const PAIRS: usize = 5;
        let mut drafts = Vec::new();
        for _ in 0..10_000 {
            if drafts.len() == 2 * PAIRS {
                break;
            }
            for p in world.step(600.0, now) {
                if p.policy != Policy::AutoWithVeto
                    && drafts.len() < 2 * PAIRS
                    && let Some(draft) = world.draft_action(p, now)
                {
                    drafts.push(draft);
                }
            }
        }
        assert_eq!(drafts.len(), 2 * PAIRS, "the simulator proposed too little");
        let mut actions = Vec::new();
        for (i, draft) in drafts.into_iter().enumerate() {
            let store = if i % 2 == 0 { &one } else { &two };
            actions.push(store.insert_proposal(draft, now).await.unwrap().0);
        }
        let loaded = two.load_actions().await.unwrap().actions;
        let mut ids: Vec<u64> = actions.iter().map(|a| a.id).collect();
        assert_eq!(loaded.iter().map(|a| a.id).collect::<Vec<_>>(), ids);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            2 * PAIRS,
            "ids from the shared sequence never collide"
        );

        let admin = Principal::new("root", tianshu::api::Role::Admin);
        for (round, pair) in actions.chunks(2).enumerate() {
            let key = format!("shared-key-{round}");
            let (x, y) = (&pair[0], &pair[1]);
            let (rx, ry) = (reject(x, &key), reject(y, &key));
            let (dx, dy) = tokio::join!(
                one.decide(x.id, &rx, &admin, now),
                two.decide(y.id, &ry, &admin, now)
            );
            let applied = [&dx, &dy]
                .iter()
                .filter(|d| matches!(d, Ok(Decided::Applied { .. })))
                .count();
            let reused = [&dx, &dy]
                .iter()
                .filter(|d| matches!(d, Err(r) if matches!(r.error, DecideError::KeyReused(_))))
                .count();
            assert_eq!((applied, reused), (1, 1), "round {round}");
            // The winner's retry through the other store is its replay.
            let (winner, request) = if dx.is_ok() { (x, &rx) } else { (y, &ry) };
            let retry = two.decide(winner.id, request, &admin, now).await;
            assert!(matches!(retry, Ok(Decided::Replayed(_))), "round {round}");
        }
        let audit = one.audit_page(None, 500).await.unwrap();
        let rejects = audit.iter().filter(|e| e.event == "reject").count();
        assert_eq!(rejects, PAIRS, "one audit entry per applied decision");
    });
}

/// The agent gateway on two replicas (issue 15): a proposal and its outcome are recorded exactly
/// once whichever replica they reach — the same key sent to both at the same moment makes one
/// action — the agent's long poll on one replica hears a decision taken on the other, and a
/// retry through the other replica is answered from the record.
#[test]
fn agents_propose_and_report_exactly_once_across_replicas() {
    const AGENT: &str = "pg-agent-token";
    let Some(cluster) = cluster_or_skip("gateway") else {
        return;
    };
    let work = std::env::temp_dir().join(format!("tianshu-pg-gw-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let users = work.join("users.toml");
    std::fs::write(
        &users,
        format!(
            "[[user]]\nname = \"li.wei\"\nrole = \"operator\"\ntoken_sha256 = \"{}\"\n\n\
             [[user]]\nname = \"wang.fang\"\nrole = \"operator\"\ntoken_sha256 = \"{}\"\n\n\
             [[user]]\nname = \"ctl\"\nrole = \"agent\"\ntoken_sha256 = \"{}\"\n\
             agent_id = \"agent-ctl\"\nautonomy = \"L3\"\nkinds = [\"backbone.*\"]\ntargets = [\"link:*\"]\n",
            token_digest(TOKEN_LI),
            token_digest(TOKEN_WANG),
            token_digest(AGENT),
        ),
    )
    .unwrap();
    let runtime = support::runtime();
    runtime.block_on(async {
        let db = cluster.url("postgres");
        let (log_a, log_b) = (work.join("a.log"), work.join("b.log"));
        let mut a = Serve::start(&db, &users, &log_a);
        let mut b = Serve::start(&db, &users, &log_b);
        a.wait_healthy(&log_a).await;
        b.wait_healthy(&log_b).await;
        let http = reqwest::Client::new();
        let call = |method: reqwest::Method, url: String, body: Option<serde_json::Value>, token: &'static str| {
            let http = http.clone();
            async move {
                let mut req = http.request(method, url).bearer_auth(token);
                if let Some(b) = body {
                    req = req.json(&b);
                }
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let snapshot = a.api_li.snapshot().await.unwrap();
        let link = snapshot.links[0].id.clone();
        let proposal = |key: &str| {
            serde_json::json!({"idempotency_key": key, "kind": "backbone.reroute",
                "target": format!("link:{link}"), "summary_en": "shift", "rationale_en": "load",
                "confidence": 0.7, "risk": "medium", "params": {"shift_pct": 10}})
        };
        let post = reqwest::Method::POST;
        // The same key at the same moment on both replicas: one action.
        let (x, y) = tokio::join!(
            call(post.clone(), format!("{}/api/v1/actions", a.url), Some(proposal("pg-k1")), AGENT),
            call(post.clone(), format!("{}/api/v1/actions", b.url), Some(proposal("pg-k1")), AGENT)
        );
        let mut statuses = [x.0, y.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201], "{x:?} {y:?}");
        assert_eq!(x.1["action"]["id"], y.1["action"]["id"]);
        let action = x.1["action"].clone();
        let id = action["id"].as_u64().unwrap();

        // The agent waits on A; the operator decides on B.
        let waiter = tokio::spawn(call(
            reqwest::Method::GET,
            format!("{}/api/v1/actions/{id}?wait=20&version=1", a.url),
            None,
            AGENT,
        ));
        tokio::time::sleep(Duration::from_millis(300)).await;
        let decided = call(
            post.clone(),
            format!("{}/api/v1/actions/{id}/decision", b.url),
            Some(serde_json::json!({"decision": "approve", "reason": "ok", "expected_version": 1, "idempotency_key": "pg-d1"})),
            TOKEN_WANG,
        )
        .await;
        assert_eq!(decided.0, 200, "{decided:?}");
        let (status, seen) = waiter.await.unwrap();
        assert_eq!((status, seen["state"].as_str()), (200, Some("approved")), "{seen}");

        // The outcome on B, its retry on A.
        let report = serde_json::json!({"idempotency_key": "pg-o1", "status": "executed", "measured": {"shift_pct": 10}});
        let first = call(post.clone(), format!("{}/api/v1/actions/{id}/outcome", b.url), Some(report.clone()), AGENT).await;
        assert_eq!((first.0, first.1["action"]["state"].as_str()), (200, Some("executed")), "{first:?}");
        let retry = call(post.clone(), format!("{}/api/v1/actions/{id}/outcome", a.url), Some(report), AGENT).await;
        assert_eq!((retry.0, retry.1["replayed"].as_bool()), (200, Some(true)), "{retry:?}");
        let other = call(post.clone(), format!("{}/api/v1/actions", a.url), Some({
            let mut p = proposal("pg-k1");
            p["params"]["shift_pct"] = 20.into();
            p
        }), AGENT).await;
        assert_eq!((other.0, other.1["code"].as_str()), (422, Some("idempotency_key_reused")));

        // One proposal and one outcome in the shared audit trail.
        let audit = a.api_li.audit(None).await.unwrap();
        let count = |event: &str| {
            audit.items.iter().filter(|e| e.action_id == id && e.event == event).count()
        };
        assert_eq!((count("propose"), count("approve"), count("outcome_executed")), (1, 1, 1));
        // Both replicas converge on the executed action.
        eventually(Duration::from_secs(10), "replica A hears of the outcome", || async {
            action_on(&a.api_li, id)
                .await
                .filter(|x| x.state == ActionState::Executed)
        })
        .await;
    });
}
