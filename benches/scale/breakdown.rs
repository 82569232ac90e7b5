//! The scale benchmark's breakdown and what-if measurements (run unless
//! `--no-breakdown`, after the measured phases): where ingest time goes,
//! and what a leaner hasher, date parser or adjacency layout would cost;
//! where a trace's time goes, and what a cheaper sort would save.

use super::measure::*;
use lotgraph::core::{Dataset, Direction, Genealogy, LotIx, TraceLot, Tracer};
use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

/// rustc's Fx hash + a finalizer: what a non-cryptographic hasher costs
/// for id lookups.
#[derive(Default)]
pub(crate) struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn finish(&self) -> u64 {
        // Fx alone leaves the high bits (hashbrown's tag) weak on ids that
        // differ only in their last digits; finish with murmur3's fmix64.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A `YYYY-MM-DD` fast path in front of chrono's format-string parser.
pub(crate) fn fast_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// CSR built straight from the consumptions: count, scatter into the final
/// arrays, sort each (small) row in place, merge parallel edges. No
/// intermediate edge lists.
pub(crate) fn lean_csr(
    n: usize,
    cons: &lotgraph::core::tables::ConsumptionTable,
    forward: bool,
) -> (Vec<u64>, Vec<LotIx>, Vec<f64>) {
    let ends = |c: &lotgraph::core::model::Consumption| {
        if forward {
            (c.input.ix(), c.output)
        } else {
            (c.output.ix(), c.input)
        }
    };
    let mut off = vec![0u64; n + 1];
    for c in cons {
        off[ends(&c).0 + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let m = cons.len();
    let mut tg = vec![LotIx(0); m];
    let mut q = vec![0.0f64; m];
    let mut fill: Vec<u64> = off[..n].to_vec();
    for c in cons {
        let (from, to) = ends(&c);
        let slot = fill[from] as usize;
        tg[slot] = to;
        q[slot] = c.quantity;
        fill[from] += 1;
    }
    drop(fill);
    let mut w = 0usize;
    let mut row: Vec<(LotIx, f64)> = Vec::new();
    for v in 0..n {
        let (a, b) = (off[v] as usize, off[v + 1] as usize);
        row.clear();
        row.extend((a..b).map(|i| (tg[i], q[i])));
        row.sort_unstable_by_key(|e| e.0);
        off[v] = w as u64;
        for &(t, x) in &row {
            if w > off[v] as usize && tg[w - 1] == t {
                q[w - 1] += x;
            } else {
                tg[w] = t;
                q[w] = x;
                w += 1;
            }
        }
    }
    off[n] = w as u64;
    tg.truncate(w);
    q.truncate(w);
    (off, tg, q)
}

/// Where ingest's time goes, step by step, with what-if alternatives:
/// (what was measured, its time), in the order printed.
pub(crate) fn ingest_breakdown(data_dir: &Path, ds: &Dataset) -> Vec<(String, Duration)> {
    let mut out: Vec<(String, Duration)> = Vec::new();
    out.push(csv_tokenize(data_dir));
    genealogy_build(ds, &mut out);
    id_lookups(ds, &mut out);
    date_parsing(ds, &mut out);
    out
}

/// Tokenizing every CSV file of `data_dir`, nothing else: the floor under
/// ingest's parsing.
fn csv_tokenize(data_dir: &Path) -> (String, Duration) {
    let t = Instant::now();
    let mut records = 0u64;
    for e in std::fs::read_dir(data_dir).expect("read dir").flatten() {
        let file = File::open(e.path()).expect("open csv");
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
        let mut rec = csv::ByteRecord::new();
        while r.read_byte_record(&mut rec).expect("csv") {
            records += 1;
        }
    }
    (
        format!(
            "csv tokenize only, all files ({} records)",
            thousands(records)
        ),
        t.elapsed(),
    )
}

/// The genealogy's construction and cycle check, against a lean CSR built
/// straight from the consumptions, with each one's peak memory.
fn genealogy_build(ds: &Dataset, out: &mut Vec<(String, Duration)>) {
    // Peak memory of a step: VmHWM is reset to the current RSS first.
    let peak_from = || {
        trim_heap();
        reset_hwm();
        proc_kb("VmRSS")
    };
    let peak = |base: Option<u64>| match (proc_kb("VmHWM"), base) {
        (Some(h), Some(b)) if h >= b => format!(", peak +{:.0} MiB", (h - b) as f64 / 1024.0),
        _ => String::new(),
    };
    let base = peak_from();
    let t = Instant::now();
    let g = Genealogy::from_dataset(ds);
    let d = t.elapsed();
    out.push((format!("Genealogy::from_dataset{}", peak(base)), d));
    let t = Instant::now();
    assert!(g.check_acyclic().is_ok());
    out.push(("Genealogy::check_acyclic".into(), t.elapsed()));
    drop(g);
    let base = peak_from();
    let t = Instant::now();
    let (fo, ft, fq) = lean_csr(ds.lots.len(), &ds.consumptions, true);
    let (io, it, iq) = lean_csr(ds.lots.len(), &ds.consumptions, false);
    let totals: Vec<f64> = (0..ds.lots.len())
        .map(|v| iq[io[v] as usize..io[v + 1] as usize].iter().sum())
        .collect();
    let d = t.elapsed();
    out.push((
        format!(
            "  what-if: both CSRs built straight from consumptions{}",
            peak(base)
        ),
        d,
    ));
    std::hint::black_box((&fo, &ft, &fq, &io, &it, &iq, &totals));
}

/// Times one pass of lot id lookups over the consumptions, 2 per row (or
/// fewer when `memo_output` remembers the last output id), each id text
/// rebuilt from the index; gives (time, lookups that hit).
fn lookup_pass(ds: &Dataset, m: &dyn Fn(&str) -> bool, memo_output: bool) -> (Duration, u64) {
    let t = Instant::now();
    let mut hits = 0u64;
    let mut last_output = None;
    let mut buf = *b"L000000000";
    let mut text = |ix: LotIx| {
        let mut v = ix.0;
        for k in (1..10).rev() {
            buf[k] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        buf
    };
    for c in &ds.consumptions {
        let b = text(c.input);
        hits += u64::from(m(std::str::from_utf8(&b).expect("ascii")));
        let b = text(c.output);
        if memo_output && last_output == Some(b) {
            hits += 1;
            continue;
        }
        hits += u64::from(m(std::str::from_utf8(&b).expect("ascii")));
        last_output = Some(b);
    }
    (t.elapsed(), hits)
}

/// Lot id interning and lookups, as Registry does them (`SipHash`), and with
/// the Fx hash.
fn id_lookups(ds: &Dataset, out: &mut Vec<(String, Duration)>) {
    let t = Instant::now();
    let mut sip: std::collections::HashMap<String, u32> = std::collections::HashMap::default();
    for (i, l) in ds.lots.iter().enumerate() {
        sip.insert(l.id.to_owned(), i as u32);
    }
    out.push((
        "lot id map build, SipHash (1 insert per lot)".into(),
        t.elapsed(),
    ));
    // The ids are rebuilt as text from the index (the generator's scheme),
    // as ingest sees them in a CSV record, hot in cache; the cost of
    // producing the text is measured alone and subtracted.
    assert!(
        (0..ds.lots.len())
            .step_by(9973)
            .all(|i| ds.lots.get(i).id == format!("L{i:09}"))
    );
    let lookups = |m: &dyn Fn(&str) -> bool| lookup_pass(ds, m, false);
    let (base, n_base) = lookups(&|id| std::hint::black_box(id).len() == 10);
    let n_lookups = 2 * ds.consumptions.len() as u64;
    assert_eq!(n_base, n_lookups);
    let (sip_t, n_sip) = lookups(&|id| sip.contains_key(id));
    assert_eq!(n_sip, n_lookups);
    out.push((
        format!(
            "{} lot id lookups (2 per consumption), SipHash",
            thousands(2 * ds.consumptions.len() as u64)
        ),
        sip_t.saturating_sub(base),
    ));
    out.push((
        "  what-if: the same, remembering the last output id".into(),
        {
            let (t, n) = lookup_pass(ds, &|id| sip.contains_key(id), true);
            assert_eq!(n, n_lookups);
            t.saturating_sub(base)
        },
    ));
    // Ingester::finish turns the HashMap<String, u32> into a
    // HashMap<String, LotIx> by re-collecting (re-hashing) every entry.
    let t = Instant::now();
    let relabeled: std::collections::HashMap<String, LotIx> =
        sip.into_iter().map(|(k, v)| (k, LotIx(v))).collect();
    out.push((
        "re-collect of the lot id map into HashMap<String, LotIx> (Ingester::finish)".into(),
        t.elapsed(),
    ));
    let mut fx: std::collections::HashMap<String, LotIx, std::hash::BuildHasherDefault<Fx>> =
        std::collections::HashMap::default();
    fx.extend(relabeled);
    out.push((
        "  what-if: the plain lookups with an Fx-style hash".into(),
        {
            let (fx_t, n_fx) = lookups(&|id| fx.contains_key(id));
            assert_eq!(n_fx, n_lookups);
            fx_t.saturating_sub(base)
        },
    ));
}

/// Times one pass over the consumptions' `consumed_on` dates rebuilt as
/// `YYYY-MM-DD` text and handed to `f`; gives (time, texts `f` accepted).
fn date_pass(ds: &Dataset, f: &dyn Fn(&str) -> bool) -> (Duration, u64) {
    let t = Instant::now();
    let mut ok = 0u64;
    let mut buf = [0u8; 10];
    for c in &ds.consumptions {
        use chrono::Datelike;
        let d = c.consumed_on.expect("consumed_on");
        let (y, m, day) = (d.year() as u32, d.month(), d.day());
        for (i, (v, w)) in [(y, 4), (m, 2), (day, 2)].into_iter().enumerate() {
            let at = [0, 5, 8][i];
            let mut v = v;
            for k in (0..w).rev() {
                buf[at + k] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        }
        buf[4] = b'-';
        buf[7] = b'-';
        ok += u64::from(f(std::str::from_utf8(&buf).expect("ascii")));
    }
    (t.elapsed(), ok)
}

/// Date parsing of `consumed_on`: chrono's format-string parser vs a
/// YYYY-MM-DD fast path (the cost of producing the text is subtracted).
fn date_parsing(ds: &Dataset, out: &mut Vec<(String, Duration)>) {
    let (base, _) = date_pass(ds, &|s| std::hint::black_box(s).len() == 10);
    let (chrono_t, ok) = date_pass(ds, &|s| lotgraph::core::ingest::parse::date(s).is_ok());
    let (fast_t, ok2) = date_pass(ds, &|s| fast_date(s).is_some());
    assert_eq!((ok, ok2), (ds.consumptions.len() as u64, ok));
    out.push((
        format!(
            "{} parse::date calls (consumed_on; building the texts, {}, subtracted)",
            thousands(ok),
            fmt_dur(base)
        ),
        chrono_t.saturating_sub(base),
    ));
    out.push((
        format!(
            "  what-if: YYYY-MM-DD fast path (texts included: {})",
            fmt_dur(fast_t)
        ),
        fast_t.saturating_sub(base),
    ));
}

/// Where a trace's time goes: four more passes over the same roots, each
/// like the measured one: the library's trace again; the walk alone (same
/// closure, no sort); and two what-ifs for the sort by (depth, lot id): one
/// key lookup per lot (`sort_by_cached_key`) instead of two per comparison,
/// and integer keys from a rank of every lot id computed once per dataset.
/// Prints its lines.
pub(crate) fn trace_breakdown(
    ds: &Dataset,
    tracer: &mut Tracer,
    back_roots: &[LotIx],
    fwd_roots: &[LotIx],
) {
    let n_lots = ds.lots.len();
    let t = Instant::now();
    let mut order: Vec<u32> = (0..n_lots as u32).collect();
    order.sort_unstable_by(|a, b| ds.lots.get(*a as usize).id.cmp(ds.lots.get(*b as usize).id));
    let mut rank = vec![0u32; n_lots];
    for (r, &ix) in order.iter().enumerate() {
        rank[ix as usize] = r as u32;
    }
    drop(order);
    println!(
        "  breakdown: what-if: rank of every lot id (once per dataset): {}",
        fmt_dur(t.elapsed())
    );
    for (name, roots, dir) in [
        ("back", back_roots, Direction::Upstream),
        ("forward", fwd_roots, Direction::Downstream),
    ] {
        let collect = |tracer: &mut Tracer, r: LotIx| {
            let mut lots = Vec::new();
            tracer.walk(&[r], dir, |lot, depth, share| {
                if lot != r {
                    lots.push(TraceLot { lot, depth, share });
                }
            });
            lots
        };
        let mut pass = |f: &mut dyn FnMut(&mut Tracer, LotIx)| {
            let mut times = Vec::with_capacity(roots.len());
            for &r in roots {
                let t = Instant::now();
                f(tracer, r);
                times.push(t.elapsed());
            }
            trace_stats(times, &[])
        };
        let lib = pass(&mut |tr, r| {
            std::hint::black_box(tr.trace(ds, r, dir, None));
        });
        let walk = pass(&mut |tr, r| {
            std::hint::black_box(collect(tr, r));
        });
        let cached = pass(&mut |tr, r| {
            let mut lots = collect(tr, r);
            lots.sort_by_cached_key(|l| (l.depth, ds.lot_id(l.lot)));
            std::hint::black_box(lots);
        });
        let ranked = pass(&mut |tr, r| {
            let mut lots = collect(tr, r);
            lots.sort_unstable_by_key(|l| (l.depth, rank[l.lot.ix()]));
            std::hint::black_box(lots);
        });
        println!(
            "  breakdown: trace {name:<7} p50/p99: again {}/{}, walk only {}/{}; \
             what-if walk + sort_by_cached_key {}/{}, walk + sort by id rank {}/{}",
            fmt_dur(lib.p50),
            fmt_dur(lib.p99),
            fmt_dur(walk.p50),
            fmt_dur(walk.p99),
            fmt_dur(cached.p50),
            fmt_dur(cached.p99),
            fmt_dur(ranked.p50),
            fmt_dur(ranked.p99)
        );
    }
}
