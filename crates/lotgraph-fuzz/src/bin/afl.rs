//! AFL++ entry point (feature `afl`): `LOTGRAPH_FUZZ_TARGET=csv|parquet|snapshot`
//! picks the target; AFL feeds inputs and a panic outside lotgraph's own
//! guards aborts, which AFL records as a crash. Build with
//! `cargo afl build --release -p lotgraph-fuzz --features afl`.

fn main() {
    let name = std::env::var("LOTGRAPH_FUZZ_TARGET").unwrap_or_else(|_| "csv".into());
    let mut t = match lotgraph_fuzz::target(&name) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("lotgraph-fuzz-afl: {e:#}");
            std::process::exit(2);
        }
    };
    // The target is used again after a caught panic only inside
    // lotgraph's own guards, which leave it consistent; any other panic
    // aborts the process (AFL's hook), so nothing is observed after it.
    let mut t = std::panic::AssertUnwindSafe(&mut t);
    afl::fuzz(true, move |data: &[u8]| {
        t.exec(data);
    });
}
