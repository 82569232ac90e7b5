//! `neo4j verify`: compares the mirror with the snapshot, label by label
//! and relationship type by relationship type.
//!
//! For every set lotgraph reads back each node or relationship's key,
//! quantity and linked id (`queries/mirror_verify.cypher`), and computes
//! the same checksum on both sides: the wrapping sum (mod 2^64) of an
//! FNV-1a hash of each (key, quantity, extra) row. Counts and checksums
//! must be equal; when they are not, the differing keys are listed
//! (missing in Neo4j, not in the snapshot, duplicated, or with another
//! quantity or link).

use super::rows::{Check, Rows, Set, join_key, split_key};
use super::{Mirror, MirrorError, Statements};
use neo4rs::{BoltType, query};
use std::collections::HashMap;

/// The verify statements, compiled in.
pub fn statements() -> Statements {
    Statements::new(
        "mirror_verify.cypher",
        include_str!("../../queries/mirror_verify.cypher"),
    )
}

/// The comparison of one set.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SetCheck {
    pub set: &'static str,
    pub kind: &'static str,
    pub lotgraph: u64,
    pub neo4j: u64,
    /// Hex checksums.
    pub lotgraph_checksum: String,
    pub neo4j_checksum: String,
    pub ok: bool,
}

/// One differing row.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Difference {
    pub set: &'static str,
    pub key: String,
    pub problem: String,
}

/// The outcome of a verify.
#[derive(Clone, Debug, serde::Serialize)]
pub struct VerifyReport {
    pub target: String,
    pub ok: bool,
    pub sets: Vec<SetCheck>,
    /// The first differences (at most the requested number).
    pub differences: Vec<Difference>,
    /// How many differences there are in all.
    pub difference_count: u64,
}

/// A key as people read it: `a -> b` for consumptions, `shipment / lot`
/// for shipments.
pub fn display_key(set: Set, key: &str) -> String {
    match (set, split_key(key)) {
        (Set::ConsumedInto, Some((a, b))) => format!("{a} -> {b}"),
        (Set::Shipped, Some((a, b))) => format!("{a} / {b}"),
        _ => key.to_string(),
    }
}

fn text(v: &BoltType) -> Option<String> {
    match v {
        BoltType::String(s) => Some(s.value.clone()),
        BoltType::Null(_) => None,
        BoltType::Integer(i) => Some(i.value.to_string()),
        other => Some(format!("{other:?}")),
    }
}

fn number(v: &BoltType) -> Option<f64> {
    match v {
        BoltType::Float(f) => Some(f.value),
        BoltType::Integer(i) => Some(i.value as f64),
        _ => None,
    }
}

fn fmt_opt_num(q: Option<f64>) -> String {
    q.map_or("none".to_string(), |q| q.to_string())
}

/// The differences found so far: the first `max_listed`, and how many
/// in all.
struct Differences {
    listed: Vec<Difference>,
    count: u64,
    max_listed: usize,
}

impl Differences {
    fn note(&mut self, set: Set, key: &str, problem: String) {
        self.count += 1;
        if self.listed.len() < self.max_listed {
            self.listed.push(Difference {
                set: set.name(),
                key: display_key(set, key),
                problem,
            });
        }
    }
}

/// Verifies every set; lists at most `max_listed` differences.
pub async fn verify(
    mirror: &Mirror,
    rows: &Rows<'_>,
    target: String,
    max_listed: usize,
) -> Result<VerifyReport, MirrorError> {
    let st = statements();
    let mut sets = Vec::new();
    let mut diffs = Differences {
        listed: Vec::new(),
        count: 0,
        max_listed,
    };
    for set in Set::ALL {
        sets.push(verify_set(mirror, &st, rows, set, &mut diffs).await?);
    }
    let ok = sets.iter().all(|s| s.ok);
    Ok(VerifyReport {
        target,
        ok,
        sets,
        differences: diffs.listed,
        difference_count: diffs.count,
    })
}

/// The snapshot's check items of `set` by key, and their checksum.
fn local_checks(rows: &Rows<'_>, set: Set) -> (HashMap<String, Check>, u64) {
    let mut local: HashMap<String, Check> = HashMap::with_capacity(rows.len(set));
    let mut local_sum = 0u64;
    for i in 0..rows.len(set) {
        let c = rows.check(set, i);
        local_sum = local_sum.wrapping_add(c.hash());
        local.insert(c.key.clone(), c);
    }
    (local, local_sum)
}

/// A row read back by `verify_<set>` (k1, k2, quantity, extra) as a check
/// item, its key built as the snapshot builds it.
fn remote_check(set: Set, r: &[BoltType]) -> Check {
    let k1 = text(&r[0]).unwrap_or_default();
    let key = match text(&r[1]) {
        Some(k2) => join_key(&k1, &k2),
        None if set.composite() => join_key(&k1, ""),
        None => k1,
    };
    Check {
        key,
        quantity: number(&r[2]),
        extra: text(&r[3]),
    }
}

/// Compares one row read back from Neo4j, seen `times` times so far, with
/// the snapshot's; notes what differs and gives whether nothing did.
fn compare_row(
    set: Set,
    c: &Check,
    times: u32,
    local: &HashMap<String, Check>,
    diffs: &mut Differences,
) -> bool {
    let mut ok = true;
    if times == 2 {
        ok = false;
        diffs.note(set, &c.key, "more than once in Neo4j".into());
    }
    match local.get(&c.key) {
        None => {
            // Reported once, not once per duplicate.
            if times == 1 {
                ok = false;
                diffs.note(set, &c.key, "in Neo4j, not in the snapshot".into());
            }
        }
        Some(l) => {
            if l.quantity != c.quantity {
                ok = false;
                diffs.note(
                    set,
                    &c.key,
                    format!(
                        "quantity {} in the snapshot, {} in Neo4j",
                        fmt_opt_num(l.quantity),
                        fmt_opt_num(c.quantity)
                    ),
                );
            }
            if l.extra != c.extra {
                ok = false;
                diffs.note(
                    set,
                    &c.key,
                    format!(
                        "linked to {} in the snapshot, {} in Neo4j",
                        l.extra.as_deref().unwrap_or("nothing"),
                        c.extra.as_deref().unwrap_or("nothing")
                    ),
                );
            }
        }
    }
    ok
}

/// Reads `set` back from Neo4j and compares it with the snapshot, row by
/// row, then by count and checksum.
async fn verify_set(
    mirror: &Mirror,
    st: &Statements,
    rows: &Rows<'_>,
    set: Set,
    diffs: &mut Differences,
) -> Result<SetCheck, MirrorError> {
    let (local, local_sum) = local_checks(rows, set);
    let fetched = mirror
        .fetch(
            &format!("reading back {} {}s", set.name(), set.kind()),
            query(st.get(&format!("verify_{}", set.stem()))?),
            &["k1", "k2", "quantity", "extra"],
        )
        .await?;
    let mut remote_sum = 0u64;
    let mut seen: HashMap<String, u32> = HashMap::with_capacity(fetched.len());
    let mut ok = true;
    for r in &fetched {
        let c = remote_check(set, r);
        remote_sum = remote_sum.wrapping_add(c.hash());
        let times = seen.entry(c.key.clone()).or_insert(0);
        *times += 1;
        ok &= compare_row(set, &c, *times, &local, diffs);
    }
    let mut missing: Vec<&String> = local.keys().filter(|k| !seen.contains_key(*k)).collect();
    missing.sort();
    for k in missing {
        ok = false;
        diffs.note(set, k, "in the snapshot, missing in Neo4j".into());
    }
    let (nl, nr) = (rows.len(set) as u64, fetched.len() as u64);
    ok = ok && nl == nr && local_sum == remote_sum;
    Ok(SetCheck {
        set: set.name(),
        kind: set.kind(),
        lotgraph: nl,
        neo4j: nr,
        lotgraph_checksum: format!("{local_sum:016x}"),
        neo4j_checksum: format!("{remote_sum:016x}"),
        ok,
    })
}
