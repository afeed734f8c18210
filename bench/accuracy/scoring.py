"""Score fpmscope's verdicts on scenario runs against their planted truth.

For each scenario directory (probe.log + truth.json), run `fpmscope leaks --format json` and
`fpmscope workers --format json` (any fpmscope: the command is a parameter) and compare:

- a suspect whose endpoint is a planted leak of >= 8 KiB/request on >= 3 % of traffic is a hit;
- a suspect whose endpoint plants no leak (bounded caches included) is a false positive;
- a suspect on a smaller planted leak counts neither way;
- a planted leak of >= 8 KiB on >= 3 % that no suspect names is a miss;
- each hit's estimate error is |estimate - truth| / truth;
- where the planted leaks grow the workers by >= 2 KiB per request of the whole traffic, the
  `leaks` headline must name a suspect or speak of the growth.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpmscope.records import RECORD_FIELDS

KiB = 1024
MIN_LEAK_BYTES = 8 * KiB
MIN_LEAK_SHARE = 0.03

# The acceptance bars of issue 11.
BAR_PRECISION = 0.95
BAR_RECALL = 0.95
BAR_MEDIAN_ERROR = 0.05
BAR_WORST_ERROR = 0.25

GROWTH_WORDS = re.compile(r"\b(grow|grows|grew|growing|growth|gains?)\b", re.IGNORECASE)


@dataclass
class ScenarioScore:
    id: str
    truth: dict[str, Any]
    suspects: list[dict[str, Any]]
    hits: list[tuple[str, int, float]] = field(default_factory=list)  # (endpoint, truth, estimate)
    false_positives: list[str] = field(default_factory=list)
    misses: list[tuple[str, int, float]] = field(default_factory=list)  # (endpoint, truth bytes, share)
    # What fpmscope estimated for each missed endpoint (request-weighted over its names), if listed.
    missed_estimates: dict[str, float] = field(default_factory=dict)
    small_found: list[str] = field(default_factory=list)
    # Suspects on a bounded cache that never filled in most worker lives: for this run it was
    # indistinguishable from a leak, so it counts neither way.
    unfilled_cache: list[str] = field(default_factory=list)
    leaks_verdict: str = ""
    workers_verdict: str = ""
    growth_reported: bool | None = None  # None: growth below the bar, nothing to report
    ranked_by_total: bool | None = None
    recipe: dict[str, Any] | None = None  # scenario.json, when next to truth.json
    measured_growth: float = 0.0
    planted_growth: float = 0.0
    error: str = ""

    @property
    def errors(self) -> list[float]:
        return [abs(est - t) / t for _, t, est in self.hits]

    @property
    def no_leak(self) -> bool:
        return bool(self.truth.get("no_leak"))


def run_json(command: list[str], args: list[str]) -> dict[str, Any]:
    proc = subprocess.run([*command, *args], capture_output=True, text=True, check=False, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join([*command, *args])} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def relevant(ep: dict[str, Any]) -> bool:
    return bool(ep["leak_bytes_per_request"] >= MIN_LEAK_BYTES and ep["share"] >= MIN_LEAK_SHARE)


def _truth_of(name: str, truth: dict[str, Any]) -> dict[str, Any] | None:
    for ep in truth["endpoints"]:
        if re.match(ep["regex"], name):
            found: dict[str, Any] = ep
            return found
    return None


def pool_growth(directory: Path, truth: dict[str, Any], skip: int = 5) -> tuple[float, float]:
    """(measured, planted) bytes over every worker life, from request `skip` to its last request.

    Measured is the rise of the worker's private anonymous memory between those two request
    starts; planted is the leak bytes of the requests served in between. A check that the
    planted leaks are resident, independent of fpmscope (worker lives are split on pid change or
    when the worker's CPU counter goes back)."""
    fields = [name for name, _ in RECORD_FIELDS]
    col = {name: i + 1 for i, name in enumerate(fields)}
    regexes = [(re.compile(e["regex"]), int(e["leak_bytes_per_request"])) for e in truth["endpoints"]]
    lives: dict[tuple[str, int], list[tuple[int, int]]] = {}
    generation: dict[str, int] = {}
    last_cpu: dict[str, int] = {}
    for line in (directory / "probe.log").read_text(errors="replace").splitlines():
        f = line.split("\t")
        if len(f) != len(fields) + 1 or not f[col["anon_start"]]:
            continue
        pid, cpu = f[col["pid"]], int(f[col["worker_cpu_us"]] or 0)
        if cpu < last_cpu.get(pid, -1):
            generation[pid] = generation.get(pid, 0) + 1
        last_cpu[pid] = cpu
        name = f"{f[col['method']]} {f[col['uri']]}"
        leak = next((b for rx, b in regexes if rx.match(name)), 0)
        lives.setdefault((pid, generation.get(pid, 0)), []).append((int(f[col["anon_start"]]), leak))
    measured = planted = 0.0
    for reqs in lives.values():
        if len(reqs) <= skip + 1:
            continue
        measured += reqs[-1][0] - reqs[skip][0]
        planted += sum(leak for _, leak in reqs[skip:-1])
    return measured, planted


def _weighted(items: list[dict[str, Any]]) -> float:
    n = sum(int(i["requests"]) for i in items) or 1
    return sum(float(i["retained_bytes_per_request"] or 0) * int(i["requests"]) for i in items) / n


def _unfilled(ep: dict[str, Any]) -> bool:
    full = ep.get("cache_full_workers")
    return full is not None and int(full[0]) * 2 < int(full[1])


def score_dir(directory: Path, command: list[str]) -> ScenarioScore:
    truth = json.loads((directory / "truth.json").read_text())
    log = str(directory / "probe.log")
    sc = ScenarioScore(id=truth["id"], truth=truth, suspects=[])
    recipe = directory / "scenario.json"
    if recipe.exists():
        sc.recipe = json.loads(recipe.read_text())
    sc.measured_growth, sc.planted_growth = pool_growth(directory, truth)
    try:
        leaks = run_json(command, ["leaks", "--format", "json", log])
        workers = run_json(command, ["workers", "--format", "json", log])
    except (RuntimeError, json.JSONDecodeError, subprocess.TimeoutExpired) as exc:
        sc.error = str(exc)
        return sc
    sc.suspects = list(leaks.get("suspects", []))
    listed: dict[str, list[dict[str, Any]]] = {}
    for item in leaks.get("endpoints", []):
        ep = _truth_of(str(item["endpoint"]), truth)
        if ep is not None:
            listed.setdefault(ep["endpoint"], []).append(item)
    sc.leaks_verdict = str(leaks.get("verdict", ""))
    sc.workers_verdict = str(workers.get("verdict", ""))
    # Several names may map to one planted endpoint (e.g. one per slug): merge them, weighted
    # by requests, before judging.
    found: dict[str, list[dict[str, Any]]] = {}
    for s in sc.suspects:
        ep = _truth_of(str(s["endpoint"]), truth)
        if ep is not None and not ep["leak"] and _unfilled(ep):
            sc.unfilled_cache.append(str(s["endpoint"]))
        elif ep is None or not ep["leak"]:
            sc.false_positives.append(str(s["endpoint"]))
        elif not relevant(ep):
            sc.small_found.append(str(s["endpoint"]))
        else:
            found.setdefault(ep["endpoint"], []).append(s)
    for ep in truth["endpoints"]:
        if not relevant(ep):
            continue
        items = found.get(ep["endpoint"])
        if not items:
            sc.misses.append((ep["endpoint"], ep["leak_bytes_per_request"], ep["share"]))
            if ep["endpoint"] in listed:
                sc.missed_estimates[ep["endpoint"]] = _weighted(listed[ep["endpoint"]])
            continue
        sc.hits.append((ep["endpoint"], ep["leak_bytes_per_request"], _weighted(items)))
    if truth.get("growth_headline_expected"):
        sc.growth_reported = bool(sc.suspects) or bool(GROWTH_WORDS.search(sc.leaks_verdict))
    planted = sorted(
        (e for e in truth["endpoints"] if e["leak"]), key=lambda e: -e["leak_bytes_per_request"] * e["requests"]
    )
    if len(planted) > 1 and not sc.misses and not sc.false_positives:
        order = []
        for s in sc.suspects:
            ep = _truth_of(str(s["endpoint"]), truth)
            if ep is not None and ep["endpoint"] not in order:
                order.append(ep["endpoint"])
        sc.ranked_by_total = order == [e["endpoint"] for e in planted if e["endpoint"] in order]
    return sc


@dataclass
class Totals:
    scenarios: int
    hits: int
    false_positives: int
    misses: int
    errors: list[float]
    no_leak_scenarios: int
    no_leak_with_suspects: int
    growth_expected: int
    growth_unreported: int
    failed_runs: int

    @property
    def precision(self) -> float:
        return self.hits / (self.hits + self.false_positives) if self.hits + self.false_positives else 1.0

    @property
    def recall(self) -> float:
        return self.hits / (self.hits + self.misses) if self.hits + self.misses else 1.0

    @property
    def median_error(self) -> float:
        return statistics.median(self.errors) if self.errors else 0.0

    @property
    def worst_error(self) -> float:
        return max(self.errors, default=0.0)

    def bars(self) -> dict[str, bool]:
        return {
            f"precision >= {BAR_PRECISION}": self.precision >= BAR_PRECISION,
            f"recall >= {BAR_RECALL}": self.recall >= BAR_RECALL,
            f"median error <= {BAR_MEDIAN_ERROR:.0%}": self.median_error <= BAR_MEDIAN_ERROR,
            f"worst error <= {BAR_WORST_ERROR:.0%}": self.worst_error <= BAR_WORST_ERROR,
            "no suspect where nothing leaks": self.no_leak_with_suspects == 0,
            "growth >= 2 KiB/request reported": self.growth_unreported == 0,
            "every run scored": self.failed_runs == 0,
        }


def totals(scores: list[ScenarioScore]) -> Totals:
    return Totals(
        scenarios=len(scores),
        hits=sum(len(s.hits) for s in scores),
        false_positives=sum(len(s.false_positives) for s in scores),
        misses=sum(len(s.misses) for s in scores),
        errors=[e for s in scores for e in s.errors],
        no_leak_scenarios=sum(s.no_leak for s in scores),
        no_leak_with_suspects=sum(1 for s in scores if s.no_leak and s.suspects),
        growth_expected=sum(1 for s in scores if s.growth_reported is not None),
        growth_unreported=sum(1 for s in scores if s.growth_reported is False),
        failed_runs=sum(1 for s in scores if s.error),
    )


def _kib(n: float) -> str:
    return f"{n / KiB:.0f}K" if abs(n) >= 10 * KiB else f"{n / KiB:.1f}K"


def _what(name: str, truth: dict[str, Any], recipe: dict[str, Any] | None) -> str:
    """What the endpoint a false suspect names planted, e.g. ` [native_transient 1.1M]`."""
    ep = _truth_of(name, truth)
    if ep is None:
        return " [not in truth]"
    ingredients: list[dict[str, Any]] = [{"kind": k} for k in ep.get("ingredients", [])]
    for e in (recipe or {}).get("endpoints", []):
        if f"{e['method']} {e['template']}" == ep["endpoint"]:
            ingredients = e["ingredients"]
    parts = []
    for g in ingredients:
        if g["kind"] == "includes":
            continue
        size = g.get("bytes") or g.get("entry_bytes")
        if g.get("mb"):
            parts.append(f"{g['kind']} {g['mb']}M")
        elif size:
            parts.append(f"{g['kind']} {_kib(size) if size < 1024 * KiB else _mib(size)}")
        else:
            parts.append(g["kind"])
    return f" [{', '.join(parts)}]" if parts else " [nothing]"


def _mib(n: float) -> str:
    return f"{n / 1024 / KiB:.1f}M"


def _pool(t: dict[str, Any]) -> str:
    pm = f"{t['workers']}w {t['pm']}"
    if t.get("max_requests"):
        pm += f" mr{t['max_requests']}"
    return pm


def markdown(scores: list[ScenarioScore]) -> str:
    lines = [
        "| scenario | app | pool | c | planted leaks (size@share) | hits (est/truth) | false suspects | misses | "
        "growth/req | pool grew (measured/planted) | headline | notes |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        t = s.truth
        planted = ", ".join(
            f"{_kib(e['leak_bytes_per_request'])}@{e['share']:.0%}" for e in t["endpoints"] if e["leak"]
        )
        hits = ", ".join(f"{_kib(est)}/{_kib(tr)}" for _, tr, est in s.hits)
        fps = ", ".join(f"`{f}`{_what(f, t, s.recipe)}" for f in s.false_positives)
        misses = ", ".join(
            f"`{m}` {_kib(b)}@{sh:.0%}" + (f" (est {_kib(s.missed_estimates[m])})" if m in s.missed_estimates else "")
            for m, b, sh in s.misses
        )
        headline = {None: "-", True: "ok", False: "**silent**"}[s.growth_reported]
        notes = []
        if s.error:
            notes.append(f"ERROR {s.error[:80]}")
        if t.get("glibc_env"):
            notes.append(" ".join(f"{k}={v}" for k, v in sorted(t["glibc_env"].items())))
        if t.get("failed_requests"):
            notes.append(f"{t['failed_requests']} failed requests")
        if s.growth_reported is not None and not GROWTH_WORDS.search(s.workers_verdict):
            notes.append("workers verdict silent on growth")
        if s.unfilled_cache:
            notes.append("suspect on a cache that did not fill: " + ", ".join(s.unfilled_cache))
        if s.small_found:
            notes.append("small leak found: " + ", ".join(s.small_found))
        if s.ranked_by_total is False:
            notes.append("ranking differs from total")
        if any(e["bounded_cache"] for e in t["endpoints"]):
            notes.append("bounded cache")
        if not t.get("opcache", True):
            notes.append("opcache off")
        lines.append(
            f"| {s.id} | {t['layout']} | {_pool(t)} | {t['concurrency']} | {planted or 'none'} | {hits or '-'} | "
            f"{fps or '-'} | {misses or '-'} | {_kib(t['planted_growth_bytes_per_request'])} | "
            f"{_mib(s.measured_growth)}/{_mib(s.planted_growth)} | "
            f"{headline} | "
            f"{'; '.join(notes)} |"
        )
    tot = totals(scores)
    lines += [
        "",
        f"Scenarios: {tot.scenarios} ({tot.no_leak_scenarios} without any leak). "
        f"Leaks >= 8 KiB/request on >= 3 % of traffic: {tot.hits} found, {tot.misses} missed; "
        f"{tot.false_positives} false suspects.",
        "",
        "| measure | value | bar | pass |",
        "|---|---|---|---|",
        f"| precision | {tot.precision:.3f} | >= {BAR_PRECISION} | {_yes(tot.precision >= BAR_PRECISION)} |",
        f"| recall | {tot.recall:.3f} | >= {BAR_RECALL} | {_yes(tot.recall >= BAR_RECALL)} |",
        f"| median estimate error | {tot.median_error:.1%} | <= {BAR_MEDIAN_ERROR:.0%} | "
        f"{_yes(tot.median_error <= BAR_MEDIAN_ERROR)} |",
        f"| worst estimate error | {tot.worst_error:.1%} | <= {BAR_WORST_ERROR:.0%} | "
        f"{_yes(tot.worst_error <= BAR_WORST_ERROR)} |",
        f"| no-leak scenarios with a suspect | {tot.no_leak_with_suspects} of {tot.no_leak_scenarios} | 0 | "
        f"{_yes(tot.no_leak_with_suspects == 0)} |",
        f"| growth >= 2 KiB/request not in the headline | {tot.growth_unreported} of {tot.growth_expected} | 0 | "
        f"{_yes(tot.growth_unreported == 0)} |",
        f"| runs fpmscope failed on | {tot.failed_runs} | 0 | {_yes(tot.failed_runs == 0)} |",
    ]
    return "\n".join(lines) + "\n"


def as_json(scores: list[ScenarioScore]) -> dict[str, Any]:
    """Per-scenario results and totals, for programs."""
    tot = totals(scores)
    return {
        "scenarios": [
            {
                "id": s.id,
                "no_leak": s.no_leak,
                "hits": [{"endpoint": e, "truth": t, "estimate": est} for e, t, est in s.hits],
                "false_positives": s.false_positives,
                "misses": [
                    {"endpoint": e, "truth": b, "share": sh, "estimate": s.missed_estimates.get(e)}
                    for e, b, sh in s.misses
                ],
                "small_found": s.small_found,
                "unfilled_cache": s.unfilled_cache,
                "growth_reported": s.growth_reported,
                "ranked_by_total": s.ranked_by_total,
                "leaks_verdict": s.leaks_verdict,
                "workers_verdict": s.workers_verdict,
                "measured_growth_bytes": s.measured_growth,
                "planted_growth_bytes": s.planted_growth,
                "error": s.error,
            }
            for s in scores
        ],
        "totals": {
            "scenarios": tot.scenarios,
            "hits": tot.hits,
            "false_positives": tot.false_positives,
            "misses": tot.misses,
            "precision": tot.precision,
            "recall": tot.recall,
            "median_error": tot.median_error,
            "worst_error": tot.worst_error,
            "no_leak_scenarios": tot.no_leak_scenarios,
            "no_leak_with_suspects": tot.no_leak_with_suspects,
            "growth_expected": tot.growth_expected,
            "growth_unreported": tot.growth_unreported,
            "bars": tot.bars(),
        },
    }


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def scenario_dirs(root: Path) -> list[Path]:
    """Finished scenario directories under `root` (or `root` itself), shop first."""
    if (root / "truth.json").exists():
        return [root]
    dirs = [d for d in root.iterdir() if d.is_dir() and _ours(d / "truth.json")]
    return sorted(dirs, key=lambda d: (d.name != "shop", d.name))


def _ours(truth: Path) -> bool:
    """A truth.json written by this suite (other runs may share the directory)."""
    try:
        data = json.loads(truth.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "id" in data and "endpoints" in data
