//! Work in parallel on the CPUs this process may use: loading (a large YAML document parsed in
//! pieces) and emission (a file's items built and printed in chunks) hand their jobs to
//! [`par_map`], which returns the results in job order, so the output does not depend on the
//! number of threads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The number of worker threads: the CPUs this process may run on (its affinity mask, so
/// `taskset` limits it), at least one. Read once per process (the standard library reads the
/// affinity mask and the cgroup's quota files each time it is asked), and asked by loading and
/// by emission.
pub fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` over every job, in parallel on up to [`threads`] threads, results in job order. Jobs
/// are handed out one at a time from a shared counter, so uneven jobs balance. The calling
/// thread is one of the workers (its allocator heap already holds the memory that loading and
/// lowering freed, so the peak stays lower than with a fresh thread in its place). A worker
/// that cannot be spawned leaves its share to the others; nothing is left undone.
pub fn par_map<J: Sync, R: Send>(jobs: &[J], f: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let workers = threads().min(jobs.len());
    if workers <= 1 {
        return jobs.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    #[cfg(test)]
    let tokens_only = crate::emit::tests::TOKENS_ONLY.get();
    let work = || loop {
        #[cfg(test)]
        crate::emit::tests::TOKENS_ONLY.set(tokens_only);
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i) else { break };
        let r = f(job);
        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
    };
    std::thread::scope(|scope| {
        for _ in 1..workers {
            // syn, prettyplease and the YAML parser recurse over deeply nested input.
            let spawned = std::thread::Builder::new()
                .stack_size(32 << 20)
                .spawn_scoped(scope, work);
            if spawned.is_err() {
                break;
            }
        }
        work();
    });
    slots
        .into_iter()
        .zip(jobs)
        .map(|(slot, job)| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| f(job))
        })
        .collect()
}

/// [`par_map`] when `parallel`, else `f` over the jobs on the calling thread: for callers
/// whose small inputs cost less than starting a thread (see their thresholds).
pub fn par_map_if<J: Sync, R: Send>(
    parallel: bool,
    jobs: &[J],
    f: impl Fn(&J) -> R + Sync,
) -> Vec<R> {
    if parallel {
        par_map(jobs, f)
    } else {
        jobs.iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_job_order_whatever_thread_ran_them() {
        // Uneven jobs, so the workers finish out of order.
        let jobs: Vec<u64> = (0..500).map(|i| (i * 7919) % 97).collect();
        let work = |n: &u64| (0..*n * 1000).fold(*n, |a, x| a.wrapping_mul(31).wrapping_add(x));
        let sequential: Vec<u64> = jobs.iter().map(work).collect();
        assert_eq!(par_map(&jobs, work), sequential);
        // The calling thread is one of the workers, so a job may run on it.
        let caller = std::thread::current().id();
        let ran_on: Vec<bool> = par_map(&jobs, |_| std::thread::current().id() == caller);
        assert_eq!(ran_on.len(), jobs.len());
        if threads() == 1 {
            assert!(ran_on.iter().all(|on_caller| *on_caller));
        }
    }
}
