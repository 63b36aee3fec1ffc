//! What generation asks of the allocator between its stages.

/// The least spec text (bytes, all specs together) for which generation spends time to keep
/// its peak memory lower: loading gives freed pages back soon ([`PurgeSoon`]), and they are
/// all given back before emission ([`release_freed_memory`]).
///
/// Below it the peak is well under the peers' without either, and the pages given back are
/// soon taken again, each with a page fault. Giving them back before emission cost 1 to 5% of
/// the wall time from 256 KiB to 2 MiB (spotify 0.962 without it, nexus 0.965, box 0.950,
/// twilio-api 0.984) and kept 2 to 5 MiB off the peaks: without it, spotify peaks at 16 MiB
/// (ploidy 25), twilio-messaging 13 (16), nexus 19 (31), openai 33 (43), twilio-api 34 (45)
/// (BENCHMARKS.md, sixteenth round). Giving pages back soon while loading cost up to 8% on
/// nexus (seventh round).
pub(crate) const LARGE_SPEC_BYTES: u64 = 2 * 1024 * 1024;

/// Gives the memory that loading and lowering freed back before emission starts, for specs
/// of at least [`LARGE_SPEC_BYTES`]: their text, trees and `openapiv3` documents
/// are gone by then, and the IR is what is left.
///
/// With the `fast-alloc` feature (the CLI's mimalloc), a forced `mi_collect`: mimalloc keeps
/// freed pages for a while, and a run of ours is over before it would give them back, so the
/// peak was the loading stages' memory plus the emission's (the emission's worker threads take
/// fresh pages). Measured: peaks 15 to 25% lower on the large specs (plaid 79 to 65 MiB,
/// github 78 to 63, stripe 125 to 102) for 1 to 3% of the wall time. Without the feature,
/// nothing: the system allocator's behaviour is its own.
#[cfg(feature = "fast-alloc")]
pub(crate) fn release_freed_memory() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time;
    // it frees nothing that is in use, it only returns pages mimalloc holds free.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// [`release_freed_memory`] without the `fast-alloc` feature: nothing.
#[cfg(not(feature = "fast-alloc"))]
pub(crate) fn release_freed_memory() {}

/// How soon mimalloc gives freed pages back while large specs are loaded and lowered, in ms
/// (mimalloc's own default is 1000: a run of ours is over before it gives anything back).
/// Loading frees as it goes (the YAML parser's events, the pieces' trees, the `openapiv3`
/// document's buffers) on several threads, and the most memory of a run is held at the end of
/// lowering; with the pages given back soon, that peak is lower: plaid 72 to 55 MiB, stripe
/// 109 to 84, for 1 to 5% of the wall time (BENCHMARKS.md, seventh round).
#[cfg(feature = "fast-alloc")]
const LOADING_PURGE_DELAY_MS: std::os::raw::c_long = 10;

/// For as long as the value lives, mimalloc gives freed pages back after
/// [`LOADING_PURGE_DELAY_MS`]; its delay before is restored when it is dropped. Nothing when a
/// user chose the delay (`MIMALLOC_PURGE_DELAY`) or without the `fast-alloc` feature.
pub(crate) struct PurgeSoon {
    #[cfg(feature = "fast-alloc")]
    previous: Option<std::os::raw::c_long>,
}

/// mimalloc's `mi_option_purge_delay` (its index in `mi_option_t`).
#[cfg(feature = "fast-alloc")]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For the CLI, once its work is done: mimalloc's exit handler collects the main thread's
/// heap by force, which gives the freed memory back to the system 64 KiB at a time, each with
/// a `madvise` call of its own (spotify: 106 calls, propolis 29), just before the end of the
/// process gives all of it back at once. A purge delay below zero turns purging off, so the
/// handler gives nothing back itself. Paired, 2 CPUs, tmpfs: one binary exiting without and
/// with the purge, keeper 0.98, propolis 0.99, spotify 0.97 of the wall time; against the
/// binary before, spotify 0.96, nexus 0.97, twilio-api 0.94 (BENCHMARKS.md, sixteenth
/// round). Nothing else may allocate much after it: freed memory is no longer given back.
#[cfg(feature = "fast-alloc")]
#[doc(hidden)]
pub fn purge_nothing_from_now() {
    // SAFETY: setting an option takes no pointers; mimalloc reads this one each time it
    // decides whether to purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

impl PurgeSoon {
    pub(crate) fn start() -> Self {
        #[cfg(feature = "fast-alloc")]
        {
            let previous = std::env::var_os("MIMALLOC_PURGE_DELAY").is_none().then(|| {
                // SAFETY: reading and setting an option takes no pointers; mimalloc reads the
                // option each time it decides to purge.
                unsafe {
                    let previous = libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY);
                    libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, LOADING_PURGE_DELAY_MS);
                    previous
                }
            });
            PurgeSoon { previous }
        }
        #[cfg(not(feature = "fast-alloc"))]
        PurgeSoon {}
    }
}

impl Drop for PurgeSoon {
    fn drop(&mut self) {
        #[cfg(feature = "fast-alloc")]
        if let Some(previous) = self.previous {
            // SAFETY: as in `start`.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, previous) };
        }
    }
}
