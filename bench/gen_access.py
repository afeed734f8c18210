#!/usr/bin/env python3
"""Write a synthetic nginx access log: combined + $request_time, realistic endpoint mix.

Endpoints follow a weighted mix of routes with ids (log-uniform: popular ids repeat, long
tail), UUIDs, hex SKUs and query strings;
times are log-normal with a long tail per route; statuses include 3xx/4xx/5xx, 499 and 504.
Deterministic for a given --seed. Usage:

    python bench/gen_access.py --lines 10000000 -o /tmp/access.log [--seed 1] [--format e2e]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid

# (method, template, weight, median seconds, tail sigma). {n} id, {u} uuid, {h} hex, {d} date.
ROUTES = (
    ("GET", "/", 30, 0.012, 0.5),
    ("GET", "/products/{n}", 25, 0.030, 0.6),
    ("GET", "/products/{n}/reviews?page={p}", 6, 0.045, 0.7),
    ("GET", "/search?q=item{n}", 8, 0.180, 0.9),
    ("GET", "/catalog/{n}", 10, 0.025, 0.5),
    ("GET", "/users/{u}/profile", 5, 0.020, 0.4),
    ("POST", "/cart/add", 4, 0.060, 0.6),
    ("GET", "/api/stock/{h}", 6, 0.008, 0.4),
    ("GET", "/images/{n}/thumbnail", 12, 0.015, 0.8),
    ("GET", "/orders/{n}/invoice", 1, 0.400, 1.0),
    ("GET", "/reports/export?from={d}", 0.3, 2.500, 1.2),
    ("POST", "/api/v2/checkout", 1, 0.350, 0.9),
    ("GET", "/static/app.js?v={p}", 9, 0.001, 0.3),
    ("GET", "/feed/{d}", 0.5, 0.090, 0.5),
)
AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "curl/8.4.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
)
MAX_ID = 200_000
STATUSES = ((200, 900), (301, 15), (302, 20), (304, 25), (404, 25), (403, 3), (499, 4), (500, 4), (502, 1), (504, 3))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=("timed", "e2e"), default="timed", help="e2e adds upstream time + request id")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    weights = [r[2] for r in ROUTES]
    codes = [s for s, _ in STATUSES]
    code_w = [w for _, w in STATUSES]
    # A pool of pre-rendered variants per route keeps generation fast and the path set realistic.
    uuids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(5000)]
    skus = [f"{rng.getrandbits(64):016x}" for _ in range(20000)]
    t0 = 1_700_000_000
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="ascii")  # noqa: SIM115
    try:
        batch: list[str] = []
        block = 10_000
        for start in range(0, args.lines, block):
            n = min(block, args.lines - start)
            routes = rng.choices(ROUTES, weights, k=n)
            statuses = rng.choices(codes, code_w, k=n)
            stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(t0 + start // 200))
            for (method, tpl, _, median, sigma), status in zip(routes, statuses, strict=False):
                path = tpl
                if "{" in tpl:
                    path = tpl.format(
                        # Popular ids repeat, the tail is long: log-uniform over 1..200,000.
                        n=int(MAX_ID ** rng.random()),
                        u=uuids[rng.randrange(len(uuids))],
                        h=skus[rng.randrange(len(skus))],
                        d=f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                        p=rng.randrange(1, 50),
                    )
                rt = rng.lognormvariate(0, sigma) * median
                if status == 504:
                    rt = 60.0 + rng.random() * 0.01
                ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                line = (
                    f'{ip} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {rng.randrange(200, 60000)} '
                    f'"-" "{AGENTS[rng.randrange(4)]}" {rt:.3f}'
                )
                if args.format == "e2e":
                    line += f" {max(rt - 0.001, 0):.3f} {rng.getrandbits(128):032x}"
                batch.append(line)
            out.write("\n".join(batch))
            out.write("\n")
            batch.clear()
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
