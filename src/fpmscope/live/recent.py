"""The request URI each worker last served, from the tail of the probe log (`top --probe-log`).

FPM's status page knows the script a front controller ran (`/index.php`), not the URI the
user asked for; the probe's record of that worker's latest request does. Only the last
TAIL_BYTES of the log are read at each sample, so the cost stays flat as the log grows.
"""

from __future__ import annotations

import os
from pathlib import Path

from fpmscope.records import FORMAT_TAG, LEGACY_TAG, RECORD_FIELDS

TAIL_BYTES = 256 * 1024
_AT = {name: i + 1 for i, (name, _) in enumerate(RECORD_FIELDS)}  # after the format tag


def last_requests(log: Path, tail: int = TAIL_BYTES) -> dict[int, tuple[str, str]]:
    """pid → (method, uri) of its latest record in the last `tail` bytes of `log`; empty when
    the log cannot be read (top keeps going with what the status page says)."""
    try:
        with open(log, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - tail))
            data = f.read()
    except OSError:
        return {}
    found: dict[int, tuple[str, str]] = {}
    for raw in data.split(b"\n")[1:] if len(data) == tail else data.split(b"\n"):
        fields = raw.decode("utf-8", "replace").split("\t")
        if len(fields) != 1 + len(RECORD_FIELDS) or fields[0] not in (FORMAT_TAG, LEGACY_TAG):
            continue
        try:
            pid = int(fields[_AT["pid"]])
        except ValueError:
            continue
        found[pid] = (fields[_AT["method"]], fields[_AT["uri"]])
    return found
