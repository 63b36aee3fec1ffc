#!/usr/bin/env bash
# Runs the generator on every public spec in ../shared/corpus (kept out of this project):
# `codegen generate` for each spec, then one `cargo clippy` over all the generated crates as the
# members of one workspace, so cargo checks two crates at a time on two cores. A spec passes
# when its crate compiles without a warning of rustc's or clippy's, or when generation stops
# with a clear error naming the construct and its JSON pointer. A panic (exit code 101, or 134
# where the release build aborts) or a crate that does not compile fails the run.
# Usage: scripts/corpus.sh [CORPUS_DIR] ; writes target/corpus/report.tsv and clippy.log
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
rows=$work/rows.tsv
: > "$rows"
fail=0 generated=0 compiled=0 refused=0 total=0
members=()
for spec in "$corpus"/*.yaml "$corpus"/*.json; do
  [ -f "$spec" ] || continue
  name=$(basename "$spec"); name=${name%.*}
  total=$((total+1))
  out=$work/$name
  start=$(date +%s.%N)
  msg=$("$gen" generate "$spec" --out "$out" --name "corpus-${name//[^a-zA-Z0-9]/-}" 2>&1); rc=$?
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
  if [ $rc -eq 101 ] || [ $rc -eq 134 ] || echo "$msg" | grep -q "panicked"; then
    printf '%s\tPANIC\t-\t%s\t%s\n' "$name" "$secs" "$(echo "$msg" | grep -m1 panicked)" >> "$rows"; fail=1; continue
  fi
  if [ $rc -ne 0 ]; then
    if echo "$msg" | grep -q ' at #/'; then
      refused=$((refused+1))
      printf '%s\trefused\t-\t%s\t%s\n' "$name" "$secs" "$(echo "$msg" | grep -m1 '^error' | cut -c1-300)" >> "$rows"
    else
      printf '%s\tFAILED\t-\t%s\t%s\n' "$name" "$secs" "$(echo "$msg" | tail -1 | cut -c1-300)" >> "$rows"; fail=1
    fi
    continue
  fi
  generated=$((generated+1))
  # A generated crate is a workspace of its own; here it becomes a member of the corpus's.
  sed -i '/^\[workspace\]$/d' "$out/Cargo.toml"
  members+=("$name")
  printf '%s\tok\t?\t%s\t%s warning(s) from the generator\n' "$name" "$secs" "$(echo "$msg" | grep -c '^warning')" >> "$rows"
done

# One workspace of every generated crate. The workspace's lock file pins the same dependency
# versions (and lets cargo run offline). Generated code must compile without a single warning,
# clippy's default lints included (dependencies' warnings are capped): the standard the
# workspace holds its own code to. `--keep-going` checks every crate even when one fails, and
# cargo ends its output for each crate with a warning or an error with a line naming the crate.
{
  printf '[workspace]\nresolver = "2"\nmembers = [\n'
  for m in "${members[@]}"; do printf '  "%s",\n' "$m"; done
  printf ']\n'
} > "$work/Cargo.toml"
cp "$root/Cargo.lock" "$work/Cargo.lock"
log=$work/clippy.log
clippy_rc=0
if [ ${#members[@]} -gt 0 ]; then
  (cd "$work" && { cargo clippy --workspace --keep-going --offline 2>"$log" || cargo clippy --workspace --keep-going 2>"$log"; })
  clippy_rc=$?
fi
printf 'spec\tgenerate\tcheck\tgen_seconds\tnote\n' > "$report"
while IFS=$'\t' read -r name g c secs note; do
  if [ "$g" = ok ]; then
    crate="corpus-${name//[^a-zA-Z0-9]/-}"
    said=$(grep -m 1 -E "^(warning|error).*\`$crate\` \(" "$log")
    if [ -z "$said" ]; then
      compiled=$((compiled+1)); c=ok
    else
      c=FAILED; fail=1; note=$(echo "$said" | cut -c1-200)
    fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$g" "$c" "$secs" "$note" >> "$report"
done < "$rows"
column -t -s $'\t' "$report"
# Anything else cargo warned about (the workspace, a manifest) fails the run too.
if [ $clippy_rc -ne 0 ] || grep -q -E '^(warning|error)' "$log"; then
  fail=1
  echo "cargo clippy: exit code $clippy_rc; what it said (all of it in $log):"
  grep -E '^(warning|error)' "$log" | head -n 40
fi
echo "corpus: $total specs, $generated generated, $compiled compiled, $refused refused with a message"
echo "$((compiled+refused)) passed, $((total-compiled-refused)) failed"
exit $fail
