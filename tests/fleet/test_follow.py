"""Following a log across logrotate's rename and copytruncate, whole lines only (no ClickHouse)."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

from fpmscope.fleet import follow
from fpmscope.fleet.follow import Followed


def drain(log: Followed) -> bytes:
    """Everything readable now, following one pending rotation."""
    out = b""
    while True:
        data = log.read(1 << 16)
        if data:
            out += data
            continue
        if log.draining and not log.path.exists():
            return out
        if log.switch_due():
            log.switch()
            continue
        return out


def test_half_written_last_line_waits_until_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_bytes(b"one\ntw")
    log = Followed(path)
    assert drain(log) == b"one\n"
    with path.open("ab") as f:
        f.write(b"o\nthree\n")
    assert drain(log) == b"two\nthree\n"
    log.close()


def test_rename_rotation_reads_the_old_file_to_its_end_then_the_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(follow, "ROTATE_GRACE", 0.0)
    path = tmp_path / "a.log"
    path.write_bytes(b"1\n2\n")
    log = Followed(path)
    assert drain(log) == b"1\n2\n"
    path.rename(tmp_path / "a.log.1")
    with (tmp_path / "a.log.1").open("ab") as f:
        f.write(b"3\n")  # the writer had not reopened yet
    path.write_bytes(b"4\n")
    assert drain(log) == b"3\n4\n"
    log.close()


def test_a_rotated_files_unfinished_last_line_is_read_once_then_the_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(follow, "ROTATE_GRACE", 0.0)
    path = tmp_path / "a.log"
    path.write_bytes(b"1\n2")
    log = Followed(path)
    assert drain(log) == b"1\n"
    path.rename(tmp_path / "a.log.1")  # the writer died mid-line, then the log rotated
    path.write_bytes(b"3\n")
    assert drain(log) == b"2\n3\n"
    log.close()


def test_copytruncate_reads_the_rest_from_the_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follow, "ROTATE_GRACE", 0.0)
    path = tmp_path / "a.log"
    path.write_bytes(b"1\n2\n")
    log = Followed(path)
    assert drain(log) == b"1\n2\n"
    with path.open("ab") as f:
        f.write(b"3\n")
    shutil.copy(path, tmp_path / "a.log.1")
    os.truncate(path, 0)
    with path.open("ab") as f:
        f.write(b"4444444444\n")  # longer than what was read: the size alone would not tell
    assert drain(log) == b"3\n4444444444\n"
    log.close()


def test_restart_finds_the_checkpointed_file_rotated_and_compressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(follow, "ROTATE_GRACE", 0.0)
    path = tmp_path / "a.log"
    path.write_bytes(b"1\n2\n")
    first = Followed(path)
    assert drain(first) == b"1\n2\n"
    ident, offset = first.ident, first.pos
    first.close()
    with path.open("ab") as f:
        f.write(b"3\n")
    with path.open("rb") as src, gzip.open(tmp_path / "a.log.1.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    path.unlink()
    path.write_bytes(b"4\n")
    again = Followed(path)
    again.resume(ident, offset, again.seen)
    assert drain(again) == b"3\n4\n"
    again.close()


def test_checkpoint_round_trips_and_refuses_a_second_shipper_and_garbage(tmp_path: Path) -> None:
    from collections import Counter

    from fpmscope.errors import FpmscopeError
    from fpmscope.fleet import checkpoint
    from fpmscope.fleet.follow import FileId

    path = tmp_path / "state" / "ship.json"
    ident = FileId(dev=1, ino=2, fp="ab", fp_len=2)
    positions = {
        "/var/log/a.log": checkpoint.Position(ident, 42, Counter({2**64 - 1: 3})),
        "/b": checkpoint.Position(None, 0, Counter()),
    }
    with checkpoint.locked(path):
        checkpoint.save(path, positions)
        with pytest.raises(FpmscopeError, match="another fpmscope ship"), checkpoint.locked(path):
            pass
    assert checkpoint.load(path) == positions
    assert checkpoint.load(tmp_path / "none.json") == {}
    path.write_text("{not json")
    with pytest.raises(FpmscopeError, match="cannot read it"):
        checkpoint.load(path)
