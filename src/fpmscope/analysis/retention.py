"""What each endpoint leaves behind, from the growth of whole windows of requests.

Per-request deltas put growth on the wrong request whenever an allocator re-uses memory. A
request that mallocs and frees a megabyte leaves that megabyte in glibc's heap as a free
pool; leaks then eat the pool without growing the worker (their requests seem to keep
nothing), and the next big request re-extends the heap and seems to keep what they took.
The growth of a window of consecutive requests on one worker does not move that way: it is
what the window's requests left behind together, give or take how full the pool was at its
two ends. So the kept bytes of each window are regressed on how many requests of each
endpoint it holds; the coefficients are bytes kept per request.

Where the windows end matters: a window that ends right after the request with the biggest
transient allocations ends with the pool refilled, as the previous window did, so its total
is exact. The endpoint to cut after is chosen by the data: each candidate (endpoints whose
typical request grows the worker, then those with the biggest transient allocations, whose
typical request may grow nothing because the pool they refill is seldom short), and plain
windows of WINDOW requests, is fitted, and the cut whose residuals are smallest per request,
on average, wins (docs/how-it-works.md shows the numbers). On average and not by a median:
a wrong cut can leave most windows at exactly zero, the leaks' growth hidden in a pool the
cut refills and shown only by the rare request that re-extends the heap, and a median never
sees those few windows. A cut with few windows for its coefficients does not compete: they
are nearly interpolated, and its residuals look small on any measure.

The fit is robust (Huber weights by iteratively reweighted least squares) so that a rare
large step in one window cannot move it, and its standard errors are heteroscedasticity-
robust (sandwich). Sums over windows run in SQL (sql/leak_windows.sql, sql/leak_fit_*.sql);
Python solves the small normal equations. The SQL runs in the connection's dialect (DuckDB's
temp tables, or their ClickHouse twins in sql/clickhouse/): this loop is the same for both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from fpmscope.sql import Cursor, dialect, query, run

# Judged requests per window without a cut endpoint: long enough for re-extended heap to
# show in the same window as the leak that used it up, short enough for many windows.
WINDOW = 20
# Requests per window at most between two cuts.
CUT_WINDOW = 400
# Cut endpoints tried at most (besides plain windows).
MAX_CUTS = 5
# A way of cutting competes only with this many windows per coefficient it fits: with fewer,
# the robust fit nearly interpolates them and its residuals look smaller than they are.
CUT_WINDOWS_PER_COEFFICIENT = 4
# Windows kept for the fit at most; beyond, a deterministic sample of them (by hash).
MAX_WINDOWS = 200_000
# Huber's tuning constant (95% efficiency under normal noise), in robust standard deviations.
HUBER_K = 1.345
# A residual scale below one page would give full weight to nothing but exact fits.
MIN_SCALE = 4096.0
MAX_ITERATIONS = 30
# Enough reweighting to compare ways of cutting windows (the chosen one is fitted fully).
TRIAL_ITERATIONS = 6
# Stop when no coefficient moves by more than this many bytes.
TOLERANCE = 8.0

REST = "(rest)"


@dataclass(frozen=True, slots=True)
class Fit:
    """Bytes kept per request of each regressor, its standard error, and the mean absolute
    residual per square root of a window's requests (smaller: a better cut)."""

    beta: dict[str, float]
    se: dict[str, float]
    scale: float
    windows: int = 0
    coefficients: int = 0  # those these windows hold (the others are 0 by the ridge)

    def get(self, endpoint: str) -> tuple[float, float] | None:
        if endpoint not in self.beta:
            return None
        return self.beta[endpoint], self.se[endpoint]


@dataclass(frozen=True, slots=True)
class Fits:
    """The fit over all windows; over the late ones (does growth go on?); over each half of
    the workers (does it show on both?)."""

    whole: Fit
    late: Fit
    halves: tuple[Fit, Fit]


def build_windows(con: Cursor, cut: str | None) -> None:
    """Cut the judged requests of leak_requests into windows (temp table leak_windows)."""
    (judged, workers) = con.execute(
        "SELECT count(*), count(DISTINCT worker) FROM leak_requests WHERE NOT warmup AND retained IS NOT NULL"
    ).fetchone() or (0, 0)
    keep_one_in = max(1, math.ceil(judged / WINDOW / MAX_WINDOWS))
    run(
        con,
        "leak_windows",
        {
            "cut": cut,
            "size": WINDOW,
            "cut_size": CUT_WINDOW,
            "keep_one_in": keep_one_in,
            "by_worker": workers >= 2,
        },
    )


def best_fit(con: Cursor, regressors: Sequence[str], cuts: Sequence[str]) -> Fits:
    """The fit over plain windows and over windows cut after each of `cuts` (when there are
    enough of them); the one with the smallest mean absolute residual wins, and is fitted
    again over the late windows alone and over each half of the workers."""
    best: tuple[float, str | None] | None = None
    for cut in (None, *cuts[:MAX_CUTS]):
        build_windows(con, cut)
        trial = fit(con, regressors, iterations=TRIAL_ITERATIONS)
        few = trial.windows < CUT_WINDOWS_PER_COEFFICIENT * trial.coefficients
        scale = math.inf if cut is not None and few else trial.scale
        if best is None or scale < best[0]:
            best = (scale, cut)
    cut = best[1] if best else None
    build_windows(con, cut)
    return Fits(
        whole=fit(con, regressors),
        late=fit(con, regressors, subset="late"),
        halves=(fit(con, regressors, subset="half0"), fit(con, regressors, subset="half1")),
    )


def fit(
    con: Cursor,
    regressors: Sequence[str],
    *,
    subset: str = "all",
    iterations: int = MAX_ITERATIONS,
) -> Fit:
    """Robust regression of window totals on endpoint counts (needs leak_windows).

    Endpoints not in `regressors` share one coefficient, REST. `subset`: "all" windows,
    "late" ones (in the second half of their worker's life), "half0" or "half1" (of the
    workers; early and late windows when there is one worker).
    """
    names = [REST, *regressors]
    k = len(names)
    run(con, "leak_fit_inputs", {"regressors": list(regressors), "subset": subset})
    run(con, "leak_fit_y")
    (windows,) = con.execute("SELECT count(*) FROM leak_fit_y").fetchone() or (0,)
    if windows == 0:
        return Fit(beta={}, se={}, scale=math.inf)
    weights_sql = query("leak_fit_weights", dialect(con))
    normal_sql = query("leak_fit_normal", dialect(con))
    settings = {"min_scale": MIN_SCALE, "huber_k": HUBER_K}
    # Start from least squares (every weight 1: a huge Huber constant), then reweight.
    con.execute(weights_sql, {"beta": [0.0] * k, "min_scale": MIN_SCALE, "huber_k": 1e300})
    beta = solve(*_normal(con.execute(normal_sql).fetchall(), k))
    for _ in range(iterations):
        con.execute(weights_sql, {"beta": beta, **settings})
        new = solve(*_normal(con.execute(normal_sql).fetchall(), k))
        moved = max(abs(a - b) for a, b in zip(new, beta, strict=True))
        beta = new
        if moved < TOLERANCE:
            break
    con.execute(weights_sql, {"beta": beta, **settings})
    xtwx, _ = _normal(con.execute(normal_sql).fetchall(), k)
    bread = invert(xtwx)
    meat = [[0.0] * k for _ in range(k)]
    flat = [value for line in bread for value in line]
    for i, j, value in run(con, "leak_fit_meat", {"bread": flat, "k": k}).fetchall():
        meat[i][j] = float(value)
    cov = _mul(_mul(bread, meat), bread)
    se = [math.sqrt(max(cov[i][i], 0.0)) for i in range(k)]
    (scale,) = run(con, "leak_fit_scale").fetchone() or (None,)
    # Residuals shrink as coefficients are added; scale them up for the windows the fit spent
    # (as a standard deviation is, by n / (n - k)), and a fit with no window to spare says nothing.
    present = {x for (x,) in con.execute("SELECT DISTINCT x FROM leak_fit_x").fetchall()}
    held = len(present)
    spare = windows - held
    honest = math.inf if scale is None or spare <= 0 else float(scale) * math.sqrt(windows / spare)
    # Only regressors these windows hold have a coefficient (the ridge gives the others 0),
    # and only when there are at least as many windows to spare as coefficients: a fit with
    # fewer is a guess, and says nothing either way. Nor can it be the best way of cutting:
    # its few windows are nearly interpolated, so its residuals look small (a cut after a rare
    # endpoint once won that way on MediaWiki, and no endpoint got a fit at all).
    if spare < len(present):
        present, honest = set(), math.inf
    return Fit(
        beta={names[i]: beta[i] for i in sorted(present)},
        se={names[i]: se[i] for i in sorted(present)},
        scale=honest,
        windows=int(windows),
        coefficients=held,
    )


def _normal(rows: list[tuple[int, int, float, float]], k: int) -> tuple[list[list[float]], list[float]]:
    xtwx = [[0.0] * k for _ in range(k)]
    xtwy = [0.0] * k
    for i, j, xx, xy in rows:
        xtwx[i][j] = float(xx)
        if i == j:
            xtwy[i] = float(xy)
    return xtwx, xtwy


def _ridge(a: list[list[float]]) -> list[list[float]]:
    """A tiny ridge, so that a regressor seen in no window (or two that always run together)
    gives a finite answer instead of a singular matrix."""
    k = len(a)
    scale = max((a[i][i] for i in range(k)), default=1.0) or 1.0
    return [[a[i][j] + (1e-9 * scale if i == j else 0.0) for j in range(k)] for i in range(k)]


def solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a·x = b (Gaussian elimination, partial pivoting; a is small and symmetric)."""
    k = len(b)
    m = [[*row, rhs] for row, rhs in zip(_ridge(a), b, strict=True)]
    for col in range(k):
        pivot = max(range(col, k), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        p = m[col][col]
        if p == 0:
            continue
        for r in range(col + 1, k):
            f = m[r][col] / p
            if f:
                row, top = m[r], m[col]
                for c in range(col, k + 1):
                    row[c] -= f * top[c]
    x = [0.0] * k
    for r in range(k - 1, -1, -1):
        s = m[r][k] - sum(m[r][c] * x[c] for c in range(r + 1, k))
        x[r] = s / m[r][r] if m[r][r] else 0.0
    return x


def invert(a: list[list[float]]) -> list[list[float]]:
    k = len(a)
    columns = [solve(a, [1.0 if i == j else 0.0 for i in range(k)]) for j in range(k)]
    return [[columns[j][i] for j in range(k)] for i in range(k)]


def _mul(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    k = len(a)
    return [[sum(a[i][t] * b[t][j] for t in range(k)) for j in range(k)] for i in range(k)]
