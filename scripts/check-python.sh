#!/usr/bin/env bash
# Checks that the bundled specs in dist/ serve Python: openapi-python-client (pinned below,
# installed into .tools/venv) generates a client package for each dist/*.json into target/py/,
# every module of each package is imported, and scripts/python/examples.py builds a model from
# every example of the spec (request bodies, responses, component schemas; the model found by
# the media type's schema $ref) with from_dict, and fails unless to_dict gives the example back
# as equal JSON. Fails on any error, and on any warning or other unexpected output of the
# generator. Run `cargo run -p codegen -- bundle` first if spec/ changed.
set -euo pipefail

version="0.29.1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="$root/.tools/venv"
stamp="$venv/.openapi-python-client-$version"
if [ ! -f "$stamp" ]; then
  echo "==> installing openapi-python-client $version into .tools/venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-python-client==$version"
  touch "$stamp"
fi

shopt -s nullglob
inputs=(dist/*.json)
if [ "${#inputs[@]}" -eq 0 ]; then
  echo "check-python.sh: no dist/*.json: run \`cargo run -p codegen -- bundle\`" >&2
  exit 1
fi

out=target/py
rm -rf "$out"
mkdir -p "$out"
status=0
packages=()
specs=()
for input in "${inputs[@]}"; do
  package="$(basename "$input" .json | tr '-' '_')_client"
  echo "==> openapi-python-client $input -> $out/$package"
  if ! log="$("$venv/bin/openapi-python-client" generate --path "$input" --meta none \
    --config scripts/python/openapi-python-client.yaml --output-path "$out/$package" 2>&1)"; then
    printf '%s\n' "$log" >&2
    status=1
    continue
  fi
  unexpected="$(printf '%s\n' "$log" | grep -v -e '^Generating ' -e '^$' || true)"
  if [ -n "$unexpected" ]; then
    printf '%s\n' "$log" >&2
    echo "check-python.sh: openapi-python-client warned about $input" >&2
    status=1
  fi
  packages+=("$package")
  specs+=("$root/$input")
done
[ "$status" -eq 0 ] || { echo "check-python.sh: FAILED" >&2; exit 1; }

echo "==> import ${packages[*]}"
(cd "$out" && "$venv/bin/python" -W error -c "
import importlib, pkgutil, sys
for p in sys.argv[1:]:
    package = importlib.import_module(p)
    for m in pkgutil.walk_packages(package.__path__, p + '.'):
        importlib.import_module(m.name)
" "${packages[@]}")

echo "==> every example through from_dict and to_dict"
for i in "${!packages[@]}"; do
  (cd "$out" && "$venv/bin/python" -W error "$root/scripts/python/examples.py" \
    "${specs[$i]}" "${packages[$i]}") || status=1
done
[ "$status" -eq 0 ] || { echo "check-python.sh: FAILED" >&2; exit 1; }
echo "check-python.sh: OK"
