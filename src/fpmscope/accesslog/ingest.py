"""Access logs (plain or gzip, many files, `-` for stdin) into a DuckDB table `hits`.

Three readers, fastest first:
- CSV layout (combined-style formats): DuckDB's CSV reader, space-delimited, `"`-quoted;
- any other format: whole lines read as one column and split by DuckDB's regexp_extract;
- JSON lines (nginx escape=json): DuckDB's JSON reader with the keys as columns.
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

from fpmscope.accesslog.detect import json_format, sniff
from fpmscope.accesslog.files import first_lines, open_lines
from fpmscope.accesslog.formats import AUTO_ORDER, CsvColumn, LogFormat
from fpmscope.errors import FpmscopeError
from fpmscope.inputs import gunzip, is_gzip, truncated_note

MAX_LINE: Final = 4 * 1024 * 1024
EXAMPLE_CHARS: Final = 160

HITS_COLUMNS: Final = (
    ("method", "VARCHAR"),
    ("path", "VARCHAR"),
    ("status", "SMALLINT"),
    ("bytes", "BIGINT"),
    ("rt", "DOUBLE"),
    ("upstream", "DOUBLE"),
    ("ts", "TIMESTAMPTZ"),
    ("request_id", "VARCHAR"),
)
# Bookkeeping columns after HITS_COLUMNS: whether the row is a request, and if not its text.
HITS_EXTRA: Final = (("ok", "BOOLEAN"), ("bad_text", "VARCHAR"))

# Report columns -> the variables that can feed them, best first, and how to convert each.
# `{v}` is the quoted column of the variable; the SQL text is fixed, never from log content.
_NUM = "TRY_CAST(nullif({v}, '-') AS DOUBLE)"
_MULTI_SUM = (
    "CASE WHEN {v} IS NULL OR {v} = '-' THEN NULL"
    " WHEN contains({v}, ',') OR contains({v}, ':')"
    " THEN list_sum(list_transform(regexp_split_to_array({v}, '\\s*[,:]\\s*'), lambda x: TRY_CAST(x AS DOUBLE)))"
    " ELSE TRY_CAST({v} AS DOUBLE) END"
)
SOURCES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "method": (("request_method", "{v}"), ("request", "split_part({v}, ' ', 1)")),
    "path": (
        ("uri", "split_part({v}, '?', 1)"),
        ("request_uri", "split_part({v}, '?', 1)"),
        ("request", "split_part(split_part({v}, ' ', 2), '?', 1)"),
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
    ),
    "upstream": (("upstream_response_time", _MULTI_SUM),),
    "ts": (
        ("time_local", "try_strptime({v}, '%d/%b/%Y:%H:%M:%S %z')"),
        ("time_iso8601", "TRY_CAST({v} AS TIMESTAMPTZ)"),
        ("msec", "to_timestamp(TRY_CAST({v} AS DOUBLE))"),
    ),
    "request_id": (("request_id", "nullif({v}, '-')"), ("http_x_request_id", "nullif({v}, '-')")),
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


def create_hits(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    columns = ", ".join(f"{n} {t}" for n, t in HITS_COLUMNS + HITS_EXTRA)
    con.execute(f"CREATE TABLE hits ({columns})")
    return con


def connect() -> duckdb.DuckDBPyConnection:
    return create_hits(duckdb.connect(":memory:"))


def _quote(name: str) -> str:
    return '"v_' + name.replace('"', "") + '"'


def _canonical_select(fmt: LogFormat) -> tuple[str, tuple[str, ...]]:
    """SELECT list mapping variable columns to HITS_COLUMNS; the report columns provided."""
    available = set(fmt.variables)
    exprs, provided = [], []
    for column, _ in HITS_COLUMNS:
        expr = "NULL"
        for var, template in SOURCES[column]:
            if var in available:
                expr = template.format(v=_quote(var))
                provided.append(column)
                break
        exprs.append(f"{expr} AS {column}")
    return ", ".join(exprs), tuple(provided)


def _validity(fmt: LogFormat) -> str:
    """A row is a request when its status is an HTTP status and its time (if any) a number."""
    checks = ["status BETWEEN 100 AND 999"] if "status" in fmt.variables else ["path IS NOT NULL"]
    for var, _ in SOURCES["rt"]:
        if var in fmt.variables:
            checks.append(f"(rt IS NOT NULL OR coalesce({_quote(var)}, '-') = '-')")
            break
    return " AND ".join(checks)


def _csv_var_exprs(layout: tuple[CsvColumn, ...], needed: set[str]) -> str:
    parts: dict[str, list[str]] = {}
    for i, col in enumerate(layout):
        if col.var is None or col.var not in needed:
            continue
        expr = f"c{i}"
        if col.cut_start or col.cut_end:
            end = f"-{col.cut_end + 1}" if col.cut_end else ""  # DuckDB slices include the end
            expr = f"c{i}[{col.cut_start + 1}:{end}]"
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
        self.layout = fmt.csv_layout() if fmt.tokens else None
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
        try:
            self._insert(self._reader_sql(), {"path": str(path), "compression": compression})
        except duckdb.Error as exc:
            if compression == "gzip":
                raise
            first = str(exc).strip().splitlines()[0]
            raise FpmscopeError(f"{shown or path}: cannot read as an access log: {first}") from None
        rejected = self._rejected_lines()
        misread: list[int] = []
        if self.layout is not None and not self.fmt.json_keys:
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

    def _reader_sql(self) -> str:
        common = (
            "header = false, auto_detect = false, ignore_errors = true, store_rejects = true,"
            f" max_line_size = {MAX_LINE}, compression = $compression"
        )
        if self.fmt.json_keys:
            cols = ", ".join(f"'{k}': 'VARCHAR'" for k, _ in self.fmt.json_keys if _safe(k))
            used = [(k, v) for k, v in self.fmt.json_keys if _safe(k) and v in self.needed]
            by_var: dict[str, list[str]] = {}
            for k, v in used:
                by_var.setdefault(v, []).append(f"nullif(\"{k}\", '-')")
            # Several keys may carry one variable (response_time, request_time): the first set wins.
            keys = ", ".join(f"coalesce({', '.join(ks)}) AS {_quote(v)}" for v, ks in by_var.items())
            empty = " AND ".join(f'"{k}" IS NULL' for k, _ in used)
            return (
                f"SELECT {keys}, CASE WHEN {empty} THEN '(not a JSON object with known keys)' END AS _bad"
                f" FROM read_json($path, format = 'newline_delimited', ignore_errors = true,"
                f" compression = $compression, columns = {{{cols}}})"
            )
        if self.layout is not None:
            cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.layout)))
            exprs = _csv_var_exprs(self.layout, set(self.needed))
            return (
                f"SELECT {exprs}, NULL::VARCHAR AS _bad FROM read_csv($path, delim = ' ', quote = '\"', escape = '\"',"
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
        return (
            f"SELECT {cols}, CASE WHEN m._all = '' THEN line END AS _bad FROM ("
            f"SELECT line, {struct} AS m FROM read_csv($path, delim = '', quote = '', escape = '',"
            f" strict_mode = false, {common}, columns = {{'line': 'VARCHAR'}}))"
        )

    def _rejected_lines(self) -> list[int]:
        if self.fmt.json_keys:
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
        assert self.py_regex is not None
        for number, raw in enumerate(open_lines(path), 1):
            if number not in wanted:
                if not raw.strip(b" \t"):
                    continue
                accepted += 1
                if accepted not in misread:
                    continue
            text = raw.decode("utf-8", "replace").replace("\x00", "\ufffd")
            m = self.py_regex.match(text) if len(raw) <= MAX_LINE else None
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
    files: Sequence[tuple[str, Path]],
    fmt: LogFormat | None,
    progress: bool = False,
) -> AccessIngest:
    """Load access logs into `hits`; the format is detected from the first file if not given."""
    head = first_lines(files[0][1]) if files else []
    first_line = head[0] if head else None
    if fmt is None:
        fmt = json_format(head) if head and head[0].lstrip().startswith("{") else sniff(head)
        if fmt is None:
            raise FpmscopeError(
                f"{files[0][0]}: no known access-log format matches its first line {_show(first_line)};"
                f" tried presets {', '.join(AUTO_ORDER)}. Give its format with --log-format or --nginx-conf"
            )
    loader = Loader(con, fmt)
    if progress:
        _load_with_progress(loader, files)
    else:
        for _, path in files:
            loader.load(path)
    loader.finish()
    if loader.parsed == 0:
        raise FpmscopeError(
            f"no line of {', '.join(n for n, _ in files)} parses with format {fmt.name} {fmt.source[:200]!r};"
            f" first line: {_show(first_line)}"
        )
    return AccessIngest(
        files=tuple(n for n, _ in files),
        format_name=fmt.name,
        format_source=fmt.source,
        parsed=loader.parsed,
        skipped=loader.skipped,
        skipped_example=loader.example,
        columns=loader.columns,
        first_line=first_line,
    )


def _load_with_progress(loader: Loader, files: Sequence[tuple[str, Path]]) -> None:
    """A progress bar on stderr, by bytes, advancing a file at a time (DuckDB reads each file
    in one call); it disappears when done."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    sizes = [p.stat().st_size for _, p in files]
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading", total=sum(sizes))
        for (name, path), size in zip(files, sizes, strict=True):
            bar.update(task, description=f"reading {Path(name).name[:40]}")
            loader.load(path)
            bar.advance(task, size)


def _show(line: str | None) -> str:
    return repr(line[:EXAMPLE_CHARS]) if line is not None else "(the file is empty)"
