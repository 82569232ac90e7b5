//! Runs a command and reports its wall time and peak RSS (see
//! scripts/bench-peers.py, run_measured).
//!
//!     measure TIMEOUT_S RESULT_FILE CMD [ARG...]
//!
//! Writes "WALL_NS MAXRSS_KIB" to RESULT_FILE and exits with the command's
//! code (128 + signal when killed; TIMEOUT_S > 0 kills it after that long).
//! Why a program of its own: Linux folds the RSS high-water mark of the
//! address space a process leaves at exec into its ru_maxrss, and a child
//! spawned (vfork) from the Python harness leaves the harness's. Spawned from
//! this small process instead, the figure is the command's own.
use std::process::Command;
use std::time::{Duration, Instant};

extern "C" {
    fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut [i64; 18]) -> i32;
    fn kill(pid: i32, sig: i32) -> i32;
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    assert!(
        args.len() >= 3,
        "usage: measure TIMEOUT_S RESULT_FILE CMD [ARG...]"
    );
    let timeout: f64 = args[0].parse().expect("TIMEOUT_S");
    let t = Instant::now();
    let child = Command::new(&args[2])
        .args(&args[3..])
        .spawn()
        .unwrap_or_else(|e| {
            eprintln!("measure: {}: {e}", args[2]);
            std::process::exit(127)
        });
    let pid = child.id() as i32;
    if timeout > 0.0 {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs_f64(timeout));
            unsafe { kill(pid, 9) };
        });
    }
    let (mut status, mut ru) = (0i32, [0i64; 18]);
    // struct rusage: two timevals (4 longs), then ru_maxrss.
    let r = unsafe { wait4(pid, &mut status, 0, &mut ru) };
    let wall = t.elapsed().as_nanos();
    assert_eq!(r, pid, "wait4 failed");
    std::fs::write(&args[1], format!("{wall} {}\n", ru[4])).expect("write RESULT_FILE");
    let code = if status & 0x7f == 0 {
        (status >> 8) & 0xff
    } else {
        128 + (status & 0x7f)
    };
    std::process::exit(code);
}
