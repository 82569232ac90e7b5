//! The Neo4j tests' plumbing: the server lock, connecting, and running
//! the built `lotgraph` (ingest, push, verify, queries) as a user would.

use lotgraph::mirror::query as cypher;
use lotgraph::mirror::{ConnectOptions, Mirror};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One test at a time: they share the server's one database.
static SERIAL: Mutex<()> = Mutex::new(());

/// `NEO4J_URI`, or a failure: these tests are `#[ignore]`d, so running them
/// at all (`--include-ignored`, as scripts/test-neo4j.sh does) means
/// asking for a server, and passing without one would be a lie.
fn server_uri() -> String {
    match std::env::var("NEO4J_URI") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!(
            "NEO4J_URI is not set: the Neo4j tests need a server. \
             Run scripts/test-neo4j.sh (it starts a Neo4j dev server)"
        ),
    }
}

/// Takes the lock and clears the database (fails without a server).
pub(crate) fn setup() -> std::sync::MutexGuard<'static, ()> {
    server_uri();
    let guard = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let rt = lotgraph::mirror::runtime().unwrap();
    rt.block_on(async {
        let m = connect().await;
        lotgraph::mirror::push::clear_database(&m)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    });
    guard
}

pub(crate) fn options() -> ConnectOptions {
    ConnectOptions::new(
        server_uri(),
        std::env::var("NEO4J_USER").unwrap_or_else(|_| "neo4j".into()),
        None,
        std::env::var("NEO4J_DATABASE").ok(),
    )
    .unwrap()
}

pub(crate) async fn connect() -> Mirror {
    Mirror::connect(&options())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn lotgraph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lotgraph"))
        .args(args)
        .env_remove("LOTGRAPH_WORKSPACE")
        .output()
        .unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn ingest(data: &Path, ws: &Path) {
    let o = lotgraph(&["ingest", data.to_str().unwrap(), "-w", ws.to_str().unwrap()]);
    assert!(o.status.success(), "ingest failed: {}", stderr(&o));
}

pub(crate) fn push(ws: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "neo4j",
        "push",
        "-w",
        ws.to_str().unwrap(),
        "--format",
        "json",
        "--no-progress",
    ];
    args.extend_from_slice(extra);
    let o = lotgraph(&args);
    assert!(o.status.success(), "push failed: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

pub(crate) fn verify(ws: &Path) -> (i32, Value) {
    let o = lotgraph(&[
        "neo4j",
        "verify",
        "-w",
        ws.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let code = o.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "verify failed: {}", stderr(&o));
    (code, serde_json::from_slice(&o.stdout).unwrap())
}

pub(crate) fn assert_verified(ws: &Path) {
    let (code, v) = verify(ws);
    assert_eq!(code, 0, "verify found differences: {v:#}");
    assert_eq!(v["ok"], Value::Bool(true));
}

/// Per-set counts of a push report: set → (upserted, deleted).
pub(crate) fn pushed(report: &Value) -> BTreeMap<String, (u64, u64)> {
    report["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["set"].as_str().unwrap().to_string(),
                (
                    s["upserted"].as_u64().unwrap(),
                    s["deleted"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Runs a query through the library (the CLI's code path without the
/// process), rows as maps.
pub(crate) fn run_query(
    rt: &tokio::runtime::Runtime,
    m: &Mirror,
    name: &str,
    pairs: &[(&str, &str)],
) -> Vec<Map<String, Value>> {
    let def = cypher::find(name).unwrap();
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = cypher::bind(&def, &pairs).unwrap();
    let a = rt
        .block_on(cypher::run(m, &def, params))
        .unwrap_or_else(|e| panic!("{e}"));
    a.rows
        .iter()
        .map(|r| {
            a.columns
                .iter()
                .zip(r)
                .map(|(c, v)| (c.to_string(), v.clone()))
                .collect()
        })
        .collect()
}

pub(crate) fn assert_one_line_failure(
    o: &Output,
    started: Instant,
    within: Duration,
    needle: &str,
) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err:?}");
    assert!(err.contains(needle), "{err:?} does not say {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(started.elapsed() < within, "took {:?}", started.elapsed());
    if let Ok(pw) = std::env::var("NEO4J_PASSWORD") {
        assert!(!err.contains(&pw) && !String::from_utf8_lossy(&o.stdout).contains(&pw));
    }
}

/// The dev server's `scripts/neo4j-dev`, when it is the server of `NEO4J_URI`.
pub(crate) fn dev_server_port() -> Option<String> {
    let o = Command::new(repo().join("scripts/neo4j-dev"))
        .arg("status")
        .output()
        .ok()?;
    let uri = std::env::var("NEO4J_URI").ok()?;
    let status = String::from_utf8_lossy(&o.stdout).into_owned();
    (o.status.success() && status.contains(&uri))
        .then(|| uri.rsplit(':').next().map(String::from))
        .flatten()
}
