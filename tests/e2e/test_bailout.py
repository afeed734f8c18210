"""The probe writes its line after a memory_limit bailout, however the app filled memory.

After the limit is hit Zend refuses every new 2 MiB chunk, so whether the finisher can allocate
depends on what the application left: free pages in its chunks, free slots in the size
classes the finisher uses. The worst case is an app that drains those size classes and then
takes every free page; `drain.php` does that with a different random drain on every request.
The other pages are the common shapes: many 1 KiB strings (the case that lost lines before,
docs/safety.md), one huge string, big arrays, objects. Each pattern runs under a limit the
app sets (which the probe may raise) and under the pool's `php_admin_value` (which it may not).
"""

from __future__ import annotations

import collections
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fpmscope.demo import stack
from fpmscope.probe import probe_path
from fpmscope.records import FORMAT_TAG, RECORD_FIELDS

FIELD = {name: i + 1 for i, (name, _) in enumerate(RECORD_FIELDS)}
# Size class -> slots per run, as in zend_alloc.h; the drain empties a random share of each.
BINS = (
    "8=>512,16=>256,24=>170,32=>128,40=>102,48=>85,56=>73,64=>64,80=>51,96=>42,112=>36,128=>32,"
    "160=>25,192=>21,224=>18,256=>16,320=>64,384=>32,448=>9,512=>8,640=>32,768=>16,896=>9,"
    "1024=>8,1280=>16,1536=>8,1792=>16,2048=>8,2560=>8,3072=>4"
)
APP = {
    "drain.php": (
        "mt_srand((int) $_GET['seed']); $keep = [];\n"
        f"foreach ([{BINS}] as $size => $per) {{\n"
        "    for ($i = mt_rand(0, 2 * $per); $i > 0; $i--) { $keep[] = str_repeat('k', max(1, $size - 25)); }\n"
        "}\n"
        "$fill = (int) $_GET['fill'];\n"
        "while (true) { $keep[] = str_repeat('f', $fill); }\n"
    ),
    # 1 KiB strings in a preallocated array: lost the line in most runs before the reserve.
    "strings.php": (
        "$a = array_fill(0, 40000, null); $i = 0;\nwhile (true) { $a[$i++] = [str_repeat('x', 1000), $i]; }\n"
    ),
    "huge.php": "$s = str_repeat('x', 1 << 20); while (true) { $s .= $s; }\n",
    "arrays.php": "$a = []; while (true) { $a[] = range(1, 1000); }\n",
    "objects.php": (
        "$a = null;\nwhile (true) { $o = new stdClass; $o->next = $a; $o->s = str_repeat('o', 200); $a = $o; }\n"
    ),
}
LIMIT = "32M"
# Fill sizes for drain.php: one page, a 1280-byte slot (5-page runs), two pages, a 128-byte slot.
FILLS = (4071, 1000, 8167, 100)
DRAINS = 40


def requests() -> list[str]:
    paths = [f"/drain.php?seed={seed}&fill={FILLS[seed % len(FILLS)]}" for seed in range(DRAINS)]
    return paths + [f"/{name}?n={n}" for n in range(3) for name in APP if name != "drain.php"]


@pytest.mark.parametrize("admin", [True, False], ids=["admin_limit", "app_limit"])
def test_every_bailout_is_recorded(tmp_path: Path, admin: bool) -> None:
    www = tmp_path / "www"
    www.mkdir()
    set_limit = "" if admin else f"ini_set('memory_limit', '{LIMIT}');\n"
    for name, body in APP.items():
        (www / name).write_text("<?php\n" + set_limit + body)
    cfg = stack.StackConfig(
        docroot=www,
        workers=2,
        probe=probe_path(),
        pool="bailout",
        admin_values={"memory_limit": LIMIT} if admin else {},
    )
    paths = requests()
    with stack.running(cfg, Path(tempfile.mkdtemp(dir=tmp_path))) as s:
        for path in paths:
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(s.url + path, timeout=60)
            err.value.close()
            assert err.value.code == 500, path
        errors = (s.root / "php-errors.log").read_text()
    lines = s.probe_log.read_text().splitlines() if s.probe_log.exists() else []
    # The finisher never fails: no error is reported in the probe's file.
    assert str(probe_path()) not in errors
    assert errors.count("Allowed memory size") == len(paths), "every request died of memory_limit"
    outcomes: collections.Counter[tuple[str, str]] = collections.Counter()
    for line in lines:
        fields = line.split("\t")
        assert fields[0] == FORMAT_TAG and len(fields) == 1 + len(RECORD_FIELDS)
        outcomes[Path(fields[FIELD["script"]]).name, fields[FIELD["outcome"]]] += 1
        assert fields[FIELD["rss_end"]] != "" and fields[FIELD["cpu_user_us"]] != ""
    expected = collections.Counter((p.split("?")[0][1:], "oom") for p in paths)
    assert outcomes == expected
