//! Regression tests of issue 17 (reliability) for the workspace and the
//! data rules: an ingest is one transaction whatever step fails (injected
//! ENOSPC/EIO/abort at every step, and a real full tmpfs where the test
//! may mount one), the writer lock is announced and bounded, `CURRENT`
//! damage names `CURRENT`, a report that cannot be written leaves the
//! previous one, returns beyond shipments are found and kept out of
//! baselines (`data/fixtures/over-returned/README.md` derives the figures),
//! and self-shipments are found.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, ingested, json, lotgraph};
use std::path::{Path, PathBuf};

/// Lots in the live snapshot of `ws` (6 for `toy`, 7 for `bad`, 5 for
/// `imbalance`).
fn live_lots(ws: &Path) -> u64 {
    let doc = json(ws, &["stats", "--format", "json"]);
    let counts = doc["counts"].as_array().expect("counts");
    counts
        .iter()
        .find(|r| r["entity"] == "lots")
        .and_then(|r| r["count"].as_u64())
        .expect("a lots count")
}

/// Names in `ws` that only an unfinished write leaves behind.
fn leftovers(ws: &Path) -> Vec<String> {
    std::fs::read_dir(ws)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-gen-") || n.contains(".tmp-"))
        .collect()
}

/// Generation directories in `ws`.
fn generations(ws: &Path) -> usize {
    std::fs::read_dir(ws)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("gen-")
        })
        .count()
}

/// Makes `W/rejects.csv` a plain copy, as workspaces written before issue
/// 17 had it, so the next write must replace it with the link.
fn as_before_issue_17(ws: &Path) {
    let rj = ws.join("rejects.csv");
    let bytes = std::fs::read(&rj).unwrap();
    std::fs::remove_file(&rj).unwrap();
    std::fs::write(&rj, bytes).unwrap();
}

/// `W/rejects.csv` must be the live generation's.
fn assert_rejects_follow_current(ws: &Path) {
    let live = std::fs::read_link(ws.join("CURRENT")).unwrap();
    assert_eq!(
        std::fs::read(ws.join("rejects.csv")).unwrap(),
        std::fs::read(ws.join(live).join("rejects.csv")).unwrap()
    );
}

const STEPS: &[&str] = &[
    "data",
    "rejects",
    "manifest",
    "sync-generation",
    "rename-generation",
    "rejects-link",
    "write-current",
    "switch",
    "sync-switch",
];

/// Exit 2 always means the previous snapshot is live (and nothing of the
/// failed write remains); exit 0 the new one, for an error at every step.
#[test]
fn an_io_error_at_any_step_of_an_ingest_leaves_exactly_one_snapshot_live() {
    let toy_lots = 6;
    for fault in ["enospc", "eio"] {
        for step in STEPS {
            let ws = ingested("toy");
            assert_eq!(live_lots(ws.path()), toy_lots);
            as_before_issue_17(ws.path());
            let gens = generations(ws.path());
            // `bad` has rejects; toy has none, so rejects.csv tells them apart.
            let out = lotgraph(ws.path())
                .env("LOTGRAPH_TEST_FAULT", format!("{step}:{fault}"))
                .arg("ingest")
                .arg(fixture("bad"))
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            let lots = live_lots(ws.path());
            match out.status.code() {
                Some(2) => {
                    assert_eq!(
                        lots, toy_lots,
                        "{step}:{fault}: exit 2 but new snapshot live"
                    );
                    assert!(
                        err.contains("the previous snapshot is still live"),
                        "{step}: {err}"
                    );
                    assert_eq!(generations(ws.path()), gens, "{step}:{fault}");
                }
                Some(0) => {
                    assert_ne!(
                        lots, toy_lots,
                        "{step}:{fault}: exit 0 but old snapshot live"
                    );
                    assert_eq!(*step, "sync-switch", "only a post-switch step may succeed");
                    assert!(err.contains("making the switch durable failed"), "{err}");
                }
                c => panic!("{step}:{fault}: exit {c:?}: {err}"),
            }
            assert!(!err.contains("panicked"), "{err}");
            assert_eq!(leftovers(ws.path()), Vec::<String>::new(), "{step}:{fault}");
            assert_rejects_follow_current(ws.path());
        }
    }
}

/// A process killed at any step leaves the previous snapshot live unless
/// the switch happened; the next ingest then cleans up everything.
#[test]
fn an_ingest_killed_at_any_step_is_all_or_nothing_and_cleaned_up_next_time() {
    for (k, step) in STEPS.iter().enumerate() {
        let ws = ingested("toy");
        as_before_issue_17(ws.path());
        let out = lotgraph(ws.path())
            .env("LOTGRAPH_TEST_FAULT", format!("{step}:abort"))
            .arg("ingest")
            .arg(fixture("bad"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), None, "{step}: killed by SIGABRT");
        let switched = k > STEPS.iter().position(|s| *s == "switch").unwrap();
        assert_eq!(live_lots(ws.path()) != 6, switched, "{step}");
        assert_rejects_follow_current(ws.path());
        lotgraph(ws.path())
            .arg("ingest")
            .arg(fixture("imbalance"))
            .assert()
            .success();
        assert_eq!(leftovers(ws.path()), Vec::<String>::new(), "{step}");
        assert!(generations(ws.path()) <= 2, "{step}");
    }
}

/// Unmounts on drop.
struct Tmpfs(PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// A temp dir with a tmpfs of `size` mounted at `DIR/mnt`, or `None`
/// (with a note) where this process may not mount one.
fn tmpfs(size: &str) -> Option<(tempfile::TempDir, Tmpfs)> {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(&mnt)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (not root?)");
        return None;
    }
    Some((dir, Tmpfs(mnt)))
}

/// A real full disk: a 1 MiB tmpfs holds the toy snapshot but not that of
/// 3,000 generated lots. Runs where the test may mount (root); elsewhere
/// the injected ENOSPC above covers the same code.
#[test]
fn a_full_disk_fails_the_ingest_and_keeps_the_previous_snapshot() {
    let Some((dir, mounted)) = tmpfs("1m") else {
        return;
    };
    let mnt = mounted.0.clone();
    let data = dir.path().join("big");
    lotgraph(&mnt)
        .args(["generate", "--lots", "3000", "--out"])
        .arg(&data)
        .assert()
        .success();
    let ws = mnt.join("ws");
    lotgraph(&ws)
        .arg("ingest")
        .arg(fixture("toy"))
        .assert()
        .success();
    let out = lotgraph(&ws).arg("ingest").arg(&data).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("the previous snapshot is still live"), "{err}");
    assert!(
        err.contains(&*ws.to_string_lossy()),
        "names the path: {err}"
    );
    assert_eq!(live_lots(&ws), 6);
    assert_eq!(leftovers(&ws), Vec::<String>::new());
    assert_rejects_follow_current(&ws);
    // The space is given back: the toy re-ingests.
    lotgraph(&ws)
        .arg("ingest")
        .arg(fixture("toy"))
        .assert()
        .success();
}

/// A report that cannot be written (a full disk) names the path and
/// leaves the previous report, not a truncated one.
#[test]
fn a_failed_report_write_names_the_path_and_keeps_the_previous_report() {
    let ws = ingested("toy");
    let out = lotgraph(ws.path())
        .args(["stats", "--output", "/dev/full"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/dev/full: No space left on device"), "{err}");
    // A successful report replaces the previous one, leaving no temporary file.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("stats.txt");
    std::fs::write(&report, "previous report\n").unwrap();
    lotgraph(ws.path())
        .args(["stats", "--output"])
        .arg(&report)
        .assert()
        .success();
    let now = std::fs::read_to_string(&report).unwrap();
    assert!(now.starts_with("entity"), "{now}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
}

/// A tmpfs-full `--output`: the previous file survives intact.
#[test]
fn a_full_disk_on_output_leaves_the_previous_report() {
    let Some((dir, mounted)) = tmpfs("64k") else {
        return;
    };
    let mnt = mounted.0.clone();
    let ws = tempfile::tempdir().unwrap();
    let data = dir.path().join("g");
    lotgraph(ws.path())
        .args(["generate", "--lots", "2000", "--out"])
        .arg(&data)
        .assert()
        .success();
    lotgraph(ws.path())
        .arg("ingest")
        .arg(&data)
        .assert()
        .success();
    let report = mnt.join("trace.json");
    let previous = b"{\"previous\": true}\n";
    std::fs::write(&report, previous).unwrap();
    // The whole genealogy's lots as JSON: far more than 64 KiB.
    let out = lotgraph(ws.path())
        .args(["returns", "--format", "json", "--output"])
        .arg(&report)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&*report.to_string_lossy()), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(std::fs::read(&report).unwrap(), previous);
    assert_eq!(std::fs::read_dir(&mnt).unwrap().count(), 1);
}

/// A second ingest says whom it waits for, and `--lock-timeout` bounds the
/// wait (the holder here: this test, posing as pid 4242).
#[test]
fn a_waiting_ingest_names_the_lock_holder_and_lock_timeout_bounds_it() {
    let ws = ingested("toy");
    let lock_path = ws.path().join("LOCK");
    let held = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock_path)
        .unwrap();
    held.lock().unwrap();
    std::fs::write(&lock_path, "4242").unwrap();
    let t0 = std::time::Instant::now();
    let out = lotgraph(ws.path())
        .args(["ingest", "--lock-timeout", "300ms"])
        .arg(fixture("imbalance"))
        .output()
        .unwrap();
    let waited = t0.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("waiting for the workspace lock held by pid 4242"),
        "{err}"
    );
    assert!(
        err.contains("the workspace lock is still held by pid 4242 after 300 ms"),
        "{err}"
    );
    assert!(waited < std::time::Duration::from_secs(10), "{waited:?}");
    assert_eq!(live_lots(ws.path()), 6, "nothing was written");
    held.unlock().unwrap();
    drop(held);
    lotgraph(ws.path())
        .args(["ingest", "--lock-timeout", "5s"])
        .arg(fixture("imbalance"))
        .assert()
        .success();
    assert_eq!(live_lots(ws.path()), 5);
    let bad = lotgraph(ws.path())
        .args(["ingest", "--lock-timeout", "soon"])
        .arg(fixture("toy"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// An empty or strange `CURRENT` is named as such; a `CURRENT` file of a
/// workspace written before issue 17 still loads.
#[test]
fn a_damaged_current_names_current_and_an_old_current_file_loads() {
    let ws = ingested("toy");
    let cur = ws.path().join("CURRENT");
    let live = std::fs::read_link(&cur).unwrap();
    std::fs::remove_file(&cur).unwrap();
    std::fs::write(&cur, format!("{}\n", live.display())).unwrap();
    assert_eq!(live_lots(ws.path()), 6, "a CURRENT file of older versions");
    for (content, needle) in [
        ("", "CURRENT: is empty"),
        ("\n", "CURRENT: is empty"),
        ("../etc", "is not a generation of this workspace"),
    ] {
        std::fs::write(&cur, content).unwrap();
        let out = lotgraph(ws.path()).arg("stats").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{content:?}");
        assert!(err.contains(needle), "{content:?}: {err}");
        assert!(!err.contains("manifest.json"), "{err}");
    }
    // The next ingest replaces the file with the link.
    lotgraph(ws.path())
        .arg("ingest")
        .arg(fixture("toy"))
        .assert()
        .success();
    assert!(std::fs::read_link(&cur).is_ok());
}

/// `data/fixtures/over-returned/README.md`: X returned 500 of 10 shipped.
#[test]
fn returns_beyond_shipments_are_found_and_kept_out_of_baselines() {
    let ws = ingested("over-returned");
    let check = json(ws.path(), &["check", "--format", "json"]);
    let count = |kind: &str| {
        check["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["finding"] == kind)
            .and_then(|r| r["count"].as_u64())
    };
    assert_eq!(count("over_returned"), Some(1));
    assert_eq!(count("self_shipment"), Some(2));
    for kind in [
        "over_consumed",
        "negative_on_hand",
        "produced_without_inputs",
    ] {
        assert_eq!(count(kind), Some(0), "{kind}");
    }
    let findings = check["findings"].as_array().unwrap();
    let over: Vec<_> = findings
        .iter()
        .filter(|f| f["finding"] == "over_returned")
        .collect();
    assert_eq!(over[0]["lot_id"], "X");
    assert!(
        over[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("returned 500 > shipped to customers 10 ea"),
        "{}",
        over[0]["detail"]
    );
    let selfs: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f["finding"] == "self_shipment")
        .map(|f| {
            (
                f["lot_id"].as_str().unwrap().to_string(),
                f["site_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        selfs,
        [
            ("A".to_string(), "P1".to_string()),
            ("B".into(), "P1".into())
        ]
    );

    let rates = json(ws.path(), &["returns", "--format", "json"]);
    let row = |lot: &str| {
        rates["lots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["lot_id"] == lot)
            .cloned()
            .unwrap()
    };
    let close = |v: &serde_json::Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-9;
    // Baselines from the README's table: X counts 10 returned, not 500.
    for (lot, baseline, flagged) in [
        ("A", 25.5 / 3011.0, true),
        ("B", 80.5 / 3011.0, false),
        ("C", 81.5 / 3011.0, false),
        ("D", 79.5 / 3011.0, false),
        ("X", 75.5 / 4001.0, true),
    ] {
        let r = row(lot);
        assert!(close(&r["baseline"], baseline), "{lot}: {r}");
        assert_eq!(r["flagged"], flagged, "{lot}: {r}");
    }
    // The recorded facts stay: 500 returned, rate 50.
    assert!(close(&row("X")["returned"], 500.0));
    assert!(close(&row("X")["rate"], 50.0));
}

/// Arrays in the live snapshot file of `ws` (the header's entry count).
fn snapshot_arrays(ws: &Path) -> u32 {
    let b = std::fs::read(ws.join("CURRENT/snapshot.lgs")).unwrap();
    u32::from_le_bytes(b[12..16].try_into().unwrap())
}

/// Issue 17: one row with 100k unknown columns made every later command
/// slow (one array pair per column). Extra columns are now two arrays per
/// file whatever their number, and still read back per row.
#[test]
fn extra_columns_cost_the_same_arrays_whatever_their_number() {
    let mut arrays = Vec::new();
    for n in [3usize, 1000] {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..n).map(|k| format!("x{k}")).collect();
        let cells = |lot: &str| -> String {
            (0..n)
                .map(|k| format!("{lot}{k}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        std::fs::write(
            dir.path().join("lots.csv"),
            format!(
                "lot_id,sku,origin,quantity,{}\nA,S,produced,1,{}\nB,S,produced,2,{}\n",
                names.join(","),
                cells("a"),
                cells("b")
            ),
        )
        .unwrap();
        let ws = common::ingested_dir(dir.path());
        arrays.push(snapshot_arrays(ws.path()));
        let facts = json(ws.path(), &["lot", "show", "B", "--format", "json"]);
        let extra = &facts["extra"];
        assert_eq!(extra["x0"], "b0", "{facts}");
        assert_eq!(extra[format!("x{}", n - 1)], format!("b{}", n - 1));
    }
    assert_eq!(arrays[0], arrays[1], "arrays for 3 and 1000 extra columns");
}
