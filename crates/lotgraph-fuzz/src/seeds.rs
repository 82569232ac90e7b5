//! Seed corpora: every file of the repository's fixtures
//! (`data/fixtures/*`, read, never written), a tiny generated dataset, the
//! same tables as Parquet in three encodings (writer defaults, plain and
//! delta encodings without dictionaries, BINARY instead of UTF8), and the
//! reproducers kept under `crates/lotgraph-fuzz/regressions/<target>/`.
//! Every seed starts with the selector byte of its file (see `targets`).

use crate::targets::STEMS;
use arrow_array::{ArrayRef, BinaryArray, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::Encoding;
use parquet::file::properties::WriterProperties;
use std::path::PathBuf;
use std::sync::Arc;

/// `data/fixtures` of this repository.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/fixtures")
}

/// `crates/lotgraph-fuzz/regressions`.
pub fn regressions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions")
}

/// The inputs kept under `regressions/<target>/` (sorted by name).
pub fn regressions(target: &str) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(regressions_dir().join(target))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.is_file())
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// A small dataset generated here: a chain of produced lots with a
/// split, a merge and shipments, so that mutants start from many rows.
fn generated() -> Vec<(&'static str, String)> {
    let mut lots = String::from("lot_id,sku,origin,supplier_id,site_id,produced_on,quantity\n");
    let mut cons = String::from("input_lot_id,output_lot_id,quantity,consumed_on\n");
    let mut ship = String::from(
        "shipment_id,lot_id,quantity,from_site_id,to_site_id,customer_id,shipped_on,delivered_on\n",
    );
    for i in 0..12 {
        lots.push_str(&format!(
            "S{i},RAW,supplied,SUP{},P1,2024-01-01,100\n",
            i % 3
        ));
        lots.push_str(&format!("P{i},FIN,produced,,P1,2024-01-{:02},50\n", 2 + i));
        cons.push_str(&format!("S{i},P{i},40,2024-01-02\n"));
        if i > 0 {
            cons.push_str(&format!("P{},P{i},5.5,2024-01-03\n", i - 1));
        }
        ship.push_str(&format!(
            "SH{i},P{i},10,P1,,C{},2024-02-01,2024-02-0{}\n",
            i % 4,
            1 + i % 9
        ));
    }
    vec![
        ("lots", lots),
        ("consumptions", cons),
        ("shipments", ship),
        (
            "products",
            "sku,name,category,uom,kg_per_uom\nRAW,raw,raw,kg,\nFIN,fin,finished,ea,0.5\n".into(),
        ),
    ]
}

/// Every table of the seed datasets: (selector, CSV bytes).
fn tables() -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    for d in dirs {
        for (k, stem) in STEMS.iter().enumerate() {
            if let Ok(bytes) = std::fs::read(d.join(format!("{stem}.csv"))) {
                out.push((k as u8, bytes));
            }
        }
    }
    for (stem, text) in generated() {
        if let Some(k) = STEMS.iter().position(|s| *s == stem) {
            out.push((k as u8, text.into_bytes()));
        }
    }
    out
}

fn with_selector(sel: u8, bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.push(sel);
    v.extend_from_slice(bytes);
    v
}

/// Seeds of the `csv` target.
pub fn csv_seeds() -> Vec<Vec<u8>> {
    let mut s: Vec<Vec<u8>> = tables().iter().map(|(k, b)| with_selector(*k, b)).collect();
    s.extend(regressions("csv"));
    s
}

/// How a seed table is written as Parquet.
#[derive(Clone, Copy)]
enum Style {
    Default,
    PlainDelta,
    Binary,
}

/// A CSV table as Parquet: every column as text (UTF8, or BINARY).
/// `None` when the CSV does not parse as a rectangle (the `bad` fixture).
fn to_parquet(csv_bytes: &[u8], style: Style) -> Option<Vec<u8>> {
    let mut r = csv::ReaderBuilder::new().from_reader(csv_bytes);
    let headers: Vec<String> = r.headers().ok()?.iter().map(str::to_string).collect();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    for rec in r.records() {
        let rec = rec.ok()?;
        if rec.len() != headers.len() {
            return None;
        }
        for (c, v) in cols.iter_mut().zip(rec.iter()) {
            c.push(v.to_string());
        }
    }
    let arrays: Vec<(String, ArrayRef)> = headers
        .into_iter()
        .zip(cols)
        .map(|(h, c)| {
            let a: ArrayRef = match style {
                Style::Binary => Arc::new(BinaryArray::from_iter_values(c.iter())),
                _ => Arc::new(
                    c.iter()
                        .map(|v| (!v.is_empty()).then_some(v.as_str()))
                        .collect::<StringArray>(),
                ),
            };
            (h, a)
        })
        .collect();
    let batch = RecordBatch::try_from_iter(arrays).ok()?;
    let props = match style {
        Style::PlainDelta => Some(
            WriterProperties::builder()
                .set_dictionary_enabled(false)
                .set_encoding(Encoding::DELTA_BYTE_ARRAY)
                .build(),
        ),
        _ => None,
    };
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, batch.schema(), props).ok()?;
    w.write(&batch).ok()?;
    w.close().ok()?;
    Some(buf)
}

/// Seeds of the `parquet` target.
pub fn parquet_seeds() -> Vec<Vec<u8>> {
    let mut s = Vec::new();
    for (k, csv_bytes) in tables() {
        for style in [Style::Default, Style::PlainDelta, Style::Binary] {
            if let Some(p) = to_parquet(&csv_bytes, style) {
                s.push(with_selector(k, &p));
            }
        }
    }
    s.extend(regressions("parquet"));
    s
}
