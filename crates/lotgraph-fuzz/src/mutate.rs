//! Byte mutators: the generic ones of mutational fuzzers (bit flips,
//! interesting bytes and integers, inserted, deleted and duplicated runs,
//! truncation, splicing two corpus inputs) and CSV-aware ones (quotes,
//! separators, line breaks, NUL, a huge field, many columns, byte-order
//! marks and UTF-16, hostile cell values). Everything is driven by a
//! seeded [`Rng`] so that a run is reproducible from `--seed`.

/// `SplitMix64`: tiny, fast and good enough to choose mutations; seeded so
/// that a run can be repeated.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability 1/n.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Inputs never grow past this (a huge field is the one big mutation).
pub const MAX_LEN: usize = 4 << 20;

const INTERESTING_BYTES: &[u8] = &[0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x20, 0x40];
const INTERESTING_INTS: &[u64] = &[
    0,
    1,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX,
];

/// Cell values that have broken parsers elsewhere.
const HOSTILE_CELLS: &[&str] = &[
    "",
    " ",
    "-0",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1e-320",
    "1e999",
    "99999999999999999999999999",
    "-1",
    "0",
    "0x10",
    "2024-02-30",
    "9999-12-31",
    "-0001-01-01",
    "2024-01-01T25:00:00+99:00",
    "\u{feff}",
    "\u{202e}RTL",
    "é\u{301}",
    "\u{1F600}",
    "supplied",
    "produced",
    "packaging",
    "kg",
    "S1",
    "A",
    "M",
    "F1",
];

/// Applies 1 to 4 stacked mutations to `input`. `other` is a second
/// corpus input for splicing; `csv` enables the CSV-aware mutators.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8], csv: bool) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let kinds = if csv { 21 } else { 11 };
        match rng.below(kinds) {
            0 | 1 => flip_bits(rng, &mut out),
            2 => set_interesting_byte(rng, &mut out),
            3 => set_interesting_int(rng, &mut out),
            4 => insert_run(rng, &mut out),
            5 => delete_run(rng, &mut out),
            6 => duplicate_chunk(rng, &mut out),
            7 => truncate(rng, &mut out),
            8 => out = splice(rng, &out, other),
            9 => overwrite_chunk(rng, &mut out, other),
            10 => add_to_byte(rng, &mut out),
            11 => insert_at(rng, &mut out, b"\""),
            12 => {
                let sep = rng_pick_sep(rng);
                insert_at(rng, &mut out, sep);
            }
            13 => insert_at(rng, &mut out, b"\0"),
            // Big inputs are slow to run: a quarter of their share.
            14 if rng.one_in(4) => huge_field(rng, &mut out),
            15 if rng.one_in(4) => many_columns(rng, &mut out),
            16 => bom_or_utf16(rng, &mut out),
            17 => hostile_cell(rng, &mut out),
            18 => duplicate_line(rng, &mut out),
            19 => delete_line(rng, &mut out),
            _ => insert_at(rng, &mut out, b","),
        }
        out.truncate(MAX_LEN);
    }
    out
}

fn rng_pick_sep(rng: &mut Rng) -> &'static [u8] {
    const SEPS: &[&[u8]] = &[b"\r\n", b"\n", b"\r", b"\n\n", b"\"\n\"", b"\t"];
    SEPS[rng.below(SEPS.len())]
}

fn flip_bits(rng: &mut Rng, b: &mut [u8]) {
    if b.is_empty() {
        return;
    }
    for _ in 0..=rng.below(8) {
        let i = rng.below(b.len());
        b[i] ^= 1 << rng.below(8);
    }
}

fn set_interesting_byte(rng: &mut Rng, b: &mut [u8]) {
    if !b.is_empty() {
        let i = rng.below(b.len());
        b[i] = *rng.pick(INTERESTING_BYTES);
    }
}

fn add_to_byte(rng: &mut Rng, b: &mut [u8]) {
    if !b.is_empty() {
        let i = rng.below(b.len());
        let d = 1 + rng.below(35) as u8;
        b[i] = if rng.one_in(2) {
            b[i].wrapping_add(d)
        } else {
            b[i].wrapping_sub(d)
        };
    }
}

/// Overwrites 1, 2, 4 or 8 bytes with an interesting integer, either
/// endianness: lengths and offsets in binary formats.
fn set_interesting_int(rng: &mut Rng, b: &mut [u8]) {
    let width = *rng.pick(&[1usize, 2, 4, 8]);
    if b.len() < width {
        return;
    }
    let at = rng.below(b.len() - width + 1);
    let v = *rng.pick(INTERESTING_INTS);
    let bytes = if rng.one_in(2) {
        v.to_le_bytes()
    } else {
        v.to_be_bytes()
    };
    let src = if rng.one_in(2) {
        &bytes[..width]
    } else {
        &bytes[8 - width..]
    };
    b[at..at + width].copy_from_slice(src);
}

fn insert_run(rng: &mut Rng, b: &mut Vec<u8>) {
    let at = rng.below(b.len() + 1);
    let n = 1 + rng.below(64);
    let run: Vec<u8> = if rng.one_in(2) {
        vec![rng.next_u64() as u8; n]
    } else {
        (0..n).map(|_| rng.next_u64() as u8).collect()
    };
    b.splice(at..at, run);
}

fn delete_run(rng: &mut Rng, b: &mut Vec<u8>) {
    if b.is_empty() {
        return;
    }
    let at = rng.below(b.len());
    let n = 1 + rng.below((b.len() - at).min(256));
    b.drain(at..at + n);
}

fn duplicate_chunk(rng: &mut Rng, b: &mut Vec<u8>) {
    if b.is_empty() {
        return;
    }
    let from = rng.below(b.len());
    let n = 1 + rng.below((b.len() - from).min(1024));
    let chunk = b[from..from + n].to_vec();
    let at = rng.below(b.len() + 1);
    b.splice(at..at, chunk);
}

fn truncate(rng: &mut Rng, b: &mut Vec<u8>) {
    let keep = rng.below(b.len() + 1);
    b.truncate(keep);
}

/// A prefix of `a` then a suffix of `other`.
fn splice(rng: &mut Rng, a: &[u8], other: &[u8]) -> Vec<u8> {
    let cut_a = rng.below(a.len() + 1);
    let cut_b = rng.below(other.len() + 1);
    let mut out = a[..cut_a].to_vec();
    out.extend_from_slice(&other[cut_b..]);
    out
}

/// Copies a chunk of `other` over `b` at the same length.
fn overwrite_chunk(rng: &mut Rng, b: &mut [u8], other: &[u8]) {
    if b.is_empty() || other.is_empty() {
        return;
    }
    let from = rng.below(other.len());
    let at = rng.below(b.len());
    let n = (1 + rng.below(64))
        .min(other.len() - from)
        .min(b.len() - at);
    b[at..at + n].copy_from_slice(&other[from..from + n]);
}

/// Bytes an input may still grow by: growing mutators build at most
/// this much, so that no mutant costs more than `MAX_LEN` to make.
fn room(b: &[u8]) -> usize {
    MAX_LEN.saturating_sub(b.len())
}

fn insert_at(rng: &mut Rng, b: &mut Vec<u8>, what: &[u8]) {
    let at = rng.below(b.len() + 1);
    b.splice(at..at, what.iter().copied());
}

/// One field of 64 KiB to 2 MiB.
fn huge_field(rng: &mut Rng, b: &mut Vec<u8>) {
    let n = ((64 << 10) + rng.below(2 << 20)).min(room(b));
    let fill = *rng.pick(b"A9\",\n\xc3");
    let at = rng.below(b.len() + 1);
    b.splice(at..at, std::iter::repeat_n(fill, n));
}

/// Hundreds to tens of thousands of extra separators on one line.
fn many_columns(rng: &mut Rng, b: &mut Vec<u8>) {
    let n = 100 + rng.below(50_000);
    const UNITS: &[&[u8]] = &[b",", b",x", b",\"\""];
    let unit = UNITS[rng.below(UNITS.len())];
    let at = rng.below(b.len() + 1);
    let len = (n * unit.len()).min(room(b));
    let run: Vec<u8> = unit.iter().copied().cycle().take(len).collect();
    b.splice(at..at, run);
}

/// A UTF-8 BOM, a UTF-16 BOM, or the whole input as UTF-16LE.
fn bom_or_utf16(rng: &mut Rng, b: &mut Vec<u8>) {
    match rng.below(4) {
        0 => {
            b.splice(0..0, [0xef, 0xbb, 0xbf]);
        }
        1 => {
            b.splice(0..0, [0xff, 0xfe]);
        }
        2 => {
            b.splice(0..0, [0xfe, 0xff]);
        }
        _ => {
            let wide: Vec<u8> = [0xff, 0xfe]
                .into_iter()
                .chain(b.iter().flat_map(|&c| [c, 0]))
                .collect();
            *b = wide;
        }
    }
}

/// Replaces the field around a random position with a hostile value.
fn hostile_cell(rng: &mut Rng, b: &mut Vec<u8>) {
    let at = rng.below(b.len() + 1);
    let is_sep = |c: &u8| matches!(c, b',' | b'\n' | b'\r');
    let start = b[..at].iter().rposition(is_sep).map_or(0, |p| p + 1);
    let end = b[at..].iter().position(is_sep).map_or(b.len(), |p| at + p);
    let cell = rng.pick(HOSTILE_CELLS).as_bytes().to_vec();
    b.splice(start..end, cell);
}

/// The bounds of the line holding a random position.
fn line_at(rng: &mut Rng, b: &[u8]) -> (usize, usize) {
    let at = rng.below(b.len() + 1);
    let start = b[..at]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let end = b[at..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| at + p + 1);
    (start, end)
}

/// Repeats a line 1 to 1000 times (duplicate keys, long files).
fn duplicate_line(rng: &mut Rng, b: &mut Vec<u8>) {
    let (start, end) = line_at(rng, b);
    let mut line = b[start..end].to_vec();
    if !line.ends_with(b"\n") {
        line.push(b'\n');
    }
    let times = 1 + rng.below(1000);
    let run: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take((line.len() * times).min(room(b)))
        .collect();
    b.splice(end..end, run);
}

fn delete_line(rng: &mut Rng, b: &mut Vec<u8>) {
    let (start, end) = line_at(rng, b);
    b.drain(start..end);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_mutants() {
        let input = b"lot_id,sku\nA,B\n";
        let run = |seed| {
            let mut r = Rng::new(seed);
            (0..200)
                .map(|_| mutate(&mut r, input, b"x,y\n", true))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn mutants_differ_stay_bounded_and_survive_empty_input() {
        let mut r = Rng::new(1);
        let input = b"lot_id,sku,origin,quantity\nA,RAW,supplied,1\n";
        let mut changed = 0;
        for _ in 0..200 {
            let m = mutate(&mut r, input, b"", true);
            assert!(m.len() <= MAX_LEN);
            changed += usize::from(m != input);
            let textual = r.one_in(2);
            let e = mutate(&mut r, b"", b"", textual);
            assert!(e.len() <= MAX_LEN);
        }
        assert!(changed > 180, "only {changed} of 200 mutants changed");
    }
}
