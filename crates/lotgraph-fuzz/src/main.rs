//! `lotgraph-fuzz TARGET --seconds N --seed S [--corpus DIR] [--crashes DIR]`:
//! fuzzes one target for a bounded time and prints
//! `target csv: N runs in S s, K crashes`; exit 1 when anything crashed.
//! `--replay FILE...` runs given inputs once each instead (a reproducer);
//! `--dump-seeds DIR` writes the seed corpus (an AFL input directory).

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "lotgraph-fuzz",
    about = "Fuzz lotgraph's CSV, Parquet and snapshot readers"
)]
struct Args {
    /// csv, parquet or snapshot.
    target: String,
    /// How long to fuzz.
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// Seed of the mutation choices (a run is reproducible from it).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Extra seeds are read from DIR, new corpus inputs written to it.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Where crashing inputs (and `last-input`) are written.
    #[arg(long, default_value = "target/fuzz-crashes")]
    crashes: PathBuf,
    /// A single run longer than this many seconds is a hang (exit 1).
    #[arg(long, default_value_t = 60)]
    run_timeout: u64,
    /// Stop after this many runs.
    #[arg(long)]
    max_runs: Option<u64>,
    /// Run these inputs once each (no mutation) and report.
    #[arg(long, num_args = 1..)]
    replay: Vec<PathBuf>,
    /// Write the target's seeds to DIR (an AFL input directory) and exit.
    #[arg(long)]
    dump_seeds: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("lotgraph-fuzz: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Ok(true) when nothing crashed.
fn run(args: Args) -> anyhow::Result<bool> {
    let mut t = lotgraph_fuzz::target(&args.target)?;
    if let Some(dir) = &args.dump_seeds {
        std::fs::create_dir_all(dir)?;
        for (i, s) in t.seeds().iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:04}")), s)?;
        }
        return Ok(true);
    }
    if !args.replay.is_empty() {
        return replay(t.as_mut(), &args.replay);
    }
    let cfg = lotgraph_fuzz::runner::Config {
        seconds: args.seconds,
        seed: args.seed,
        corpus: args.corpus,
        crashes: args.crashes,
        max_runs: args.max_runs,
        run_timeout: Duration::from_secs(args.run_timeout),
        progress: args.seconds >= 120.0,
    };
    let s = lotgraph_fuzz::runner::run(t.as_mut(), &cfg)?;
    println!("{s}");
    Ok(s.crashes == 0)
}

fn replay(t: &mut dyn lotgraph_fuzz::targets::Target, files: &[PathBuf]) -> anyhow::Result<bool> {
    let mut ok = true;
    for f in files {
        let input = std::fs::read(f)?;
        if let Ok(sig) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| t.exec(&input))) {
            println!("{}: no crash ({sig})", f.display());
        } else {
            println!("{}: CRASH", f.display());
            ok = false;
        }
    }
    Ok(ok)
}
