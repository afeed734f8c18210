"""System calls the probe adds to a request, counted in a real php-fpm worker.

One static worker behind nginx (the demo stack) serves hello world; `strace -c` follows that
worker over N requests, without a probe, with each probe given, and with each probe in a
worker that FPMSCOPE_SAMPLE leaves out. Counts do not depend on the machine's load, unlike
their cost (bench/syscall_floor.c measures that).

    .venv/bin/python bench/probe_syscalls.py [PROBE.php ...] [--requests 200]

Needs strace (installed with apt-get when missing).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from fpmscope.demo import stack
from fpmscope.live import proc
from fpmscope.probe import probe_path


def count(probe: Path | None, env: dict[str, str], requests: int, work: Path) -> dict[str, float]:
    """System calls per request of the pool's only worker, by name."""
    docroot = work / "www"
    docroot.mkdir(exist_ok=True)
    (docroot / "hello.php").write_text('<?php echo "hello world\\n";\n')
    cfg = stack.StackConfig(docroot=docroot, workers=1, probe=probe, env=env)
    with stack.running(cfg, Path(tempfile.mkdtemp(dir=work))) as servers:
        url = servers.url + "/hello.php"
        urllib.request.urlopen(url).read()  # warm: opcache, the log created
        time.sleep(0.2)
        (pid,) = proc.pool_pids(master=servers.fpm_master_pid())
        out = work / "strace.txt"
        tracer = subprocess.Popen(["strace", "-c", "-o", str(out), "-p", str(pid)], stderr=subprocess.DEVNULL)
        time.sleep(1)
        for _ in range(requests):
            urllib.request.urlopen(url).read()
        time.sleep(0.3)
        tracer.terminate()
        tracer.wait()
    calls: dict[str, float] = {}
    for line in out.read_text().splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[0][0].isdigit() and fields[-1] != "total":
            calls[fields[-1]] = int(fields[3]) / requests
    return calls


def added(calls: dict[str, float], base: dict[str, float]) -> str:
    diff = {name: calls.get(name, 0) - base.get(name, 0) for name in set(calls) | set(base)}
    return ", ".join(f"{name} {n:+.1f}" for name, n in sorted(diff.items(), key=lambda kv: -kv[1]) if abs(n) >= 0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("probes", nargs="*", type=Path, help="probe files (default: the packaged one)")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if shutil.which("strace") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "strace"], check=True)
    probes = [p.resolve() for p in args.probes] or [probe_path()]
    with tempfile.TemporaryDirectory(prefix="fpmscope-syscalls-") as tmp:
        work = Path(tmp)
        base = count(None, {}, args.requests, work)
        print("| probe | worker | syscalls / request | added | added, by call |")
        print("|---|---|---:|---:|---|")
        print(f"| none | | {sum(base.values()):.1f} | | |")
        for probe in probes:
            for label, env in (("measured", {}), ("left out by FPMSCOPE_SAMPLE", {"FPMSCOPE_SAMPLE": "0.000001"})):
                calls = count(probe, env, args.requests, work)
                total = sum(calls.values())
                more = total - sum(base.values())
                print(f"| {probe.name} | {label} | {total:.1f} | {more:+.1f} | {added(calls, base)} |")


if __name__ == "__main__":
    main()
