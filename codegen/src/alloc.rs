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
