"""`fpmscope install` / `fpmscope uninstall`: enable or disable the probe in an FPM pool file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fpmscope.fpm import install as fpm_install
from fpmscope.probe import probe_path

F = TypeVar("F", bound=Callable[..., Any])


def _common(f: F) -> F:
    f = click.option(
        "--logrotate-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=fpm_install.DEFAULT_LOGROTATE_DIR,
        show_default=True,
        help="Where the logrotate snippet goes (skipped when the directory does not exist).",
    )(f)
    f = click.option(
        "--fpm-conf",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="Main php-fpm.conf to validate (default: the pool file's, found from its layout).",
    )(f)
    f = click.option("--fpm-bin", help="php-fpm binary used for `-t` and `-i` (default: found on PATH).")(f)
    return click.option(
        "--pool",
        "pool_file",
        required=True,
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="Pool file (pool.d/www.conf) or a php-fpm.conf with [pool] sections.",
    )(f)


@click.command()
@_common
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=fpm_install.DEFAULT_LOG_DIR,
    show_default=True,
    help="Directory for the probe logs, one POOL.log per pool (created 0750, owned by the pool user).",
)
@click.option("--name", "names", multiple=True, help="Only this pool of the file (repeatable; default: all).")
@click.option(
    "--probe",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="probe.php to enable (default: the one installed with fpmscope).",
)
@click.option("--dry-run", is_flag=True, help="Show the diff and the logrotate snippet; change nothing.")
def install(
    *,
    pool_file: Path,
    fpm_bin: str | None,
    fpm_conf: Path | None,
    logrotate_dir: Path,
    log_dir: Path,
    names: tuple[str, ...],
    probe: Path | None,
    dry_run: bool,
) -> None:
    """Enable the probe in an FPM pool file, chaining any existing auto_prepend_file.

    Keeps a backup (FILE.fpmscope.bak), validates with `php-fpm -t` and restores the file when
    that fails. Running it again changes nothing; `fpmscope uninstall` restores the file byte
    for byte.
    """
    plan = fpm_install.plan_install(
        pool_file,
        names=names,
        log_dir=Path(os.path.abspath(log_dir)),
        probe=Path(os.path.abspath(probe or probe_path())),
        fpm_bin=fpm_bin,
        fpm_conf=fpm_conf,
        logrotate_dir=logrotate_dir,
    )
    for warning in plan.warnings:
        click.echo(f"fpmscope: warning: {warning}", err=True)
    if not plan.changes:
        click.echo(f"{pool_file}: the probe is already enabled; nothing changed", err=True)
        return
    click.echo(fpm_install.diff(plan), nl=False)
    for pool in plan.pools:
        if pool.chain:
            click.echo(f"pool [{pool.name}]: chains the existing prepend {pool.chain} (it runs after measuring starts)")
    if dry_run:
        for pool in plan.pools:
            click.echo(f"# logrotate snippet ({pool.logrotate}):")
            click.echo(fpm_install.logrotate_text(pool), nl=False)
        click.echo("dry run: nothing changed", err=True)
        return
    fpm_install.apply_install(plan)
    click.echo(f"Wrote {pool_file} (backup: {plan.backup}); php-fpm -t passed", err=True)
    for pool in plan.pools:
        where = f"Wrote {pool.logrotate}" if pool.logrotate.exists() else f"no {pool.logrotate.parent}; skipped"
        click.echo(f"pool [{pool.name}]: logs to {pool.log}; logrotate: {where}", err=True)
    click.echo(f"Now reload php-fpm: {plan.reload}")
    click.echo(f"Then verify: fpmscope check --pool {pool_file}")


@click.command()
@_common
def uninstall(pool_file: Path, fpm_bin: str | None, fpm_conf: Path | None, logrotate_dir: Path) -> None:
    """Disable the probe in an FPM pool file, restoring what install changed, byte for byte."""
    plan = fpm_install.plan_uninstall(pool_file, fpm_bin=fpm_bin, fpm_conf=fpm_conf, logrotate_dir=logrotate_dir)
    if not plan.changes:
        click.echo(f"{pool_file}: the probe is not enabled; nothing changed", err=True)
        return
    click.echo(fpm_install.diff(plan), nl=False)
    matched = fpm_install.apply_uninstall(plan)
    if matched:
        note = "identical to the backup, which was removed"
    elif plan.backup.exists():
        note = f"kept {plan.backup}: it differs (the file was edited since install)"
    else:
        note = "no backup to compare with"
    click.echo(f"Wrote {pool_file}; php-fpm -t passed; {note}", err=True)
    click.echo(f"Now reload php-fpm: {plan.reload}")
