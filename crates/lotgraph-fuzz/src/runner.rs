//! The fuzz loop: runs every seed once, then mutants of the corpus until
//! the time is up. An input that reaches an outcome never seen before
//! (its signature, see `targets`) joins the corpus, a cheap stand-in for
//! coverage feedback. Every panic is a crash: the first input per panic
//! location is written to the crash directory with its message, and all
//! are counted. An abort or stack overflow kills the process, so the
//! current input is written to `CRASHES/last-input` before each run and
//! removed after it; a watchdog thread ends the process (exit 1) when one
//! run takes longer than the time limit, leaving that file as the hang's
//! reproducer. A `last-input` found at start is a previous run's death:
//! it is kept as `died-*.bin` and counted as a crash.

use crate::mutate::{Rng, mutate};
use crate::targets::Target;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How one fuzz run is bounded and where it writes.
#[derive(Clone, Debug)]
pub struct Config {
    pub seconds: f64,
    pub seed: u64,
    /// Extra seeds are read from here and new corpus inputs written here.
    pub corpus: Option<PathBuf>,
    pub crashes: PathBuf,
    /// Stop after this many runs (tests), whatever the time.
    pub max_runs: Option<u64>,
    /// A single run longer than this is a hang.
    pub run_timeout: Duration,
    /// Progress lines on stderr once a minute.
    pub progress: bool,
}

/// What a run found.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub target: String,
    pub runs: u64,
    pub secs: f64,
    /// Inputs that panicked (plus a previous run's death).
    pub crashes: u64,
    /// Distinct panic locations among them.
    pub unique: usize,
    /// Panics that are documented outcomes (see `Target::expected_panic`).
    pub expected_panics: u64,
    /// Panics inside arrow/parquet that lotgraph caught and reported.
    pub caught_decoder_panics: u64,
    pub corpus: usize,
    pub signatures: usize,
    pub slowest: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "target {}: {} runs in {:.0} s, {} crashes",
            self.target, self.runs, self.secs, self.crashes
        )?;
        write!(
            f,
            "  ({} distinct; {} documented panics on damaged arrays; {} decoder panics caught as errors; \
             corpus {}, {} outcome signatures; slowest run {:.3} s)",
            self.unique,
            self.expected_panics,
            self.caught_decoder_panics,
            self.corpus,
            self.signatures,
            self.slowest.as_secs_f64()
        )
    }
}

thread_local! {
    /// The message of the last panic on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A silent hook that records the panic for the runner (installed once;
/// lotgraph's Parquet guard wraps it and keeps caught panics from it).
fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let msg = info.to_string();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(msg));
        }));
    });
}

/// The `file:line` of a panic message (`panicked at src/x.rs:10:5:\n...`).
fn location(msg: &str) -> String {
    msg.lines()
        .next()
        .and_then(|l| l.strip_prefix("panicked at "))
        .map_or_else(
            || msg.lines().next().unwrap_or("").to_string(),
            |l| l.trim_end_matches(':').to_string(),
        )
}

fn hash(b: &[u8]) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    h.write(b);
    h.finish()
}

/// Starts the watchdog; returns the cell holding the current run's start
/// (milliseconds since `t0`, plus one; 0 between runs).
fn watchdog(t0: Instant, limit: Duration, last_input: PathBuf, target: String) -> Arc<AtomicU64> {
    let started = Arc::new(AtomicU64::new(0));
    let s = started.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let at = s.load(Ordering::Relaxed);
            let now = t0.elapsed().as_millis() as u64 + 1;
            if at != 0 && now.saturating_sub(at) > limit.as_millis() as u64 {
                eprintln!(
                    "target {target}: a run took more than {} s (hang); its input is {}",
                    limit.as_secs(),
                    last_input.display()
                );
                std::process::exit(1);
            }
        }
    });
    started
}

/// Fuzzes `t` as `cfg` says.
pub fn run(t: &mut dyn Target, cfg: &Config) -> anyhow::Result<Summary> {
    install_hook();
    std::fs::create_dir_all(&cfg.crashes)?;
    let last_input = cfg.crashes.join("last-input");
    let mut sum = Summary {
        target: t.name().to_string(),
        ..Summary::default()
    };
    if last_input.exists() {
        let kept = cfg.crashes.join(format!("died-{:016x}.bin", cfg.seed));
        std::fs::rename(&last_input, &kept)?;
        eprintln!(
            "target {}: a previous run died on the input now in {}",
            t.name(),
            kept.display()
        );
        sum.crashes += 1;
    }
    let mut corpus = t.seeds();
    if let Some(dir) = &cfg.corpus {
        std::fs::create_dir_all(dir)?;
        for e in std::fs::read_dir(dir)?.flatten() {
            if let Ok(b) = std::fs::read(e.path()) {
                corpus.push(b);
            }
        }
    }
    anyhow::ensure!(!corpus.is_empty(), "target {}: no seeds", t.name());
    let t0 = Instant::now();
    let started = watchdog(
        t0,
        cfg.run_timeout,
        last_input.clone(),
        t.name().to_string(),
    );
    let decoder0 = lotgraph::ingest::caught_decoder_panics();
    let mut rng = Rng::new(cfg.seed);
    let mut seen: HashSet<String> = HashSet::new();
    let mut locations: HashMap<String, u64> = HashMap::new();
    let mut next_progress = 60.0;
    let n_seeds = corpus.len();
    let mut i = 0usize;
    loop {
        let secs = t0.elapsed().as_secs_f64();
        if secs >= cfg.seconds || cfg.max_runs.is_some_and(|m| sum.runs >= m) {
            break;
        }
        if cfg.progress && secs >= next_progress {
            eprintln!(
                "  {}: {} runs in {secs:.0} s, {} crashes, corpus {}",
                t.name(),
                sum.runs,
                sum.crashes,
                corpus.len()
            );
            next_progress += 60.0;
        }
        // Every seed once as it is, then mutants.
        let input = if i < n_seeds {
            corpus[i].clone()
        } else {
            let a = rng.below(corpus.len());
            let b = rng.below(corpus.len());
            mutate(&mut rng, &corpus[a], &corpus[b], t.textual())
        };
        i += 1;
        std::fs::write(&last_input, &input)?;
        let caught_before = lotgraph::ingest::caught_decoder_panics();
        let begin = Instant::now();
        started.store(t0.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
        let outcome = catch_unwind(AssertUnwindSafe(|| t.exec(&input)));
        started.store(0, Ordering::Relaxed);
        sum.slowest = sum.slowest.max(begin.elapsed());
        sum.runs += 1;
        if lotgraph::ingest::caught_decoder_panics() > caught_before {
            keep_caught(&cfg.crashes, &input)?;
        }
        if let Ok(sig) = outcome {
            // Small inputs only: big ones would slow every later run.
            let keep = i > n_seeds && input.len() <= 256 << 10 && corpus.len() < 20_000;
            if seen.insert(sig) && keep {
                if let Some(dir) = &cfg.corpus {
                    std::fs::write(dir.join(format!("{:016x}", hash(&input))), &input)?;
                }
                corpus.push(input);
            }
        } else {
            let msg = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| "panic (no message)".into());
            let expected = catch_unwind(AssertUnwindSafe(|| t.expected_panic(&input)))
                .ok()
                .flatten();
            if expected.is_some() {
                sum.expected_panics += 1;
            } else {
                record_crash(&cfg.crashes, t.name(), &input, &msg, &mut locations)?;
                sum.crashes += 1;
            }
        }
        std::fs::remove_file(&last_input)?;
    }
    sum.secs = t0.elapsed().as_secs_f64();
    sum.unique = locations.len();
    sum.caught_decoder_panics = lotgraph::ingest::caught_decoder_panics() - decoder0;
    sum.corpus = corpus.len();
    sum.signatures = seen.len();
    Ok(sum)
}

/// Keeps the first inputs that made arrow/parquet panic (lotgraph caught
/// the panic, so they are not crashes) under `caught/`: reproducers for
/// the library's maintainers and regression seeds.
fn keep_caught(dir: &Path, input: &[u8]) -> anyhow::Result<()> {
    const KEEP: usize = 20;
    let dir = dir.join("caught");
    std::fs::create_dir_all(&dir)?;
    if std::fs::read_dir(&dir)?.count() < KEEP {
        std::fs::write(dir.join(format!("{:016x}.bin", hash(input))), input)?;
    }
    Ok(())
}

/// Writes the first input of each panic location as
/// `<target>-<hash>.bin` with its message in `.txt`.
fn record_crash(
    dir: &Path,
    target: &str,
    input: &[u8],
    msg: &str,
    locations: &mut HashMap<String, u64>,
) -> anyhow::Result<()> {
    let loc = location(msg);
    let count = locations.entry(loc.clone()).or_insert(0);
    *count += 1;
    if *count == 1 {
        let base = dir.join(format!("{target}-{:016x}", hash(loc.as_bytes())));
        std::fs::write(base.with_extension("bin"), input)?;
        std::fs::write(base.with_extension("txt"), format!("{msg}\n"))?;
        eprintln!(
            "target {target}: crash at {loc}: {}",
            base.with_extension("bin").display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Panics on inputs containing `BOOM`.
    struct Planted;

    impl Target for Planted {
        fn name(&self) -> &'static str {
            "planted"
        }
        fn seeds(&self) -> Vec<Vec<u8>> {
            vec![b"BOOM".to_vec(), b"fine".to_vec()]
        }
        fn exec(&mut self, input: &[u8]) -> String {
            assert!(!input.windows(4).any(|w| w == b"BOOM"), "planted");
            format!("len {}", input.len().min(3))
        }
    }

    fn config(dir: &Path) -> Config {
        Config {
            seconds: 30.0,
            seed: 1,
            corpus: None,
            crashes: dir.to_path_buf(),
            max_runs: Some(300),
            run_timeout: Duration::from_secs(30),
            progress: false,
        }
    }

    #[test]
    fn a_panic_is_a_crash_with_its_input_written() {
        let dir = tempfile::tempdir().unwrap();
        let s = run(&mut Planted, &config(dir.path())).unwrap();
        assert_eq!(s.runs, 300);
        assert!(s.crashes >= 1, "{s}");
        assert_eq!(s.unique, 1, "{s}");
        assert!(!dir.path().join("last-input").exists());
        let written: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "bin"))
            .collect();
        assert_eq!(written.len(), 1);
        let bytes = std::fs::read(written[0].path()).unwrap();
        assert!(bytes.windows(4).any(|w| w == b"BOOM"));
        let msg = std::fs::read_to_string(written[0].path().with_extension("txt")).unwrap();
        assert!(msg.contains("planted"), "{msg}");
    }

    #[test]
    fn a_previous_death_is_kept_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("last-input"), b"killer").unwrap();
        let mut cfg = config(dir.path());
        cfg.max_runs = Some(1);
        let s = run(&mut Planted, &cfg).unwrap();
        assert_eq!(s.crashes, 2, "the death and the BOOM seed: {s}");
        let died = std::fs::read(dir.path().join(format!("died-{:016x}.bin", 1))).unwrap();
        assert_eq!(died, b"killer");
    }

    #[test]
    fn location_is_the_first_line() {
        assert_eq!(location("panicked at src/a.rs:3:9:\nboom"), "src/a.rs:3:9");
    }
}
