"""The PHP-FPM status page (`pm.status_path`, `?json&full`): fetch and parse, tolerantly.

PHP before 8.0-ish wrote the JSON status without escaping strings, so a request URI or script
holding a quote or a backslash broke the document; such values are re-escaped and the text
parsed again. Query strings are dropped from request URIs: they may hold secrets and are not
needed to see which endpoint a worker is on.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from fpmscope.errors import FpmscopeError

# String values of the full status that carry request data (and so may hold any character):
# where one starts, and every quote that may end one (followed by the next key or a `}`).
# Both scans are linear; a lazy `(.*?)` between them backtracked from every start to the end
# of the page (a 110 KB page took 73 s).
_FREE_KEY = re.compile(r'"(?:request method|request uri|script|user)"\s*:\s*"')
_VALUE_END = re.compile(r'"(?=\s*,\s*"[a-z ]+"\s*:|\s*\})')
# Beyond this a number is no count or size FPM could report.
_INT64 = 2**63 - 1
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


def _read(url: str, timeout: float, deadline: float) -> bytes:
    with urllib.request.urlopen(status_url(url), timeout=timeout) as resp:
        body = bytearray()
        while len(body) < 8 << 20 and time.monotonic() < deadline:
            chunk: bytes = resp.read1(65536)
            if not chunk:
                return bytes(body)
            body += chunk
    raise TimeoutError("still sending")


def fetch(url: str, timeout: float = 3.0) -> str:
    """The status page's text, within `timeout` seconds overall.

    A socket timeout alone bounds each read, not the whole answer: a server that trickles a
    byte a second would hold `top` for ever. The request runs in a thread and is given up
    after the deadline (the thread ends at its next read, or when the server closes).
    """
    deadline = time.monotonic() + timeout
    result: dict[str, bytes | BaseException] = {}

    def work() -> None:
        try:
            result["body"] = _read(url, timeout, deadline)
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=work, name="fpmscope-status", daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    error = result.get("error")
    body = result.get("body")
    if thread.is_alive() or isinstance(error, TimeoutError):
        raise FpmscopeError(f"the status page {url} did not answer in {timeout:g} s")
    if isinstance(error, urllib.error.HTTPError):
        raise FpmscopeError(f"status page {url} answered HTTP {error.code}; is pm.status_path set?")
    if isinstance(error, urllib.error.URLError | OSError | ValueError):
        reason = getattr(error, "reason", error)
        raise FpmscopeError(f"cannot read the status page {url}: {reason}")
    if isinstance(error, BaseException):
        raise error
    assert isinstance(body, bytes)
    return body.decode("utf-8", errors="replace")


def _reescape(value: str) -> str:
    value = value.replace("\\", "\\\\").replace('"', '\\"')
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def repair(text: str) -> str:
    """Re-escape the free-text values older PHP wrote raw: each runs from its key to the
    first quote followed by another key or a `}` (on the same line), in linear time."""
    ends = [m.start() for m in _VALUE_END.finditer(text)]
    out = []
    pos = 0
    while (m := _FREE_KEY.search(text, pos)) is not None:
        start = m.end()
        at = bisect.bisect_left(ends, start)
        if at == len(ends):
            break
        end = ends[at]
        value = text[start:end]
        if "\n" in value:
            out.append(text[pos:start])
            pos = start
            continue
        out.append(text[pos:start] + _reescape(value) + '"')
        pos = end + 1
    out.append(text[pos:])
    return "".join(out)


def loads(text: str) -> dict[str, Any]:
    """Parse the JSON status, repairing the unescaped strings older PHP versions emit."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        try:
            data = json.loads(repair(text))
        except json.JSONDecodeError as exc:
            raise FpmscopeError(f"the status page is not FPM's JSON status ({exc.msg}); add ?json&full") from None
        except RecursionError:
            raise FpmscopeError("the status page is not FPM's JSON status (nested too deeply)") from None
    if not isinstance(data, dict) or "pool" not in data:
        raise FpmscopeError("the status page is not FPM's JSON status; is the URL pm.status_path?")
    return data


def _number(value: object) -> float | int:
    """A count or size as FPM reports it; anything else (text, NaN, 1e999, beyond INT64) is 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if not math.isfinite(value) or abs(value) > _INT64:
        return 0
    return value


def _int(d: dict[str, Any], key: str) -> int:
    return int(_number(d.get(key, 0)))


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
    listed = data.get("processes")
    for p in listed if isinstance(listed, list) else []:
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
                last_request_cpu=float(_number(cpu)),
                last_request_memory=_int(p, "last request memory"),
            )
        )
    return pool, tuple(processes)
