//! `truth.json`: what `lotgraph generate` planted and what became of it
//! (faults, defective supplier lots and line windows, bad suppliers, every
//! supplier's hidden level, the return model) and the cause of every
//! return. Returns are logged one line each to a temporary file while the
//! simulation runs, so memory stays flat, and spliced into the final file
//! after the head (one return per line, so the file stays greppable).

use super::Planted;
use super::faults::{BACKGROUND_RATE, FULL_DOSE_SHARE, Fault, MIN_DOSE, Source, Target};
use super::ids::{Ids, LotRef};
use super::rows::push_return_id;
use super::world::{SiteKind, World};
use anyhow::Context;
use serde_json::{Value, json};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// (fault id, kind, source id, planted?) of one fault, as summed up on
/// the command line.
pub(super) type FaultSummary = (String, Planted, String, bool);

/// The returns' lines of truth.json, in a temporary file until the end.
pub(super) struct ReturnLog {
    path: PathBuf,
    out: BufWriter<File>,
}

impl ReturnLog {
    /// Starts the log in `dir`.
    pub(super) fn create(dir: &Path) -> anyhow::Result<ReturnLog> {
        let path = dir.join(".truth-returns.tmp");
        let out = BufWriter::new(
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?,
        );
        Ok(ReturnLog { path, out })
    }

    /// Logs return `n` of `lot` with its cause: the fault and the source it
    /// came from, or none for background noise.
    pub(super) fn push(
        &mut self,
        w: &World,
        ids: &Ids,
        n: u64,
        lot: LotRef,
        cause: Option<(&Fault, &Source)>,
    ) -> anyhow::Result<()> {
        let mut line = Vec::with_capacity(96);
        line.extend_from_slice(b"    {\"return_id\": \"");
        push_return_id(&mut line, n);
        line.extend_from_slice(b"\", \"lot_id\": \"");
        ids.lot(&mut line, lot);
        line.push(b'"');
        match cause {
            Some((fault, source)) => {
                line.extend_from_slice(b", \"cause\": \"");
                line.extend_from_slice(fault.id.as_bytes());
                line.extend_from_slice(b"\", \"kind\": \"");
                line.extend_from_slice(fault.kind.name().as_bytes());
                line.extend_from_slice(b"\", \"source\": \"");
                match (&source.lot, &fault.target) {
                    (Some(d), _) => ids.lot(&mut line, d.lot),
                    (None, Target::Line { line: l, .. }) => {
                        line.extend_from_slice(w.lines[*l].as_bytes());
                    }
                    (None, _) => {}
                }
                line.extend_from_slice(b"\"}");
            }
            None => line.extend_from_slice(b", \"cause\": null}"),
        }
        self.out
            .write_all(&line)
            .and_then(|()| self.out.write_all(b"\n"))
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

/// What the simulation leaves for truth.json.
pub(super) struct Outcome<'a> {
    pub w: &'a World,
    pub ids: &'a Ids,
    /// Last simulated day.
    pub end: i32,
    pub faults: &'a [Fault],
    pub sources: &'a [Source],
}

/// Writes `dir/truth.json` from the outcome and the logged returns (and
/// removes the log); gives its path and the faults' summary.
pub(super) fn write(
    dir: &Path,
    o: &Outcome,
    log: ReturnLog,
) -> anyhow::Result<(PathBuf, Vec<FaultSummary>)> {
    let ReturnLog { path: tmp, out } = log;
    out.into_inner()
        .map_err(std::io::IntoInnerError::into_error)
        .and_then(|mut f| f.flush())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    let (fault_json, summary) = faults(o);
    let head = head(o, fault_json);
    let truth = dir.join("truth.json");
    splice(&truth, &head, &tmp)?;
    std::fs::remove_file(&tmp).with_context(|| format!("cannot remove {}", tmp.display()))?;
    Ok((truth, summary))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// truth.json's `faults` array, and the summary of each fault.
fn faults(o: &Outcome) -> (Vec<Value>, Vec<FaultSummary>) {
    let Outcome {
        w, ids, sources, ..
    } = *o;
    let date = |d: i32| w.cal.date_string(d);
    let mut summary = Vec::new();
    let json = o
        .faults
        .iter()
        .map(|f| {
            let common = |source: Value, planted: bool| {
                json!({
                    "id": f.id,
                    "kind": f.kind.name(),
                    "source": source,
                    "planted": planted,
                    "severity": round3(f.severity),
                    "source_lots": f.source_lots,
                    "sold_lots": f.sold_lots,
                    "returns": f.returns,
                })
            };
            let (v, source, planted) = match &f.target {
                Target::SupplierLot {
                    plant,
                    sku,
                    from,
                    planted,
                } => {
                    let d = planted.and_then(|s| sources[s].lot.as_ref());
                    let source = d.map(|d| ids.lot_string(d.lot));
                    let mut v = common(json!(source), d.is_some());
                    v["sku"] = json!(w.skus[*sku].code);
                    v["plant"] = json!(w.sites[w.plants[*plant].site].id);
                    v["planted_from"] = json!(date(*from));
                    if let Some(d) = d {
                        v["supplier_id"] = json!(w.suppliers[d.supplier].id);
                        v["site_id"] = json!(w.sites[d.site].id);
                        v["received_on"] = json!(date(d.lot.day));
                    }
                    (v, source.unwrap_or_default(), d.is_some())
                }
                Target::Line {
                    line,
                    plant,
                    from,
                    to,
                    ..
                } => {
                    let planted = f.source_lots > 0;
                    let mut v = common(json!(w.lines[*line]), planted);
                    v["site_id"] = json!(w.sites[w.plants[*plant].site].id);
                    v["from"] = json!(date(*from));
                    v["to"] = json!(date(*to));
                    (v, w.lines[*line].clone(), planted)
                }
                Target::Supplier {
                    supplier,
                    defect_rate,
                } => {
                    let s = &w.suppliers[*supplier];
                    let planted = f.source_lots > 0;
                    let mut v = common(json!(s.id), planted);
                    v["defect_rate"] = json!(round3(*defect_rate));
                    v["inspection_fail_rate"] = json!(round3(s.fail_rate));
                    (v, s.id.clone(), planted)
                }
            };
            summary.push((f.id.clone(), f.kind, source, planted));
            v
        })
        .collect();
    (json, summary)
}

/// Everything of truth.json but the returns.
fn head(o: &Outcome, fault_json: Vec<Value>) -> Value {
    let Outcome {
        w,
        ids,
        end,
        faults,
        sources,
    } = *o;
    let date = |d: i32| w.cal.date_string(d);
    let defective_lots: Vec<Value> = sources
        .iter()
        .filter_map(|s| {
            let d = s.lot.as_ref()?;
            Some(json!({
                "lot_id": ids.lot_string(d.lot),
                "supplier_id": w.suppliers[d.supplier].id,
                "sku": w.skus[d.sku].code,
                "site_id": w.sites[d.site].id,
                "received_on": date(d.lot.day),
                "fault": faults[s.fault].id,
            }))
        })
        .collect();
    let lines: Vec<Value> = faults
        .iter()
        .filter_map(|f| match &f.target {
            Target::Line {
                line,
                plant,
                from,
                to,
                ..
            } => Some(json!({
                "line": w.lines[*line],
                "site_id": w.sites[w.plants[*plant].site].id,
                "from": date(*from),
                "to": date(*to),
                "fault": f.id,
            })),
            _ => None,
        })
        .collect();
    let bad: Vec<&str> = faults
        .iter()
        .filter_map(|f| match f.target {
            Target::Supplier { supplier, .. } => Some(w.suppliers[supplier].id.as_str()),
            _ => None,
        })
        .collect();
    let suppliers: Vec<Value> = w
        .suppliers
        .iter()
        .map(|s| {
            json!({
                "supplier_id": s.id,
                "level": s.level.name(),
                "inspection_fail_rate": round3(s.fail_rate),
            })
        })
        .collect();
    let n_dc = w.sites.iter().filter(|s| s.kind == SiteKind::Dc).count();
    json!({
        "generator": "lotgraph generate",
        "truth_version": 1,
        "start": date(0),
        "end": date(end),
        "days": end + 1,
        "network": {
            "plants": w.plants.len(),
            "warehouses": w.scale.regions,
            "distribution_centres": n_dc,
            "regions": w.scale.regions,
            "product_families": w.families.len(),
            "lines": w.lines.len(),
            "skus": w.skus.len(),
            "suppliers": w.suppliers.len(),
            "customers": w.customers.len(),
        },
        "model": {
            "background_return_rate_per_sale": BACKGROUND_RATE,
            "background_multiplier_range": [0.5, 2.0],
            "fault_return_probability_per_sale": "severity * clamp(share / full_dose_share, min_dose, 1)",
            "full_dose_share": FULL_DOSE_SHARE,
            "min_dose": MIN_DOSE,
        },
        "faults": fault_json,
        "defective_supplier_lots": defective_lots,
        "defective_lines": lines,
        "bad_suppliers": bad,
        "suppliers": suppliers,
    })
}

/// truth.json: `head` plus a `returns` array copied line by line from the
/// log.
fn splice(path: &Path, head: &Value, returns: &Path) -> anyhow::Result<()> {
    let err = || format!("cannot write {}", path.display());
    let mut out = BufWriter::new(File::create(path).with_context(err)?);
    let text = serde_json::to_string_pretty(head)?;
    let body = text
        .trim_end()
        .strip_suffix('}')
        .unwrap_or(&text)
        .trim_end();
    out.write_all(body.as_bytes()).with_context(err)?;
    out.write_all(b",\n  \"returns\": [").with_context(err)?;
    let src = BufReader::new(
        File::open(returns).with_context(|| format!("cannot read {}", returns.display()))?,
    );
    let mut first = true;
    for line in src.lines() {
        let line = line.with_context(|| format!("cannot read {}", returns.display()))?;
        out.write_all(if first { b"\n" } else { b",\n" })
            .with_context(err)?;
        out.write_all(line.as_bytes()).with_context(err)?;
        first = false;
    }
    out.write_all(if first { b"]\n}\n" } else { b"\n  ]\n}\n" })
        .with_context(err)?;
    out.flush().with_context(err)
}
