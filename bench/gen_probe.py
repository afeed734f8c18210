"""Write a realistic probe log (record format 1) of N lines, fast, with DuckDB.

    .venv/bin/python bench/gen_probe.py LINES OUT.log [--workers 64] [--seed 1]

What it holds, so that the analyzer does real work:
- 2 hosts, one pool; `--workers` FPM workers serve requests side by side. Each worker lives
  for 500-1,500 requests (pm.max_requests), then a new one takes its slot; pids come from a
  small range, so they are reused by later workers (with another start time).
- ~45 routes behind index.php plus a few legacy scripts, Zipf-like popularity; numeric ids,
  UUIDs, hex tokens and dates in paths; a long tail of blog slugs (~20k distinct endpoints
  beyond the routes), query strings on some URLs.
- Memory: per-worker warm-up (anon and opcache/shared), Zend's chunk cache after big
  requests, page-sized noise, and three planted leaks (64, 16 and 4 KiB per request on three
  routes) that accumulate in the worker's anon memory until it is recycled.
- Times: per-route lognormal-ish wall and CPU times with a heavy tail; some 404/500, a few
  requests that end in exit or fatal.

Every value comes from hash(row number, salt), so a seed gives the same file every time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

# method, path template, script, weight, leak bytes per request, footprint KiB, wall ms
ROUTES = [
    ("GET", "/", "index.php", 400, 0, 300, 8),
    ("GET", "/products/{id}", "index.php", 900, 0, 500, 12),
    ("GET", "/products/{id}/reviews", "index.php", 120, 0, 400, 15),
    ("GET", "/category/{slug}", "index.php", 300, 0, 700, 25),
    ("GET", "/category/{slug}/page/{id}", "index.php", 150, 0, 700, 28),
    ("GET", "/search", "index.php", 250, 0, 1500, 60),
    ("GET", "/cart", "index.php", 200, 0, 400, 10),
    ("POST", "/cart/items", "index.php", 90, 0, 300, 14),
    ("DELETE", "/cart/items/{id}", "index.php", 20, 0, 300, 9),
    ("GET", "/checkout", "index.php", 60, 0, 600, 30),
    ("POST", "/checkout/pay", "index.php", 25, 0, 800, 250),
    ("GET", "/orders/{id}", "index.php", 50, 0, 500, 18),
    ("GET", "/orders/{id}/invoice", "index.php", 20, 16384, 2500, 90),
    ("GET", "/images/{id}/thumbnail", "index.php", 80, 65536, 1800, 35),
    ("GET", "/users/{id}", "index.php", 70, 0, 400, 11),
    ("GET", "/users/{id}/avatar", "index.php", 60, 0, 900, 20),
    ("POST", "/users/{id}/settings", "index.php", 10, 0, 300, 16),
    ("GET", "/account", "index.php", 50, 0, 350, 13),
    ("POST", "/login", "index.php", 40, 0, 300, 120),
    ("POST", "/logout", "index.php", 15, 0, 200, 6),
    ("GET", "/api/v1/products", "index.php", 180, 0, 1200, 40),
    ("GET", "/api/v1/products/{id}", "index.php", 220, 0, 300, 7),
    ("GET", "/api/v1/stock/{id}", "index.php", 140, 4096, 250, 5),
    ("PUT", "/api/v1/stock/{id}", "index.php", 12, 0, 250, 9),
    ("GET", "/api/v1/orders/{uuid}", "index.php", 40, 0, 350, 10),
    ("POST", "/api/v1/orders", "index.php", 15, 0, 600, 45),
    ("GET", "/api/v1/session/{hex}", "index.php", 35, 0, 200, 4),
    ("GET", "/reports/export", "index.php", 3, 0, 32000, 900),
    ("GET", "/reports/{date}", "index.php", 8, 0, 6000, 400),
    ("GET", "/sitemap.xml", "index.php", 5, 0, 9000, 350),
    ("GET", "/feed/{slug}.rss", "index.php", 10, 0, 1500, 40),
    ("GET", "/help/{slug}", "index.php", 30, 0, 300, 9),
    ("GET", "/brands/{slug}", "index.php", 45, 0, 500, 14),
    ("GET", "/deals", "index.php", 70, 0, 650, 22),
    ("GET", "/compare/{id}/{id}", "index.php", 12, 0, 900, 35),
    ("GET", "/wishlist", "index.php", 25, 0, 300, 12),
    ("POST", "/wishlist/{id}", "index.php", 8, 0, 250, 10),
    ("GET", "/stores/{id}", "index.php", 14, 0, 350, 12),
    ("POST", "/newsletter", "index.php", 6, 0, 200, 30),
    ("GET", "/graphql", "index.php", 60, 0, 1400, 55),
    ("POST", "/graphql", "index.php", 90, 0, 1600, 65),
    ("GET", "/legacy/status.php", "legacy/status.php", 40, 0, 120, 2),
    ("POST", "/legacy/contact.php", "legacy/contact.php", 4, 0, 300, 80),
    ("GET", "/legacy/print.php", "legacy/print.php", 6, 0, 2200, 70),
    ("GET", "/blog/{tail}", "index.php", 260, 0, 450, 16),
]

SQL = """
COPY (
WITH
routes AS (SELECT * FROM routes_df),
cum AS (
    SELECT *, sum(weight) OVER (ORDER BY route) - weight AS lo, sum(weight) OVER (ORDER BY route) AS hi,
           sum(weight) OVER () AS total
    FROM routes
),
r AS (
    SELECT
        i,
        i % $workers AS slot,
        i // $workers AS slot_seq,
        -- uniform numbers in [0,1) from the row number: hash(i, salt)
        (hash(i, $seed, 1) % 1000003) / 1000003.0 AS u_route,
        (hash(i, $seed, 2) % 1000003) / 1000003.0 AS u_time,
        (hash(i, $seed, 3) % 1000003) / 1000003.0 AS u_noise,
        (hash(i, $seed, 4) % 1000003) / 1000003.0 AS u_status,
        hash(i, $seed, 5) AS h_id
    FROM range($lines) t(i)
),
life AS (
    -- each slot's workers live 500..1500 requests; a slot's lifetime length is fixed per slot
    SELECT *, 500 + hash(slot, $seed, 6) % 1000 AS lifetime FROM r
),
w AS (
    SELECT *,
        slot_seq // lifetime AS generation,
        slot_seq % lifetime AS seq
    FROM life
),
picked AS (
    SELECT w.*, c.*
    FROM w JOIN cum c ON w.u_route * c.total >= c.lo AND w.u_route * c.total < c.hi
),
shaped AS (
    SELECT *,
        -- pids come from a small range: later workers reuse them
        2000 + (slot + generation * $workers) % ($workers * 6) AS pid,
        CASE WHEN slot % 2 = 0 THEN 'web1' ELSE 'web2' END AS host,
        -- heavy-tailed wall time: lognormal-ish around the route's typical time
        greatest(200, (wall_ms * 1000 * exp(1.1 * (u_time - 0.5) * 2)
            * CASE WHEN u_time > 0.995 THEN 12 WHEN u_time > 0.97 THEN 3 ELSE 1 END))::BIGINT AS wall_us,
        CASE WHEN u_status > 0.998 THEN 500 WHEN u_status > 0.985 THEN 404 ELSE 200 END AS status,
        h_id % 200000 AS id,
        (wall_us * (0.25 + 0.25 * u_noise))::BIGINT AS cpu_user_us,
        (wall_us * 0.03 * u_noise)::BIGINT AS cpu_sys_us,
        footprint_kib > 4000 AND u_noise > 0.3 AS big
    FROM picked
),
mem AS (
    SELECT *,
        -- leaked bytes accumulate in the worker until it is recycled
        coalesce(sum(leak) OVER (PARTITION BY slot, generation ORDER BY seq
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS leaked,
        -- Zend keeps a freed 2 MiB chunk cached after a big request: the next one starts higher
        coalesce(lag(big) OVER (PARTITION BY slot, generation ORDER BY seq), false)::INT AS after_big,
        -- the worker's CPU time at request start: its start-up, then every request so far
        30000 + coalesce(sum(cpu_user_us + cpu_sys_us + 40) OVER (PARTITION BY slot, generation ORDER BY seq
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS worker_cpu_us
    FROM shaped
)
SELECT
    'fpms2', host, 'www', pid, worker_cpu_us,
    round(1764547200 + i * 0.004 + u_noise * 0.003, 6) AS ts,
    wall_us,
    cpu_user_us,
    cpu_sys_us,
    anon + shared AS rss_start,
    anon + shared + footprint_kib * 1024 + (seq < 30)::INT * 61440 AS rss_end,
    anon AS anon_start,
    anon + footprint_kib * 1024 AS anon_end,
    shared AS shared_start,
    shared + (seq < 30)::INT * 61440 AS shared_end,
    400000 + (u_noise * 20000)::BIGINT AS zend_start,
    420000 + (u_noise * 20000)::BIGINT AS zend_end,
    400000 + footprint_kib * 700 AS zend_peak,
    2097152 * (1 + after_big) AS zend_real_start,
    greatest(2097152 * (1 + after_big), 2097152 * ceil(footprint_kib * 700 / 2097152.0))::BIGINT AS zend_real_peak,
    status, method,
    CASE
        WHEN path LIKE '%{tail}' THEN '/blog/' || 'how-to-' ||
            CASE WHEN u_noise < 0.5 THEN 'choose-a-sofa' ELSE 'post-' || chr(97 + (h_id % 26)::INT) END
            || '-' || chr(97 + (h_id // 26 % 26)::INT) || chr(97 + (h_id // 676 % 26)::INT)
            || chr(97 + (h_id // 17576 % 26)::INT)
        ELSE replace(replace(replace(replace(replace(path,
            '{id}', id::VARCHAR),
            '{slug}', 'shoes-' || chr(97 + (h_id % 26)::INT) || chr(97 + (h_id // 26 % 26)::INT)),
            '{uuid}', uuid_of),
            '{hex}', lpad(printf('%x', h_id), 16, '0')),
            '{date}', strftime(DATE '2026-01-01' + (h_id % 330)::INT, '%Y-%m-%d'))
    END || CASE WHEN path = '/search' THEN '?q=shoes+' || id::VARCHAR ELSE '' END AS uri,
    '/var/www/shop/public/' || script AS script,
    lpad(printf('%x', hash(i, $seed, 8)), 16, '0') || lpad(printf('%x', h_id), 16, '0') AS request_id,
    80 + (h_id % 220)::INT AS included_files,
    CASE WHEN status = 500 AND u_noise < 0.5 THEN 'fatal' WHEN u_noise > 0.999 THEN 'exit' ELSE 'ok' END AS outcome,
    NULL AS tag,
    NULL AS flags
FROM (
    SELECT *,
        8388608 + least(seq, 20) * 24576 + leaked + after_big * 2097152
            + ((hash(i, $seed, 9) % 5)::INT - 2) * 4096 * (u_noise > 0.8)::INT AS anon,
        6291456 + least(seq, 60) * 49152 AS shared,
        lpad(printf('%x', h_id), 8, '0') || '-aaaa-4bbb-8ccc-' || lpad(printf('%x', h_id % 281474976710655), 12, '0')
            AS uuid_of
    FROM mem
)
ORDER BY i
) TO '{out}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')
"""


def main() -> int:
    parser = argparse.ArgumentParser(description="Write a realistic fpmscope probe log.")
    parser.add_argument("lines", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE routes_df (route INTEGER, method VARCHAR, path VARCHAR, script VARCHAR, weight INTEGER,"
        " leak BIGINT, footprint_kib BIGINT, wall_ms DOUBLE)"
    )
    con.executemany("INSERT INTO routes_df VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(i, *r) for i, r in enumerate(ROUTES)])
    out = str(args.out.resolve()).replace("'", "''")
    sql = SQL.replace("$workers", str(args.workers)).replace("$seed", str(args.seed))
    con.execute(sql.replace("$lines", str(args.lines)).replace("{out}", out))
    size = args.out.stat().st_size
    print(
        f"wrote {args.lines} lines, {size / 1e6:.0f} MB to {args.out} in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
