//! Real-world sources against a real `tianshu serve` (issue 16): a world directory changed under
//! it (a good change applied and told to consoles, a bad one refused with file:line:column and
//! field while the world in service stays), pushed batches with bad samples mixed into good ones
//! (each bad one named, every good one applied, a resent batch answered from the record), and a
//! push source that falls silent going stale on its own while the others stay live.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::ServeProcess;
use tianshu::api::{IngestReceipt, Snapshot, SourceHealth, Sources};
use tianshu::backend::auth::token_digest;

const ADMIN: &str = "admin-token-for-sources-test";
const PUSH_A: &str = "telemetry-a-token-for-sources-test";
const PUSH_B: &str = "telemetry-b-token-for-sources-test";
const VIEWER: &str = "viewer-token-for-sources-test";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tianshu-sources-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_example_world(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/world");
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e != "md") {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// `tianshu serve` in memory on a free port with the test's users and `extra` flags.
fn serve(users: &Path, extra: &[&std::ffi::OsStr]) -> ServeProcess {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--memory".as_ref(),
        "--users".as_ref(),
        users.as_os_str(),
    ];
    args.extend_from_slice(extra);
    ServeProcess::start(args)
}

fn users_file(dir: &Path) -> PathBuf {
    let path = dir.join("users.toml");
    let text = format!(
        "[[user]]\nname = \"admin\"\nrole = \"admin\"\ntoken_sha256 = \"{}\"\n\n\
         [[user]]\nname = \"plant-mes\"\nrole = \"source\"\ntoken_sha256 = \"{}\"\n\n\
         [[user]]\nname = \"noc-probes\"\nrole = \"source\"\ntoken_sha256 = \"{}\"\n\n\
         [[user]]\nname = \"wall\"\nrole = \"viewer\"\ntoken_sha256 = \"{}\"\n",
        token_digest(ADMIN),
        token_digest(PUSH_A),
        token_digest(PUSH_B),
        token_digest(VIEWER)
    );
    std::fs::write(&path, text).unwrap();
    path
}

static RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> =
    std::sync::LazyLock::new(support::runtime);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn get<T: serde::de::DeserializeOwned>(base: &str, path: &str) -> T {
    RUNTIME.block_on(async {
        client()
            .get(format!("{base}/api/v1{path}"))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

fn text(url: &str) -> String {
    RUNTIME.block_on(async {
        client()
            .get(url)
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    })
}

fn push(base: &str, token: &str, body: &Value) -> (u16, Value) {
    RUNTIME.block_on(async {
        let r = client()
            .post(format!("{base}/api/v1/ingest"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    })
}

fn post_csv(base: &str, token: &str, key: &str, body: &str) -> (u16, Value) {
    RUNTIME.block_on(async {
        let r = client()
            .post(format!("{base}/api/v1/ingest/stages.csv"))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .header("idempotency-key", key)
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    })
}

fn wait_until(within: Duration, what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < within, "{what} within {within:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_world_directory_changed_under_serve_is_applied_or_refused_whole() {
    let dir = temp_dir("world");
    let world = dir.join("world");
    std::fs::create_dir_all(&world).unwrap();
    copy_example_world(&world);
    let users = users_file(&dir);
    let serve = serve(&users, &["--world".as_ref(), world.as_os_str()]);
    let base = serve.base_url.clone();

    // The example world is served: its eight metros, ten clusters, 1,000 enterprises.
    let s: Snapshot = get(&base, "/snapshot");
    assert_eq!(s.metros.len(), 8);
    assert_eq!(s.clusters.len(), 10);
    assert_eq!(s.factories.total, 1000);
    assert!(s.simulated, "loads are still modelled");
    assert!(
        !s.simulated_parts.contains(&"metros".to_owned()),
        "{:?}",
        s.simulated_parts
    );
    assert!(
        s.simulated_parts
            .contains(&"link.utilization_forward".to_owned())
    );
    let sources: Sources = get(&base, "/sources");
    let w = sources
        .sources
        .iter()
        .find(|s| s.id == "world")
        .expect("world source");
    assert_eq!(w.health, SourceHealth::Ok);
    assert_eq!(w.provides, ["compute", "metros", "enterprises"]);

    // Pushed figures and stages stand across reloads (the registry says plant 12 is at another
    // stage; the push is newer). `factory:0012` is plant 12.
    let plant_before: Value = get(&base, "/factories/12");
    let pushed_stage = if plant_before["stage"] == "upgraded" {
        "assessing"
    } else {
        "upgraded"
    };
    let (status, body) = push(
        &base,
        PUSH_A,
        &json!({"batch_id": "before-reload", "samples": [
            {"entity": "factory:0012", "metric": "latency_ms", "value": 2.5}
        ], "stages": [{"factory_id": 12, "stage": pushed_stage}]}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 2, "{body}");
    // An older stage push does not undo the newer one.
    let (_, body) = push(
        &base,
        PUSH_A,
        &json!({"batch_id": "late", "stages": [
            {"factory_id": 12, "stage": "planned", "t": 1_000_000_000_000i64}
        ]}),
    );
    assert_eq!(body["accepted"], 1, "{body}");
    let plant: Value = get(&base, "/factories/12");
    assert_eq!(plant["stage"], pushed_stage);

    // A good change: a ninth metro. Applied whole, consoles told with a resync.
    let metros = world.join("metros.csv");
    let mut text = std::fs::read_to_string(&metros).unwrap();
    text.push_str("suzhou,Suzhou,苏州,CN-JS,31.2990,120.5853,12750000\n");
    std::fs::write(&metros, &text).unwrap();
    wait_until(Duration::from_secs(20), "the ninth metro served", || {
        get::<Snapshot>(&base, "/snapshot").metros.len() == 9
    });
    let plant: Value = get(&base, "/factories/12");
    assert_eq!(
        plant["kpis"]["latency_ms"], 2.5,
        "a measured KPI stands: {plant}"
    );
    assert_eq!(plant["stage"], pushed_stage, "a pushed stage stands");
    assert_eq!(plant["origins"][0]["source"], "push:plant-mes");

    // A bad change: refused with where and why; the nine metros stay in service.
    let bad_line = text.lines().count() + 1;
    text.push_str("wuxi,Wuxi,无锡,CN-JS,31.49,120.31,-5\n");
    std::fs::write(&metros, &text).unwrap();
    wait_until(Duration::from_secs(20), "the bad change refused", || {
        let s: Sources = get(&base, "/sources");
        s.sources
            .iter()
            .any(|s| s.id == "world" && s.last_refused.is_some())
    });
    let sources: Sources = get(&base, "/sources");
    let refused = sources
        .sources
        .iter()
        .find(|s| s.id == "world")
        .and_then(|s| s.last_refused.clone())
        .unwrap();
    assert_eq!(refused.file, "metros.csv");
    assert_eq!(refused.line, bad_line as u64);
    assert_eq!(refused.field.as_deref(), Some("population"));
    assert!(refused.column > 0, "{refused:?}");
    let s: Snapshot = get(&base, "/snapshot");
    assert_eq!(s.metros.len(), 9, "the last good world stays");
    assert!(s.metros.iter().any(|m| m.id == "suzhou"));

    // Fixed: applied again, the refusal kept for the record.
    text = text.replace("120.31,-5", "120.31,7460000");
    std::fs::write(&metros, &text).unwrap();
    wait_until(Duration::from_secs(20), "the fixed change applied", || {
        get::<Snapshot>(&base, "/snapshot").metros.len() == 10
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pushed_batches_apply_every_good_sample_name_every_bad_one_and_never_twice() {
    let dir = temp_dir("push");
    let users = users_file(&dir);
    let serve = serve(
        &users,
        &[
            "--factories".as_ref(),
            "2000".as_ref(),
            "--push-stale-after".as_ref(),
            "3s".as_ref(),
        ],
    );
    let base = serve.base_url.clone();
    let s: Snapshot = get(&base, "/snapshot");
    let link = s.links[0].id.clone();
    let other_link = s.links[1].id.clone();
    let cluster = s.clusters[0].id.clone();
    let metro = s.metros[0].id.clone();

    let batch = json!({
        "batch_id": "mes-0001",
        "samples": [
            {"entity": format!("link:{link}"), "metric": "utilization_forward", "value": 0.93},
            {"entity": "link:atlantis", "metric": "utilization_forward", "value": 0.5},
            {"entity": format!("cluster:{cluster}"), "metric": "pue", "value": 7.0},
            {"entity": format!("cluster:{cluster}"), "metric": "utilisation", "value": 0.5},
            {"entity": "factory:12", "metric": "latency_ms", "value": 3.25},
            {"entity": "plant:12", "metric": "latency_ms", "value": 3.0},
            {"entity": format!("metro:{metro}"), "metric": "median_rtt_ms", "value": 0.71},
            {"entity": format!("link:{link}"), "metric": "utilization_reverse", "value": 0.4, "t": 4_102_444_800_000i64}
        ],
        "stages": [
            {"factory_id": 12, "stage": "upgraded", "technologies": ["five_g_a", "tsn"]},
            {"factory_id": 999_999, "stage": "upgraded"}
        ]
    });
    // Only sources push.
    let (status, body) = push(&base, VIEWER, &batch);
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "not_a_source");

    let (status, body) = push(&base, PUSH_A, &batch);
    assert_eq!(status, 200, "{body}");
    let receipt: IngestReceipt = serde_json::from_value(body).unwrap();
    assert_eq!(receipt.accepted, 4, "{receipt:?}");
    let bad: Vec<(usize, bool, &str)> = receipt
        .rejected
        .iter()
        .map(|e| (e.index, e.in_stages, e.code.as_str()))
        .collect();
    assert_eq!(
        bad,
        [
            (1, false, "unknown_entity"),
            (2, false, "bad_value"),
            (3, false, "unknown_metric"),
            (5, false, "bad_entity"),
            (7, false, "bad_time"),
            (1, true, "unknown_entity"),
        ]
    );
    assert!(!receipt.replayed);

    // Every good sample is in the API with its origin.
    let s: Snapshot = get(&base, "/snapshot");
    let l = s.links.iter().find(|l| l.id == link).unwrap();
    assert_eq!(l.utilization_forward, 0.93);
    let origin = s
        .origins
        .iter()
        .find(|o| o.entity == format!("link:{link}") && o.metric == "utilization_forward")
        .expect("origin of the pushed figure");
    assert_eq!(origin.source, "push:plant-mes");
    assert_eq!(
        s.metros
            .iter()
            .find(|m| m.id == metro)
            .unwrap()
            .median_rtt_ms,
        0.71
    );
    let plant: Value = get(&base, "/factories/12");
    assert_eq!(plant["kpis"]["latency_ms"], 3.25);
    assert_eq!(plant["stage"], "upgraded");
    assert_eq!(plant["origins"][0]["source"], "push:plant-mes");

    // The same batch again: the first answer, nothing applied twice.
    let upgraded_before = get::<Snapshot>(&base, "/snapshot").factories.upgraded;
    let (status, body) = push(&base, PUSH_A, &batch);
    assert_eq!(status, 200);
    let again: IngestReceipt = serde_json::from_value(body).unwrap();
    assert!(again.replayed);
    assert_eq!(again.accepted, receipt.accepted);
    assert_eq!(
        get::<Snapshot>(&base, "/snapshot").factories.upgraded,
        upgraded_before
    );
    // The same id with other contents is refused.
    let mut other = batch.clone();
    other["samples"][0]["value"] = json!(0.2);
    let (status, body) = push(&base, PUSH_A, &other);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "batch_id_reused");

    // The registry's progress as a CSV upload: a bad line refuses the upload with its line…
    let (status, body) = post_csv(
        &base,
        PUSH_A,
        "stages-1",
        "factory_id,stage,technologies\n20,deploying,five_g\n21,finished,\n",
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().starts_with("line 3:"),
        "{body}"
    );
    let plant: Value = get(&base, "/factories/20");
    assert_ne!(
        plant["technologies"],
        json!(["five_g", "tsn"]),
        "nothing applied"
    );
    // …a good one applies every row, once.
    let csv = "factory_id,stage,technologies\n20,upgraded,five_g;tsn\n21,assessing,\n";
    let (status, body) = post_csv(&base, PUSH_A, "stages-2", csv);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 2);
    let plant: Value = get(&base, "/factories/20");
    assert_eq!(plant["stage"], "upgraded");
    assert_eq!(plant["technologies"], json!(["five_g", "tsn"]));
    assert_eq!(get::<Value>(&base, "/factories/21")["stage"], "assessing");
    let (_, again) = post_csv(&base, PUSH_A, "stages-2", csv);
    assert_eq!(again["replayed"], true);

    // A second source keeps pushing; the first falls silent and goes stale on its own.
    let b = |n: u32| {
        json!({"batch_id": format!("probe-{n}"), "samples": [
            {"entity": format!("link:{other_link}"), "metric": "utilization_forward", "value": 0.5}
        ]})
    };
    let mut n = 0;
    wait_until(Duration::from_secs(20), "the silent source stale", || {
        n += 1;
        assert_eq!(push(&base, PUSH_B, &b(n)).0, 200);
        let s: Sources = get(&base, "/sources");
        let health = |id: &str| s.sources.iter().find(|x| x.id == id).map(|x| x.health);
        health("push:plant-mes") == Some(SourceHealth::Stale)
            && health("push:noc-probes") == Some(SourceHealth::Ok)
    });
    // Its figure stays, measured, its source now stale.
    let s: Snapshot = get(&base, "/snapshot");
    assert_eq!(
        s.links
            .iter()
            .find(|l| l.id == link)
            .unwrap()
            .utilization_forward,
        0.93
    );
    let stale = s.sources.iter().find(|x| x.id == "push:plant-mes").unwrap();
    assert!(stale.stale_since.is_some());
    let metrics = text(&format!("{base}/metrics"));
    assert!(
        metrics.contains("tianshu_source_up{source=\"push:plant-mes\",kind=\"push\"} 0"),
        "{metrics}"
    );
    assert!(metrics.contains("tianshu_source_up{source=\"push:noc-probes\",kind=\"push\"} 1"));
    assert!(metrics.contains(
        "tianshu_ingested_samples_total{source=\"push:plant-mes\",result=\"accepted\"} 6"
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The shipped Python pusher (standard library only) against a real `serve`: every good line
/// applied, a bad one named by its line, the same file sent again answered from the record.
#[test]
fn the_python_example_pusher_sends_a_file_once() {
    use std::process::Command;
    if Command::new("python3").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is needed for the example pusher test"
        );
        eprintln!("skipped: no python3");
        return;
    }
    let dir = temp_dir("pusher");
    let users = users_file(&dir);
    let serve = serve(&users, &["--factories".as_ref(), "2000".as_ref()]);
    let base = serve.base_url.clone();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/sources");
    let mut csv = std::fs::read_to_string(example.join("samples.csv")).unwrap();
    csv.push_str("link:atlantis,utilization_forward,0.5\n");
    let samples = dir.join("samples.csv");
    std::fs::write(&samples, &csv).unwrap();
    let token = dir.join("mes.token");
    std::fs::write(&token, PUSH_A).unwrap();
    let run = || {
        Command::new("python3")
            .arg(example.join("push.py"))
            .args(["--backend", &base, "--token-file"])
            .arg(&token)
            .arg(&samples)
            .output()
            .expect("python3 runs")
    };
    let first = run();
    let out = String::from_utf8_lossy(&first.stdout).to_string();
    assert_eq!(first.status.code(), Some(1), "one refused line: {out}");
    let receipt: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(receipt["accepted"], 6, "{out}");
    assert_eq!(receipt["rejected"][0]["line"], 8, "{out}");
    assert_eq!(receipt["rejected"][0]["code"], "unknown_entity");
    let s: Snapshot = get(&base, "/snapshot");
    let link = s
        .links
        .iter()
        .find(|l| l.id == "zhangjiakou-horinger")
        .unwrap();
    assert_eq!(link.utilization_forward, 0.91);
    assert_eq!(
        get::<Value>(&base, "/factories/12")["kpis"]["latency_ms"],
        3.4
    );
    // The same file again: answered from the record, nothing applied twice.
    let second = run();
    let again: Value = serde_json::from_str(
        String::from_utf8_lossy(&second.stdout)
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(again["replayed"], true);
    let sources: Sources = get(&base, "/sources");
    let pusher = sources
        .sources
        .iter()
        .find(|s| s.id == "push:plant-mes")
        .unwrap();
    assert_eq!(pusher.delivered, 6, "counted once");
    let _ = std::fs::remove_dir_all(&dir);
}
