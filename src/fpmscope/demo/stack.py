"""A throwaway nginx + php-fpm pair on loopback, in a temporary directory.

Used by `fpmscope demo` and by the end-to-end tests. Everything lives under one directory:
configs, sockets, pid files and logs; both servers listen on 127.0.0.1 on free ports and are
stopped (and waited for) on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fpmscope.errors import FpmscopeError

PHP_FPM_CANDIDATES = ("php-fpm", "php-fpm8.4", "php-fpm8.3", "php-fpm8.2", "php-fpm8.1", "php-fpm7.4")
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/sbin"])


def find_program(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name, path=SEARCH_PATH)
        if found:
            return found
    return None


def missing_servers() -> list[str]:
    """Names of the Debian packages still needed to run a stack here."""
    missing = []
    if find_program(*PHP_FPM_CANDIDATES) is None:
        missing.append("php-fpm")
    if find_program("nginx") is None:
        missing.append("nginx")
    return missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class StackConfig:
    docroot: Path
    workers: int = 4
    # Process manager: "static", "dynamic" or "ondemand" (their pm.* settings derive from `workers`).
    pm: str = "static"
    probe: Path | None = None
    pool: str = "demo"
    admin_values: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    # Extra environment of the php-fpm process itself. Pool `env[...]` only reaches PHP's getenv();
    # what the C library reads at process start (GLIBC_TUNABLES, MALLOC_*_) must be set here.
    process_env: Mapping[str, str] = field(default_factory=dict)
    # Extra pool directives, e.g. {"pm.max_requests": "40"}.
    pool_settings: Mapping[str, str] = field(default_factory=dict)
    # Where the probe writes; default `<root>/probe.log`.
    probe_log: Path | None = None
    # Run the FPM workers as this user (and its group) instead of root when started as root.
    user: str | None = None
    # Extra directives for nginx's `http` block (e.g. larger header buffers).
    nginx_http_extra: str = ""
    nginx_log_format: str = (
        '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
        '"$http_referer" "$http_user_agent" $request_time $upstream_response_time $request_id'
    )


@dataclass
class Stack:
    """A running pair; `url` is the base address, `probe_log` and `access_log` its logs."""

    root: Path
    url: str
    probe_log: Path
    access_log: Path
    fpm_log: Path
    status_path: str = "/fpm-status"
    # (name, process), stopped in reverse order: nginx first, then php-fpm.
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def fpm_master_pid(self) -> int:
        return int((self.root / "php-fpm.pid").read_text().strip())

    def stop(self) -> None:
        for _, proc in reversed(self.processes):
            if proc.poll() is None:
                # Both stop gracefully on SIGQUIT: php-fpm lets running requests finish (and the
                # probe write their lines) within process_control_timeout.
                proc.send_signal(signal.SIGQUIT)
        for _, proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            detail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
            raise FpmscopeError(f"{what} exited at start: {' | '.join(detail) or 'no log'}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise FpmscopeError(f"{what} did not listen on 127.0.0.1:{port} within 15 s")


def _pm_lines(cfg: StackConfig) -> list[str]:
    if cfg.pm == "dynamic":
        spare = max(1, cfg.workers // 2)
        return [f"pm.start_servers = {spare}", "pm.min_spare_servers = 1", f"pm.max_spare_servers = {spare}"]
    if cfg.pm == "ondemand":
        return ["pm.process_idle_timeout = 10s"]
    return []


def _fpm_config(cfg: StackConfig, root: Path, port: int, probe_log: Path) -> str:
    lines = [
        "[global]",
        f"pid = {root}/php-fpm.pid",
        f"error_log = {root}/php-fpm.log",
        "daemonize = no",
        # Let SIGQUIT wait for running requests (work after fastcgi_finish_request included)
        # instead of escalating to SIGTERM at once.
        "process_control_timeout = 10s",
        "",
        f"[{cfg.pool}]",
        f"listen = 127.0.0.1:{port}",
        f"pm = {cfg.pm}",
        f"pm.max_children = {cfg.workers}",
        *_pm_lines(cfg),
        "pm.status_path = /fpm-status",
        "catch_workers_output = yes",
        "clear_env = yes",
        "php_admin_value[display_errors] = Off",
        "php_admin_value[log_errors] = On",
        f"php_admin_value[error_log] = {root}/php-errors.log",
    ]
    if cfg.user is not None:
        lines += [f"user = {cfg.user}"]
    elif os.geteuid() == 0:
        lines += ["user = root", "group = root"]
    if cfg.probe is not None:
        lines += [
            f"php_admin_value[auto_prepend_file] = {cfg.probe}",
            f"env[FPMSCOPE_LOG] = {probe_log}",
            f"env[FPMSCOPE_POOL] = {cfg.pool}",
        ]
    lines += [f"{k} = {v}" for k, v in cfg.pool_settings.items()]
    lines += [f"php_admin_value[{k}] = {v}" for k, v in cfg.admin_values.items()]
    lines += [f"env[{k}] = {v}" for k, v in cfg.env.items()]
    return "\n".join(lines) + "\n"


def _nginx_config(cfg: StackConfig, root: Path, port: int, fpm_port: int, access_log: Path) -> str:
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {root}/tmp/body;
    fastcgi_temp_path {root}/tmp/fastcgi;
    proxy_temp_path {root}/tmp/proxy;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    log_format timed '{cfg.nginx_log_format}';
    access_log {access_log} timed;
    {cfg.nginx_http_extra}
    server {{
        listen 127.0.0.1:{port};
        root {cfg.docroot};
        index index.php;
        location = /fpm-status {{
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_NAME /fpm-status;
            fastcgi_param SCRIPT_FILENAME /fpm-status;
            fastcgi_pass 127.0.0.1:{fpm_port};
        }}
        location / {{ try_files $uri /index.php$is_args$args; }}
        location ~ \\.php$ {{
            try_files $uri =404;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param REQUEST_ID $request_id;
            fastcgi_pass 127.0.0.1:{fpm_port};
        }}
    }}
}}
"""


def start(cfg: StackConfig, root: Path) -> Stack:
    """Start php-fpm and nginx under `root`; raise FpmscopeError with the reason on failure."""
    missing = missing_servers()
    if missing:
        raise FpmscopeError(f"{' and '.join(missing)} not installed; on Debian: apt-get install {' '.join(missing)}")
    fpm_bin = find_program(*PHP_FPM_CANDIDATES)
    nginx_bin = find_program("nginx")
    assert fpm_bin is not None and nginx_bin is not None
    root.mkdir(parents=True, exist_ok=True)
    (root / "tmp").mkdir(exist_ok=True)
    fpm_port, port = free_port(), free_port()
    probe_log = cfg.probe_log or root / "probe.log"
    access_log = root / "access.log"
    if cfg.user is not None:
        # The workers' own error log must be theirs to append to.
        errors = root / "php-errors.log"
        errors.touch()
        shutil.chown(errors, cfg.user)
    (root / "php-fpm.conf").write_text(_fpm_config(cfg, root, fpm_port, probe_log))
    (root / "nginx.conf").write_text(_nginx_config(cfg, root, port, fpm_port, access_log))
    stack = Stack(
        root=root,
        url=f"http://127.0.0.1:{port}",
        probe_log=probe_log,
        access_log=access_log,
        fpm_log=root / "php-fpm.log",
    )
    fpm_cmd = [fpm_bin, "-F", "-y", str(root / "php-fpm.conf")]
    if os.geteuid() == 0 and cfg.user is None:
        fpm_cmd.append("-R")
    out = open(root / "servers.out", "ab")  # noqa: SIM115 - kept open for the children
    try:
        environ = {**os.environ, **cfg.process_env} if cfg.process_env else None
        fpm = subprocess.Popen(fpm_cmd, stdout=out, stderr=out, stdin=subprocess.DEVNULL, env=environ)
        stack.processes.append(("php-fpm", fpm))
        _wait_port(fpm_port, fpm, "php-fpm", stack.fpm_log)
        nginx = subprocess.Popen(
            [nginx_bin, "-c", str(root / "nginx.conf"), "-p", str(root)],
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
        )
        stack.processes.append(("nginx", nginx))
        _wait_port(port, nginx, "nginx", root / "nginx-error.log")
    except BaseException:
        stack.stop()
        raise
    finally:
        out.close()
    return stack


@contextlib.contextmanager
def nginx_in_front(cfg: StackConfig, root: Path, fpm_port: int) -> Iterator[str]:
    """An nginx on loopback passing PHP to an FPM already listening on `fpm_port`; yields its URL."""
    nginx_bin = find_program("nginx")
    if nginx_bin is None:
        raise FpmscopeError("nginx not installed; on Debian: apt-get install nginx-light")
    root.mkdir(parents=True, exist_ok=True)
    (root / "tmp").mkdir(exist_ok=True)
    port = free_port()
    (root / "nginx.conf").write_text(_nginx_config(cfg, root, port, fpm_port, root / "access.log"))
    with open(root / "nginx.out", "ab") as out:
        proc = subprocess.Popen(
            [nginx_bin, "-c", str(root / "nginx.conf"), "-p", str(root)],
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
        )
    try:
        _wait_port(port, proc, "nginx", root / "nginx-error.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def running(cfg: StackConfig, root: Path) -> Iterator[Stack]:
    stack = start(cfg, root)
    try:
        yield stack
    finally:
        stack.stop()
