//! The JSON interface of every command, on the fixtures: each output is
//! snapshot-tested (insta, so any change of a key, a number's form or an
//! order is seen in review) and validated against its JSON Schema in
//! `docs/schema/` (generated from the result types; see
//! `schemas_in_docs_are_the_generated_ones`).

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, ingested, lotgraph};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One command of the contract: a name (snapshot and schema), the fixture
/// it runs on and its arguments.
struct Case {
    name: &'static str,
    schema: &'static str,
    fixture: &'static str,
    args: &'static [&'static str],
    /// The exit code (1: findings under --strict).
    code: i32,
}

const CASES: &[Case] = &[
    Case {
        name: "trace_back",
        schema: "trace",
        fixture: "toy",
        args: &["trace", "back", "R"],
        code: 0,
    },
    Case {
        name: "trace_forward",
        schema: "trace",
        fixture: "toy",
        args: &["trace", "forward", "A"],
        code: 0,
    },
    Case {
        name: "trace_forward_locate",
        schema: "trace",
        fixture: "units",
        args: &["trace", "forward", "T1", "--locate"],
        code: 0,
    },
    Case {
        name: "lot_show",
        schema: "lot",
        fixture: "toy",
        args: &["lot", "show", "F1"],
        code: 0,
    },
    Case {
        name: "stats",
        schema: "stats",
        fixture: "toy",
        args: &["stats"],
        code: 0,
    },
    Case {
        name: "check",
        schema: "check",
        fixture: "units",
        args: &["check"],
        code: 0,
    },
    Case {
        name: "check_imbalance",
        schema: "check",
        fixture: "imbalance",
        args: &["check", "--strict"],
        code: 1,
    },
    Case {
        name: "returns",
        schema: "returns",
        fixture: "analytics",
        args: &["returns"],
        code: 0,
    },
    Case {
        name: "returns_by_sku",
        schema: "returns",
        fixture: "analytics",
        args: &["returns", "--by", "sku"],
        code: 0,
    },
    Case {
        name: "returns_by_supplier",
        schema: "returns",
        fixture: "analytics",
        args: &["returns", "--by", "supplier"],
        code: 0,
    },
    Case {
        name: "suppliers",
        schema: "suppliers",
        fixture: "analytics",
        args: &["suppliers"],
        code: 0,
    },
    Case {
        name: "recall_simulate",
        schema: "recall-simulate",
        fixture: "analytics",
        args: &["recall", "simulate", "--lot", "A1"],
        code: 0,
    },
    Case {
        name: "recall_simulate_units",
        schema: "recall-simulate",
        fixture: "units",
        args: &["recall", "simulate", "--lot", "T1"],
        code: 0,
    },
    Case {
        name: "recall_compare",
        schema: "recall-compare",
        fixture: "analytics",
        args: &[
            "recall",
            "compare",
            "--scenario",
            "a=lot=A1",
            "--scenario",
            "s=supplier=S1",
        ],
        code: 0,
    },
    Case {
        name: "investigate",
        schema: "investigate",
        fixture: "analytics",
        args: &["investigate", "--from-returns"],
        code: 0,
    },
    Case {
        name: "investigate_lots",
        schema: "investigate",
        fixture: "analytics",
        args: &["investigate", "--lot", "F3", "--lot", "F4"],
        code: 0,
    },
    Case {
        name: "lotcode_check",
        schema: "lotcode-check",
        fixture: "toy",
        args: &[
            "lotcode",
            "check",
            "--scheme",
            "{yy}{jjj}",
            "--on",
            "2026-12-07",
        ],
        code: 0,
    },
    Case {
        name: "lotcode_next",
        schema: "lotcode-next",
        fixture: "toy",
        args: &[
            "lotcode",
            "next",
            "--scheme",
            "L{yy}{jjj}{seq:2}{chk:mod37-36}",
            "--sku",
            "FIN",
            "--date",
            "2024-01-06",
        ],
        code: 0,
    },
    Case {
        name: "lotcode_parse",
        schema: "lotcode-parse",
        fixture: "toy",
        args: &[
            "lotcode",
            "parse",
            "01-2134303",
            "--scheme",
            "{code:flavour}-{yy}{jjj}{seq:2}",
            "--on",
            "2026-12-07",
        ],
        code: 0,
    },
    Case {
        name: "lotcode_check_declared",
        schema: "lotcode-check",
        fixture: "lotcodes",
        args: &["lotcode", "check", "--on", "2026-12-07"],
        code: 0,
    },
    Case {
        name: "lotcode_gs1",
        schema: "lotcode-gs1",
        fixture: "lotcodes",
        args: &["lotcode", "gs1", "01-2134301"],
        code: 0,
    },
    Case {
        name: "lotcode_parse_resolved",
        schema: "lotcode-parse",
        fixture: "lotcodes",
        args: &[
            "lotcode",
            "parse",
            "(01)00614141000029(10)01-2134301",
            "--on",
            "2026-12-07",
        ],
        code: 0,
    },
    Case {
        name: "lotcode_parse_gs1",
        schema: "lotcode-parse",
        fixture: "toy",
        args: &[
            "lotcode",
            "parse",
            "https://id.gs1.org/01/09506000134352/10/01-2134303?17=220100",
            "--scheme",
            "{code:flavour}-{yy}{jjj}{seq:2}",
            "--on",
            "2026-12-07",
        ],
        code: 0,
    },
];

fn schema_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schema")
        .join(format!("{name}.schema.json"))
}

/// Runs a case with `--format json` and parses its output.
fn output(case: &Case) -> Value {
    let ws = ingested(case.fixture);
    let out = lotgraph(ws.path())
        .args(case.args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(case.code),
        "{}: {}",
        case.name,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: not JSON: {e}", case.name))
}

/// The schema `docs/schema/NAME.schema.json`, compiled.
fn validator(name: &str) -> jsonschema::Validator {
    let path = schema_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(name: &str, schema: &str, v: &Value) {
    let errors: Vec<String> = validator(schema)
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: output does not match docs/schema/{schema}.schema.json:\n{}",
        errors.join("\n")
    );
}

/// The files in docs/schema are what the result types generate; run with
/// `LOTGRAPH_WRITE_SCHEMAS=1` to rewrite them after changing a type.
#[test]
fn schemas_in_docs_are_the_generated_ones() {
    let write = std::env::var_os("LOTGRAPH_WRITE_SCHEMAS").is_some();
    for (name, schema) in lotgraph::cmd::schemas() {
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = schema_path(name);
        if write {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "{} is not what the types generate: run LOTGRAPH_WRITE_SCHEMAS=1 cargo test --test json_contract",
            path.display()
        );
    }
}

/// A schema that accepts anything would make the validation below
/// meaningless: a wrong type and a missing key are refused.
#[test]
fn schemas_refuse_what_the_contract_does_not_allow() {
    let ws = ingested("toy");
    let mut v = common::json(ws.path(), &["trace", "back", "R", "--format", "json"]);
    assert_valid("trace", "trace", &v);
    v["lots"][0]["depth"] = Value::from("one");
    assert!(!validator("trace").is_valid(&v), "a depth of text passed");
    let mut v = common::json(ws.path(), &["stats", "--format", "json"]);
    v.as_object_mut().unwrap().remove("counts");
    assert!(
        !validator("stats").is_valid(&v),
        "stats without counts passed"
    );
    let mut v = common::json(ws.path(), &["lot", "show", "F1", "--format", "json"]);
    v["undeclared"] = Value::from(1);
    assert!(!validator("lot").is_valid(&v), "an undeclared key passed");
}

#[test]
fn every_command_json_matches_its_schema() {
    for case in CASES {
        assert_valid(case.name, case.schema, &output(case));
    }
}

#[test]
fn every_command_json_matches_its_snapshot() {
    for case in CASES {
        let v = output(case);
        // Timings differ from run to run.
        insta::assert_json_snapshot!(case.name, v, {".elapsed_ms" => "[ms]", ".scenarios[].elapsed_ms" => "[ms]"});
    }
}

#[test]
fn ingest_summary_json_matches_its_snapshot() {
    let ws = tempfile::tempdir().unwrap();
    let out = lotgraph(ws.path())
        .args(["ingest", "--format", "json"])
        .arg(fixture("bad"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("ingest_bad", "ingest", &v);
    insta::assert_json_snapshot!("ingest_bad", v, {".workspace" => "[workspace]", ".seconds" => "[seconds]"});
}
