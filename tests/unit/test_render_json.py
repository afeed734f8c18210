"""render/json.py writes exactly what json.dumps(asdict(report), sort_keys, indent=2) would."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fpmscope.model import SCHEMA_VERSION
from fpmscope.render import RenderOptions
from fpmscope.render import json as json_render


@dataclasses.dataclass(frozen=True)
class Item:
    name: str
    value: float
    count: int | None
    flag: bool


@dataclasses.dataclass(frozen=True)
class Doc:
    title: str
    items: tuple[Item, ...]
    extra: Any


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def reference(report: Any) -> str:
    data = {"schema_version": SCHEMA_VERSION, **dataclasses.asdict(report)}
    return json.dumps(_clean(data), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# Text that could fool the re-indenting of flat objects: braces, separators, escapes.
texts = st.text(alphabet=st.sampled_from(["}", "{", ",", "\n", " ", '"', "\\", "a", "é", ":", "\t", "["]), max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), texts)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)
items = st.builds(Item, texts, st.floats(allow_nan=True), st.one_of(st.none(), st.integers()), st.booleans())


@given(st.builds(Doc, texts, st.lists(items, max_size=5).map(tuple), values))
def test_same_text_as_json_dumps(doc: Doc) -> None:
    assert json_render.render(doc, RenderOptions()) == reference(doc)


def test_non_string_keys_fall_back_to_the_json_module() -> None:
    doc = Doc("t", (), {1: "a", 2: [1.5, math.inf]})
    assert json_render.render(doc, RenderOptions()) == reference(doc)
