#!/usr/bin/env bash
# Checks that the bundled specs in dist/ serve TypeScript: openapi-typescript generates types
# for each dist/*.json into target/ts/, and `tsc --noEmit --strict` type-checks them together
# with scripts/ts/*.ts, which build request bodies from the spec's examples with those types.
#
# Fails on any error, and on any warning or other unexpected output of openapi-typescript.
# The pinned tools come from scripts/lint-tools/ (installed into .tools/ by
# scripts/install-tools.sh). Run `cargo run -p codegen -- bundle` first if spec/ changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-tools.sh
bin="$root/.tools/node_modules/.bin"
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true

shopt -s nullglob
inputs=(dist/*.json)
if [ "${#inputs[@]}" -eq 0 ]; then
  echo "check-typescript.sh: no dist/*.json: run \`cargo run -p codegen -- bundle\`" >&2
  exit 1
fi

out=target/ts
# Afresh: no types of a spec that dist/ no longer has.
rm -rf "$out"
mkdir -p "$out"
status=0
for input in "${inputs[@]}"; do
  name="$(basename "$input" .json)"
  echo "==> openapi-typescript $input -> $out/$name.d.ts"
  if ! log="$("$bin/openapi-typescript" "$input" --redocly scripts/ts/redocly.yaml \
    -o "$out/$name.d.ts" 2>&1)"; then
    printf '%s\n' "$log" >&2
    status=1
    continue
  fi
  # Only the banner and the success line are expected; anything else is a warning.
  unexpected="$(printf '%s\n' "$log" | grep -v -e '^✨ openapi-typescript ' -e '^🚀 ' || true)"
  if [ -n "$unexpected" ]; then
    printf '%s\n' "$log" >&2
    echo "check-typescript.sh: openapi-typescript warned about $input" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] || { echo "check-typescript.sh: FAILED" >&2; exit 1; }

echo "==> tsc --noEmit --strict $out/*.d.ts scripts/ts/*.ts"
"$bin/tsc" --noEmit --strict --target es2022 --module esnext --moduleResolution bundler \
  "$out"/*.d.ts scripts/ts/*.ts
echo "check-typescript.sh: OK"
