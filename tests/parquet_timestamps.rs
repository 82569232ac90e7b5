//! Parquet timestamps of every flavour load like their CSV equivalents:
//! naive, UTC (`"UTC"` as Parquet writers store instants), a fixed offset
//! (`"+01:00"`) and an IANA zone (`"Europe/Paris"`). The date of a
//! timestamp is its date in its own zone, as for CSV's RFC 3339 values, so
//! each flavour is given the instant whose local date is the CSV's date.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use arrow_array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use common::{fixture, ingested, json, lotgraph};
use std::sync::Arc;

/// A shipments.csv row: id, lot, quantity, from, to, customer, `shipped_on`,
/// `delivered_on`, status.
type Shipment = (
    &'static str,
    &'static str,
    f64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

/// The toy fixture's shipments.
const SHIPMENTS: &[Shipment] = &[
    (
        "SH1",
        "F1",
        60.0,
        "P1",
        "DC1",
        "",
        "2024-01-07",
        Some("2024-01-08"),
        "",
    ),
    (
        "SH2",
        "F1",
        40.0,
        "DC1",
        "",
        "C1",
        "2024-01-09",
        Some("2024-01-10"),
        "delivered",
    ),
    (
        "SH3",
        "F1",
        10.0,
        "DC1",
        "",
        "C2",
        "2024-01-11",
        None,
        "in_transit",
    ),
    (
        "SH2",
        "F2",
        50.0,
        "P1",
        "",
        "C1",
        "2024-01-09",
        Some("2024-01-10"),
        "",
    ),
];

/// 00:30 local time: in Paris (UTC+1 in January) that is the previous day
/// in UTC, so taking the UTC date would give a wrong answer.
fn local(date: &str) -> NaiveDateTime {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 30, 0)
        .unwrap()
}

/// Microseconds since the epoch of `date` 00:30 in `zone` (`None`: naive).
fn micros(date: &str, zone: Option<&str>) -> i64 {
    let t = local(date);
    let utc = match zone {
        None | Some("UTC") => t.and_utc(),
        Some("+01:00") => chrono::FixedOffset::east_opt(3600)
            .unwrap()
            .from_local_datetime(&t)
            .unwrap()
            .to_utc(),
        Some(z) => {
            let tz: chrono_tz::Tz = z.parse().unwrap();
            tz.from_local_datetime(&t).unwrap().to_utc()
        }
    };
    utc.timestamp_micros()
}

fn write_shipments(dir: &std::path::Path, zone: Option<&str>) {
    let text = |f: fn(&Shipment) -> &'static str| {
        Arc::new(StringArray::from_iter_values(SHIPMENTS.iter().map(f))) as ArrayRef
    };
    let delivered: TimestampMicrosecondArray = SHIPMENTS
        .iter()
        .map(|s| s.7.map(|d| micros(d, zone)))
        .collect();
    let delivered = delivered.with_timezone_opt(zone.map(str::to_string));
    let quantity: ArrayRef = Arc::new(arrow_array::Float64Array::from_iter_values(
        SHIPMENTS.iter().map(|s| s.2),
    ));
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("shipment_id", text(|s| s.0)),
        ("lot_id", text(|s| s.1)),
        ("quantity", quantity),
        ("from_site_id", text(|s| s.3)),
        ("to_site_id", text(|s| s.4)),
        ("customer_id", text(|s| s.5)),
        ("shipped_on", text(|s| s.6)),
        ("delivered_on", Arc::new(delivered)),
        ("status", text(|s| s.8)),
    ];
    let batch = RecordBatch::try_from_iter(cols).unwrap();
    let file = std::fs::File::create(dir.join("shipments.parquet")).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn every_timestamp_flavour_loads_like_csv() {
    let csv_ws = ingested("toy");
    let expected = json(csv_ws.path(), &["lot", "show", "F1", "--format", "json"]);
    let expected_f2 = json(csv_ws.path(), &["lot", "show", "F2", "--format", "json"]);
    for zone in [None, Some("UTC"), Some("+01:00"), Some("Europe/Paris")] {
        let dir = tempfile::tempdir().unwrap();
        for f in std::fs::read_dir(fixture("toy")).unwrap() {
            let f = f.unwrap();
            let name = f.file_name().to_string_lossy().into_owned();
            if name.ends_with(".csv") && name != "shipments.csv" {
                std::fs::copy(f.path(), dir.path().join(&name)).unwrap();
            }
        }
        write_shipments(dir.path(), zone);
        let ws = tempfile::tempdir().unwrap();
        let out = lotgraph(ws.path())
            .arg("ingest")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "zone {zone:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            json(ws.path(), &["lot", "show", "F1", "--format", "json"]),
            expected,
            "zone {zone:?}"
        );
        assert_eq!(
            json(ws.path(), &["lot", "show", "F2", "--format", "json"]),
            expected_f2,
            "zone {zone:?}"
        );
    }
}
