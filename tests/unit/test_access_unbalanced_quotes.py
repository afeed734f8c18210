"""A `"` that nothing closes on its line (a junk line `"`, a line cut short, a quote in a URL)
never joins the next lines to it: in every format, each physical line is a request or a
skipped line, counted, with an example (issue 14: the CSV reader let a quoted field run
across the line end, and one valid line was neither parsed nor counted)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fpmscope.accesslog import ingest as access_ingest
from fpmscope.accesslog.files import Input
from fpmscope.accesslog.formats import preset
from fpmscope.cli import main
from tests.unit.test_access_formats_detected import FORMATS, LINES, requests, w3c

AFTER = 10  # junk goes after this many valid lines: detection samples the file's head


def _quote_in_url(line: str) -> str:
    """The line with a `"` in the middle of its URL."""
    at = line.find("/products/")
    at = line.find("/cart/") if at < 0 else at
    at = line.find("/") if at < 0 else at
    return line[: at + 3] + '"' + line[at + 3 :]


# name -> (junk lines, given the first valid line; whether they end the file without a newline)
CASES: dict[str, tuple[Any, bool]] = {
    "lone quote": (lambda v: ['"'], False),
    "quote at the end of a line": (lambda v: [v + ' "'], False),
    "quote in the middle of a URL": (lambda v: [_quote_in_url(v)], False),
    "quote then a bare CR": (lambda v: ['ab"\rcd', '"\r'], False),
    "several unbalanced lines in a row": (lambda v: ['"', '"x', 'y" "', '" "" "', v[: len(v) // 2]], False),
    "the last line, with its newline": (lambda v: ['"'], False),
    "the last line, without a newline": (lambda v: ['x "'], True),
}


def _write(path: Path, valid: list[str], junk: list[str], *, last: bool, at_end: bool, head: str = "") -> int:
    """Write the log; the number of non-empty physical lines (what must be accounted for)."""
    lines = valid + junk if at_end else valid[:AFTER] + junk + valid[AFTER:]
    text = head + "\n".join(lines) + ("" if last else "\n")
    path.write_bytes(text.encode("utf-8"))
    return len([line for line in lines if line.strip(" \t")])


def _slow(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["slow", str(path), "--format", "json", "--top", "3"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _check(data: dict[str, Any], physical: int) -> None:
    inputs = data["inputs"]
    # Every valid line is a request (a junk line may be one too: a quote inside an LTSV value).
    assert inputs["requests"] >= LINES, inputs
    assert inputs["requests"] + inputs["skipped_lines"] == physical, inputs
    if inputs["skipped_lines"]:
        assert inputs["skipped_example"], inputs


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_an_unbalanced_quote_never_swallows_a_line(name: str, case: str, tmp_path: Path) -> None:
    write, _, whole = FORMATS[name]
    valid = [write(r) for r in requests(seed=1, whole_seconds=whole)]
    junk, last = CASES[case]
    log = tmp_path / "access.log"
    physical = _write(log, valid, junk(valid[0]), last=last, at_end=case.startswith("the last line"))
    _check(_slow(log), physical)


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_unbalanced_quote_in_a_w3c_log(case: str, tmp_path: Path) -> None:
    text = w3c(requests(seed=3))
    head, _, body = text.partition("time-taken\n")
    valid = body.splitlines()
    junk, last = CASES[case]
    log = tmp_path / "u_ex240501.log"
    physical = _write(
        log, valid, junk(valid[0]), last=last, at_end=case.startswith("the last line"), head=head + "time-taken\n"
    )
    _check(_slow(log), physical)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_a_quoted_record_of_two_junk_lines_is_two_skipped_lines(gz: bool, tmp_path: Path) -> None:
    """Two junk lines that the CSV reader reads as one record of the right width, a valid
    request whose line end sits in a field the format does not read (here $remote_addr), in a
    file with no other bad line: nothing but the join itself points at it (a plain file's
    lines are counted; a gzip file's records are checked for a line end). Crafted, never seen
    in a log: a cut line is followed by a whole one, whose `"GET` cannot close a quote."""
    valid = [FORMATS["combined + $request_time"][0](r) for r in requests(seed=2)]
    junk = ['"', '" - - [01/May/2024:12:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "-" 0.1']
    log = tmp_path / "access.log"
    physical = _write(log, valid, junk, last=False, at_end=False)
    if gz:
        packed = tmp_path / "access.log.gz"
        packed.write_bytes(gzip.compress(log.read_bytes()))
        log.unlink()
        log = packed
    _check(_slow(log), physical)


def test_a_quote_then_a_nul_line_at_the_end_are_two_skipped_lines(tmp_path: Path) -> None:
    """Found by bench/fuzz.sh: the CSV reader joins `"` to the next line, and the line reader
    that takes the file over read a line holding only a NUL byte as NULL, like an empty line:
    one line was neither a request nor counted."""
    line = '127.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 100 0 "-" ""'
    log = tmp_path / "access.log"
    log.write_bytes(("\n".join([line, line, '"', "\x00"]) + "\n").encode())
    result = access_ingest.ingest(access_ingest.connect(), [Input("access.log", log)], preset("combined"))
    assert (result.parsed, result.skipped) == (2, 2)
