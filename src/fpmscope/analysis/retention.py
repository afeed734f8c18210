"""What each endpoint leaves behind, from the growth of whole windows of requests.

Per-request deltas put growth on the wrong request whenever an allocator re-uses memory: a
leak that eats heap another request freed shows as nothing, and that other request, next
time it runs, re-extends the heap and seems to keep what the leak took. The growth of a
window of consecutive requests on one worker does not move that way: it is what the window's
requests left behind together. So the kept bytes of each window are regressed on how many
requests of each endpoint it holds; the coefficients are bytes kept per request.

The fit is robust (Huber weights by iteratively reweighted least squares) so that a rare
large step (glibc growing its heap by a megabyte, Zend's cache draining) in one window
cannot move it, and its standard errors are heteroscedasticity-robust (sandwich), so the
verdict's confidence bound holds when windows differ in noise. The sums over windows run in
SQL (sql/leak_windows.sql); Python solves the small normal equations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from fpmscope.sql import query

# Judged requests per window: long enough for re-extended heap to show in the same window as
# the leak that used it up, short enough for many windows per worker.
WINDOW = 20
# Windows kept for the fit at most; beyond, a deterministic sample of them (by hash).
MAX_WINDOWS = 200_000
# Huber's tuning constant (95% efficiency under normal noise), in robust standard deviations.
HUBER_K = 1.345
# A residual scale below one page would give full weight to nothing but exact fits.
MIN_SCALE = 4096.0
MAX_ITERATIONS = 40
# Stop when no coefficient moves by more than this many bytes.
TOLERANCE = 8.0

REST = "(rest)"


@dataclass(frozen=True, slots=True)
class Fit:
    """Bytes kept per request of each regressor, its standard error, and the windows used."""

    beta: dict[str, float]
    se: dict[str, float]
    windows: int

    def get(self, endpoint: str) -> tuple[float, float] | None:
        if endpoint not in self.beta:
            return None
        return self.beta[endpoint], self.se[endpoint]


def build_windows(con: duckdb.DuckDBPyConnection) -> None:
    """Cut the judged requests of leak_requests into windows (temp table leak_windows)."""
    (judged,) = con.execute(
        "SELECT count(*) FROM leak_requests WHERE NOT warmup AND retained IS NOT NULL"
    ).fetchone() or (0,)
    keep_one_in = max(1, math.ceil(judged / WINDOW / MAX_WINDOWS))
    con.execute(query("leak_windows").format(window=WINDOW, keep_one_in=keep_one_in))


def fit(con: duckdb.DuckDBPyConnection, regressors: Sequence[str], *, late_only: bool = False) -> Fit:
    """Robust regression of window totals on endpoint counts (needs leak_windows).

    Endpoints not in `regressors` share one coefficient, REST. `late_only`: only windows in
    the second half of their worker's life (does the growth go on, or did it stop?).
    """
    names = [REST, *regressors]
    k = len(names)
    con.execute(query("leak_fit_inputs"), [list(regressors), late_only])
    con.execute(query("leak_fit_y"))
    (windows,) = con.execute("SELECT count(*) FROM leak_fit_y").fetchone() or (0,)
    if windows == 0:
        return Fit(beta={}, se={}, windows=0)
    beta = [0.0] * k
    weights_sql = query("leak_fit_weights")
    normal_sql = query("leak_fit_normal")
    for _ in range(MAX_ITERATIONS):
        con.execute(weights_sql, [beta, MIN_SCALE, HUBER_K])
        xtwx, xtwy = _normal(con.execute(normal_sql).fetchall(), k)
        new = solve(xtwx, xtwy)
        moved = max(abs(a - b) for a, b in zip(new, beta, strict=True))
        beta = new
        if moved < TOLERANCE:
            break
    con.execute(weights_sql, [beta, MIN_SCALE, HUBER_K])
    xtwx, _ = _normal(con.execute(normal_sql).fetchall(), k)
    meat = [[0.0] * k for _ in range(k)]
    for i, j, value in con.execute(query("leak_fit_meat")).fetchall():
        meat[i][j] = float(value)
    bread = invert(xtwx)
    cov = _mul(_mul(bread, meat), bread)
    se = [math.sqrt(max(cov[i][i], 0.0)) for i in range(k)]
    return Fit(beta=dict(zip(names, beta, strict=True)), se=dict(zip(names, se, strict=True)), windows=windows)


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
