"""The probe's safety matrix, on a real php-fpm (workers as www-data) behind a real nginx.

Every configuration serves the same small app twice, without and with the probe, and the
responses must be identical (status, headers but Date, body), and so must the PHP and FPM
error logs. Then the probe's lines are checked: written when they can be, with empty fields
where a measure cannot be taken, with the right outcome. docs/safety.md lists what each case
showed.
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import os
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fpmscope.demo import stack
from fpmscope.probe import probe_path
from fpmscope.records import FORMAT_TAG, RECORD_FIELDS

FIELD = {name: i + 1 for i, (name, _) in enumerate(RECORD_FIELDS)}
MEASURES = ("rss_start", "rss_end", "anon_start", "anon_end", "shared_start", "shared_end")

APP = {
    "hello.php": '<?php echo "hello\\n";\n',
    "exit.php": '<?php echo "main\\n"; exit(0); echo "never\\n";\n',
    "shutdown_exit.php": (
        '<?php register_shutdown_function(function () { echo "app shutdown\\n"; exit(); });\necho "main\\n";\n'
    ),
    "fatal.php": '<?php echo "before\\n"; no_such_function_anywhere();\n',
    # Many small allocations: the limit is hit when the heap is full, the hardest case.
    "oom.php": (
        "<?php ini_set('memory_limit', '32M'); $a = array_fill(0, 500000, null); $i = 0;\n"
        "while (true) { $a[$i++] = str_repeat('x', 200); }\n"
    ),
    # The same under a limit the app cannot change (the pool's php_admin_value).
    "oom_admin.php": (
        "<?php $a = array_fill(0, 500000, null); $i = 0;\nwhile (true) { $a[$i++] = str_repeat('x', 200); }\n"
    ),
    "headers.php": (
        "<?php ob_start(function ($b) { return strtoupper($b); });\n"
        "header('X-App: shop'); header('Cache-Control: no-store'); setcookie('cart', 'abc', 0, '/');\n"
        "http_response_code(201);\n"
        "echo 'created; headers: ', implode(' | ', headers_list()), \"\\n\";\n"
        "ob_end_flush();\n"
    ),
    # An app that turns every warning into an exception, even @-silenced ones.
    "strict.php": (
        "<?php set_error_handler(function ($no, $str, $file, $line) {\n"
        "    throw new ErrorException($str, 0, $no, $file, $line);\n"
        '});\necho "strict\\n";\n'
    ),
    # The response is complete before the probe's finisher runs; the app keeps working after it.
    "finish_request.php": '<?php echo "sent\\n"; fastcgi_finish_request(); usleep(2000);\n',
    "last_error.php": '<?php echo json_encode(error_get_last()), "\\n";\n',
}
LONG_QUERY = "/hello.php?q=" + "x" * 9000
SECRETS = (
    "/hello.php?page=2&token=t0k&password=pw&api_key=k3y&sig=s1g&SessionId=abc&user=bob"
    "&next=http://alice:hunter2@example.com/&enc=https%3A%2F%2Fcarol%3Apass%40example.com%2F"
)
PATHS = [f"/{name}" for name in APP if name != "oom_admin.php"] + [LONG_QUERY, SECRETS]
# Every function the probe calls that an admin could list in disable_functions.
PROBE_FUNCTIONS = (
    "hrtime,getrusage,fopen,fgets,rewind,fclose,getmypid,gethostname,memory_get_usage,"
    "memory_get_peak_usage,http_response_code,get_included_files,error_get_last,error_clear_last,"
    "set_error_handler,restore_error_handler,filetype,umask,ini_set,get_cfg_var,getenv,register_shutdown_function"
)


@dataclass(frozen=True)
class Case:
    """One configuration of the matrix; `log` is where the probe is told to write."""

    name: str
    admin: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    workers: int = 2
    # The app's own prepend: its auto_prepend_file without the probe, chained with it.
    chain: Path | None = None


@dataclass
class Served:
    responses: dict[str, tuple[int, list[tuple[str, str]], bytes]]
    php_errors: collections.Counter[str]
    fpm_log: collections.Counter[str]
    lines: list[str]


@dataclass
class Env:
    """A temp tree the pool user (www-data) can read: app, probe copy, log dirs."""

    root: Path
    docroot: Path
    probe: Path
    mounts: list[Path] = field(default_factory=list)


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    root = Path(tempfile.mkdtemp(prefix="fpmscope-safety-"))
    root.chmod(0o755)
    docroot = root / "www"
    docroot.mkdir()
    for name, src in APP.items():
        (docroot / name).write_text(src)
    probe = root / "probe" / "probe.php"
    probe.parent.mkdir()
    shutil.copy(probe_path(), probe)
    probe.chmod(0o644)
    e = Env(root, docroot, probe)
    try:
        yield e
    finally:
        for mount in e.mounts:
            subprocess.run(["umount", str(mount)], check=False)
        shutil.rmtree(root)


def normalized(path: Path) -> collections.Counter[str]:
    """Log lines without timestamps and numbers (pids), as a multiset."""
    if not path.exists():
        return collections.Counter()
    text = path.read_text(errors="replace")
    text = re.sub(r"^\[[^\]]*\] ", "", text, flags=re.MULTILINE)
    return collections.Counter(re.sub(r"\d+", "N", line) for line in text.splitlines() if line.strip())


def fetch(base: str, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        headers = sorted((k.lower(), v) for k, v in resp.getheaders() if k.lower() != "date")
        return resp.status, headers, body
    finally:
        conn.close()


def serve(env: Env, case: Case, log: Path, probe: bool, paths: list[str]) -> Served:
    root = Path(tempfile.mkdtemp(prefix=f"{case.name}-{'probe' if probe else 'base'}-", dir=env.root))
    root.chmod(0o755)
    admin, envvars = dict(case.admin), dict(case.env)
    if case.chain is not None and probe:
        envvars["FPMSCOPE_CHAIN"] = str(case.chain)
    elif case.chain is not None:
        admin["auto_prepend_file"] = str(case.chain)
    cfg = stack.StackConfig(
        docroot=env.docroot,
        workers=case.workers,
        probe=env.probe if probe else None,
        pool="safety",
        admin_values=admin,
        env=envvars,
        probe_log=log,
        user="www-data",
        nginx_http_extra="large_client_header_buffers 4 32k;",
    )
    with stack.running(cfg, root) as servers:
        responses = {p: fetch(servers.url, p) for p in paths}
    lines = log.read_text().splitlines() if probe and log.is_file() and not log.is_symlink() else []
    return Served(responses, normalized(root / "php-errors.log"), normalized(root / "php-fpm.log"), lines)


def records(served: Served) -> dict[str, list[str]]:
    """Probe lines by script name; every line is a whole, well-formed record."""
    out = {}
    for line in served.lines:
        fields = line.split("\t")
        assert fields[0] == FORMAT_TAG and len(fields) == 1 + len(RECORD_FIELDS), line[:200]
        out[Path(fields[FIELD["script"]]).name] = fields
    return out


def assert_untouched(base: Served, probed: Served) -> None:
    assert probed.responses.keys() == base.responses.keys()
    for path, expected in base.responses.items():
        assert probed.responses[path] == expected, path[:80]
    assert probed.php_errors == base.php_errors
    assert probed.fpm_log == base.fpm_log


def run_pair(env: Env, case: Case, log: Path, paths: list[str] = PATHS) -> tuple[Served, Served]:
    base = serve(env, case, log, probe=False, paths=paths)
    probed = serve(env, case, log, probe=True, paths=paths)
    assert_untouched(base, probed)
    return base, probed


def log_dir(env: Env, name: str) -> Path:
    d = env.root / "logs" / name
    d.mkdir(parents=True)
    shutil.chown(d, "www-data", "www-data")
    return d


# --- the matrix --------------------------------------------------------------------------


def test_normal_pool_outcomes_and_fields(env: Env) -> None:
    log = log_dir(env, "normal") / "probe.log"
    base, probed = run_pair(env, Case("normal", env={"FPMSCOPE_QUERY": "1"}), log)
    assert base.responses["/fatal.php"][0] == 500 and base.responses["/oom.php"][0] == 500
    assert base.responses["/shutdown_exit.php"][2] == b"main\napp shutdown\n"
    assert base.responses["/headers.php"][0] == 201
    assert base.responses["/last_error.php"][2] == b"null\n"  # nothing of ours in error_get_last()
    assert base.php_errors, "the fatal and oom cases log their own errors, with and without the probe"
    rec = records(probed)
    assert len(probed.lines) == len(PATHS)
    outcome = {name: fields[FIELD["outcome"]] for name, fields in rec.items()}
    # exit() in the main script cannot be told from a normal end without an extension.
    assert outcome["exit.php"] == "ok"
    # exit() in an app shutdown function cuts the chain; the guard's destructor records it.
    assert outcome["shutdown_exit.php"] == "exit"
    assert outcome["fatal.php"] == "fatal"
    assert outcome["oom.php"] == "oom"
    assert outcome["headers.php"] == "ok" and rec["headers.php"][FIELD["status"]] == "201"
    assert base.responses["/finish_request.php"][2] == b"sent\n"
    assert outcome["finish_request.php"] == "ok" and int(rec["finish_request.php"][FIELD["wall_us"]]) >= 2000
    for fields in rec.values():
        assert fields[FIELD["flags"]] in ("", "t"), fields
        assert all(fields[FIELD[m]] != "" for m in MEASURES)
    assert int(rec["oom.php"][FIELD["zend_peak"]]) > 28 * 1024 * 1024
    assert stat_mode(log) == 0o640  # created by the probe itself


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_long_uri_is_capped_and_query_secrets_never_reach_disk(env: Env) -> None:
    log = log_dir(env, "uri") / "probe.log"
    _, probed = run_pair(env, Case("uri", env={"FPMSCOPE_QUERY": "1"}), log, [LONG_QUERY, SECRETS])
    long_line, secret_line = (line.split("\t") for line in probed.lines)
    assert len(long_line[FIELD["uri"]]) == 2048 and "t" in long_line[FIELD["flags"]]
    uri = secret_line[FIELD["uri"]]
    assert uri == (
        "/hello.php?page=2&token=REDACTED&password=REDACTED&api_key=REDACTED&sig=REDACTED&SessionId=REDACTED"
        "&user=bob&next=http://REDACTED@example.com/&enc=https%3A%2F%2FREDACTED%40example.com%2F"
    )
    text = log.read_text()
    for secret in ("t0k", "pw&", "k3y", "s1g", "hunter2", "alice", "carol", "pass%40"):
        assert secret not in text


def test_query_is_dropped_by_default(env: Env) -> None:
    log = log_dir(env, "noquery") / "probe.log"
    _, probed = run_pair(env, Case("noquery"), log, [SECRETS])
    assert probed.lines[0].split("\t")[FIELD["uri"]] == "/hello.php"


def test_log_dir_unwritable(env: Env) -> None:
    locked = env.root / "logs" / "locked"
    locked.mkdir(parents=True, mode=0o755)  # root's; the pool runs as www-data
    run_pair(env, Case("unwritable"), locked / "probe.log")
    assert list(locked.iterdir()) == []


def test_disk_full_dev_full(env: Env) -> None:
    run_pair(env, Case("devfull"), Path("/dev/full"))


def test_disk_full_small_filesystem(env: Env) -> None:
    """A 64 KiB tmpfs filled up; where mounting is not allowed, /dev/full stands in."""
    full = env.root / "full"
    full.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0777", "tmpfs", str(full)], check=False)
    if mounted.returncode == 0:
        env.mounts.append(full)
        with contextlib.suppress(OSError), open(full / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        log = full / "probe.log"
    else:
        log = Path("/dev/full")
    run_pair(env, Case("tmpfs"), log)
    if mounted.returncode == 0:
        assert not log.exists() or log.stat().st_size == 0


def test_symlinked_log_is_not_followed(env: Env) -> None:
    d = log_dir(env, "symlink")
    target = d / "target"
    target.touch()
    shutil.chown(target, "www-data", "www-data")
    (d / "probe.log").symlink_to(target)
    run_pair(env, Case("symlink"), d / "probe.log")
    assert target.stat().st_size == 0


def test_open_basedir_without_proc_and_admin_memory_limit(env: Env) -> None:
    d = log_dir(env, "basedir")
    admin = {"open_basedir": f"{env.docroot}/:{env.probe.parent}/:{d}/", "memory_limit": "32M"}
    _, probed = run_pair(env, Case("basedir", admin=admin), d / "probe.log")
    rec = records(probed)
    assert len(probed.lines) == len(PATHS), " ".join(sorted(rec))
    for fields in rec.values():
        assert all(fields[FIELD[m]] == "" for m in MEASURES)
        assert "m" in fields[FIELD["flags"]]
        assert fields[FIELD["worker_cpu_us"]] != "", "CPU time needs no /proc"
        assert fields[FIELD["wall_us"]] != "" and fields[FIELD["zend_peak"]] != ""
    # The admin limit cannot be raised by the probe: the line is still written.
    assert rec["oom.php"][FIELD["outcome"]] == "oom"
    assert rec["fatal.php"][FIELD["outcome"]] == "fatal"


def test_disable_functions_covering_the_probe(env: Env) -> None:
    d = log_dir(env, "disabled")
    admin = {"disable_functions": PROBE_FUNCTIONS, "memory_limit": "32M"}
    _, probed = run_pair(env, Case("disabled", admin=admin), d / "probe.log", [*PATHS, "/oom_admin.php"])
    rec = records(probed)
    hello = rec["hello.php"]
    for name in (*MEASURES, "cpu_user_us", "pid", "host", "worker_cpu_us", "status", "zend_peak", "included_files"):
        assert hello[FIELD[name]] == "", name
    assert hello[FIELD["wall_us"]] != "" and hello[FIELD["uri"]] == "/hello.php"
    # No shutdown function: only the guard's destructor writes, and it cannot name the outcome.
    assert hello[FIELD["outcome"]] == ""
    # An uncaught Error still destroys objects; a memory_limit bailout does not: no line then.
    assert rec["fatal.php"][FIELD["outcome"]] == ""
    assert "oom_admin.php" not in rec


@pytest.mark.parametrize("disabled", ["fgets", "rewind", "fclose"])
def test_one_disabled_stream_function_costs_only_the_memory_fields(env: Env, disabled: str) -> None:
    # Calling a disabled function throws in PHP 8: the probe must not touch statm at all then.
    d = log_dir(env, f"no-{disabled}")
    _, probed = run_pair(env, Case(f"no-{disabled}", admin={"disable_functions": disabled}), d / "probe.log")
    rec = records(probed)
    assert len(probed.lines) == len(PATHS)
    hello = rec["hello.php"]
    assert all(hello[FIELD[m]] == "" for m in MEASURES) and "m" in hello[FIELD["flags"]]
    assert hello[FIELD["outcome"]] == "ok" and hello[FIELD["worker_cpu_us"]] != ""


def test_disable_functions_including_every_way_to_write(env: Env) -> None:
    d = log_dir(env, "nowrite")
    admin = {"disable_functions": PROBE_FUNCTIONS + ",file_put_contents,fwrite"}
    run_pair(env, Case("nowrite", admin=admin), d / "probe.log")
    assert list(d.iterdir()) == []


def test_chained_app_prepend_runs_even_without_server_variables(env: Env) -> None:
    """variables_order without S empties $_SERVER; the probe then reads its settings with
    getenv(), so the app's prepend still runs and the line is still written."""
    prepend = env.root / "app-prepend.php"
    prepend.write_text("<?php header('X-App-Prepend: yes'); $app_prepended = true;\n")
    prepend.chmod(0o644)
    d = log_dir(env, "chain")
    case = Case("chain", admin={"variables_order": "GPC"}, chain=prepend)
    base, probed = run_pair(env, case, d / "probe.log", ["/hello.php", "/fatal.php"])
    assert ("x-app-prepend", "yes") in base.responses["/hello.php"][1]
    rec = records(probed)
    assert rec["hello.php"][FIELD["pool"]] == "safety" and rec["fatal.php"][FIELD["outcome"]] == "fatal"
    assert rec["hello.php"][FIELD["method"]] == "GET" and rec["hello.php"][FIELD["uri"]] == "/hello.php"


def test_fifty_concurrent_clients_never_interleave_lines(env: Env) -> None:
    log = log_dir(env, "concurrent") / "probe.log"
    case = Case("concurrent", env={"FPMSCOPE_QUERY": "1"}, workers=8)
    root = Path(tempfile.mkdtemp(prefix="concurrent-", dir=env.root))
    root.chmod(0o755)
    cfg = stack.StackConfig(
        docroot=env.docroot, workers=case.workers, probe=env.probe, pool="safety", env=case.env,
        probe_log=log, user="www-data", nginx_http_extra="large_client_header_buffers 4 32k;",
    )  # fmt: skip
    # Long, distinct lines (about 2 KiB each) make torn or interleaved writes visible.
    paths = [f"/hello.php?n={i}&pad={'p' * (1500 + i % 500)}" for i in range(1000)]
    lock = threading.Lock()
    statuses: collections.Counter[int] = collections.Counter()
    with stack.running(cfg, root) as servers:

        def one(path: str) -> None:
            status, _, body = fetch(servers.url, path)
            assert body == b"hello\n"
            with lock:
                statuses[status] += 1

        with ThreadPoolExecutor(max_workers=50) as pool:
            list(pool.map(one, paths))
    assert statuses == {200: 1000}
    raw = log.read_bytes()
    assert raw.endswith(b"\n")
    seen: collections.Counter[int] = collections.Counter()
    for line in raw.decode().splitlines():
        fields = line.split("\t")
        assert fields[0] == FORMAT_TAG and len(fields) == 1 + len(RECORD_FIELDS)
        uri = fields[FIELD["uri"]]
        n = int(uri.split("n=")[1].split("&")[0])
        assert uri == paths[n]
        seen[n] += 1
    assert seen == dict.fromkeys(range(1000), 1)
    assert normalized(root / "php-errors.log") == collections.Counter()
    assert not [k for k in normalized(root / "php-fpm.log") if "WARNING" in k or "ERROR" in k]


def test_cli_runs_do_not_log_by_default(env: Env, tmp_path: Path) -> None:
    log = tmp_path / "cli.log"
    envvars = {**os.environ, "FPMSCOPE_LOG": str(log)}
    out = subprocess.run(
        ["php", "-d", f"auto_prepend_file={env.probe}", str(env.docroot / "hello.php")],
        capture_output=True,
        env=envvars,
        check=True,
    )
    assert out.stdout == b"hello\n" and not log.exists()
    subprocess.run(
        ["php", "-d", f"auto_prepend_file={env.probe}", str(env.docroot / "hello.php")],
        capture_output=True,
        env={**envvars, "FPMSCOPE_CLI": "1"},
        check=True,
    )
    assert log.read_text().startswith(FORMAT_TAG + "\t")
