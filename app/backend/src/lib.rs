//! The reference backend: a simulator that makes the domain real, a durable store of decisions,
//! and API v1 over HTTP. The console embeds it when no `--backend` is given; `tianshu serve`
//! runs it alone.

pub mod action_store;
pub mod auth;
pub mod events;
pub mod gateway;
pub mod guard;
pub mod history;
pub mod http;
pub mod latency_view;
pub mod mcp;
pub mod metrics;
pub mod pg;
pub mod prometheus;
pub mod sources;
pub use tianshu_api as api;
pub use tianshu_api::decisions;
pub use tianshu_sim as sim;
pub mod store;
pub mod ticker;
pub mod tls;
pub mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use self::auth::TokenTable;
use self::http::{AppState, now_ms};
use self::sim::{SimConfig, Simulator};
use self::store::Store;
use self::world::World;

/// Locks `mutex` even if a holder panicked: a poisoned lock means a change stopped half way, and
/// the data is still the best there is (the world, the store's connection).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Wall-clock seconds of the agents' activity modelled before the start (the timeline's span).
const ACTIVITY_PAST_WALL_S: f64 = 15.0 * 60.0;

/// How the backend runs.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    pub listen: SocketAddr,
    /// SQLite file for actions, decisions and audit; `None` keeps them in memory.
    pub db: Option<PathBuf>,
    /// PostgreSQL URL shared by several replicas (`pg`); when set, `db` is not used.
    pub postgres: Option<String>,
    pub sim: SimConfig,
    /// Simulated seconds per real second.
    pub speed: f64,
    /// Real time between simulation steps.
    pub tick: Duration,
    /// Never step the simulation: the data stays as it started (idle measurements).
    pub paused: bool,
    pub tokens: TokenTable,
    pub replay_capacity: usize,
    /// Requests per second per token (429 beyond).
    pub rate_limit: guard::RateLimit,
    /// Serve HTTPS with these PEM files instead of plain HTTP.
    pub tls: Option<tls::TlsFiles>,
    /// Metro latency measured by this Prometheus server instead of the simulator's model.
    pub latency: Option<prometheus::PrometheusConfig>,
    /// The operator's inventory (`serve --world DIR`), watched for changes.
    pub world: Option<PathBuf>,
    /// A push source silent for longer than this goes stale.
    pub push_stale_after: Duration,
    /// Figures read from Prometheus servers (`sources.toml`), one poller each.
    pub sources: Vec<sources::prometheus::PrometheusSource>,
}

impl Default for BackendConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: None,
            postgres: None,
            sim: SimConfig::default(),
            speed: 60.0,
            tick: Duration::from_secs(1),
            paused: false,
            tokens: TokenTable::default(),
            replay_capacity: events::DEFAULT_REPLAY_CAPACITY,
            rate_limit: guard::RateLimit::default(),
            tls: None,
            latency: None,
            world: None,
            push_stale_after: sources::DEFAULT_PUSH_STALE_AFTER,
            sources: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("simulator: {0}")]
    Sim(#[from] sim::SimError),
    // Transparent: `{e:#}` would print the store's message twice otherwise.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("--speed must be a positive number of simulated seconds per second, not {0}")]
    BadSpeed(f64),
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
    #[error("Prometheus latency source: {0}")]
    Prometheus(#[from] prometheus::ConfigError),
    #[error(transparent)]
    World(#[from] sources::world_dir::WorldDirError),
    #[error("cannot watch the world directory {dir}: {source}")]
    Watch { dir: String, source: notify::Error },
}

/// A backend serving on `addr`; dropping it does not stop it, `shutdown` does.
pub struct RunningBackend {
    pub addr: SocketAddr,
    pub state: AppState,
    /// True when serving HTTPS.
    pub tls: bool,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
    ticker: JoinHandle<()>,
}

impl RunningBackend {
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Ends every open event stream, as a network drop would; clients resume by themselves.
    pub fn drop_event_streams(&self) {
        self.state.kick_streams.send_modify(|n| *n += 1);
    }

    /// Stops serving and simulating, and waits for both.
    pub async fn shutdown(self) {
        self.drop_event_streams();
        let _ = self.stop.send(true);
        let _ = self.server.await;
        let _ = self.ticker.await;
    }
}

/// Builds the world and starts serving; must be called inside a tokio runtime.
pub async fn start(config: BackendConfig) -> Result<RunningBackend, BackendError> {
    if !(config.speed.is_finite() && config.speed > 0.0) {
        return Err(BackendError::BadSpeed(config.speed));
    }
    // Bad certificate files fail before anything else starts.
    let acceptor = config.tls.as_ref().map(tls::acceptor).transpose()?;
    if let Some(latency) = &config.latency {
        latency.validate()?;
    }
    let loaded_world = match &config.world {
        Some(dir) => {
            let (dir, sim_config) = (dir.clone(), config.sim);
            let loaded =
                tokio::task::spawn_blocking(move || sources::world_dir::load(&dir, sim_config))
                    .await
                    .map_err(|e| {
                        BackendError::Sim(sim::SimError::Cities(format!("loader stopped: {e}")))
                    })??;
            Some(loaded)
        }
        None => None,
    };
    let (sim, world_parts) = match loaded_world {
        Some(w) => (w.sim, Some((w.parts, w.records))),
        None => (Simulator::new(config.sim)?, None),
    };
    // Event ids start from the boot time (µs), so they grow across restarts of the backend.
    let first_event_after = u64::try_from(now_ms()).unwrap_or(0).saturating_mul(1000);
    let store = match &config.postgres {
        None => action_store::ActionStore::local(Store::open(config.db.as_deref())?),
        Some(url) => action_store::ActionStore::Shared(pg::Shared::connect(url).await?),
    };
    let loaded = store.load_actions().await?;
    let newest_change = loaded.newest_change;
    let mut world = World::new(
        sim,
        loaded.actions,
        config.speed,
        config.replay_capacity,
        first_event_after,
    );
    world.closed_below(loaded.closed_below);
    world.activity_past.starts_at = now_ms();
    world.sources.push_stale_after = config.push_stale_after;
    if let (Some((parts, records)), Some(dir)) = (world_parts, &config.world) {
        world.note_world_loaded(parts, &dir.display().to_string(), records, now_ms());
    }
    let world = Arc::new(Mutex::new(world));
    let (kick, _) = watch::channel(0u64);
    let state = AppState {
        world: world.clone(),
        tokens: Arc::new(config.tokens.clone()),
        kick_streams: Arc::new(kick),
        rate_limit: config.rate_limit,
        metrics: Arc::new({
            let m = metrics::Metrics::default();
            m.set_event_base(first_event_after);
            m
        }),
        store: store.clone(),
        agents_seen: Arc::default(),
    };
    let listener =
        TcpListener::bind(config.listen)
            .await
            .map_err(|source| BackendError::Listen {
                addr: config.listen,
                source,
            })?;
    let addr = listener
        .local_addr()
        .map_err(|source| BackendError::Listen {
            addr: config.listen,
            source,
        })?;
    let (stop, stop_rx) = watch::channel(false);
    if let Some(latency) = config.latency.clone() {
        // Ends with `stop`; not awaited by `shutdown` (it holds no state worth flushing).
        prometheus::start(world.clone(), latency, stop_rx.clone())?;
    }
    // Like the latency poller: ends with `stop`.
    sources::prometheus::start(world.clone(), config.sources.clone(), stop_rx.clone())?;

    if let Some(dir) = config.world.clone() {
        // Ends with `stop`, like the Prometheus poller.
        sources::world_dir::watch(world.clone(), dir.clone(), config.sim, stop_rx.clone())
            .map_err(|source| BackendError::Watch {
                dir: dir.display().to_string(),
                source,
            })?;
    }

    let router = http::router(state.clone());
    let mut server_stop = stop_rx.clone();
    let tls_on = acceptor.is_some();
    let server = tokio::spawn(async move {
        if let Some(acceptor) = acceptor {
            tls::serve(listener, router, acceptor, server_stop).await;
            return;
        }
        let shutdown = async move {
            let _ = server_stop.wait_for(|s| *s).await;
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!("backend server stopped: {e}");
        }
    });

    let dt_sim_s = config.speed * config.tick.as_secs_f64();
    if config.world.is_none() && !config.paused {
        // The agents' timeline starts with the model's past (off the lock, off the runtime).
        lock(&world).activity_past.modelling = true;
        let (world, sim, started) = (world.clone(), config.sim, now_ms());
        // At most 900 steps, whatever the tick.
        let span_s = ACTIVITY_PAST_WALL_S * config.speed;
        let dt_s = dt_sim_s.max(span_s / 900.0);
        let speed = config.speed;
        let modelling =
            tokio::task::spawn_blocking(move || sim::modelled_activity(sim, span_s, dt_s, speed));
        tokio::spawn(async move {
            let past = match modelling.await {
                Ok(Ok(points)) => {
                    let wall = |t: i64| started - ((sim.start - t) as f64 / speed) as i64;
                    Some(api::ActivityPast {
                        starts_at: started,
                        modelled: true,
                        modelling: false,
                        points: points
                            .into_iter()
                            .map(|p| api::PastActivity {
                                at: wall(p.sim_t),
                                agent_id: p.agent_id,
                                kind: p.kind,
                            })
                            .collect(),
                    })
                }
                Ok(Err(e)) => {
                    tracing::warn!("no modelled past of the agents' activity: {e}");
                    None
                }
                Err(e) => {
                    tracing::error!("modelling the agents' past stopped: {e}");
                    None
                }
            };
            let mut w = lock(&world);
            match past {
                Some(past) => w.activity_past = past,
                // Whatever happened, the console is not left waiting: the record starts now.
                None => w.activity_past.modelling = false,
            }
        });
    }
    let clock = ticker::run(
        store.clone(),
        world.clone(),
        config.tick,
        dt_sim_s,
        config.paused,
        stop_rx.clone(),
    );
    let ticker = match store.shared().cloned() {
        // Replicas: beside the clock, changes from the others and the leader election (`pg`).
        Some(shared) => tokio::spawn(async move {
            tokio::join!(clock, pg::run(shared, world, newest_change, stop_rx));
        }),
        None => tokio::spawn(clock),
    };
    let scheme = if tls_on { "https" } else { "http" };
    tracing::info!("backend listening on {scheme}://{addr}");
    Ok(RunningBackend {
        addr,
        state,
        tls: tls_on,
        stop,
        server,
        ticker,
    })
}
