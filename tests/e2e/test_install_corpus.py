"""install/uninstall over a corpus of pool file shapes, with the real php-fpm -t: each file is
either edited in the right pools (php-fpm -t passes) and restored byte for byte by uninstall,
or refused untouched. A file php-fpm itself rejects is never left edited."""

from __future__ import annotations

import subprocess

import pytest

from fpmscope.demo import stack
from fpmscope.fpm import poolconf
from tests.e2e.test_install import DATA, Site, run, site

__all__ = ["site"]

POOL = "user = www-data\nlisten = 127.0.0.1:{port}\npm = static\npm.max_children = 1\n"
APP = "php_admin_value[auto_prepend_file] = {app}/prepend.php"

# name -> (text with {port}, {port2}, {app}, {root}; what must happen: "edit" or "refuse")
CORPUS: dict[str, tuple[str, str]] = {
    "debian www.conf": ("@www.conf", "edit"),
    "debian www.conf with a prepend": ("@www-prepend.conf", "edit"),
    "debian www.conf, CRLF": ("@www.conf|crlf", "edit"),
    "two pools, header comment": (
        "[alpha]\n" + POOL + "\n[beta] ; shop\n" + POOL.replace("{port}", "{port2}") + APP + "\n",
        "edit",
    ),
    "quoted prepend with a comment": (
        "[www]\n" + POOL + 'php_admin_value[auto_prepend_file] = "{app}/prepend.php" ; app\n',
        "edit",
    ),
    "ini word none": ("[www]\n" + POOL + "php_value[auto_prepend_file] = none\n", "edit"),
    "no final newline": ("[www]\n" + POOL.rstrip("\n"), "edit"),
    "global then pools": ("[global]\nerror_log = /dev/null\n\n[www]\n" + POOL, "edit"),
    "pools of two users": (
        "[alpha]\n" + POOL + "[beta]\n" + POOL.replace("www-data", "nobody").replace("{port}", "{port2}"),
        "refuse",
    ),
    "include inside the pool": ("[www]\n" + POOL + "include = {root}/extra/*.conf\n", "refuse"),
    "hash comment": ("[www]\n# old style\n" + POOL, "refuse"),
    "indented header": (" [www]\n" + POOL, "refuse"),
    "text after a header": ("[www] pm = static\n" + POOL, "refuse"),
    "env variable prepend": ("[www]\n" + POOL + "php_admin_value[auto_prepend_file] = ${{APP_PREPEND}}\n", "refuse"),
    "one pool in two sections": ("[www]\n" + POOL + "[www]\npm.max_children = 2\n", "refuse"),
    "setting before any section": ("user = www-data\n[www]\n" + POOL, "refuse"),
    "carriage return inside a line": ("[www]\n" + POOL + "pm.max_requests = 5\rpm.status_path = /s\n", "refuse"),
}


def corpus_text(spec: str, s: Site) -> bytes:
    values = {"port": s.fpm_port, "port2": s.fpm_port + 1, "app": s.root / "app", "root": s.root}
    if spec.startswith("@"):
        name, _, how = spec[1:].partition("|")
        raw = (DATA / name).read_bytes()
        raw = raw.replace(b"/srv/app", str(s.root / "app").encode())
        raw = raw.replace(b"listen = /run/php/php8.2-fpm.sock", f"listen = 127.0.0.1:{s.fpm_port}".encode())
        return raw.replace(b"\n", b"\r\n") if how == "crlf" else raw
    return spec.format(**values).encode()


def php_fpm_accepts(s: Site) -> bool:
    fpm_bin = stack.find_program(*stack.PHP_FPM_CANDIDATES)
    assert fpm_bin is not None
    done = subprocess.run(
        [fpm_bin, "-t", "-y", str(s.root / "fpm" / "php-fpm.conf")], capture_output=True, text=True, check=False
    )
    return done.returncode == 0


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_pool_file_is_edited_right_or_refused_untouched(site: Site, name: str) -> None:
    spec, expected = CORPUS[name]
    (site.root / "extra").mkdir()
    original = corpus_text(spec, site)
    site.pool_file.write_bytes(original)
    fpm_ok = php_fpm_accepts(site)
    code, _, err = run("install", *site.install_args())
    if expected == "refuse":
        assert code == 2, err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert site.pool_file.read_bytes() == original
        assert sorted(p.name for p in site.pool_file.parent.iterdir()) == ["www.conf"]
        assert not site.logs.exists()
        return
    assert fpm_ok, f"php-fpm -t rejects the corpus file {name!r} itself"
    assert code == 0, err
    edited = site.pool_file.read_bytes().decode()
    pools = list(poolconf.parse(edited))
    assert pools and all(p.installed and p.get("env[FPMSCOPE_POOL]") == p.name for p in pools)
    assert php_fpm_accepts(site)
    code, _, err = run("uninstall", "--pool", str(site.pool_file), "--logrotate-dir", str(site.logrotate))
    assert code == 0, err
    assert site.pool_file.read_bytes() == original


@pytest.mark.parametrize("name", [n for n, (_, what) in CORPUS.items() if what == "refuse"])
def test_what_php_fpm_rejects_is_refused_too(site: Site, name: str) -> None:
    """The shapes php-fpm cannot read are among those refused (never edited into a file that
    merely looks valid to us)."""
    spec, _ = CORPUS[name]
    (site.root / "extra").mkdir()
    site.pool_file.write_bytes(corpus_text(spec, site))
    if php_fpm_accepts(site):
        return  # php-fpm reads it, but not in a way fpmscope can edit exactly: refusing is the safe side
    code, _, _ = run("install", *site.install_args())
    assert code != 0
