"""install/uninstall on pool files edited by hand or shaped unusually, with the real php-fpm -t:
the right pool is edited and uninstall restores the bytes, or the file is refused untouched."""

from __future__ import annotations

import os

from fpmscope.fpm import poolconf
from tests.e2e.test_install import Site, run, site

__all__ = ["site"]


def two_pools(s: Site, second_user: str = "www-data", second_header: str = "[beta] ; shop") -> bytes:
    return (
        f"[alpha]\nuser = www-data\nlisten = 127.0.0.1:{s.fpm_port}\npm = static\npm.max_children = 1\n\n"
        f"{second_header}\nuser = {second_user}\nlisten = 127.0.0.1:{s.fpm_port + 1}\npm = static\n"
        f"pm.max_children = 1\nphp_admin_value[auto_prepend_file] = {s.root}/app/prepend.php\n"
    ).encode()


def uninstall_args(s: Site) -> list[str]:
    return ["--pool", str(s.pool_file), "--logrotate-dir", str(s.logrotate)]


def test_a_header_with_a_comment_gets_its_own_block(site: Site) -> None:
    site.pool_file.write_bytes(two_pools(site))
    code, _, err = run("install", *site.install_args())
    assert code == 0, err
    pools = {p.name: p for p in poolconf.parse(site.pool_file.read_text())}
    assert pools["alpha"].get("env[FPMSCOPE_CHAIN]") is None
    assert pools["beta"].get("env[FPMSCOPE_CHAIN]") == f"{site.root}/app/prepend.php"
    assert pools["beta"].get("env[FPMSCOPE_POOL]") == "beta"
    code, _, err = run("uninstall", *uninstall_args(site))
    assert code == 0, err
    assert site.pool_file.read_bytes() == two_pools(site)


def installed(site: Site) -> bytes:
    site.pool_file.write_bytes(two_pools(site))
    code, _, err = run("install", *site.install_args())
    assert code == 0, err
    return site.pool_file.read_bytes()


def test_uninstall_refuses_a_deleted_end_marker_and_says_how_to_fix(site: Site) -> None:
    damaged = installed(site).replace((poolconf.END + "\n").encode(), b"", 1)
    site.pool_file.write_bytes(damaged)
    code, _, err = run("uninstall", *uninstall_args(site))
    assert code == 2
    assert "not intact" in err and "by hand" in err and len(err.strip().splitlines()) == 1
    assert site.pool_file.read_bytes() == damaged


def test_uninstall_refuses_a_begin_marker_with_a_trailing_space(site: Site) -> None:
    damaged = installed(site).replace((poolconf.BEGIN + "\n").encode(), (poolconf.BEGIN + " \n").encode(), 1)
    site.pool_file.write_bytes(damaged)
    code, _, err = run("uninstall", *uninstall_args(site))
    assert code == 2, err
    assert "marker" in err
    assert site.pool_file.read_bytes() == damaged


def test_a_symlinked_pool_file_is_edited_at_its_target(site: Site) -> None:
    real = site.root / "real-www.conf"
    real.write_bytes(site.original)
    site.pool_file.unlink()
    site.pool_file.symlink_to(real)
    code, _, err = run("install", *site.install_args())
    assert code == 0, err
    assert site.pool_file.is_symlink()
    assert poolconf.BEGIN in real.read_text()
    code, _, err = run("uninstall", *uninstall_args(site))
    assert code == 0, err
    assert site.pool_file.is_symlink()
    assert real.read_bytes() == site.original


def test_pools_of_different_users_fail_the_dry_run_like_the_real_run(site: Site) -> None:
    text = two_pools(site, second_user="nobody")
    site.pool_file.write_bytes(text)
    dry, _, dry_err = run("install", *site.install_args(), "--dry-run")
    assert not site.logs.exists()
    real, _, real_err = run("install", *site.install_args())
    assert (dry, real) == (2, 2)
    assert dry_err == real_err
    assert "nobody" in dry_err and "--log-dir" in dry_err
    assert not site.logs.exists()
    assert site.pool_file.read_bytes() == text


def test_a_failed_validation_leaves_no_backup_and_no_log_dir(site: Site) -> None:
    broken = site.original.replace(b"pm = dynamic", b"pm = sometimes")
    site.pool_file.write_bytes(broken)
    code, _, err = run("install", *site.install_args())
    assert code == 1, err
    assert site.pool_file.read_bytes() == broken
    leftovers = [p.name for p in site.pool_file.parent.iterdir()]
    assert leftovers == ["www.conf"]
    assert not site.logs.exists()
    assert list(site.logrotate.iterdir()) == []


def test_an_include_inside_the_pool_is_refused(site: Site) -> None:
    extra = site.root / "extra.conf"
    extra.write_text("php_admin_value[auto_prepend_file] = /srv/other.php\n")
    text = site.original + f"include = {extra}\n".encode()
    site.pool_file.write_bytes(text)
    code, _, err = run("install", *site.install_args())
    assert code == 2
    assert "include" in err
    assert site.pool_file.read_bytes() == text


def test_a_line_php_fpm_may_read_otherwise_is_refused_untouched(site: Site) -> None:
    text = site.original + b"php_admin_value[auto_prepend_file] = ${APP_PREPEND}\n"
    site.pool_file.write_bytes(text)
    code, _, err = run("install", *site.install_args())
    assert code == 2
    assert "line " in err and "${" in err
    assert site.pool_file.read_bytes() == text
    assert os.listdir(site.pool_file.parent) == ["www.conf"]


def test_check_reports_a_pool_file_it_cannot_read(site: Site) -> None:
    site.pool_file.write_bytes(site.original + b"[broken] x\n")
    code, _, err = run("check", "--pool", str(site.pool_file))
    assert code == 2
    assert "line " in err and "Traceback" not in err
