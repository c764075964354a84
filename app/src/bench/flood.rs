//! `tianshu bench --events-rate N`: N events a second through the console's real client (HTTP,
//! SSE parsing, JSON decoding, the bounded channel) and `State`'s reducers while frames are built.
//!
//! The events are the simulator's own (a pool recorded from real steps, replayed with fresh ids and
//! a simulated clock that keeps moving forward), served as Server-Sent Events by a small local
//! server at the requested rate. Frames are drawn as the console draws them: when the client wakes
//! the UI, at most one per 60 Hz refresh; each frame's time includes draining and applying the
//! events that arrived since the last one. Reports frame times (max, p99), frames over 16 ms, and
//! the events sent and applied per second.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::{self, Stream};

use super::percentile;
use crate::api::{API_PREFIX, Event, EventKind, Snapshot};
use crate::backend::http::now_ms;
use crate::backend::sim::Simulator;
use crate::backend::ticker::LocalWorld;
use crate::cli::BenchArgs;
use crate::client::{self, ApiClient};

/// Simulation steps recorded for the pool of events.
const POOL_STEPS: usize = 400;

struct Feed {
    snapshot: Snapshot,
    pool: Vec<EventKind>,
    rate: f64,
    sent: AtomicU64,
    /// Simulated ms between two `Tick`s of the replay.
    tick_ms: i64,
}

pub(super) fn run(args: &BenchArgs, rate: u32, size: egui::Vec2) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=1_000_000).contains(&rate),
        "--events-rate must be between 1 and 1,000,000"
    );
    anyhow::ensure!(
        (1..=3600).contains(&args.duration),
        "--duration must be between 1 and 3600 seconds"
    );
    let runtime = super::runtime()?;
    let feed = Arc::new(record_feed(args, f64::from(rate))?);
    println!(
        "events-rate: a pool of {} simulator events replayed at {rate}/s for {} s, frames {}×{}",
        feed.pool.len(),
        args.duration,
        size.x,
        size.y
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .context("cannot listen on 127.0.0.1")?;
    let addr = listener.local_addr()?;
    let router = axum::Router::new()
        .route(
            &format!("{API_PREFIX}/snapshot"),
            axum::routing::get({
                let feed = feed.clone();
                move || async move { axum::Json(feed.snapshot.clone()) }
            }),
        )
        .route(
            &format!("{API_PREFIX}/events"),
            axum::routing::get({
                let feed = feed.clone();
                move || async move { Sse::new(events(feed)).keep_alive(KeepAlive::new()) }
            }),
        );
    let server = runtime.spawn(async move {
        let _ = axum::serve(listener, router).await;
    });

    let api = ApiClient::new(&format!("http://{addr}"), None)?;
    let (mut app, mut frames, wake, _) =
        super::headless_console(runtime.handle(), api, size, args.cpu_shapes)?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.state.world.is_none() || app.state.last_event_id <= feed.snapshot.seq {
        anyhow::ensure!(
            Instant::now() < deadline,
            "no events from the feed within 30 s"
        );
        frames.frame(&mut app, Vec::new());
        std::thread::sleep(Duration::from_millis(5));
    }
    // Warm up the view, then measure.
    for _ in 0..30 {
        frames.frame(&mut app, Vec::new());
        std::thread::sleep(Duration::from_millis(16));
    }
    let refresh = Duration::from_micros(16_667);
    let first_event = app.state.last_event_id;
    let first_sent = feed.sent.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut last_frame = Instant::now();
    let mut times = Vec::new();
    // The UI thread's own CPU time per frame: a long frame with little CPU was the scheduler's
    // (another process on the machine), not the console's.
    let mut cpu_times = Vec::new();
    let total = Duration::from_secs(args.duration);
    while started.elapsed() < total {
        if wake.wait(Duration::from_millis(100)) {
            std::thread::sleep(crate::console::WAKE_COALESCE);
        }
        if let Some(rest) = refresh.checked_sub(last_frame.elapsed()) {
            std::thread::sleep(rest);
        }
        last_frame = Instant::now();
        let cpu_before = thread_cpu_ms();
        times.push(frames.frame(&mut app, Vec::new()).0);
        cpu_times.push(thread_cpu_ms() - cpu_before);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let applied = app.state.last_event_id.saturating_sub(first_event) as f64 / elapsed;
    let sent = feed.sent.load(Ordering::Relaxed).saturating_sub(first_sent) as f64 / elapsed;
    let resynced = app.state.connection != client::ConnectionState::Connected;
    server.abort();
    drop(app);
    runtime.shutdown_timeout(Duration::from_secs(1));
    times.sort_by(f64::total_cmp);
    cpu_times.sort_by(f64::total_cmp);
    let over = times.iter().filter(|&&t| t > 16.0).count();
    let cpu_over = cpu_times.iter().filter(|&&t| t > 16.0).count();
    let cpu_max = cpu_times.last().copied().unwrap_or(0.0);
    let max = times.last().copied().unwrap_or(0.0);
    println!(
        "events-rate: {} frames, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {over} over 16 ms; \
         events sent {sent:.0}/s, applied {applied:.0}/s{}",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        max,
        if resynced {
            " (the stream dropped)"
        } else {
            ""
        }
    );
    println!(
        "events-rate: the UI thread's CPU per frame: p50 {:.2} ms, p99 {:.2} ms, max {cpu_max:.2} ms, \
         {cpu_over} over 16 ms",
        percentile(&cpu_times, 0.5),
        percentile(&cpu_times, 0.99),
    );
    println!(
        "bench-events: rate={rate} applied_per_s={applied:.0} max_frame_ms={max:.2} frames_over_16ms={over}"
    );
    Ok(())
}

/// Real simulator events: `POOL_STEPS` steps of the configured world.
fn record_feed(args: &BenchArgs, rate: f64) -> anyhow::Result<Feed> {
    let sim = Simulator::new(crate::console::sim_config(&args.sim)?)?;
    let now = now_ms();
    let local = LocalWorld::new(sim, args.sim.speed, 100_000)?;
    let (snapshot, first) = {
        let world = local.world();
        (world.snapshot(now), world.last_event_id())
    };
    let step_s = 6.0;
    for step in 0..POOL_STEPS {
        local.tick(step_s, now + step as i64);
    }
    let world = local.world();
    let pool: Vec<EventKind> = world
        .subscribe(Some(first), now)
        .backlog
        .into_iter()
        .map(|e| e.kind)
        .collect();
    anyhow::ensure!(!pool.is_empty(), "the simulator published no events");
    let mut snapshot = snapshot;
    // The replay continues from the snapshot; its ids are numbered afresh.
    snapshot.seq = 0;
    Ok(Feed {
        snapshot,
        pool,
        rate,
        sent: AtomicU64::new(0),
        tick_ms: (step_s * 1000.0) as i64,
    })
}

/// The SSE stream: events released every millisecond so that `rate` per second go out.
fn events(feed: Arc<Feed>) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    struct Cursor {
        feed: Arc<Feed>,
        started: Instant,
        next_id: u64,
        due: std::collections::VecDeque<SseEvent>,
        sim_time: i64,
    }
    let sim_time = feed.snapshot.sim_time;
    let cursor = Cursor {
        feed,
        started: Instant::now(),
        next_id: 1,
        due: std::collections::VecDeque::new(),
        sim_time,
    };
    stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some(event) = c.due.pop_front() {
                return Some((Ok(event), c));
            }
            let want = (c.started.elapsed().as_secs_f64() * c.feed.rate) as u64 + 1;
            if want < c.next_id {
                tokio::time::sleep(Duration::from_millis(1)).await;
                continue;
            }
            let now = now_ms();
            for id in c.next_id..=want {
                let mut kind = c.feed.pool[(id as usize) % c.feed.pool.len()].clone();
                if let EventKind::Tick { sim_time, .. } = &mut kind {
                    c.sim_time += c.feed.tick_ms;
                    *sim_time = c.sim_time;
                }
                let event = Event {
                    id,
                    server_time: now,
                    kind,
                };
                let data = serde_json::to_string(&event).unwrap_or_else(|_| "{}".into());
                c.due
                    .push_back(SseEvent::default().id(id.to_string()).data(data));
            }
            c.feed
                .sent
                .fetch_add(want + 1 - c.next_id, Ordering::Relaxed);
            c.next_id = want + 1;
        }
    })
}

/// CPU time this thread has run, in ms (Linux `/proc/thread-self/schedstat`, ns); 0 elsewhere.
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}
