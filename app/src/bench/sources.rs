//! `tianshu bench --sources`: the real-world sources' figures (issue 16), on this machine.
//!
//! 1. Loading an enterprise registry: a CSV of `--enterprises` rows (the simulator's plants in
//!    the registry's columns, as the Factories view exports them) read by `tianshu-world` and
//!    the world built around it — wall time and this process's peak memory while doing it.
//! 2. `tianshu serve --world DIR` with that registry in a child process: its resident memory.
//! 3. Push throughput: every plant's four KPIs pushed to `POST /api/v1/ingest` by two senders
//!    in batches of 5,000; samples accepted per second, and that the backend counted exactly
//!    what it accepted (nothing lost, nothing twice).
//! 4. Sample → console: a link figure pushed, then the headless console's frames until its state
//!    shows the new value; p50/p99 over many pushes (HTTP, the backend, the event stream, the
//!    client, the reducer and one frame included).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;
use serde_json::json;

use super::{Rig, percentile, rss_mb};
use crate::api::{IngestReceipt, Sources};
use crate::cli::BenchArgs;

const BATCH: usize = 5_000;
const SENDERS: usize = 2;
const LATENCY_PUSHES: usize = 200;

#[derive(Debug, Serialize)]
struct SourcesReport {
    enterprises: u32,
    csv_bytes: u64,
    /// Reading and checking the CSV (tianshu-world).
    csv_read_ms: f64,
    /// Building the world around it (the simulator's model of the rest).
    world_build_ms: f64,
    /// This process's peak resident memory during read + build (VmHWM, reset before).
    load_peak_rss_mb: f64,
    /// Resident memory of `tianshu serve --world` with the registry, after start and after
    /// every plant's KPIs were pushed.
    serve_rss_start_mb: f64,
    serve_rss_after_push_mb: f64,
    pushed_samples: u64,
    accepted_samples: u64,
    push_seconds: f64,
    samples_per_second: f64,
    /// The backend's own count of what the push source delivered.
    backend_counted: u64,
    sample_to_console_p50_ms: f64,
    sample_to_console_p99_ms: f64,
    sample_to_console_max_ms: f64,
}

/// A child process killed when dropped.
struct Child9(Child);

impl Drop for Child9 {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(super) fn run(args: &BenchArgs, enterprises: u32, size: egui::Vec2) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("tianshu-bench-sources-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let csv_bytes = write_registry(&dir, enterprises, args.sim.seed)?;

    // 1. Load, with the peak reset first (Linux: `5` in clear_refs resets VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let started = Instant::now();
    let loaded = tianshu_world::load(&dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let csv_read_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let sim = crate::backend::sim::Simulator::with_inventory(
        crate::console::sim_config(&args.sim)?,
        &loaded.inventory,
    )?;
    let world_build_ms = started.elapsed().as_secs_f64() * 1000.0;
    let load_peak_rss_mb = rss_mb("VmHWM:");
    anyhow::ensure!(
        sim.factories().len() == enterprises as usize,
        "loaded {} enterprises, wrote {enterprises}",
        sim.factories().len()
    );
    drop((sim, loaded));

    // 2. serve with the registry, in its own process.
    let (child, url) = start_serve(&dir)?;
    let pid = child.0.id();
    std::thread::sleep(Duration::from_secs(2));
    let serve_rss_start_mb = rss_of(pid);

    // 3. Every plant's four KPIs.
    let runtime = super::runtime()?;
    let (pushed, accepted, push_seconds) = runtime.block_on(push_all(&url, enterprises))?;
    let serve_rss_after_push_mb = rss_of(pid);
    let sources: Sources = runtime.block_on(async {
        reqwest::get(format!("{url}/api/v1/sources"))
            .await?
            .json()
            .await
    })?;
    let backend_counted = sources
        .sources
        .iter()
        .find(|s| s.id == "push")
        .map_or(0, |s| s.delivered);
    drop(runtime);

    // 4. Sample → console, through a headless console on that backend.
    let latencies = sample_to_console(args, &url, size)?;
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);

    let report = SourcesReport {
        enterprises,
        csv_bytes,
        csv_read_ms,
        world_build_ms,
        load_peak_rss_mb,
        serve_rss_start_mb,
        serve_rss_after_push_mb,
        pushed_samples: pushed,
        accepted_samples: accepted,
        push_seconds,
        samples_per_second: accepted as f64 / push_seconds.max(1e-9),
        backend_counted,
        sample_to_console_p50_ms: percentile(&latencies, 0.5),
        sample_to_console_p99_ms: percentile(&latencies, 0.99),
        sample_to_console_max_ms: latencies.last().copied().unwrap_or(0.0),
    };
    print(&report);
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    anyhow::ensure!(
        accepted == pushed && backend_counted == accepted,
        "pushed {pushed}, accepted {accepted}, the backend counted {backend_counted}: something was lost"
    );
    Ok(())
}

fn print(r: &SourcesReport) {
    println!("real-world sources (issue 16), this machine:");
    println!(
        "  registry CSV        {} enterprises, {:.1} MB: read {:.0} ms + world built {:.0} ms; peak RSS {:.0} MB",
        r.enterprises,
        r.csv_bytes as f64 / 1e6,
        r.csv_read_ms,
        r.world_build_ms,
        r.load_peak_rss_mb
    );
    println!(
        "  serve --world       RSS {:.0} MB after start, {:.0} MB with every plant's KPIs measured",
        r.serve_rss_start_mb, r.serve_rss_after_push_mb
    );
    println!(
        "  push                {} samples in {:.2} s = {:.0} samples/s accepted ({} counted by the backend)",
        r.accepted_samples, r.push_seconds, r.samples_per_second, r.backend_counted
    );
    println!(
        "  sample → console    p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({LATENCY_PUSHES} pushes)",
        r.sample_to_console_p50_ms, r.sample_to_console_p99_ms, r.sample_to_console_max_ms
    );
}

/// The simulator's plants written as a registry (`enterprises.csv`); returns its size.
fn write_registry(dir: &Path, n: u32, seed: u64) -> anyhow::Result<u64> {
    let sim = crate::backend::sim::Simulator::new(crate::backend::sim::SimConfig {
        seed,
        factory_count: n,
        ..Default::default()
    })?;
    let csv = sim.factories_csv(&crate::api::FactoryQuery::default())?;
    let path = dir.join("enterprises.csv");
    std::fs::write(&path, &csv).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(csv.len() as u64)
}

fn start_serve(world: &Path) -> anyhow::Result<(Child9, String)> {
    use std::io::BufRead as _;
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .args(["serve", "--listen", "127.0.0.1:0", "--memory", "--world"])
        .arg(world)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start tianshu serve")?;
    let stdout = child.stdout.take().context("serve's stdout")?;
    let child = Child9(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().context("serve stopped before it listened")??;
        if let Some(rest) = line.strip_prefix("tianshu backend on ") {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
        }
    };
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok((child, url))
}

fn rss_of(pid: u32) -> f64 {
    let path = PathBuf::from(format!("/proc/{pid}/status"));
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Pushes four KPIs of every plant; returns (pushed, accepted, seconds).
async fn push_all(url: &str, plants: u32) -> anyhow::Result<(u64, u64, f64)> {
    let metrics = [
        ("latency_ms", 4.0),
        ("jitter_ms", 0.5),
        ("reliability", 0.99999),
        ("throughput_mbps", 800.0),
    ];
    let mut samples = Vec::with_capacity(plants as usize * 4);
    for id in 1..=plants {
        for (metric, base) in metrics {
            samples
                .push(json!({"entity": format!("factory:{id}"), "metric": metric, "value": base}));
        }
    }
    let bodies: Vec<Vec<u8>> = samples
        .chunks(BATCH)
        .enumerate()
        .map(|(i, chunk)| {
            serde_json::to_vec(&json!({"batch_id": format!("bench-{i}"), "samples": chunk}))
        })
        .collect::<Result<_, _>>()?;
    let pushed = samples.len() as u64;
    drop(samples);
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..SENDERS {
        let mine: Vec<Vec<u8>> = bodies.iter().skip(k).step_by(SENDERS).cloned().collect();
        let (client, endpoint) = (client.clone(), format!("{url}/api/v1/ingest"));
        tasks.push(tokio::spawn(async move {
            let mut accepted = 0u64;
            for body in mine {
                let receipt: IngestReceipt = loop {
                    let response = client
                        .post(&endpoint)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await?;
                    // Over the per-token rate limit: wait as told and send the same batch again
                    // (its id makes a second arrival harmless).
                    if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
                        let wait = response
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse::<f64>().ok())
                            .unwrap_or(0.1);
                        tokio::time::sleep(Duration::from_secs_f64(wait.clamp(0.01, 5.0))).await;
                        continue;
                    }
                    break response.error_for_status()?.json().await?;
                };
                anyhow::ensure!(
                    receipt.rejected.is_empty(),
                    "rejected: {:?}",
                    receipt.rejected.first()
                );
                accepted += receipt.accepted;
            }
            Ok::<u64, anyhow::Error>(accepted)
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await??;
    }
    Ok((pushed, accepted, started.elapsed().as_secs_f64()))
}

/// Pushes a new value of one link `LATENCY_PUSHES` times and times each until the headless
/// console's state shows it after a frame.
fn sample_to_console(args: &BenchArgs, url: &str, size: egui::Vec2) -> anyhow::Result<Vec<f64>> {
    let mut console_args = args.clone();
    console_args.backend = Some(url.to_owned());
    let rig = Rig::start(&console_args, 1000, size)?;
    let Rig {
        runtime,
        mut app,
        mut frames,
        wake,
        ..
    } = rig;
    let link = app
        .state
        .world
        .as_ref()
        .and_then(|w| w.links.first())
        .map(|l| l.id.clone())
        .context("the backend has no links")?;
    let client = reqwest::Client::new();
    let endpoint = format!("{url}/api/v1/ingest");
    let mut latencies = Vec::with_capacity(LATENCY_PUSHES);
    for k in 0..LATENCY_PUSHES {
        let value = 0.2 + 0.003 * k as f64;
        let body = json!({"batch_id": format!("latency-{k}"), "samples": [
            {"entity": format!("link:{link}"), "metric": "utilization_forward", "value": value}
        ]});
        // Paced under the backend's per-token rate limit (50 requests/s by default).
        std::thread::sleep(Duration::from_millis(30));
        let started = Instant::now();
        let status = runtime
            .block_on(client.post(&endpoint).json(&body).send())?
            .status();
        anyhow::ensure!(status.is_success(), "push {k} answered {status}");
        let deadline = started + Duration::from_secs(10);
        loop {
            frames.frame(&mut app, Vec::new());
            let shown = app
                .state
                .world
                .as_ref()
                .and_then(|w| w.links.iter().find(|l| l.id == link))
                .is_some_and(|l| (l.utilization_forward - value).abs() < 1e-9);
            if shown {
                latencies.push(started.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            if Instant::now() >= deadline {
                let seen = app
                    .state
                    .world
                    .as_ref()
                    .and_then(|w| w.links.iter().find(|l| l.id == link))
                    .map(|l| l.utilization_forward);
                anyhow::bail!(
                    "push {k} ({value}) not shown within 10 s: the console shows {seen:?}, \
                     connection {:?}, last event {}",
                    app.state.connection,
                    app.state.last_event_id
                );
            }
            wake.wait(Duration::from_millis(50));
        }
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}
