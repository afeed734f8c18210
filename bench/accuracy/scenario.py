"""Scenarios of the accuracy suite: a test PHP app, its pool and its traffic, drawn from ingredients.

A scenario is plain data (JSON-serializable dicts and lists) so that it can be written next to
its logs and read back by the scorer. Nothing here knows how fpmscope estimates anything: the
draw is uniform over the ingredient ranges of issue 11, and the truth is what the app plants.
"""

from __future__ import annotations

import math
import random
from typing import Any

KiB = 1024
MiB = 1024 * KiB

Scenario = dict[str, Any]
Endpoint = dict[str, Any]

NOUNS = (
    "user", "item", "order", "cart", "report", "feed", "image", "invoice", "page", "tag",
    "account", "product", "review", "basket", "author", "comment", "ticket", "photo", "album", "note",
)  # fmt: skip
SECOND = ("avatar", "orders", "items", "details", "history", "export", "preview", "summary", "stats", "edit")
SLUG_WORDS = ("hello", "world", "fpm", "tuning", "memory", "guide", "news", "spring", "sale", "intro", "howto")
DIRS = ("legacy", "admin", "cron", "old", "tools")

# glibc tunables a pool may run with. They are read once at process start, so the runner sets
# them in php-fpm's own environment (StackConfig.process_env); pool env[...] would only reach
# PHP's getenv() (checked: a 200 KiB malloc is still mmapped with env[MALLOC_MMAP_THRESHOLD_]).
TUNABLES = {
    "MALLOC_ARENA_MAX": ("1", "2", "4"),
    "MALLOC_TRIM_THRESHOLD_": ("0", str(128 * KiB), str(1 * MiB), str(64 * MiB)),
    "MALLOC_MMAP_THRESHOLD_": (str(64 * KiB), str(128 * KiB), str(512 * KiB), str(4 * MiB)),
}

NO_LEAK_EVERY = 4  # scenario i (0-based) has no leak at all when i % 4 == 0: 10 of 40


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _kib(rng: random.Random, lo: int, hi: int) -> int:
    """A size in whole KiB, log-uniform in [lo, hi] KiB."""
    return round(_log_uniform(rng, lo, hi)) * KiB


def endpoint_regex(method: str, template: str) -> str:
    """A regex matching every name fpmscope may give this endpoint: `{id}` as a placeholder or a
    literal number, `{slug}` as any one segment (per-slug names or an inferred template)."""
    parts = []
    for piece in template.split("/"):
        if piece == "{id}":
            parts.append(r"(\{[^}/]*\}|[0-9]+)")
        elif piece == "{slug}":
            parts.append(r"[^/]+")
        else:
            parts.append(_escape(piece))
    return f"^{method} " + "/".join(parts) + "$"


def _escape(text: str) -> str:
    return "".join("\\" + c if c in r".^$*+?()[]{}|\\" else c for c in text)


def endpoint_name(method: str, template: str) -> str:
    """The name fpmscope is expected to print (numbers become `{id}`)."""
    return f"{method} {template}"


def _front_templates(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Distinct (method, path template) pairs for a front controller."""
    out: list[tuple[str, str]] = [("GET", "/")]
    nouns = rng.sample(NOUNS, k=len(NOUNS))
    for noun in nouns:
        if len(out) >= count:
            break
        shape = rng.choice(("plain", "id", "id_second", "slug", "api", "post"))
        if shape == "plain":
            out.append(("GET", f"/{noun}s"))
        elif shape == "id":
            out.append(("GET", f"/{noun}/{{id}}"))
        elif shape == "id_second":
            out.append(("GET", f"/{noun}/{{id}}/{rng.choice(SECOND)}"))
        elif shape == "slug":
            out.append(("GET", f"/{noun}/{{slug}}"))
        elif shape == "api":
            out.append(("GET", f"/api/{noun}s/{{id}}"))
        else:
            out.append(("POST", f"/{noun}/add"))
    return out[:count]


def _script_templates(rng: random.Random, count: int) -> list[tuple[str, str]]:
    out = []
    for noun in rng.sample(NOUNS, k=count):
        folder = rng.choice((*DIRS, ""))
        path = f"/{folder}/{noun}.php" if folder else f"/{noun}.php"
        out.append(("POST" if rng.random() < 0.1 else "GET", path))
    return out


def _shares(rng: random.Random, n_rest: int, rest_total: float) -> list[float]:
    weights = [rng.uniform(0.3, 3.0) for _ in range(n_rest)]
    total = sum(weights)
    return [rest_total * w / total for w in weights]


def draw(seed: int, index: int = 1, requests: int | None = None) -> Scenario:
    """Scenario number `index` of a suite drawn from `seed` (reproducible)."""
    rng = random.Random(f"{seed}:{index}")
    layout = rng.choice(("front", "front", "scripts", "mixed"))
    n_endpoints = rng.randint(4, 10)
    if layout == "scripts":
        templates = _script_templates(rng, n_endpoints)
    else:
        n_scripts = rng.randint(1, 2) if layout == "mixed" else 0
        templates = _front_templates(rng, n_endpoints - n_scripts) + _script_templates(rng, n_scripts)
    no_leak = index % NO_LEAK_EVERY == 0
    # Leaks go on endpoints whose name does not depend on slug inference.
    leak_candidates = [i for i, (_, t) in enumerate(templates) if "{slug}" not in t]
    n_leaks = 0 if no_leak else rng.randint(1, max(1, min(3, len(leak_candidates) - 1)))
    leak_at = set(rng.sample(leak_candidates, k=n_leaks))
    leak_shares = {i: rng.uniform(0.01, 0.30) for i in leak_at}
    rest = [i for i in range(len(templates)) if i not in leak_at]
    rest_shares = _shares(rng, len(rest), 1.0 - sum(leak_shares.values()))
    shares = {**leak_shares, **dict(zip(rest, rest_shares, strict=True))}

    workers = rng.randint(1, 16)
    endpoints: list[Endpoint] = []
    cache_slots = rng.randint(0, 2)
    for i, (method, template) in enumerate(templates):
        ingredients: list[dict[str, Any]] = []
        if i in leak_at:
            ingredients.append({"kind": "native_leak", "bytes": _kib(rng, 4, 256)})
        roll = rng.random()
        if roll < 0.2:
            ingredients.append({"kind": "zend_array", "mb": round(_log_uniform(rng, 1, 64))})
        elif roll < 0.35:
            ingredients.append({"kind": "zend_string", "mb": round(_log_uniform(rng, 1, 64))})
        roll = rng.random()
        if roll < 0.15:
            ingredients.append({"kind": "native_transient", "bytes": _kib(rng, 4, 120)})
        elif roll < 0.3:
            ingredients.append({"kind": "native_transient", "bytes": _kib(rng, 160, 8192)})
        if i not in leak_at and cache_slots and rng.random() < 0.35:
            cache_slots -= 1
            if rng.random() < 0.6:
                # Fills until `cap` distinct keys per worker, then never allocates again. The cap
                # is drawn so that the cache fills within an average worker's life (recycling
                # included): a cache that never fills is, for the run, a leak.
                # The cap is set below, once pm.max_requests is drawn.
                fill = rng.uniform(0.1, 0.4)
                ingredients.append({"kind": "ffi_cache", "entry_bytes": _kib(rng, 4, 64), "cap": fill})
            else:
                ingredients.append({"kind": "pcre_cache", "keys": rng.randint(20, 200)})
        if rng.random() < 0.3:
            ingredients.append({"kind": "includes", "files": rng.randint(10, 300)})
        if rng.random() < 0.1:
            ingredients.append({"kind": "zend_static", "items": rng.randint(1000, 50000)})
        endpoint: Endpoint = {
            "method": method,
            "template": template,
            "share": shares[i],
            "ingredients": ingredients,
        }
        if "{slug}" in template:
            endpoint["slugs"] = [
                "-".join(rng.sample(SLUG_WORDS, k=rng.randint(1, 3))) for _ in range(rng.randint(2, 5))
            ]
        endpoints.append(endpoint)

    pm = rng.choice(("static", "dynamic", "ondemand"))
    env = {k: rng.choice(v) for k, v in TUNABLES.items() if rng.random() < 0.3}
    max_requests = rng.choice((0, 0, 0, rng.randint(50, 500)))
    life = (requests or 3000) / workers
    if max_requests:
        life = min(life, max_requests)
    for endpoint in endpoints:
        for g in endpoint["ingredients"]:
            if g["kind"] == "ffi_cache":
                g["cap"] = max(2, round(max(1.0, life * endpoint["share"]) * g["cap"]))
    return {
        "id": f"s{seed}-{index:03d}",
        "seed": seed,
        "index": index,
        "layout": layout,
        "workers": workers,
        "pm": pm,
        "max_requests": max_requests,
        "process_env": env,
        "concurrency": rng.randint(1, 32),
        "opcache": rng.random() < 0.7,
        "requests": requests or rng.randint(2000, 4000),
        "endpoints": endpoints,
    }


def shop(requests: int = 3000) -> Scenario:
    """The independent shop of issue 11: front controller plus two legacy scripts."""
    eps: list[Endpoint] = [
        {"method": "GET", "template": "/", "share": 0.12, "ingredients": [{"kind": "includes", "files": 20}]},
        {"method": "GET", "template": "/product/{id}", "share": 0.25, "ingredients": []},
        {
            "method": "POST",
            "template": "/cart/add",
            "share": 0.10,
            "ingredients": [{"kind": "native_leak", "bytes": 96 * KiB}],
        },
        {
            "method": "GET",
            "template": "/account/{id}/orders",
            "share": 0.05,
            "ingredients": [{"kind": "native_leak", "bytes": 40 * KiB}],
        },
        {
            "method": "GET",
            "template": "/legacy/stats.php",
            "share": 0.11,
            "ingredients": [{"kind": "native_leak", "bytes": 32 * KiB}],
        },
        {"method": "GET", "template": "/search", "share": 0.15, "ingredients": [{"kind": "zend_array", "mb": 25}]},
        {
            "method": "GET",
            "template": "/blog/{slug}",
            "share": 0.16,
            "ingredients": [{"kind": "includes", "files": 60}],
            "slugs": ["hello-world", "fpm-tuning"],
        },
        {"method": "GET", "template": "/legacy/contact.php", "share": 0.06, "ingredients": []},
    ]
    return {
        "id": "shop",
        "seed": 0,
        "index": 0,
        "layout": "mixed",
        "workers": 3,
        "pm": "static",
        "max_requests": 0,
        "process_env": {},
        "concurrency": 6,
        "opcache": True,
        "requests": requests,
        "endpoints": eps,
    }


def leak_bytes(endpoint: Endpoint) -> int:
    return sum(int(g["bytes"]) for g in endpoint["ingredients"] if g["kind"] == "native_leak")


def is_script(template: str) -> bool:
    return template.endswith(".php")
