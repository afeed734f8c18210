"""Access-log formats: an nginx `log_format` body or an Apache `LogFormat` string -> a parser spec.

A format compiles to tokens (literal text and variables). From the tokens come:

- a regular expression for whole lines, with one group per variable, valid both for RE2
  (DuckDB's regexp_extract, the general path) and for Python's `re` (rejected lines);
- when every space-separated field is a bare, quoted or bracketed variable, a CSV layout:
  DuckDB's CSV reader with a space delimiter and `"` quoting reads such lines at over a million
  a second. `[$time_local]` holds one space, so it spans two CSV columns.

Variables keep their nginx names; Apache directives map to the nginx name of the same value
(`%>s` -> status, `%D` -> request_time_us). Which variables feed which report column is
decided in ingest.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from fpmscope.errors import FpmscopeError


@dataclass(frozen=True, slots=True)
class Token:
    """Literal text (`var` None) or a variable (`text` is its name)."""

    text: str
    var: bool = False


@dataclass(frozen=True, slots=True)
class CsvColumn:
    """One CSV column: the variable it carries (None: ignored) and text to cut off its ends."""

    var: str | None
    cut_start: int = 0
    cut_end: int = 0
    part: int = 0  # 0 whole value; 1, 2 the two halves of a value that holds one space


@dataclass(frozen=True, slots=True)
class LogFormat:
    """`kind` says how lines are read: "text" (tokens), "json" (one object a line; `json_keys`
    maps a key, or a dotted path into nested objects, to a variable), "ltsv" (`json_keys` maps
    labels to variables) or "w3c" (tokens, space-separated, `#` lines are directives)."""

    name: str
    source: str
    tokens: tuple[Token, ...]
    json_keys: tuple[tuple[str, str], ...] = ()
    kind: str = "text"

    @property
    def variables(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for t in self.tokens:
            if t.var:
                seen.setdefault(t.text, None)
        for _, v in self.json_keys:
            seen.setdefault(v, None)
        return tuple(seen)

    def regex(self) -> str:
        return line_regex(self.tokens)

    def csv_layout(self) -> tuple[CsvColumn, ...] | None:
        return csv_layout(self.tokens)


# Values that may hold spaces unquoted, and how: time_local has exactly one.
TWO_PART: Final = frozenset({"time_local", "time_rack"})

_TIME_LOCAL = r"[0-9]{1,2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}"
_TIME_RACK = r"[0-9]{1,2}/[A-Za-z]{3}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}"
_MULTI = r"(?:[0-9.]+|-)(?:(?: ?[,:] ?)(?:[0-9.]+|-))*"
# Patterns by variable where the generic "up to the next separator" would be wrong.
VALUE_PATTERNS: Final = {
    "time_local": _TIME_LOCAL,
    "time_rack": _TIME_RACK,
    "request": r"[^ ]+(?: [^ ]+){0,2}",
    "upstream_response_time": _MULTI,
    "upstream_connect_time": _MULTI,
    "upstream_header_time": _MULTI,
    "upstream_status": _MULTI,
    "upstream_addr": r"[^ ]+(?:(?: ?[,:] ?)[^ ]+)*",
    "upstream_response_length": _MULTI,
}
QUOTED_VALUE: Final = r'(?:[^"\\]|\\.)*'

_NGINX_VAR = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def parse_nginx(text: str, name: str = "custom") -> LogFormat:
    """An nginx log_format body, e.g. '$remote_addr - [$time_local] "$request" $status'."""
    body = text.strip()
    if body.startswith("{"):
        return _parse_json_template(body, name)
    tokens: list[Token] = []
    pos = 0
    for m in _NGINX_VAR.finditer(body):
        if m.start() > pos:
            tokens.append(Token(body[pos : m.start()]))
        tokens.append(Token((m.group(1) or m.group(2)).lower(), var=True))
        pos = m.end()
    if pos < len(body):
        tokens.append(Token(body[pos:]))
    fmt = LogFormat(name, text, _merge(tokens))
    _check(fmt)
    return fmt


def _parse_json_template(body: str, name: str) -> LogFormat:
    """escape=json formats: '{"time":"$time_iso8601","request":"$request",...}' -> key map."""
    pairs = re.findall(r'"([^"]+)"\s*:\s*"?\$\{?([A-Za-z0-9_]+)\}?"?', body)
    if not pairs:
        raise FpmscopeError(f'log format {body[:80]!r} looks like JSON but has no "key": "$variable" pairs')
    fmt = LogFormat(name, body, (), tuple((k, v.lower()) for k, v in pairs))
    _check(fmt)
    return fmt


# Apache LogFormat directives -> nginx variable names (same meaning, one vocabulary).
APACHE_SIMPLE: Final = {
    "h": "remote_addr",
    "a": "remote_addr",
    "l": "remote_ident",
    "u": "remote_user",
    "r": "request",
    "s": "status",
    ">s": "status",
    "<s": "status",
    "b": "body_bytes_sent_clf",
    "B": "body_bytes_sent",
    "O": "bytes_sent",
    "I": "request_length",
    "D": "request_time_us",
    "T": "request_time_s",
    "m": "request_method",
    "U": "uri",
    "q": "query_string",
    "H": "server_protocol",
    "v": "server_name",
    "V": "server_name",
    "p": "server_port",
    "P": "pid",
    "k": "keepalive",
    "X": "connection_status",
    "L": "log_id",
    "R": "handler",
    "f": "filename",
    "A": "server_addr",
    "e": "env",
    "S": "bytes_transferred",
}
_APACHE_DIRECTIVE = re.compile(r"%([<>]?)(?:\{([^}]*)\})?([<>]?)([a-zA-Z%])")


def parse_apache(text: str, name: str = "custom") -> LogFormat:
    """An Apache LogFormat string, e.g. '%h %l %u %t \\"%r\\" %>s %b %D'."""
    body = text.replace('\\"', '"').replace("\\t", "\t")
    tokens: list[Token] = []
    pos = 0
    for m in _APACHE_DIRECTIVE.finditer(body):
        if m.start() > pos:
            tokens.append(Token(body[pos : m.start()]))
        pos = m.end()
        tokens.extend(_apache_token(m.group(1) + m.group(3), m.group(2), m.group(4), m.group(0)))
    if pos < len(body):
        tokens.append(Token(body[pos:]))
    fmt = LogFormat(name, text, _merge(tokens))
    _check(fmt)
    return fmt


def _apache_token(modifier: str, arg: str | None, letter: str, whole: str) -> list[Token]:
    if letter == "%":
        return [Token("%")]
    if letter == "t":
        if arg is None:
            return [Token("["), Token("time_local", var=True), Token("]")]
        return [Token(f"time_{_ident(arg)}", var=True)]
    if letter == "T" and arg is not None:
        unit = {"ms": "request_time_ms", "us": "request_time_us", "s": "request_time_s"}.get(arg)
        if unit is None:
            raise FpmscopeError(f"Apache directive {whole}: unit must be ms, us or s")
        return [Token(unit, var=True)]
    if letter in ("i", "o") and arg:
        prefix = "http_" if letter == "i" else "sent_http_"
        return [Token(prefix + _ident(arg), var=True)]
    if letter in ("C", "n", "e", "x", "c", "^") and arg:
        return [Token(f"{letter.lower()}_{_ident(arg)}", var=True)]
    key = modifier + letter if modifier + letter in APACHE_SIMPLE else letter
    if key not in APACHE_SIMPLE:
        raise FpmscopeError(f"unknown Apache LogFormat directive {whole}")
    return [Token(APACHE_SIMPLE[key], var=True)]


def _ident(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"


def _merge(tokens: list[Token]) -> tuple[Token, ...]:
    out: list[Token] = []
    for t in tokens:
        if out and not t.var and not out[-1].var:
            out[-1] = Token(out[-1].text + t.text)
        elif t.var or t.text:
            out.append(t)
    return tuple(out)


def _check(fmt: LogFormat) -> None:
    names = fmt.variables
    if not names:
        raise FpmscopeError(f"log format {fmt.source[:80]!r} has no variables")
    for a, b in zip(fmt.tokens, fmt.tokens[1:], strict=False):
        if a.var and b.var:
            raise FpmscopeError(
                f"log format {fmt.source[:80]!r}: ${a.text} and ${b.text} touch with nothing between them;"
                " a line could not be split"
            )


def line_regex(tokens: tuple[Token, ...]) -> str:
    """A whole-line regex with one capture group per variable token, in token order."""
    parts = ["^"]
    for i, tok in enumerate(tokens):
        if not tok.var:
            parts.append(re.escape(tok.text).replace("\\ ", " "))
            continue
        before = tokens[i - 1].text if i > 0 else ""
        after = tokens[i + 1].text if i + 1 < len(tokens) else ""
        if before.endswith('"') and after.startswith('"'):
            pattern = QUOTED_VALUE
        elif tok.text in VALUE_PATTERNS:
            pattern = VALUE_PATTERNS[tok.text]
        elif after:
            stop = after[0]
            pattern = "[^" + ("\\" + stop if stop in "\\]^-[" else stop) + "]*"
        else:
            pattern = r"[^ ]*"
        parts.append(f"({pattern})")
    parts.append(r"\s*$")
    return "".join(parts)


def csv_layout(tokens: tuple[Token, ...]) -> tuple[CsvColumn, ...] | None:
    """Columns for DuckDB's CSV reader (space delimiter, `"` quote), or None if the
    layout does not split that way (a variable glued to another, a quote mid-field...)."""
    fields: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.var:
            fields[-1].append(tok)
            continue
        pieces = tok.text.split(" ")
        for j, piece in enumerate(pieces):
            if j:
                fields.append([])
            if piece:
                fields[-1].append(Token(piece))
    columns: list[CsvColumn] = []
    for field in fields:
        col = _csv_field(field)
        if col is None:
            return None
        columns.extend(col)
    return tuple(columns)


def _csv_field(field: list[Token]) -> list[CsvColumn] | None:
    variables = [t for t in field if t.var]
    texts = [t.text for t in field if not t.var]
    if not variables:
        if any('"' in t for t in texts):
            return None
        return [CsvColumn(None)]
    if len(variables) > 1:
        return None
    var = variables[0].text
    idx = field.index(variables[0])
    prefix = "".join(t.text for t in field[:idx])
    suffix = "".join(t.text for t in field[idx + 1 :])
    if prefix == '"' and suffix == '"':
        return [CsvColumn(var)]
    if '"' in prefix or '"' in suffix:
        return None
    if var in TWO_PART:
        return [CsvColumn(var, len(prefix), 0, 1), CsvColumn(var, 0, len(suffix), 2)]
    if var in ("request", "http_user_agent", "http_referer") or (var.startswith("time_") and var != "time_iso8601"):
        return None  # may hold spaces when not quoted
    return [CsvColumn(var, len(prefix), len(suffix))]


# Presets, by name: the servers' own formats and those common setups add to them. A time
# written as a whole number ("apache_*_int") has a unit that only its size tells: detection
# replaces $request_time_int with _us, _ms or _s and says so.
COMBINED: Final = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
)
MAIN: Final = COMBINED + ' "$http_x_forwarded_for"'  # nginx's stock `main` format
INGRESS: Final = (
    COMBINED + " $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name]"
    " $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id"
)
VHOST_COMBINED: Final = (
    '$server_name:$server_port $remote_addr $remote_ident $remote_user [$time_local] "$request" $status'
    ' $bytes_sent "$http_referer" "$http_user_agent"'
)
COMMON: Final = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent'
PRESETS: Final = {
    "combined": COMBINED,
    "timed": COMBINED + " $request_time",
    "timed_upstream": COMBINED + " $request_time $upstream_response_time",
    "timed_upstream_id": COMBINED + " $request_time $upstream_response_time $request_id",
    "upstream_time": COMBINED
    + ' rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time"',
    "main": MAIN,
    "main_timed": MAIN + " $request_time",
    "main_timed_upstream": MAIN + " $request_time $upstream_response_time",
    "ingress_nginx": INGRESS,
    "common": COMMON,
    "common_timed": COMMON + " $request_time",
    "otus": '$remote_addr $remote_user  $http_x_real_ip [$time_local] "$request" $status $body_bytes_sent'
    ' "$http_referer" "$http_user_agent" "$http_x_forwarded_for" "$http_x_request_id" "$http_x_rb_user"'
    " $request_time",
    "rack": '$remote_addr - $remote_user [$time_rack] "$request" $status $body_bytes_sent $request_time',
    "apache_combined_d": COMBINED + " $request_time_us",
    "apache_combined_int": COMBINED + " $request_time_int",
    "apache_common_int": COMMON + " $request_time_int",
    "vhost_combined": VHOST_COMBINED,
    "vhost_combined_int": VHOST_COMBINED + " $request_time_int",
}
# Tried when no format is given; on a tie in the share of lines parsed, the earlier wins.
AUTO_ORDER: Final = (
    "ingress_nginx",
    "upstream_time",
    "timed_upstream_id",
    "main_timed_upstream",
    "timed_upstream",
    "main_timed",
    "otus",
    "timed",
    "apache_combined_int",
    "main",
    "combined",
    "vhost_combined_int",
    "vhost_combined",
    "common_timed",
    "apache_common_int",
    "rack",
    "common",
)
# Typed fields, checked when scoring a candidate format: a value must look like its type.
_NUMBER_OR_DASH = r"(?:[0-9]+(?:\.[0-9]+)?|-)"
TYPED: Final = {
    "status": re.compile(r"[1-5][0-9]{2}"),
    "request_time": re.compile(r"(?:[0-9]+\.[0-9]+|-)"),  # nginx writes seconds with 3 decimals
    "request_time_int": re.compile(r"(?:[0-9]+|-)"),
    "request_time_us": re.compile(_NUMBER_OR_DASH),
    "request_time_ms": re.compile(_NUMBER_OR_DASH),
    "request_time_s": re.compile(_NUMBER_OR_DASH),
    "body_bytes_sent": re.compile(r"(?:[0-9]+|-)"),
    "bytes_sent": re.compile(r"(?:[0-9]+|-)"),
    "request_length": re.compile(r"(?:[0-9]+|-)"),
    "server_port": re.compile(r"[0-9]+"),
}


def preset(name: str) -> LogFormat:
    if name not in PRESETS:
        raise FpmscopeError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    return parse_nginx(PRESETS[name], name)


def parse_format(text: str) -> LogFormat:
    """A preset name, an nginx log_format body, or an Apache LogFormat string."""
    stripped = text.strip()
    if stripped in PRESETS:
        return preset(stripped)
    if "$" in stripped or stripped.startswith("{"):
        return parse_nginx(stripped)
    if "%" in stripped:
        return parse_apache(stripped)
    raise FpmscopeError(
        f"--log-format {text[:80]!r}: expected a preset ({', '.join(PRESETS)}), an nginx log_format"
        " ($variables) or an Apache LogFormat (%directives)"
    )
