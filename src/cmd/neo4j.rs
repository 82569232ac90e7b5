//! `lotgraph neo4j push|verify|query|queries`: mirror the workspace
//! snapshot to Neo4j, check the mirror, and answer lotgraph's questions in
//! Cypher there. Connection settings come from `NEO4J_URI`, `NEO4J_USER`,
//! `NEO4J_PASSWORD` (or `--password-file`) and `NEO4J_DATABASE`; the
//! password is never an option.

use super::WorkspaceArgs;
use crate::Status;
use crate::mirror::push::{PushOptions, PushReport};
use crate::mirror::query::{self as cypher, Answer};
use crate::mirror::rows::Rows;
use crate::mirror::state::SyncState;
use crate::mirror::verify::VerifyReport;
use crate::mirror::{self, ConnectOptions, Mirror};
use crate::report::{Cell, Format, Tabular, open_output, write_json};
use anyhow::Context;
use clap::builder::TypedValueParser as _;
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Where the Neo4j server is. The password comes from `NEO4J_PASSWORD` or
/// `--password-file`, never from an option's value.
#[derive(Debug, clap::Args)]
pub struct ConnArgs {
    /// Bolt URI: bolt://HOST:PORT, neo4j://HOST:PORT, or their +s / +ssc
    /// (TLS) forms, e.g. <neo4j+s://xxxx.databases.neo4j.io> for Aura.
    #[arg(
        long,
        env = "NEO4J_URI",
        default_value = "bolt://localhost:7687",
        global = true
    )]
    pub uri: String,
    /// User name.
    #[arg(long, env = "NEO4J_USER", default_value = "neo4j", global = true)]
    pub user: String,
    /// Read the password from the first line of this file instead of
    /// `NEO4J_PASSWORD`.
    #[arg(long, global = true)]
    pub password_file: Option<PathBuf>,
    /// Database (default: the server's default database).
    #[arg(long, env = "NEO4J_DATABASE", global = true)]
    pub database: Option<String>,
    /// Seconds to wait for the connection and login.
    #[arg(long, default_value_t = 5.0, global = true)]
    pub connect_timeout: f64,
    /// Seconds to wait for any one answer of the server.
    #[arg(long, default_value_t = 300.0, global = true)]
    pub query_timeout: f64,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Write the snapshot to Neo4j (only what changed since the last push).
    Push(PushArgs),
    /// Compare counts and checksums of the mirror with the snapshot.
    Verify(VerifyArgs),
    /// Run one of the Cypher queries of queries/ against the mirror.
    Query(QueryArgs),
    /// List the Cypher queries with their parameters and columns.
    Queries,
}

#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// Rows per transaction.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_size: u64,
    /// Transactions in flight at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: u64,
    /// Forget what was pushed before: clear the mirror and push everything.
    #[arg(long)]
    pub full: bool,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
    /// Output format: table or json.
    #[arg(long, short, value_enum, default_value_t = Format::Table, value_parser = table_or_json())]
    pub format: Format,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// List at most this many differing rows.
    #[arg(long, default_value_t = 50)]
    pub max_differences: usize,
    /// Output format: table or json.
    #[arg(long, short, value_enum, default_value_t = Format::Table, value_parser = table_or_json())]
    pub format: Format,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The query's name (see `lotgraph neo4j queries`).
    pub name: String,
    /// A parameter as key=value; list parameters take one per element.
    #[arg(long = "param", short = 'p', value_name = "KEY=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// Output format: table or json.
    #[arg(long, short, value_enum, default_value_t = Format::Table, value_parser = table_or_json())]
    pub format: Format,
    /// Where to write (`-` = stdout).
    #[arg(long, short, default_value = "-")]
    pub output: PathBuf,
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

fn seconds(v: f64, what: &str) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(v)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| anyhow::anyhow!("{what} must be a positive number of seconds, got {v}"))
}

impl ConnArgs {
    fn options(&self, max_connections: usize) -> anyhow::Result<ConnectOptions> {
        let mut o = ConnectOptions::new(
            self.uri.clone(),
            self.user.clone(),
            self.password_file.as_deref(),
            self.database.clone(),
        )?;
        o.connect_timeout = seconds(self.connect_timeout, "--connect-timeout")?;
        o.query_timeout = seconds(self.query_timeout, "--query-timeout")?;
        o.max_connections = max_connections;
        Ok(o)
    }
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let conn = args.conn;
    match args.action {
        Action::Queries => list_queries(),
        Action::Push(a) => {
            let opts = conn.options(a.concurrency as usize + 1)?;
            let snap = a.ws.load()?;
            let rows = Rows::new(&snap.dataset, &snap.genealogy);
            let mut state = SyncState::load(&a.ws.workspace)?;
            let rt = mirror::runtime().context("cannot start the async runtime")?;
            let popts = PushOptions {
                batch_size: a.batch_size as usize,
                concurrency: a.concurrency as usize,
                full: a.full,
                progress: !a.no_progress,
            };
            let report = rt.block_on(async {
                let m = Mirror::connect(&opts).await?;
                let res = mirror::push::push(
                    &m,
                    &rows,
                    &mut state,
                    &a.ws.workspace,
                    opts.target(),
                    &popts,
                )
                .await;
                // Record what committed, also when the push stopped part way.
                let saved = state.save(&a.ws.workspace);
                let report = res?;
                saved?;
                Ok::<_, anyhow::Error>(report)
            })?;
            print_push(&report, a.format)?;
            Ok(Status::Ok)
        }
        Action::Verify(a) => {
            let opts = conn.options(2)?;
            let snap = a.ws.load()?;
            let rows = Rows::new(&snap.dataset, &snap.genealogy);
            let rt = mirror::runtime().context("cannot start the async runtime")?;
            let report = rt.block_on(async {
                let m = Mirror::connect(&opts).await?;
                mirror::verify::verify(&m, &rows, opts.target(), a.max_differences).await
            })?;
            print_verify(&report, a.format)?;
            Ok(if report.ok {
                Status::Ok
            } else {
                Status::Findings
            })
        }
        Action::Query(a) => {
            let def = cypher::find(&a.name)?;
            let params = cypher::bind(&def, &a.params)?;
            let shown: Map<String, Value> = params
                .iter()
                .map(|(k, v)| (k.clone(), cypher::to_json(v)))
                .collect();
            let opts = conn.options(2)?;
            let rt = mirror::runtime().context("cannot start the async runtime")?;
            let answer = rt.block_on(async {
                let m = Mirror::connect(&opts).await?;
                cypher::run(&m, &def, params).await
            })?;
            let mut out = open_output(&a.output)?;
            match a.format {
                Format::Json => write_json(&mut out, &answer_json(&a.name, shown, &answer))?,
                _ => answer_table(&answer).write_table(&mut out)?,
            }
            out.finish()?;
            Ok(Status::Ok)
        }
    }
}

fn list_queries() -> anyhow::Result<Status> {
    let mut t = Tabular::new(&["query", "parameters", "columns", "answers"]);
    for q in cypher::all() {
        let params = q
            .params
            .iter()
            .map(|p| match &p.default {
                Some(d) => format!("{}={d}", p.name),
                None => p.name.clone(),
            })
            .collect::<Vec<_>>()
            .join(" ");
        t.push(vec![
            Cell::text(q.name),
            Cell::text(params),
            Cell::text(q.columns.join(",")),
            Cell::text(q.summary),
        ]);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    t.write_table(&mut out)?;
    out.flush()?;
    Ok(Status::Ok)
}

/// The JSON document of a query answer: rows as objects keyed by column.
pub fn answer_json(name: &str, params: Map<String, Value>, a: &Answer) -> Value {
    let rows: Vec<Value> = a
        .rows
        .iter()
        .map(|r| {
            let mut m = Map::new();
            for (c, v) in a.columns.iter().zip(r) {
                m.insert((*c).to_string(), v.clone());
            }
            Value::Object(m)
        })
        .collect();
    json!({"query": name, "params": params, "columns": a.columns, "rows": rows})
}

fn answer_table(a: &Answer) -> Tabular {
    let mut t = Tabular::new(&a.columns);
    for r in &a.rows {
        t.push(a.columns.iter().zip(r).map(|(c, v)| cell(c, v)).collect());
    }
    t
}

fn cell(column: &str, v: &Value) -> Cell {
    let fraction = column.contains("share") || column.ends_with("rate");
    match v {
        Value::Null => Cell::Text(None),
        Value::String(s) => Cell::text(s.as_str()),
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) if !fraction => Cell::Int(u),
            (_, Some(f)) if fraction => Cell::Share(f),
            (_, f) => Cell::Num(f),
        },
        Value::Array(items) => Cell::text(
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Value::Object(_) => Cell::text(v.to_string()),
    }
}

/// `--format` of the neo4j actions: their reports are a table or JSON.
fn table_or_json() -> impl clap::builder::TypedValueParser<Value = Format> {
    clap::builder::PossibleValuesParser::new(["table", "json"]).map(|s| {
        if s == "json" {
            Format::Json
        } else {
            Format::Table
        }
    })
}

fn print_push(r: &PushReport, format: Format) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if format == Format::Json {
        write_json(&mut out, &serde_json::to_value(r)?)?;
    } else {
        let rate = if r.seconds > 0.0 {
            r.relationships as f64 / r.seconds
        } else {
            0.0
        };
        writeln!(
            out,
            "{} {}: {} row(s) written, {} deleted, {} relationship(s) in {:.2} s ({:.0} relationships/s){}",
            if r.full {
                "pushed everything to"
            } else {
                "synced"
            },
            r.target,
            r.upserted,
            r.deleted,
            r.relationships,
            r.seconds,
            rate,
            if r.upserted + r.deleted == 0 {
                "; the mirror was up to date"
            } else {
                ""
            }
        )?;
        writeln!(out)?;
        let mut t = Tabular::new(&["set", "kind", "rows", "upserted", "deleted"]);
        for s in &r.sets {
            t.push(vec![
                Cell::text(s.set),
                Cell::text(s.kind),
                Cell::Int(s.rows),
                Cell::Int(s.upserted),
                Cell::Int(s.deleted),
            ]);
        }
        t.write_table(&mut out)?;
    }
    out.flush()?;
    Ok(())
}

fn print_verify(r: &VerifyReport, format: Format) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if format == Format::Json {
        write_json(&mut out, &serde_json::to_value(r)?)?;
    } else {
        if r.ok {
            writeln!(
                out,
                "{} matches the snapshot: every count and checksum is equal.",
                r.target
            )?;
        } else {
            writeln!(
                out,
                "{} differs from the snapshot: {} difference(s).",
                r.target, r.difference_count
            )?;
        }
        writeln!(out)?;
        let mut t = Tabular::new(&[
            "set",
            "kind",
            "lotgraph",
            "neo4j",
            "lotgraph_checksum",
            "neo4j_checksum",
            "status",
        ]);
        for s in &r.sets {
            t.push(vec![
                Cell::text(s.set),
                Cell::text(s.kind),
                Cell::Int(s.lotgraph),
                Cell::Int(s.neo4j),
                Cell::text(s.lotgraph_checksum.as_str()),
                Cell::text(s.neo4j_checksum.as_str()),
                Cell::text(if s.ok { "ok" } else { "DIFFERS" }),
            ]);
        }
        t.write_table(&mut out)?;
        if !r.differences.is_empty() {
            writeln!(out, "\ndifferences")?;
            let mut d = Tabular::new(&["set", "key", "problem"]);
            for x in &r.differences {
                d.push(vec![
                    Cell::text(x.set),
                    Cell::text(x.key.as_str()),
                    Cell::text(x.problem.as_str()),
                ]);
            }
            d.write_table(&mut out)?;
            let more = r.difference_count - r.differences.len() as u64;
            if more > 0 {
                writeln!(out, "... and {more} more (see --max-differences)")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
