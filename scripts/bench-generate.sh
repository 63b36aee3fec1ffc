#!/usr/bin/env bash
# Benchmark 1 (BENCHMARKS.md): generation time, spec to formatted crate on disk, of our release
# CLI (`codegen generate`) against progenitor's CLI (`cargo-progenitor`, installed from crates.io
# into target/bench-tools, not committed) on the largest public specs of ../shared/corpus, timed
# with hyperfine in the same run. A spec progenitor fails on is recorded with what it said.
#
#   bash scripts/bench-generate.sh            # RUNS=5 timed runs per tool and spec (1 warm-up)
#   RUNS=10 SPECS="oxide-nexus.json" bash scripts/bench-generate.sh
#
# Output: target/bench-generate/summary.tsv (+ hyperfine JSON and each tool's log per spec).
# Also prints the in-process figures of `cargo bench -p codegen --bench generate` unless
# INPROCESS=0.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
RUNS=${RUNS:-5}
TOOLS=$ROOT/target/bench-tools
OUT=$ROOT/target/bench-generate
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/bench}
PROGENITOR_VERSION=0.15.1
LIMIT=600   # seconds: no single generation may run longer
SPECS=${SPECS:-"stripe-2023-09.yaml github.json digitalocean.yaml box.json oxide-nexus.json oxide-propolis-server.json oxide-buildomat.json oxide-keeper.json"}

command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install hyperfine" >&2; exit 1; }
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS" >&2; exit 1; }

if [ ! -x "$TOOLS/bin/cargo-progenitor" ]; then
  echo "== installing cargo-progenitor $PROGENITOR_VERSION into $TOOLS"
  CARGO_TARGET_DIR=$TOOLS/build cargo install cargo-progenitor --version "$PROGENITOR_VERSION" \
    --locked --root "$TOOLS"
fi
PROG=$TOOLS/bin/cargo-progenitor

echo "== building codegen (release)"
cargo build --release -p codegen --bin codegen --manifest-path "$ROOT/Cargo.toml"
OURS=$CARGO_TARGET_DIR/release/codegen

rm -rf "$OUT"
mkdir -p "$OUT"
SUMMARY=$OUT/summary.tsv
printf 'spec\tsize_kib\tours_mean_s\tours_sd_s\tours_rs_kib\tprogenitor_mean_s\tprogenitor_sd_s\tprogenitor_rs_kib\tratio_progenitor_over_ours\tours_status\tprogenitor_status\n' > "$SUMMARY"

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "   $("$PROG" --version 2>/dev/null || echo cargo-progenitor $PROGENITOR_VERSION); $(rustc --version)"

said() { # the first two lines of a failure, without backtrace noise
  grep -v '^\s*$' "$1" \
    | grep -Ev '^\s*[0-9]+: |^\s*at |[Bb]acktrace|^note:|^Location:|^Error: generation experienced errors' \
    | head -n 2 | sed 's#/root/.cargo/registry/src/[^/]*/##' | tr '\n\t' '  ' | cut -c1-240
}

rust_kib() { # KiB of Rust written under a directory
  find "$1" -name '*.rs' -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {print int(s/1024)}'
}

mean_sd() { # hyperfine JSON, command index -> "mean sd"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]; print("%.4f %.4f" % (r["mean"], r["stddev"] or 0))' "$1" "$2"
}

for spec in $SPECS; do
  path=$CORPUS/$spec
  [ -f "$path" ] || { echo "skip $spec: not found"; continue; }
  name=${spec%.*}
  size=$(( $(stat -c %s "$path") / 1024 ))
  o_ours=$OUT/$name.ours
  o_prog=$OUT/$name.progenitor
  ours_cmd="$OURS generate $path --out $o_ours --name bench-$name"
  prog_cmd="$PROG progenitor -i $path -o $o_prog -n bench-$name -v 0.1.0"
  echo "== $spec ($size KiB)"

  # One run each, untimed: does it generate at all, and what does it say?
  ours_status=ok
  rc=0; timeout $LIMIT $ours_cmd > "$OUT/$name.ours.log" 2>&1 || rc=$?
  [ $rc = 0 ] || ours_status="failed (exit $rc): $(said "$OUT/$name.ours.log")"
  prog_status=ok
  rc=0; timeout $LIMIT $prog_cmd > "$OUT/$name.progenitor.log" 2>&1 || rc=$?
  [ $rc = 0 ] || prog_status="failed (exit $rc): $(said "$OUT/$name.progenitor.log")"
  echo "   ours: $ours_status"
  echo "   progenitor: $prog_status"

  cmds=()
  [ "$ours_status" = ok ] && cmds+=(-n ours --prepare "rm -rf $o_ours" "$ours_cmd")
  [ "$prog_status" = ok ] && cmds+=(-n progenitor --prepare "rm -rf $o_prog" "$prog_cmd")
  om=-; osd=-; pm=-; psd=-; ratio=-
  if [ ${#cmds[@]} -gt 0 ]; then
    hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$OUT/$name.json" "${cmds[@]}"
    i=0
    if [ "$ours_status" = ok ]; then read -r om osd < <(mean_sd "$OUT/$name.json" $i); i=1; fi
    if [ "$prog_status" = ok ]; then read -r pm psd < <(mean_sd "$OUT/$name.json" $i); fi
    if [ "$om" != - ] && [ "$pm" != - ]; then
      ratio=$(python3 -c "print('%.2f' % ($pm / $om))")
    fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$spec" "$size" "$om" "$osd" "$(rust_kib "$o_ours")" \
    "$pm" "$psd" "$(rust_kib "$o_prog")" "$ratio" "$ours_status" "$prog_status" >> "$SUMMARY"
done

echo
echo "== summary ($SUMMARY); ratio = progenitor mean / ours mean (> 1: ours is faster)"
column -t -s $'\t' "$SUMMARY" || cat "$SUMMARY"

if [ "${INPROCESS:-1}" != 0 ]; then
  echo
  echo "== in process: Config::render() (cargo bench -p codegen --bench generate)"
  cargo bench -p codegen --bench generate --manifest-path "$ROOT/Cargo.toml"
fi
