"""Builds a model of a generated Python client from every example of a bundled spec and checks
that it round-trips: `Model.from_dict(example).to_dict()` must be the example, as JSON.

Usage: python examples.py SPEC.json PACKAGE   (PACKAGE importable from the working directory)

Examples are found everywhere the spec holds them, following local `$ref`s:

- request bodies and responses (of every operation, and every one under `components`): the
  media type's `example` and each of its `examples` (`value`, or the `$ref`'d Example's);
- schemas of `components/schemas`: their `example`.

The model of an example is found by following its schema's `$ref` to
`#/components/schemas/<Name>`; the generated class is the one of the package's `models` whose
name matches `<Name>` once both are reduced to lowercase letters and digits (both generators
checked here, openapi-python-client and openapi-generator's `python`, turn schema names into
PascalCase class names). An example whose schema is an array of such a `$ref` is checked item
by item. An example whose schema is not a `$ref` to a component schema (a primitive, or an
inline schema: the generators give those other names) is listed as skipped. Any example whose
model is missing, fails to build, or does not give back the example fails the run.
"""

import datetime
import enum
import importlib
import json
import os
import re
import sys

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def norm(name):
    return re.sub(r"[^a-z0-9]", "", name.lower())


def unescape(token):
    return token.replace("~1", "/").replace("~0", "~")


def resolve(spec, node, seen=32):
    """`node` with its local `$ref`s followed (at most `seen` times), and the pointer it is at."""
    pointer = None
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen > 0:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise SystemExit(f"examples.py: a non-local $ref {ref!r}: bundle the spec first")
        pointer = ref[1:]
        node = spec
        for token in ref[2:].split("/"):
            node = node[unescape(token)] if isinstance(node, dict) else node[int(token)]
        seen -= 1
    return node, pointer


def instant(s):
    """An RFC 3339 date-time as an aware datetime, else None."""
    if not isinstance(s, str) or "T" not in s:
        return None
    try:
        t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def jsonable(v):
    """A model's `to_dict()` as JSON values: OpenAPI Generator's Python models give datetimes,
    enum members and pydantic `SecretStr`s (for `format: password`) there, not their JSON
    forms."""
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if hasattr(v, "get_secret_value"):
        return v.get_secret_value()
    if isinstance(v, enum.Enum):
        return jsonable(v.value)
    return v


def same(a, b):
    """JSON equality: numbers by value, but a boolean is only ever equal to a boolean; two
    date-times with a zone are equal when they are the same instant (`Z` is `+00:00`: Python's
    `isoformat` writes the second)."""
    if instant(a) is not None and instant(b) is not None:
        return instant(a) == instant(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def examples(spec):
    """(where, schema, value) of every example of a request body, response or component schema,
    each once (by the pointer it is written at)."""
    found = {}

    def content(holder, where, holder_pointer):
        holder, pointer = resolve(spec, holder)
        pointer = pointer or holder_pointer
        for media, m in (holder.get("content") or {}).items():
            schema = m.get("schema")
            media_pointer = f"{pointer}/content/{media}"
            if "example" in m:
                found.setdefault(f"{media_pointer}/example", (f"{where} {media} example", schema, m["example"]))
            for name, e in (m.get("examples") or {}).items():
                e_resolved, e_pointer = resolve(spec, e)
                if "value" in e_resolved:
                    key = e_pointer or f"{media_pointer}/examples/{name}"
                    found.setdefault(key, (f"{where} {media} example {name!r}", schema, e_resolved["value"]))

    for path, item in (spec.get("paths") or {}).items():
        item, _ = resolve(spec, item)
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            label = op.get("operationId") or f"{method.upper()} {path}"
            base = f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}"
            if "requestBody" in op:
                content(op["requestBody"], f"{label} request body", f"{base}/requestBody")
            for status, response in (op.get("responses") or {}).items():
                content(response, f"{label} response {status}", f"{base}/responses/{status}")
    components = spec.get("components") or {}
    for kind in ("requestBodies", "responses"):
        for name, holder in (components.get(kind) or {}).items():
            content(holder, f"components/{kind}/{name}", f"/components/{kind}/{name}")
    for name, schema in (components.get("schemas") or {}).items():
        if isinstance(schema, dict) and "example" in schema:
            ref = {"$ref": f"#/components/schemas/{name.replace('~', '~0').replace('/', '~1')}"}
            found.setdefault(f"/components/schemas/{name}/example", (f"schema {name} example", ref, schema["example"]))
    return list(found.values())


def component_name(schema):
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        prefix = "#/components/schemas/"
        ref = schema["$ref"]
        if ref.startswith(prefix) and "/" not in ref[len(prefix):]:
            return unescape(ref[len(prefix):])
    return None


def main():
    spec_path, package = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.getcwd())
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    models = importlib.import_module(f"{package}.models")
    classes = {}
    for attr in dir(models):
        cls = getattr(models, attr)
        if isinstance(cls, type) and hasattr(cls, "from_dict") and hasattr(cls, "to_dict"):
            classes.setdefault(norm(attr), []).append(cls)

    failures, checked, skipped = [], 0, []
    for where, schema, value in examples(spec):
        name = component_name(schema)
        values = [value]
        if name is None and isinstance(schema, dict):
            items = resolve(spec, schema)[0]
            if items.get("type") == "array" and component_name(items.get("items")):
                name = component_name(items["items"])
                if not isinstance(value, list):
                    failures.append(f"{where}: the schema is an array, the example is not")
                    continue
                values = value
        if name is None:
            skipped.append(where)
            continue
        target, _ = resolve(spec, schema)
        if target.get("type") not in (None, "object") or "enum" in target:
            # A string, number or enum component: no model class; its example is a plain
            # value (the linters validate it against the schema).
            skipped.append(where)
            continue
        candidates = {id(c): c for c in classes.get(norm(name), [])}
        if len(candidates) != 1:
            failures.append(f"{where}: {len(candidates)} model classes for schema {name!r}")
            continue
        cls = next(iter(candidates.values()))
        for v in values:
            try:
                back = jsonable(cls.from_dict(v).to_dict())
            except Exception as e:  # noqa: BLE001 - any failure to build is reported
                failures.append(f"{where}: {cls.__name__}.from_dict failed: {type(e).__name__}: {e}")
                continue
            if not same(back, v):
                failures.append(
                    f"{where}: {cls.__name__} round trip differs\n"
                    f"    example: {json.dumps(v, sort_keys=True)}\n"
                    f"    to_dict: {json.dumps(back, sort_keys=True, default=repr)}"
                )
        checked += 1
    for s in skipped:
        print(f"  skipped (not a model: an inline or primitive schema): {s}")
    for f in failures:
        print(f"  FAILED {f}", file=sys.stderr)
    print(f"{spec_path} -> {package}: {checked} example(s) round-tripped, {len(skipped)} skipped, {len(failures)} failed")
    if checked == 0 and not failures:
        print(f"{spec_path}: no example with a model", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
