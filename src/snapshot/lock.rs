//! The workspace's writer lock: one ingest at a time, and a waiting one
//! says whom it waits for and gives up after `--lock-timeout`.
//!
//! The lock is an advisory `flock` on `W/LOCK`, released by the kernel
//! when its holder exits (even by kill -9). The holder writes its pid into
//! the file so that a waiter can name it; a stopped (SIGSTOP) or hung
//! writer keeps the lock, which is why the wait is announced and bounded.

use super::{SnapshotError, io};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// A held writer lock; released on drop.
#[derive(Debug)]
pub(super) struct Held {
    _file: File,
}

/// How long the first retries wait: short, so that an ingest queued
/// behind another starts as soon as it can.
const FIRST_POLL: Duration = Duration::from_millis(20);
/// The longest wait between two attempts.
const MAX_POLL: Duration = Duration::from_millis(500);

/// Takes the writer lock of `workspace`, waiting at most `timeout` (`None`:
/// as long as it takes). The first time it has to wait it prints
/// `waiting for the workspace lock held by pid N` to stderr.
pub(super) fn acquire(workspace: &Path, timeout: Option<Duration>) -> Result<Held, SnapshotError> {
    let path = workspace.join("LOCK");
    // Not `File::create`: truncating would erase the holder's pid.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io(&path))?;
    let t0 = Instant::now();
    let mut poll = FIRST_POLL;
    let mut announced = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        let holder = holder_of(&mut file);
        let waited = t0.elapsed();
        if timeout.is_some_and(|t| waited >= t) {
            return Err(SnapshotError::LockTimeout {
                path,
                holder,
                waited,
            });
        }
        if !announced {
            announced = true;
            eprintln!(
                "lotgraph: waiting for the workspace lock held by {} ({}){}",
                describe(holder),
                path.display(),
                timeout.map_or_else(
                    || "; --lock-timeout bounds the wait".to_string(),
                    |t| format!(", at most {}", human(t))
                )
            );
        }
        let nap = timeout.map_or(poll, |t| poll.min(t.saturating_sub(waited)));
        std::thread::sleep(nap.max(Duration::from_millis(1)));
        poll = (poll * 2).min(MAX_POLL);
    }
    // We hold it: record our pid for the next waiter.
    let pid = std::process::id().to_string();
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(pid.as_bytes()))
        .and_then(|()| file.flush());
    Ok(Held { _file: file })
}

/// The pid written by the lock's holder, if it wrote one.
fn holder_of(file: &mut File) -> Option<u32> {
    let mut s = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}

/// `pid N` or `another process`.
pub(super) fn describe(holder: Option<u32>) -> String {
    holder.map_or_else(|| "another process".to_string(), |p| format!("pid {p}"))
}

/// A duration for messages: `250 ms`, `3 s`, `2.5 s`.
pub(super) fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        let s = d.as_secs_f64();
        if s.fract() == 0.0 {
            format!("{s:.0} s")
        } else {
            format!("{s:.1} s")
        }
    }
}
