"""JSON: the report dataclasses as objects, plus `schema_version`; sorted keys, stable.

The text is exactly `json.dumps(..., sort_keys=True, indent=2, ensure_ascii=False)` of
`dataclasses.asdict(report)` with non-finite floats as null, built faster: `asdict` deep-copies
every value and `indent` makes the json module fall back to its pure-Python encoder, which
together took 3.8 s for the 47,560 endpoints of the 1 M-line bench log. Here objects and lists
of plain values (most of a report) go through the C encoder with the indent in its separator.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from typing import Any

from fpmscope.model import SCHEMA_VERSION
from fpmscope.render import RenderOptions

INDENT = 2
_KEYS = frozenset({str})
_SCALARS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def plain(value: Any) -> Any:
    """`dataclasses.asdict(value)` with non-finite floats as None and tuples as lists, without
    the copies."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str | int) or value is None:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class _NotPlain(Exception):
    """A dict key that is not a string: left to the json module."""


@functools.cache
def _flat(depth: int) -> json.JSONEncoder:
    """The C encoder writing one level of items at `depth`, the indent in its separator."""
    return json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",\n" + " " * (INDENT * depth), ": "))


def _encode(value: Any, depth: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(isinstance(k, str) for k in value):
            raise _NotPlain
        inner = " " * (INDENT * (depth + 1))
        close = "\n" + " " * (INDENT * depth) + "}"
        if not any(isinstance(v, dict | list) for v in value.values()):
            return "{\n" + inner + _flat(depth + 1).encode(value)[1:-1] + close
        items = (f"{_flat(0).encode(k)}: {_encode(v, depth + 1)}" for k, v in sorted(value.items()))
        return "{\n" + inner + (",\n" + inner).join(items) + close
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = " " * (INDENT * (depth + 1))
        close = "\n" + " " * (INDENT * depth) + "]"
        if not any(isinstance(v, dict | list) for v in value):
            return "[\n" + inner + _flat(depth + 1).encode(value)[1:-1] + close
        if all(type(v) is dict and v and _is_flat(v) for v in value):
            return _flat_objects(value, depth)
        return "[\n" + inner + (",\n" + inner).join(_encode(v, depth + 1) for v in value) + close
    return _flat(0).encode(value)


def _is_flat(obj: dict[Any, Any]) -> bool:
    """String keys, plain values (the type checks run in C: this is the hot loop)."""
    return _KEYS.issuperset(map(type, obj)) and _SCALARS.issuperset(map(type, obj.values()))


def _flat_objects(objects: list[dict[str, Any]], depth: int) -> str:
    """A list of non-empty flat objects in one C-encoder call, then re-indented.

    Encoded with the items' separator, objects are joined by `},<sep>{`; no string value can
    hold that (newlines are escaped) nor can a flat object's value end in `}`, so each such
    join is exactly the boundary between two objects.
    """
    outer = " " * (INDENT * depth)
    one = " " * (INDENT * (depth + 1))
    two = " " * (INDENT * (depth + 2))
    text = _flat(depth + 2).encode(objects)[2:-2]
    body = text.replace("},\n" + two + "{", "\n" + one + "},\n" + one + "{\n" + two)
    return "[\n" + one + "{\n" + two + body + "\n" + one + "}\n" + outer + "]"


def document(data: dict[str, Any]) -> str:
    """Any other JSON document fpmscope prints (top --once, check): the same sorted keys,
    indent and nulls for non-finite floats as the reports."""
    return json.dumps(plain(data), sort_keys=True, indent=INDENT, ensure_ascii=False) + "\n"


def render(report: Any, options: RenderOptions) -> str:
    return render_with(report)


def render_with(report: Any, **extra: Any) -> str:
    """A report's JSON with more top-level keys (e.g. `gate` for leaks --fail-on)."""
    data = {"schema_version": SCHEMA_VERSION, **plain(report), **plain(extra)}
    try:
        return _encode(data, 0) + "\n"
    except _NotPlain:
        return json.dumps(data, sort_keys=True, indent=INDENT, ensure_ascii=False) + "\n"
