//! Writing a document the console drew (a report as CSV, PNG or PDF) off the UI thread, into the
//! user's downloads (or data) folder, never over an existing file.
//!
//! The client knows nothing of what the document says: the console hands it a [`Document`] that
//! renders its own bytes, and this module only picks a free name and writes them.

use std::any::Any;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files tried before giving up on a free name (`…-2.csv` … `…-99.csv`).
const MAX_NAMES: u32 = 99;

/// Something the console wants written as a file.
pub trait Document: Send + std::fmt::Debug + 'static {
    /// The name before the extension, e.g. `tianshu-scorecard-2026-11-01`.
    fn file_stem(&self) -> String;
    /// `csv`, `png`, `pdf`, …
    fn extension(&self) -> &'static str;
    /// The bytes of the file (may take a while: it runs on a blocking thread).
    fn render(&self) -> Result<Vec<u8>, String>;
    /// For tests that look at what was asked for.
    fn as_any(&self) -> &dyn Any;
}

/// A document on its way to the client: commands are cloned and compared (tests, retries), a
/// document is neither, so two jobs are equal only when they are the same document.
#[derive(Debug, Clone)]
pub struct DocumentJob(pub Arc<dyn Document + Sync>);

impl DocumentJob {
    pub fn new(doc: impl Document + Sync) -> Self {
        Self(Arc::new(doc))
    }
}

impl PartialEq for DocumentJob {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for DocumentJob {
    type Target = dyn Document + Sync;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}

/// Writes `bytes` to `dir/stem.ext`, or `stem-2.ext`, `stem-3.ext`… — the first name that is
/// free (created exclusively, so a file that appears meanwhile is not overwritten either).
pub fn write_new(dir: &Path, stem: &str, extension: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for n in 1..=MAX_NAMES {
        let name = if n == 1 {
            format!("{stem}.{extension}")
        } else {
            format!("{stem}-{n}.{extension}")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                return file
                    .write_all(bytes)
                    .and_then(|()| file.sync_all())
                    .map(|()| path.clone())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot write {}: {e}", path.display())),
        }
    }
    Err(format!(
        "{}: {MAX_NAMES} files of that name are already there",
        dir.join(format!("{stem}.{extension}")).display()
    ))
}

/// Renders and writes `doc` into `dir` (the downloads or data folder when `None`).
pub fn write(doc: &dyn Document, dir: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => crate::audit_csv::export_dir()
            .ok_or_else(|| "no downloads or data folder to write into".to_owned())?,
    };
    let bytes = doc.render()?;
    write_new(&dir, &doc.file_stem(), doc.extension(), &bytes)
}

/// [`write`] on a blocking thread.
pub async fn export(doc: Arc<dyn Document + Sync>) -> Result<PathBuf, String> {
    match tokio::task::spawn_blocking(move || write(doc.as_ref(), None)).await {
        Ok(done) => done,
        Err(e) => Err(format!("the export stopped: {e}")),
    }
}
