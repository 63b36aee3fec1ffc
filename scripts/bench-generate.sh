#!/usr/bin/env bash
# Benchmark 1 (BENCHMARKS.md): generation, spec to crate on disk, whole process, of our release
# CLI (`codegen generate`, built as released by scripts/build-cli.sh: a static executable on
# GNU/Linux) against ploidy 0.15.0 and cargo-progenitor 0.15.1 (`cargo install`ed from crates.io
# into the ignored target/bench-tools/, not committed), in the same run:
#   - wall time: hyperfine, RUNS timed runs per tool and spec after one warm-up, the output
#     directory removed before each run; the median is reported, and the ratio of ours to the
#     fastest peer that handles the spec (below 1: ours is faster);
#   - HANDLED=1 (default on): a tool handles a spec when it generates a crate and `cargo check`
#     of that crate passes. Each generated crate is checked once; a peer whose crate does not
#     compile is timed but is no baseline: neither the fastest peer nor the paired runs' peer;
#   - peak memory: /usr/bin/time's maximum resident set size, median of 3 runs;
#   - output: KiB of Rust written;
#   - COMPILE=1 (default on): `cargo check` of each generated crate alone, its dependencies
#     built first (median of 3 checks after touching the crate's sources), on COMPILE_SPECS.
#     Every check of a generated crate (these and HANDLED's) builds in one target directory
#     per tool, kept across runs in target/bench-handled/, so dependencies are built once;
#   - PAIRS=N (default 5): ours and the fastest peer that handles the spec (ploidy on all but
#     one spec) run in turn, ours peer, peer ours, ..., N pairs per spec, and the median of the
#     pairs' ratios (ours / peer). A drift in the machine's speed
#     during the run hits both alike, which hyperfine's runs of one tool after the other do not
#     allow; this is the ratio to quote on a shared machine;
#   - COPIES=N (default 4): the paired runs use N copies of each binary, pair i the copy
#     i mod N of both tools, in $GEN/bin-copies. Identical copies of one binary differ by up to
#     16% on a small spec (where the kernel put each copy's pages decides what its page faults
#     cost; BENCHMARKS.md, twentieth round), so one copy against one copy can show a
#     difference that is nowhere in the code;
#   - SCALING=1 (default on): ours on 1 CPU and on every CPU (`taskset`), on the first spec.
# A spec a tool fails on is recorded with the first lines it printed.
#
#   bash scripts/bench-generate.sh
#   RUNS=10 SPECS="oxide-nexus.json" COMPILE=0 bash scripts/bench-generate.sh
#
# Output: target/bench-generate/summary.tsv, compile.tsv, scaling.tsv (+ hyperfine JSON and
# each tool's log per spec).
set -euo pipefail
export LC_NUMERIC=C # $EPOCHREALTIME below is read with a dot

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
RUNS=${RUNS:-5}
TOOLS=$ROOT/target/bench-tools
OUT=$ROOT/target/bench-generate
# Where the tools write the crates they generate (default: beside the results). On a file system
# where creating a file is slow, the small specs measure that more than the tools: on ext4 without
# a journal each new file walks past the inodes freed in the minutes before (BENCHMARKS.md, tenth
# round). GEN=/dev/shm/gen writes to a tmpfs instead.
GEN=${GEN:-$OUT}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/bench}
PLOIDY_VERSION=0.15.0
PROGENITOR_VERSION=0.15.1
LIMIT=600   # seconds: no single generation may run longer
SPECS=${SPECS:-"stripe-2023-09.yaml github.json digitalocean.yaml box.json oxide-nexus.json oxide-propolis-server.json oxide-buildomat.json oxide-keeper.json"}
COMPILE=${COMPILE:-1}
COMPILE_SPECS=${COMPILE_SPECS:-"stripe-2023-09.yaml github.json oxide-nexus.json"}
SCALING=${SCALING:-1}
PAIRS=${PAIRS:-5}
COPIES=${COPIES:-4}
HANDLED=${HANDLED:-1}
CHECK_TARGET=$ROOT/target/bench-handled # one directory per tool below it

command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install hyperfine" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: apt-get install time" >&2; exit 1; }
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS" >&2; exit 1; }

install() { # crate version binary
  if [ ! -x "$TOOLS/bin/$3" ]; then
    echo "== installing $1 $2 into $TOOLS"
    CARGO_TARGET_DIR=$TOOLS/build cargo install "$1" --version "$2" --locked --root "$TOOLS"
  fi
}
install ploidy "$PLOIDY_VERSION" ploidy
install cargo-progenitor "$PROGENITOR_VERSION" cargo-progenitor

echo "== building codegen (release, as released: scripts/build-cli.sh)"
OURS=$(bash "$ROOT/scripts/build-cli.sh" | tail -n 1)

rm -rf "$OUT"
mkdir -p "$OUT" "$GEN"
# The copies of each binary the paired runs take in turn (COPIES above).
rm -rf "$GEN/bin-copies" && mkdir -p "$GEN/bin-copies"
for k in $(seq "$COPIES"); do
  cp "$OURS" "$GEN/bin-copies/ours.$k"
  for t in ploidy cargo-progenitor; do
    [ -x "$TOOLS/bin/$t" ] && cp "$TOOLS/bin/$t" "$GEN/bin-copies/$t.$k"
  done
done
SUMMARY=$OUT/summary.tsv
printf 'spec\tsize_kib\ttool\tstatus\tmedian_s\tratio_to_fastest_peer\tpeak_mib\trust_kib\n' > "$SUMMARY"
PSUM=$OUT/paired.tsv
printf 'spec\tpairs\tpeer\tours_median_s\tpeer_median_s\tpaired_ratio_median\tpaired_ratio_min\tpaired_ratio_max\n' > "$PSUM"

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "   $("$TOOLS/bin/ploidy" --version 2>/dev/null || echo ploidy $PLOIDY_VERSION); cargo-progenitor $PROGENITOR_VERSION; $(rustc --version)"

said() { # the first two lines of a failure, without backtrace noise
  grep -v '^\s*$' "$1" \
    | grep -Ev '^\s*[0-9]+: |^\s*at |[Bb]acktrace|^note:|^Location:|^Error: generation experienced errors' \
    | head -n 2 | sed 's#/root/.cargo/registry/src/[^/]*/##' | tr '\n\t' '  ' | cut -c1-240
}

rust_kib() { # KiB of Rust written under a directory
  find "$1" -name '*.rs' -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {print int(s/1024)}'
}

cmd_of() { # tool spec-path out-dir name [copy] -> the command line (of copy N of the binary)
  local ours=$OURS ploidy=$TOOLS/bin/ploidy progenitor=$TOOLS/bin/cargo-progenitor
  if [ -n "${5:-}" ]; then
    ours=$GEN/bin-copies/ours.$5 ploidy=$GEN/bin-copies/ploidy.$5
    progenitor=$GEN/bin-copies/cargo-progenitor.$5
  fi
  case $1 in
    ours) echo "$ours generate $2 --out $3 --name bench-$4" ;;
    ploidy) echo "$ploidy generate rust $2 -o $3 --name bench-$4" ;;
    progenitor) echo "$progenitor progenitor -i $2 -o $3 -n bench-$4 -v 0.1.0" ;;
  esac
}

check_crate() { # tool crate-dir: `cargo check` of a generated crate, a workspace of its own
  grep -q '^\[workspace\]' "$2/Cargo.toml" || printf '\n[workspace]\n' >> "$2/Cargo.toml"
  CARGO_TARGET_DIR=$CHECK_TARGET/$1 cargo check --quiet --manifest-path "$2/Cargo.toml"
}

peak_mib() { # median of 3 peak RSS, MiB
  local out=$1; shift
  for _ in 1 2 3; do
    rm -rf "$out"
    /usr/bin/time -f '%M' -o "$OUT/rss" "$@" > /dev/null 2>&1 || true
    cat "$OUT/rss"
  done | sort -n | sed -n 2p | awk '{printf "%.0f", $1/1024}'
}

for spec in $SPECS; do
  path=$CORPUS/$spec
  [ -f "$path" ] || { echo "skip $spec: not found"; continue; }
  name=${spec%.*}
  size=$(( $(stat -c %s "$path") / 1024 ))
  echo "== $spec ($size KiB)"
  declare -A status=() handles=()
  cmds=()
  for tool in ours ploidy progenitor; do
    o=$GEN/$name.$tool; rm -rf "$o"
    rc=0; timeout $LIMIT $(cmd_of $tool "$path" "$o" "$name") > "$OUT/$name.$tool.log" 2>&1 || rc=$?
    handles[$tool]=no
    if [ $rc = 0 ]; then
      status[$tool]=ok; handles[$tool]=yes
      if [ "$HANDLED" = 1 ] && ! check_crate $tool "$o" > "$OUT/$name.$tool.handled.log" 2>&1; then
        status[$tool]="generated; does not compile: $(said "$OUT/$name.$tool.handled.log")"
        handles[$tool]=no
      fi
      cmds+=(-n "$tool" --prepare "rm -rf $o" "$(cmd_of $tool "$path" "$o" "$name")")
    else
      status[$tool]="failed (exit $rc): $(said "$OUT/$name.$tool.log")"
    fi
    echo "   $tool: ${status[$tool]}"
  done
  declare -A median=()
  if [ ${#cmds[@]} -gt 0 ]; then
    hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$OUT/$name.json" "${cmds[@]}" > "$OUT/$name.hyperfine.txt"
    while read -r tool m; do median[$tool]=$m; done < <(python3 -c '
import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], "%.4f" % r["median"])' "$OUT/$name.json")
  fi
  # The peer to compare with: the fastest of those that handle the spec.
  peer=$(for t in ploidy progenitor; do
    if [ "${handles[$t]}" = yes ] && [ -n "${median[$t]:-}" ]; then echo "${median[$t]} $t"; fi
  done | sort -g | head -1 | cut -d' ' -f2)
  fastest_peer=${peer:+${median[$peer]}}
  for tool in ours ploidy progenitor; do
    m=${median[$tool]:--}; ratio=-; peak=-
    if [ "$m" != - ]; then
      [ -n "$fastest_peer" ] && ratio=$(python3 -c "print('%.2f' % ($m / $fastest_peer))")
      peak=$(peak_mib "$GEN/$name.$tool" $(cmd_of $tool "$path" "$GEN/$name.$tool" "$name"))
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$spec" "$size" "$tool" "${status[$tool]}" "$m" "$ratio" "$peak" \
      "$(rust_kib "$GEN/$name.$tool")" >> "$SUMMARY"
  done
  if [ "$PAIRS" -gt 0 ] && [ "${handles[ours]}" = yes ] && [ -n "$peer" ]; then
    # ours peer, peer ours, ...: each pair's ratio, then their median. The order alternates,
    # so that neither tool always runs right after the other's files were written.
    for i in $(seq "$PAIRS"); do
      if [ $((i % 2)) -eq 1 ]; then order="ours $peer"; else order="$peer ours"; fi
      copy=$(( (i - 1) % COPIES + 1 ))
      declare -A took=()
      for tool in $order; do
        o=$GEN/$name.$tool; rm -rf "$o"
        # The shell's own clock: a `date` process on each side would add its start-up
        # (2 to 4 ms here) to both tools and pull the small specs' ratios towards 1.
        cmd=$(cmd_of $tool "$path" "$o" "$name" "$copy")
        s=$EPOCHREALTIME
        $cmd > /dev/null 2>&1
        e=$EPOCHREALTIME
        took[$tool]=$(python3 -c "print('%.4f' % ($e - $s))")
      done
      echo "${took[ours]} ${took[$peer]}"
    done > "$OUT/$name.pairs"
    python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
ratios = [a / b for a, b in rows]
print("\t".join([sys.argv[2], str(len(rows)), sys.argv[3],
    "%.4f" % statistics.median(a for a, _ in rows), "%.4f" % statistics.median(b for _, b in rows),
    "%.2f" % statistics.median(ratios), "%.2f" % min(ratios), "%.2f" % max(ratios)]))' \
      "$OUT/$name.pairs" "$spec" "$peer" >> "$PSUM"
  fi
  unset status handles median
done

echo
echo "== generation ($SUMMARY): median wall seconds; ratio = this tool / the fastest peer"
python3 -c '
import csv, sys
for r in csv.reader(open(sys.argv[1]), delimiter="\t"):
    print("\t".join(r[:3] + r[4:] + [r[3][:60]]))' "$SUMMARY" | column -t -s $'\t' 
if [ "$PAIRS" -gt 0 ]; then
  echo
  echo "== ours and the fastest peer that handles the spec in turn, $PAIRS pairs per spec ($PSUM): ratio = ours / peer"
  column -t -s $'\t' "$PSUM" || cat "$PSUM"
fi

if [ "$COMPILE" = 1 ]; then
  CSUM=$OUT/compile.tsv
  printf 'spec\ttool\tcheck_median_s\n' > "$CSUM"
  for spec in $COMPILE_SPECS; do
    name=${spec%.*}
    for tool in ours ploidy progenitor; do
      dir=$GEN/$name.$tool
      [ -f "$dir/Cargo.toml" ] || { printf '%s\t%s\t-\n' "$spec" "$tool" >> "$CSUM"; continue; }
      # Dependencies first (and the crate once), then the crate alone, timed.
      if ! check_crate $tool "$dir" > "$OUT/$name.$tool.check.log" 2>&1; then
        printf '%s\t%s\tfailed: %s\n' "$spec" "$tool" "$(said "$OUT/$name.$tool.check.log")" >> "$CSUM"
        continue
      fi
      t=$(for _ in 1 2 3; do
        find "$dir/src" -name '*.rs' -exec touch {} +
        s=$(date +%s.%N)
        check_crate $tool "$dir" > /dev/null 2>&1
        e=$(date +%s.%N)
        python3 -c "print('%.3f' % ($e - $s))"
      done | sort -g | sed -n 2p)
      printf '%s\t%s\t%s\n' "$spec" "$tool" "$t" >> "$CSUM"
    done
  done
  echo
  echo "== cargo check of the generated crate alone, dependencies built ($CSUM)"
  column -t -s $'\t' "$CSUM" || cat "$CSUM"
fi

if [ "$SCALING" = 1 ]; then
  spec=$(echo $SPECS | cut -d' ' -f1); path=$CORPUS/$spec; name=${spec%.*}
  SSUM=$OUT/scaling.tsv
  printf 'spec\tcpus\tmedian_s\n' > "$SSUM"
  all=$(( $(nproc) - 1 ))
  for cpus in 0 "0-$all"; do
    hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$OUT/scaling.json" \
      --prepare "rm -rf $GEN/$name.scaling" "taskset -c $cpus $(cmd_of ours "$path" "$GEN/$name.scaling" "$name")" > /dev/null
    m=$(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$OUT/scaling.json")
    n=$(python3 -c "import sys; a=sys.argv[1]; print(1 if '-' not in a else int(a.split('-')[1]) + 1)" "$cpus")
    printf '%s\t%s\t%s\n' "$spec" "$n" "$m" >> "$SSUM"
  done
  echo
  echo "== ours on 1 CPU and on all $(nproc) ($SSUM)"
  column -t -s $'\t' "$SSUM" || cat "$SSUM"
fi
