"""Run one scenario on a real nginx + php-fpm with the real probe, and write its logs and truth.

Output directory per scenario: probe.log, access.log, scenario.json (the drawn recipe),
truth.json (what the app planted, per endpoint, as fpmscope names endpoints) and run.json
(timings, statuses, what the servers said).
"""

from __future__ import annotations

import http.client
import json
import random
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.accuracy import phpapp
from bench.accuracy.scenario import KiB, Scenario, endpoint_name, endpoint_regex, is_script, leak_bytes
from fpmscope.demo import stack
from fpmscope.probe import probe_path

Request = tuple[int, str, str]  # (endpoint index, method, path)

# Workers grow by at least this much per request of the whole traffic: the headline must say so.
GROWTH_HEADLINE_BYTES = 2 * KiB


class RunError(Exception):
    """A scenario run that cannot be trusted (servers died, requests failed)."""


def requests_for(scenario: Scenario) -> list[Request]:
    """The scenario's request sequence, reproducible from its seed and index."""
    rng = random.Random(f"traffic:{scenario['seed']}:{scenario['index']}:{scenario['id']}")
    eps = scenario["endpoints"]
    picks = rng.choices(range(len(eps)), weights=[e["share"] for e in eps], k=scenario["requests"])
    out = []
    for i in picks:
        ep = eps[i]
        template: str = ep["template"]
        if is_script(template):
            path = f"{template}?id={rng.randint(1, 99999)}"
        else:
            path = template.replace("{id}", str(rng.randint(1, 99999)))
            if "{slug}" in path:
                path = path.replace("{slug}", rng.choice(ep["slugs"]))
        out.append((i, ep["method"], path))
    return out


def drive(base_url: str, requests: list[Request], concurrency: int) -> list[int]:
    """Send every request (keep-alive per thread); return the statuses in request order."""
    host, port = base_url.removeprefix("http://").split(":")
    local = threading.local()
    opened: list[http.client.HTTPConnection] = []

    def send(req: Request) -> int:
        _, method, path = req
        body = b"qty=1" if method == "POST" else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        # A keep-alive connection nginx closed meanwhile fails before reaching PHP: retry once.
        for _attempt in range(2):
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(host, int(port), timeout=120)
                opened.append(conn)
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                local.conn = None
                continue
            return resp.status
        return 0

    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(send, requests))
    finally:
        for conn in opened:
            conn.close()


def stack_config(scenario: Scenario, docroot: Path, state: Path) -> stack.StackConfig:
    admin = {
        "ffi.enable": "1",
        "memory_limit": "512M",
        "opcache.enable": "1" if scenario["opcache"] else "0",
    }
    settings = {}
    if scenario["max_requests"]:
        settings["pm.max_requests"] = str(scenario["max_requests"])
    return stack.StackConfig(
        docroot=docroot,
        workers=scenario["workers"],
        pm=scenario["pm"],
        probe=probe_path(),
        admin_values=admin,
        env={"ACC_STATE": str(state)},
        process_env=scenario["process_env"],
        pool_settings=settings,
    )


def truth_for(scenario: Scenario, requests: list[Request], statuses: list[int], state: Path) -> dict[str, Any]:
    """Ground truth from the recipe and the traffic actually sent (never from the probe log)."""
    counts = [0] * len(scenario["endpoints"])
    for (i, _, _), status in zip(requests, statuses, strict=True):
        if status == 200:  # only requests PHP served count
            counts[i] += 1
    total = sum(counts)
    endpoints = []
    growth = 0.0
    for i, ep in enumerate(scenario["endpoints"]):
        leak = leak_bytes(ep)
        share = counts[i] / total
        growth += leak * share
        caches = [g for g in ep["ingredients"] if g["kind"] in ("ffi_cache", "pcre_cache")]
        fills = _cache_fills(state, phpapp.endpoint_slug(ep)) if caches else {}
        endpoints.append(
            {
                "endpoint": endpoint_name(ep["method"], ep["template"]),
                "regex": endpoint_regex(ep["method"], ep["template"]),
                "leak_bytes_per_request": leak,
                "leak": leak > 0,
                "bounded_cache": bool(caches),
                "cache": caches[0] if caches else None,
                "cache_entries_per_worker": fills,
                # Worker lives whose FFI cache reached its cap (it stopped growing), of those
                # that served the endpoint. A PCRE cache's fill is not observable from PHP.
                "cache_full_workers": _full(caches, fills),
                "requests": counts[i],
                "share": share,
                "ingredients": [g["kind"] for g in ep["ingredients"]],
            }
        )
    return {
        "id": scenario["id"],
        "no_leak": all(not e["leak"] for e in endpoints),
        "requests": total,
        "failed_requests": sum(1 for s in statuses if s != 200),
        "sent_requests": len(requests),
        "planted_growth_bytes_per_request": growth,
        "growth_headline_expected": growth >= GROWTH_HEADLINE_BYTES,
        "workers": scenario["workers"],
        "pm": scenario["pm"],
        "max_requests": scenario["max_requests"],
        "concurrency": scenario["concurrency"],
        "opcache": scenario["opcache"],
        "glibc_env": scenario["process_env"],
        "layout": scenario["layout"],
        "endpoints": endpoints,
    }


def _full(caches: list[dict[str, Any]], fills: dict[str, int]) -> list[int] | None:
    ffi = [g for g in caches if g["kind"] == "ffi_cache"]
    if not ffi:
        return None
    return [sum(1 for n in fills.values() if n >= ffi[0]["cap"]), len(fills)]


def _cache_fills(state: Path, slug: str) -> dict[str, int]:
    """Entries each worker's bounded FFI cache ended with (`pid-starttime` -> count)."""
    out = {}
    for f in sorted(state.glob(f"cache-{slug}-*")):
        out[f.name.removeprefix(f"cache-{slug}-")] = len([k for k in f.read_text().split(",") if k])
    return out


def run(scenario: Scenario, out: Path) -> dict[str, Any]:
    """Run `scenario`, write its files under `out` (replaced atomically), return its truth."""
    requests = requests_for(scenario)
    work = Path(tempfile.mkdtemp(prefix=f"acc-{scenario['id']}-"))
    try:
        docroot = phpapp.write_app(scenario, work / "www")
        state = work / "state"
        state.mkdir()
        cfg = stack_config(scenario, docroot, state)
        started = time.monotonic()
        with stack.running(cfg, work / "servers") as servers:
            statuses = drive(servers.url, requests, scenario["concurrency"])
        elapsed = time.monotonic() - started
        failed = sum(1 for s in statuses if s != 200)
        if failed > len(statuses) // 100:
            raise RunError(f"{scenario['id']}: {failed} of {len(statuses)} requests failed; nothing written")
        truth = truth_for(scenario, requests, statuses, state)
        staging = out.with_name(out.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        shutil.copy(servers.probe_log, staging / "probe.log")
        shutil.copy(servers.access_log, staging / "access.log")
        (staging / "scenario.json").write_text(json.dumps(scenario, indent=1, sort_keys=True) + "\n")
        (staging / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
        errors = work / "servers" / "php-errors.log"
        run_info = {
            "seconds": round(elapsed, 1),
            "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
            "php_errors": errors.read_text(errors="replace")[-4000:] if errors.exists() else "",
        }
        (staging / "run.json").write_text(json.dumps(run_info, indent=1, sort_keys=True) + "\n")
        shutil.rmtree(out, ignore_errors=True)
        staging.rename(out)
        return truth
    finally:
        shutil.rmtree(work, ignore_errors=True)
