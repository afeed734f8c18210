"""Fuzz: status-page JSON, probe lines and access-log lines, valid and hostile mixed. Each
input gives the right answer or one FpmscopeError; every line is accounted for (loaded,
skipped or a duplicate), so nothing is lost silently."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import duckdb
from hypothesis import event, given
from hypothesis import strategies as st

from fpmscope import ingest
from fpmscope.accesslog import ingest as access_ingest
from fpmscope.accesslog.files import Input
from fpmscope.accesslog.formats import preset
from fpmscope.errors import FpmscopeError
from fpmscope.live import status
from fpmscope.records import FORMAT_TAG, RECORD_FIELDS
from tests.fuzz.profile import FUZZ, FUZZ_INGEST

NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 2**63 - 1, -(2**63), 1e999, -1e999]),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)
KEYS = ["pid", "state", "start time", "requests", "request duration", "request method", "request uri", "script"]
PROCESS = st.dictionaries(st.sampled_from([*KEYS, "last request cpu", "last request memory"]), JSON_VALUES)
PAGE = st.fixed_dictionaries(
    {"pool": st.one_of(st.text(max_size=10), JSON_VALUES)},
    optional={
        "processes": st.one_of(st.lists(st.one_of(PROCESS, JSON_VALUES), max_size=5), JSON_VALUES),
        "accepted conn": JSON_VALUES,
        "listen queue": JSON_VALUES,
    },
)


@FUZZ
@given(st.one_of(PAGE, JSON_VALUES), st.sampled_from(["json", "raw quotes", "cut", "junk"]), st.data())
def test_status_page_gives_rows_or_one_error(page: object, damage: str, data: st.DataObject) -> None:
    text = json.dumps(page, allow_nan=True)
    if damage == "raw quotes":
        # Old PHP wrote request data unescaped.
        text = text.replace('\\"', '"').replace("\\\\", "\\")
    elif damage == "cut":
        text = text[: data.draw(st.integers(0, len(text)))]
    elif damage == "junk":
        text = data.draw(st.text(max_size=200))
    try:
        pool, processes = status.parse(text)
    except FpmscopeError as exc:
        event("one clear error")
        assert "\n" not in str(exc)
        return
    event("parsed")
    for p in processes:
        assert isinstance(p.pid, int) and abs(p.pid) < 2**63
        assert math.isfinite(p.last_request_cpu)
    assert abs(pool.accepted_conn) < 2**63


def field_values(hostile: bool) -> st.SearchStrategy[list[str]]:
    """One record's fields: plausible values, or (hostile) any field may be absurd."""
    sane = {
        "pid": st.integers(1, 99999).map(str),
        "ts": st.floats(1.6e9, 1.8e9).map(lambda t: f"{t:.6f}"),
        "status": st.integers(100, 599).map(str),
    }
    absurd = st.one_of(
        st.sampled_from(["-1", "nan", "inf", "1e300", str(2**63 - 1), str(-(2**63)), str(2**64), "", "x", "1.5"]),
        st.integers(-(2**64), 2**64).map(str),
    )
    fields = []
    for name, kind in RECORD_FIELDS:
        if kind == "VARCHAR":
            fields.append(st.text(alphabet=st.characters(exclude_characters="\t\n\r", codec="utf-8"), max_size=12))
        else:
            plain = sane.get(name, st.integers(0, 10**9).map(str))
            fields.append(st.one_of(plain, plain, plain, absurd) if hostile else plain)
    return st.tuples(*fields).map(list)


LINES = st.lists(
    st.one_of(
        field_values(hostile=False).map(lambda f: "\t".join([FORMAT_TAG, *f])),
        field_values(hostile=True).map(lambda f: "\t".join([FORMAT_TAG, *f])),
        st.text(alphabet=st.characters(exclude_characters="\n\r", codec="utf-8"), min_size=1),
    ),
    min_size=1,
    max_size=30,
)


@FUZZ_INGEST
@given(LINES, st.booleans())
def test_probe_lines_are_loaded_or_counted(lines: list[str], doubled: bool) -> None:
    body = "".join(line + "\n" for line in lines if line.strip())
    if not body:
        return
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "p.log"
        log.write_text(body * (2 if doubled else 1), encoding="utf-8", errors="surrogateescape")
        con = ingest.connect(None)
        result = ingest.ingest(con, [str(log)])
        n = body.count("\n") * (2 if doubled else 1)
        assert result.rows + result.skipped + result.duplicates == n, result
        event("some loaded" if result.rows else "all skipped")
        # Whatever was loaded is within physical bounds: no sum can overflow INT64.
        for name, (low, high) in ingest.BOUNDS.items():
            row = con.execute(f"SELECT min({name}), max({name}) FROM requests").fetchone()
            assert row is not None
            assert row[0] is None or low <= row[0] <= row[1] <= high, name


ACCESS = st.builds(
    lambda ip, method, path, status_code, size, ua: (
        f'{ip} - - [10/Oct/2024:13:55:36 +0000] "{method} {path} HTTP/1.1" {status_code} {size} "-" "{ua}"'
    ),
    st.sampled_from(["127.0.0.1", "::1", "10.0.0.7"]),
    st.sampled_from(["GET", "POST", "PUT"]),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters='"\\ '), max_size=20).map(
        lambda p: "/" + p
    ),
    st.integers(100, 599),
    st.integers(0, 10**9),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters='"\\'), max_size=20),
)


@FUZZ_INGEST
@given(
    st.lists(
        # Junk lines may hold `"`, alone or unbalanced: a quote never joins the next line to it.
        st.one_of(
            ACCESS,
            ACCESS,
            st.text(alphabet=st.characters(exclude_characters="\n\r", codec="utf-8"), min_size=1),
            st.sampled_from(['"', ' "', '"x', 'a"b', '" "" "']),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_access_lines_are_parsed_or_counted(lines: list[str]) -> None:
    kept = [line for line in lines if line.strip(" \t")]
    if not kept:
        return
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        log.write_text("".join(line + "\n" for line in kept), encoding="utf-8", errors="surrogateescape")
        con = access_ingest.connect()
        try:
            result = access_ingest.ingest(con, [Input("access.log", log)], preset("combined"))
        except FpmscopeError as exc:
            # Not one line parses: one clear error, and only then.
            assert "no line of" in str(exc)
            assert not any(line.startswith(("127.0.0.1 ", "::1 ", "10.0.0.7 ")) for line in kept)
            event("one clear error")
            return
        event("parsed")
        assert result.parsed + result.skipped == len(kept), result
        rows = con.execute("SELECT count(*) FROM hits").fetchone()
        assert rows is not None and rows[0] == result.parsed


def test_a_lone_quote_does_not_swallow_the_next_access_line() -> None:
    """Found by this fuzz suite: a junk line `"` followed by a valid line was read as one
    quoted record, so one line was neither parsed nor counted."""
    line = '127.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "x"'
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        log.write_text(f'{line}\n"\n{line}\n{line}\n')
        result = access_ingest.ingest(access_ingest.connect(), [Input("access.log", log)], preset("combined"))
    assert result.parsed + result.skipped == 4, result


def test_bounds_cover_every_numeric_field() -> None:
    numeric = {name for name, kind in RECORD_FIELDS if kind in ("BIGINT", "INTEGER", "DOUBLE")}
    assert numeric <= set(ingest.BOUNDS)
    assert duckdb.__version__
