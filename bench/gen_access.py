#!/usr/bin/env python3
"""Write a synthetic nginx access log: combined + $request_time, realistic endpoint mix.

Endpoints follow a weighted mix of routes with ids (log-uniform: popular ids repeat, long
tail), UUIDs, hex SKUs and query strings;
times are log-normal with a long tail per route; statuses include 3xx/4xx/5xx, 499 and 504.
Deterministic for a given --seed. DuckDB writes it (10 M lines in about 20 s).
`--cardinality high` adds what makes real logs hard: blog slugs and build-hashed assets that
no rule folds, so about one line in ten has a raw URL never seen before and tens of thousands
of endpoints stay distinct. Usage:

    python bench/gen_access.py --lines 10000000 -o /tmp/access.log [--seed 1] [--format e2e]
        [--cardinality high]
"""

from __future__ import annotations

import argparse
import sys
import time

import duckdb

# (method, template, weight, median seconds, tail sigma). {n} id, {u} uuid, {h} hex, {d} date,
# {p} small number.
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
# --cardinality high: slugs (letters only, kept as they are) and hashed asset names.
HIGH_CARDINALITY = (
    ("GET", "/blog/{s}", 14, 0.070, 0.6),
    ("GET", "/assets/app.{a}.js", 8, 0.002, 0.3),
)
SLUGS = 120_000
ASSETS = 60_000
AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "curl/8.4.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
)
MAX_ID = 200_000
UUIDS = 5_000  # distinct users
SKUS = 20_000  # distinct hex SKUs
STATUSES = ((200, 900), (301, 15), (302, 20), (304, 25), (404, 25), (403, 3), (499, 4), (500, 4), (502, 1), (504, 3))
T0 = 1_700_000_000  # the first request's time; 200 requests a second

# u(k): the k-th uniform number in [0, 1) of line i, from a hash (deterministic per seed).
GENERATE = """
COPY (
    WITH r AS (
        SELECT i,
            (hash(i, $seed, 1) % 1000003) / 1000003.0 AS u_route,
            (hash(i, $seed, 2) % 1000003) / 1000003.0 AS u_status,
            (hash(i, $seed, 3) % 1000003 + 1) / 1000004.0 AS u_t1,
            (hash(i, $seed, 4) % 1000003) / 1000003.0 AS u_t2,
            (hash(i, $seed, 5) % 1000003) / 1000003.0 AS u_id,
            hash(i, $seed, 6) AS h
        FROM range($lines) t(i)
    ),
    picked AS (
        SELECT r.*, c.method, c.tpl, c.median, c.sigma, s.status
        FROM r
        JOIN routes c ON r.u_route * $route_total >= c.lo AND r.u_route * $route_total < c.hi
        JOIN statuses s ON r.u_status * $status_total >= s.lo AND r.u_status * $status_total < s.hi
    ),
    lines AS (
        SELECT i, status,
            replace(replace(replace(replace(replace(tpl,
                '{n}', floor(exp(u_id * ln($max_id)))::BIGINT::VARCHAR),
                '{u}', CASE WHEN contains(tpl, '{u}') THEN regexp_replace(
                    md5(($seed * 1000003 + h % $uuids)::VARCHAR),
                    '^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\\1-\\2-\\3-\\4-\\5') ELSE '' END),
                '{h}', CASE WHEN contains(tpl, '{h}')
                    THEN left(md5(($seed * 7919 + h % $skus)::VARCHAR), 16) ELSE '' END),
                '{d}', '2024-' || lpad((1 + h % 12)::VARCHAR, 2, '0')
                    || '-' || lpad((1 + (h >> 8) % 28)::VARCHAR, 2, '0')),
                '{p}', (1 + (h >> 16) % 49)::VARCHAR) AS path0,
            method, h,
            -- Log-normal around the route's median (Box-Muller); a 504 is nginx's 60 s timeout.
            CASE WHEN status = 504 THEN 60.0 + u_t2 * 0.01
                ELSE median * exp(sigma * sqrt(-2 * ln(u_t1)) * cos(2 * pi() * u_t2)) END AS rt,
            '10.' || (h >> 24) % 256 || '.' || (h >> 32) % 256 || '.' || 1 + (h >> 40) % 254 AS ip,
            200 + (h >> 20) % 59800 AS bytes,
            (h >> 48) % 4 AS agent
        FROM picked
    ),
    slugged AS (
        SELECT *, CASE
            WHEN contains(path0, '{s}') THEN replace(path0, '{s}',
                translate(left(md5(($seed * 31 + h % $slugs)::VARCHAR), 12), '0123456789', 'ghijklmnop'))
            WHEN contains(path0, '{a}') THEN replace(path0, '{a}', left(md5(($seed * 17 + h % $assets)::VARCHAR), 8))
            ELSE path0 END AS path
        FROM lines
    )
    SELECT ip || ' - - [' || strftime(make_timestamp(($t0 + i // 200) * 1000000), '%d/%b/%Y:%H:%M:%S +0000')
        || '] "' || method || ' ' || path || ' HTTP/1.1" ' || status || ' ' || bytes
        || ' "-" "' || a.ua || '" ' || printf('%.3f', rt)
        || CASE WHEN $e2e THEN printf(' %.3f ', greatest(rt - 0.001, 0)) || md5(($seed || '-' || i)) ELSE '' END
    FROM slugged JOIN agents a ON a.idx = slugged.agent
    ORDER BY i
) TO '{path}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t')
"""


def _cumulative(weights: list[float]) -> list[tuple[float, float]]:
    bounds, lo = [], 0.0
    for w in weights:
        bounds.append((lo, lo + w))
        lo += w
    return bounds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=("timed", "e2e"), default="timed", help="e2e adds upstream time + request id")
    ap.add_argument("--cardinality", choices=("normal", "high"), default="normal", help="high adds slugs and hashes")
    args = ap.parse_args(argv)
    started = time.monotonic()
    con = duckdb.connect()
    con.execute("CREATE TABLE routes (method VARCHAR, tpl VARCHAR, median DOUBLE, sigma DOUBLE, lo DOUBLE, hi DOUBLE)")
    routes = ROUTES + (HIGH_CARDINALITY if args.cardinality == "high" else ())
    bounds = _cumulative([r[2] for r in routes])
    con.executemany(
        "INSERT INTO routes VALUES (?, ?, ?, ?, ?, ?)",
        [(m, tpl, median, sigma, lo, hi) for (m, tpl, _, median, sigma), (lo, hi) in zip(routes, bounds, strict=True)],
    )
    con.execute("CREATE TABLE statuses (status INTEGER, lo DOUBLE, hi DOUBLE)")
    codes = _cumulative([float(w) for _, w in STATUSES])
    con.executemany(
        "INSERT INTO statuses VALUES (?, ?, ?)", [(s, lo, hi) for (s, _), (lo, hi) in zip(STATUSES, codes, strict=True)]
    )
    con.execute("CREATE TABLE agents (idx INTEGER, ua VARCHAR)")
    con.executemany("INSERT INTO agents VALUES (?, ?)", list(enumerate(AGENTS)))
    path = "/dev/stdout" if args.output == "-" else args.output
    # The path is the user's own argument; DuckDB's COPY takes no parameter for it.
    con.execute(
        GENERATE.replace("{path}", path.replace("'", "''")),
        {
            "seed": args.seed,
            "lines": args.lines,
            "route_total": bounds[-1][1],
            "status_total": codes[-1][1],
            "max_id": float(MAX_ID),
            "uuids": UUIDS,
            "skus": SKUS,
            "slugs": SLUGS,
            "assets": ASSETS,
            "t0": T0,
            "e2e": args.format == "e2e",
        },
    )
    if args.output != "-":
        took = time.monotonic() - started
        print(f"wrote {args.lines} lines to {args.output} in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
