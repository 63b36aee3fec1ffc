//! Emission in parallel: a file is a head (inner attributes, `use`s, a few items) and a list
//! of items; the items are cut into chunks, and each chunk is built, parsed and printed by a
//! worker thread on its own (token streams are not `Send`: every worker builds its own).
//! The printed pieces are joined in order, so the output is the same bytes whatever the
//! number of threads; a chunk's tokens are dropped as soon as it is printed, so memory holds
//! the text and the IR, not the tokens of a whole file.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Items per chunk: large enough that a chunk's parse and print outweigh handing it out,
/// small enough that the last chunks of a big file spread over every thread.
pub const CHUNK: usize = 48;

/// The number of worker threads: the CPUs this process may run on (its affinity mask, so
/// `taskset` limits it), at least one.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` over every job, in parallel on up to [`threads`] scoped threads, results in job
/// order. Jobs are handed out one at a time from a shared counter, so uneven jobs balance.
pub fn par_map<J: Sync, R: Send>(jobs: &[J], f: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let workers = threads().min(jobs.len());
    if workers <= 1 {
        return jobs.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            std::thread::Builder::new()
                // syn and prettyplease recurse over deeply nested tokens.
                .stack_size(32 << 20)
                .spawn_scoped(scope, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let r = f(job);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                })
                .expect("spawn an emission thread");
        }
    });
    slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every job ran")
        })
        .collect()
}

/// The chunks of `0..len`, [`CHUNK`] items each.
pub fn chunks(len: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..len)
        .step_by(CHUNK)
        .map(move |start| start..(start + CHUNK).min(len))
}
