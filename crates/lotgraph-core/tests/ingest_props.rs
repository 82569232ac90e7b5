//! Property tests of the ingest on random CSV text: lots.csv and
//! consumptions.csv mixing valid rows, invalid values, quoted fields with
//! embedded line breaks, blank lines, short and long rows, LF and CRLF.
//! Every file's report accounts for each record read (`loaded + rejected ==
//! read`), exactly the rows that should be rejected are, and each reject's
//! line is the physical line where its record starts (computed by the
//! generator as it writes the text).

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lotgraph_core::ingest::{CsvOnly, RejectKind, ingest_dir};
use proptest::prelude::*;

/// The note cell of a valid lot row.
#[derive(Clone, Debug)]
enum Note {
    Empty,
    Plain(String),
    /// A quoted field: its pieces joined by line breaks, with `""` escapes
    /// and commas inside when `fancy`.
    Quoted {
        pieces: Vec<String>,
        fancy: bool,
    },
}

/// One physical thing in lots.csv.
#[derive(Clone, Debug)]
enum LotRow {
    /// A row that loads: produced (no supplier needed) or supplied by S1.
    Valid {
        produced: bool,
        quantity: u32,
        note: Note,
    },
    /// A row with one invalid value (which one: `0..7`).
    BadValue(u8),
    /// Fewer fields than the header.
    Short,
    /// More fields than the header.
    Long,
    /// An empty line (not a record).
    Blank,
}

/// One physical thing in consumptions.csv: lots by index into the lot rows
/// (an index past them names a lot that does not exist).
#[derive(Clone, Debug)]
enum ConsRow {
    Edge {
        input: usize,
        output: usize,
        quantity: i32,
    },
    Short,
    Blank,
}

fn word() -> impl Strategy<Value = String> {
    "[a-z]{0,6}"
}

fn note() -> impl Strategy<Value = Note> {
    prop_oneof![
        Just(Note::Empty),
        "[a-z]{1,6}".prop_map(Note::Plain),
        (prop::collection::vec(word(), 1..4), any::<bool>())
            .prop_map(|(pieces, fancy)| Note::Quoted { pieces, fancy }),
    ]
}

fn lot_row() -> impl Strategy<Value = LotRow> {
    prop_oneof![
        6 => (any::<bool>(), 1u32..1000, note()).prop_map(|(produced, quantity, note)| {
            LotRow::Valid { produced, quantity, note }
        }),
        3 => (0u8..7).prop_map(LotRow::BadValue),
        1 => Just(LotRow::Short),
        1 => Just(LotRow::Long),
        1 => Just(LotRow::Blank),
    ]
}

fn cons_row() -> impl Strategy<Value = ConsRow> {
    prop_oneof![
        6 => (0usize..30, 0usize..30, -2i32..5).prop_map(|(a, b, q)| {
            // Inputs before outputs: the genealogy stays acyclic.
            let (input, output) = if a <= b { (a, b + 1) } else { (b, a) };
            ConsRow::Edge { input, output, quantity: q }
        }),
        1 => Just(ConsRow::Short),
        1 => Just(ConsRow::Blank),
    ]
}

/// Text being written, with the physical line the next record starts on.
struct Text {
    s: String,
    line: u64,
    crlf: bool,
}

impl Text {
    fn new(header: &str, crlf: bool) -> Text {
        let mut t = Text {
            s: String::new(),
            line: 1,
            crlf,
        };
        t.push(header);
        t
    }

    /// Appends one record (or blank line) and its line break; returns the
    /// line it starts on.
    fn push(&mut self, record: &str) -> u64 {
        let start = self.line;
        self.s.push_str(record);
        self.s.push_str(if self.crlf { "\r\n" } else { "\n" });
        self.line += 1 + record.matches('\n').count() as u64;
        start
    }
}

fn note_text(n: &Note) -> String {
    match n {
        Note::Empty => String::new(),
        Note::Plain(s) => s.clone(),
        Note::Quoted { pieces, fancy } => {
            let body = pieces.join("\n");
            let body = if *fancy {
                format!("say \"\"{body}\"\", ok")
            } else {
                body
            };
            format!("\"{body}\"")
        }
    }
}

/// The text of lot row `i`, and whether it loads.
fn lot_text(i: usize, row: &LotRow) -> (String, bool) {
    let id = format!("L{i}");
    match row {
        LotRow::Valid {
            produced,
            quantity,
            note,
        } => {
            let (origin, supplier) = if *produced {
                ("produced", "")
            } else {
                ("supplied", "S1")
            };
            let n = note_text(note);
            (format!("{id},RAW,{origin},{supplier},{quantity},{n}"), true)
        }
        LotRow::BadValue(which) => {
            let text = match which {
                0 => format!("{id},RAW,supplied,S1,-3,"),
                1 => format!("{id},RAW,supplied,S1,abc,"),
                2 => format!("{id},RAW,supplied,S1,0,"),
                3 => format!("{id},RAW,supplied,S1,,"),
                4 => format!("{id},RAW,bogus,S1,1,"),
                5 => format!("{id},RAW,supplied,,1,"),
                _ => ",RAW,supplied,S1,1,\"multi\nline\"".to_string(),
            };
            (text, false)
        }
        LotRow::Short => (format!("{id},RAW"), false),
        LotRow::Long => (format!("{id},RAW,supplied,S1,1,,x,y"), false),
        LotRow::Blank => (String::new(), false),
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_record_is_counted_and_every_reject_names_its_first_line(
        lots in prop::collection::vec(lot_row(), 1..30),
        cons in prop::collection::vec(cons_row(), 0..30),
        crlf in any::<bool>(),
    ) {
        // lots.csv: expected records, and the start lines of rejected ones.
        let mut lt = Text::new("lot_id,sku,origin,supplier_id,quantity,note", crlf);
        let (mut lot_records, mut lot_bad) = (0u64, Vec::new());
        // Per lot row index: Some(produced) when it loads.
        let mut loads: Vec<Option<bool>> = Vec::new();
        for (i, row) in lots.iter().enumerate() {
            let (text, ok) = lot_text(i, row);
            let line = lt.push(&text);
            let is_blank = matches!(row, LotRow::Blank);
            if !is_blank {
                lot_records += 1;
                if !ok {
                    lot_bad.push(line);
                }
            }
            loads.push(match row {
                LotRow::Valid { produced, .. } => Some(*produced),
                _ => None,
            });
        }
        // consumptions.csv likewise: an edge loads when both lots loaded,
        // the output is produced and the quantity is positive.
        let mut ct = Text::new("input_lot_id,output_lot_id,quantity", crlf);
        let (mut cons_records, mut cons_bad) = (0u64, Vec::new());
        for row in &cons {
            match row {
                ConsRow::Edge { input, output, quantity } => {
                    let line = ct.push(&format!("L{input},L{output},{quantity}"));
                    cons_records += 1;
                    let loaded = |i: usize| loads.get(i).copied().flatten();
                    let ok = loaded(*input).is_some()
                        && loaded(*output) == Some(true)
                        && *quantity > 0;
                    if !ok {
                        cons_bad.push(line);
                    }
                }
                ConsRow::Short => {
                    cons_bad.push(ct.push("L0"));
                    cons_records += 1;
                }
                ConsRow::Blank => {
                    ct.push("");
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lots.csv"), &lt.s).unwrap();
        std::fs::write(dir.path().join("consumptions.csv"), &ct.s).unwrap();
        let ing = ingest_dir(dir.path(), &CsvOnly).unwrap();
        for r in &ing.reports {
            prop_assert_eq!(r.loaded + r.rejected, r.read, "{}", r.file);
        }
        let report = |f: &str| ing.reports.iter().find(|r| r.file == f).unwrap();
        prop_assert_eq!(report("lots.csv").read, lot_records);
        prop_assert_eq!(report("consumptions.csv").read, cons_records);
        let lines = |f: &str| -> Vec<u64> {
            ing.rejects.iter().filter(|r| r.file == f).map(|r| r.line).collect()
        };
        prop_assert_eq!(lines("lots.csv"), lot_bad, "{:?}", ing.rejects);
        prop_assert_eq!(lines("consumptions.csv"), cons_bad, "{:?}", ing.rejects);
        prop_assert!(ing.rejects.iter().all(|r| r.kind != RejectKind::Other));
    }
}
