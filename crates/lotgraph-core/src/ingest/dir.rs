//! Finding and opening the files of a dataset directory: one file per
//! kind of the record format, by the opener's extensions, refusing a
//! directory without lots or with two files for one table, and warning
//! about files the format does not know.

use super::load::Ingester;
use super::{FileProblem, FileReport, IngestError, IngestOptions, Ingested, OpenSource, Warning};
use crate::model::FileKind;
use std::path::{Path, PathBuf};

/// `ingest_dir_with` under the default options.
pub fn ingest_dir(dir: &Path, opener: &dyn OpenSource) -> Result<Ingested, IngestError> {
    ingest_dir_with(dir, opener, &IngestOptions::default())
}

/// Reads, validates and interns every file of the dataset in `dir`.
///
/// Errors when a file cannot be read, a required column is missing, there
/// is no lots file, a file breaks `opts.limits` as a whole, or the genealogy
/// has a cycle. An empty optional file is a table without rows and a
/// warning. Row-level problems are not errors: they become `Reject`s. Runs
/// in O(rows) expected time.
pub fn ingest_dir_with(
    dir: &Path,
    opener: &dyn OpenSource,
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IngestError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = Vec::new();
    for e in entries {
        let e = e.map_err(|source| IngestError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        names.push(e.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    let mut files: Vec<(FileKind, PathBuf)> = Vec::new();
    let mut ing = Ingester {
        limits: opts.limits,
        ..Ingester::default()
    };
    for kind in FileKind::ALL {
        let found: Vec<&String> = opener
            .extensions()
            .iter()
            .filter_map(|ext| {
                let want = format!("{}.{ext}", kind.stem());
                names.iter().find(|n| **n == want)
            })
            .collect();
        match found.as_slice() {
            [] if kind == FileKind::Lots => {
                return Err(IngestError::MissingLots {
                    dir: dir.to_path_buf(),
                });
            }
            [] => {}
            [one] => files.push((kind, dir.join(one))),
            [a, b, ..] => {
                return Err(IngestError::Ambiguous {
                    dir: dir.to_path_buf(),
                    a: (*a).clone(),
                    b: (*b).clone(),
                });
            }
        }
    }
    for n in &names {
        let Some((stem, ext)) = n.rsplit_once('.') else {
            continue;
        };
        if opener.extensions().contains(&ext) && !FileKind::ALL.iter().any(|k| k.stem() == stem) {
            ing.warnings.push(Warning::IgnoredFile { file: n.clone() });
        }
    }
    for (kind, _) in &files {
        ing.present[*kind as usize] = true;
    }
    for (kind, path) in &files {
        let mut src = match opener.open(path) {
            Err(IngestError::File(FileProblem::NoHeader { file, why }))
                if *kind != FileKind::Lots =>
            {
                ing.reports.push(FileReport::empty(*kind, file.clone()));
                ing.warnings.push(Warning::NoRows { file, why });
                continue;
            }
            opened => opened?,
        };
        src.set_limits(&opts.limits);
        ing.load(*kind, src.as_mut())?;
    }
    ing.finish()
}
