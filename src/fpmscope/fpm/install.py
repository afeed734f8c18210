"""Enable and disable the probe in a real pool file: plan (pure reads), then apply.

Apply keeps a backup, writes the file atomically with its old owner and mode, validates the
whole FPM configuration with `php-fpm -t` and puts the old file back when that fails.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpmscope.errors import FpmscopeError
from fpmscope.fpm import poolconf, system

BACKUP_SUFFIX = ".fpmscope.bak"
DEFAULT_LOG_DIR = Path("/var/log/fpmscope")
DEFAULT_LOGROTATE_DIR = Path("/etc/logrotate.d")


@dataclass(frozen=True, slots=True)
class PoolPlan:
    name: str
    account: system.Account
    log: Path
    chain: str | None
    logrotate: Path


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything install or uninstall will do, decided before anything is touched."""

    path: Path
    original: str
    edited: str
    pools: tuple[PoolPlan, ...]
    fpm_bin: str
    main_conf: Path | None  # None: validate through a temporary wrapper config
    reload: str
    warnings: tuple[str, ...]

    @property
    def changes(self) -> bool:
        return self.edited != self.original

    @property
    def backup(self) -> Path:
        return self.path.with_name(self.path.name + BACKUP_SUFFIX)


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise FpmscopeError(f"cannot read {path}: {exc.strerror}") from None


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def diff(plan: Plan) -> str:
    lines = difflib.unified_diff(
        poolconf.split_lines(plan.original),
        poolconf.split_lines(plan.edited),
        fromfile=f"{plan.path} (before)",
        tofile=f"{plan.path} (after)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _main_conf(path: Path, text: str, override: Path | None) -> Path | None:
    """The php-fpm.conf that loads this pool file (what a reload reads)."""
    if override is not None:
        return override
    if poolconf.is_global_config(text):
        return path
    debian = path.parent.parent / "php-fpm.conf"
    if path.parent.name == "pool.d" and debian.exists():
        return debian
    return None


def _pools(text: str, path: Path, names: Sequence[str]) -> list[poolconf.Pool]:
    try:
        pools = poolconf.parse(text)
        if not pools:
            included = poolconf.global_value(text, "include")
            hint = f"; its pools are in the included files ({included})" if included else ""
            raise FpmscopeError(f"{path}: no pool section ([name]) found{hint}")
        chosen = poolconf.select(pools, names)
    except ValueError as exc:
        raise FpmscopeError(f"{path}: {exc}") from None
    for pool in chosen:
        if pool.includes:
            raise FpmscopeError(
                f"{path}: pool [{pool.name}] reads include = {pool.includes[0]} in its middle, which may set "
                "its prepend too; fpmscope cannot see it: move those settings into this file, or install by hand"
            )
    return chosen


def _one_owner_per_log_dir(plans: Sequence[PoolPlan]) -> None:
    """The log dir is made 0750 for one pool user; pools of other users could not write to it.
    Checked while planning, so a dry run fails the way the real run would, before any file."""
    for plan in plans:
        other = next((p for p in plans if p.log.parent == plan.log.parent and p.account != plan.account), None)
        if other is not None:
            raise FpmscopeError(
                f"pools [{plan.name}] (user {plan.account.user}) and [{other.name}] (user {other.account.user}) "
                f"would share the log dir {plan.log.parent}, which is writable by one user only; install them "
                "one at a time with --name POOL and a --log-dir each"
            )
        log_dir = plan.log.parent
        if log_dir.exists():
            obstacle = system.can_access(log_dir, plan.account, 3)
            if obstacle:
                raise FpmscopeError(f"pool [{plan.name}]: the log must be writable by {plan.account.user}: {obstacle}")


def plan_install(
    given: Path,
    *,
    names: Sequence[str],
    log_dir: Path,
    probe: Path,
    fpm_bin: str | None,
    fpm_conf: Path | None,
    logrotate_dir: Path,
    sample: float | None = None,
) -> Plan:
    # A symlinked pool file is edited at its target, so the link stays a link.
    path = Path(os.path.realpath(given))
    text = read_text(path)
    binary = system.fpm_binary(fpm_bin)
    ini = system.ini_values(binary, "auto_prepend_file", "open_basedir")
    warnings = []
    plans = []
    settings = {}
    for pool in _pools(text, path, names):
        who = system.account(pool.get("user"), pool.get("group"))
        log = log_dir / f"{pool.name}.log"
        chain = poolconf.existing_prepend(pool) or ini["auto_prepend_file"]
        if chain is not None and Path(chain).resolve() == probe.resolve():
            chain = None
        basedir = pool.get(*poolconf.OPEN_BASEDIR_KEYS) or ini["open_basedir"]
        for what, target in (("the probe", str(probe)), ("the log dir", str(log_dir) + "/")):
            if not system.within(target, basedir):
                raise FpmscopeError(
                    f"pool [{pool.name}]: {what} {target} is outside open_basedir ({basedir}); "
                    f"add {Path(target).parent if what == 'the probe' else log_dir}/ to it first, "
                    "or every request would fail"
                )
        if not system.within("/proc/self/statm", basedir):
            warnings.append(
                f"pool [{pool.name}]: open_basedir ({basedir}) excludes /proc: memory fields will be empty "
                "(add /proc/ to open_basedir to measure them)"
            )
        obstacle = system.can_access(probe, who, 4)
        if obstacle:
            raise FpmscopeError(
                f"pool [{pool.name}]: the probe must be readable by {who.user}: {obstacle}; copy it to a "
                "readable place (e.g. /usr/local/share/fpmscope/probe.php, mode 0644) and pass --probe FILE"
            )
        if not pool.installed:
            settings[pool.name] = poolconf.ProbeSettings(str(probe), str(log), chain, sample)
        plans.append(PoolPlan(pool.name, who, log, chain, logrotate_dir / f"fpmscope-{pool.name}"))
    _one_owner_per_log_dir([p for p in plans if p.name in settings])
    try:
        edited = poolconf.install(text, list(settings), settings)
    except ValueError as exc:
        raise FpmscopeError(f"{path}: {exc}") from None
    main = _main_conf(given, text, fpm_conf)
    pid = poolconf.global_value(read_text(main), "pid") if main else None
    reload = system.reload_command(binary, main, pid)
    return Plan(path, text, edited, tuple(plans), binary, main, reload, tuple(warnings))


def plan_uninstall(given: Path, *, fpm_bin: str | None, fpm_conf: Path | None, logrotate_dir: Path) -> Plan:
    path = Path(os.path.realpath(given))
    text = read_text(path)
    binary = system.fpm_binary(fpm_bin)
    try:
        pools = [p for p in poolconf.parse(text) if p.installed]
        edited = poolconf.uninstall(text)
    except ValueError as exc:
        raise FpmscopeError(f"{given}: {exc}") from None
    plans = tuple(
        PoolPlan(
            p.name,
            system.account(None, None),
            Path(p.get("env[FPMSCOPE_LOG]") or ""),
            None,
            logrotate_dir / f"fpmscope-{p.name}",
        )
        for p in pools
    )
    main = _main_conf(given, text, fpm_conf)
    pid = poolconf.global_value(read_text(main), "pid") if main else None
    reload = system.reload_command(binary, main, pid)
    return Plan(path, text, edited, plans, binary, main, reload, ())


def logrotate_text(pool: PoolPlan) -> str:
    return poolconf.logrotate_snippet([str(pool.log)], pool.account.user, pool.account.group)


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` by a file with `data`, keeping its owner and mode."""
    st = path.stat()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".fpmscope-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, st.st_mode & 0o7777)
        with contextlib.suppress(PermissionError):
            os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _config_to_test(plan: Plan) -> Iterator[Path]:
    if plan.main_conf is not None:
        yield plan.main_conf
        return
    with tempfile.TemporaryDirectory(prefix="fpmscope-check-") as tmp:
        wrapper = Path(tmp) / "php-fpm.conf"
        # php-fpm resolves a relative include against its prefix (/usr), not our cwd.
        wrapper.write_text(f'[global]\nerror_log = /dev/null\ninclude = "{plan.path.resolve()}"\n')
        yield wrapper


def _write_validated(plan: Plan, data: bytes) -> None:
    """Write the new text; on a failed `php-fpm -t` put the old bytes back and fail."""
    _write_atomic(plan.path, data)
    with _config_to_test(plan) as conf:
        ok, said = system.validate(plan.fpm_bin, conf)
    if not ok:
        _write_atomic(plan.path, encode(plan.original))
        raise FpmscopeError(f"php-fpm -t failed, {plan.path} left unchanged: {said}", exit_code=1)


def _prepare_log(pool: PoolPlan, created: list[Path]) -> None:
    """Log dir 0750 and log file 0640, owned by the pool user; never through a symlink.
    What it creates is appended to `created`, so a failed install can take it back."""
    who = pool.account
    log_dir = pool.log.parent
    try:
        if not log_dir.exists():
            first_missing = log_dir
            while not first_missing.parent.exists():
                first_missing = first_missing.parent
            log_dir.mkdir(mode=0o750, parents=True)
            created.append(first_missing)
            shutil.chown(log_dir, who.user, who.group)
        if system.is_symlink(pool.log):
            raise FpmscopeError(f"{pool.log} is a symlink; the probe will not write through it; remove it")
        if not pool.log.exists():
            fd = os.open(pool.log, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
            os.close(fd)
            created.append(pool.log)
            os.chmod(pool.log, 0o640)
            shutil.chown(pool.log, who.user, who.group)
    except OSError as exc:
        raise FpmscopeError(f"cannot prepare {pool.log}: {exc.strerror}") from None
    obstacle = system.can_access(log_dir, who, 3) or system.can_access(pool.log, who, 2)
    if obstacle:
        raise FpmscopeError(f"pool [{pool.name}]: the log must be writable by {who.user}: {obstacle}")


def _take_back(created: Sequence[Path]) -> None:
    """Remove what a failed install created, newest first (a log file before its dir)."""
    for path in reversed(created):
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def apply_install(plan: Plan) -> None:
    """Logs, backup, the edited file and the logrotate snippets; on any failure, what was
    created is removed again and the pool file is left as it was."""
    if not plan.changes:
        return
    created: list[Path] = []
    try:
        for pool in plan.pools:
            _prepare_log(pool, created)
        try:
            plan.backup.write_bytes(encode(plan.original))
        except OSError as exc:
            raise FpmscopeError(f"cannot write the backup {plan.backup}: {exc.strerror}") from None
        created.append(plan.backup)
        _write_validated(plan, encode(plan.edited))
    except BaseException:
        _take_back(created)
        raise
    for pool in plan.pools:
        if pool.logrotate.parent.is_dir():
            pool.logrotate.write_text(logrotate_text(pool))


def apply_uninstall(plan: Plan) -> bool:
    """Restore the file; True when the backup matched (and so was removed)."""
    if not plan.changes:
        return False
    _write_validated(plan, encode(plan.edited))
    for pool in plan.pools:
        with contextlib.suppress(FileNotFoundError):
            pool.logrotate.unlink()
    if plan.backup.exists() and plan.backup.read_bytes() == encode(plan.edited):
        plan.backup.unlink()
        return True
    return False
