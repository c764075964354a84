//! The one error of a load: which file, where in it, which field, and why.

use std::fmt;

/// Why a world directory was refused, with the place to fix.
///
/// `line` and `column` are 1-based. `line` 0 means the whole file (a missing companion file, an
/// unreadable file); `column` 0 means the whole line (a missing CSV column, a row of the wrong
/// length). `field` names the property or column at fault, or `geometry`.
///
/// Shown as `hubs.geojson:12:5: field `name_zh`: must not be empty`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct LoadError {
    /// The file's name in the directory (the directory's path when it cannot be read).
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub field: Option<String>,
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.reason)
    }
}

impl LoadError {
    /// An error about the whole of `file`.
    pub(crate) fn file(file: &str, reason: impl Into<String>) -> Self {
        Self::at(file, Pos::default(), None, reason)
    }

    /// An error at `pos` in `file`, about `field` when given.
    pub(crate) fn at(file: &str, pos: Pos, field: Option<&str>, reason: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: pos.line,
            column: pos.column,
            field: field.map(str::to_owned),
            reason: reason.into(),
        }
    }
}

/// A place in a file: 1-based line and column (0: not known, see [`LoadError`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    pub fn new(line: u64, column: u64) -> Self {
        Self { line, column }
    }
}

/// Turns byte offsets of one text into positions, reading the text once when the offsets come
/// in increasing order (a large FeatureCollection on one line stays linear).
pub(crate) struct Locator<'a> {
    text: &'a str,
    /// The offset last located, and its line and column.
    offset: usize,
    line: u64,
    column: u64,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    /// The position of byte `offset` (a character boundary).
    pub fn pos(&mut self, offset: usize) -> Pos {
        if offset < self.offset {
            *self = Self::new(self.text);
        }
        let between = self.text.get(self.offset..offset).unwrap_or("");
        match between.rfind('\n') {
            Some(last) => {
                self.line += between.bytes().filter(|&b| b == b'\n').count() as u64;
                self.column = between[last + 1..].chars().count() as u64 + 1;
            }
            None => self.column += between.chars().count() as u64,
        }
        self.offset = offset;
        Pos::new(self.line, self.column)
    }
}
