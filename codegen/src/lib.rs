//! `codegen`: a generator of typed, validated Rust API clients from OpenAPI 3.0 specs.
//!
//! Stages, one module each: [`load`] (YAML/JSON, line and column on syntax errors, a
//! tolerant step for what `openapiv3` cannot hold), lower (schemas, operations, servers and
//! security schemes into the [`ir`], with every semantic problem reported at its JSON pointer,
//! then the type graph: union cycles cut, recursive fields boxed), [`emit`] (tokens with
//! `quote`, formatted with `prettyplease`), write (files on disk, only when their bytes
//! change). The pipeline module runs every spec through them. [`Config`] is the public face,
//! in the manner of `prost_build::Config`:
//!
//! ```no_run
//! codegen::Config::new()
//!     .spec("spec/osm.yaml")
//!     .out_dir("generated-client")
//!     .write()
//!     .expect("generation failed");
//! ```

mod alloc;
#[cfg(feature = "fast-alloc")]
#[doc(hidden)]
pub use alloc::purge_nothing_from_now;
pub use parallel::this_thread_has_a_large_stack;
pub mod bundle;
pub mod config;
pub mod diag;
pub mod emit;
mod extensions;
pub mod ir;
pub mod load;
mod lower;
pub mod naming;
mod parallel;
pub mod pattern;
mod pipeline;
pub mod reference;
pub mod workspace;
mod write;

pub use bundle::write as bundle;
pub use config::{Config, Output, Runtime, WriteReport};
pub use diag::{Diagnostic, Diagnostics, Severity};

use std::path::Path;

/// Loads and lowers one spec. Returns the API and the warnings, or every error.
pub fn lower_spec(path: &Path) -> Result<(ir::Api, Vec<Diagnostic>), Diagnostics> {
    parallel::on_large_stack(|| {
        let spec = load::load_file(path)?;
        lower_loaded(&spec)
    })
}

/// Lowers a loaded spec: the document into the IR, then the graph of its types (unions that
/// contain themselves lose the alternative closing the cycle, recursive fields are boxed).
pub fn lower_loaded(spec: &load::Spec) -> Result<(ir::Api, Vec<Diagnostic>), Diagnostics> {
    parallel::on_large_stack(|| lower_loaded_here(spec))
}

fn lower_loaded_here(spec: &load::Spec) -> Result<(ir::Api, Vec<Diagnostic>), Diagnostics> {
    let mut l = lower::Lowerer::new(spec);
    let mut api = l.lower_api();
    lower::graph::break_union_cycles(&mut api.types, &mut l.sink);
    lower::graph::mark_boxed(&mut api);
    naming::name_operation_enums(&mut api);
    let diags = Diagnostics(l.sink.take_items());
    if diags.has_errors() {
        return Err(diags);
    }
    Ok((api, diags.0))
}
