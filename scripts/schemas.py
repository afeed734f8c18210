"""Write docs/schemas/*.schema.json, the JSON Schemas of every JSON output, from the model
dataclasses the outputs are made of (render/json.py turns them into JSON one to one).

    .venv/bin/python scripts/schemas.py          # rewrite docs/schemas/
    .venv/bin/python scripts/schemas.py --check  # exit 1 if one is out of date (the tests do this)

Types map as: int → integer, float → number or null (non-finite floats are written as null),
str → string, bool → boolean, `X | None` → X or null, tuple/list → array, dataclass → object
with every field required and no other. `check.schema.json` is written by hand (check's
JSON is not a dataclass).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

from fpmscope.live.sampler import Snapshot
from fpmscope.model import SCHEMA_VERSION
from fpmscope.model.advise import AdviceReport
from fpmscope.model.diff import DiffReport
from fpmscope.model.full import FullReport
from fpmscope.model.gate import Gate
from fpmscope.model.leaks import LeakReport
from fpmscope.model.slow import SlowReport
from fpmscope.model.workers import WorkersReport

DIR = Path(__file__).resolve().parent.parent / "docs" / "schemas"
BASE = "https://fpmscope.invalid/schemas/"  # an identifier, not a download location

# file stem -> (the command that prints it, its model, extra optional top-level properties)
OUTPUTS: dict[str, tuple[str, type, dict[str, type]]] = {
    "leaks": ("fpmscope leaks --format json (with --fail-on: also `gate`)", LeakReport, {"gate": Gate}),
    "slow": ("fpmscope slow --format json", SlowReport, {}),
    "workers": ("fpmscope workers --format json", WorkersReport, {}),
    "advise": ("fpmscope advise --format json", AdviceReport, {}),
    "report": ("fpmscope report --format json", FullReport, {}),
    "diff": ("fpmscope diff --format json", DiffReport, {}),
    "top": ("fpmscope top --once --format json", Snapshot, {}),
}


def of(kind: Any) -> dict[str, Any]:
    """The schema of one Python type."""
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = [of(k) for k in typing.get_args(kind) if k is not type(None)]
        nullable = type(None) in typing.get_args(kind)
        if len(options) == 1:
            schema = options[0]
            if nullable and isinstance(schema.get("type"), str):
                return {**schema, "type": [schema["type"], "null"]}
            if nullable and isinstance(schema.get("type"), list):
                return {**schema, "type": sorted({*schema["type"], "null"})}
            return {"anyOf": [schema, {"type": "null"}]} if nullable else schema
        return {"anyOf": options + ([{"type": "null"}] if nullable else [])}
    if origin in (tuple, list):
        args = [a for a in typing.get_args(kind) if a is not Ellipsis]
        return {"type": "array", "items": of(args[0])} if args else {"type": "array"}
    if origin is dict:
        return {"type": "object", "additionalProperties": of(typing.get_args(kind)[1])}
    if dataclasses.is_dataclass(kind):
        return obj(kind)
    simple = {bool: "boolean", int: "integer", str: "string", float: ["number", "null"]}
    if kind in simple:
        return {"type": simple[kind]}
    raise TypeError(f"no JSON Schema for {kind!r}")


def obj(kind: type, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    hints = typing.get_type_hints(kind)
    names = [f.name for f in dataclasses.fields(kind)]
    return {
        "type": "object",
        "properties": {name: of(hints[name]) for name in names} | (extra or {}),
        "required": names,
        "additionalProperties": False,
    }


def build(stem: str) -> dict[str, Any]:
    command, model, extra = OUTPUTS[stem]
    schema = obj(model, {"schema_version": {"const": SCHEMA_VERSION}} | {k: of(v) for k, v in extra.items()})
    schema["required"] = ["schema_version", *schema["required"]]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE}{stem}.schema.json",
        "title": command,
        **schema,
    }


def text(stem: str) -> str:
    return json.dumps(build(stem), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    stale = []
    for stem in OUTPUTS:
        path = DIR / f"{stem}.schema.json"
        if "--check" in sys.argv[1:]:
            if not path.exists() or path.read_text(encoding="utf-8") != text(stem):
                stale.append(str(path))
        else:
            path.write_text(text(stem), encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/schemas.py", file=sys.stderr)
        sys.exit(1)
