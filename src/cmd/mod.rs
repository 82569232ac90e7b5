//! One module per subcommand, each with a clap `Args` and `run(args)`.
//! Options shared by several commands live here.

pub mod check;
pub mod demo;
pub mod generate;
pub mod ingest;
pub mod investigate;
pub mod lot;
pub mod lotcode;
#[cfg(feature = "neo4j")]
pub mod neo4j;
/// Built without the `neo4j` feature: the command exists and says how to
/// get it, instead of clap calling it an unknown command.
#[cfg(not(feature = "neo4j"))]
#[path = "neo4j_unavailable.rs"]
pub mod neo4j;
pub mod recall;
pub mod returns;
pub mod stats;
pub mod suppliers;
pub mod trace;

use crate::report::{Document, Format};
use crate::snapshot::{self, Snapshot};
use anyhow::Context;
use std::path::PathBuf;

/// Where the snapshot lives.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkspaceArgs {
    /// Workspace directory holding the snapshot.
    #[arg(
        long,
        short = 'w',
        env = "LOTGRAPH_WORKSPACE",
        default_value = ".lotgraph"
    )]
    pub workspace: PathBuf,
}

impl WorkspaceArgs {
    /// Loads the live snapshot.
    pub fn load(&self) -> anyhow::Result<Snapshot> {
        snapshot::load(&self.workspace).context("cannot load the snapshot")
    }
}

/// Where and how a command writes its answer: flattened into every
/// command that writes one, so `--format` and `--output` mean the same
/// everywhere.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Output format [default: table; trace: tree]. A command says which
    /// formats it writes when given another.
    #[arg(long, short, value_enum)]
    pub format: Option<Format>,
    /// Where to write (`-` = stdout).
    #[arg(long, short, default_value = "-")]
    pub output: PathBuf,
}

impl ReportArgs {
    /// The chosen format (`default` when none was given), if `command`
    /// writes it.
    pub fn format_of(
        &self,
        command: &str,
        default: Format,
        accepted: &[Format],
    ) -> anyhow::Result<Format> {
        self.format
            .unwrap_or(default)
            .accepted_by(command, accepted)
    }

    /// Renders `doc` in the chosen format (a document format; table by
    /// default) to the chosen place.
    pub fn emit(&self, command: &str, doc: &Document) -> anyhow::Result<()> {
        let format = self.format_of(command, Format::Table, Format::DOCUMENT)?;
        self.emit_as(format, doc)
    }

    /// Renders `doc` in `format` to the chosen place.
    pub fn emit_as(&self, format: Format, doc: &Document) -> anyhow::Result<()> {
        let mut out = crate::report::open_output(&self.output)?;
        doc.write(format, &mut out)?;
        out.finish()?;
        Ok(())
    }

    /// Does the chosen format write JSON?
    pub fn is_json(&self) -> bool {
        self.format == Some(Format::Json)
    }
}

/// The JSON Schema of every command's `--format json` output, by the name
/// of its file in `docs/schema/` (`NAME.schema.json`), generated from the
/// result types the commands serialise: the contract cannot drift from
/// what is written. `tests/json_contract.rs` checks the files are these
/// and validates every command's output on the fixtures against them.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    fn of<T: schemars::JsonSchema>() -> serde_json::Value {
        let mut v = schemars::SchemaGenerator::default()
            .into_root_schema_for::<T>()
            .to_value();
        closed(&mut v);
        v
    }
    /// Every object with named properties allows no others: a key the
    /// types do not declare is a contract change, and validation says so.
    fn closed(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                if m.contains_key("properties") && !m.contains_key("additionalProperties") {
                    m.insert("additionalProperties".into(), false.into());
                }
                m.values_mut().for_each(closed);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(closed),
            _ => {}
        }
    }
    vec![
        ("check", of::<check::CheckJson>()),
        ("ingest", of::<ingest::IngestJson>()),
        ("investigate", of::<investigate::InvestigateJson>()),
        ("lot", of::<lot::LotFacts>()),
        ("lotcode-check", of::<lotcode::CheckJson>()),
        ("lotcode-gs1", of::<lotcode::Gs1LotJson>()),
        ("lotcode-next", of::<lotcode::NextJson>()),
        ("lotcode-parse", of::<lotcode::ParseJson>()),
        ("recall-compare", of::<recall::CompareJson>()),
        ("recall-simulate", of::<recall::RecallJson>()),
        ("returns", of::<returns::ReturnsJson>()),
        ("stats", of::<stats::StatsJson>()),
        ("suppliers", of::<suppliers::SuppliersJson>()),
        ("trace", of::<crate::report::trace::TraceJson>()),
    ]
}

/// Looks a lot up by id, with an error that names it and the workspace.
pub fn find_lot(
    snap: &Snapshot,
    ws: &WorkspaceArgs,
    id: &str,
) -> anyhow::Result<lotgraph_core::LotIx> {
    snap.dataset.lot_ix(id).ok_or_else(|| {
        anyhow::anyhow!(
            "lot {id:?} is not in the snapshot of {} ({} lots)",
            ws.workspace.display(),
            snap.dataset.lot_count()
        )
    })
}

/// Looks an SKU up by its code.
pub fn find_sku(snap: &Snapshot, sku: &str) -> anyhow::Result<lotgraph_core::model::SkuIx> {
    snap.dataset
        .products
        .iter()
        .position(|p| p.sku == sku)
        .map(lotgraph_core::model::SkuIx::from_ix)
        .ok_or_else(|| anyhow::anyhow!("SKU {sku:?} is not in the snapshot"))
}

/// Looks a supplier up by id.
pub fn find_supplier(
    snap: &Snapshot,
    id: &str,
) -> anyhow::Result<lotgraph_core::model::SupplierIx> {
    snap.dataset
        .supplier_ix(id)
        .ok_or_else(|| anyhow::anyhow!("supplier {id:?} is not in the snapshot"))
}

/// Every production line with this name (at `site`, when given): a line
/// is a name at a site, and several plants may use the same name.
pub fn find_lines(
    snap: &Snapshot,
    name: &str,
    site: Option<lotgraph_core::model::SiteIx>,
) -> anyhow::Result<Vec<lotgraph_core::model::LineIx>> {
    let found = snap.dataset.lines_named(name, site);
    if found.is_empty() {
        anyhow::bail!("line {name:?} is not in the snapshot");
    }
    Ok(found)
}

/// Looks a site up by id.
pub fn find_site(snap: &Snapshot, id: &str) -> anyhow::Result<lotgraph_core::model::SiteIx> {
    snap.dataset
        .sites
        .iter()
        .position(|s| s.id == id)
        .map(lotgraph_core::model::SiteIx::from_ix)
        .ok_or_else(|| anyhow::anyhow!("site {id:?} is not in the snapshot"))
}

/// The return filter of `--sku`, `--category`, `--from`, `--to` (shared by
/// `returns` and `investigate --from-returns`); an unknown SKU is an error.
pub fn return_filter(
    snap: &Snapshot,
    sku: Option<&str>,
    category: Option<ReturnCategoryArg>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> anyhow::Result<lotgraph_core::analytics::returns::ReturnFilter> {
    Ok(lotgraph_core::analytics::returns::ReturnFilter {
        sku: sku.map(|s| find_sku(snap, s)).transpose()?,
        category: category.map(Into::into),
        from,
        to,
    })
}

/// Return categories as typed on the command line.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReturnCategoryArg {
    /// A manufacturing defect.
    Defect,
    /// A quality complaint.
    Quality,
    /// A safety complaint.
    Safety,
    /// Damage in transit or handling.
    Damage,
    /// Anything else.
    Other,
}

impl From<ReturnCategoryArg> for lotgraph_core::model::ReturnCategory {
    fn from(c: ReturnCategoryArg) -> Self {
        use lotgraph_core::model::ReturnCategory as R;
        match c {
            ReturnCategoryArg::Defect => R::Defect,
            ReturnCategoryArg::Quality => R::Quality,
            ReturnCategoryArg::Safety => R::Safety,
            ReturnCategoryArg::Damage => R::Damage,
            ReturnCategoryArg::Other => R::Other,
        }
    }
}
