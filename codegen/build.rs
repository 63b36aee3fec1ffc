//! Packs the CLI's relative relocations (`DT_RELR`) where the C library can load them.
//!
//! A position-independent executable holds its pointers into read-only data (string tables,
//! vtables, panic locations) as relocations that the loader applies at every start: 13,600
//! of them here, 318 KiB as classic 24-byte entries, read whole before `main`. Packed, they
//! take 4 KiB, and a run on a small spec peaks about 0.2 MiB lower (BENCHMARKS.md, ninth
//! round). glibc loads packed relocations from 2.36, and the linkers mark a binary that uses
//! them so that an older glibc refuses it; so the flag is passed only for the binaries of this
//! package, when the target is GNU/Linux, the build runs on the target, and its glibc is 2.36
//! or later (`getconf GNU_LIBC_VERSION`). The library, and so a build script that uses it,
//! is not affected.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if packed_relocations_load() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// True when the binaries built here run on a glibc that loads packed relocations.
fn packed_relocations_load() -> bool {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("TARGET") != var("HOST")
        || var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
    {
        return false;
    }
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    glibc_version(&String::from_utf8_lossy(&out.stdout)).is_some_and(|v| v >= (2, 36))
}

/// `glibc 2.36` -> `(2, 36)`.
fn glibc_version(said: &str) -> Option<(u32, u32)> {
    let version = said.trim().strip_prefix("glibc ")?;
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}
