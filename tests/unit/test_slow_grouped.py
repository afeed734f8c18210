"""The grouped reader of `slow` (one row per distinct request line, status and time, no row
stored) gives the report the row reader gives, to the last digit, or hands over to it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from fpmscope import pipeline
from fpmscope.accesslog import files as access_files
from fpmscope.analysis.slow import SlowOptions
from fpmscope.errors import RowsNeeded
from fpmscope.model.slow import SlowReport

ROUTES = ("/", "/products/{n}", "/blog/{slug}", "/assets/app.{hex}.js", "/index.php?route=a/{n}&x={n}", "/cart/add")


def _line(rnd: random.Random, i: int, t: float) -> str:
    route = rnd.choice(ROUTES)
    path = route.format(
        n=rnd.randrange(400), slug="".join(rnd.choice("abcdefgh") for _ in range(6)), hex=f"{rnd.getrandbits(32):08x}"
    )
    method = "POST" if path == "/cart/add" else "GET"
    status = rnd.choice((200, 200, 200, 301, 404, 499, 500, 504))
    size = "-" if status == 301 else str(rnd.randrange(50_000))
    upstream = "-" if status == 499 else f"{t:.3f}"
    stamp = f"01/May/2024:12:{i // 600 % 60:02d}:{i // 10 % 60:02d} +0000"
    return (
        f'10.0.{i % 250}.1 - - [{stamp}] "{method} {path} HTTP/1.1" {status} {size} "-" "ua {i % 7}"'
        f" {t:.3f} {upstream} req{i}"
    )


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _times(rnd: random.Random, n: int, slow: float = 50) -> list[float]:
    # Millisecond times repeat a lot in the body; the 30 slowest are distinct.
    times = [round(rnd.lognormvariate(-3, 1), 3) for _ in range(n)]
    for k in range(30):
        times[rnd.randrange(n)] = slow + k * 1.5
    return times


def _report(logs: tuple[str, ...], options: SlowOptions, tmp: Path, *, grouped: bool) -> SlowReport:
    with access_files.temp_dir() as work:
        inputs = access_files.classify(logs, Path(work))
        report, _ = pipeline._slow_attempt(logs, None, options, inputs, tmp, grouped=grouped)
    return report


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> str:
    rnd = random.Random(7)
    times = _times(rnd, 2000)
    return _write(tmp_path_factory.mktemp("grouped") / "access.log", [_line(rnd, i, t) for i, t in enumerate(times)])


@pytest.mark.parametrize(
    "options",
    [
        SlowOptions(),
        SlowOptions(top=3, slowest=25),
        SlowOptions(sort="count", top=1, slowest=0),
        SlowOptions(sort="mean", top=500, infer_min=0),
        SlowOptions(sort="errors", top=7, route_params=()),
    ],
    ids=["default", "top3", "count", "mean-all-noinfer", "errors-noroutes"],
)
def test_grouped_reader_gives_the_row_readers_report(log: str, options: SlowOptions, tmp_path: Path) -> None:
    grouped = _report((log,), options, tmp_path, grouped=True)
    assert grouped == _report((log,), options, tmp_path, grouped=False)
    assert grouped.others is not None or (options.top or 40) >= grouped.endpoint_count


def test_two_files_are_one_log(log: str, tmp_path: Path) -> None:
    rnd = random.Random(8)
    other = _write(tmp_path / "b.log", [_line(rnd, i, t) for i, t in enumerate(_times(rnd, 800, 50.5))])
    logs = (log, other)
    assert _report(logs, SlowOptions(), tmp_path, grouped=True) == _report(logs, SlowOptions(), tmp_path, grouped=False)


def test_tied_slowest_times_are_ordered_by_line(tmp_path: Path) -> None:
    rnd = random.Random(9)
    times = _times(rnd, 500)
    times[3] = times[4] = times[400] = 99.0  # the slowest requests tie: their order is the lines' order
    times[200] = times[300] = 62.0  # and tie with the 25th slowest (50 + 8 * 1.5)
    log = _write(tmp_path / "ties.log", [*(_line(rnd, i, t) for i, t in enumerate(times)), "garbage"])
    for options in (SlowOptions(), SlowOptions(slowest=25), SlowOptions(slowest=0)):
        assert _report((log,), options, tmp_path, grouped=True) == _report((log,), options, tmp_path, grouped=False)
    report = pipeline.slow_report((log,), None, SlowOptions())
    assert [(r.time_ms, r.request_id) for r in report.slowest[:3]] == [(99000.0, f"req{i}") for i in (3, 4, 400)]


ODD = '10.0.0.9 - - [01/May/2024:12:00:00 +0000] "GET /x HTTP/1.1" {} {} "-" "{}" {} {} r'


@pytest.mark.parametrize(
    ("bad", "skipped"),
    [
        (ODD.format(502, 12, "ua", "0.010", "0.004, 0.006"), 0),  # several upstreams: the CSV reader rejects it
        (ODD.format(200, 12, 'u"a', "0.010", "0.010"), 1),
        ("garbage", 1),
    ],
    ids=["two-upstreams", "odd-quote", "garbage"],
)
def test_lines_the_reader_rejects_are_read_again(bad: str, skipped: int, log: str, tmp_path: Path) -> None:
    lines = Path(log).read_text(encoding="utf-8").splitlines()
    log = _write(tmp_path / "rejects.log", [*lines[:100], bad, *lines[100:], bad])
    grouped = _report((log,), SlowOptions(), tmp_path, grouped=True)
    assert grouped == _report((log,), SlowOptions(), tmp_path, grouped=False)
    assert grouped.inputs.skipped_lines == 2 * skipped


@pytest.mark.parametrize(
    "bad",
    [
        ODD.format(200, -5, "ua", "0.010", "0.010"),
        ODD.format(200, 12, "ua", "nan", "0.010"),
        ODD.format(200, "1k", "ua", "0.010", "0.010"),
        ODD.format(200, 12, "ua", "0.010", "inf"),
        ODD.format(700, 12, "ua", "0.010", "0.010"),
    ],
    ids=["negative-bytes", "nan-time", "bad-bytes", "inf-upstream", "bad-status"],
)
def test_an_invalid_value_hands_over_to_the_row_reader(bad: str, tmp_path: Path) -> None:
    rnd = random.Random(10)
    lines = [_line(rnd, i, t) for i, t in enumerate(_times(rnd, 300))]
    log = _write(tmp_path / "bad.log", [*lines[:100], bad, *lines[100:]])
    with pytest.raises(RowsNeeded):
        _report((log,), SlowOptions(), tmp_path, grouped=True)
    report = pipeline.slow_report((log,), None, SlowOptions())
    assert report.inputs.skipped_lines == 1
    assert report.inputs.requests == 300
