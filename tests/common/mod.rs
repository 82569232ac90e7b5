//! Helpers shared by the integration tests: the built binary with an
//! isolated workspace, fixture paths, and JSON/text runs.
// Each test crate uses a different subset of these.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `data/fixtures/NAME`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/fixtures")
        .join(name)
}

/// The binary, with `ws` as its workspace and no fault injection.
pub(crate) fn lotgraph(ws: &Path) -> Command {
    let mut c = Command::cargo_bin("lotgraph").unwrap();
    c.env("LOTGRAPH_WORKSPACE", ws)
        .env_remove("LOTGRAPH_TEST_FAULT");
    c
}

/// A temp workspace with the dataset in `dir` ingested.
pub(crate) fn ingested_dir(dir: &Path) -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    lotgraph(ws.path())
        .arg("ingest")
        .arg(dir)
        .assert()
        .success();
    ws
}

/// A temp workspace with `data/fixtures/NAME` ingested.
pub(crate) fn ingested(name: &str) -> tempfile::TempDir {
    ingested_dir(&fixture(name))
}

/// Runs a command that must succeed and returns its stdout.
pub(crate) fn run(ws: &Path, args: &[&str]) -> Vec<u8> {
    let out = lotgraph(ws).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs a command that must succeed and parses its JSON output.
pub(crate) fn json(ws: &Path, args: &[&str]) -> Value {
    serde_json::from_slice(&run(ws, args)).unwrap()
}

/// Runs a command that must succeed and returns its text output.
pub(crate) fn text(ws: &Path, args: &[&str]) -> String {
    String::from_utf8(run(ws, args)).unwrap()
}
