#!/usr/bin/env bash
# Installs the pinned npm tools of scripts/lint-tools/ (Redocly CLI, Spectral, openapi-typescript,
# TypeScript, playwright-core) into .tools/ (gitignored) with `npm ci`, whenever .tools/ lacks
# one of them or was installed from a different lock file. Run by scripts/lint-spec.sh,
# scripts/check-typescript.sh, scripts/check-openapi-generator.sh and
# scripts/check-reference.sh; to change a version, edit package.json and run
# `npm install --package-lock-only` in scripts/lint-tools/. playwright-core downloads no
# browser (it has no install script, and --ignore-scripts runs none anyway): the reference
# check drives Debian's chromium.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
lock_src="$root/scripts/lint-tools/package-lock.json"
stamp="$tools/.installed-from-lock"

for bin in redocly spectral openapi-typescript tsc playwright-core; do
  if [ ! -x "$tools/node_modules/.bin/$bin" ]; then
    rm -f "$stamp"
  fi
done
if ! cmp -s "$lock_src" "$stamp"; then
  echo "==> installing pinned tools into .tools/"
  mkdir -p "$tools"
  cp "$root/scripts/lint-tools/package.json" "$tools/package.json"
  cp "$lock_src" "$tools/package-lock.json"
  # --ignore-scripts: the tools need no install scripts (one dependency's only script is a
  # telemetry ping).
  (cd "$tools" && npm ci --ignore-scripts --no-audit --no-fund)
  cp "$lock_src" "$stamp"
fi
