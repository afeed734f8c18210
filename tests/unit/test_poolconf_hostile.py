"""Pool files as php-fpm reads them: comments after headers and values, quoting, several
pools, CRLF, include, damaged markers. Each shape is either understood exactly or refused
with a line number; never guessed."""

from __future__ import annotations

import pytest

from fpmscope.fpm import poolconf

BASE = "user = {user}\nlisten = /run/{name}.sock\npm = static\npm.max_children = 1\n"


def pool(name: str, user: str = "www-data", extra: str = "") -> str:
    return f"[{name}]\n" + BASE.format(user=user, name=name) + extra


def enable(src: str, *names: str) -> str:
    settings = {n: poolconf.ProbeSettings("/opt/probe.php", f"/var/log/fpmscope/{n}.log", None) for n in names}
    return poolconf.install(src, names, settings)


def test_a_comment_after_a_section_header_still_starts_the_pool() -> None:
    src = pool("alpha") + "[beta] ; shop\nuser = shop\nphp_admin_value[auto_prepend_file] = /srv/shop/boot.php\n"
    pools = {p.name: p for p in poolconf.parse(src)}
    assert set(pools) == {"alpha", "beta"}
    assert pools["beta"].get("user") == "shop"
    assert poolconf.existing_prepend(pools["alpha"]) is None
    assert poolconf.existing_prepend(pools["beta"]) == "/srv/shop/boot.php"
    out = enable(src, "alpha")
    # beta's own prepend is untouched: only alpha was asked for.
    assert "\nphp_admin_value[auto_prepend_file] = /srv/shop/boot.php\n" in out
    assert poolconf.uninstall(out) == src


def test_values_follow_php_ini_quoting_and_comments() -> None:
    src = pool(
        "www",
        extra=(
            'php_admin_value[auto_prepend_file] = "/srv/a;b.php" ; the app\'s\n'
            "php_admin_value[open_basedir] = /srv/:/tmp/ ; narrow\n"
            "group = 'web' ; quoted\n"
        ),
    )
    (p,) = poolconf.parse(src)
    assert poolconf.existing_prepend(p) == "/srv/a;b.php"
    assert p.get(*poolconf.OPEN_BASEDIR_KEYS) == "/srv/:/tmp/"
    assert p.get("group") == "web"


def test_ini_booleans_turn_a_prepend_off() -> None:
    for word in ("none", "off", "no", "false", "null", '""'):
        (p,) = poolconf.parse(pool("www", extra=f"php_value[auto_prepend_file] = {word}\n"))
        assert poolconf.existing_prepend(p) is None, word


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (" [beta]\n", "section header"),
        ("[beta] user = x\n", "section header"),
        ("# a hash comment\n", "not a setting"),
        ("user\n", "not a setting"),
        ("user = ${USER}\n", "environment"),
        ('php_admin_value[auto_prepend_file] = "/a" "/b"\n', "value"),
        ("php_admin_value[auto_prepend_file] = /a | /b\n", "value"),
        ("user = a\rgroup = b\n", "carriage return"),
    ],
)
def test_shapes_php_fpm_reads_differently_are_refused_with_the_line(line: str, why: str) -> None:
    src = pool("alpha") + line + "group = g\n"
    with pytest.raises(poolconf.PoolFileError, match=rf"line 6: .*{why}"):
        poolconf.parse(src)


def test_other_settings_may_hold_expressions() -> None:
    src = pool("www", extra="php_value[error_reporting] = E_ALL & ~E_DEPRECATED\n")
    (p,) = poolconf.parse(src)
    assert p.get("user") == "www-data"


def test_several_pools_crlf_and_install_edits_only_the_named_one() -> None:
    src = (pool("a", "ua") + pool("b", "ub") + pool("c", "uc")).replace("\n", "\r\n")
    out = enable(src, "b")
    pools = {p.name: p for p in poolconf.parse(out)}
    assert [n for n, p in pools.items() if p.installed] == ["b"]
    assert pools["b"].get("env[FPMSCOPE_POOL]") == "b"
    assert "\r\n" + poolconf.BEGIN + "\r\n" in out
    assert poolconf.uninstall(out) == src


def test_a_pool_split_over_two_sections_is_refused() -> None:
    src = pool("www") + pool("other") + "[www]\npm.max_children = 3\n"
    with pytest.raises(poolconf.PoolFileError, match=r"\[www\].*lines 1 and 11"):
        enable(src, "www")


def test_an_include_inside_a_pool_is_reported() -> None:
    src = pool("www", extra="include = /etc/php/extra/*.conf\n")
    (p,) = poolconf.parse(src)
    assert p.includes == ("/etc/php/extra/*.conf",)


def test_settings_after_an_include_are_refused() -> None:
    src = "[global]\ninclude = /etc/php/pool.d/*.conf\npid = /run/fpm.pid\n"
    with pytest.raises(poolconf.PoolFileError, match=r"line 3: .*include"):
        poolconf.parse(src)


def installed_two() -> str:
    return enable(pool("alpha") + pool("beta"), "alpha", "beta")


def test_uninstall_refuses_a_deleted_end_marker() -> None:
    out = installed_two()
    first_end = out.index(poolconf.END + "\n")
    damaged = out[:first_end] + out[first_end + len(poolconf.END) + 1 :]
    with pytest.raises(poolconf.PoolFileError, match=r"\[alpha\].*not intact.*by hand"):
        poolconf.uninstall(damaged)


def test_uninstall_refuses_a_begin_marker_with_a_trailing_space() -> None:
    out = installed_two().replace(poolconf.BEGIN + "\n", poolconf.BEGIN + " \n", 1)
    with pytest.raises(poolconf.PoolFileError, match=r"line 2: .*marker"):
        poolconf.uninstall(out)


def test_uninstall_refuses_a_line_added_inside_the_block() -> None:
    out = installed_two().replace(poolconf.END + "\n", "pm.max_children = 9\n" + poolconf.END + "\n", 1)
    with pytest.raises(poolconf.PoolFileError, match=r"not intact"):
        poolconf.uninstall(out)


def test_uninstall_refuses_disabled_lines_without_their_block() -> None:
    src = pool("www", extra="php_admin_value[auto_prepend_file] = /srv/app.php\n")
    out = enable(src, "www")
    lines = out.splitlines(keepends=True)
    begin = lines.index(poolconf.BEGIN + "\n")
    end = lines.index(poolconf.END + "\n")
    damaged = "".join(lines[:begin] + lines[end + 1 :])
    with pytest.raises(poolconf.PoolFileError, match=r"fpmscope-off"):
        poolconf.uninstall(damaged)


def test_uninstall_of_an_intact_file_restores_bytes() -> None:
    src = pool("alpha") + pool("beta")
    assert poolconf.uninstall(installed_two()) == src


def test_a_turned_off_looking_line_outside_any_pool_is_left_alone() -> None:
    """Found by the long fuzz run: uninstall stripped the prefix in [global] too."""
    src = "[www]\n" + BASE.format(user="u", name="www") + "[global]\n" + poolconf.DISABLED + "user = x\n"
    out = enable(src, "www")
    assert poolconf.uninstall(out) == src
