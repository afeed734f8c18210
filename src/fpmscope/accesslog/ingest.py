"""Access logs (plain or gzip, many files, `-` for stdin) into a DuckDB table `hits`.

Readers, fastest first:
- CSV layout (combined-style formats): DuckDB's CSV reader, space-delimited, `"`-quoted;
- any other text format (and W3C, `#` directive lines left out): whole lines read as one
  column and split by DuckDB's regexp_extract; also the fallback if the CSV reader gives up;
- LTSV: whole lines, one regexp_extract per label used;
- JSON lines: DuckDB's JSON reader with the top-level keys as columns, nested keys extracted.
A value that is not what its field holds (a time that is not a finite number between 0 and a
day, a negative or non-numeric byte count, a status outside 100-599) makes its line invalid:
counted as skipped, never summed.
Lines a reader rejects (an odd user agent, a multi-value upstream time with spaces, invalid
UTF-8, a 5 MB line) are read again by number in Python and matched with the same regex; what
still does not match is skipped and counted, and the first such line kept as an example.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb

from fpmscope.accesslog.detect import detect, score
from fpmscope.accesslog.files import Input, first_lines, open_lines
from fpmscope.accesslog.formats import CsvColumn, LogFormat
from fpmscope.errors import FpmscopeError
from fpmscope.inputs import gunzip, is_gzip, truncated_note

MAX_LINE: Final = 4 * 1024 * 1024
# The line readers' null string: one no log line is (the default, '', reads an empty line and a
# line holding a NUL byte alike, as NULL).
NO_NULL: Final = "'\\N fpmscope: no null \\N'"
EXAMPLE_CHARS: Final = 160

# The request line and the time are kept as they came: they repeat (many requests per URL and
# per second), so splitting the one and parsing the other happens once per distinct value,
# later (`hit_times` below; the endpoint map in the analysis), not once per line.
HITS_COLUMNS: Final = (
    ("request", "VARCHAR"),  # "METHOD target[?query] ..." (a request line, or method + URI)
    ("status", "SMALLINT"),
    ("bytes", "BIGINT"),
    ("rt", "DOUBLE"),
    ("upstream", "DOUBLE"),
    ("ts_raw", "VARCHAR"),  # the time as written; hit_times maps each distinct one to a time
    ("request_id", "VARCHAR"),
)
# Bookkeeping columns after HITS_COLUMNS: whether the row is a request, and if not its text.
HITS_EXTRA: Final = (("ok", "BOOLEAN"), ("bad_text", "VARCHAR"))

# Report columns -> the variables that can feed them, best first, and how to convert each.
# `{v}` is the quoted column of the variable; the SQL text is fixed, never from log content.
_NUM = "TRY_CAST(nullif({v}, '-') AS DOUBLE)"
MAX_SECONDS: Final = 86400  # a request time above a day is not a request time
_MULTI_SUM = (
    "CASE WHEN {v} IS NULL OR {v} = '-' THEN NULL"
    " WHEN contains({v}, ',') OR contains({v}, ':')"
    " THEN list_sum(list_transform(regexp_split_to_array({v}, '\\s*[,:]\\s*'), lambda x: TRY_CAST(x AS DOUBLE)))"
    " ELSE TRY_CAST({v} AS DOUBLE) END"
)
_URI_REQUEST = "coalesce({m}, '-') || ' ' || {v}"
SOURCES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "request": (
        ("request", "{v}"),
        ("request_uri", _URI_REQUEST),
        ("uri", _URI_REQUEST + "{q}"),
    ),
    "status": (("status", "TRY_CAST({v} AS SMALLINT)"),),
    "bytes": (
        ("body_bytes_sent", "TRY_CAST(nullif({v}, '-') AS BIGINT)"),
        ("body_bytes_sent_clf", "coalesce(TRY_CAST(nullif({v}, '-') AS BIGINT), 0)"),
        ("bytes_sent", "TRY_CAST(nullif({v}, '-') AS BIGINT)"),
    ),
    "rt": (
        ("request_time", _NUM),
        ("request_time_us", _NUM + " / 1e6"),
        ("request_time_ms", _NUM + " / 1e3"),
        ("request_time_s", _NUM),
        ("request_time_ns", _NUM + " / 1e9"),
    ),
    "upstream": (("upstream_response_time", _MULTI_SUM), ("upstream_response_time_ns", _NUM + " / 1e9")),
    "ts_raw": (
        ("time_local", "{v}"),
        ("time_iso8601", "{v}"),
        ("msec", "{v}"),
        ("time_rack", "{v}"),
        ("time_ltsv", "{v}"),
        ("w3c_date", "{v} || ' ' || \"v_w3c_time\""),
    ),
    "request_id": (("request_id", "nullif({v}, '-')"), ("http_x_request_id", "nullif({v}, '-')")),
}
# How a distinct raw time (`raw`) of each time variable becomes a time.
TIME_PARSE: Final = {
    "time_local": "try_strptime(raw, '%d/%b/%Y:%H:%M:%S %z')",
    "time_iso8601": "TRY_CAST(raw AS TIMESTAMPTZ)",
    "msec": "to_timestamp(TRY_CAST(raw AS DOUBLE))",
    "time_rack": "try_strptime(raw, '%d/%b/%Y %H:%M:%S')::TIMESTAMPTZ",
    "time_ltsv": "coalesce(TRY_CAST(raw AS TIMESTAMPTZ), try_strptime(trim(raw, '[]'), '%d/%b/%Y:%H:%M:%S %z'))",
    "w3c_date": "try_strptime(raw, '%Y-%m-%d %H:%M:%S')::TIMESTAMPTZ",
}


@dataclass(frozen=True, slots=True)
class AccessIngest:
    files: tuple[str, ...]
    format_name: str
    format_source: str
    parsed: int
    skipped: int
    skipped_example: str | None
    columns: tuple[str, ...]  # report columns the format provides (rt, upstream, ...)
    first_line: str | None
    detected: bool = False  # the format was detected, not given
    confidence: float | None = None  # share of the sampled lines the format parses (text formats)
    timed: int = 0  # requests with a request time
    notes: tuple[str, ...] = ()

    @property
    def skipped_share(self) -> float:
        total = self.parsed + self.skipped
        return round(self.skipped / total, 4) if total else 0.0

    @property
    def time_available(self) -> bool:
        """Times for most requests: a ranking by time would otherwise rank a minority."""
        return "rt" in self.columns and self.timed * 2 > self.parsed


def create_hits(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    columns = ", ".join(f"{n} {t}" for n, t in HITS_COLUMNS + HITS_EXTRA)
    con.execute(f"CREATE TABLE hits ({columns})")
    con.execute("CREATE TABLE hit_times (raw VARCHAR, ts TIMESTAMPTZ)")  # each distinct ts_raw, parsed
    return con


def connect() -> duckdb.DuckDBPyConnection:
    return create_hits(duckdb.connect(":memory:"))


def _quote(name: str) -> str:
    return '"v_' + name.replace('"', "") + '"'


def _canonical_select(fmt: LogFormat) -> tuple[str, tuple[str, ...]]:
    """SELECT list mapping variable columns to HITS_COLUMNS; the report columns provided."""
    available = set(fmt.variables)
    method = next((_quote(v) for v in ("request_method",) if v in available), "NULL")
    query = (
        f" || CASE WHEN coalesce({_quote('query_string')}, '-') IN ('-', '') THEN ''"
        f" ELSE '?' || {_quote('query_string')} END"
        if "query_string" in available
        else ""
    )
    exprs, provided = [], []
    for column, _ in HITS_COLUMNS:
        expr = "NULL"
        for var, template in SOURCES[column]:
            if var in available:
                expr = template.format(v=_quote(var), m=method, q=query)
                provided.append(column)
                break
        exprs.append(f"{expr} AS {column}")
    return ", ".join(exprs), tuple(provided)


def time_variable(fmt: LogFormat) -> str | None:
    """The variable the request times come from, if the format has one."""
    return next((v for v, _ in SOURCES["ts_raw"] if v in fmt.variables), None)


def _validity(fmt: LogFormat) -> str:
    """A row is a request when its status is an HTTP status, its time (if any) a finite number
    of seconds between 0 and a day, and its byte count (if any) a whole number >= 0."""
    checks = ["status BETWEEN 100 AND 599"] if "status" in fmt.variables else ["request IS NOT NULL"]
    for column, test in (
        ("rt", f"isfinite(rt) AND rt BETWEEN 0 AND {MAX_SECONDS}"),
        ("bytes", "bytes >= 0"),
        ("upstream", f"isfinite(upstream) AND upstream BETWEEN 0 AND {MAX_SECONDS}"),
    ):
        var = next((v for v, _ in SOURCES[column] if v in fmt.variables), None)
        if var is not None:
            raw = f"coalesce({_quote(var)}, '-')"
            if column == "upstream":  # several attempts: only a total that is a number is checked
                checks.append(f"(upstream IS NULL OR ({test}))")
            else:
                checks.append(f"(CASE WHEN {raw} IN ('-', '') THEN true ELSE {column} IS NOT NULL AND {test} END)")
    return " AND ".join(checks)


def _csv_var_exprs(layout: tuple[CsvColumn, ...], needed: set[str]) -> str:
    parts: dict[str, list[str]] = {}
    for i, col in enumerate(layout):
        if col.var is None or col.var not in needed:
            continue
        expr = f"c{i}"
        # substr, not a slice (`c3[2:]`): the same characters at half the cost.
        if col.cut_end:
            expr = f"substr(c{i}, {col.cut_start + 1}, greatest(length(c{i}) - {col.cut_start + col.cut_end}, 0))"
        elif col.cut_start:
            expr = f"substr(c{i}, {col.cut_start + 1})"
        parts.setdefault(col.var, []).append(expr)
    return ", ".join(f"{' || chr(32) || '.join(e)} AS {_quote(v)}" for v, e in parts.items())


def _needed_vars(fmt: LogFormat) -> set[str]:
    available = set(fmt.variables)
    needed = set()
    for column, _ in HITS_COLUMNS:
        for var, _template in SOURCES[column]:
            if var in available:
                needed.add(var)
                break
    if "w3c_date" in needed:
        needed.add("w3c_time")
    needed |= {"request_method", "query_string"} & available  # with a bare URI
    return needed


class Loader:
    """Loads files of one format into `hits`, counting what it had to skip."""

    def __init__(self, con: duckdb.DuckDBPyConnection, fmt: LogFormat) -> None:
        self.con = con
        self.fmt = fmt
        self.select, self.columns = _canonical_select(fmt)
        self.valid = _validity(fmt)
        self.needed = sorted(_needed_vars(fmt))
        if not self.needed:
            raise FpmscopeError(f"log format {fmt.source[:80]!r} has neither $request, $uri nor $status")
        self.layout = fmt.csv_layout() if fmt.tokens and fmt.kind == "text" else None
        self.regex = fmt.regex() if fmt.tokens else None
        self.py_regex = re.compile(self.regex) if self.regex else None
        self.parsed = self.skipped = 0
        self.example: str | None = None

    def _note_bad(self, n: int, example: str | None) -> None:
        self.skipped += n
        if n and self.example is None and example is not None:
            self.example = example[:EXAMPLE_CHARS]

    def load(self, path: Path) -> None:
        compression = "gzip" if is_gzip(path) else "none"
        if compression == "gzip":
            try:
                self._load(path, compression)
            except duckdb.Error:
                # A failed INSERT adds nothing. A gzip file cut short (a full disk, a killed
                # logrotate) or not gzip after its magic: read what can be read, from a copy.
                with tempfile.TemporaryDirectory(prefix="fpmscope-") as tmp:
                    plain = Path(tmp) / "plain"
                    with plain.open("wb") as out:
                        whole = gunzip(path, out)
                    if not whole:
                        self._note_bad(1, truncated_note(path))
                    self._load(plain, "none", shown=path)
            return
        self._load(path, compression)

    def _load(self, path: Path, compression: str, shown: Path | None = None) -> None:
        top = self.con.execute("SELECT coalesce(max(rowid) + 1, 0) FROM hits").fetchone()
        start = int(top[0]) if top else 0
        csv = self.layout is not None and self.fmt.kind == "text"
        params: dict[str, object] = {"path": str(path), "compression": compression}
        try:
            # A plain file is counted again (a fast scan); in a gzip file, where that would
            # mean decompressing it twice, records with a line end inside a field are marked.
            mark_joins = compression != "none"
            self._insert(self._reader_sql(csv, mark_joins), params)
            # The CSV reader gave up on no line, but a quote may have run across a line end.
            gave_up = csv and self._spans_lines(start, params, always=not mark_joins)
        except duckdb.Error as exc:
            if not csv:
                if compression == "gzip":
                    raise  # load() reads what a damaged gzip file holds, from a copy
                first = str(exc).strip().splitlines()[0]
                raise FpmscopeError(f"{shown or path}: cannot read as an access log: {first}") from None
            gave_up = True  # the CSV reader gave up on the file as a whole
        if gave_up:  # the line reader takes the file: one record per line, whatever its quotes
            csv = False
            self.con.execute("DELETE FROM hits WHERE rowid >= ?", [start])
            self._rejected_lines()
            self._insert(self._reader_sql(csv, False), params)
        rejected = self._rejected_lines()
        misread: list[int] = []
        if csv:
            # The CSV reader can accept a line the format does not describe (a multi-value
            # upstream time with an empty last field): such rows fail the checks, and their
            # lines are matched again with the regex, which is the authority.
            rows = self.con.execute(
                "SELECT rowid - $start FROM hits WHERE rowid >= $start AND NOT ok ORDER BY rowid", {"start": start}
            ).fetchall()
            misread = [int(r[0]) for r in rows]
            if misread:
                self.con.execute("DELETE FROM hits WHERE rowid >= $start AND NOT ok", {"start": start})
        if rejected or misread:
            self._reparse(path, rejected, misread)

    def _spans_lines(self, start: int, params: dict[str, object], *, always: bool) -> bool:
        """Whether the CSV reader joined lines: a `"` that no later quote on its line closes (a
        junk line `"`, a cut line) opens a field that runs into the next lines. Such a record
        is rejected or fails the checks (a whole line after a cut one starts a quote with
        `"GET`, which closes nothing), but two junk lines can also join into one valid
        request. So the reader's records (rows and rejected lines) are counted against the
        file's non-empty lines: `always` for a plain file (a scan that counts lines costs ~5 %
        of the reading), and in a gzip file only when a record was rejected, failed the checks
        or was marked as holding a line end (_reader_sql's `mark_joins`)."""
        found = self.con.execute(
            "SELECT (SELECT count(*) FROM hits WHERE rowid >= $start),"
            " (SELECT count(*) FROM hits WHERE rowid >= $start AND NOT ok),"
            " (SELECT count(DISTINCT line) FROM reject_errors)",
            {"start": start},
        ).fetchone()
        assert found is not None
        rows, bad, rejected = (int(v) for v in found)
        if not always and not bad and not rejected:
            return False
        lines = self.con.execute(f"SELECT count(*) FROM {self._lines_sql()}", params).fetchone()
        assert lines is not None
        return rows + rejected < int(lines[0])

    def _lines_sql(self) -> str:
        """Every non-empty line of the file as one column, `line`: no quote, no delimiter
        (rejects not kept: this reader only counts; empty lines and NUL bytes as in
        _reader_sql)."""
        return (
            "read_csv($path, delim = '', quote = '', escape = '', strict_mode = false, header = false,"
            f" auto_detect = false, ignore_errors = true, nullstr = {NO_NULL},"
            f" max_line_size = {MAX_LINE}, compression = $compression, columns = {{'line': 'VARCHAR'}})"
        )

    def _insert(self, source: str, params: dict[str, object]) -> None:
        """Insert rows of `source` (variable columns + `_bad`) into hits, marking the invalid ones."""
        names = ", ".join(n for n, _ in HITS_COLUMNS)
        fields = " || ' ' || ".join(f"coalesce({_quote(v)}, '-')" for v in self.needed)
        self.con.execute(
            f"INSERT INTO hits SELECT {names}, ok, CASE WHEN NOT ok THEN left(coalesce(_bad, {fields}), 2000) END"
            f" FROM (SELECT *, _bad IS NULL AND coalesce({self.valid}, false) AS ok FROM"
            f" (SELECT {self.select}, * FROM ({source})))",
            params,
        )

    def finish(self) -> None:
        row = self.con.execute(
            "SELECT count(*) FILTER (ok), count(*) FILTER (NOT ok), min_by(bad_text, rowid) FILTER (NOT ok) FROM hits"
        ).fetchone()
        assert row is not None
        self.parsed = int(row[0])
        self._note_bad(int(row[1]), row[2])
        if row[1]:
            self.con.execute("DELETE FROM hits WHERE NOT ok")
        var = time_variable(self.fmt)
        if var is not None:  # TIME_PARSE holds fixed SQL text only
            self.con.execute(
                f"INSERT INTO hit_times SELECT raw, {TIME_PARSE[var]} FROM"
                " (SELECT DISTINCT ts_raw AS raw FROM hits WHERE ts_raw IS NOT NULL)"
            )

    def _reader_sql(self, csv: bool, mark_joins: bool) -> str:
        common = (
            "header = false, auto_detect = false, ignore_errors = true, store_rejects = true,"
            f" max_line_size = {MAX_LINE}, compression = $compression"
        )
        # An empty line is no line (the CSV reader skips it too): a CRLF line end in a file of LF
        # ones reads as a line end and an empty line. With no null string the reader skips
        # empty lines itself, and a line holding a NUL byte is a row (an invalid line, counted);
        # with the default one both read as NULL.
        lines = (
            f"(SELECT line FROM read_csv($path, delim = '', quote = '', escape = '', strict_mode = false, {common},"
            f" nullstr = {NO_NULL}, columns = {{'line': 'VARCHAR'}}) WHERE line IS NOT NULL)"
        )
        if self.fmt.kind == "json":
            return self._json_sql()
        if self.fmt.kind == "ltsv":
            keys: dict[str, list[str]] = {}
            for label, var in self.fmt.json_keys:
                if var in self.needed and _safe(label):
                    keys.setdefault(var, []).append(
                        f"nullif(nullif(regexp_extract(line, {_sql_string(_ltsv_pattern(label))}, 1), ''), '-')"
                    )
            cols = ", ".join(f"coalesce({', '.join(exprs)}) AS {_quote(v)}" for v, exprs in keys.items())
            path = ", ".join(_quote(v) for v in ("request_uri", "request") if v in keys)
            return f"SELECT {cols}, CASE WHEN coalesce({path}) IS NULL THEN line END AS _bad FROM {lines}"
        if csv:
            assert self.layout is not None
            cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.layout)))
            exprs = _csv_var_exprs(self.layout, set(self.needed))
            # A line end inside a field (any field, read or not): a quote opened there ran into
            # the next line. The record is marked, and _spans_lines hands the file over.
            joined = " OR ".join(f"contains(c{i}, chr(10)) OR contains(c{i}, chr(13))" for i in range(len(self.layout)))
            bad = f"CASE WHEN {joined} THEN '(lines joined by a quote)' END" if mark_joins else "NULL::VARCHAR"
            return (
                f"SELECT {exprs}, {bad} AS _bad"
                f" FROM read_csv($path, delim = ' ', quote = '\"', escape = '\"',"
                f" strict_mode = true, null_padding = false, {common}, columns = {{{cols}}})"
            )
        assert self.regex is not None
        # Group 1 wraps the whole pattern: empty when the line does not match.
        names = ["_all", *[t.text for t in self.fmt.tokens if t.var]]
        pattern = "^(" + self.regex[1:-1] + r")\s*$"
        struct = (
            "regexp_extract(line, "
            + _sql_string(pattern)
            + ", ["
            + ", ".join(_sql_string(_group_name(i, n)) for i, n in enumerate(names))
            + "])"
        )
        cols = ", ".join(f"m.{_ident(_group_name(names.index(n), n))} AS {_quote(n)}" for n in self.needed)
        directives = " WHERE NOT starts_with(line, '#')" if self.fmt.kind == "w3c" else ""
        return (
            f"SELECT {cols}, CASE WHEN m._all = '' THEN line END AS _bad FROM ("
            f"SELECT line, {struct} AS m FROM {lines}{directives})"
        )

    def _json_sql(self) -> str:
        """Top-level keys as VARCHAR columns (a nested object arrives as its JSON text); a
        dotted key is a path into it. Several keys for one variable: the first set wins."""
        tops: dict[str, None] = {}
        by_var: dict[str, list[str]] = {}
        for key, var in self.fmt.json_keys:
            head, _, rest = key.partition(".")
            if not _safe(head) or var not in self.needed or not all(_safe(p) for p in rest.split(".") if p):
                continue
            tops.setdefault(head, None)
            col = f'"{head}"'
            if rest:
                path = "$" + "".join(f'."{p}"' for p in rest.split("."))
                col = f"json_extract_string({col}, {_sql_string(path)})"
            by_var.setdefault(var, []).append(f"nullif({col}, '-')")
        if not by_var:
            raise FpmscopeError(f"JSON format {self.fmt.source[:80]!r}: no usable key")
        cols = ", ".join(f"'{k}': 'VARCHAR'" for k in tops)
        keys = ", ".join(f"coalesce({', '.join(ks)}) AS {_quote(v)}" for v, ks in by_var.items())
        empty = " AND ".join(f'"{k}" IS NULL' for k in tops)
        return (
            f"SELECT {keys}, CASE WHEN {empty} THEN '(not a JSON object with known keys)' END AS _bad"
            f" FROM read_json($path, format = 'newline_delimited', ignore_errors = true,"
            f" compression = $compression, columns = {{{cols}}})"
        )

    def _rejected_lines(self) -> list[int]:
        if self.fmt.kind == "json":
            return []
        rows = self.con.execute("SELECT DISTINCT line FROM reject_errors ORDER BY line").fetchall()
        self.con.execute("DELETE FROM reject_errors")
        self.con.execute("DELETE FROM reject_scans")
        return [int(r[0]) for r in rows]

    def _reparse(self, path: Path, numbers: list[int], ordinals: Sequence[int] = ()) -> None:
        """Match lines with the Python twin of the regex: those the reader rejected (by 1-based
        line number) and those it misread (by their index among the lines it accepted; it
        skips empty lines)."""
        wanted = set(numbers)
        misread = set(ordinals)
        accepted = -1
        var_names = [t.text for t in self.fmt.tokens if t.var]
        values: dict[str, list[str | None]] = {v: [] for v in self.needed}
        last = max(wanted, default=0)
        last_ordinal = max(misread, default=-1)
        for number, raw in enumerate(open_lines(path), 1):
            if number > last and accepted >= last_ordinal:
                break
            if number not in wanted:
                if not raw.strip(b" \t"):
                    continue
                accepted += 1
                if accepted not in misread:
                    continue
            text = raw.decode("utf-8", "replace").replace("\x00", "\ufffd")
            m = self.py_regex.match(text) if self.py_regex is not None and len(raw) <= MAX_LINE else None
            if m is None:
                self._note_bad(1, text)
                continue
            seen: set[str] = set()
            for name, value in zip(var_names, m.groups(), strict=True):
                if name in values and name not in seen:
                    values[name].append(value)
                    seen.add(name)
        n = len(next(iter(values.values()))) if values else 0
        if not n:
            return
        cols = ", ".join(f"unnest($v{i}::VARCHAR[]) AS {_quote(v)}" for i, v in enumerate(values))
        self._insert(f"SELECT {cols}, NULL::VARCHAR AS _bad", {f"v{i}": vs for i, vs in enumerate(values.values())})


def _ltsv_pattern(label: str) -> str:
    return "(?:^|\t)" + re.escape(label) + ":([^\t]*)"


def _safe(key: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_@.-]+", key) is not None


def _ident(name: str) -> str:
    return '"' + name + '"'


def _group_name(i: int, name: str) -> str:
    return name if i == 0 else f"g{i}_{name}"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ingest(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[Input],
    fmt: LogFormat | None,
    progress: bool = False,
) -> AccessIngest:
    """Load access logs into `hits`; the format is detected from the first file if not given."""
    head = first_lines(files[0].path) if files else []
    first_line = head[0] if head else None
    notes: tuple[str, ...] = ()
    confidence: float | None = None
    detected = fmt is None
    if fmt is None:
        if not head:
            raise FpmscopeError(f"{files[0].name}: the access log is empty" if files else "no access log given")
        found = detect(head)
        fmt, confidence, notes = found.fmt, found.confidence, found.notes
    elif fmt.kind == "text" and head:
        confidence = round(score(fmt, head)[0], 3)
    loader = Loader(con, fmt)
    if progress:
        _load_with_progress(loader, files)
    else:
        for item in files:
            loader.load(item.path)
    for item in files:
        loader._note_bad(item.dropped, item.dropped_example)
    loader.finish()
    if loader.parsed == 0:
        raise FpmscopeError(
            f"no line of {', '.join(f.name for f in files)} parses with format {fmt.name} {fmt.source[:200]!r};"
            f" first line: {_show(first_line)}"
        )
    timed = con.execute("SELECT count(rt) FROM hits").fetchone()
    return AccessIngest(
        files=tuple(f.name for f in files),
        format_name=fmt.name,
        format_source=fmt.source,
        parsed=loader.parsed,
        skipped=loader.skipped,
        skipped_example=loader.example,
        columns=loader.columns,
        first_line=first_line,
        detected=detected,
        confidence=confidence,
        timed=int(timed[0]) if timed else 0,
        notes=notes,
    )


def _load_with_progress(loader: Loader, files: Sequence[Input]) -> None:
    """A progress bar on stderr, by bytes, advancing a file at a time (DuckDB reads each file
    in one call); it disappears when done."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    sizes = [f.path.stat().st_size for f in files]
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading", total=sum(sizes))
        for item, size in zip(files, sizes, strict=True):
            bar.update(task, description=f"reading {Path(item.name).name[:40]}")
            loader.load(item.path)
            bar.advance(task, size)


def _show(line: str | None) -> str:
    return repr(line[:EXAMPLE_CHARS]) if line is not None else "(the file is empty)"
