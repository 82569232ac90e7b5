//! Measurement helpers of the scale benchmark: peak memory from
//! /proc/self/status, durations, percentiles and number formatting.

use std::path::Path;
use std::time::Duration;

/// A `/proc/self/status` field in kB (`VmHWM`, `VmRSS`), if available.
pub(crate) fn proc_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub(crate) fn mib(kb: Option<u64>) -> String {
    kb.map_or("n/a".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0))
}

/// Resets `VmHWM` to the current RSS (Linux ≥ 4.0); returns whether it worked.
pub(crate) fn reset_hwm() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Gives freed heap back to the OS so RSS reflects live data (glibc only).
pub(crate) fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim has no preconditions.
        unsafe {
            malloc_trim(0);
        }
    }
}

pub(crate) fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

pub(crate) fn fmt_dur(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

pub(crate) fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Nearest-rank percentile of sorted samples.
pub(crate) fn pct(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(crate) fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |rd| {
        rd.flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => dir_size(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    })
}

pub(crate) struct TraceStats {
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub mean_closure: f64,
    pub p50_closure: usize,
    pub max_closure: usize,
    /// Total trace time over total closure lots.
    pub ns_per_lot: f64,
}

pub(crate) fn trace_stats(mut times: Vec<Duration>, sizes: &[usize]) -> TraceStats {
    let total: Duration = times.iter().sum();
    let lots: usize = sizes.iter().sum();
    let mut sorted_sizes = sizes.to_vec();
    sorted_sizes.sort_unstable();
    times.sort_unstable();
    TraceStats {
        p50_closure: sorted_sizes
            .get(sorted_sizes.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(0),
        ns_per_lot: total.as_secs_f64() * 1e9 / lots.max(1) as f64,
        p50: pct(&times, 50.0),
        p99: pct(&times, 99.0),
        max: *times.last().unwrap_or(&Duration::ZERO),
        mean_closure: sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64,
        max_closure: sizes.iter().copied().max().unwrap_or(0),
    }
}
