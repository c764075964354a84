//! The sources of figures (issue 16): the simulator, a world directory, pushes, and their health.
//!
//! `SourceBook` keeps each source's status as `GET /api/v1/sources` reports it and says what is
//! still simulated; `telemetry` holds the measured figures laid over the simulator's;
//! `ingest` checks and applies pushed batches; `prometheus` polls Prometheus queries per metric
//! (`sources.toml`); `world_dir` loads and watches an inventory directory. Everything here changes under the world lock and publishes `SourcesChanged`.

pub mod ingest;
pub mod prometheus;
pub mod telemetry;
pub mod world_dir;

use std::time::Duration;

use crate::api::{SourceHealth, SourceKind, SourceStatus, UnixMs};

use self::telemetry::{EntityKind, Metric, Telemetry};

/// The simulator's source id.
pub const SIMULATOR: &str = "simulator";
/// The world directory's source id.
pub const WORLD: &str = "world";
/// A push source whose last batch is older than this is stale (its figures greyed).
pub const DEFAULT_PUSH_STALE_AFTER: Duration = Duration::from_secs(300);

/// Which inventory parts a world directory provides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InventoryParts {
    pub compute: bool,
    pub metros: bool,
    pub enterprises: bool,
}

impl InventoryParts {
    pub fn names(self) -> Vec<String> {
        let mut out = Vec::new();
        for (on, name) in [
            (self.compute, "compute"),
            (self.metros, "metros"),
            (self.enterprises, "enterprises"),
        ] {
            if on {
                out.push(name.to_owned());
            }
        }
        out
    }
}

/// Every source's status, in a stable order: the simulator first.
#[derive(Debug)]
pub struct SourceBook {
    sources: Vec<SourceStatus>,
    /// What the world directory currently provides.
    pub inventory: InventoryParts,
    pub push_stale_after: Duration,
}

impl SourceBook {
    /// Only the simulator, providing everything.
    pub fn new(seed: u64) -> Self {
        Self {
            sources: vec![SourceStatus::new(
                SIMULATOR,
                SourceKind::Simulator,
                format!("built-in model, seed {seed}"),
                SourceHealth::Ok,
            )],
            inventory: InventoryParts::default(),
            push_stale_after: DEFAULT_PUSH_STALE_AFTER,
        }
    }

    pub fn all(&self) -> &[SourceStatus] {
        &self.sources
    }

    pub fn get(&self, id: &str) -> Option<&SourceStatus> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut SourceStatus> {
        self.sources.iter_mut().find(|s| s.id == id)
    }

    /// The status of `id`, made with `make` the first time.
    pub fn entry(&mut self, id: &str, make: impl FnOnce() -> SourceStatus) -> &mut SourceStatus {
        let i = match self.sources.iter().position(|s| s.id == id) {
            Some(i) => i,
            None => {
                self.sources.push(make());
                self.sources.len() - 1
            }
        };
        &mut self.sources[i]
    }

    /// True when `source`'s figures are stale.
    pub fn is_stale(&self, source: &str) -> bool {
        self.get(source)
            .is_some_and(|s| s.health == SourceHealth::Stale)
    }

    /// Push sources silent for longer than `push_stale_after` go stale. Returns whether any
    /// status changed.
    pub fn age_pushes(&mut self, now: UnixMs) -> bool {
        let limit = i64::try_from(self.push_stale_after.as_millis()).unwrap_or(i64::MAX);
        let mut changed = false;
        for s in &mut self.sources {
            if s.kind != SourceKind::Push || s.health != SourceHealth::Ok {
                continue;
            }
            if let Some(last) = s.last_ok
                && now.saturating_sub(last) > limit
            {
                s.health = SourceHealth::Stale;
                s.stale_since = Some(last.saturating_add(limit));
                s.last_error = Some(format!(
                    "no batch for {} s",
                    self.push_stale_after.as_secs()
                ));
                changed = true;
            }
        }
        changed
    }

    /// What is still the simulator's: inventory parts no file gives, and metrics not measured
    /// for every entity. `counts` gives the number of entities of each kind;
    /// `latency_measured`: metro latency comes from the Prometheus latency source.
    pub fn simulated_parts(
        &self,
        telemetry: &Telemetry,
        counts: impl Fn(EntityKind) -> usize,
        latency_measured: bool,
    ) -> Vec<String> {
        // The simulator's agents always run: their proposals are simulated.
        let mut out = vec!["agents".to_owned()];
        let inv = self.inventory;
        for (given, name) in [
            (inv.compute, "compute"),
            (inv.metros, "metros"),
            (inv.enterprises, "enterprises"),
        ] {
            if !given {
                out.push(name.to_owned());
            }
        }
        for metric in Metric::ALL {
            if latency_measured && metric.kind() == EntityKind::Metro {
                continue;
            }
            let n = counts(metric.kind());
            if n > 0 && telemetry.count(metric) < n {
                out.push(metric.qualified());
            }
        }
        out
    }

    /// Refreshes the simulator's `provides` from `simulated`.
    pub fn set_simulated(&mut self, simulated: &[String]) {
        if let Some(sim) = self.sources.iter_mut().find(|s| s.id == SIMULATOR) {
            sim.provides = simulated.to_vec();
        }
    }
}

/// The sources' health for `/metrics`: one `tianshu_source_up` (1 live, 0 stale or pending) and
/// one `tianshu_source_stale_seconds` per source.
pub fn metrics_text(sources: &[SourceStatus], now: UnixMs) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    out.push_str("# HELP tianshu_source_up 1 while a source of figures is live, 0 while stale or not yet read.\n");
    out.push_str("# TYPE tianshu_source_up gauge\n");
    let label = |s: &SourceStatus| s.id.replace(['\\', '"', '\n'], "_");
    for s in sources {
        let _ = writeln!(
            out,
            "tianshu_source_up{{source=\"{}\",kind=\"{}\"}} {}",
            label(s),
            kind_name(s.kind),
            u8::from(s.health == SourceHealth::Ok)
        );
    }
    out.push_str("# HELP tianshu_source_stale_seconds How long a source's figures have been stale (0 while live).\n");
    out.push_str("# TYPE tianshu_source_stale_seconds gauge\n");
    for s in sources {
        let stale = s
            .stale_since
            .map_or(0.0, |t| (now.saturating_sub(t)).max(0) as f64 / 1000.0);
        let _ = writeln!(
            out,
            "tianshu_source_stale_seconds{{source=\"{}\"}} {stale}",
            label(s)
        );
    }
    out
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Simulator => "simulator",
        SourceKind::World => "world",
        SourceKind::Prometheus => "prometheus",
        SourceKind::Push => "push",
        SourceKind::Unknown => "unknown",
    }
}
