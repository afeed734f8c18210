"""`fpmscope diff`: two runs (before and after a deploy, a fix, a config change) compared."""

from __future__ import annotations

from pathlib import Path

import click

from fpmscope import progress
from fpmscope.analysis import diff as analysis
from fpmscope.analysis.requests import LeakOptions
from fpmscope.commands.common import emit, output_options, pick_format, render_options, rules_from, time_option
from fpmscope.errors import FpmscopeError
from fpmscope.pipeline import windowed_leaks
from fpmscope.render import renderer


@click.command()
@click.argument("before", metavar="BEFORE")
@click.argument("after", metavar="AFTER", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default=None, help="table (default) or json.")
@output_options
@click.option("--db", "db", is_flag=True, help="BEFORE and AFTER are DuckDB files kept with --db, not logs.")
@click.option("--until", default=None, metavar="TIME", help="One log: BEFORE is its requests before TIME.")
@click.option("--since", default=None, metavar="TIME", help="One log: AFTER is its requests from TIME on.")
@click.option("--tz", default=None, metavar="ZONE", help="Zone of times without one (default: $TZ, else UTC).")
@click.option("--by", type=click.Choice(["endpoint", "script"]), default="endpoint", show_default=True)
@click.option("--rule", "rules", multiple=True, metavar="REGEX=NAME", help="Extra path-segment rule, as for leaks.")
def diff(  # noqa: PLR0917 - one parameter per click option
    before: str,
    after: str | None,
    fmt: str | None,
    output: Path | None,
    force: bool,
    db: bool,
    until: str | None,
    since: str | None,
    tz: str | None,
    by: str,
    rules: tuple[str, ...],
) -> None:
    """Compare two runs: endpoints that started or stopped leaking, leak more or less, got
    slower or faster, with the evidence.

    BEFORE and AFTER are probe logs (or, with --db, databases kept by --db). With one log,
    --until T and --since T cut it in two: before = requests before --until, after = requests
    from --since on (give the same time, e.g. a deploy's, to split there). Times: ISO 8601,
    2h, 30min, yesterday.
    """
    out_fmt = pick_format(fmt, output)
    options = LeakOptions(by=by, rules=rules_from(rules), top=None)
    cut_until = time_option(until, "--until", tz).timestamp() if until else None
    cut_since = time_option(since, "--since", tz).timestamp() if since else None
    sides: tuple[tuple[tuple[str, ...], float | None, float | None], ...]
    if after is None:
        if cut_until is None or cut_since is None:
            raise FpmscopeError("with one log, give --until (end of before) and --since (start of after)")
        sides = ((before,), None, cut_until), ((before,), cut_since, None)
        labels = (f"{before} until {until}", f"{before} since {since}")
    else:
        if cut_until is not None or cut_since is not None:
            raise FpmscopeError("--since/--until cut one log in two; with BEFORE and AFTER give neither")
        sides = ((before,), None, None), ((after,), None, None)
        labels = (before, after)
    reports = []
    with progress.stages(2) as step:
        for name, (src, lo, hi) in zip(("before", "after"), sides, strict=True):
            step(f"reading and judging {name}")
            reports.append(windowed_leaks(src, db=db, since=lo, until=hi, options=options))
    report = analysis.compare(reports[0], reports[1], labels)
    emit(renderer("diff", out_fmt)(report, render_options(tz)), output, force)
