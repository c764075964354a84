//! Tests of the reader: the example directory, and fixture directories for every error, each in
//! a temporary directory of its own.

mod compute;
mod directory;
mod enterprises;
mod example;
mod metros;
mod positions;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{LoadError, Loaded, load};

/// A world directory under the system's temporary directory, removed when dropped.
pub(super) struct Fixture {
    pub dir: PathBuf,
}

impl Fixture {
    /// A new directory holding `files` (name, text).
    pub fn new(files: &[(&str, &str)]) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("tianshu-world-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Self { dir }
    }

    pub fn load(&self) -> Result<Loaded, LoadError> {
        load(&self.dir)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Loads `files`, which must fail, and answers the error.
pub(super) fn error(files: &[(&str, &str)]) -> LoadError {
    match Fixture::new(files).load() {
        Ok(loaded) => panic!("expected an error, loaded {:?}", loaded.files),
        Err(e) => e,
    }
}

/// Asserts `e` is at `file:line:column` about `field`.
#[track_caller]
pub(super) fn assert_at(e: &LoadError, file: &str, line: u64, column: u64, field: Option<&str>) {
    let got = (e.file.as_str(), e.line, e.column, e.field.as_deref());
    assert_eq!(got, (file, line, column, field), "{e}");
}

/// A FeatureCollection with one feature per line: the `i`th (0-based) starts at line `i + 2`,
/// column 3.
pub(super) fn collection(features: &[String]) -> String {
    let mut text = String::from("{\"type\": \"FeatureCollection\", \"features\": [\n");
    for (i, feature) in features.iter().enumerate() {
        text.push_str("  ");
        text.push_str(feature);
        if i + 1 < features.len() {
            text.push(',');
        }
        text.push('\n');
    }
    text.push_str("]}\n");
    text
}

/// A feature with `properties` (JSON object members) and `geometry` (JSON).
pub(super) fn feature(properties: &str, geometry: &str) -> String {
    format!(r#"{{"type": "Feature", "properties": {{{properties}}}, "geometry": {geometry}}}"#)
}

/// A Point geometry.
pub(super) fn point(lon: f64, lat: f64) -> String {
    format!(r#"{{"type": "Point", "coordinates": [{lon}, {lat}]}}"#)
}
