"""Times the user types and times fpmscope prints: one parser, one style, one zone option.

Accepted: ISO 8601 (`2026-05-01`, `2026-05-01T12:00`, `2026-05-01 12:00:00+02:00`; a time
without a zone is in the --tz zone), relative to now (`2h`, `30min`, `90s`, `3d`, `1w`,
optionally followed by `ago`), and the words `now`, `today` and `yesterday` (midnight in the
--tz zone). Printed: `2026-05-01 12:00:00 UTC`, in the --tz zone (default: $TZ, else UTC).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_RELATIVE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|day|days|w|wk|weeks?)(?:\s+ago)?\s*")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
EXAMPLES = "e.g. 2h, 30min, yesterday, 2026-05-01T12:00"


def zone(name: str | None = None) -> dt.tzinfo:
    """The zone of --tz NAME (an IANA name, UTC, or `local`); without one, $TZ, else UTC."""
    name = name or os.environ.get("TZ") or "UTC"
    if name.upper() == "UTC":
        return dt.UTC
    if name == "local":
        local = dt.datetime.now().astimezone().tzinfo
        return local if local is not None else dt.UTC
    try:
        return ZoneInfo(name.lstrip(":"))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (examples: UTC, local, Europe/Berlin)") from None


def parse(text: str, tz: dt.tzinfo = dt.UTC, now: dt.datetime | None = None) -> dt.datetime:
    """An aware datetime for `text`; ValueError with a plain message when it is not a time."""
    now = now or dt.datetime.now(dt.UTC)
    word = text.strip().lower()
    if word == "now":
        return now
    if word in ("today", "yesterday"):
        midnight = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight - dt.timedelta(days=1) if word == "yesterday" else midnight
    m = _RELATIVE.fullmatch(word)
    if m is not None:
        return now - dt.timedelta(seconds=float(m.group(1)) * _SECONDS[m.group(2)[0]])
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a time: {text!r} ({EXAMPLES})") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def stamp(ts: float | dt.datetime, tz: dt.tzinfo = dt.UTC) -> str:
    """The one timestamp style of the terminal outputs: `2026-05-01 12:00:00 UTC`."""
    when = ts if isinstance(ts, dt.datetime) else dt.datetime.fromtimestamp(ts, dt.UTC)
    local = when.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or "UTC")
