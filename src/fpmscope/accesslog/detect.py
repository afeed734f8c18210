"""Which format an access log is in, when the user did not say.

Every candidate is scored on a sample of lines by how many it parses *with its typed fields
valid* (a status is three digits, a time is a number, a byte count an integer): a format that
matches a line by shape while putting the time in the wrong column scores nothing there. The
best wins; what it still cannot parse, and every guess made on the way (a time unit told by the
values' size, a JSON key picked by its values), is returned with it, to be shown, never hidden.

Self-describing logs are read by their own description: IIS/W3C by its `#Fields:` line, LTSV by
its labels, JSON lines by their keys (known names first, then the values' shapes).
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from fpmscope.accesslog.formats import AUTO_ORDER, TYPED, LogFormat, Token, parse_nginx, preset
from fpmscope.errors import FpmscopeError

EXAMPLE_CHARS: Final = 160


@dataclass(frozen=True, slots=True)
class Detection:
    fmt: LogFormat
    confidence: float  # share of the sampled lines the format parses with valid typed fields
    notes: tuple[str, ...] = ()


def score(fmt: LogFormat, lines: list[str]) -> tuple[float, list[re.Match[str]]]:
    """Share of `lines` a text format parses with every typed field valid, and those matches."""
    if not lines or fmt.kind != "text":
        return 0.0, []
    rx = re.compile(fmt.regex())
    names = [t.text for t in fmt.tokens if t.var]
    checks = [(i, TYPED[n]) for i, n in enumerate(names) if n in TYPED]
    good = []
    for line in lines:
        m = rx.match(line)
        if m is not None and all(c.fullmatch(m.group(i + 1)) for i, c in checks):
            good.append(m)
    return len(good) / len(lines), good


def detect(lines: list[str]) -> Detection:
    """The format that best explains `lines` (non-empty, length-capped lines from the start)."""
    if not lines:
        raise FpmscopeError("the access log has no line to tell its format from")
    fields = next((ln for ln in lines if ln.startswith("#Fields:")), None)
    if fields is not None:
        return w3c_format(fields, [ln for ln in lines if not ln.startswith("#")])
    body = [ln for ln in lines if not ln.startswith("#")] or lines
    if sum(ln.lstrip().startswith("{") for ln in body) * 2 > len(body):
        return json_format(body)
    if sum(_is_ltsv(ln) for ln in body) * 2 > len(body):
        return ltsv_format(body)
    return text_format(lines)


def text_format(lines: list[str]) -> Detection:
    best: tuple[float, LogFormat, list[re.Match[str]]] | None = None
    for name in AUTO_ORDER:
        fmt = preset(name)
        share, good = score(fmt, lines)
        if share > 0 and (best is None or share > best[0]):
            best = (share, fmt, good)
    if best is None:
        raise FpmscopeError(
            f"no known access-log format matches its first line {_show(lines[0])}; tried {', '.join(AUTO_ORDER)},"
            " IIS W3C (#Fields:), LTSV and JSON lines. Give its format with --log-format or --nginx-conf"
        )
    share, fmt, good = best
    notes: list[str] = []
    if "request_time_int" in fmt.variables:
        fmt, note = _int_time_unit(fmt, good)
        notes.append(note)
    return Detection(fmt, round(share, 3), tuple(notes))


def _int_time_unit(fmt: LogFormat, good: list[re.Match[str]]) -> tuple[LogFormat, str]:
    """Whole-number times (Apache %D, %{ms}T, %T, %{us}T): the unit is told by their size."""
    idx = [t.text for t in fmt.tokens if t.var].index("request_time_int") + 1
    values = [int(m.group(idx)) for m in good if m.group(idx) != "-"]
    mid = statistics.median(values) if values else 0
    high = sorted(values)[int(len(values) * 0.9)] if values else 0
    if mid >= 1000:
        unit, what = "us", "microseconds (Apache %D or %{us}T)"
    elif high >= 30:
        unit, what = "ms", "milliseconds (Apache %{ms}T)"
    else:
        unit, what = "s", "seconds (Apache %T)"
    name = fmt.name.replace("_int", "_" + unit)
    source = fmt.source.replace("$request_time_int", "$request_time_" + unit)
    note = (
        f"whole-number request times read as {what} from their size (median {mid:g});"
        " if that is wrong, give the unit with --log-format"
    )
    return parse_nginx(source, name), note


# W3C extended (IIS) field names -> variables; unknown fields are kept under their own name.
W3C_FIELDS: Final = {
    "date": "w3c_date",
    "time": "w3c_time",
    "cs-method": "request_method",
    "cs-uri-stem": "uri",
    "cs-uri-query": "query_string",
    "sc-status": "status",
    "sc-bytes": "bytes_sent",
    "time-taken": "request_time_ms",
    "c-ip": "remote_addr",
}


def w3c_format(fields_line: str, body: list[str]) -> Detection:
    names = fields_line.split(":", 1)[1].split()
    if not names:
        raise FpmscopeError(f"W3C log with an empty #Fields: line {_show(fields_line)}")
    tokens: list[Token] = []
    for i, field in enumerate(names):
        if i:
            tokens.append(Token(" "))
        tokens.append(Token(W3C_FIELDS.get(field, "w3c_" + re.sub(r"[^a-z0-9]+", "_", field.lower())), var=True))
    fmt = LogFormat("w3c", fields_line, tuple(tokens), kind="w3c")
    text = LogFormat("w3c", fields_line, tuple(tokens))
    share, _ = score(text, body) if body else (1.0, [])
    notes = () if "request_time_ms" in fmt.variables else ("the #Fields: line has no time-taken",)
    return Detection(fmt, round(share, 3), notes)


# LTSV labels -> variables (ltsv.org's list, and alp's `apptime`).
LTSV_LABELS: Final = {
    "time": "time_ltsv",
    "host": "remote_addr",
    "method": "request_method",
    "uri": "request_uri",
    "req": "request",
    "status": "status",
    "size": "body_bytes_sent",
    "reqtime": "request_time",
    "apptime": "upstream_response_time",
    "request_id": "request_id",
    "reqid": "request_id",
}
_LTSV_FIELD = re.compile(r"[0-9A-Za-z_.-]+:")


def _is_ltsv(line: str) -> bool:
    parts = line.split("\t")
    return len(parts) >= 3 and all(_LTSV_FIELD.match(p) for p in parts)


def ltsv_format(lines: list[str]) -> Detection:
    """Labels known by name; for a variable several labels may give (alp writes `apptime`,
    sometimes `reqtime`): the label most lines carry is read first, the others when it is `-`."""
    seen: dict[str, int] = {}
    good = 0
    for line in lines:
        if _is_ltsv(line):
            good += 1
            for part in line.split("\t"):
                label, _, value = part.partition(":")
                if value not in ("", "-"):
                    seen[label] = seen.get(label, 0) + 1
    by_var: dict[str, list[str]] = {}
    for label, var in LTSV_LABELS.items():
        if label in seen:
            target = "request_time" if label == "apptime" and "reqtime" not in seen else var
            by_var.setdefault(target, []).append(label)
    notes = []
    times = sorted(by_var.get("request_time", []) + by_var.pop("upstream_response_time", []), key=lambda k: -seen[k])
    if times:
        by_var["request_time"] = times
        if times[0] == "apptime":
            notes.append("request time read from apptime (the upstream's response time), which most lines carry")
    if "request_uri" not in by_var and "request" not in by_var:
        raise FpmscopeError(f"LTSV log without a uri or req label (labels: {', '.join(seen)}); give --log-format")
    keys = tuple((label, var) for var, labels in by_var.items() for label in labels)
    source = "\t".join(f"{k}:${v}" for k, v in keys)
    return Detection(LogFormat("ltsv", source, (), keys, kind="ltsv"), round(good / len(lines), 3), tuple(notes))


# JSON keys (lower-cased, dotted for nested objects) -> variables, by name.
JSON_NAMES: Final = {
    "request_method": ("method", "request_method", "request.method", "http_method", "requestmethod", "verb"),
    "request_uri": (
        "uri",
        "request_uri",
        "request.uri",
        "requestpath",
        "request_path",
        "url",
        "path",
        "http.url",
        "url.path",
        "httprequest.requesturl",
    ),
    "request": ("request",),
    "status": (
        "status",
        "status_code",
        "statuscode",
        "downstreamstatus",
        "response_status",
        "http_status",
        "httprequest.status",
        "response.status",
    ),
    "request_time": (
        "request_time",
        "response_time",
        "duration",
        "reqtime",
        "elapsed",
        "latency",
        "took",
        "request_duration",
        "time_taken",
        "apptime",
    ),
    "upstream_response_time": ("upstream_response_time", "upstream_time", "originduration"),
    "body_bytes_sent": ("body_bytes_sent", "body_bytes", "bytes_sent", "size", "downstreamcontentsize", "bytes"),
    "time_iso8601": ("time_iso8601", "time", "timestamp", "@timestamp", "startutc", "datetime", "date"),
    "time_local": ("time_local",),
    "msec": ("ts", "msec", "unix_time", "epoch"),
    "request_id": ("request_id", "req_id", "requestid", "x-request-id", "x_request_id", "id"),
}
_TIME_UNITS: Final = (
    ("ns", "ns"),
    ("nanos", "ns"),
    ("us", "us"),
    ("usec", "us"),
    ("micros", "us"),
    ("ms", "ms"),
    ("msec", "ms"),
    ("millis", "ms"),
)
HTTP_METHODS: Final = frozenset(
    ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "PROPFIND")
)


def _flat(obj: dict[str, object], prefix: str = "", depth: int = 0) -> Iterator[tuple[str, object]]:
    for key, value in obj.items():
        path = prefix + key
        if isinstance(value, dict) and depth < 2:
            yield from _flat(value, path + ".", depth + 1)
        else:
            yield path, value


def json_format(lines: list[str]) -> Detection:
    """A key map for JSON-lines logs: known key names (any case, nested objects as dotted
    paths) first; a method, path or status under an unknown name is found by its values."""
    values: dict[str, list[object]] = {}
    parsed = 0
    for line in lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            parsed += 1
            for path, value in _flat(obj):
                values.setdefault(path, []).append(value)
    if not values:
        raise FpmscopeError(f"JSON log without a JSON object in its first lines {_show(lines[0])}; give --log-format")
    by_lower = {k.lower(): k for k in values}
    chosen: dict[str, str] = {}
    notes: list[str] = []
    extra: list[tuple[str, str]] = []  # more keys for one variable: read when the first is missing
    for var, names in JSON_NAMES.items():
        keys = [by_lower[n] for n in names if n in by_lower and by_lower[n] not in chosen.values()]
        if var in ("request_time", "upstream_response_time"):  # elapsed_ms, durationNs...
            keys += [k for k in values if k not in keys and _unitless(k) in names and k not in chosen.values()]
        keys = [k for k in keys if _fits(var, values[k])]
        keys.sort(key=lambda k: -len(values[k]))  # the key most lines have first
        if keys:
            chosen[var] = keys[0]
            extra += [(k, var) for k in keys[1:]]
    shapes = (("request_method", _is_method), ("request_uri", _is_path), ("status", _is_status))
    for var, test in shapes:
        if var in chosen or (var == "request_method" and "request" in chosen):
            continue
        if var == "request_uri" and "request" in chosen:
            continue
        key = next((k for k, vs in values.items() if k not in chosen.values() and _share(vs, test) >= 0.9), None)
        if key is not None:
            chosen[var] = key
            notes.append(f"JSON key {key!r} read as the {var.replace('request_', '')} from its values")
    if "request_uri" not in chosen and "request" not in chosen:
        raise FpmscopeError(f"JSON log without a URI key among {', '.join(sorted(values)[:30])}; give --log-format")
    final = {var: var for var in chosen}  # a time read in another unit gets its unit's variable
    if "request_time" in chosen:
        unit, note = _json_time_unit(chosen["request_time"], values[chosen["request_time"]])
        if unit != "s":
            final["request_time"] = "request_time_" + unit
        if note:
            notes.append(note)
    if chosen.get("upstream_response_time", "").lower() == "originduration":
        final["upstream_response_time"] = "upstream_response_time_ns"
    pairs = tuple((key, final[var]) for var, key in chosen.items())
    pairs += tuple((key, final[var]) for key, var in extra if var in final)
    source = "{" + ", ".join(f'"{k}": "${v}"' for k, v in pairs) + "}"
    return Detection(LogFormat("json", source, (), pairs, kind="json"), round(parsed / len(lines), 3), tuple(notes))


_UNIT_SUFFIX: Final = re.compile(r"(?:_?(?:ms|us|ns|s|sec|secs|seconds|millis|micros|nanos|msec|usec))$")


def _unitless(key: str) -> str:
    return _UNIT_SUFFIX.sub("", key.lower().rsplit(".", 1)[-1]) or key.lower()


def _json_time_unit(key: str, vals: list[object]) -> tuple[str, str | None]:
    low = key.lower()
    if low in ("duration", "originduration") and key[0].isupper():
        return "ns", None  # Traefik: Duration in nanoseconds
    for suffix, unit in _TIME_UNITS:
        if low.endswith(suffix):
            return unit, None
    numbers = [float(v) for v in vals if isinstance(v, int | float | str) and _is_number(str(v))]
    if numbers and all(float(n).is_integer() for n in numbers) and statistics.median(numbers) >= 1000:
        return "us", f"whole-number times under {key!r} read as microseconds from their size"
    return "s", None


def _is_number(v: object) -> bool:
    if isinstance(v, int | float):
        return True
    if not isinstance(v, str):
        return False
    try:
        float(v)
    except ValueError:
        return False
    return True


def _fits(var: str, vals: list[object]) -> bool:
    """A key picked by name must also hold values of the right kind (most of the time)."""
    if var in ("request_time", "upstream_response_time", "body_bytes_sent", "msec"):
        return _share(vals, lambda v: v == "-" or _is_number(v)) >= 0.5
    if var == "status":
        return _share(vals, _is_status) >= 0.9
    if var == "request_uri":
        return _share(vals, _is_path) >= 0.5
    if var in ("time_iso8601",):
        return _share(vals, lambda v: isinstance(v, str) and re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v)) >= 0.5
    return _share(vals, lambda v: isinstance(v, str)) >= 0.9


def _share(vals: list[object], test: object) -> float:
    assert callable(test)
    return sum(1 for v in vals if test(v)) / len(vals) if vals else 0.0


def _is_method(v: object) -> bool:
    return isinstance(v, str) and v in HTTP_METHODS


def _is_path(v: object) -> bool:
    return isinstance(v, str) and (v.startswith("/") or re.match(r"https?://", v) is not None)


def _is_status(v: object) -> bool:
    return (isinstance(v, int) and 100 <= v <= 599) or (isinstance(v, str) and bool(re.fullmatch(r"[1-5][0-9]{2}", v)))


def _show(line: str) -> str:
    return repr(line[:EXAMPLE_CHARS])
