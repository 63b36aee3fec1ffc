#!/usr/bin/env bash
# Runs the generator on every public spec in ../shared/corpus (kept out of this project):
# `codegen generate` then `cargo clippy` of the generated crate. A spec passes when the crate
# compiles without a warning of rustc's or clippy's, or when generation stops with a clear
# error naming the construct and its JSON pointer. A panic (exit code 101, or 134 where the
# release build aborts) or a crate that does not compile fails the run.
# Usage: scripts/corpus.sh [CORPUS_DIR] ; writes target/corpus/report.tsv
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/../shared/corpus}
work=$root/target/corpus
mkdir -p "$work"
# Shared with the pipeline tests that build generated crates, so dependencies compile once.
export CARGO_TARGET_DIR=$root/target/pipeline-tests
# The CLI as released (static on GNU/Linux: scripts/build-cli.sh), so the corpus runs it.
gen=$(bash "$root/scripts/build-cli.sh" -q | tail -n 1) || exit 1
report=$work/report.tsv
printf 'spec\tgenerate\tcheck\tgen_seconds\tnote\n' > "$report"
fail=0 generated=0 compiled=0 refused=0 total=0
for spec in "$corpus"/*.yaml "$corpus"/*.json; do
  [ -f "$spec" ] || continue
  name=$(basename "$spec"); name=${name%.*}
  total=$((total+1))
  out=$work/$name
  start=$(date +%s.%N)
  msg=$("$gen" generate "$spec" --out "$out" --name "corpus-${name//[^a-zA-Z0-9]/-}" 2>&1); rc=$?
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
  if [ $rc -eq 101 ] || [ $rc -eq 134 ] || echo "$msg" | grep -q "panicked"; then
    printf '%s\tPANIC\t-\t%s\t%s\n' "$name" "$secs" "$(echo "$msg" | grep -m1 panicked)" >> "$report"; fail=1; continue
  fi
  if [ $rc -ne 0 ]; then
    if echo "$msg" | grep -q ' at #/'; then
      refused=$((refused+1))
      printf '%s\trefused\t-\t%s\t%s\n' "$name" "$secs" "$(echo "$msg" | grep -m1 '^error' | cut -c1-300)" >> "$report"
    else
      printf '%s\tFAILED\t-\t%s\t%s\n' "$name" "$secs" "$(echo "$msg" | tail -1 | cut -c1-300)" >> "$report"; fail=1
    fi
    continue
  fi
  generated=$((generated+1))
  # The workspace's lock file pins the same dependency versions (and lets cargo run offline).
  cp "$root/Cargo.lock" "$out/Cargo.lock"
  # Generated code must compile without a single warning, clippy's default lints included
  # (dependencies' warnings are capped): the standard the workspace holds its own code to.
  if (cd "$out" && { cargo clippy -q --offline 2>"$work/$name.check.log" || cargo clippy -q 2>"$work/$name.check.log"; } \
      && ! grep -q '^warning' "$work/$name.check.log"); then
    compiled=$((compiled+1))
    printf '%s\tok\tok\t%s\t%s warning(s) from the generator\n' "$name" "$secs" "$(echo "$msg" | grep -c '^warning')" >> "$report"
  else
    printf '%s\tok\tFAILED\t%s\t%s\n' "$name" "$secs" "$(grep -m1 -E '^(error|warning)' "$work/$name.check.log" | cut -c1-200)" >> "$report"; fail=1
  fi
done
column -t -s $'\t' "$report"
echo "corpus: $total specs, $generated generated, $compiled compiled, $refused refused with a message"
echo "$((compiled+refused)) passed, $((total-compiled-refused)) failed"
exit $fail
