//! Unit tests of the runtime emitted into generated crates (smoke tests of each module).
#[allow(dead_code, unused_imports)]
#[path = "../runtime/mod.rs"]
mod runtime;
