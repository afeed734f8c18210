"""Which format an access log is in, when the user did not say: the preset that matches most
of its first lines, or, for JSON lines, the keys known from nginx escape=json setups."""

from __future__ import annotations

import json
import re
from typing import Final

from fpmscope.accesslog.formats import AUTO_ORDER, LogFormat, preset
from fpmscope.errors import FpmscopeError

# JSON keys seen in the wild -> variables, for JSON logs read without a --log-format.
JSON_ALIASES: Final = {
    "request_time": "request_time",
    "response_time": "request_time",
    "duration": "request_time",
    "upstream_response_time": "upstream_response_time",
    "request": "request",
    "method": "request_method",
    "request_method": "request_method",
    "uri": "request_uri",
    "request_uri": "request_uri",
    "path": "uri",
    "status": "status",
    "body_bytes_sent": "body_bytes_sent",
    "body_bytes": "body_bytes_sent",
    "bytes_sent": "bytes_sent",
    "time_local": "time_local",
    "time_iso8601": "time_iso8601",
    "time": "time_iso8601",
    "request_id": "request_id",
}


def sniff(lines: list[str]) -> LogFormat | None:
    """The preset that matches most of these lines, or None."""
    best: tuple[int, LogFormat] | None = None
    for name in AUTO_ORDER:
        fmt = preset(name)
        rx = re.compile(fmt.regex())
        hits = sum(1 for line in lines if rx.match(line))
        if hits and (best is None or hits > best[0]):
            best = (hits, fmt)
    return best[1] if best else None


def json_format(lines: list[str]) -> LogFormat:
    """A key map for JSON-lines logs read without a format: known key names only."""
    keys: dict[str, None] = {}
    for line in lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            keys.update(dict.fromkeys(obj))
    pairs = tuple((k, JSON_ALIASES[k]) for k in keys if k in JSON_ALIASES)
    if not pairs:
        raise FpmscopeError(f"JSON log without known keys ({', '.join(sorted(JSON_ALIASES))}); give --log-format")
    return LogFormat("json", "{" + ", ".join(f'"{k}": "${v}"' for k, v in pairs) + "}", (), pairs)
