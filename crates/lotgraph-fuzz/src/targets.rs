//! The three fuzz targets, each a [`Target`] that runs one input through
//! lotgraph's library in process:
//!
//! - `csv`: the input's first byte picks a file of the record format
//!   (`lots`, `consumptions`, ...), the rest is that file's bytes; it is
//!   written into a copy of the `toy` fixture and the whole directory
//!   goes through `ingest_dir` with the CLI's opener (`CsvOrParquet`).
//! - `parquet`: the same with the file written as `<stem>.parquet`.
//! - `snapshot`: the toy fixture is ingested once (by `lotgraph ingest`'s
//!   own code); the input's first byte picks `snapshot.lgs`,
//!   `manifest.json` or `CURRENT`, the rest replaces that file, and the
//!   query commands run on the workspace (`lotgraph::run`, output to a
//!   file), as `lotgraph trace ...` would.
//!
//! The signature a target returns for an input is its outcome with the
//! values taken out (digits and quoted text), so that the runner keeps
//! inputs that reach a new kind of outcome.

use crate::seeds;
use clap::Parser;
use lotgraph::ingest::CsvOrParquet;
use std::path::{Path, PathBuf};

/// One fuzz target.
pub trait Target {
    fn name(&self) -> &'static str;
    /// The seed corpus.
    fn seeds(&self) -> Vec<Vec<u8>>;
    /// Whether the CSV-aware mutators apply.
    fn textual(&self) -> bool {
        false
    }
    /// Runs one input; any `Err` of the library is a fine outcome. Returns
    /// the outcome's signature. A panic escapes to the runner.
    fn exec(&mut self, input: &[u8]) -> String;
    /// After `input` panicked: `Some(reason)` when the panic is a
    /// documented outcome rather than a bug (see the snapshot target).
    fn expected_panic(&mut self, _input: &[u8]) -> Option<String> {
        None
    }
}

/// The base names of the record format's files, in the order of the
/// selector byte.
pub const STEMS: &[&str] = &[
    "lots",
    "consumptions",
    "shipments",
    "products",
    "suppliers",
    "sites",
    "customers",
    "returns",
    "inspections",
];

/// Takes values out of a message: quoted text becomes `"…"`, a run of
/// digits `#`, and so does a word of 8 or more hex digits (dataset ids).
pub fn shape(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(200));
    for (i, part) in msg.split('"').enumerate() {
        if i % 2 == 1 {
            out.push_str("\"…\"");
        } else {
            let mut word = String::new();
            for c in part.chars().chain(std::iter::once(' ')) {
                if c.is_ascii_alphanumeric() {
                    word.push(c);
                    continue;
                }
                push_word(&mut out, &word);
                word.clear();
                out.push(c);
            }
            out.pop();
        }
        if out.len() > 200 {
            break;
        }
    }
    out
}

/// A word of a message, its value taken out.
fn push_word(out: &mut String, word: &str) {
    if word.len() >= 8 && word.bytes().all(|b| b.is_ascii_hexdigit()) {
        out.push('#');
        return;
    }
    let mut last_digit = false;
    for c in word.chars() {
        let d = c.is_ascii_digit();
        if !(d && last_digit) {
            out.push(if d { '#' } else { c });
        }
        last_digit = d;
    }
}

/// The signature of an ingest: the error's shape, or the distinct shapes
/// of its rejects and warnings.
fn ingest_signature(
    r: Result<lotgraph_core::ingest::Ingested, lotgraph_core::ingest::IngestError>,
) -> String {
    match r {
        Err(e) => format!("err {}", shape(&e.to_string())),
        Ok(ing) => {
            let mut parts: Vec<String> = ing
                .rejects
                .iter()
                .map(|r| shape(&format!("{}: {}: {}", r.file, r.column, r.problem)))
                .chain(ing.warnings.iter().map(|w| shape(&w.to_string())))
                .collect();
            parts.sort();
            parts.dedup();
            parts.truncate(32);
            format!("ok {}", parts.join("|"))
        }
    }
}

/// `csv` and `parquet`: one dataset file replaced by the input.
pub struct IngestTarget {
    parquet: bool,
    /// One copy of the toy fixture per stem, without that stem's file.
    dirs: Vec<PathBuf>,
    _tmp: tempfile::TempDir,
}

impl IngestTarget {
    pub fn new(parquet: bool) -> anyhow::Result<Self> {
        let tmp = tempfile::tempdir()?;
        let toy = seeds::fixtures_dir().join("toy");
        let mut dirs = Vec::new();
        for stem in STEMS {
            let d = tmp.path().join(stem);
            std::fs::create_dir(&d)?;
            for other in STEMS.iter().filter(|s| *s != stem) {
                let src = toy.join(format!("{other}.csv"));
                if src.exists() {
                    std::fs::copy(&src, d.join(format!("{other}.csv")))?;
                }
            }
            dirs.push(d);
        }
        Ok(IngestTarget {
            parquet,
            dirs,
            _tmp: tmp,
        })
    }
}

/// The selector byte and the content of an input.
fn split(input: &[u8]) -> (usize, &[u8]) {
    match input.split_first() {
        Some((sel, rest)) => (*sel as usize, rest),
        None => (0, input),
    }
}

impl Target for IngestTarget {
    fn name(&self) -> &'static str {
        if self.parquet { "parquet" } else { "csv" }
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        if self.parquet {
            seeds::parquet_seeds()
        } else {
            seeds::csv_seeds()
        }
    }

    fn textual(&self) -> bool {
        !self.parquet
    }

    fn exec(&mut self, input: &[u8]) -> String {
        let (sel, content) = split(input);
        let k = sel % STEMS.len();
        let ext = if self.parquet { "parquet" } else { "csv" };
        let dir = &self.dirs[k];
        let path = dir.join(format!("{}.{ext}", STEMS[k]));
        if let Err(e) = std::fs::write(&path, content) {
            return format!("cannot write {}: {e}", path.display());
        }
        let sig = ingest_signature(lotgraph_core::ingest::ingest_dir(dir, &CsvOrParquet));
        format!("{} {sig}", STEMS[k])
    }
}

/// The files of a generation the snapshot target damages, in the order
/// of the selector byte.
const SNAPSHOT_FILES: &[&str] = &["snapshot.lgs", "manifest.json", "CURRENT"];

/// The commands run on each damaged workspace (lots of the toy fixture).
const QUERIES: &[&[&str]] = &[
    &["trace", "back", "R", "--format", "json"],
    &["trace", "forward", "A", "--locate", "--format", "json"],
    &["trace", "forward", "M"],
    &["lot", "show", "F1", "--format", "json"],
    &["check"],
    &["stats"],
    &["returns"],
    &["suppliers"],
    &["recall", "simulate", "--lot", "A"],
];

/// `snapshot`: one file of an ingested workspace replaced by the input.
pub struct SnapshotTarget {
    ws: PathBuf,
    out: PathBuf,
    /// Path and pristine bytes of each of `SNAPSHOT_FILES`.
    files: Vec<(PathBuf, Vec<u8>)>,
    /// The file the last input replaced.
    dirty: Option<usize>,
    _tmp: tempfile::TempDir,
}

/// Runs a lotgraph command line in process.
fn lotgraph(args: &[&str], ws: &Path, out: &Path) -> anyhow::Result<lotgraph::Status> {
    let mut argv: Vec<std::ffi::OsString> = vec!["lotgraph".into()];
    argv.extend(args.iter().map(std::convert::Into::into));
    argv.extend(["--workspace".into(), ws.as_os_str().to_owned()]);
    argv.extend(["--output".into(), out.as_os_str().to_owned()]);
    let cli = lotgraph::Cli::try_parse_from(argv)?;
    lotgraph::run(cli)
}

impl SnapshotTarget {
    pub fn new() -> anyhow::Result<Self> {
        let tmp = tempfile::tempdir()?;
        let ws = tmp.path().join("ws");
        let out = tmp.path().join("out.txt");
        let toy = seeds::fixtures_dir().join("toy");
        lotgraph(&["ingest", &toy.display().to_string()], &ws, &out)?;
        let generation = canonicalize(&ws)?;
        let mut files = Vec::new();
        for f in SNAPSHOT_FILES {
            let p = if *f == "CURRENT" {
                ws.join(f)
            } else {
                generation.join(f)
            };
            let bytes = std::fs::read(&p)?;
            files.push((p, bytes));
        }
        Ok(SnapshotTarget {
            ws,
            out,
            files,
            dirty: None,
            _tmp: tmp,
        })
    }
}

/// The generation directory of the canonical workspace.
const GENERATION: &str = "gen-fuzz";

/// Makes an ingested workspace the same bytes in every process, so that
/// a saved input reproduces elsewhere: the random dataset id (in the
/// array file's header and the manifest), the generation's name (a time
/// stamp) and the manifest's time and source are replaced by fixed values,
/// and the header's checksum is recomputed (docs/snapshot-format.md:
/// id at bytes 16..32, checksum at 40..48 over the 64-byte header with
/// that field zeroed and the entry table of 64 bytes per array after it,
/// array count at 12..16).
fn canonicalize(ws: &Path) -> anyhow::Result<PathBuf> {
    const ID: [u8; 16] = *b"lotgraph-fuzz-id";
    // CURRENT is a symlink (a file in workspaces before issue 17); the
    // canonical one is a file, so that the fuzzer can mutate its bytes.
    let cur = ws.join("CURRENT");
    let current = match std::fs::read_link(&cur) {
        Ok(t) => t.to_string_lossy().into_owned(),
        Err(_) => std::fs::read_to_string(&cur)?,
    };
    let generation = ws.join(GENERATION);
    std::fs::rename(ws.join(current.trim()), &generation)?;
    std::fs::remove_file(&cur)?;
    std::fs::write(&cur, format!("{GENERATION}\n"))?;
    let lgs = generation.join("snapshot.lgs");
    let mut b = std::fs::read(&lgs)?;
    anyhow::ensure!(b.len() >= 64, "snapshot.lgs is {} bytes", b.len());
    b[16..32].copy_from_slice(&ID);
    let count = u32::from_le_bytes([b[12], b[13], b[14], b[15]]) as usize;
    let table_end = 64 + 64 * count;
    anyhow::ensure!(b.len() >= table_end, "snapshot.lgs entry table");
    let mut covered = b[..table_end].to_vec();
    covered[40..48].fill(0);
    let sum = xxhash_rust::xxh3::xxh3_64(&covered);
    b[40..48].copy_from_slice(&sum.to_le_bytes());
    std::fs::write(&lgs, &b)?;
    let mpath = generation.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&mpath)?)?;
    m["dataset_id"] = lotgraph::snapshot::hex(&ID).into();
    m["created_at"] = "2026-01-01T00:00:00+00:00".into();
    m["source"] = "data/fixtures/toy".into();
    std::fs::write(&mpath, serde_json::to_vec_pretty(&m)?)?;
    // If the container's layout moved, the rewrite broke it: say so
    // rather than fuzz a workspace that never opens.
    let snap = lotgraph::snapshot::load(ws).map_err(|e| {
        anyhow::anyhow!("canonical workspace does not open ({e}): update canonicalize")
    })?;
    snap.verify()?;
    Ok(generation)
}

impl Target for SnapshotTarget {
    fn name(&self) -> &'static str {
        "snapshot"
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        let mut s: Vec<Vec<u8>> = self
            .files
            .iter()
            .enumerate()
            .map(|(i, (_, bytes))| {
                let mut v = vec![i as u8];
                v.extend_from_slice(bytes);
                v
            })
            .collect();
        s.extend(seeds::regressions("snapshot"));
        s
    }

    fn exec(&mut self, input: &[u8]) -> String {
        let (sel, content) = split(input);
        let k = sel % SNAPSHOT_FILES.len();
        if let Some(d) = self.dirty.take() {
            let (p, bytes) = &self.files[d];
            if let Err(e) = std::fs::write(p, bytes) {
                return format!("cannot restore {}: {e}", p.display());
            }
        }
        if let Err(e) = std::fs::write(&self.files[k].0, content) {
            return format!("cannot write: {e}");
        }
        self.dirty = Some(k);
        let mut sig = SNAPSHOT_FILES[k].to_string();
        for q in QUERIES {
            let r = lotgraph(q, &self.ws, &self.out);
            sig.push_str(&match r {
                Ok(s) => format!(" ok{}", s.code()),
                Err(e) => format!(" err {}", shape(&format!("{e:#}"))),
            });
        }
        sig
    }

    /// Queries verify each page of an array when they first read it
    /// (snapshot v5): a damaged page stops them with a `Damaged` panic,
    /// which `main` reports as exit 2 `snapshot damaged: ...`. That is
    /// the documented behaviour when `check --snapshot` (every checksum)
    /// does find the damage; a panic on a snapshot that passes it is a bug.
    fn expected_panic(&mut self, _input: &[u8]) -> Option<String> {
        match lotgraph::snapshot::load(&self.ws).map(|s| s.verify()) {
            Ok(Err(e)) => Some(format!("damaged array, found by check --snapshot: {e}")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shape_takes_values_out() {
        assert_eq!(
            super::shape(
                r#"lots.csv:12: quantity: "ten" is not a decimal (dataset id 0a1b2c3d4e5f6789)"#
            ),
            r#"lots.csv:#: quantity: "…" is not a decimal (dataset id #)"#
        );
    }
}
