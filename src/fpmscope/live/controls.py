"""The keys of `fpmscope top` and what they change, without a terminal: a `Controls` state,
`press(state, key)` for each key, and `apply(state, snapshot)` for the rows to show.

Keys (as in htop and pg_activity): q quits, s cycles the sort column, r reverses it, / or f
starts a filter (type text, Enter applies it, Escape clears it), p pauses sampling, h shows
the help. The worker busy serving this view's own status request is shown as such, not as
a request of the application.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from fpmscope.live.sampler import Snapshot, WorkerRow

# (name shown, sort key) in the order `s` cycles through; the first is the default.
SORTS: tuple[str, ...] = ("growth", "rss", "reqs", "ms", "pid")
HELP = "q quit · s sort · r reverse · / filter · p pause · h help"
OWN_REQUEST = "(this view's status request)"


@dataclass(frozen=True, slots=True)
class Controls:
    sort: str = SORTS[0]
    reverse: bool = False
    filter: str = ""
    typing: str | None = None  # the filter being typed, until Enter
    paused: bool = False
    help: bool = False
    quit: bool = False
    status_path: str | None = None  # this view's own status request, hidden
    # pid -> (method, uri) from the probe log: shown where the status page has only the script
    probe_uris: dict[int, tuple[str, str]] | None = None


def press(state: Controls, key: str) -> Controls:
    """The state after one key (one character; '\\r' or '\\n' is Enter, '\\x1b' Escape)."""
    if state.typing is not None:
        if key in ("\r", "\n"):
            return dataclasses.replace(state, filter=state.typing, typing=None)
        if key == "\x1b":
            return dataclasses.replace(state, filter="", typing=None)
        if key in ("\x7f", "\b"):
            return dataclasses.replace(state, typing=state.typing[:-1])
        return dataclasses.replace(state, typing=state.typing + key) if key.isprintable() else state
    match key:
        case "q" | "Q":
            return dataclasses.replace(state, quit=True)
        case "s":
            return dataclasses.replace(state, sort=SORTS[(SORTS.index(state.sort) + 1) % len(SORTS)])
        case "r":
            return dataclasses.replace(state, reverse=not state.reverse)
        case "/" | "f":
            return dataclasses.replace(state, typing="")
        case "p" | " ":
            return dataclasses.replace(state, paused=not state.paused)
        case "h" | "?":
            return dataclasses.replace(state, help=not state.help)
        case "\x1b":
            return dataclasses.replace(state, filter="")
    return state


def _key(sort: str, w: WorkerRow) -> tuple[bool, float]:
    value = {
        "growth": w.growth_bytes,
        "rss": w.rss_bytes,
        "reqs": w.requests,
        "ms": w.request_duration_ms,
        "pid": -w.pid,
    }[sort]
    return (value is None, -(value or 0))


def _own(state: Controls, w: WorkerRow) -> WorkerRow:
    if state.status_path and w.request_uri.split("?")[0] == state.status_path:
        return dataclasses.replace(w, request_method="", request_uri=OWN_REQUEST, script="")
    probe = (state.probe_uris or {}).get(w.pid)
    if probe is not None and (not w.request_uri or w.request_uri.endswith(".php")):
        # A front controller: the status page says /index.php, the probe saw the real URI.
        return dataclasses.replace(w, request_method=probe[0] or w.request_method, request_uri=probe[1])
    return w


def _matches(text: str, w: WorkerRow) -> bool:
    hay = f"{w.pid} {w.state} {w.request_method} {w.request_uri} {w.script}".lower()
    return text.lower() in hay


def apply(state: Controls, snap: Snapshot) -> Snapshot:
    """The snapshot as the keys want it shown: own request marked, filtered, sorted."""
    rows = [_own(state, w) for w in snap.workers]
    if state.filter:
        rows = [w for w in rows if _matches(state.filter, w)]
    rows.sort(key=lambda w: (_key(state.sort, w), w.pid), reverse=state.reverse)
    return dataclasses.replace(snap, workers=tuple(rows))


def footer(state: Controls, shown: int, total: int) -> str:
    """The line under the table: sort, filter, pause, and the keys."""
    parts = [f"sorted by {state.sort}{' (reversed)' if state.reverse else ''}"]
    if state.typing is not None:
        parts.append(f"filter: {state.typing}▏ (Enter applies, Esc clears)")
    elif state.filter:
        parts.append(f"filter '{state.filter}': {shown} of {total} workers")
    if state.paused:
        parts.append("PAUSED (p resumes)")
    parts.append(HELP if state.help else "h help · q quit")
    return " · ".join(parts)
