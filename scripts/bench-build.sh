#!/usr/bin/env bash
# Benchmark 2 (BENCHMARKS.md): what the build script costs. On a temporary copy of the
# workspace, with a dedicated CARGO_TARGET_DIR (target/bench-build/target), after a first build:
#  (a) no-op `cargo build` (whole workspace, `regenerate` on: the build script and the codegen
#      build-dependency are part of the graph) vs no-op `cargo build -p generated-client`
#      (feature off: the committed sources only);
#  (a2) the same for one package: `cargo build -p generated-client --features regenerate` (the
#      build script in the graph) vs `cargo build -p generated-client` (feature off), which
#      isolates the build script from the other workspace members' fingerprints;
#  (b) rebuild after a one-line spec edit (a description in spec/osm.yaml; `cargo build`) vs
#      rebuild after the same one-line edit of the generated source (the doc comment that
#      description becomes, in generated-client/src/osm/types.rs; `cargo build -p
#      generated-client`, feature off): what a hand-maintained client would cost;
#  (c) the codegen step alone: `codegen regen --check` on both specs, debug binary (the build
#      script's codegen is compiled in the dev profile too) and release binary.
#
#   bash scripts/bench-build.sh                     # RUNS_NOOP=10, RUNS_EDIT=5
#   RUNS_NOOP=20 RUNS_EDIT=10 bash scripts/bench-build.sh
#
# Output: target/bench-build/results/*.json (hyperfine) and summary.tsv; the copy is
# target/bench-build/ws.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS_NOOP=${RUNS_NOOP:-10}
RUNS_EDIT=${RUNS_EDIT:-5}
BASE=$ROOT/target/bench-build
export CARGO_TARGET_DIR=$BASE/target
RES=$BASE/results
LIMIT=1200  # seconds: no single build may run longer

command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install hyperfine" >&2; exit 1; }

# A fixed place (and `cp -a`, which keeps mtimes), so a second run reuses the first's artifacts.
WS=$BASE/ws
rm -rf "$WS"
mkdir -p "$WS"
echo "== copy of the workspace in $WS (target: $CARGO_TARGET_DIR)"
for p in Cargo.toml Cargo.lock build.rs src spec codegen generated-client benches; do
  [ -e "$ROOT/$p" ] && cp -a "$ROOT/$p" "$WS/"
done
rm -rf "$WS/codegen/target" "$WS/generated-client/target"
mkdir -p "$RES"
rm -f "$RES"/*.json

cd "$WS"
# The line both edits change: its marker toggles between bench-edit-A and bench-edit-B.
# createCase's `simple_description`: the only description with this text (in quotes in the
# spec, so the marker stays inside them).
SPEC_LINE="Describes the problem."
[ "$(grep -c "'$SPEC_LINE'" spec/osm.yaml)" = 1 ] \
  || { echo "the edited line is not exactly once in spec/osm.yaml: '$SPEC_LINE'" >&2; exit 1; }
sed -i "s/$SPEC_LINE/$SPEC_LINE (bench-edit-A)/" spec/osm.yaml
TOGGLE='s/bench-edit-A/bench-edit-X/;s/bench-edit-B/bench-edit-A/;s/bench-edit-X/bench-edit-B/'

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), $(rustc --version)"
echo "== first builds (not timed)"
timeout $LIMIT cargo build --offline
timeout $LIMIT cargo build --offline -p generated-client
grep -q "bench-edit-A" generated-client/src/osm/types.rs || { echo "the spec edit did not reach types.rs" >&2; exit 1; }
timeout $LIMIT cargo build --offline --release -p codegen --bin codegen

HF=(hyperfine --style basic --export-json)

echo "== (a) no-op builds"
"${HF[@]}" "$RES/a-noop.json" --warmup 2 --runs "$RUNS_NOOP" \
  -n "cargo build (workspace, regenerate on)" "timeout $LIMIT cargo build --offline" \
  -n "cargo build -p generated-client (feature off)" "timeout $LIMIT cargo build --offline -p generated-client"

echo "== (a2) no-op builds of the same package, build script on and off"
"${HF[@]}" "$RES/a2-noop-package.json" --warmup 3 --runs "$RUNS_NOOP" \
  -n "cargo build -p generated-client --features regenerate (build script)" \
  "timeout $LIMIT cargo build --offline -p generated-client --features regenerate" \
  -n "cargo build -p generated-client (feature off)" "timeout $LIMIT cargo build --offline -p generated-client"

echo "== (c) codegen step alone: regen --check on spec/ (both specs)"
"${HF[@]}" "$RES/c-codegen.json" --warmup 2 --runs "$RUNS_NOOP" \
  -n "codegen regen --check (dev profile)" "$CARGO_TARGET_DIR/debug/codegen regen --check $WS" \
  -n "codegen regen --check (release)" "$CARGO_TARGET_DIR/release/codegen regen --check $WS"

echo "== (b) rebuild after a one-line edit"
"${HF[@]}" "$RES/b-edit.json" --warmup 1 --runs "$RUNS_EDIT" \
  -n "spec edit + cargo build (regenerate on)" \
  --prepare "sed -i '$TOGGLE' spec/osm.yaml" "timeout $LIMIT cargo build --offline" \
  -n "generated-source edit + cargo build -p generated-client (feature off)" \
  --prepare "sed -i '$TOGGLE' generated-client/src/osm/types.rs" "timeout $LIMIT cargo build --offline -p generated-client"

python3 - "$RES" <<'PY' | tee "$BASE/summary.tsv"
import json, sys, os
res = sys.argv[1]
print("benchmark\tcommand\tmean_s\tsd_s\tmin_s\truns")
ratios = []
for f in ("a-noop", "a2-noop-package", "b-edit", "c-codegen"):
    rs = json.load(open(os.path.join(res, f + ".json")))["results"]
    for r in rs:
        print(f"{f}\t{r['command']}\t{r['mean']:.3f}\t{(r['stddev'] or 0):.3f}\t{r['min']:.3f}\t{len(r['times'])}")
    ratios.append((f, rs[0]["mean"] / rs[1]["mean"]))
for f, x in ratios:
    print(f"{f}\tratio first/second\t{x:.2f}\t\t\t")
PY
