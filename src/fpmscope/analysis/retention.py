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
robust (sandwich). Sums over windows run in SQL (sql/leak_window_requests.sql,
sql/leak_windows.sql, sql/leak_fit_*.sql) on integer ids; Python solves the small normal
equations. The SQL runs in the connection's dialect (DuckDB's temp tables, or their ClickHouse
twins in sql/clickhouse/): this loop is the same for both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

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
    # How many windows hold each regressor: a coefficient pinned by one or two windows has a
    # residual near 0 there, and so a sandwich error near 0 that says nothing.
    support: dict[str, int] = field(default_factory=dict)

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


def judged_requests(con: Cursor) -> None:
    """The judged requests of leak_requests as the narrow integer rows that build_windows
    cuts (temp table leak_window_requests), once for every way of cutting."""
    run(con, "leak_window_requests")


def build_windows(con: Cursor, cut: str | None) -> None:
    """Cut the judged requests into windows (temp table leak_windows; needs judged_requests)."""
    (judged, workers) = con.execute("SELECT count(*), count(DISTINCT wid) FROM leak_window_requests").fetchone() or (
        0,
        0,
    )
    keep_one_in = max(1, math.ceil(judged / WINDOW / MAX_WINDOWS))
    # The cut endpoint's id; one no judged request has (-1) cuts nothing, as its name would.
    cut_id = None
    if cut is not None:
        found = con.execute("SELECT eid FROM leak_window_endpoints WHERE endpoint = $cut", {"cut": cut}).fetchone()
        cut_id = -1 if found is None else found[0]
    run(
        con,
        "leak_windows",
        {
            "cut": cut_id,
            "size": WINDOW,
            "cut_size": CUT_WINDOW,
            "keep_one_in": keep_one_in,
            "by_worker": workers >= 2,
        },
    )


# The tables one way of cutting windows leaves for its fit; the best trial's are kept aside
# (renamed with _BEST) so that its full fit continues from them instead of building them again.
_TRIAL_TABLES = ("leak_windows", "leak_fit_x", "leak_fit_y", "leak_fit_pairs")
_BEST = "_best"


@dataclass(frozen=True, slots=True)
class _Irls:
    """Where reweighting stands: the coefficients, iterations run, and whether they settled."""

    beta: list[float]
    done: int
    settled: bool


def best_fit(con: Cursor, regressors: Sequence[str], cuts: Sequence[str]) -> Fits:
    """The fit over plain windows and over windows cut after each of `cuts` (when there are
    enough of them); the one with the smallest mean absolute residual wins, and is fitted
    again over the late windows alone and over each half of the workers.

    The winner's full fit goes on from its trial: the same windows, and the same first
    TRIAL_ITERATIONS reweightings, so the coefficients are those a fresh fit would reach."""
    judged_requests(con)
    best: tuple[float, _Irls | None] | None = None
    for cut in (None, *cuts[:MAX_CUTS]):
        build_windows(con, cut)
        trial, state = _fit(con, regressors, "all", TRIAL_ITERATIONS, None, trial=True)
        few = trial.windows < CUT_WINDOWS_PER_COEFFICIENT * trial.coefficients
        scale = math.inf if cut is not None and few else trial.scale
        if best is None or scale < best[0]:
            best = (scale, state)
            _rename(con, "", _BEST)
    _rename(con, _BEST, "")
    whole, _ = _fit(con, regressors, "all", MAX_ITERATIONS, best[1] if best else None, trial=False)
    return Fits(
        whole=whole,
        late=fit(con, regressors, subset="late"),
        halves=(fit(con, regressors, subset="half0"), fit(con, regressors, subset="half1")),
    )


def _rename(con: Cursor, old: str, new: str) -> None:
    """Rename the trial tables from name+old to name+new, replacing any of that name
    (sql/leak_fit_rename.sql; ClickHouse copies them, its temporary tables cannot be renamed)."""
    statement = query("leak_fit_rename", dialect(con))
    for table in _TRIAL_TABLES:
        con.execute(statement.format(old=f"{table}{old}", new=f"{table}{new}"))


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
    return _fit(con, regressors, subset, iterations, None, trial=False)[0]


def _fit(
    con: Cursor,
    regressors: Sequence[str],
    subset: str,
    iterations: int,
    start: _Irls | None,
    *,
    trial: bool,
) -> tuple[Fit, _Irls | None]:
    """fit(), going on from `start` (reweighting already done on these very tables) when
    given; a `trial` computes the residual scale only, not the standard errors."""
    names = [REST, *regressors]
    k = len(names)
    if start is None:
        run(con, "leak_fit_inputs", {"regressors": list(regressors), "subset": subset})
        run(con, "leak_fit_y")
        run(con, "leak_fit_pairs")
    (windows,) = con.execute("SELECT count(*) FROM leak_fit_y").fetchone() or (0,)
    if windows == 0:
        return Fit(beta={}, se={}, scale=math.inf), None
    weights_sql = query("leak_fit_weights", dialect(con))
    normal_sql = query("leak_fit_normal", dialect(con))
    settings = {"min_scale": MIN_SCALE, "huber_k": HUBER_K}
    if start is None:
        # Start from least squares (every weight 1: a huge Huber constant), then reweight.
        con.execute(weights_sql, {"beta": [0.0] * k, "min_scale": MIN_SCALE, "huber_k": 1e300})
        start = _Irls(solve(*_normal(con.execute(normal_sql).fetchall(), k)), 0, False)
    beta, done, settled = start.beta, start.done, start.settled
    while not settled and done < iterations:
        con.execute(weights_sql, {"beta": beta, **settings})
        new = solve(*_normal(con.execute(normal_sql).fetchall(), k))
        moved = max(abs(a - b) for a, b in zip(new, beta, strict=True))
        beta, done, settled = new, done + 1, moved < TOLERANCE
    con.execute(weights_sql, {"beta": beta, **settings})
    se = [math.nan] * k
    if not trial:
        xtwx, _ = _normal(con.execute(normal_sql).fetchall(), k)
        bread = invert(xtwx)
        meat = _symmetric(run(con, "leak_fit_meat", {"bread": [v for line in bread for v in line], "k": k}), k)
        cov = _mul(_mul(bread, meat), bread)
        se = [math.sqrt(max(cov[i][i], 0.0)) for i in range(k)]
    (scale,) = run(con, "leak_fit_scale").fetchone() or (None,)
    # Residuals shrink as coefficients are added; scale them up for the windows the fit spent
    # (as a standard deviation is, by n / (n - k)), and a fit with no window to spare says nothing.
    support = dict(con.execute("SELECT x, count(*) FROM leak_fit_x GROUP BY x").fetchall())
    present = set(support)
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
    result = Fit(
        beta={names[i]: beta[i] for i in sorted(present)},
        se={names[i]: se[i] for i in sorted(present)},
        scale=honest,
        windows=int(windows),
        coefficients=held,
        support={names[i]: int(support[i]) for i in sorted(present)},
    )
    return result, _Irls(beta, done, settled)


def _symmetric(cur: Cursor, k: int) -> list[list[float]]:
    """A k×k matrix from (i, j, value) rows of its upper triangle (i <= j)."""
    m = [[0.0] * k for _ in range(k)]
    for i, j, value in cur.fetchall():
        m[i][j] = m[j][i] = float(value)
    return m


def _normal(rows: list[tuple[int, int, float, float]], k: int) -> tuple[list[list[float]], list[float]]:
    xtwx = [[0.0] * k for _ in range(k)]
    xtwy = [0.0] * k
    # Rows of the upper triangle (i <= j): X'WX is symmetric.
    for i, j, xx, xy in rows:
        xtwx[i][j] = xtwx[j][i] = float(xx)
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
