//! CSV files with a header row: columns found by name (any order, extra ones ignored), fields
//! trimmed, one record buffer reused for every row.

use csv::{ReaderBuilder, StringRecord, Trim};

use crate::error::{LoadError, Pos};
use crate::fields::Reason;

/// A CSV file being read: its header and the reader over the rows.
pub(crate) struct Table<'a> {
    pub header: Header,
    reader: csv::Reader<&'a [u8]>,
}

/// A CSV file's name and header row.
pub(crate) struct Header {
    file: &'static str,
    names: StringRecord,
}

/// One column found in the header: its 0-based index and name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    index: usize,
    name: &'static str,
}

impl<'a> Table<'a> {
    /// Opens `file`'s `text` and reads its header row (required).
    pub fn open(file: &'static str, text: &'a str) -> Result<Self, LoadError> {
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            .trim(Trim::All)
            .from_reader(text.as_bytes());
        let names = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
        if names.iter().all(str::is_empty) {
            let reason = "a header row naming the columns is required";
            return Err(LoadError::at(file, Pos::new(1, 0), None, reason));
        }
        Ok(Self {
            header: Header { file, names },
            reader,
        })
    }

    /// Reads the next row into `record`; `false` at the end of the file.
    pub fn next(&mut self, record: &mut StringRecord) -> Result<bool, LoadError> {
        self.reader
            .read_record(record)
            .map_err(|e| csv_error(self.header.file, &e))
    }
}

impl Header {
    /// The column named `name`; `None` when the header has none.
    pub fn optional(&self, name: &'static str) -> Result<Option<Column>, LoadError> {
        let mut found = self.names.iter().enumerate().filter(|(_, n)| *n == name);
        let first = found.next().map(|(index, _)| Column { index, name });
        if let Some((second, _)) = found.next() {
            let pos = Pos::new(1, second as u64 + 1);
            return Err(LoadError::at(
                self.file,
                pos,
                Some(name),
                "the column appears twice",
            ));
        }
        Ok(first)
    }

    /// The column named `name`; its absence is an error at line 1.
    pub fn required(&self, name: &'static str) -> Result<Column, LoadError> {
        self.optional(name)?
            .ok_or_else(|| LoadError::at(self.file, Pos::new(1, 0), Some(name), "missing column"))
    }

    /// `record` (just read) as a row of this file.
    pub fn row<'r>(&'r self, record: &'r StringRecord) -> Row<'r> {
        let line = record.position().map_or(0, csv::Position::line);
        Row {
            file: self.file,
            record,
            line,
        }
    }
}

/// One row of a CSV file: its fields and line.
pub(crate) struct Row<'r> {
    file: &'static str,
    record: &'r StringRecord,
    pub line: u64,
}

impl Row<'_> {
    /// The (trimmed) text of `column`; empty when the column is absent.
    pub fn text(&self, column: Option<Column>) -> &str {
        column.and_then(|c| self.record.get(c.index)).unwrap_or("")
    }

    /// An error about `column` in this row.
    pub fn error(&self, column: Column, reason: impl Into<String>) -> LoadError {
        let pos = Pos::new(self.line, column.index as u64 + 1);
        LoadError::at(self.file, pos, Some(column.name), reason)
    }

    /// The text of `column` checked by `check`.
    pub fn parse<T>(
        &self,
        column: Column,
        check: impl FnOnce(&str) -> Result<T, Reason>,
    ) -> Result<T, LoadError> {
        check(self.text(Some(column))).map_err(|reason| self.error(column, reason))
    }
}

/// A reader error (a row of the wrong length, text that is not UTF-8) at its line.
fn csv_error(file: &str, e: &csv::Error) -> LoadError {
    let line = e.position().map_or(0, csv::Position::line);
    let reason = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the row has {len} fields; the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
        _ => e.to_string(),
    };
    LoadError::at(file, Pos::new(line, 0), None, reason)
}
