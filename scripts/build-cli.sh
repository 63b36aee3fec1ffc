#!/usr/bin/env bash
# Builds the codegen CLI as it is released: the release profile, and on GNU/Linux a static
# position-independent executable (`-C target-feature=+crt-static`). The C library and the
# unwinder are linked in; the dynamic loader has no libraries to find, map and link at each
# start, and address randomization stays. A run on a small spec starts about 0.5 ms sooner,
# 11 to 15% of its time (BENCHMARKS.md, thirteenth round). The behaviour is the same as
# `cargo build --release -p codegen`'s binary, which links the system's C library.
#
# The flag goes to the binary's own compilation only (`cargo rustc`): given to every crate
# (RUSTFLAGS), it would make the proc macros the build uses static too, which cannot be.
# Elsewhere than GNU/Linux the binary is built the usual way.
#
# Usage: scripts/build-cli.sh [cargo options, such as -q]
# Prints the binary's path on its last line (cargo's own output goes to stderr).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
host=$(rustc -vV | sed -n 's/^host: //p')
case $host in
  *-linux-gnu*) flags=(-C target-feature=+crt-static) ;;
  *) flags=() ;;
esac
cargo rustc --release "$@" -p codegen --bin codegen --manifest-path "$root/Cargo.toml" \
  -- "${flags[@]}" >&2
bin=${CARGO_TARGET_DIR:-$root/target}/release/codegen
# A static executable names no program interpreter (the dynamic loader) in its headers.
if [ ${#flags[@]} -gt 0 ] && command -v readelf > /dev/null && readelf -lW "$bin" | grep -q INTERP; then
  echo "build-cli: $bin was linked dynamically; the static link did not take" >&2
  exit 1
fi
echo "$bin"
