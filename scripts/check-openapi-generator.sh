#!/usr/bin/env bash
# Checks that the bundled specs in dist/ serve OpenAPI Generator (openapi-generator-cli, the jar
# bundled in the PyPI package pinned below, run with the machine's Java 17; installed with the
# Python libraries its python client needs into .tools/venv-openapi-generator):
#
# - typescript-fetch for each dist/*.json into target/oag/ts/<name>/, type-checked with
#   `tsc --noEmit --strict` (the pinned TypeScript of scripts/lint-tools/);
# - python for each into target/oag/py/<name>_oag_client/, every module imported with
#   warnings as errors, and every example of the spec built into its model and round-tripped
#   (scripts/python/examples.py, as scripts/check-python.sh does for openapi-python-client).
#
# A generator error, a non-zero exit, or any output line other than INFO lines, the donation
# banner and the known harmless warning below fails the check (the spec is validated by the
# generator first, and an invalid spec is an error):
#
# - `WARN o.o.codegen.utils.ModelUtils - Failed to get the schema name: null`: printed once per
#   run as soon as a response has named inline `examples` (`examples: {name: {value: ...}}`,
#   valid OpenAPI 3.0); the generator looks for a `$ref` on each inline Example Object and
#   warns that there is none. It reproduces with a minimal one-operation spec, and the
#   generated code is the same with or without the examples.
#
# Java is not checked here: the generated client (default library okhttp-gson, or `native`)
# does not compile against the Java libraries Debian packages, and Maven Central cannot be
# reached (see README.md, "Using the spec from other languages"). `--java` generates it into
# target/oag/java/ and tries javac against /usr/share/java, for whoever wants to see that.
# Run `cargo run -p codegen -- bundle` first if spec/ changed.
set -euo pipefail

version="7.26.0"
# The dependencies of the generated python client (its requirements.txt), pinned.
python_deps=(pydantic==2.14.4 python-dateutil==4.0.0 urllib3==2.8.0 typing-extensions==4.16.0)
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java_too=0
[ "${1:-}" = "--java" ] && java_too=1

command -v java >/dev/null || { echo "check-openapi-generator.sh: java (17) is required" >&2; exit 1; }
bash scripts/install-tools.sh
venv="$root/.tools/venv-openapi-generator"
stamp="$venv/.installed-$version-$(printf '%s\n' "${python_deps[@]}" | cksum | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
  echo "==> installing openapi-generator-cli $version into .tools/venv-openapi-generator"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "openapi-generator-cli==$version" "${python_deps[@]}"
  touch "$stamp"
fi

shopt -s nullglob
inputs=(dist/*.json)
if [ "${#inputs[@]}" -eq 0 ]; then
  echo "check-openapi-generator.sh: no dist/*.json: run \`cargo run -p codegen -- bundle\`" >&2
  exit 1
fi

out=target/oag
rm -rf "$out"
mkdir -p "$out/ts" "$out/py" "$out/java"
status=0

# generate GENERATOR INPUT OUTPUT [OPTIONS...]: runs the generator, fails on anything but
# INFO lines, the banner and the known harmless warning (and a line matching $also_harmless).
also_harmless='^$'
generate() {
  local generator="$1" input="$2" output="$3"
  shift 3
  echo "==> openapi-generator $generator $input -> $output"
  local log
  if ! log="$("$venv/bin/openapi-generator-cli" generate -g "$generator" -i "$input" -o "$output" \
    --additional-properties hideGenerationTimestamp=true "$@" 2>&1)"; then
    printf '%s\n' "$log" >&2
    echo "check-openapi-generator.sh: $generator failed on $input" >&2
    return 1
  fi
  local unexpected
  unexpected="$(printf '%s\n' "$log" | grep -v \
    -e '^\[main\] INFO ' \
    -e '^#\+$' -e '^# .* #$' \
    -e '^\[main\] WARN  o\.o\.codegen\.utils\.ModelUtils - Failed to get the schema name: null$' \
    -e "$also_harmless" -e '^$' || true)"
  if [ -n "$unexpected" ]; then
    printf '%s\n' "$unexpected" >&2
    echo "check-openapi-generator.sh: $generator warned about $input (above)" >&2
    return 1
  fi
}

ts_entries=()
packages=()
specs=()
for input in "${inputs[@]}"; do
  name="$(basename "$input" .json)"
  generate typescript-fetch "$input" "$out/ts/$name" || { status=1; continue; }
  ts_entries+=("$out/ts/$name/index.ts")
  package="$(printf '%s' "$name" | tr '-' '_')_oag_client"
  generate python "$input" "$out/py/$package" --additional-properties "packageName=$package" || { status=1; continue; }
  packages+=("$package")
  specs+=("$root/$input")
  if [ "$java_too" -eq 1 ]; then
    # The Java generator leaves object examples out of its API docs and says so.
    also_harmless='^\[main\] WARN  o\.o\.c\.languages\.AbstractJavaCodegen - Ignoring complex example on request body$'
    generate java "$input" "$out/java/$name" \
      --additional-properties "invokerPackage=$package,apiPackage=$package.api,modelPackage=$package.model" ||
      true
    also_harmless='^$'
  fi
done
[ "$status" -eq 0 ] || { echo "check-openapi-generator.sh: FAILED" >&2; exit 1; }

echo "==> tsc --noEmit --strict ${ts_entries[*]}"
"$root/.tools/node_modules/.bin/tsc" --noEmit --strict --target es2022 --module esnext \
  --moduleResolution bundler --lib es2022,dom "${ts_entries[@]}"

echo "==> import ${packages[*]}; every example through from_dict and to_dict"
for i in "${!packages[@]}"; do
  (cd "$out/py/${packages[$i]}" && "$venv/bin/python" -W error -c "
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for m in pkgutil.walk_packages(package.__path__, sys.argv[1] + '.'):
    importlib.import_module(m.name)
" "${packages[$i]}" &&
    "$venv/bin/python" -W error "$root/scripts/python/examples.py" "${specs[$i]}" "${packages[$i]}") ||
    status=1
done
[ "$status" -eq 0 ] || { echo "check-openapi-generator.sh: FAILED" >&2; exit 1; }

if [ "$java_too" -eq 1 ]; then
  # Debian's jars for what the okhttp-gson client imports; what is missing stays missing.
  cp_jars="$(ls /usr/share/java/{gson,okhttp,okio,jsr305,geronimo-annotation-1.3-spec,commons-lang3}.jar \
    2>/dev/null | paste -sd: -)"
  for dir in "$out"/java/*/; do
    echo "==> javac ${dir}src/main/java (classpath: ${cp_jars:-none})"
    find "$dir/src/main/java" -name '*.java' >"$dir/sources.txt"
    if javac -nowarn -d "$dir/classes" -cp "$cp_jars" @"$dir/sources.txt" >"$dir/javac.log" 2>&1; then
      echo "java: $dir compiles"
    else
      echo "java: $dir does not compile ($(grep -c 'error:' "$dir/javac.log") errors):"
      grep 'error:' "$dir/javac.log" | sed 's/.*error: //' | sort | uniq -c | sort -rn
    fi
  done
fi
echo "check-openapi-generator.sh: OK"
