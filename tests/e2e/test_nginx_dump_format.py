"""`--nginx-conf` takes the output of `nginx -T`: a real nginx with a log_format in an included
file writes an access log; its `nginx -T` dump alone (the included file removed) reads it."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.demo.stack import find_program, free_port

CONF = """\
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include {root}/conf.d/*.conf;
    access_log {root}/access.log timing;
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 200 "ok"; }}
    }}
}}
"""
FORMATS = """\
log_format timing '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                  'rt=$request_time ua="$http_user_agent" id=$request_id';
log_format other '$status $uri';
"""


def test_nginx_dash_t_output_gives_the_log_format(tmp_path: Path) -> None:
    nginx = find_program("nginx")
    assert nginx is not None, "nginx is installed by scripts/setup.sh"
    port = free_port()
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "tmp").mkdir()
    (tmp_path / "conf.d" / "formats.conf").write_text(FORMATS)
    conf = tmp_path / "nginx.conf"
    conf.write_text(CONF.format(root=tmp_path, port=port))
    dump = subprocess.run([nginx, "-T", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, check=True)
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"])
    try:
        paths = [f"/items/{i % 7}?page={i}" for i in range(60)]
        for attempt in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.05 * (attempt + 1))
        for p in paths:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{p}", timeout=5).read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    shutil.rmtree(tmp_path / "conf.d")  # the dump alone must carry the format
    dump_file = tmp_path / "nginx-T.txt"
    dump_file.write_bytes(dump.stderr + dump.stdout)  # as `nginx -T 2>&1 > file` would keep it
    result = CliRunner().invoke(
        main, ["slow", str(tmp_path / "access.log"), "--nginx-conf", str(dump_file), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["inputs"]["format_name"] == "timing"
    assert (data["inputs"]["requests"], data["inputs"]["skipped_lines"]) == (len(paths) + 1, 0)
    assert data["time_available"] and data["format_confidence"] == 1.0
    items = next(e for e in data["endpoints"] if e["endpoint"] == "GET /items/{id}")
    assert items["count"] == len(paths)
