//! Tests of the scanner: the csv crate must see what it would see without
//! it (property tests on random CSV-ish bytes), and notes must name the
//! right fields, lines and sizes.
use super::*;
use proptest::prelude::*;
use std::io::Cursor;

/// Records (fields as bytes) and the notes of each, parsed through the
/// scanner with the given caps and a reader buffer of `cap` bytes (small
/// buffers put every state on a read boundary).
fn scanned(input: &[u8], limits: Limits, cap: usize) -> Vec<(Vec<Vec<u8>>, Vec<Note>)> {
    let scan = Rc::new(RefCell::new(Scanner::new()));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(cap)
        .from_reader(LineIndexed {
            inner: Cursor::new(input.to_vec()),
            scan: scan.clone(),
        });
    // No header here: leave the header phase at once.
    scan.borrow_mut().end_header();
    scan.borrow_mut().set_limits(&limits);
    let mut out = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec).unwrap() {
        let notes = scan.borrow_mut().take_notes(r.position().byte());
        out.push((rec.iter().map(<[u8]>::to_vec).collect(), notes));
    }
    out
}

fn direct(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    r.byte_records()
        .map(|x| x.unwrap().iter().map(<[u8]>::to_vec).collect())
        .collect()
}

const BIG: Limits = Limits {
    max_field_bytes: 1 << 30,
    max_record_bytes: 1 << 30,
    max_columns: 1024,
};

fn csvish() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b'a'),
            Just(b'b'),
            Just(b','),
            Just(b'"'),
            Just(b'\n'),
            Just(b'\r')
        ],
        0..200,
    )
}

proptest! {
    #[test]
    fn without_caps_the_parser_sees_every_byte(input in csvish(), cap in 2usize..40) {
        let got: Vec<_> = scanned(&input, BIG, cap).into_iter().map(|(r, _)| r).collect();
        prop_assert_eq!(got, direct(&input));
    }

    #[test]
    fn caps_cut_only_the_record_they_are_crossed_in(input in csvish(), field in 1u64..8, record in 1u64..30, cap in 2usize..40) {
        let limits = Limits { max_field_bytes: field, max_record_bytes: record, max_columns: 1024 };
        let got = scanned(&input, limits, cap);
        let want = direct(&input);
        prop_assert_eq!(got.len(), want.len(), "same number of records");
        for ((g, notes), w) in got.iter().zip(&want) {
            let over = notes.iter().any(|n| matches!(n.kind, NoteKind::FieldOver { .. } | NoteKind::RecordOver { .. }));
            if !over {
                prop_assert_eq!(g, w);
            }
            for f in g {
                // A field keeps at most its cap (plus the quotes of a
                // pair or the closing quote the cap fell inside).
                prop_assert!(f.len() as u64 <= field + 1, "{:?}", f);
            }
        }
    }
}

#[test]
fn unclosed_and_spanning_quotes_are_noted_with_their_lines() {
    let recs = scanned(b"a,\"x\ny\",b\nc,\"12", BIG, 64);
    assert_eq!(recs.len(), 2);
    assert_eq!(
        recs[0].1,
        vec![Note {
            at: 2,
            field: 1,
            line: 1,
            kind: NoteKind::Spanning { close_line: 2 }
        }]
    );
    assert_eq!(recs[1].0, vec![b"c".to_vec(), b"12".to_vec()]);
    assert!(matches!(
        recs[1].1[..],
        [Note {
            field: 1,
            line: 3,
            kind: NoteKind::Unclosed { eof_line: 3 },
            ..
        }]
    ));
}

#[test]
fn a_file_ending_in_a_line_break_inside_quotes_ends_on_the_last_line() {
    let recs = scanned(b"a\nc,\"12\nmore\n", BIG, 64);
    assert!(matches!(
        recs[1].1[..],
        [Note {
            line: 2,
            kind: NoteKind::Unclosed { eof_line: 3 },
            ..
        }]
    ));
}

#[test]
fn a_field_over_its_cap_is_counted_whole_and_kept_short() {
    let mut input = b"id,".to_vec();
    input.extend(std::iter::repeat_n(b'x', 10_000));
    input.extend(b"\nnext,1\n");
    let limits = Limits {
        max_field_bytes: 100,
        ..BIG
    };
    let recs = scanned(&input, limits, 512);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].0[1].len(), 100);
    assert!(matches!(
        recs[0].1[..],
        [Note {
            field: 1,
            kind: NoteKind::FieldOver {
                bytes: 10_000,
                limit: 100
            },
            ..
        }]
    ));
    assert_eq!(recs[1], (vec![b"next".to_vec(), b"1".to_vec()], vec![]));
}
