"""Fuzz: pool files built from the shapes php-fpm reads (headers with comments, quoted and
commented values, ini words, includes, expressions, CRLF, stray bytes). Every file is either
refused with a PoolFileError, or install edits exactly the pools asked for, chains each one's
own prepend, and uninstall gives back the original bytes."""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from fpmscope.fpm import poolconf
from tests.fuzz.profile import FUZZ

NAMES = st.sampled_from(["www", "beta", "shop", "a.b", "x-1", "global", "GLOBAL"])
COMMENT = st.sampled_from(["", " ; shop", ";x", "  ; [fake]", " ; fpmscope end"])
VALUE = st.sampled_from(
    ["/srv/app/p.php", '"/srv/a b.php"', "'/srv/c;d.php'", "none", "off", '""', "/p.php ; old", "${APP}", "a|b"]
)
PLAIN = st.one_of(
    st.builds(lambda n, c: f"[{n}]{c}", NAMES, COMMENT),
    st.builds(
        lambda v: f"php_admin_value[auto_prepend_file] = {v}", VALUE.filter(lambda v: "$" not in v and "|" not in v)
    ),
    st.sampled_from(["", "; a comment", "pm = dynamic", "user = www-data ; c", "env[FPMSCOPE_LOG] = /old.log"]),
)
LINES = st.one_of(
    st.builds(lambda n, c: f"[{n}]{c}", NAMES, COMMENT),
    st.builds(lambda v: f"php_admin_value[auto_prepend_file] = {v}", VALUE),
    st.builds(lambda v: f"php_value[auto_prepend_file]={v}", VALUE),
    st.builds(lambda u, c: f"user = {u}{c}", st.sampled_from(["www-data", "'shop'", "nobody"]), COMMENT),
    st.sampled_from(
        [
            "",
            "; a comment",
            "   ",
            "pm = dynamic",
            "php_value[error_reporting] = E_ALL & ~E_DEPRECATED",
            "env[FPMSCOPE_LOG] = /old.log",
            "include = /etc/php/extra/*.conf",
            "# hash",
            " [indented]",
            "listen = /run/php/$pool.sock",
            "key",
            poolconf.BEGIN,
            poolconf.END,
            poolconf.DISABLED + "user = x",
        ]
    ),
    st.text(alphabet=st.characters(exclude_characters="\n", codec="utf-8"), max_size=20),
)


@settings(FUZZ, max_examples=FUZZ.max_examples * 10)
@given(
    st.one_of(st.lists(PLAIN, max_size=25), st.lists(LINES, max_size=25)),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.data(),
)
def test_pool_file_is_refused_or_edited_exactly(lines: list[str], eol: str, final: bool, data: st.DataObject) -> None:
    text = eol.join(lines) + (eol if final else "")
    try:
        pools = poolconf.parse(text)
        poolconf.blocks(text)
    except poolconf.PoolFileError:
        event("refused: a line php-fpm may read otherwise, or a damaged block")
        return  # refused, nothing written
    fresh = [p for p in pools if not p.installed]
    if not fresh:
        return
    chosen = data.draw(st.lists(st.sampled_from(sorted({p.name for p in fresh})), min_size=1, unique=True))
    settings_for = {
        n: poolconf.ProbeSettings("/opt/probe.php", f"/var/log/fpmscope/{n}.log", f"/chain/{n}.php") for n in chosen
    }
    try:
        out = poolconf.install(text, chosen, settings_for)
    except ValueError:
        event("refused by install")
        return  # refused (a pool split over sections, an empty last pool without a newline)
    event("installed and uninstalled")
    assert poolconf.uninstall(out) == text
    assert poolconf.install(out, chosen, settings_for) == out
    lines_out = poolconf.split_lines(out)
    # Section by section (a name may head several sections; php-fpm merges them).
    for before, pool in zip(pools, poolconf.parse(out), strict=True):
        assert pool.name == before.name
        if pool.name in chosen:
            assert pool.installed
            assert pool.get("env[FPMSCOPE_POOL]") == pool.name
            assert pool.get("php_admin_value[auto_prepend_file]") == "/opt/probe.php"
            assert lines_out[pool.header + 1].rstrip("\r\n") == poolconf.BEGIN
        else:
            assert pool.installed == before.installed
            assert poolconf.existing_prepend(pool) == poolconf.existing_prepend(before)
