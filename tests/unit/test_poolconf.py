"""Pool file editing: install is idempotent, chains an existing prepend, and uninstall gives
back the original bytes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fpmscope.fpm import check, poolconf, system

DATA = Path(__file__).parent.parent / "data"
PROBE = poolconf.ProbeSettings("/opt/fpmscope/probe.php", "/var/log/fpmscope/www.log", None)


def text(name: str) -> str:
    return (DATA / name).read_bytes().decode("utf-8", "surrogateescape")


def enable(src: str, chain: str | None = None, pools: tuple[str, ...] = ("www",)) -> str:
    settings = {p: poolconf.ProbeSettings(PROBE.probe, f"/var/log/fpmscope/{p}.log", chain) for p in pools}
    return poolconf.install(src, pools, settings)


def test_debian_www_conf_has_one_pool_with_its_user() -> None:
    (pool,) = poolconf.parse(text("www.conf"))
    assert (pool.name, pool.get("user"), pool.get("group")) == ("www", "www-data", "www-data")
    assert poolconf.existing_prepend(pool) is None
    assert not pool.installed


def test_install_adds_one_block_after_the_header_and_uninstall_restores_bytes() -> None:
    src = text("www.conf")
    out = enable(src)
    lines = out.splitlines()
    at = lines.index("[www]")
    assert lines[at + 1] == poolconf.BEGIN
    assert "php_admin_value[auto_prepend_file] = /opt/fpmscope/probe.php" in lines
    assert "env[FPMSCOPE_POOL] = www" in lines
    assert poolconf.parse(out)[0].installed
    assert poolconf.uninstall(out) == src


def test_install_with_a_sample_writes_the_share_and_uninstall_restores_bytes() -> None:
    src = text("www.conf")
    settings = {"www": poolconf.ProbeSettings(PROBE.probe, PROBE.log, None, 0.25)}
    out = poolconf.install(src, ("www",), settings)
    assert "env[FPMSCOPE_SAMPLE] = 0.25" in out.splitlines()
    assert "FPMSCOPE_SAMPLE" not in enable(src)
    assert poolconf.uninstall(out) == src


def test_installing_twice_changes_nothing() -> None:
    once = enable(text("www.conf"))
    assert enable(once) == once


def test_existing_prepend_is_turned_off_and_chained_then_restored() -> None:
    src = text("www-prepend.conf")
    (pool,) = poolconf.parse(src)
    assert poolconf.existing_prepend(pool) == "/srv/app/prepend.php"
    out = enable(src, chain="/srv/app/prepend.php")
    assert "env[FPMSCOPE_CHAIN] = /srv/app/prepend.php" in out.splitlines()
    assert poolconf.DISABLED + "php_admin_value[auto_prepend_file] = /srv/app/prepend.php" in out
    # Only our prepend is still active.
    (after,) = poolconf.parse(out)
    assert after.get(*poolconf.PREPEND_KEYS) == "/opt/fpmscope/probe.php"
    assert poolconf.uninstall(out) == src


def test_php_value_prepend_and_none_are_understood() -> None:
    pool = poolconf.parse("[a]\nphp_value[auto_prepend_file] = '/x/p.php'\n")[0]
    assert poolconf.existing_prepend(pool) == "/x/p.php"
    pool = poolconf.parse("[a]\nphp_admin_value[auto_prepend_file] = none ; off\n")[0]
    assert poolconf.existing_prepend(pool) is None


def test_main_config_with_global_and_two_pools() -> None:
    src = "[global]\npid = /run/fpm.pid\n\n[shop]\nuser = $pool\nlisten = 9000\n\n[admin]\nlisten = 9001\n"
    pools = poolconf.parse(src)
    assert [p.name for p in pools] == ["shop", "admin"]
    assert pools[0].get("user") == "shop"  # FPM expands $pool
    assert poolconf.is_global_config(src)
    assert poolconf.global_value(src, "pid") == "/run/fpm.pid"
    out = enable(src, pools=("shop", "admin"))
    assert out.count(poolconf.BEGIN) == 2
    assert "env[FPMSCOPE_LOG] = /var/log/fpmscope/admin.log" in out
    assert poolconf.uninstall(out) == src
    only = enable(src, pools=("admin",))
    assert [p.installed for p in poolconf.parse(only)] == [False, True]


def test_select_names_a_missing_pool() -> None:
    with pytest.raises(ValueError, match="no pool named nope"):
        poolconf.select(poolconf.parse("[www]\n"), ["nope"])


def test_crlf_and_missing_final_newline_survive_the_round_trip() -> None:
    src = "[www]\r\nuser = www-data\r\nphp_admin_value[auto_prepend_file] = /a.php"
    out = enable(src, chain="/a.php")
    assert poolconf.BEGIN + "\r\n" in out
    assert poolconf.uninstall(out) == src


def test_earlier_manual_probe_env_lines_are_turned_off() -> None:
    src = "[www]\nenv[FPMSCOPE_LOG] = /tmp/old.log\n"
    out = enable(src)
    assert poolconf.DISABLED + "env[FPMSCOPE_LOG] = /tmp/old.log" in out
    assert poolconf.uninstall(out) == src


def test_paths_with_spaces_are_quoted_and_quotes_refused() -> None:
    assert poolconf.quote("/var/log/my logs/a.log") == '"/var/log/my logs/a.log"'
    with pytest.raises(ValueError):
        poolconf.quote('/tmp/a"b')


lines = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "[www]",
                "[global]",
                "user = www-data",
                "php_admin_value[auto_prepend_file] = /p.php",
                "php_value[auto_prepend_file] = /q.php",
                "env[FPMSCOPE_POOL] = x",
                "; a comment",
                "",
            ]
        ),
        st.text(alphabet=st.characters(blacklist_characters="\n", blacklist_categories=["Cs"]), max_size=30),
    ),
    max_size=20,
)


@given(lines, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_uninstall_after_install_is_byte_identical(body: list[str], eol: str, final: bool) -> None:
    src = "[www]" + eol + eol.join(body) + (eol if final else "")
    try:
        names = tuple(p.name for p in poolconf.parse(src))
        out = poolconf.install(src, names, dict.fromkeys(names, PROBE))
    except ValueError:
        return  # a line php-fpm may read otherwise, or an empty last pool without a newline: refused
    assert poolconf.uninstall(out) == src
    assert poolconf.install(out, names, dict.fromkeys(names, PROBE)) == out


def test_logrotate_rotates_by_rename() -> None:
    snippet = poolconf.logrotate_snippet(["/var/log/fpmscope/www.log"], "www-data", "www-data")
    assert "copytruncate" not in snippet.replace("no copytruncate", "")
    assert "create 0640 www-data www-data" in snippet
    assert snippet.startswith("#") and "/var/log/fpmscope/www.log {" in snippet


@pytest.mark.parametrize(
    ("path", "basedir", "allowed"),
    [
        ("/srv/www/index.php", None, True),
        ("/srv/www/index.php", "/srv/www/", True),
        ("/srv/www2/index.php", "/srv/www", True),  # PHP: an entry without a slash is a prefix
        ("/srv/www2/index.php", "/srv/www/", False),
        ("/proc/self/statm", "/srv/www/:/tmp/", False),
        ("/proc/self/statm", "/srv/www/:/proc/", True),
    ],
)
def test_open_basedir_follows_php_rules(path: str, basedir: str | None, allowed: bool) -> None:
    assert system.within(path, basedir) is allowed


def test_permissions_are_checked_for_the_pool_user() -> None:
    who = system.account("www-data", None)
    root = Path(tempfile.mkdtemp(prefix="fpmscope-perm-"))  # under /tmp, 0700
    try:
        probe = root / "probe.php"
        probe.write_text("<?php\n")
        assert "not searchable by www-data" in (system.can_access(probe, who, 4) or "")
        root.chmod(0o755)
        probe.chmod(0o644)
        assert system.can_access(probe, who, 4) is None
        assert "not writable by www-data" in (system.can_access(probe, who, 2) or "")
        assert system.can_access(probe, system.account("root", None), 2) is None
        assert "No such file" in (system.can_access(root / "missing", who, 4) or "")
    finally:
        shutil.rmtree(root)


def test_check_reports_each_step_in_order_with_fixes(tmp_path: Path) -> None:
    probe = tmp_path / "probe.php"
    probe.write_text("<?php\n")
    log = tmp_path / "logs" / "www.log"
    log.parent.mkdir()
    log.write_text("fpms0\told\tformat\n")
    pool = tmp_path / "www.conf"
    pool.write_text(
        f"[www]\nuser = root\nphp_admin_value[auto_prepend_file] = {probe}\nenv[FPMSCOPE_LOG] = {log}\n"
        f"php_admin_value[open_basedir] = {tmp_path}/\n"
    )
    (result,) = check.check_file(pool, max_age=600, now=log.stat().st_mtime + 10)
    steps = [(s.name, s.ok) for s in result.steps]
    assert steps == [
        ("probe file readable by root", True),
        ("log dir writable by root", True),
        ("/proc readable under open_basedir", False),
        ("records written in the last 600 s", True),
        ("record format current", False),
    ]
    assert result.steps[2].fix.endswith(f"{tmp_path}/:/proc/")
    assert "fpms0" in result.steps[4].detail
    stale = check.check_file(pool, max_age=600, now=log.stat().st_mtime + 601)[0]
    assert not stale.steps[3].ok
    text = check.render_text([result])
    assert text.startswith(f"pool [www] in {pool} (user root)\n")
    assert "  FAIL  record format current" in text and "        fix: " in text
