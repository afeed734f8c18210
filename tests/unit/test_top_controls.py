"""The keys of `fpmscope top` as pure state changes over a snapshot (the tmux test in
tests/e2e/test_operator_e2e.py drives the real loop)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fpmscope.live import controls, recent
from fpmscope.live.controls import Controls, apply, footer, press
from tests.synth import Worker, write
from tests.unit.test_top_live import sample_snapshot


def keys(text: str, state: Controls | None = None) -> Controls:
    state = state or Controls()
    for key in text:
        state = press(state, key)
    return state


def test_q_quits_and_s_cycles_the_sort_columns() -> None:
    assert keys("q").quit
    assert keys("s").sort == "rss"
    assert keys("s" * len(controls.SORTS)).sort == controls.SORTS[0]


def test_default_sort_puts_the_growing_worker_first_and_r_reverses() -> None:
    snap = sample_snapshot()
    assert [w.pid for w in apply(Controls(), snap).workers] == [4242, 4243, 4244]
    assert [w.pid for w in apply(keys("r"), snap).workers] == [4244, 4243, 4242]
    assert [w.pid for w in apply(keys("ssss"), snap).workers] == [4242, 4243, 4244], "pid ascending"


def test_filter_is_typed_then_applied_with_enter_and_cleared_with_escape() -> None:
    typing = keys("/thumb")
    assert typing.typing == "thumb" and typing.filter == ""
    assert "filter: thumb" in footer(typing, 3, 3)
    applied = keys("\r", typing)
    assert [w.pid for w in apply(applied, sample_snapshot()).workers] == [4242]
    assert "1 of 3 workers" in footer(applied, 1, 3)
    assert keys("\x1b", applied).filter == ""
    assert keys("q", typing).quit is False, "q while typing is part of the filter"


def test_pause_and_help_toggle_and_show_in_the_footer() -> None:
    state = keys("ph")
    assert state.paused and state.help
    line = footer(state, 3, 3)
    assert "PAUSED" in line and "s sort" in line and "/ filter" in line
    assert not keys("pp").paused


def test_the_views_own_status_request_is_not_shown_as_an_app_request() -> None:
    snap = sample_snapshot()
    own = dataclasses.replace(snap.workers[0], request_uri="/fpm-status")
    snap = dataclasses.replace(snap, workers=(own, *snap.workers[1:]))
    shown = apply(Controls(status_path="/fpm-status"), snap)
    assert shown.workers[0].request_uri == controls.OWN_REQUEST
    assert "/fpm-status" not in {w.request_uri for w in shown.workers}


def test_a_front_controller_row_shows_the_uri_the_probe_saw(tmp_path: Path) -> None:
    snap = sample_snapshot()
    front = dataclasses.replace(snap.workers[0], request_uri="/index.php")
    snap = dataclasses.replace(snap, workers=(front, *snap.workers[1:]))
    log = tmp_path / "probe.log"
    w = Worker(pid=4242)
    w.request("/old/page")
    w.request("/orders/7/invoice")
    write(log, w)
    uris = recent.last_requests(log)
    assert uris[4242] == ("GET", "/orders/7/invoice"), "the latest record of the pid wins"
    shown = apply(Controls(probe_uris=uris), snap)
    assert shown.workers[0].request_uri == "/orders/7/invoice"
    assert recent.last_requests(tmp_path / "missing.log") == {}


def test_reading_only_the_tail_skips_the_cut_first_line(tmp_path: Path) -> None:
    log = tmp_path / "probe.log"
    w = Worker(pid=9)
    for i in range(50):
        w.request(f"/p/{i}")
    write(log, w)
    assert recent.last_requests(log, tail=700) == {9: ("GET", "/p/49")}
