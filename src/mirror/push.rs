//! `neo4j push`: writes the snapshot to Neo4j as batched `UNWIND $rows ...
//! MERGE` statements, each batch its own transaction, several in flight.
//!
//! Order: uniqueness constraints; the mirror token (a mismatch with the
//! workspace's state wipes the mirror's labels and starts over); deletes
//! of links and returns/inspections that disappeared; upserts of nodes, then
//! lots, then links; finally deletes of nodes that disappeared (DETACH).
//! Within a step, batches run concurrently; steps run one after the other.
//! As each batch commits, its rows are recorded in the `SyncState`, so an
//! interrupted push leaves a state that a rerun completes.

use super::rows::{Rows, Set, delete_row};
use super::state::{SyncState, new_token};
use super::{Mirror, MirrorError, Statements};
use neo4rs::{BoltList, BoltType, query};
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;
use tokio::task::JoinSet;

/// The push statements, compiled in.
pub fn statements() -> Statements {
    Statements::new(
        "mirror_push.cypher",
        include_str!("../../queries/mirror_push.cypher"),
    )
}

const CONSTRAINTS: [&str; 10] = [
    "constraint_supplier",
    "constraint_site",
    "constraint_product",
    "constraint_customer",
    "constraint_lot",
    "constraint_return",
    "constraint_inspection",
    "constraint_mirror",
    "index_lot_line",
    "index_lot_site",
];

/// How to push.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// Rows per transaction.
    pub batch_size: usize,
    /// Transactions in flight at once.
    pub concurrency: usize,
    /// Ignore the remembered state: wipe the mirror and push everything.
    pub full: bool,
    /// Draw a progress bar on stderr (when it is a terminal).
    pub progress: bool,
}

/// What happened to one set.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SetReport {
    pub set: &'static str,
    pub kind: &'static str,
    /// Rows in the snapshot.
    pub rows: u64,
    /// Rows sent (new or changed).
    pub upserted: u64,
    /// Remembered rows that are gone, deleted from Neo4j.
    pub deleted: u64,
    /// Time spent writing and deleting this set's rows.
    pub seconds: f64,
}

/// The outcome of a push.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PushReport {
    pub target: String,
    /// True when everything was pushed from scratch (no matching state).
    pub full: bool,
    pub sets: Vec<SetReport>,
    pub upserted: u64,
    pub deleted: u64,
    /// Relationships written (created or updated).
    pub relationships: u64,
    pub batches: u64,
    /// Batches retried after a transient error (deadlock between batches).
    pub retries: u64,
    pub seconds: f64,
}

/// One batch of work: upserts carry (row index, key, hash) so that the
/// state can record them once the batch commits; deletes carry keys.
enum Work {
    Upsert(Vec<(u32, String, u64)>),
    Delete(Vec<String>),
}

/// The rows of one set to write and to delete.
struct Plan {
    set: Set,
    upserts: Vec<(u32, String, u64)>,
    deletes: Vec<String>,
}

fn plan(rows: &Rows<'_>, state: &SyncState, set: Set) -> Plan {
    let empty = std::collections::HashMap::new();
    let old = state.set(set).unwrap_or(&empty);
    let n = rows.len(set);
    let mut upserts = Vec::new();
    let mut current: HashSet<String> = HashSet::new();
    for i in 0..n {
        let key = rows.key(set, i);
        let h = rows.hash(set, i);
        let changed = old.get(&key) != Some(&h);
        if !old.is_empty() {
            current.insert(key.clone());
        }
        if changed {
            upserts.push((i as u32, key, h));
        }
    }
    let mut deletes: Vec<String> = old
        .keys()
        .filter(|k| !current.contains(*k))
        .cloned()
        .collect();
    deletes.sort();
    Plan {
        set,
        upserts,
        deletes,
    }
}

/// Deletes everything in the database, mirror or not, in small
/// transactions (relationships first): for tests and benchmarks.
pub async fn clear_database(mirror: &Mirror) -> Result<(), MirrorError> {
    let st = statements();
    for c in ["clear_relationships", "clear_nodes"] {
        mirror
            .run_auto("clearing the database", query(st.get(c)?))
            .await?;
    }
    Ok(())
}

/// Pushes `rows`, recording committed batches in `state` (which the
/// caller saves, also after an error). `workspace` receives the state as
/// soon as a new mirror token is written.
pub async fn push(
    mirror: &Mirror,
    rows: &Rows<'_>,
    state: &mut SyncState,
    workspace: &Path,
    target: String,
    opts: &PushOptions,
) -> Result<PushReport, MirrorError> {
    let t0 = Instant::now();
    let st = statements();
    let full = prepare(mirror, &st, state, workspace, &target, opts).await?;
    state.target.clone_from(&target);

    let plans: Vec<Plan> = Set::ALL.iter().map(|s| plan(rows, state, *s)).collect();
    let mut reports = set_reports(rows, &plans);
    let total: u64 = reports.iter().map(|r| r.upserted + r.deleted).sum();
    let pb = progress_bar(total, opts.progress);

    let mut plans: Vec<Option<Plan>> = plans.into_iter().map(Some).collect();
    let ix = |s: Set| Set::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let mut batches = 0u64;
    let mut done = 0u64;
    for (set, upsert) in steps() {
        let Some(plan) = plans[ix(set)].as_mut() else {
            continue;
        };
        let work = take_work(plan, upsert, opts.batch_size);
        if work.is_empty() {
            continue;
        }
        let (name, doing) = step_names(set, upsert);
        let stmt = st.get(&name)?;
        pb.set_message(doing.clone());
        let n = work.len() as u64;
        let started = Instant::now();
        let res = run_step(mirror, rows, set, stmt, &doing, work, opts, &pb, state).await;
        reports[ix(set)].seconds += started.elapsed().as_secs_f64();
        match res {
            Ok(rows_done) => {
                batches += n;
                done += rows_done;
            }
            Err((rows_done, e)) => {
                pb.abandon();
                done += rows_done;
                return Err(MirrorError::Interrupted {
                    done,
                    total,
                    cause: Box::new(e),
                });
            }
        }
    }
    pb.finish_and_clear();
    let upserted = reports.iter().map(|r| r.upserted).sum();
    let deleted = reports.iter().map(|r| r.deleted).sum();
    let relationships = Set::ALL
        .iter()
        .zip(&reports)
        .map(|(s, r)| s.relationships_per_row() * r.upserted)
        .sum();
    Ok(PushReport {
        target,
        full,
        sets: reports,
        upserted,
        deleted,
        relationships,
        batches,
        retries: mirror.retries(),
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// Makes sure the constraints exist and decides whether the push is full:
/// asked for, no state yet, or the database's mirror token is not the
/// state's. A full push clears the previous mirror and writes a new token,
/// and the reset state is saved at once, so that the workspace names the
/// new token even if the push stops part-way. Gives whether it is full.
async fn prepare(
    mirror: &Mirror,
    st: &Statements,
    state: &mut SyncState,
    workspace: &Path,
    target: &str,
    opts: &PushOptions,
) -> Result<bool, MirrorError> {
    for c in CONSTRAINTS {
        mirror
            .run_auto("creating uniqueness constraints", query(st.get(c)?))
            .await?;
    }
    let token_rows = mirror
        .fetch(
            "reading the mirror token",
            query(st.get("read_token")?),
            &["token"],
        )
        .await?;
    let db_token = token_rows.first().and_then(|r| match r.first() {
        Some(BoltType::String(s)) => Some(s.value.clone()),
        _ => None,
    });
    let full = opts.full || state.token.is_none() || state.token != db_token;
    if full {
        for w in ["wipe_relationships", "wipe_nodes"] {
            mirror
                .run_auto("clearing the previous mirror", query(st.get(w)?))
                .await?;
        }
        let token = new_token();
        mirror
            .write(
                "writing the mirror token",
                query(st.get("write_token")?).param("token", token.as_str()),
            )
            .await?;
        state.reset(token, target.to_string());
        state.save(workspace)?;
    }
    Ok(full)
}

/// One report per set, with the plan's counts (times are added per step).
fn set_reports(rows: &Rows<'_>, plans: &[Plan]) -> Vec<SetReport> {
    plans
        .iter()
        .map(|p| SetReport {
            set: p.set.name(),
            kind: p.set.kind(),
            rows: rows.len(p.set) as u64,
            upserted: p.upserts.len() as u64,
            deleted: p.deletes.len() as u64,
            seconds: 0.0,
        })
        .collect()
}

/// A progress bar over `total` rows, hidden unless `show`.
fn progress_bar(total: u64, show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {human_pos}/{human_len} rows ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb
}

/// The push's steps as (set, upsert?), in the order that keeps every
/// relationship's ends present: link deletes, node upserts, lot upserts,
/// link upserts, lot deletes, other node deletes.
fn steps() -> Vec<(Set, bool)> {
    let links = [
        Set::Supplied,
        Set::OfProduct,
        Set::ConsumedInto,
        Set::Shipped,
        Set::Return,
        Set::Inspection,
    ];
    let mut steps: Vec<(Set, bool)> = Vec::new();
    steps.extend(links.iter().map(|s| (*s, false)));
    steps.extend(
        [
            Set::Supplier,
            Set::Site,
            Set::Product,
            Set::Customer,
            Set::Lot,
        ]
        .iter()
        .map(|s| (*s, true)),
    );
    steps.extend(links.iter().map(|s| (*s, true)));
    steps.extend(
        [
            Set::Lot,
            Set::Supplier,
            Set::Site,
            Set::Product,
            Set::Customer,
        ]
        .iter()
        .map(|s| (*s, false)),
    );
    steps
}

/// Takes the plan's upserts (or deletes) out of it, in batches.
fn take_work(plan: &mut Plan, upsert: bool, batch_size: usize) -> Vec<Work> {
    if upsert {
        let list = std::mem::take(&mut plan.upserts);
        chunk(list, batch_size)
            .into_iter()
            .map(Work::Upsert)
            .collect()
    } else {
        let list = std::mem::take(&mut plan.deletes);
        chunk(list, batch_size)
            .into_iter()
            .map(Work::Delete)
            .collect()
    }
}

/// A step's statement name in `mirror_push.cypher` (`upsert_lot`) and what
/// it is doing, for progress and error messages.
fn step_names(set: Set, upsert: bool) -> (String, String) {
    let name = format!(
        "{}_{}",
        if upsert { "upsert" } else { "delete" },
        set.stem()
    );
    let doing = format!(
        "{} {} {}",
        if upsert { "writing" } else { "deleting" },
        set.name(),
        if set.kind() == "node" {
            "nodes"
        } else {
            "relationships"
        }
    );
    (name, doing)
}

fn chunk<T>(list: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let size = size.max(1);
    let mut out = Vec::with_capacity(list.len().div_ceil(size));
    let mut it = list.into_iter().peekable();
    while it.peek().is_some() {
        out.push(it.by_ref().take(size).collect());
    }
    out
}

/// Runs the batches of one step, at most `opts.concurrency` at a time,
/// recording each committed batch in `state`. On error, returns the rows
/// committed so far with it (batches still in flight are abandoned; their
/// rows are not recorded, so a rerun sends them again).
#[allow(clippy::too_many_arguments)]
async fn run_step(
    mirror: &Mirror,
    rows: &Rows<'_>,
    set: Set,
    stmt: &'static str,
    doing: &str,
    work: Vec<Work>,
    opts: &PushOptions,
    pb: &indicatif::ProgressBar,
    state: &mut SyncState,
) -> Result<u64, (u64, MirrorError)> {
    let mut pending: Vec<Option<Work>> = work.into_iter().map(Some).collect();
    let mut next = 0usize;
    let mut tasks: JoinSet<(usize, Result<(), MirrorError>)> = JoinSet::new();
    let mut done = 0u64;
    let limit = opts.concurrency.max(1);
    loop {
        while tasks.len() < limit && next < pending.len() {
            let list: BoltList = match &pending[next] {
                Some(Work::Upsert(items)) => items
                    .iter()
                    .map(|(i, _, _)| rows.bolt(set, *i as usize))
                    .collect::<Vec<BoltType>>()
                    .into(),
                Some(Work::Delete(keys)) => keys
                    .iter()
                    .map(|k| delete_row(set, k))
                    .collect::<Vec<BoltType>>()
                    .into(),
                None => BoltList::new(),
            };
            let q = query(stmt).param("rows", BoltType::List(list));
            let m = mirror.clone();
            let doing = doing.to_string();
            let id = next;
            tasks.spawn(async move { (id, m.write(&doing, q).await) });
            next += 1;
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let (id, res) = match joined {
            Ok(x) => x,
            Err(e) => {
                tasks.abort_all();
                return Err((
                    done,
                    MirrorError::Server {
                        uri: mirror.uri.clone(),
                        doing: doing.to_string(),
                        message: format!("a batch task failed: {e}"),
                    },
                ));
            }
        };
        if let Err(e) = res {
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
            return Err((done, e));
        }
        let n = match pending[id].take() {
            Some(Work::Upsert(items)) => {
                let n = items.len();
                let map = state.set_mut(set);
                for (_, k, h) in items {
                    map.insert(k, h);
                }
                n
            }
            Some(Work::Delete(keys)) => {
                let n = keys.len();
                let map = state.set_mut(set);
                for k in keys {
                    map.remove(&k);
                }
                n
            }
            None => 0,
        };
        done += n as u64;
        pb.inc(n as u64);
    }
    Ok(done)
}
