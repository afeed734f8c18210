"""A small JSON Schema validator for the subset docs/schemas/ uses: type (one or a list),
const, properties, required, additionalProperties (false or a schema), items, anyOf.
jsonschema is not a dependency; this is enough to hold every JSON output to its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DIR = Path(__file__).resolve().parent.parent / "docs" / "schemas"
TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
KNOWN = {"$schema", "$id", "title", "type", "const", "properties", "required", "additionalProperties", "items", "anyOf"}


def errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    unknown = set(schema) - KNOWN
    if unknown:
        return [f"{where}: schema keyword(s) this validator does not know: {sorted(unknown)}"]
    found: list[str] = []
    if "const" in schema and value != schema["const"]:
        found.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[k](value) for k in kinds):
            return [f"{where}: {type(value).__name__} is not {'/'.join(kinds)}"]
    if "anyOf" in schema and all(errors(value, s, where) for s in schema["anyOf"]):
        found.append(f"{where}: matches none of anyOf")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        found += [f"{where}: missing {name!r}" for name in schema.get("required", []) if name not in value]
        for name, item in value.items():
            if name in props:
                found += errors(item, props[name], f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{where}: unexpected property {name!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                found += errors(item, schema["additionalProperties"], f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += errors(item, schema["items"], f"{where}[{i}]")
    return found


def validate(text: str, name: str) -> dict[str, Any]:
    """Parse `text` as JSON and check it against docs/schemas/NAME.schema.json."""
    data: dict[str, Any] = json.loads(text)
    schema = json.loads((DIR / f"{name}.schema.json").read_text())
    problems = errors(data, schema)
    assert not problems, f"{name}: " + "; ".join(problems[:10])
    return data
