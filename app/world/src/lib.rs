//! Reads an operator's inventory from a world directory (issue 16) into
//! [`tianshu_api::inventory::Inventory`], checking every field.
//!
//! A world directory holds up to three independent parts, each optional; a part left out is the
//! simulator's:
//!
//! - compute: `hubs.geojson` and `clusters.geojson` together, and `links.geojson` if any;
//! - metros: `metros.csv` or `metros.geojson`, and `sites.csv` or `sites.geojson` if any;
//! - enterprises: `enterprises.csv`.
//!
//! Loading is all or nothing: the first error found refuses the whole directory, with the file,
//! line, column and field to fix ([`LoadError`]). Other files in the directory are ignored.
//! `examples/world/README.md` documents every file's fields.

mod compute;
mod enterprises;
mod error;
mod fields;
mod geojson;
mod metros;
mod table;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
mod tests;

use std::collections::HashSet;
use std::path::Path;

use tianshu_api::inventory::{ComputeInventory, Inventory, MetroDef};

pub use error::LoadError;

use compute::{CLUSTERS, HUBS, LINKS};
use enterprises::ENTERPRISES;
use metros::{METROS_CSV, METROS_GEOJSON, SITES_CSV, SITES_GEOJSON};

/// The file names `load` reads (for a directory watcher to filter on).
pub const FILES: &[&str] = &[
    HUBS,
    CLUSTERS,
    LINKS,
    METROS_CSV,
    METROS_GEOJSON,
    SITES_CSV,
    SITES_GEOJSON,
    ENTERPRISES,
];

/// What a directory held: the inventory, and which files it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub inventory: Inventory,
    /// The files read, in the order of [`FILES`].
    pub files: Vec<LoadedFile>,
}

/// One file read and how many records (features or rows) it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedFile {
    /// The file's name in the directory.
    pub name: String,
    pub records: usize,
}

/// Reads the world directory `dir`. A directory with none of [`FILES`] gives an inventory with
/// every part `None`; a directory that cannot be read is an error about `dir` itself.
pub fn load(dir: &Path) -> Result<Loaded, LoadError> {
    let world = World::open(dir)?;
    let mut files = Vec::new();
    let compute = read_compute(&world, &mut files)?;
    let metros = read_metros(&world, &mut files)?;
    let enterprises = match world.read(ENTERPRISES)? {
        Some(text) => {
            let list = enterprises::read(&text)?;
            files.push(LoadedFile::new(ENTERPRISES, list.len()));
            Some(list)
        }
        None => None,
    };
    Ok(Loaded {
        inventory: Inventory {
            compute,
            metros,
            enterprises,
        },
        files,
    })
}

impl LoadedFile {
    fn new(name: &str, records: usize) -> Self {
        Self {
            name: name.to_owned(),
            records,
        }
    }
}

/// The compute part, when `hubs.geojson` and `clusters.geojson` are given.
fn read_compute(
    world: &World<'_>,
    files: &mut Vec<LoadedFile>,
) -> Result<Option<ComputeInventory>, LoadError> {
    let (hubs, clusters, links) = (world.read(HUBS)?, world.read(CLUSTERS)?, world.read(LINKS)?);
    let (hubs, clusters) = match (hubs, clusters) {
        (None, None) if links.is_none() => return Ok(None),
        (Some(hubs), Some(clusters)) => (hubs, clusters),
        (hubs, clusters) => {
            let missing = if hubs.is_none() { HUBS } else { CLUSTERS };
            let given = match (&hubs, &clusters) {
                (Some(_), _) => HUBS,
                (_, Some(_)) => CLUSTERS,
                _ => LINKS,
            };
            let reason = format!(
                "missing: the compute part needs both {HUBS} and {CLUSTERS} ({given} is given)"
            );
            return Err(LoadError::file(missing, reason));
        }
    };
    let compute = compute::read(&hubs, &clusters, links.as_deref())?;
    files.push(LoadedFile::new(HUBS, compute.hubs.len()));
    files.push(LoadedFile::new(CLUSTERS, compute.clusters.len()));
    if links.is_some() {
        files.push(LoadedFile::new(LINKS, compute.links.len()));
    }
    Ok(Some(compute))
}

/// The metro part, when `metros.csv` or `metros.geojson` is given, with its sites.
fn read_metros(
    world: &World<'_>,
    files: &mut Vec<LoadedFile>,
) -> Result<Option<Vec<MetroDef>>, LoadError> {
    let either = |csv: &'static str, json: &'static str| -> Result<_, LoadError> {
        match (world.read(csv)?, world.read(json)?) {
            (Some(_), Some(_)) => {
                let reason = format!("{json} is given too; keep one of the two");
                Err(LoadError::file(csv, reason))
            }
            (Some(text), None) => Ok(Some((csv, text))),
            (None, Some(text)) => Ok(Some((json, text))),
            (None, None) => Ok(None),
        }
    };
    let metros_file = either(METROS_CSV, METROS_GEOJSON)?;
    let sites_file = either(SITES_CSV, SITES_GEOJSON)?;
    let Some((name, text)) = metros_file else {
        return match sites_file {
            Some((sites, _)) => Err(LoadError::file(
                sites,
                format!("sites need their metros: {METROS_CSV} or {METROS_GEOJSON} is missing"),
            )),
            None => Ok(None),
        };
    };
    let mut metros = match name {
        METROS_CSV => metros::metros_from_csv(&text)?,
        _ => metros::metros_from_geojson(&text)?,
    };
    files.push(LoadedFile::new(name, metros.defs.len()));
    if let Some((sites, text)) = sites_file {
        let count = match sites {
            SITES_CSV => metros::sites_from_csv(&text, &mut metros)?,
            _ => metros::sites_from_geojson(&text, &mut metros)?,
        };
        files.push(LoadedFile::new(sites, count));
    }
    Ok(Some(metros.defs))
}

/// A world directory: which of [`FILES`] it holds.
struct World<'a> {
    dir: &'a Path,
    present: HashSet<String>,
}

impl<'a> World<'a> {
    fn open(dir: &'a Path) -> Result<Self, LoadError> {
        let unreadable =
            |e: std::io::Error| LoadError::file(&dir.display().to_string(), e.to_string());
        let mut present = HashSet::new();
        for entry in std::fs::read_dir(dir).map_err(unreadable)? {
            let name = entry.map_err(unreadable)?.file_name();
            if let Some(name) = name.to_str().filter(|n| FILES.contains(n)) {
                present.insert(name.to_owned());
            }
        }
        Ok(Self { dir, present })
    }

    /// The text of `name`, or `None` when the directory does not hold it.
    fn read(&self, name: &str) -> Result<Option<String>, LoadError> {
        if !self.present.contains(name) {
            return Ok(None);
        }
        std::fs::read_to_string(self.dir.join(name))
            .map(Some)
            .map_err(|e| LoadError::file(name, format!("cannot be read: {e}")))
    }
}
