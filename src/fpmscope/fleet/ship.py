"""`fpmscope ship`: live probe and access logs into ClickHouse, nothing lost, nothing doubled.

One loop, one thread: read whole lines from every followed log (fleet.follow) into a buffer;
when it holds `batch_bytes`, or its oldest line waited `batch_seconds`, parse it with the
DuckDB ingest (fleet.rows, as `load` does) and insert it; only once ClickHouse acknowledged
every insert of the batch do the positions advance, in memory and in the checkpoint file.
A batch that fails stays in the buffer and is sent again, with what was read meanwhile,
after 0.5 s, 1 s, 2 s ... up to `max_backoff`; reading stops when the buffer holds
`max_buffer` bytes (plus at most one line), so memory stays bounded however long the
server is away. A crash re-sends at most what was buffered; the rows' identities make the
copy count once. SIGTERM sends what was read, writes the checkpoint and exits.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from fpmscope.accesslog import files as access_files
from fpmscope.accesslog.files import Input
from fpmscope.accesslog.formats import LogFormat
from fpmscope.errors import FpmscopeError
from fpmscope.fleet import checkpoint, rows
from fpmscope.fleet.follow import Followed
from fpmscope.fleet.store import Store, StoreError, connect
from fpmscope.records import FORMAT_TAG, LEGACY_TAG

MiB: Final = 1 << 20
MAX_LINE: Final = 4 * MiB  # the ingest's longest line; a longer one is skipped, counted
# Occurrence counts kept per access log across batches (schema.hit_identity): identical
# lines share their second, so only recent contents can repeat.
SEEN_KEEP: Final = 4096
FIRST_DELAY: Final = 0.5  # seconds before the first retry; doubled after each failure


@dataclass(frozen=True)
class ShipOptions:
    url: str
    logs: tuple[Path, ...]
    checkpoint: Path
    host: str = field(default_factory=socket.gethostname)
    fmt: LogFormat | None = None
    batch_bytes: int = 1 * MiB
    batch_seconds: float = 2.0
    max_buffer: int = 8 * MiB
    poll_seconds: float = 0.2
    max_backoff: float = 30.0
    stop_timeout: float = 10.0  # after SIGTERM, how long the last batch may still be retried


@dataclass
class Stats:
    records: int = 0
    requests: int = 0
    skipped: int = 0
    batches: int = 0
    retries: int = 0


@dataclass
class _Segment:
    log: Followed
    kind: str
    table: str
    names: tuple[str, ...]
    batches: list[rows.Columns]
    seen: Counter[int]
    count: int


class Stopped(Exception):
    """SIGTERM came while the server was unreachable: the batch stays unsent (and unacked)."""


def _kind(data: bytes) -> str:
    """ "probe" if any line of `data` is a probe record (a garbage first line does not make a
    probe log an access log), else "access"."""
    lines = b"\n" + data
    return "probe" if f"\n{FORMAT_TAG}\t".encode() in lines or f"\n{LEGACY_TAG}\t".encode() in lines else "access"


def _check_readable(path: Path) -> None:
    """FpmscopeError (exit 2) for a log that is there but cannot be read: a daemon that
    would wait for it forever helps no one."""
    if path.is_dir():
        raise FpmscopeError(f"{path}: is a directory, not a log")
    try:
        with path.open("rb"):
            pass
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FpmscopeError(f"{path}: cannot read: {exc.strerror}") from None


def _say(text: str) -> None:
    print(f"fpmscope ship: {text}", file=sys.stderr, flush=True)


class Shipper:
    def __init__(self, options: ShipOptions, stop: threading.Event, say: Callable[[str], None] = _say) -> None:
        self.o = options
        self.stop = stop
        self.say = say
        self.stats = Stats()
        self.logs = [Followed(p.absolute()) for p in options.logs]
        self.buffers: dict[int, bytearray] = {i: bytearray() for i in range(len(self.logs))}
        self.buffered = 0
        self.oldest: float | None = None
        self.store: Store | None = None
        self.formats: dict[int, LogFormat] = {}
        self.stop_deadline: float | None = None
        self.paused = False  # the buffer reached max_buffer
        self.retry_at: float | None = None  # a batch failed: when to try it again
        self.delay = FIRST_DELAY

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        """Ship until stopped; 0 when everything read was acknowledged, 1 if not."""
        with checkpoint.locked(self.o.checkpoint), tempfile.TemporaryDirectory(prefix="fpmscope-ship-") as tmp:
            self.tmp = Path(tmp)
            saved = checkpoint.load(self.o.checkpoint)
            for log in self.logs:
                pos = saved.get(str(log.path))
                if pos is not None:
                    log.resume(pos.ident, pos.offset, pos.seen)
            self.say(f"following {len(self.logs)} log(s) into {self.o.url}")
            for log in self.logs:
                _check_readable(log.path)
                if not log.path.exists():
                    self.say(f"{log.path} does not exist yet: waiting for it")
            try:
                self._loop()
            except Stopped:
                self.say(f"stopped with {self.buffered:,} bytes unsent; they are sent at the next start")
                return 1
            finally:
                for log in self.logs:
                    log.close()
                if self.store is not None:
                    self.store.close()
        return 0

    def _loop(self) -> None:
        while True:
            stopping = self.stop.is_set()
            if stopping and self.stop_deadline is None:
                self.stop_deadline = time.monotonic() + self.o.stop_timeout
            got, switch = (False, False) if stopping else self._read()
            now = time.monotonic()
            if self.buffered and (self.retry_at is None or now >= self.retry_at):
                due = (
                    switch
                    or stopping
                    or self.retry_at is not None
                    or self.buffered >= self.o.batch_bytes
                    or now - (self.oldest or now) >= self.o.batch_seconds
                )
                if due:
                    self._flush()
                    continue
            if not self.buffered and self._switch():
                continue
            if stopping and not self.buffered:
                self._save()
                return
            if not got:
                wait = self.o.poll_seconds
                if self.retry_at is not None:
                    wait = max(0.0, min(wait, self.retry_at - now))
                # Once stopping, the event no longer waits: sleep.
                (time.sleep if stopping else self.stop.wait)(wait)

    def _read(self) -> tuple[bool, bool]:
        """Read what the logs hold, up to the buffer's cap; (read anything, a switch waits)."""
        got = switch = False
        for i, log in enumerate(self.logs):
            if log.switch_due():
                switch = switch or bool(self.buffers[i])
                continue
            room = self.o.max_buffer - self.buffered
            limit = min(room, self.o.batch_bytes)
            data = log.read(limit) if room > 0 else b""
            if room <= 0 or (log.blocked and limit < self.o.batch_bytes):
                # The buffer is full (the next line does not fit): read no more until it is sent.
                if not self.paused:
                    self.paused = True
                    self.say(f"buffer full ({self.buffered:,} bytes): reading paused until ClickHouse takes it")
                break
            if log.blocked:  # a line longer than a read: alone in a batch, up to MAX_LINE
                if self.buffered:
                    switch = True  # send what is buffered first
                    continue
                data = log.read(MAX_LINE + 1)
                if log.blocked:
                    self._skip_line(log)
                    continue
            if data:
                if log.kind is None:
                    log.kind = _kind(data)
                self.buffers[i] += data
                self.buffered += len(data)
                self.oldest = self.oldest or time.monotonic()
                got = True
        return got, switch

    def _skip_line(self, log: Followed) -> None:
        """Step over a line longer than MAX_LINE (counted as skipped), once it has ended."""
        assert log.file is not None
        log.file.seek(log.pos)
        skipped = 0
        while chunk := log.file.read(MiB):
            end = chunk.find(b"\n")
            if end >= 0:
                log.pos += skipped + end + 1
                self.stats.skipped += 1
                self.say(f"{log.path}: skipped a line longer than {MAX_LINE // MiB} MiB")
                return
            skipped += len(chunk)

    def _switch(self) -> bool:
        """Move every log whose rotated file is done (and sent) to its new file."""
        moved = False
        for i, log in enumerate(self.logs):
            if not self.buffers[i] and log.switch_due():
                log.switch()
                log.acked_id, log.acked = log.ident, 0
                moved = True
        if moved:
            self._save()
        return moved

    # --- sending -------------------------------------------------------------------------

    def _flush(self) -> None:
        """Send everything buffered as one batch. On success the positions advance and the
        checkpoint is written; on failure the batch stays buffered (reading goes on up to the
        cap) and is tried again after the next backoff delay."""
        segments = [self._parse(i, bytes(buf)) for i, buf in self.buffers.items() if buf]
        try:
            self._send(segments)
        except StoreError as exc:
            if self.store is not None:
                self.store.close()
            self.store = None
            self.stats.retries += 1
            now = time.monotonic()
            if self.stop_deadline is not None and now + self.delay > self.stop_deadline:
                raise Stopped from None
            self.say(f"{exc}; retrying in {self.delay:g} s")
            self.retry_at = now + self.delay
            self.delay = min(self.delay * 2, self.o.max_backoff)
            return
        self.retry_at, self.delay = None, FIRST_DELAY
        for segment in segments:
            log = segment.log
            log.acked_id, log.acked = log.ident, log.pos
            log.seen = Counter(dict(list(segment.seen.items())[-SEEN_KEEP:]))
            if segment.kind == "probe":
                self.stats.records += segment.count
            else:
                self.stats.requests += segment.count
        for buf in self.buffers.values():
            buf.clear()
        self.buffered, self.oldest, self.paused = 0, None, False
        self.stats.batches += 1
        self._save()

    def _send(self, segments: list[_Segment]) -> None:
        if self.store is None:
            self.store = connect(self.o.url)
        for segment in segments:
            for columns in segment.batches:
                self.store.insert_columns(segment.table, segment.names, columns)

    def _parse(self, i: int, data: bytes) -> _Segment:
        """The lines read from log `i`, as the DuckDB ingest parses them."""
        log = self.logs[i]
        part = self.tmp / f"batch-{i}.log"
        part.write_bytes(data)
        source = f"{socket.gethostname()}:{log.path}"
        seen = Counter(log.seen)
        table, names = rows.table_of(log.kind or "access")
        try:
            if log.kind == "probe":
                parsed = rows.parse_probe(part, source)
            else:
                fmt = self.formats.get(i)
                if fmt is None:
                    fmt = self.formats[i] = rows.access_format(log.path if log.path.exists() else part, self.o.fmt)
                # As `load` and `slow` read it: lines with a bare CR or a NUL left out, counted.
                item = access_files.prepare(str(part), self.tmp, i)
                item = Input(str(log.path), item.path, item.dropped, item.dropped_example)
                parsed = rows.parse_access(item, fmt, self.o.host, source, seen=seen)
            batches = list(parsed.batches)
        except StoreError:
            raise
        except FpmscopeError as exc:  # not one line of the batch parses: all skipped
            lines = data.count(b"\n")
            self.stats.skipped += lines
            self.say(f"{log.path}: skipped {lines} malformed line(s): {exc}")
            return _Segment(log, log.kind or "access", table, tuple(names), [], seen, 0)
        if parsed.skipped:
            self.stats.skipped += parsed.skipped
            self.say(f"{log.path}: skipped {parsed.skipped} malformed line(s), first: {parsed.skipped_example!r}")
        return _Segment(log, parsed.kind, table, tuple(names), batches, seen, parsed.rows)

    def _save(self) -> None:
        positions = {str(log.path): checkpoint.Position(log.acked_id, log.acked, log.seen) for log in self.logs}
        checkpoint.save(self.o.checkpoint, positions)
