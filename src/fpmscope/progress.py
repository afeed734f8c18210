"""A progress line on stderr for commands that may take more than a second: the stage, a bar
over the stages and the time so far. Only on a terminal (never in a pipe, a log or a test),
and gone when the command is done, so the output stays clean."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

Step = Callable[[str], None]


def nothing(_: str) -> None:
    return None


@contextlib.contextmanager
def stages(total: int, enabled: bool | None = None) -> Iterator[Step]:
    """Yields `step(description)`: call it as each of `total` stages starts."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield nothing
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting", total=total)
        started = False

        def step(description: str) -> None:
            nonlocal started
            if started:
                bar.advance(task)
            started = True
            bar.update(task, description=description)

        yield step
