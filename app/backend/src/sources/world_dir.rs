//! The world directory (`serve --world DIR`): loaded at start (a bad directory stops `serve`
//! with file:line:column), then watched; a change is loaded off the lock and swapped in whole,
//! or refused with its reason while the world in service stays.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::Watcher as _;
use tokio::sync::{mpsc, watch};

use super::InventoryParts;
use crate::api::RefusedChange;
use crate::http::now_ms;
use crate::sim::{SimConfig, SimError, Simulator};
use crate::world::World;

/// Changes closer together than this are read once (editors write in several steps).
const SETTLE: Duration = Duration::from_millis(400);

/// A world directory read and its simulator built around it.
pub struct LoadedWorld {
    pub sim: Simulator,
    pub parts: InventoryParts,
    /// Records read in all (features and rows).
    pub records: u64,
}

/// Why a world directory cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum WorldDirError {
    #[error("world directory: {0}")]
    Load(#[from] tianshu_world::LoadError),
    #[error("world directory: {0}")]
    Sim(#[from] SimError),
}

impl WorldDirError {
    /// The refusal as `GET /api/v1/sources` reports it.
    pub fn refused(&self, at: crate::api::UnixMs) -> RefusedChange {
        match self {
            Self::Load(e) => RefusedChange {
                at,
                file: e.file.clone(),
                line: e.line,
                column: e.column,
                field: e.field.clone(),
                reason: e.reason.clone(),
            },
            Self::Sim(e) => RefusedChange {
                at,
                file: String::new(),
                line: 0,
                column: 0,
                field: None,
                reason: e.to_string(),
            },
        }
    }
}

/// Reads `dir` and builds the world around it (slow for big registries: call off the lock).
pub fn load(dir: &Path, config: SimConfig) -> Result<LoadedWorld, WorldDirError> {
    let loaded = tianshu_world::load(dir)?;
    let inv = &loaded.inventory;
    let parts = InventoryParts {
        compute: inv.compute.is_some(),
        metros: inv.metros.is_some(),
        enterprises: inv.enterprises.is_some(),
    };
    let records = loaded.files.iter().map(|f| f.records as u64).sum();
    let sim = Simulator::with_inventory(config, inv)?;
    Ok(LoadedWorld {
        sim,
        parts,
        records,
    })
}

/// Watches `dir` until `stop`; each settled change is loaded and swapped into `world` (at the
/// world's current simulated time) or refused.
pub fn watch(
    world: Arc<Mutex<World>>,
    dir: PathBuf,
    config: SimConfig,
    mut stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, notify::Error> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let relevant = match &res {
            Ok(event) => {
                !matches!(event.kind, notify::EventKind::Access(_))
                    && event.paths.iter().any(|p| is_world_file(p))
            }
            // A watch error: look again rather than miss a change.
            Err(_) => true,
        };
        if relevant {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(&dir, notify::RecursiveMode::NonRecursive)?;
    let location = dir.display().to_string();
    Ok(tokio::spawn(async move {
        // The watcher lives as long as this task.
        let _watcher = watcher;
        loop {
            let changed = tokio::select! {
                _ = stop.wait_for(|s| *s) => false,
                got = rx.recv() => got.is_some(),
            };
            if !changed {
                break;
            }
            // Let a burst of writes settle, then read once.
            while let Ok(Some(())) = tokio::time::timeout(SETTLE, rx.recv()).await {}
            reload(&world, &dir, config, &location).await;
        }
    }))
}

/// Loads `dir` off the lock and swaps it in, or records the refusal.
pub async fn reload(world: &Arc<Mutex<World>>, dir: &Path, config: SimConfig, location: &str) {
    let start = world
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .sim
        .sim_time();
    let config = SimConfig { start, ..config };
    let path = dir.to_path_buf();
    let loaded = tokio::task::spawn_blocking(move || load(&path, config)).await;
    let now = now_ms();
    let mut w = world.lock().unwrap_or_else(|p| p.into_inner());
    match loaded {
        Ok(Ok(mut new)) => {
            // The load took a while: the new world catches up with the simulated clock, which
            // never runs backwards.
            let behind_ms = w.sim.sim_time() - new.sim.sim_time();
            if behind_ms > 0 {
                let _ = new.sim.step(behind_ms as f64 / 1000.0);
            }
            tracing::info!(
                "world directory {location} reloaded ({} records)",
                new.records
            );
            w.replace_world(new.sim, new.parts, location, new.records, now);
        }
        Ok(Err(e)) => {
            tracing::warn!("world directory change refused, the world in service stays: {e}");
            w.refuse_world_change(e.refused(now), location, now);
        }
        Err(e) => tracing::error!("world directory reload failed: {e}"),
    }
}

fn is_world_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| tianshu_world::FILES.contains(&n))
}
