"""Property: any log_format built from known variables parses the lines it renders.

Random formats mix bare, quoted, bracketed and prefixed fields and glued separators, so both
the CSV reader and the regex path run; every value must come back in the right column.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fpmscope.accesslog import ingest
from fpmscope.accesslog.formats import parse_nginx

SEPARATORS = (" ", " - ", " | ", ";", " ; ")
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._", min_size=1, max_size=12)
UA = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F, exclude_characters='"\\'), max_size=30)
PATH = st.lists(WORD, min_size=0, max_size=4).map(lambda parts: "/" + "/".join(parts))


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    status: int
    size: int
    rt_ms: int
    upstream_ms: tuple[int, ...]
    request_id: str
    user_agent: str
    extra: str


REQUESTS = st.builds(
    Request,
    method=st.sampled_from(["GET", "POST", "DELETE", "PATCH"]),
    path=PATH,
    query=st.sampled_from(["", "?a=1", "?q=x&y=%20"]),
    status=st.integers(100, 599),
    size=st.integers(0, 10**9),
    rt_ms=st.integers(0, 120_000),
    upstream_ms=st.lists(st.integers(0, 60_000), min_size=1, max_size=3).map(tuple),
    request_id=st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
    user_agent=UA,
    extra=WORD,
)

# Fields: (format text, value renderer). Request line and status are always present.
FIELDS: dict[str, tuple[str, Callable[[Request], str]]] = {
    "request": ('"$request"', lambda r: f'"{r.method} {r.path}{r.query} HTTP/1.1"'),
    "status": ("$status", lambda r: str(r.status)),
    "bytes": ("$body_bytes_sent", lambda r: str(r.size)),
    "time": ("$request_time", lambda r: f"{r.rt_ms / 1000:.3f}"),
    "time_prefixed": ("rt=$request_time", lambda r: f"rt={r.rt_ms / 1000:.3f}"),
    "upstream": ("$upstream_response_time", lambda r: ", ".join(f"{u / 1000:.3f}" for u in r.upstream_ms)),
    "id": ("$request_id", lambda r: r.request_id),
    "ua": ('"$http_user_agent"', lambda r: f'"{r.user_agent}"'),
    "stamp": ("[$time_local]", lambda r: "[01/May/2024:12:00:00 +0200]"),
    "extra": ("$http_x_extra", lambda r: r.extra),
}

FORMATS = st.tuples(
    st.permutations(list(FIELDS)).flatmap(
        lambda order: st.lists(st.sampled_from(order), min_size=0, max_size=len(order), unique=True).map(
            lambda chosen: [k for k in order if k in {"request", "status", *chosen}]
        )
    ),
    st.lists(st.sampled_from(SEPARATORS), min_size=len(FIELDS), max_size=len(FIELDS)),
).filter(lambda fs: not ("time" in fs[0] and "time_prefixed" in fs[0]))


def build(keys: list[str], seps: list[str]) -> tuple[str, list[str]]:
    text = FIELDS[keys[0]][0]
    for key, sep in zip(keys[1:], seps, strict=False):
        text += sep + FIELDS[key][0]
    return text, keys


def render(keys: list[str], seps: list[str], r: Request) -> str:
    line = FIELDS[keys[0]][1](r)
    for key, sep in zip(keys[1:], seps, strict=False):
        line += sep + FIELDS[key][1](r)
    return line


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMATS, st.lists(REQUESTS, min_size=1, max_size=8))
def test_any_format_parses_the_lines_rendered_from_it(fmt: tuple[list[str], list[str]], reqs: list[Request]) -> None:
    keys, seps = fmt
    text, _ = build(keys, seps)
    log_format = parse_nginx(text)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        log.write_text("".join(render(keys, seps, r) + "\n" for r in reqs), encoding="utf-8")
        con = ingest.connect()
        result = ingest.ingest(con, [("access.log", log)], log_format)
        rows = con.execute("SELECT method, path, status, bytes, rt, upstream, request_id FROM hits").fetchall()
    assert result.skipped == 0, (text, result.skipped_example)
    assert len(rows) == len(reqs)
    got = sorted(rows, key=repr)
    want = sorted(
        (
            (
                r.method,
                r.path,
                r.status,
                r.size if "bytes" in keys else None,
                r.rt_ms / 1000 if {"time", "time_prefixed"} & set(keys) else None,
                sum(r.upstream_ms) / 1000 if "upstream" in keys else None,
                r.request_id if "id" in keys else None,
            )
            for r in reqs
        ),
        key=repr,
    )
    for g, w in zip(got, want, strict=True):
        assert g[:4] == w[:4], text
        assert (g[4] is None) == (w[4] is None) and (w[4] is None or abs(g[4] - w[4]) < 1e-9), text
        assert (g[5] is None) == (w[5] is None) and (w[5] is None or abs(g[5] - w[5]) < 1e-6), text
        assert g[6] == w[6], text
