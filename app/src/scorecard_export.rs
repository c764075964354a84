//! The regulator's scorecard as a document (CSV, PNG or PDF) for the client to write off the UI
//! thread, into the user's downloads (or data) folder, never over an existing file.

use std::path::{Path, PathBuf};

use crate::api::review::{self, ProvinceRow, Row};
use crate::api::{Lang, UnixMs};
use crate::client::document_export::{self, Document};
use crate::scorecard_doc::{self, Format};

/// What the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScorecardFile {
    /// One row per target.
    Csv,
    /// The drawn scorecard with the provinces.
    Document(Format),
}

impl ScorecardFile {
    pub fn extension(self) -> &'static str {
        match self {
            ScorecardFile::Csv => "csv",
            ScorecardFile::Document(f) => f.extension(),
        }
    }
}

/// Everything the export needs, taken from the view when the button was pressed.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardExport {
    pub file: ScorecardFile,
    pub rows: Vec<Row>,
    pub provinces: Vec<ProvinceRow>,
    pub provinces_own_history: bool,
    pub lang: Lang,
    pub as_of: UnixMs,
    pub simulated: bool,
    /// What is still simulated, in the export's language (empty: all or nothing).
    pub simulated_parts: String,
}

/// The bytes of the export.
fn contents(job: &ScorecardExport) -> Result<Vec<u8>, String> {
    match job.file {
        ScorecardFile::Csv => {
            let mut out = Vec::new();
            review::write_csv(&job.rows, job.lang, job.as_of, job.simulated, &mut out)
                .map_err(|e| e.to_string())?;
            Ok(out)
        }
        ScorecardFile::Document(format) => scorecard_doc::render(
            &scorecard_doc::Scorecard {
                rows: &job.rows,
                provinces: &job.provinces,
                provinces_own_history: job.provinces_own_history,
                lang: job.lang,
                as_of: job.as_of,
                simulated: job.simulated,
                simulated_parts: &job.simulated_parts,
            },
            format,
        )
        .map_err(|e| e.to_string()),
    }
}

impl ScorecardExport {
    fn day(&self) -> String {
        review::day_of(self.as_of)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }
}

impl Document for ScorecardExport {
    fn file_stem(&self) -> String {
        format!("tianshu-scorecard-{}", self.day())
    }

    fn extension(&self) -> &'static str {
        self.file.extension()
    }

    fn render(&self) -> Result<Vec<u8>, String> {
        contents(self)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Draws and writes the scorecard into `dir` (the downloads or data folder when `None`).
pub fn write(job: &ScorecardExport, dir: Option<&Path>) -> Result<PathBuf, String> {
    document_export::write(job, dir)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    /// A fresh, empty folder of this test's own.
    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "tianshu-scorecard-export-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn job(file: ScorecardFile) -> ScorecardExport {
        ScorecardExport {
            file,
            rows: Vec::new(),
            provinces: Vec::new(),
            provinces_own_history: true,
            lang: Lang::En,
            as_of: 1_793_491_200_000,
            simulated: true,
            simulated_parts: String::new(),
        }
    }

    #[test]
    fn a_second_export_of_the_same_day_gets_a_new_name() {
        let dir = folder("twice");
        let first = write(&job(ScorecardFile::Csv), Some(&dir)).unwrap();
        let second = write(&job(ScorecardFile::Csv), Some(&dir)).unwrap();
        assert_eq!(
            first.file_name().unwrap().to_str().unwrap(),
            "tianshu-scorecard-2026-11-01.csv"
        );
        assert_eq!(
            second.file_name().unwrap().to_str().unwrap(),
            "tianshu-scorecard-2026-11-01-2.csv"
        );
        let text = std::fs::read_to_string(&first).unwrap();
        assert!(text.starts_with("id,"), "{text}");
    }

    #[test]
    fn documents_are_drawn_and_a_missing_folder_is_made() {
        let nested = folder("nested").join("reports");
        let pdf = write(&job(ScorecardFile::Document(Format::Pdf)), Some(&nested)).unwrap();
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn an_unwritable_folder_is_a_message() {
        let file = folder("file").join("not-a-folder");
        std::fs::write(&file, b"x").unwrap();
        let err = write(&job(ScorecardFile::Csv), Some(&file)).unwrap_err();
        assert!(err.contains("not-a-folder"), "{err}");
    }
}
