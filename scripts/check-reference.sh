#!/usr/bin/env bash
# Checks the HTML API references of dist/ in a real headless browser: each dist/<name>.html
# is opened from a file:// URL in Debian's chromium (/usr/bin/chromium; .ci/run installs it),
# driven by the pinned playwright-core of scripts/lint-tools/ (installed into .tools/ by
# scripts/install-tools.sh; it downloads no browser). scripts/reference/check.cjs fails on any
# console error or warning, page error or request other than the page, and unless every
# operationId and every tag of dist/<name>.json has its element in the page, visible.
# Run `cargo run -p codegen -- bundle` first if spec/ changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -x /usr/bin/chromium ]; then
  echo "check-reference.sh: /usr/bin/chromium is missing: apt-get install chromium (.ci/run does)" >&2
  exit 1
fi
bash scripts/install-tools.sh

shopt -s nullglob
args=()
for html in dist/*.html; do
  json="${html%.html}.json"
  if [ ! -f "$json" ]; then
    echo "check-reference.sh: $html has no $json" >&2
    exit 1
  fi
  args+=("$html" "$json")
done
for json in dist/*.json; do
  if [ ! -f "${json%.json}.html" ]; then
    echo "check-reference.sh: $json has no HTML reference: run \`cargo run -p codegen -- bundle\`" >&2
    exit 1
  fi
done
if [ "${#args[@]}" -eq 0 ]; then
  echo "check-reference.sh: no dist/*.html: run \`cargo run -p codegen -- bundle\`" >&2
  exit 1
fi

# A home of its own: Chromium writes its profile and crash database there, not into $HOME.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
HOME="$tmp" timeout 300 node scripts/reference/check.cjs "$root/.tools/node_modules/playwright-core" "${args[@]}"
echo "check-reference.sh: OK"
