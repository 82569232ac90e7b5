//! Integration tests of the Neo4j mirror against a real Neo4j server.
//!
//! They need `NEO4J_URI`, `NEO4J_USER` and `NEO4J_PASSWORD`, so they are
//! `#[ignore]`d: a plain `cargo test` lists them as ignored rather than
//! pretending they passed. `scripts/test-neo4j.sh` starts the dev server
//! (`scripts/neo4j-dev`), runs them serially (`--include-ignored
//! --test-threads=1`) and stops it; in CI it fails when Neo4j cannot
//! start. Run without `NEO4J_URI`, every test fails. The tests share one
//! database: each takes a global lock, clears the database and uses its
//! own temporary workspace. The server-stopped-mid-push test runs last
//! (`zz_` prefix: libtest runs tests in name order) and only against the
//! dev server, which it stops and restarts on the same port.
//!
//! Every Cypher answer is compared with the in-memory engine through the
//! `lotgraph` library (`engine`): sets exactly, numbers within 1e-9
//! (relative for quantities larger than 1).

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod data;
mod engine;
mod support;

use data::{edit_csv, random_dataset};
use engine::{Engine, assert_close, num};
use lotgraph::core::LotIx;
use lotgraph::core::model::ReturnCategory;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

#[test]
#[ignore = "needs Neo4j: scripts/test-neo4j.sh"]
fn demo_push_verify_and_every_query_matches_the_engine() {
    let _g = setup();
    let ws = tempfile::tempdir().unwrap();
    ingest(&repo().join("data/demo"), ws.path());
    let r = push(ws.path(), &[]);
    assert_eq!(r["full"], Value::Bool(true));
    assert_verified(ws.path());
    let e = Engine::load(ws.path());
    let rt = lotgraph::mirror::runtime().unwrap();
    let m = rt.block_on(connect());
    e.check_everything(&rt, &m, 1);
    // The planted story: the tahini lot explains the safety complaints.
    let safety: BTreeSet<LotIx> = e
        .snap
        .dataset
        .returns
        .iter()
        .filter(|r| r.category == Some(ReturnCategory::Safety))
        .map(|r| r.lot)
        .collect();
    e.check_common_source(&rt, &m, &safety.into_iter().collect::<Vec<_>>());
    // The CLI path: JSON and table output.
    let o = lotgraph(&[
        "neo4j",
        "query",
        "trace_back",
        "-p",
        "lot=01-2134303",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["query"], "trace_back");
    assert_eq!(v["rows"].as_array().unwrap().len(), 9);
    let o = lotgraph(&[
        "neo4j",
        "query",
        "recall_blast_radius",
        "-p",
        "seeds=R-2112-002",
        "-p",
        "min_share=0.02",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.starts_with("lot_id"), "{table}");
    // The seed and its 17 downstream lots, every one above 0.02 (by mass
    // the tahini is 0.07-0.30 of each), plus the header.
    assert_eq!(table.lines().count(), 19, "{table}");
}

#[test]
#[ignore = "needs Neo4j: scripts/test-neo4j.sh"]
fn random_dag_genealogies_match_the_engine() {
    let _g = setup();
    let rt = lotgraph::mirror::runtime().unwrap();
    for seed in 1..=4u64 {
        let data = tempfile::tempdir().unwrap();
        let n = 30 + 15 * seed as usize;
        random_dataset(data.path(), seed, n, &|i| format!("L{i:03}"));
        let ws = tempfile::tempdir().unwrap();
        ingest(data.path(), ws.path());
        // Not full: the state of a fresh workspace does not match the
        // previous dataset's mirror, so the push starts over by itself.
        let r = push(ws.path(), &["--batch-size", "7", "--concurrency", "3"]);
        assert_eq!(r["full"], Value::Bool(true));
        assert_verified(ws.path());
        let e = Engine::load(ws.path());
        let m = rt.block_on(connect());
        e.check_everything(&rt, &m, 1);
    }
}

#[test]
#[ignore = "needs Neo4j: scripts/test-neo4j.sh"]
fn units_fixture_shares_and_seed_quantities_match_the_engine() {
    let _g = setup();
    let ws = tempfile::tempdir().unwrap();
    ingest(&repo().join("data/fixtures/units"), ws.path());
    push(ws.path(), &[]);
    assert_verified(ws.path());
    let e = Engine::load(ws.path());
    let rt = lotgraph::mirror::runtime().unwrap();
    let m = rt.block_on(connect());
    e.check_everything(&rt, &m, 1);
    // Seeds of kg (T1), `KGM` (CK1, also kg) and l (O1) together.
    let ds = &e.snap.dataset;
    let seeds: Vec<LotIx> = ["T1", "CK1", "O1"]
        .iter()
        .map(|id| ds.lot_ix(id).unwrap())
        .collect();
    e.check_recall(&rt, &m, &seeds, 0.0);
    let rows = run_query(&rt, &m, "trace_back", &[("lot", "R1")]);
    let t1 = rows.iter().find(|r| r["lot_id"] == "T1").unwrap();
    assert_close("share of T1 in R1", Some(0.2925), num(&t1["share"]));
}

#[test]
#[ignore = "needs Neo4j: scripts/test-neo4j.sh"]
fn push_is_idempotent_and_incremental() {
    let _g = setup();
    let data = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(repo().join("data/demo")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&f, data.path().join(f.file_name().unwrap())).unwrap();
        }
    }
    let ws = tempfile::tempdir().unwrap();
    ingest(data.path(), ws.path());
    let first = push(ws.path(), &[]);
    assert_eq!(first["full"], Value::Bool(true));
    assert_eq!(first["upserted"].as_u64(), Some(2409));
    assert_verified(ws.path());

    // Twice: nothing to send, same counts and checksums.
    let (_, before) = verify(ws.path());
    let again = push(ws.path(), &[]);
    assert_eq!(again["full"], Value::Bool(false));
    assert_eq!(
        (again["upserted"].as_u64(), again["deleted"].as_u64()),
        (Some(0), Some(0))
    );
    let (_, after) = verify(ws.path());
    assert_eq!(before["sets"], after["sets"]);
    // --full starts over and gives the same graph.
    let full = push(ws.path(), &["--full"]);
    assert_eq!(full["upserted"].as_u64(), Some(2409));
    let (_, after_full) = verify(ws.path());
    assert_eq!(before["sets"], after_full["sets"]);

    // Change one consumption quantity, drop a shipment, add a return and a lot.
    edit_csv(&data.path().join("consumptions.csv"), |rows| {
        let r = rows[0].clone();
        rows[0] = csv::StringRecord::from(vec![&r[0], &r[1], "999.5", &r[3]]);
    });
    edit_csv(&data.path().join("shipments.csv"), |rows| {
        rows.pop();
    });
    edit_csv(&data.path().join("returns.csv"), |rows| {
        rows.push(csv::StringRecord::from(vec![
            "RT-NEW",
            "01-2134303",
            "C-003",
            "2",
            "late",
            "other",
            "2022-01-05",
        ]));
    });
    edit_csv(&data.path().join("lots.csv"), |rows| {
        let mut r: Vec<String> = rows[0].iter().map(String::from).collect();
        r[0] = "R-NEW-001".into();
        rows.push(csv::StringRecord::from(r));
    });
    ingest(data.path(), ws.path());
    let inc = push(ws.path(), &[]);
    assert_eq!(inc["full"], Value::Bool(false));
    let mut want: BTreeMap<String, (u64, u64)> =
        pushed(&inc).keys().map(|k| (k.clone(), (0, 0))).collect();
    // Lot: the consumption's output (its input_total changed) and the new lot.
    want.insert("Lot".into(), (2, 0));
    want.insert("CONSUMED_INTO".into(), (1, 0));
    want.insert("SHIPPED".into(), (0, 1));
    want.insert("Return".into(), (1, 0));
    want.insert("SUPPLIED".into(), (1, 0));
    want.insert("OF_PRODUCT".into(), (1, 0));
    assert_eq!(pushed(&inc), want, "{inc:#}");
    assert_verified(ws.path());

    // Remove the new lot again: its node and links are deleted.
    edit_csv(&data.path().join("lots.csv"), |rows| {
        rows.pop();
    });
    ingest(data.path(), ws.path());
    let inc = push(ws.path(), &[]);
    let mut want: BTreeMap<String, (u64, u64)> =
        pushed(&inc).keys().map(|k| (k.clone(), (0, 0))).collect();
    want.insert("Lot".into(), (0, 1));
    want.insert("SUPPLIED".into(), (0, 1));
    want.insert("OF_PRODUCT".into(), (0, 1));
    assert_eq!(pushed(&inc), want, "{inc:#}");
    assert_verified(ws.path());

    // A verify against a changed mirror lists the difference and exits 1.
    let rt = lotgraph::mirror::runtime().unwrap();
    rt.block_on(async {
        let m = connect().await;
        let st = lotgraph::mirror::push::statements();
        let mut row = neo4rs::BoltMap::new();
        row.put("k".into(), "R-2109-006".into());
        m.write(
            "deleting a lot behind lotgraph's back",
            neo4rs::query(st.get("delete_lot").unwrap())
                .param("rows", vec![neo4rs::BoltType::Map(row)]),
        )
        .await
        .unwrap();
    });
    let (code, v) = verify(ws.path());
    assert_eq!(code, 1);
    let diffs = v["differences"].as_array().unwrap();
    assert!(
        diffs
            .iter()
            .any(|d| d["set"] == "Lot" && d["key"] == "R-2109-006"),
        "{v:#}"
    );
}

#[test]
#[ignore = "needs Neo4j: scripts/test-neo4j.sh"]
fn hostile_ids_round_trip_literally() {
    let _g = setup();
    let hostile = [
        "' DETACH DELETE n //",
        "\"}) MATCH (n) DETACH DELETE n //",
        "{braces}",
        "back\\slash\\",
        "new\nline",
        "🧪 lot",
        "$lot",
        "a,b;c",
    ];
    let data = tempfile::tempdir().unwrap();
    random_dataset(data.path(), 99, 24, &|i| match hostile.get(i % 12) {
        Some(h) if i < 12 => h.to_string(),
        Some(h) => format!("{h}#{i}"),
        None => format!("plain-{i}"),
    });
    let ws = tempfile::tempdir().unwrap();
    ingest(data.path(), ws.path());
    push(ws.path(), &[]);
    assert_verified(ws.path());
    let e = Engine::load(ws.path());
    let ids: BTreeSet<String> = e
        .snap
        .dataset
        .lots
        .iter()
        .map(|l| l.id.to_string())
        .collect();
    for h in hostile {
        assert!(ids.contains(h), "{h:?} is not a lot of the dataset");
    }
    let rt = lotgraph::mirror::runtime().unwrap();
    let m = rt.block_on(connect());
    e.check_everything(&rt, &m, 1);
    // Through the command line, as a user would type it.
    for h in hostile {
        let o = lotgraph(&[
            "neo4j",
            "query",
            "trace_forward",
            "--param",
            &format!("lot={h}"),
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{h:?}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["params"]["lot"], Value::String(h.to_string()));
    }
    // Nothing was deleted by an id.
    assert_verified(ws.path());
}

#[test]
#[ignore = "needs Neo4j: scripts/test-neo4j.sh"]
fn wrong_password_and_unreachable_hosts_fail_fast_on_one_line() {
    let _g = setup();
    let ws = tempfile::tempdir().unwrap();
    ingest(&repo().join("data/demo"), ws.path());
    let w = ws.path().to_str().unwrap();
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_lotgraph"));
        c.args(args).env_remove("LOTGRAPH_WORKSPACE");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let t = Instant::now();
    let o = run(
        &[("NEO4J_PASSWORD", "not-the-password")],
        &["neo4j", "push", "-w", w],
    );
    assert_one_line_failure(&o, t, Duration::from_secs(5), "refused the login");
    let pw = ws.path().join("pw");
    std::fs::write(&pw, "also-wrong\n").unwrap();
    let t = Instant::now();
    let o = run(
        &[],
        &[
            "neo4j",
            "verify",
            "-w",
            w,
            "--password-file",
            pw.to_str().unwrap(),
        ],
    );
    assert_one_line_failure(&o, t, Duration::from_secs(5), "refused the login");
    let t = Instant::now();
    let o = run(
        &[("NEO4J_URI", "bolt://127.0.0.1:1")],
        &["neo4j", "push", "-w", w],
    );
    assert_one_line_failure(
        &o,
        t,
        Duration::from_secs(5),
        "cannot connect to Neo4j at bolt://127.0.0.1:1",
    );
    // A port that accepts connections but never answers: the connect timeout.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || {
        let conn = listener.accept();
        std::thread::sleep(Duration::from_secs(6));
        drop(conn);
    });
    let uri = format!("bolt://127.0.0.1:{port}");
    let t = Instant::now();
    let o = run(
        &[("NEO4J_URI", &uri)],
        &["neo4j", "verify", "-w", w, "--connect-timeout", "2"],
    );
    assert_one_line_failure(&o, t, Duration::from_secs(5), "no answer within 2 s");
    hold.join().unwrap();
    // Nothing was pushed, and nothing was remembered.
    assert!(!ws.path().join("neo4j-state.json").exists());
}

#[test]
#[ignore = "needs Neo4j: scripts/test-neo4j.sh"]
fn zz_server_stopped_mid_push_then_a_rerun_completes() {
    let _g = setup();
    // This test stops the server and starts it again, which it can only do
    // with the dev server of scripts/neo4j-dev; against any other server it
    // fails rather than passing without having run (leave it out there with
    // `--skip zz_server_stopped`).
    let Some(port) = dev_server_port() else {
        panic!(
            "NEO4J_URI is not the scripts/neo4j-dev server, which this test stops and \
             restarts: run scripts/test-neo4j.sh, or --skip zz_server_stopped"
        );
    };
    let data = tempfile::tempdir().unwrap();
    random_dataset(data.path(), 7, 20_000, &|i| format!("LOT-{i:05}"));
    let ws = tempfile::tempdir().unwrap();
    ingest(data.path(), ws.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_lotgraph"))
        .args([
            "neo4j",
            "push",
            "--no-progress",
            "--batch-size",
            "100",
            "--concurrency",
            "1",
            "-w",
        ])
        .arg(ws.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the push ended before the server was stopped: make the data larger"
    );
    let stop = Command::new(repo().join("scripts/neo4j-dev"))
        .arg("stop")
        .output()
        .unwrap();
    assert!(stop.status.success(), "{}", stderr(&stop));
    let t = Instant::now();
    let out = loop {
        if child.try_wait().unwrap().is_some() {
            break child.wait_with_output().unwrap();
        }
        if t.elapsed() > Duration::from_mins(1) {
            let _ = child.kill();
            panic!("push did not stop within 60 s of the server stopping");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // Restart on the same port before asserting, so later runs find it.
    let start = Command::new(repo().join("scripts/neo4j-dev"))
        .arg("start")
        .env("NEO4J_DEV_PORT", &port)
        .output()
        .unwrap();
    assert!(start.status.success(), "restart failed: {}", stderr(&start));
    assert!(String::from_utf8_lossy(&start.stdout).contains(&format!("127.0.0.1:{port}")));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err:?}");
    assert!(err.contains("push stopped after"), "{err}");
    assert!(
        err.contains("running `lotgraph neo4j push` again finishes it"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // The rerun sends only what did not commit, then the mirror is complete.
    let rerun = push(ws.path(), &[]);
    assert_eq!(rerun["full"], Value::Bool(false), "{rerun:#}");
    let rows: u64 = rerun["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rows"].as_u64().unwrap())
        .sum();
    let sent = rerun["upserted"].as_u64().unwrap();
    assert!(sent > 0 && sent < rows, "rerun sent {sent} of {rows} rows");
    assert_verified(ws.path());
}
