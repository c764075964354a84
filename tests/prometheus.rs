//! Over 600 lines on purpose: a real Prometheus, a probe exporter and `serve` are set up by shared helpers for both adapters' end-to-end tests; each test reads on its own.
//!
//! The Prometheus latency adapter against a real Prometheus (Debian's `prometheus` package):
//! the test starts a tiny exporter of probe series, a Prometheus scraping it every second, and
//! `tianshu serve --latency-source prometheus`, then checks that the API's metro latency is the
//! exporter's (cells near a probe at its RTT, no data elsewhere, coverage consistent, metros
//! without probes without measurements, the source labelled), that a changed value comes through,
//! and that when Prometheus dies the last figures stay, marked stale.
//!
//! A second test reads figures of links and clusters with `serve --sources sources.toml`
//! (`backend::sources::prometheus`): the snapshot shows the exporter's values with their origin,
//! `GET /api/v1/sources` the source's health, a changed value comes through, and when Prometheus
//! dies the source turns stale, its figures stay and the simulator's keep moving.
//!
//! Without a `prometheus` binary the tests say so and pass, unless TIANSHU_REQUIRE_PROMETHEUS=1
//! (CI: scripts/prometheus-packages.sh installs it), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tianshu::api::{
    LatencyFeed, LatencyGrid, LatencySource, LatencySummary, MetroSummary, Snapshot, SourceHealth,
    SourceKind, SourceStatus, Sources,
};

/// A child process killed (and reaped) when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves `/metrics` in Prometheus text format from a string the test changes.
struct Exporter {
    port: u16,
    body: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Exporter {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let body = Arc::new(Mutex::new(String::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (b, s) = (body.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => serve_one(stream, &b),
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Self {
            port,
            body,
            stop,
            thread: Some(thread),
        }
    }

    fn set(&self, text: String) {
        *self.body.lock().unwrap() = text;
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_one(stream: TcpStream, body: &Mutex<String>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    // Read the request head; the body of a GET is empty.
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        if line == "\r\n" || line == "\n" {
            break;
        }
        line.clear();
    }
    let text = body.lock().unwrap().clone();
    let mut out = &stream;
    let _ = write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find_prometheus() -> Option<PathBuf> {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    std::iter::once(PathBuf::from("/usr/bin"))
        .chain(candidates)
        .map(|d| d.join("prometheus"))
        .find(|p| p.is_file())
}

fn start_prometheus(bin: &Path, dir: &Path, port: u16, exporter_port: u16) -> Proc {
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: probes\n    static_configs:\n      - targets: ['127.0.0.1:{exporter_port}']\n"
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
    let child = Command::new(bin)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("prometheus starts");
    Proc(child)
}

/// `tianshu serve` on a free port reading latency from Prometheus; returns it and its base URL.
fn start_serve(prometheus_port: u16, dir: &Path) -> (Proc, String) {
    let url = format!("http://127.0.0.1:{prometheus_port}");
    spawn_serve(
        &[
            "--latency-source",
            "prometheus",
            "--prometheus-url",
            &url,
            "--prometheus-interval",
            "1s",
        ],
        dir,
    )
}

/// `tianshu serve` on a free port with `extra` arguments; returns it and its base URL.
fn spawn_serve(extra: &[&str], dir: &Path) -> (Proc, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tianshu"))
        .args(["serve", "--memory", "--listen", "127.0.0.1:0"])
        .args(["--factories", "2000", "--seed", "42", "--rate-limit", "0"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("serve.log")).unwrap())
        .spawn()
        .expect("tianshu serve starts");
    let stdout = child.stdout.take().unwrap();
    let proc = Proc(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("serve printed no address: {line:?}"))
        .to_owned();
    (proc, url)
}

async fn get<T: serde::de::DeserializeOwned>(base: &str, path: &str) -> T {
    let r = reqwest::get(format!("{base}{path}")).await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

async fn wait_for<F, Fut>(within: Duration, what: &str, mut ok: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !ok().await {
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    start.elapsed()
}

/// The cell of `grid` holding the point `east_km`, `north_km` from the metro's centre.
fn cell_of(grid: &LatencyGrid, metro: &MetroSummary, east_km: f64, north_km: f64) -> usize {
    let km_lon = 111.32 * metro.center.lat.to_radians().cos();
    let (lat, lon) = (
        metro.center.lat + north_km / 111.32,
        metro.center.lon + east_km / km_lon,
    );
    let col = ((lon - grid.origin.lon) * km_lon / grid.cell_km) as usize;
    let row = ((lat - grid.origin.lat) * 111.32 / grid.cell_km) as usize;
    row * grid.cols as usize + col
}

fn probe(metro_label: &str, m: &MetroSummary, east_km: f64, rtt_s: &str) -> String {
    let lon = m.center.lon + east_km / (111.32 * m.center.lat.to_radians().cos());
    format!(
        "probe_icmp_duration_seconds{{phase=\"rtt\",metro=\"{metro_label}\",lat=\"{}\",lon=\"{lon}\"}} {rtt_s}\n",
        m.center.lat
    )
}

/// The `prometheus` binary; `None` (the test is skipped) when there is none, unless
/// TIANSHU_REQUIRE_PROMETHEUS=1, where that is a failure.
fn prometheus_or_skip() -> Option<PathBuf> {
    let bin = find_prometheus();
    if bin.is_none() {
        if std::env::var("TIANSHU_REQUIRE_PROMETHEUS").as_deref() == Ok("1") {
            panic!(
                "TIANSHU_REQUIRE_PROMETHEUS=1 but no `prometheus` binary was found (PATH, \
                 /usr/bin): run scripts/prometheus-packages.sh"
            );
        }
        eprintln!(
            "SKIPPED: no `prometheus` binary (install Debian's package with \
             scripts/prometheus-packages.sh; TIANSHU_REQUIRE_PROMETHEUS=1 makes this a failure)"
        );
    }
    bin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_probes_feed_the_metro_latency_api() {
    let Some(bin) = prometheus_or_skip() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("tianshu-prom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let exporter = Exporter::start();
    let prom_port = free_port();
    let mut prometheus = start_prometheus(&bin, &dir, prom_port, exporter.port);
    let (serve, base) = start_serve(prom_port, &dir);

    // Real metros of the simulator's list: the first two get probes, the third none.
    let metros: Vec<MetroSummary> = get(&base, "/api/v1/metros").await;
    assert_eq!(metros.len(), 36);
    let (a, b, c) = (&metros[0], &metros[1], &metros[2]);
    // A: a fast probe at the centre (by id) and a slow one 20 km east; B: by English name;
    // plus a NaN series and an unknown metro, which must be skipped.
    exporter.set(format!(
        "# TYPE probe_icmp_duration_seconds gauge\n{}{}{}{}{}",
        probe(&a.id, a, 0.0, "0.00042"),
        probe(&a.id, a, 20.0, "0.0016"),
        probe(&b.name_en, b, 0.0, "0.00081"),
        probe(&b.id, b, 3.0, "NaN"),
        probe("atlantis", a, 0.0, "0.0005"),
    ));

    let first = wait_for(Duration::from_secs(60), "probes reach the API", || async {
        let feed: LatencyFeed = get(&base, "/api/v1/latency/source").await;
        feed.probes == 3
    })
    .await;
    eprintln!("first measured figures after {first:?}");

    let feed: LatencyFeed = get(&base, "/api/v1/latency/source").await;
    assert_eq!(feed.source, LatencySource::Prometheus);
    assert!(!feed.simulated);
    assert_eq!(feed.metros_measured, 2);
    assert_eq!(feed.stale_since, None);
    assert!(feed.last_success.is_some());
    assert!(feed.metros_without_measurements.contains(&c.id));
    assert_eq!(feed.metros_without_measurements.len(), 34);
    let skipped = |reason: &str| {
        feed.skipped
            .iter()
            .find(|s| s.reason == reason)
            .map_or(0, |s| s.count)
    };
    assert_eq!(skipped("not_finite"), 1, "{:?}", feed.skipped);
    assert_eq!(skipped("unknown_metro"), 1, "{:?}", feed.skipped);

    let now: Vec<MetroSummary> = get(&base, "/api/v1/metros").await;
    assert_eq!(now[0].probes, Some(2));
    assert_eq!(now[1].probes, Some(1));
    assert_eq!(now[2].probes, Some(0), "no probe: no measurements");
    assert_eq!(now[2].coverage_1ms, 0.0);
    assert_eq!(now[0].access_points, 0, "measured metros claim no sites");

    let grid: LatencyGrid = get(&base, &format!("/api/v1/metros/{}/latency", a.id)).await;
    assert_eq!(grid.source, LatencySource::Prometheus);
    assert_eq!(grid.probes.len(), 2);
    let at = |e: f64, n: f64| grid.rtt_ms[cell_of(&grid, a, e, n)];
    assert!(
        (at(0.0, 0.0) - 0.42).abs() < 1e-4,
        "centre {}",
        at(0.0, 0.0)
    );
    assert!((at(2.0, 2.0) - 0.42).abs() < 1e-4, "2.8 km from the probe");
    assert!((at(20.0, 0.0) - 1.6).abs() < 1e-4, "east {}", at(20.0, 0.0));
    assert_eq!(at(-40.0, -40.0), -1.0, "far from every probe: no data");
    let measured = grid.rtt_ms.iter().filter(|ms| **ms >= 0.0).count();
    // Two discs of 5 km: about 2 × π·25 ≈ 157 cells.
    assert!((140..=175).contains(&measured), "{measured} measured cells");
    let people: f64 = grid.population.iter().map(|p| f64::from(*p)).sum();
    let covered: f64 = grid
        .rtt_ms
        .iter()
        .zip(&grid.population)
        .filter(|(ms, _)| (0.0..=1.0).contains(*ms))
        .map(|(_, p)| f64::from(*p))
        .sum();
    assert!((grid.coverage_1ms - covered / people).abs() < 1e-5);
    assert!(grid.coverage_1ms > 0.0 && grid.coverage_1ms < 1.0);
    assert!((now[0].coverage_1ms - grid.coverage_1ms).abs() < 1e-9);
    eprintln!(
        "{}: {measured} measured cells, coverage {:.4}, median {} ms",
        a.id, grid.coverage_1ms, grid.median_rtt_ms
    );
    let grid_b: LatencyGrid = get(&base, &format!("/api/v1/metros/{}/latency", b.id)).await;
    assert!((grid_b.rtt_ms[cell_of(&grid_b, b, 0.0, 0.0)] - 0.81).abs() < 1e-4);
    let grid_c: LatencyGrid = get(&base, &format!("/api/v1/metros/{}/latency", c.id)).await;
    assert!(
        grid_c.rtt_ms.iter().all(|ms| *ms == -1.0),
        "no probe, no data"
    );

    let summary: LatencySummary = get(&base, "/api/v1/latency/summary").await;
    assert_eq!(summary.source, LatencySource::Prometheus);
    assert_eq!(summary.stale_since, None);
    assert_eq!(summary.metros_total, 36);
    let health: Value = get(&base, "/api/v1/health").await;
    assert_eq!(health["latency_source"], "prometheus");
    let snapshot: Value = get(&base, "/api/v1/snapshot").await;
    assert_eq!(snapshot["metros"][0]["probes"], 2);
    let what_if = reqwest::Client::new()
        .post(format!("{base}/api/v1/metros/{}/whatif", a.id))
        .json(&serde_json::json!({"add": [a.center]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        what_if.status(),
        409,
        "no site model behind measured latency"
    );

    // The exporter changes: the centre probe slows to 1.25 ms.
    exporter.set(format!(
        "{}{}{}",
        probe(&a.id, a, 0.0, "0.00125"),
        probe(&a.id, a, 20.0, "0.0016"),
        probe(&b.name_en, b, 0.0, "0.00081"),
    ));
    let path = format!("/api/v1/metros/{}/latency", a.id);
    let followed = wait_for(
        Duration::from_secs(30),
        "a changed value comes through",
        || async {
            let g: LatencyGrid = get(&base, &path).await;
            (g.rtt_ms[cell_of(&g, a, 0.0, 0.0)] - 1.25).abs() < 1e-4
        },
    )
    .await;
    eprintln!("a changed value reached the API after {followed:?}");
    let now: Vec<MetroSummary> = get(&base, "/api/v1/metros").await;
    assert!(
        now[0].coverage_1ms < grid.coverage_1ms,
        "the centre is no longer within 1 ms"
    );

    // Prometheus dies: the figures stay, marked stale.
    let _ = prometheus.0.kill();
    let _ = prometheus.0.wait();
    let stale = wait_for(Duration::from_secs(30), "stale is reported", || async {
        let feed: LatencyFeed = get(&base, "/api/v1/latency/source").await;
        feed.stale_since.is_some()
    })
    .await;
    eprintln!("stale reported {stale:?} after Prometheus was killed");
    let feed: LatencyFeed = get(&base, "/api/v1/latency/source").await;
    assert!(
        feed.last_error
            .as_deref()
            .is_some_and(|e| e.contains("Prometheus"))
    );
    let g: LatencyGrid = get(&base, &path).await;
    assert!(
        (g.rtt_ms[cell_of(&g, a, 0.0, 0.0)] - 1.25).abs() < 1e-4,
        "last good data kept"
    );
    let summary: LatencySummary = get(&base, "/api/v1/latency/summary").await;
    assert_eq!(summary.stale_since, feed.stale_since);
    let health: Value = get(&base, "/api/v1/health").await;
    assert!(health["latency_stale_since"].is_i64(), "{health}");
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("tianshu_latency_stale 1"), "{metrics}");
    assert!(metrics.contains("tianshu_latency_probes 3"));

    drop(serve);
    drop(prometheus);
    drop(exporter);
    let mut log = String::new();
    if let Ok(mut f) = std::fs::File::open(dir.join("serve.log")) {
        let _ = f.read_to_string(&mut log);
    }
    assert!(!log.contains("panicked"), "{log}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The exporter's series: one link's forward utilization, a cluster's PUE, and a link that is
/// not in the world (skipped as `unknown_entity`).
fn figures(forward: &str, pue: &str) -> String {
    format!(
        "# TYPE tianshu_link_utilization gauge\n\
         tianshu_link_utilization{{link=\"zhangjiakou-horinger\",direction=\"forward\"}} {forward}\n\
         tianshu_link_utilization{{link=\"zhangjiakou-horinger\",direction=\"reverse\"}} 0.2\n\
         tianshu_link_utilization{{link=\"atlantis-lemuria\",direction=\"forward\"}} 0.5\n\
         # TYPE tianshu_cluster_pue gauge\n\
         tianshu_cluster_pue{{cluster=\"zhangjiakou\"}} {pue}\n"
    )
}

const MEASURED_LINK: &str = "zhangjiakou-horinger";
/// A link no source measures: its figures stay the simulator's.
const SIM_LINK: &str = "horinger-zhongwei";

fn link_forward(s: &Snapshot, id: &str) -> f64 {
    s.links
        .iter()
        .find(|l| l.id == id)
        .unwrap_or_else(|| panic!("no link {id}"))
        .utilization_forward
}

fn cluster_pue(s: &Snapshot, id: &str) -> f64 {
    s.clusters
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no cluster {id}"))
        .pue
}

async fn source(base: &str, id: &str) -> Option<SourceStatus> {
    let sources: Sources = get(base, "/api/v1/sources").await;
    sources.sources.into_iter().find(|s| s.id == id)
}

/// The simulator's figures keep moving: `SIM_LINK`'s utilization changes between snapshots.
async fn simulator_moves(base: &str) {
    let first: Snapshot = get(base, "/api/v1/snapshot").await;
    wait_for(
        Duration::from_secs(15),
        "a simulated figure moves",
        || async {
            let now: Snapshot = get(base, "/api/v1/snapshot").await;
            link_forward(&now, SIM_LINK) != link_forward(&first, SIM_LINK)
        },
    )
    .await;
    let sim = source(base, "simulator").await.unwrap();
    assert_eq!(sim.health, SourceHealth::Ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_queries_per_metric_feed_links_and_clusters() {
    let Some(bin) = prometheus_or_skip() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("tianshu-prom-sources-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let exporter = Exporter::start();
    exporter.set(figures("0.91", "1.17"));
    let prom_port = free_port();
    let mut prometheus = start_prometheus(&bin, &dir, prom_port, exporter.port);
    let sources_toml = dir.join("sources.toml");
    std::fs::write(
        &sources_toml,
        format!(
            "[[prometheus]]\n\
             id = \"backbone\"\n\
             url = \"http://127.0.0.1:{prom_port}\"\n\
             interval_s = 1\n\
             timeout_s = 0.8\n\
             [[prometheus.metrics]]\n\
             metric = \"link.utilization_forward\"\n\
             query = 'tianshu_link_utilization{{direction=\"forward\"}}'\n\
             entity_label = \"link\"\n\
             [[prometheus.metrics]]\n\
             metric = \"cluster.pue\"\n\
             query = 'max by (cluster) (tianshu_cluster_pue)'\n\
             entity_label = \"cluster\"\n"
        ),
    )
    .unwrap();
    let (serve, base) = spawn_serve(&["--sources", sources_toml.to_str().unwrap()], &dir);

    // Listed at once, before its first answer.
    let listed = source(&base, "prometheus:backbone")
        .await
        .expect("the source is listed from the start");
    assert_eq!(listed.kind, SourceKind::Prometheus);
    assert_eq!(listed.location, format!("http://127.0.0.1:{prom_port}"));
    assert_eq!(listed.interval_s, Some(1.0));
    assert_eq!(
        listed.provides,
        vec!["link.utilization_forward", "cluster.pue"]
    );

    let first = wait_for(
        Duration::from_secs(60),
        "the exporter's figures reach the snapshot",
        || async {
            let s: Snapshot = get(&base, "/api/v1/snapshot").await;
            link_forward(&s, MEASURED_LINK) == 0.91 && cluster_pue(&s, "zhangjiakou") == 1.17
        },
    )
    .await;
    eprintln!("first measured figures after {first:?}");
    let s: Snapshot = get(&base, "/api/v1/snapshot").await;
    let origin = s
        .origins
        .iter()
        .find(|o| o.entity == format!("link:{MEASURED_LINK}") && o.metric == "utilization_forward")
        .expect("the measured figure has an origin");
    assert_eq!(origin.source, "prometheus:backbone");
    let pue = s
        .origins
        .iter()
        .find(|o| o.entity == "cluster:zhangjiakou" && o.metric == "pue")
        .expect("the PUE has an origin");
    assert_eq!(pue.source, "prometheus:backbone");
    assert!(
        !s.origins
            .iter()
            .any(|o| o.entity == format!("link:{MEASURED_LINK}")
                && o.metric == "utilization_reverse"),
        "the reverse direction is not queried: still the simulator's"
    );
    let link = s.links.iter().find(|l| l.id == MEASURED_LINK).unwrap();
    assert_ne!(link.utilization_reverse, 0.2, "not queried");
    let backbone = source(&base, "prometheus:backbone").await.unwrap();
    assert_eq!(backbone.health, SourceHealth::Ok, "{backbone:?}");
    assert_eq!(backbone.stale_since, None);
    assert!(backbone.last_ok.is_some());
    assert!(backbone.delivered >= 2);
    assert!(
        backbone
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("1 unknown_entity")),
        "the link not in the world is counted: {backbone:?}"
    );
    let sources: Sources = get(&base, "/api/v1/sources").await;
    assert!(
        sources
            .simulated
            .iter()
            .any(|p| p == "link.utilization_forward"),
        "only one link is measured: {:?}",
        sources.simulated
    );

    // The exporter changes: the API follows.
    exporter.set(figures("0.42", "1.3"));
    let followed = wait_for(
        Duration::from_secs(30),
        "changed values come through",
        || async {
            let s: Snapshot = get(&base, "/api/v1/snapshot").await;
            link_forward(&s, MEASURED_LINK) == 0.42 && cluster_pue(&s, "zhangjiakou") == 1.3
        },
    )
    .await;
    eprintln!("changed values reached the API after {followed:?}");
    simulator_moves(&base).await;

    // Prometheus dies: the source turns stale, its figures stay, the simulator's keep moving.
    let _ = prometheus.0.kill();
    let _ = prometheus.0.wait();
    let stale = wait_for(Duration::from_secs(30), "stale is reported", || async {
        source(&base, "prometheus:backbone")
            .await
            .is_some_and(|s| s.health == SourceHealth::Stale)
    })
    .await;
    eprintln!("stale reported {stale:?} after Prometheus was killed");
    let backbone = source(&base, "prometheus:backbone").await.unwrap();
    assert!(backbone.stale_since.is_some(), "{backbone:?}");
    assert!(
        backbone
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("cannot reach Prometheus")),
        "{backbone:?}"
    );
    let s: Snapshot = get(&base, "/api/v1/snapshot").await;
    assert_eq!(link_forward(&s, MEASURED_LINK), 0.42, "last figures kept");
    assert_eq!(cluster_pue(&s, "zhangjiakou"), 1.3);
    let in_snapshot = s
        .sources
        .iter()
        .find(|x| x.id == "prometheus:backbone")
        .unwrap();
    assert_eq!(in_snapshot.health, SourceHealth::Stale);
    simulator_moves(&base).await;
    let s: Snapshot = get(&base, "/api/v1/snapshot").await;
    assert_eq!(link_forward(&s, MEASURED_LINK), 0.42, "still kept");
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("tianshu_source_up{source=\"prometheus:backbone\",kind=\"prometheus\"} 0"),
        "{metrics}"
    );

    drop(serve);
    drop(prometheus);
    drop(exporter);
    let mut log = String::new();
    if let Ok(mut f) = std::fs::File::open(dir.join("serve.log")) {
        let _ = f.read_to_string(&mut log);
    }
    assert!(!log.contains("panicked"), "{log}");
    std::fs::remove_dir_all(&dir).ok();
}
