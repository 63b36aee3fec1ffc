//! What generation asks of the allocator between its stages.

/// The least spec text (bytes, all specs together) for which [`release_freed_memory`] gives
/// memory back. Below it there is little to give back, and the pages given back are soon
/// taken again: on propolis (20 KiB) the call cost 1.11 times the wall time for 0.1 MiB; on
/// nexus (426 KiB), 1.02 times for 5 MiB (BENCHMARKS.md, fifth round).
pub(crate) const RELEASE_FROM_BYTES: u64 = 256 * 1024;

/// Gives the memory that loading and lowering freed back before emission starts, when the
/// specs were at least [`RELEASE_FROM_BYTES`]: their text, trees and `openapiv3` documents
/// are gone by then, and the IR is what is left.
///
/// With the `fast-alloc` feature (the CLI's mimalloc), a forced `mi_collect`: mimalloc keeps
/// freed pages for a while, and a run of ours is over before it would give them back, so the
/// peak was the loading stages' memory plus the emission's (the emission's worker threads take
/// fresh pages). Measured: peaks 15 to 25% lower on the large specs (plaid 79 to 65 MiB,
/// github 78 to 63, stripe 125 to 102) for 1 to 3% of the wall time. Without the feature,
/// nothing: the system allocator's behaviour is its own.
pub(crate) fn release_freed_memory(spec_bytes: u64) {
    if spec_bytes >= RELEASE_FROM_BYTES {
        collect();
    }
}

#[cfg(feature = "fast-alloc")]
fn collect() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time;
    // it frees nothing that is in use, it only returns pages mimalloc holds free.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

#[cfg(not(feature = "fast-alloc"))]
fn collect() {}

/// How soon mimalloc gives freed pages back while large specs are loaded and lowered, in ms
/// (mimalloc's own default is 1000: a run of ours is over before it gives anything back).
/// Loading frees as it goes (the YAML parser's events, the pieces' trees, the `openapiv3`
/// document's buffers) on several threads, and the most memory of a run is held at the end of
/// lowering; with the pages given back soon, that peak is lower: plaid 72 to 55 MiB, stripe
/// 109 to 84, for 1 to 5% of the wall time (BENCHMARKS.md, seventh round).
#[cfg(feature = "fast-alloc")]
const LOADING_PURGE_DELAY_MS: std::os::raw::c_long = 10;

/// The least spec text (bytes of the files, all specs together) for which loading gives
/// freed pages back soon ([`PurgeSoon`]): below it the time it costs (up to 8% on nexus)
/// buys little memory, and the peak is far below the peers'.
pub(crate) const PURGE_SOON_FROM_BYTES: u64 = 2 * 1024 * 1024;

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
