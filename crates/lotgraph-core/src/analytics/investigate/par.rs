//! The scratch machinery of the investigation's parallel steps: a map over
//! items spread across the machine's cores with per-thread scratch, and
//! epoch stamps that make a per-thread "visited" array reusable in O(1).

/// `f` over `items` on up to all cores (at least `per_thread` items each),
/// results in the order of `items`. Items are dealt round-robin, so a few
/// huge ones spread out. Each thread has its own scratch from `init`.
pub(super) fn par_map<T: Sync, R: Send, S>(
    items: &[T],
    per_thread: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(items.len().div_ceil(per_thread.max(1)).max(1));
    if threads <= 1 {
        let mut s = init();
        return items.iter().map(|x| f(&mut s, x)).collect();
    }
    let parts: Vec<Vec<R>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (init, f) = (&init, &f);
                scope.spawn(move || {
                    let mut s = init();
                    items
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .map(|x| f(&mut s, x))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut iters: Vec<_> = parts.into_iter().map(Vec::into_iter).collect();
    (0..items.len())
        .filter_map(|i| iters[i % threads].next())
        .collect()
}

/// Moves to a fresh stamp, clearing `stamps` when the counter wraps.
pub(super) fn next_epoch(epoch: &mut u32, stamps: &mut [u32]) {
    if *epoch == u32::MAX {
        stamps.fill(0);
        *epoch = 0;
    }
    *epoch += 1;
}
