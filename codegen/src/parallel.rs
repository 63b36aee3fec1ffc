//! Work in parallel on the CPUs this process may use: loading (a large YAML document parsed in
//! pieces) and emission (a file's items built and printed in chunks) hand their jobs to
//! [`par_map`], which returns the results in job order, so the output does not depend on the
//! number of threads.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// The number of worker threads: the CPUs this process may run on (its affinity mask, so
/// `taskset` limits it), at least one. Read once per process (the standard library reads the
/// affinity mask and the cgroup's quota files each time it is asked), and asked by loading and
/// by emission.
pub fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A share of one [`par_map`] call handed to a helper thread: the caller's work loop, and
/// where the helper reports that it is done.
struct Task {
    /// The caller's work loop, its lifetime erased. It stays valid while the helper runs it:
    /// the caller does not return, nor unwind, from [`par_map`] before every helper it handed
    /// a share to has reported done ([`WaitOnDrop`]).
    work: *const (dyn Fn() + Sync),
    done: Arc<Done>,
}

// SAFETY: the loop behind `work` is `Sync`, so calling it from another thread is sound; it
// lives as long as the helper uses it (see `Task::work`).
unsafe impl Send for Task {}

/// How many helpers of one call are still at work, and the first panic one of them raised.
struct Done {
    state: Mutex<(usize, Option<Box<dyn std::any::Any + Send>>)>,
    finished: Condvar,
}

impl Done {
    fn finish(&self, panic: Option<Box<dyn std::any::Any + Send>>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 -= 1;
        if state.1.is_none() {
            state.1 = panic;
        }
        self.finished.notify_all();
    }
}

/// Waits, when dropped, until every helper of the call has reported done: also when the
/// calling thread's own share panics, so nothing the helpers borrow is freed under them.
struct WaitOnDrop<'a>(&'a Done);

impl Drop for WaitOnDrop<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        while state.0 > 0 {
            state = self
                .0
                .finished
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

thread_local! {
    /// Whether this thread is one of the [`helpers`]: a [`par_map`] called from inside a job
    /// runs there on its own, since a helper waiting for helpers could wait for itself.
    static IS_HELPER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

thread_local! {
    /// Set on a thread whose stack is known to be large enough for the deepest spec.
    static LARGE_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The stack the generator's work gets when the caller's may be small: syn, prettyplease,
/// the YAML parser and lowering recurse once per level of a spec's nesting (up to 100
/// levels, and types twice as deep), which needs more than a 2 MiB thread (a test's, a
/// tokio worker's) has in a debug build.
const WORK_STACK: usize = 64 << 20;

/// Marks the calling thread as one with a stack large enough for the deepest spec, so the
/// library's entry points run on it directly: the CLI's main thread (8 MiB on Linux).
#[doc(hidden)]
pub fn this_thread_has_a_large_stack() {
    LARGE_STACK.set(true);
}

/// Runs `f` on a stack large enough for the deepest spec: here on a helper or a thread
/// marked by [`this_thread_has_a_large_stack`], else on a thread of [`WORK_STACK`] made for
/// it (about 0.1 ms), which the caller waits for. A panic in `f` is resumed here; if no
/// thread can be made, `f` runs here.
pub(crate) fn on_large_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if IS_HELPER.get() || LARGE_STACK.get() {
        return f();
    }
    let slot = Mutex::new(Some(f));
    let take = || slot.lock().ok().and_then(|mut f| f.take());
    let spawned = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("codegen-work".into())
            .stack_size(WORK_STACK)
            .spawn_scoped(scope, || {
                LARGE_STACK.set(true);
                take().map(|f| f())
            });
        worker.ok().map(|w| w.join())
    });
    match spawned {
        Some(Ok(Some(value))) => value,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        // No thread could be made (or it found nothing to run): run here.
        _ => match take() {
            Some(f) => f(),
            None => unreachable!("the work ran or is still in its slot"),
        },
    }
}

/// The helper threads: one fewer than [`threads`] (the calling thread is the other worker),
/// made on first use and kept for the life of the process, each waiting for its next share.
/// Each parallel stage of a run (the YAML pieces, the document's parts, freeing, emission)
/// finds them waiting instead of starting and joining threads of its own. Paired against a
/// thread per worker per stage (2 CPUs, tmpfs): spotify 0.86 to 0.92, twilio-messaging 0.90
/// to 0.93, twilio-api 0.93 to 0.95, nexus 0.94 to 0.95 of the wall time (BENCHMARKS.md,
/// sixteenth round). rayon's pool (rayon-core 1.13), measured in its place, took 1.07 and
/// 1.10 of the time on propolis and swagger-petstore-v3, where emission is the only parallel
/// stage. Empty with one CPU; a helper that cannot be started is left out, and its share
/// goes to the other workers.
fn helpers() -> &'static [Sender<Task>] {
    static HELPERS: OnceLock<Vec<Sender<Task>>> = OnceLock::new();
    HELPERS.get_or_init(|| {
        (1..threads())
            .filter_map(|i| {
                let (send, receive) = channel::<Task>();
                std::thread::Builder::new()
                    .name(format!("codegen-{i}"))
                    // syn, prettyplease and the YAML parser recurse over deeply nested input.
                    .stack_size(32 << 20)
                    .spawn(move || {
                        IS_HELPER.set(true);
                        while let Ok(task) = receive.recv() {
                            // SAFETY: see `Task::work`.
                            let work = unsafe { &*task.work };
                            let outcome = std::panic::catch_unwind(AssertUnwindSafe(work));
                            task.done.finish(outcome.err());
                        }
                    })
                    .ok()
                    .map(|_| send)
            })
            .collect()
    })
}

/// `f` over every job, in parallel on up to [`threads`] threads, results in job order. Jobs
/// are handed out one at a time from a shared counter, so uneven jobs balance. The calling
/// thread is one of the workers (its allocator heap already holds the memory that loading and
/// lowering freed, so the peak stays lower than with a fresh thread in its place); the others
/// are helper threads made on first use and kept for the life of the process. A panic in any
/// job is raised in the caller once every worker is done.
pub fn par_map<J: Sync, R: Send>(jobs: &[J], f: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let workers = threads().min(jobs.len());
    if workers <= 1 || IS_HELPER.get() {
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
    let all = helpers();
    let helpers = &all[..(workers - 1).min(all.len())];
    let done = Arc::new(Done {
        state: Mutex::new((helpers.len(), None)),
        finished: Condvar::new(),
    });
    {
        let wait = WaitOnDrop(&done);
        let loop_ref: &(dyn Fn() + Sync) = &work;
        // SAFETY: only the lifetime changes; `wait` keeps the loop (and all it borrows)
        // alive until every helper handed it is done, also if `work()` below panics.
        let erased: *const (dyn Fn() + Sync + 'static) = unsafe { std::mem::transmute(loop_ref) };
        for helper in helpers {
            let task = Task {
                work: erased,
                done: Arc::clone(&done),
            };
            if let Err(returned) = helper.send(task) {
                // The helper is gone: its share is left to the others.
                returned.0.done.finish(None);
            }
        }
        work();
        drop(wait);
    }
    let panic = done
        .state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .1
        .take();
    if let Some(payload) = panic {
        std::panic::resume_unwind(payload);
    }
    // Every job was taken from the counter and run; a slot found empty all the same is
    // filled here rather than trusted.
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

    /// The jobs of a call, each taking long enough that the helpers surely take some.
    fn slow(n: &u32) -> u32 {
        std::thread::sleep(std::time::Duration::from_micros(300));
        n * 2
    }

    #[test]
    fn a_panic_in_a_job_reaches_the_caller_and_the_helpers_stay() {
        let jobs: Vec<u32> = (0..48).collect();
        let doubled: Vec<u32> = jobs.iter().map(|n| n * 2).collect();
        for _ in 0..3 {
            // One job panics, on whichever thread takes it.
            let caught = std::panic::catch_unwind(|| {
                par_map(
                    &jobs,
                    |n| if *n == 30 { panic!("job {n}") } else { slow(n) },
                )
            });
            let payload = caught.expect_err("the job's panic reaches the caller");
            assert_eq!(
                payload.downcast_ref::<String>().map(String::as_str),
                Some("job 30")
            );
            // Every job a helper takes panics: the caller gets that panic. The caller's own
            // jobs wait (10 s at most) until a helper has taken one, since the helpers may be
            // busy with another test's call first.
            let taken = std::sync::atomic::AtomicBool::new(false);
            let caught = std::panic::catch_unwind(|| {
                par_map(&jobs, |n| {
                    if IS_HELPER.get() {
                        taken.store(true, Ordering::SeqCst);
                        panic!("on a helper")
                    }
                    let start = std::time::Instant::now();
                    while !taken.load(Ordering::SeqCst) && start.elapsed().as_secs() < 10 {
                        std::thread::sleep(std::time::Duration::from_micros(100));
                    }
                    slow(n)
                })
            });
            if taken.load(Ordering::SeqCst) {
                let payload = caught.expect_err("a helper's panic reaches the caller");
                assert_eq!(payload.downcast_ref::<&str>(), Some(&"on a helper"));
            } else {
                assert_eq!(threads(), 1, "with more than one CPU a helper takes a job");
            }
            // The helpers are still there, and still give every result in order.
            assert_eq!(par_map(&jobs, slow), doubled);
        }
    }

    #[test]
    fn a_job_may_map_in_parallel_itself() {
        let outer: Vec<u64> = (0..24).collect();
        let got = par_map(&outer, |&i| {
            let inner: Vec<u64> = (0..i * 10).collect();
            par_map(&inner, |&j| j * i).iter().sum::<u64>()
        });
        let expected: Vec<u64> = outer
            .iter()
            .map(|&i| (0..i * 10).map(|j| j * i).sum())
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn callers_on_several_threads_share_the_helpers() {
        std::thread::scope(|scope| {
            let callers: Vec<_> = (0..4u32)
                .map(|t| {
                    scope.spawn(move || {
                        let jobs: Vec<u32> = (0..40).map(|i| i + 100 * t).collect();
                        (par_map(&jobs, slow), jobs)
                    })
                })
                .collect();
            for caller in callers {
                let (got, jobs) = caller.join().unwrap();
                assert_eq!(got, jobs.iter().map(|n| n * 2).collect::<Vec<_>>());
            }
        });
    }

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
