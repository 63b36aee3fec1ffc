#!/usr/bin/env bash
# The whole test suite, as CI runs it: spec lint, TypeScript and Python clients from dist/
# (openapi-typescript, openapi-python-client, OpenAPI Generator), the HTML references of dist/
# in headless Chromium, format, build (which regenerates generated-client from spec/), no drift
# (generated-client/, dist/), clippy, every test, and the public-spec corpus.
# Usage: scripts/test.sh [--quick]   (--quick skips the corpus)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=0
[ "${1:-}" = "--quick" ] && quick=1

step() { printf '\n==> %s\n' "$*"; }

# Disk: a full run builds the workspace, its tests, the runtime's feature sets and the corpus
# crates in two target directories. With incremental caches and full debug info that came to
# 14 GB, more than a fresh CI machine may have free. A one-off build gains nothing from the
# incremental cache, and line tables keep file and line in backtraces. Either can be set by hand.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}
export CARGO_PROFILE_TEST_DEBUG=${CARGO_PROFILE_TEST_DEBUG:-line-tables-only}

step "lint the specs (Redocly, Spectral)"
bash scripts/lint-spec.sh

step "TypeScript: openapi-typescript types for dist/*.json, tsc --strict on scripts/ts/"
bash scripts/check-typescript.sh

step "Python: openapi-python-client packages for dist/*.json, imported; every example round-tripped"
bash scripts/check-python.sh

step "OpenAPI Generator: typescript-fetch (tsc --strict) and python (imported, examples round-tripped)"
bash scripts/check-openapi-generator.sh

step "HTML references: dist/*.html in headless Chromium (every operation and tag visible)"
bash scripts/check-reference.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo build (regenerates generated-client from spec/)"
cargo build --workspace --all-targets

step "no drift: generated-client is what the committed spec generates"
if [ -n "$(git status --porcelain -- generated-client 2>/dev/null)" ]; then
  git status --porcelain -- generated-client
  git diff --stat -- generated-client
  echo "generated-client/ changed during the build: commit the regenerated sources" >&2
  exit 1
fi

step "no drift: dist/ is what the committed spec bundles into"
cargo run --quiet -p codegen -- bundle --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo doc -D warnings (rustdoc on every public item, links resolve)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

if [ $quick -eq 0 ]; then
  step "public-spec corpus (../shared/corpus): generate, then cargo clippy each crate (no warning)"
  bash scripts/corpus.sh
fi

step "cargo test"
cargo test --workspace

step "the runtime with every feature (tracing too) and with none"
cargo clippy -p codegen-runtime --all-targets --all-features -- -D warnings
cargo test -p codegen-runtime --all-features
cargo clippy -p codegen-runtime --no-default-features -- -D warnings
