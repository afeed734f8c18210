"""The PHP-FPM status page (`pm.status_path`, `?json&full`): fetch and parse, tolerantly.

PHP before 8.0-ish wrote the JSON status without escaping strings, so a request URI or script
holding a quote or a backslash broke the document; such values are re-escaped and the text
parsed again. Query strings are dropped from request URIs: they may hold secrets and are not
needed to see which endpoint a worker is on.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from fpmscope.errors import FpmscopeError

# String values of the full status that carry request data (and so may hold any character).
_FREE_TEXT = re.compile(r'("(?:request method|request uri|script|user)"\s*:\s*")(.*?)("(?=\s*,\s*"[a-z ]+"\s*:|\s*\}))')
_CONTROL = re.compile(r"[\x00-\x1f]")
# Terminal control characters (C0, DEL, C1) in request data are shown escaped, never sent raw.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class PoolStatus:
    pool: str
    process_manager: str
    start_time: int
    accepted_conn: int
    listen_queue: int
    max_listen_queue: int
    listen_queue_len: int
    idle_processes: int
    active_processes: int
    total_processes: int
    max_active_processes: int
    max_children_reached: int
    slow_requests: int


@dataclass(frozen=True, slots=True)
class ProcessStatus:
    pid: int
    state: str
    start_time: int
    requests: int
    request_duration_us: int
    request_method: str
    request_uri: str
    script: str
    last_request_cpu: float  # percent of one CPU during the last request
    last_request_memory: int  # Zend peak of the last request, bytes


def status_url(url: str) -> str:
    """The URL with `json` and `full` in its query, keeping any other parameters."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise FpmscopeError(f"--status-url {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise FpmscopeError(f"--status-url must be an http(s) URL, not {url!r}")
    keys = {k for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)}
    query = parts.query
    for key in ("json", "full"):
        if key not in keys:
            query = f"{query}&{key}" if query else key
    return urllib.parse.urlunsplit(parts._replace(query=query))


def fetch(url: str, timeout: float = 3.0) -> str:
    try:
        with urllib.request.urlopen(status_url(url), timeout=timeout) as resp:
            body: bytes = resp.read(8 << 20)
    except urllib.error.HTTPError as exc:
        raise FpmscopeError(f"status page {url} answered HTTP {exc.code}; is pm.status_path set?") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FpmscopeError(f"cannot read the status page {url}: {reason}") from None
    return body.decode("utf-8", errors="replace")


def _reescape(match: re.Match[str]) -> str:
    value = match.group(2).replace("\\", "\\\\").replace('"', '\\"')
    value = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    return match.group(1) + value + match.group(3)


def loads(text: str) -> dict[str, Any]:
    """Parse the JSON status, repairing the unescaped strings older PHP versions emit."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = json.loads(_FREE_TEXT.sub(_reescape, text))
        except json.JSONDecodeError as exc:
            raise FpmscopeError(f"the status page is not FPM's JSON status ({exc.msg}); add ?json&full") from None
    if not isinstance(data, dict) or "pool" not in data:
        raise FpmscopeError("the status page is not FPM's JSON status; is the URL pm.status_path?")
    return data


def _int(d: dict[str, Any], key: str) -> int:
    value = d.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


def _str(d: dict[str, Any], key: str) -> str:
    value = d.get(key, "")
    text = value if isinstance(value, str) else str(value)
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def parse(text: str) -> tuple[PoolStatus, tuple[ProcessStatus, ...]]:
    data = loads(text)
    pool = PoolStatus(
        pool=_str(data, "pool"),
        process_manager=_str(data, "process manager"),
        start_time=_int(data, "start time"),
        accepted_conn=_int(data, "accepted conn"),
        listen_queue=_int(data, "listen queue"),
        max_listen_queue=_int(data, "max listen queue"),
        listen_queue_len=_int(data, "listen queue len"),
        idle_processes=_int(data, "idle processes"),
        active_processes=_int(data, "active processes"),
        total_processes=_int(data, "total processes"),
        max_active_processes=_int(data, "max active processes"),
        max_children_reached=_int(data, "max children reached"),
        slow_requests=_int(data, "slow requests"),
    )
    processes = []
    for p in data.get("processes") or []:
        if not isinstance(p, dict):
            continue
        cpu = p.get("last request cpu", 0.0)
        processes.append(
            ProcessStatus(
                pid=_int(p, "pid"),
                state=_str(p, "state"),
                start_time=_int(p, "start time"),
                requests=_int(p, "requests"),
                request_duration_us=_int(p, "request duration"),
                request_method=_str(p, "request method"),
                request_uri=_str(p, "request uri").split("?", 1)[0],
                script=_str(p, "script"),
                last_request_cpu=float(cpu) if isinstance(cpu, int | float) else 0.0,
                last_request_memory=_int(p, "last request memory"),
            )
        )
    return pool, tuple(processes)
