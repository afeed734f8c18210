"""Times typed on the command line (ISO 8601, 2h, yesterday, --tz) and the one printed style."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from fpmscope import when
from fpmscope.cli import main

NOW = dt.datetime(2026, 5, 2, 1, 30, tzinfo=dt.UTC)
BERLIN = when.zone("Europe/Berlin")


def test_relative_times_count_back_from_now() -> None:
    assert when.parse("2h", now=NOW) == NOW - dt.timedelta(hours=2)
    assert when.parse("30min ago", now=NOW) == NOW - dt.timedelta(minutes=30)
    assert when.parse("1.5d", now=NOW) == NOW - dt.timedelta(hours=36)


def test_today_and_yesterday_are_midnights_in_the_zone() -> None:
    assert when.parse("yesterday", now=NOW) == dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    # 01:30 UTC is 03:30 in Berlin (CEST): Berlin's today began at 22:00 UTC the day before.
    assert when.parse("today", BERLIN, now=NOW) == dt.datetime(2026, 5, 1, 22, tzinfo=dt.UTC)


def test_a_time_without_zone_is_read_in_the_tz_zone() -> None:
    assert when.parse("2026-05-01T12:00", BERLIN) == dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    assert when.parse("2026-05-01T12:00+00:00", BERLIN) == dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)


def test_one_printed_style_in_the_zone() -> None:
    assert when.stamp(NOW.timestamp()) == "2026-05-02 01:30:00 UTC"
    assert when.stamp(NOW.timestamp(), BERLIN) == "2026-05-02 03:30:00 CEST"


def test_bad_times_and_zones_are_one_line_errors() -> None:
    with pytest.raises(ValueError, match="not a time"):
        when.parse("last tuesday")
    with pytest.raises(ValueError, match="unknown time zone"):
        when.zone("Mars/Olympus")
    result = CliRunner().invoke(main, ["slow", "x.log", "--since", "soon"])
    assert result.exit_code == 2 and "--since: not a time" in result.stderr
    result = CliRunner().invoke(main, ["slow", "x.log", "--since", "2h", "--tz", "Mars/Olympus"])
    assert result.exit_code == 2 and "--tz: unknown time zone" in result.stderr
