//! Step 3 of the investigation: line windows. For each line reaching a
//! complaint lot, every window of production days at most
//! [`WINDOW_DAYS`](super::WINDOW_DAYS) long is scored on the robust per-SKU
//! rates, and the best one is kept, Bonferroni-corrected for the windows
//! tried.

use super::par::{next_epoch, par_map};
use super::walks::{Walks, sort_by_id};
use super::{Candidate, Source, WINDOW_DAYS};
use crate::analytics::stats::ln_poisson_upper_tail;
use crate::graph::{Direction, Genealogy, Tracer};
use crate::model::{Dataset, LineIx, LotIx};
use chrono::{Datelike, NaiveDate};

/// A line's lots sorted by production day, and its production days:
/// (day, range of those lots, whether the day made a lot upstream of a
/// complaint).
struct Days {
    lots: Vec<LotIx>,
    days: Vec<(i32, std::ops::Range<usize>, bool)>,
}

/// The best window found so far.
struct Best {
    ln_p: f64,
    /// First and last production day, as indexes into `Days::days`.
    start: usize,
    end: usize,
    /// Population lots reached.
    n: u64,
    /// Complaint lots expected among them.
    expected: f64,
}

/// Per-thread scratch of the window scan.
struct Scratch<'t, 'g> {
    tracer: &'t mut Tracer<'g>,
    stamp: &'t mut [u32],
    epoch: &'t mut u32,
}

/// The best window of every active line, in the order of `active`.
pub(super) fn line_windows(
    ds: &Dataset,
    g: &Genealogy,
    w: &Walks,
    active: &[usize],
    lot_rate: &[f64],
) -> Vec<Candidate> {
    let lines: Vec<(LineIx, &[LotIx])> = active
        .iter()
        .filter_map(|i| match w.sources[*i] {
            Source::Line(x) => Some((x, w.members[*i].as_slice())),
            _ => None,
        })
        .collect();
    let windows = par_map(
        &lines,
        1,
        || (Tracer::new(g), vec![0u32; ds.lots.len()], 0u32),
        |(tracer, stamp, epoch): &mut (Tracer, Vec<u32>, u32), (line, members)| {
            let s = Scratch {
                tracer,
                stamp,
                epoch,
            };
            best_window(ds, w, lot_rate, s, *line, members)
        },
    );
    windows.into_iter().flatten().collect()
}

/// The line's lots by production day.
fn production_days(ds: &Dataset, w: &Walks, members: &[LotIx]) -> Days {
    let mut dated: Vec<(i32, LotIx)> = members
        .iter()
        .filter_map(|l| Some((ds.lot(*l).produced_on?.num_days_from_ce(), *l)))
        .collect();
    dated.sort_unstable();
    let lots: Vec<LotIx> = dated.iter().map(|d| d.1).collect();
    let mut days: Vec<(i32, std::ops::Range<usize>, bool)> = Vec::new();
    for (j, (d, l)) in dated.iter().enumerate() {
        let hot = w.upstream[l.ix()];
        match days.last_mut() {
            Some((day, range, h)) if *day == *d => {
                range.end = j + 1;
                *h |= hot;
            }
            _ => days.push((*d, j..j + 1, hot)),
        }
    }
    Days { lots, days }
}

/// Windows tried: every (start, end) pair of production days at most
/// `WINDOW_DAYS` apart, inclusive.
fn windows_tried(days: &[(i32, std::ops::Range<usize>, bool)]) -> u64 {
    let mut tried = 0u64;
    let mut end = 0;
    for a in 0..days.len() {
        while end < days.len() && days[end].0 < days[a].0 + WINDOW_DAYS {
            end += 1;
        }
        tried += (end - a) as u64;
    }
    tried
}

/// The best production window of one line (step 3 of the module doc), with
/// its ln p Bonferroni-corrected for the windows tried; `None` when no
/// window reaches a complaint lot.
fn best_window(
    ds: &Dataset,
    w: &Walks,
    lot_rate: &[f64],
    s: Scratch<'_, '_>,
    line: LineIx,
    members: &[LotIx],
) -> Option<Candidate> {
    let d = production_days(ds, w, members);
    let tried = windows_tried(&d.days);
    // Population lots reached from each day, walked only for days some
    // window starting on a hot day covers.
    let mut reach: Vec<Option<Vec<u32>>> = vec![None; d.days.len()];
    let mut s = s;
    let best = scan_windows(w, lot_rate, &mut s, &d, &mut reach)?;
    let (a, b) = (best.start, best.end);
    next_epoch(s.epoch, s.stamp);
    let e = *s.epoch;
    let mut hits: Vec<LotIx> = Vec::new();
    for day in reach[a..=b].iter().flatten() {
        for &l in day {
            if s.stamp[l as usize] != e && w.is_complaint[l as usize] {
                s.stamp[l as usize] = e;
                hits.push(LotIx(l));
            }
        }
    }
    sort_by_id(ds, &mut hits);
    let date = |d: i32| NaiveDate::from_num_days_from_ce_opt(d);
    let (from, to) = (date(d.days[a].0)?, date(d.days[b].0)?);
    let ln_p = (best.ln_p + (tried.max(1) as f64).ln()).min(0.0);
    Some(Candidate::new(
        Source::LineWindow { line, from, to },
        hits,
        best.n,
        best.expected,
        ln_p,
    ))
}

/// Scores every window that starts on a hot day; the best (lowest ln p,
/// the first found among equals), `None` when none reaches a complaint
/// lot. Fills `reach` for the days it walks.
fn scan_windows(
    w: &Walks,
    lot_rate: &[f64],
    s: &mut Scratch<'_, '_>,
    d: &Days,
    reach: &mut [Option<Vec<u32>>],
) -> Option<Best> {
    let days = &d.days;
    let (tracer, stamp, epoch) = (&mut *s.tracer, &mut *s.stamp, &mut *s.epoch);
    let day_reach = |b: usize, tracer: &mut Tracer| -> Vec<u32> {
        let mut v = Vec::new();
        tracer.reach(&d.lots[days[b].1.clone()], Direction::Downstream, |l| {
            if w.in_pop[l.ix()] {
                v.push(l.0);
            }
        });
        v
    };
    let mut best: Option<Best> = None;
    for a in 0..days.len() {
        // A window starting on a day that reaches no complaint lot is
        // beaten by the same window without that day.
        if !days[a].2 {
            continue;
        }
        next_epoch(epoch, stamp);
        let e = *epoch;
        let (mut k, mut n, mut exp) = (0u64, 0u64, 0.0f64);
        let mut b = a;
        while b < days.len() && days[b].0 < days[a].0 + WINDOW_DAYS {
            if reach[b].is_none() {
                reach[b] = Some(day_reach(b, tracer));
            }
            let before = k;
            for &l in reach[b].iter().flatten() {
                let l = l as usize;
                if stamp[l] != e {
                    stamp[l] = e;
                    n += 1;
                    k += u64::from(w.is_complaint[l]);
                    exp += lot_rate[l];
                }
            }
            // Without a new complaint lot, the window ending one day
            // earlier is at least as good.
            if k > before {
                let ln_p = ln_poisson_upper_tail(k, exp);
                if best.as_ref().is_none_or(|x| ln_p < x.ln_p) {
                    best = Some(Best {
                        ln_p,
                        start: a,
                        end: b,
                        n,
                        expected: exp,
                    });
                }
            }
            b += 1;
        }
    }
    best
}
