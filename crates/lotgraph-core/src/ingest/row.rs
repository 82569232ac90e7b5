//! The cells of one record as the row validators see them: a column's
//! text by name, required or optional, parsed or not, and the `Bad` a
//! rejected cell becomes. Knows nothing of files or of other rows.

use super::RejectKind;
use super::parse::{self, Invalid};
use crate::model::FileKind;
use csv::StringRecord;

/// A rejected cell: which column, and what is wrong with it.
pub(super) struct Bad {
    pub(super) column: &'static str,
    pub(super) kind: RejectKind,
    pub(super) problem: String,
}

pub(super) fn bad(column: &'static str, kind: RejectKind, problem: impl Into<String>) -> Bad {
    Bad {
        column,
        kind,
        problem: problem.into(),
    }
}

/// The `Bad` of a cell of `column` that did not parse.
fn invalid(column: &'static str, e: Invalid) -> Bad {
    bad(column, e.kind, e.problem)
}

/// One record plus where each format column sits in it.
pub(super) struct Row<'a> {
    pub(super) kind: FileKind,
    pub(super) rec: &'a StringRecord,
    /// Position of each of `kind.columns()` in the record, if present.
    pub(super) pos: &'a [Option<usize>],
}

impl<'a> Row<'a> {
    /// The cell without surrounding spaces and tabs (`"A "` in a CSV is
    /// the id `A`), `None` when the column is absent or the cell blank.
    /// Other characters, line breaks inside quoted ids included, are kept.
    pub(super) fn text(&self, col: &'static str) -> Option<&'a str> {
        let i = self.kind.columns().iter().position(|c| *c == col)?;
        let s = self.rec.get(self.pos[i]?)?;
        if s.trim().is_empty() {
            None
        } else {
            Some(s.trim_matches(|c| c == ' ' || c == '\t'))
        }
    }

    pub(super) fn required(&self, col: &'static str) -> Result<&'a str, Bad> {
        self.text(col)
            .ok_or_else(|| bad(col, RejectKind::MissingValue, "is required but empty"))
    }

    pub(super) fn req_with<T>(
        &self,
        col: &'static str,
        f: impl Fn(&str) -> Result<T, Invalid>,
    ) -> Result<T, Bad> {
        f(self.required(col)?).map_err(|e| invalid(col, e))
    }

    pub(super) fn opt_with<T>(
        &self,
        col: &'static str,
        f: impl Fn(&str) -> Result<T, Invalid>,
    ) -> Result<Option<T>, Bad> {
        self.text(col)
            .map(|s| f(s).map_err(|e| invalid(col, e)))
            .transpose()
    }

    pub(super) fn opt_string(&self, col: &'static str) -> Option<String> {
        self.text(col).map(str::to_string)
    }
}

pub(super) fn enum_of<E>(
    parse: fn(&str) -> Option<E>,
    choices: fn() -> String,
) -> impl Fn(&str) -> Result<E, Invalid> {
    move |s| parse::one_of(s, parse, choices)
}
