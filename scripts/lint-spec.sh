#!/usr/bin/env bash
# Lint every OpenAPI description in spec/ with Redocly CLI and Spectral.
#
# The linters are installed into .tools/ (gitignored) from the pinned package.json and
# package-lock.json in scripts/lint-tools/ by scripts/install-tools.sh, whenever .tools/ is
# missing or was installed from a different lock file. Configuration: .redocly.yaml and
# .spectral.yaml at the repository root.
#
# Exit status is non-zero if either linter reports an error. With --strict (or LINT_STRICT=1),
# a Spectral warning also fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

strict="${LINT_STRICT:-0}"
for arg in "$@"; do
  case "$arg" in
    --strict) strict=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "lint-spec.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

tools="$root/.tools"
bash "$root/scripts/install-tools.sh"

export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true

shopt -s nullglob
specs=(spec/*.yaml)
if [ "${#specs[@]}" -eq 0 ]; then
  echo "lint-spec.sh: no spec/*.yaml found" >&2
  exit 1
fi

status=0

echo "==> redocly lint ${specs[*]}"
"$tools/node_modules/.bin/redocly" lint --config .redocly.yaml "${specs[@]}" || status=1

fail_severity=error
if [ "$strict" = 1 ]; then
  fail_severity=warn
fi
echo "==> spectral lint ${specs[*]} (fails on: $fail_severity)"
"$tools/node_modules/.bin/spectral" lint --ruleset .spectral.yaml --fail-severity "$fail_severity" \
  "${specs[@]}" || status=1

if [ "$status" -ne 0 ]; then
  echo "lint-spec.sh: FAILED" >&2
else
  echo "lint-spec.sh: OK"
fi
exit "$status"
