//! Emission in parallel: a file is a head (inner attributes, `use`s, a few items) and a list
//! of items; the items are cut into chunks, and each chunk is built, parsed and printed by a
//! worker thread on its own (token streams are not `Send`: every worker builds its own).
//! The printed pieces are joined in order, so the output is the same bytes whatever the
//! number of threads; a chunk's tokens are dropped as soon as it is printed, so memory holds
//! the text and the IR, not the tokens of a whole file.

pub use crate::parallel::{par_map, par_map_if, threads};

/// Items per chunk. Small chunks won when measured (nexus and stripe, 2 CPUs, paired runs):
/// against 48 items, 4 to 6 cut nexus's wall time by about a quarter and its peak memory from
/// about 45 to 26 MiB, and stripe's wall time by about a fifth. A chunk's tokens and syntax
/// tree are small and short-lived, and the threads finish together; 2 items were no faster.
pub const CHUNK: usize = 4;

/// The chunks of `0..len`, [`CHUNK`] items each.
pub fn chunks(len: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..len)
        .step_by(CHUNK)
        .map(move |start| start..(start + CHUNK).min(len))
}

/// The least emission work, in [`work`] units, worth worker threads. Below it the crate is
/// printed on the calling thread: a worker's stack and allocator heap raised the peak by up
/// to 0.3 MiB, and starting it cost about what its share of a fraction of a millisecond saved
/// (BENCHMARKS.md, ninth round). The corpus's 1 to 11 KiB specs weigh 4 to 30 units, its
/// 20 KiB specs 57 to 86.
const PARALLEL_FROM_WORK: usize = 32;

/// The emission work of the modules: a type is one unit, an operation three (its builder,
/// its request function and their docs).
fn work(modules: &[crate::ir::ModuleInput]) -> usize {
    modules
        .iter()
        .map(|m| m.api.types.len() + 3 * m.api.operations.len())
        .sum()
}

/// True when the modules' emission is worth worker threads ([`PARALLEL_FROM_WORK`]).
pub(crate) fn worth_threads(modules: &[crate::ir::ModuleInput]) -> bool {
    work(modules) >= PARALLEL_FROM_WORK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_item_once() {
        let ranges: Vec<_> = chunks(2 * CHUNK + 1).collect();
        assert_eq!(
            ranges,
            [0..CHUNK, CHUNK..2 * CHUNK, 2 * CHUNK..2 * CHUNK + 1]
        );
        assert_eq!(chunks(0).count(), 0);
    }
}
