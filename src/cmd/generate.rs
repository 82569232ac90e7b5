//! `lotgraph generate`: writes a synthetic supply network in the record
//! format (CSV or Parquet) with planted faults and their ground truth in
//! `truth.json`, for benchmarks and for measuring how often `investigate`
//! and the supplier scorecard find what was planted. See `crate::generate`
//! for the model.

use crate::Status;
use crate::generate::{self, Config, DataFormat, FaultKind};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of lots to generate, exactly (`_`, `k` and `M` accepted:
    /// `100k`, `1M`).
    #[arg(long, value_parser = parse_count)]
    pub lots: u64,
    /// Seed of the pseudo-random generator: the same seed and options give
    /// byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory to write into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// File format of the dataset (truth.json is always JSON).
    #[arg(long, value_enum, default_value_t = DataFormat::Csv)]
    pub format: DataFormat,
    /// Kind of fault to plant.
    #[arg(long, value_enum, default_value_t = FaultKind::Mixed)]
    pub fault: FaultKind,
    /// Number of faults to plant [default: 3 with `mixed`, else 1].
    #[arg(long)]
    pub faults: Option<usize>,
    /// No progress lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Parses `2000`, `2_000`, `20k` or `1M` (also used by the benches).
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.trim().replace('_', "");
    let (num, mul) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1_000),
        Some('m' | 'M') => (&t[..t.len() - 1], 1_000_000),
        _ => (&t[..], 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .ok_or_else(|| format!("{s:?} is not a count (like 2000, 20k or 1M)"))
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let faults = args.faults.unwrap_or(match args.fault {
        FaultKind::Mixed => 3,
        FaultKind::None => 0,
        _ => 1,
    });
    let cfg = Config {
        lots: args.lots,
        seed: args.seed,
        out: args.out.clone(),
        format: args.format,
        fault: args.fault,
        faults,
        progress: !args.quiet,
    };
    let t0 = std::time::Instant::now();
    let s = generate::generate(&cfg)
        .with_context(|| format!("cannot generate into {}", args.out.display()))?;
    let mut out = std::io::stdout().lock();
    let names: Vec<String> = s
        .files
        .iter()
        .map(|(n, _)| format!("{n}.{}", args.format.extension()))
        .collect();
    let wn = names.iter().map(String::len).max().unwrap_or(4);
    let wr = s
        .files
        .iter()
        .map(|(_, r)| r.to_string().len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(out, "{:<wn$}  {:>wr$}", "file", "rows")?;
    for (file, (_, rows)) in names.iter().zip(&s.files) {
        writeln!(out, "{file:<wn$}  {rows:>wr$}")?;
    }
    writeln!(out)?;
    for (id, kind, source, planted) in &s.faults {
        let what = if *planted { "planted" } else { "not planted" };
        writeln!(out, "{id}: {} {source} ({what})", kind.name())?;
    }
    writeln!(
        out,
        "{} lots over {} days (to {}), seed {}, faults: {} -> {} ({:.2} s)",
        args.lots,
        s.days,
        s.end,
        args.seed,
        args.fault.name(),
        s.truth.display(),
        t0.elapsed().as_secs_f64()
    )?;
    out.flush()?;
    Ok(Status::Ok)
}

#[cfg(test)]
mod tests {
    use super::parse_count;

    #[test]
    fn counts() {
        assert_eq!(parse_count("2000"), Ok(2000));
        assert_eq!(parse_count("20k"), Ok(20_000));
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("10M"), Ok(10_000_000));
        assert!(parse_count("lots").is_err());
    }
}
