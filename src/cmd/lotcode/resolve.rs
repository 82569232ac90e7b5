//! Resolving a code to a lot of the workspace, as a scanner at a
//! customer's dock needs: the lot with that id, else the lots whose id is
//! the same once case, spaces and leading zeros are ignored (the misread
//! that pulls the wrong lot), and, for a GS1 code, whether its GTIN is the
//! lot's product and its AI (17) the lot's expiry.

use chrono::{Datelike, NaiveDate};
use lotgraph_core::ingest::gtin14;
use lotgraph_core::lotcode::audit::normalized;
use lotgraph_core::lotcode::gs1::Gs1Keys;
use lotgraph_core::model::{Dataset, LotIx};
use schemars::JsonSchema;
use serde::Serialize;

/// How a code was matched to a lot.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// A lot has exactly this id.
    Exact,
    /// One lot's id is the code once case, surrounding spaces and leading
    /// zeros are ignored: probably it, misread or mangled.
    Spreadsheet,
    /// No lot, or several equally close ones (`candidates`).
    Unresolved,
}

/// The lot a code names.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ResolvedJson {
    pub how: How,
    pub lot_id: Option<String>,
    pub sku: Option<String>,
    pub produced_on: Option<NaiveDate>,
    /// The lot's expiry, recorded or derived from the shelf life.
    pub expires_on: Option<NaiveDate>,
    pub status: Option<String>,
    /// Lots equally close to an unresolved code.
    pub candidates: Vec<String>,
    /// What the code says that the lot's record does not.
    pub problems: Vec<String>,
}

/// The SKU whose product carries `gtin` (compared as 14 digits).
pub(super) fn sku_of_gtin(ds: &Dataset, gtin: &str) -> Option<String> {
    let want = gtin14(gtin);
    ds.products
        .iter()
        .find(|p| p.gtin.as_deref().is_some_and(|g| gtin14(g) == want))
        .map(|p| p.sku.clone())
}

/// Resolves `lot` (the code, or a GS1 code's AI 10) to a lot of `ds`.
/// O(log lots) for an exact id, O(lots) otherwise.
pub(super) fn resolve(ds: &Dataset, lot: &str, keys: Option<&Gs1Keys>) -> ResolvedJson {
    let mut problems = Vec::new();
    let (how, found, candidates) = find(ds, lot, &mut problems);
    if let (Some(k), Some(l)) = (keys, found) {
        problems.extend(gs1_problems(ds, k, l));
    }
    ResolvedJson {
        how,
        lot_id: found.map(|l| ds.lot_id(l).to_string()),
        sku: found.map(|l| ds.product_of(l).sku.clone()),
        produced_on: found.and_then(|l| ds.lot(l).produced_on),
        expires_on: found.and_then(|l| ds.expiry(l)).map(|(d, _)| d),
        status: found.map(|l| ds.lot(l).status.as_str().to_string()),
        candidates,
        problems,
    }
}

/// The lot `lot` names: exactly, else the one lot equal to it once case,
/// spaces and leading zeros are ignored (noting the real id in
/// `problems`), else none and the equally close ones.
fn find(ds: &Dataset, lot: &str, problems: &mut Vec<String>) -> (How, Option<LotIx>, Vec<String>) {
    if let Some(l) = ds.lot_ix(lot) {
        return (How::Exact, Some(l), Vec::new());
    }
    let key = normalized(lot);
    let close: Vec<LotIx> = (0..ds.lot_count())
        .map(LotIx::from_ix)
        .filter(|l| !lot.is_empty() && normalized(ds.lot_id(*l)) == key)
        .collect();
    if let [one] = close.as_slice() {
        problems.push(format!(
            "no lot is {lot:?}; {:?} is the same id once case, spaces and leading zeros are ignored",
            ds.lot_id(*one)
        ));
        return (How::Spreadsheet, Some(*one), Vec::new());
    }
    let ids = close.iter().map(|l| ds.lot_id(*l).to_string()).collect();
    (How::Unresolved, None, ids)
}

/// Where a GS1 code's GTIN and expiry disagree with lot `l`.
fn gs1_problems(ds: &Dataset, k: &Gs1Keys, l: LotIx) -> Vec<String> {
    let mut out = Vec::new();
    let sku = &ds.product_of(l).sku;
    if let Some(g) = k.gtin.as_deref() {
        match sku_of_gtin(ds, g) {
            Some(s) if s == *sku => {}
            Some(s) => out.push(format!(
                "GTIN {g} is SKU {s}, lot {} is SKU {sku}",
                ds.lot_id(l)
            )),
            None => out.push(format!("GTIN {g} is no product's gtin in the workspace")),
        }
    }
    if let Some(e) = &k.expiry {
        let own = ds.expiry(l).map(|(d, _)| d);
        // Day 00 names a month, not a day.
        let agrees = |d: NaiveDate| {
            if e.yymmdd.ends_with("00") {
                (d.year(), d.month()) == (e.date.year(), e.date.month())
            } else {
                d == e.date
            }
        };
        match own {
            Some(d) if agrees(d) => {}
            Some(d) => out.push(format!("AI (17) says {}, the lot expires {d}", e.date)),
            None => out.push(format!("AI (17) says {}, the lot has no expiry", e.date)),
        }
    }
    out
}

/// One line for the notes.
pub(super) fn note(r: &ResolvedJson) -> String {
    let mut s = match (&r.lot_id, r.how) {
        (Some(id), How::Exact) => format!("lot {id}"),
        (Some(id), _) => format!("probably lot {id}"),
        (None, _) if r.candidates.is_empty() => "no lot of the workspace has this code".into(),
        (None, _) => format!(
            "several lots are this code to a spreadsheet: {}",
            r.candidates.join(", ")
        ),
    };
    if let Some(sku) = &r.sku {
        s.push_str(&format!(", SKU {sku}"));
    }
    if let Some(d) = r.produced_on {
        s.push_str(&format!(", made {d}"));
    }
    if let Some(d) = r.expires_on {
        s.push_str(&format!(", expires {d}"));
    }
    if let Some(st) = &r.status {
        s.push_str(&format!(", {st}"));
    }
    for p in &r.problems {
        s.push_str(&format!("; {p}"));
    }
    s
}
