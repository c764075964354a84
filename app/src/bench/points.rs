//! `tianshu bench --export-points FILE`: every plant's position as the simulator places it (same
//! seed, same plants), for drawing the same points in another program (scripts/peer-compare.sh).

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;

use crate::api::FactoryQuery;
use crate::backend::{self, BackendConfig};
use crate::cli::BenchArgs;
use crate::client::ApiClient;

/// The file written: parallel arrays, one entry per plant.
#[derive(Debug, serde::Serialize)]
struct ExportedPoints {
    seed: u64,
    count: usize,
    lon: Vec<f32>,
    lat: Vec<f32>,
    /// Upgrade stage index (0..): the colour class of a point.
    stage: Vec<u8>,
}

pub(super) fn export(args: &BenchArgs, path: &Path) -> anyhow::Result<()> {
    let runtime = super::runtime()?;
    let config = BackendConfig {
        sim: crate::console::sim_config(&args.sim)?,
        speed: args.sim.speed,
        // No step is needed: the plants' positions are fixed by the seed.
        tick: Duration::from_secs(3600),
        ..BackendConfig::default()
    };
    let points = runtime.block_on(async {
        let backend = backend::start(config).await?;
        let api = ApiClient::new(&backend.base_url(), None)?;
        let points = api.factory_points(&FactoryQuery::default()).await;
        backend.shutdown().await;
        anyhow::Ok(points?)
    })?;
    let out = ExportedPoints {
        seed: args.sim.seed,
        count: points.lon.len(),
        lon: points.lon,
        lat: points.lat,
        stage: points.stage,
    };
    let json = serde_json::to_string(&out)?;
    std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {} plants to {}", out.count, path.display());
    Ok(())
}
