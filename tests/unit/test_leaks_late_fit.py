"""Which fit an endpoint's estimate comes from: over whole worker lives, or late in them."""

from __future__ import annotations

from fpmscope.analysis import retention
from fpmscope.analysis.leaks import EndpointStats, _assess

ENDPOINT = "GET /old/ticket.php"
KiB = 1024


def stats() -> EndpointStats:
    return EndpointStats(
        endpoint=ENDPOINT, requests=509, warmup=7, unknown=0, judged=500, mean=2.0 * KiB, median=0.0,
        positive_share=0.02, shared_mean=0.0, shared_median=0.0, zend_mean=0.0, warmup_total=0.0,
        footprint_max=3 << 20, footprint_median=1 << 20, wall_mean_us=1000.0, wall_p95_us=2000.0,
        cpu_mean_us=800.0, failed=0, workers=7, workers_grew=0, grew_until=250.0, grew_until_share=0.5,
        kept_until=0.0,
    )  # fmt: skip


def fits(late: tuple[float, float], support: int) -> retention.Fits:
    """s1-014's /old/ticket.php: 32.4 ± 4.0 KiB over whole lives; `late` over the late windows."""
    whole = retention.Fit(beta={ENDPOINT: 32.4 * KiB}, se={ENDPOINT: 4.0 * KiB}, scale=1.0, windows=56)
    late_fit = retention.Fit(
        beta={ENDPOINT: late[0]}, se={ENDPOINT: late[1]}, scale=1.0, windows=25, support={ENDPOINT: support}
    )
    half = retention.Fit(beta={ENDPOINT: 30 * KiB}, se={ENDPOINT: 5 * KiB}, scale=1.0)
    return retention.Fits(whole=whole, late=late_fit, halves=(half, half))


def test_a_late_fit_far_more_precise_than_the_whole_one_is_the_estimate() -> None:
    a = _assess(stats(), fits((23.0 * KiB, 0.3 * KiB), support=25))
    assert a.basis == "late windows"
    assert a.estimate == 23.0 * KiB


def test_a_late_fit_about_as_precise_as_the_whole_one_is_not_taken() -> None:
    # With half the windows, an error 0.85 times the whole fit's is within the noise of two
    # error estimates: the whole fit stays.
    a = _assess(stats(), fits((30.0 * KiB, 3.4 * KiB), support=25))
    assert a.basis == "windows"
    assert a.estimate == 32.4 * KiB


def test_a_late_coefficient_pinned_by_few_windows_is_not_trusted_for_its_error() -> None:
    # A coefficient that two windows pin leaves them residuals near 0, so its sandwich error
    # is near 0 too: that says nothing about its precision.
    a = _assess(stats(), fits((23.0 * KiB, 0.01 * KiB), support=2))
    assert a.basis == "windows"
