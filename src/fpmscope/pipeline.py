"""Pipelines: input files in, a report model out, for the commands to render.

Each function here runs one report's stages in order (read the inputs into DuckDB, the
analysis, the model) so that commands only parse options and render. Probe-log analyses
share `probe_requests`, which ingests and builds the per-request stage once.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import click
import duckdb

from fpmscope import ingest as probe_ingest
from fpmscope import progress
from fpmscope.accesslog import files as access_files
from fpmscope.accesslog import ingest as access_ingest
from fpmscope.accesslog import nginxconf
from fpmscope.accesslog.formats import LogFormat, parse_format
from fpmscope.analysis import leaks as leak_analysis
from fpmscope.analysis.full import build as build_full
from fpmscope.analysis.requests import LeakOptions, Requests, prepare
from fpmscope.analysis.slow import SlowOptions, Source, analyze
from fpmscope.errors import FpmscopeError
from fpmscope.fleet import analysis as fleet_analysis
from fpmscope.fleet.analysis import FleetQuery
from fpmscope.fleet.cursor import ClickHouseCursor
from fpmscope.fleet.store import connect
from fpmscope.ingest import IngestResult
from fpmscope.inputs import is_gzip
from fpmscope.model.full import FullReport
from fpmscope.model.leaks import LeakReport
from fpmscope.model.slow import SlowReport
from fpmscope.progress import Step
from fpmscope.sql import query

# Access logs above this size show a progress bar on a terminal.
PROGRESS_BYTES = 200 * 1024 * 1024
# DuckDB's cap for `fpmscope slow` (FPMSCOPE_MEMORY_LIMIT overrides it).
MEMORY_LIMIT = "768MB"
# Inputs above this (plain-text) size go to a scratch database file instead of memory.
SCRATCH_FILE_BYTES = 512 * 1024 * 1024
# DuckDB's cap for probe logs that go to a scratch file (FPMSCOPE_MEMORY_LIMIT overrides it):
# with Python's share, the process stays under 1.5 GB (issue 17).
PROBE_MEMORY_LIMIT = "1GB"


def load_probe_logs(logs: tuple[str, ...], db: str | None) -> tuple[duckdb.DuckDBPyConnection, IngestResult]:
    """Ingest probe logs for an analysis: an input without one record is an error, never an
    empty report."""
    con = probe_ingest.connect(db) if db or _input_bytes(logs) <= SCRATCH_FILE_BYTES else _scratch_connection()
    result = probe_ingest.ingest(con, logs)
    if probe_ingest.record_count(con) == 0:
        detail = f"; {result.skipped} malformed line(s), first: {result.skipped_example!r}" if result.skipped else ""
        raise FpmscopeError(f"no probe records in {', '.join(logs)}{detail}")
    return con, result


def _scratch_connection() -> duckdb.DuckDBPyConnection:
    """A connection whose tables live in a scratch database file (removed at exit), for big
    probe logs without --db: DuckDB compresses a file's tables (the records take ~4.6x less
    than in memory: 0.8 instead of 3.5 GB at 10 M records), so fewer of them spill, and the
    process stays within PROBE_MEMORY_LIMIT of DuckDB memory plus Python's."""
    scratch = Path(tempfile.mkdtemp(prefix="fpmscope-"))
    # At exit, not when the connection closes: the requests handle outlives this function.
    atexit.register(shutil.rmtree, scratch, True)
    return probe_ingest.connect(
        str(scratch / "work.duckdb"), memory_limit=PROBE_MEMORY_LIMIT, temp_directory=scratch / "spill"
    )


def probe_requests(
    logs: tuple[str, ...], db: str | None, options: LeakOptions, step: Step = progress.nothing
) -> tuple[Requests, IngestResult]:
    """Probe logs in, the judged requests out (for leaks, workers, advise and report); `step`
    names each stage for a progress line (two stages)."""
    step("reading probe logs")
    con, result = load_probe_logs(logs, db)
    step(f"judging {probe_ingest.record_count(con):,} requests")
    return prepare(con, result, options), result


def fleet_requests(
    fleet: FleetQuery, options: LeakOptions, step: Step = progress.nothing
) -> tuple[Requests, IngestResult]:
    """A fleet's records in ClickHouse, judged there (fleet/analysis.py): the same handle as
    probe_requests gives, whose queries run inside ClickHouse."""
    step("reading records in ClickHouse")
    # clickhouse-driver logs a failed connection with its traceback; the store's one-line
    # error says it all.
    logging.getLogger("clickhouse_driver").setLevel(logging.CRITICAL)
    con = ClickHouseCursor(connect(fleet.url))
    fleet_analysis.load_records(con, con.store.database, fleet.filters)
    step("judging requests in ClickHouse")
    requests = fleet_analysis.prepare(con, (fleet.describe(),), options)
    result = IngestResult(files=(fleet.describe(),), rows=requests.inputs.records, skipped=0, skipped_example=None)
    return requests, result


def finish(requests: Requests) -> None:
    """Close a fleet analysis's connection (a DuckDB one goes with its handle)."""
    if isinstance(requests.con, ClickHouseCursor):
        requests.con.close()


def requests_for(
    logs: tuple[str, ...], db: str | None, fleet: FleetQuery | None, options: LeakOptions, step: Step = progress.nothing
) -> tuple[Requests, IngestResult]:
    """probe_requests over LOG files, or fleet_requests when the command got --clickhouse."""
    if fleet is not None:
        if db is not None:
            raise FpmscopeError("--db keeps ingested logs; with --clickhouse the records stay in ClickHouse")
        return fleet_requests(fleet, options, step)
    return probe_requests(logs, db, options, step)


def pick_log_format(log_format: str | None, nginx_conf: Path | None, format_name: str | None) -> LogFormat | None:
    if log_format is not None and nginx_conf is not None:
        raise FpmscopeError("give --log-format or --nginx-conf, not both")
    if format_name is not None and nginx_conf is None:
        raise FpmscopeError("--format-name needs --nginx-conf")
    if nginx_conf is not None:
        return nginxconf.pick(nginx_conf, format_name)
    return parse_format(log_format) if log_format is not None else None


def _input_bytes(logs: tuple[str, ...]) -> int:
    """Plain-text size of the inputs, roughly: gzip counts ten times its size, stdin as big."""
    total = 0
    for name in logs:
        path = Path(name)
        if name == "-" or not path.is_file():
            total += SCRATCH_FILE_BYTES
            continue
        total += path.stat().st_size * (10 if is_gzip(path) else 1)
    return total


def slow_report(logs: tuple[str, ...], fmt: LogFormat | None, options: SlowOptions) -> SlowReport:
    started = time.perf_counter()
    with access_files.temp_dir() as tmp:
        # Exact percentiles need every request's time. Big inputs go to a scratch database
        # file, which DuckDB compresses and keeps within MEMORY_LIMIT of RAM (10 M lines in
        # about 0.5 GB); small ones stay in memory, which reads about a third faster.
        big_input = _input_bytes(logs) > SCRATCH_FILE_BYTES
        # Its own, lower cap (percentiles spill well), unless the user set one for every command.
        con = probe_ingest.connect(
            str(Path(tmp) / "work.duckdb") if big_input else None,
            memory_limit=MEMORY_LIMIT,
            temp_directory=Path(tmp) / "spill",
        )
        access_ingest.create_hits(con)
        inputs = access_files.classify(logs, Path(tmp))
        notes: list[str] = []
        access = None
        if inputs.access:
            big = sum(f.path.stat().st_size for f in inputs.access) > PROGRESS_BYTES
            access = access_ingest.ingest(con, inputs.access, fmt, progress=big and sys.stderr.isatty())
        if access is not None and "ts_raw" not in access.columns and (options.since or options.until):
            raise FpmscopeError(f"--since/--until: format {access.format_name} has no time field ($time_local ...)")
        probe = probe_ingest.ingest(con, [str(f.path) for f in inputs.probe]) if inputs.probe else None
        if probe is not None and probe.rows == 0:
            raise FpmscopeError(f"no probe records in {', '.join(f.name for f in inputs.probe)}")
        if access is not None and probe is not None and "request_id" not in access.columns:
            notes.append("the access logs carry no $request_id, so probe records are not matched to them")
            probe = None
        kind = "access+probe" if access and probe else ("access" if access else "probe")
        dropped = sum(f.dropped for f in inputs.probe)  # lines with a bare CR or a NUL
        skipped = (access.skipped if access else 0) + (probe.skipped if probe else 0) + dropped
        example = (
            (access.skipped_example if access else None)
            or (probe.skipped_example if probe else None)
            or next((f.dropped_example for f in inputs.probe if f.dropped_example), None)
        )
        source = Source(
            kind=kind,
            files=tuple(logs),
            format_name=access.format_name if access else None,
            format=access.format_source if access else None,
            parsed=(access.parsed if access else 0) + (probe.rows if probe else 0),
            skipped=skipped,
            skipped_example=example,
            has_time=bool(access is None or access.time_available),
            notes=tuple(notes) + (access.notes if access else ()),
            format_confidence=access.confidence if access else None,
            format_detected=bool(access and access.detected),
            timed=access.timed if access else None,
        )
        loaded = time.perf_counter()
        report = analyze(con, source, options)
        con.close()
    if os.environ.get("FPMSCOPE_TIMING"):
        click.echo(f"fpmscope: read {loaded - started:.2f} s, analysis {time.perf_counter() - loaded:.2f} s", err=True)
    return report


def demo_reports(
    probe_log: Path, access_log: Path, options: LeakOptions, slow_options: SlowOptions
) -> tuple[FullReport, SlowReport]:
    """The demo's findings: the full report (probe log + access log) and a short slow report."""
    requests, _ = probe_requests((str(probe_log),), None, options)
    full_slow = slow_report((str(access_log),), None, SlowOptions(rules=options.rules))
    short = slow_report((str(access_log),), None, slow_options)
    return build_full(requests, slow=full_slow), short


def windowed_leaks(
    sources: tuple[str, ...], *, db: bool, since: float | None, until: float | None, options: LeakOptions
) -> LeakReport:
    """One side of `fpmscope diff`: the leak report over probe logs, or over a database kept
    with --db (read from a copy: the user's file is never changed), limited to the records in
    [since, until) when given (unix seconds)."""
    with tempfile.TemporaryDirectory(prefix="fpmscope-diff-") as tmp:
        if db:
            if len(sources) != 1 or not Path(sources[0]).is_file():
                raise FpmscopeError(f"--db: {', '.join(sources)} is not one database file")
            copy = Path(tmp) / "side.duckdb"
            shutil.copyfile(sources[0], copy)
            con = probe_ingest.connect(str(copy))
            result = IngestResult(files=sources, rows=probe_ingest.record_count(con), skipped=0, skipped_example=None)
        else:
            con, result = load_probe_logs(sources, None)
        if since is not None or until is not None:
            con.execute(query("diff_window"), {"since": since, "until": until})
        if probe_ingest.record_count(con) == 0:
            raise FpmscopeError(f"no probe records in {', '.join(sources)} within the time window")
        report = leak_analysis.analyze(prepare(con, result, options))
        con.close()
    return report
